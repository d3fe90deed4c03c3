"""SMS through Twilio: Rasa's Twilio channel with signed webhooks, numbered buttons, bounds.

Differences from ``rasa.core.channels.twilio``:

- the conversation is ``sms:<number>`` (``member_health_rasa.channels.common.inbound``), never a
  widget's or another channel's;
- the webhook's ``X-Twilio-Signature`` is checked with the auth token (the stock channel
  accepts anyone's POST and texts any number on their behalf);
- buttons become a numbered list, and a reply "2" picks the second button of the bot's last
  turn, read from the tracker store (``member_health_rasa.channels.common.latest_buttons``);
- replies are packed into as few SMS as fit 1600 characters each, split on blank lines first;
- over-long messages are answered with a short refusal instead of reaching NLU;
- the Twilio API call runs in a thread, not on the event loop.

``api_base`` points the Twilio client elsewhere (the tests' loopback recorder).
"""
from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.twilio import TwilioInput, TwilioOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from twilio.base.exceptions import TwilioRestException
from twilio.request_validator import RequestValidator

from member_health.channel_format import SMS_LIMIT, number_buttons, split_message
from member_health_rasa.channels.common import (
    TOO_LONG_REPLY,
    ProviderRecipient,
    body_refusal,
    inbound,
    resolve_text,
)

logger = logging.getLogger(__name__)


class SmsOutput(ProviderRecipient, TwilioOutput):
    """Sends SMS through Twilio's Messages API."""

    def __init__(
        self,
        account_sid: str | None,
        auth_token: str | None,
        twilio_number: str | None,
        api_base: str | None = None,
    ) -> None:
        super().__init__(account_sid, auth_token, twilio_number)
        if api_base:
            self.api.base_url = api_base.rstrip("/")

    async def _send_message(self, message_data: dict[str, Any]) -> Any:
        create = functools.partial(self.messages.create, **message_data)
        try:
            return await asyncio.get_running_loop().run_in_executor(None, create)
        except TwilioRestException as error:
            logger.error("sms: Twilio refused a message: %s", error.msg)
            return None

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        """Send a reply as few SMS as possible, each under Twilio's limit."""
        for body in split_message(text, SMS_LIMIT):
            await self._send_message(
                {"to": recipient_id, "from_": self.twilio_number, "body": body}
            )

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        """SMS has no buttons: number them; the member answers with the number."""
        await self.send_text_message(recipient_id, number_buttons(text, buttons))


class SmsInput(TwilioInput):
    """Twilio SMS webhook at ``/webhooks/twilio/webhook``."""

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        if not credentials:
            cls.raise_missing_credentials_exception()
        assert credentials is not None
        return cls(
            credentials.get("account_sid"),
            credentials.get("auth_token"),
            credentials.get("twilio_number"),
            debug_mode=False,
            api_base=credentials.get("api_base") or None,
            webhook_url=credentials.get("webhook_url") or None,
        )

    def __init__(
        self,
        account_sid: str | None,
        auth_token: str | None,
        twilio_number: str | None,
        debug_mode: bool = False,
        api_base: str | None = None,
        webhook_url: str | None = None,
    ) -> None:
        super().__init__(account_sid, auth_token, twilio_number, debug_mode)
        self.api_base = api_base
        self.webhook_url = webhook_url

    def get_output_channel(self) -> OutputChannel:
        """A Twilio client for the replies."""
        return SmsOutput(self.account_sid, self.auth_token, self.twilio_number, self.api_base)

    def is_signed_by_twilio(self, request: Request) -> bool:
        """Check ``X-Twilio-Signature`` against the public URL Twilio called and the form."""
        url = self.webhook_url or request.url
        signature = request.headers.get("X-Twilio-Signature", "")
        return RequestValidator(self.auth_token or "").validate(url, request.form, signature)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """The health check and the webhook Twilio posts incoming SMS to."""
        bp = Blueprint("sms_webhook", __name__)

        @bp.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @bp.route("/webhook", methods=["POST"])
        async def message(request: Request) -> HTTPResponse:
            refusal = body_refusal(request.body)
            if refusal:
                return response.text(refusal.reason, status=refusal.status)
            if not self.is_signed_by_twilio(request):
                logger.warning("sms: refused a webhook call without a valid Twilio signature")
                return response.text("invalid signature", status=403)
            number = request.form.get("From")
            sender, text, refusal = inbound(number, request.form.get("Body"), self.name())
            output = self.get_output_channel()
            if refusal:
                if sender is None:
                    return response.text(refusal.reason, status=refusal.status)
                await output.send_text_message(number, TOO_LONG_REPLY)
                return response.text("", status=204)
            if sender is None or text is None:
                return response.text("", status=204)
            text = await resolve_text(request.app, sender, text, numbered=True)
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
                logger.exception("sms: could not handle a message")
            return response.text("", status=204)

        return bp
