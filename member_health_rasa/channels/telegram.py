"""Telegram: Rasa's Telegram output with a webhook that checks Telegram's secret token.

Differences from ``rasa.core.channels.telegram``:

- the webhook is registered with a ``secret_token`` and every update must carry it in
  ``X-Telegram-Bot-Api-Secret-Token`` (the stock channel calls ``getMe`` per update instead,
  which proves nothing about the caller);
- the webhook is registered when the server starts, on the server's event loop, and a failure
  is logged instead of stopping the server;
- replies are split under Telegram's 4096 characters, buttons are stacked vertically;
- the conversation is ``telegram:<chat id>``, never another channel's;
- ``/start`` greets; over-long messages get a short refusal instead of reaching NLU.

``api_base`` points the bot at another Bot API server (the tests' loopback recorder).
"""
from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import Bot
from aiogram.bot.api import TELEGRAM_PRODUCTION, TelegramAPIServer
from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.telegram import TelegramInput, TelegramOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from member_health.channel_format import TELEGRAM_LIMIT, split_message
from member_health_rasa.channels.common import (
    START_PAYLOAD,
    TOO_LONG_REPLY,
    ProviderRecipient,
    body_refusal,
    inbound,
    resolve_text,
)

logger = logging.getLogger(__name__)


class TelegramBotOutput(ProviderRecipient, TelegramOutput):
    """Sends replies through the Telegram Bot API."""

    def __init__(self, access_token: str | None, api_base: str | None = None) -> None:
        server = TelegramAPIServer.from_base(api_base) if api_base else TELEGRAM_PRODUCTION
        Bot.__init__(self, access_token, server=server)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        """One message per paragraph, each under Telegram's limit."""
        for part in split_message(text, TELEGRAM_LIMIT, pack=False):
            await self.send_message(recipient_id, part)

    async def send_text_with_buttons(
        self,
        recipient_id: str,
        text: str,
        buttons: list[dict[str, Any]],
        button_type: str | None = "vertical",
        **kwargs: Any,
    ) -> None:
        """The text, then the keyboard on its last part (long titles read better stacked)."""
        parts = split_message(text, TELEGRAM_LIMIT, pack=False) or [""]
        for part in parts[:-1]:
            await self.send_message(recipient_id, part)
        await super().send_text_with_buttons(recipient_id, parts[-1], buttons, button_type)


def parse_update(update: dict[str, Any]) -> tuple[Any | None, str | None, str | None]:
    """``(chat id, text, callback query id)`` of a Telegram update; Nones if it has no text."""
    query = update.get("callback_query")
    if isinstance(query, dict):
        chat = ((query.get("message") or {}).get("chat") or {}).get("id")
        return chat, query.get("data"), query.get("id")
    message = update.get("message") or update.get("edited_message")
    if isinstance(message, dict) and isinstance(message.get("text"), str):
        return (message.get("chat") or {}).get("id"), message["text"], None
    return None, None, None


class TelegramBotInput(TelegramInput):
    """Telegram webhook at ``/webhooks/telegram/webhook``."""

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        if not credentials:
            cls.raise_missing_credentials_exception()
        assert credentials is not None
        return cls(
            credentials.get("access_token"),
            credentials.get("verify"),
            credentials.get("webhook_url"),
            debug_mode=False,
            secret_token=credentials.get("secret_token"),
            api_base=credentials.get("api_base") or None,
        )

    def __init__(
        self,
        access_token: str | None,
        verify: str | None,
        webhook_url: str | None,
        debug_mode: bool = False,
        secret_token: str | None = None,
        api_base: str | None = None,
    ) -> None:
        super().__init__(access_token, verify, webhook_url, debug_mode)
        if not secret_token:
            raise ValueError("telegram: a secret_token is required (TELEGRAM_SECRET_TOKEN)")
        self.secret_token = secret_token
        self.api_base = api_base

    def get_output_channel(self) -> TelegramBotOutput:
        """A Bot API client (the webhook is registered at server start, not here)."""
        return TelegramBotOutput(self.access_token, self.api_base)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """The health check, the webhook and the webhook registration at start-up."""
        bp = Blueprint("telegram_bot_webhook", __name__)
        output = self.get_output_channel()

        @bp.listener("after_server_start")
        async def register_webhook(*_: Any) -> None:
            try:
                await output.request(
                    "setWebhook", {"url": self.webhook_url, "secret_token": self.secret_token}
                )
                logger.info("telegram: webhook registered at %s", self.webhook_url)
            except Exception as error:  # the other channels must keep working
                logger.error("telegram: could not register the webhook: %s", error)

        @bp.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @bp.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            refusal = body_refusal(request.body)
            if refusal:
                return response.text(refusal.reason, status=refusal.status)
            token = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
            if not hmac.compare_digest(token.encode(), self.secret_token.encode()):
                logger.warning("telegram: refused an update without the secret token")
                return response.text("forbidden", status=403)
            update = request.json if isinstance(request.json, dict) else {}
            chat, text, query_id = parse_update(update)
            if query_id:
                await output.answer_callback_query(query_id)
            if chat is None or text is None:
                return response.text("success")
            sender, text, refusal = inbound(chat, text, self.name())
            if refusal:
                if sender is not None:
                    await output.send_message(chat, TOO_LONG_REPLY)
                return response.text("success")
            if sender is None or text is None:
                return response.text("success")
            if text.split()[0].split("@")[0] == "/start":
                text = START_PAYLOAD
            text = await resolve_text(request.app, sender, text)
            try:
                await on_new_message(
                    UserMessage(
                        text,
                        output,
                        sender,
                        input_channel=self.name(),
                        metadata=self.get_metadata(request),
                    )
                )
            except Exception:
                logger.exception("telegram: could not handle an update")
            return response.text("success")

        return bp
