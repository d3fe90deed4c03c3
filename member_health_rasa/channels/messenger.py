"""Facebook Messenger: Rasa's Facebook channel (signed webhooks) with bounds and split replies.

On top of Rasa's ``FacebookInput``:

- only ``X-Hub-Signature-256`` is accepted (no SHA-1), compared in constant time;
- the conversation is ``messenger:<page-scoped id>``, never another channel's;
- bodies over ``MAX_BODY_BYTES`` and unsigned calls are refused with an HTTP error status
  (the stock channel answers 200 "not validated");
- over-long messages get a short refusal instead of reaching NLU;
- replies are split under Messenger's 2000 characters per message; buttons become quick
  replies, numbered when a title is over Messenger's 20 characters (a typed number works too);
- ``graph_url`` points the Graph API client elsewhere (the tests' loopback recorder).
"""
from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from fbmessenger import MessengerClient
from fbmessenger.elements import Text as FBText
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.facebook import FacebookInput, Messenger, MessengerBot
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from member_health.channel_format import (
    MESSENGER_LIMIT,
    number_buttons,
    split_message,
)
from member_health_rasa.channels.common import (
    TOO_LONG_REPLY,
    ProviderRecipient,
    body_refusal,
    inbound,
    resolve_text,
)

logger = logging.getLogger(__name__)

MAX_QUICK_REPLIES = 13
MAX_TITLE_CHARS = 20


def messenger_client(token: str, graph_url: str | None) -> MessengerClient:
    """A Graph API client, optionally pointed at another base URL."""
    client = MessengerClient(token)
    if graph_url:
        client.graph_url = graph_url.rstrip("/")
    return client


class MessengerOutput(ProviderRecipient, MessengerBot):
    """Sends replies with the Send API."""

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        """One message per paragraph, each under Messenger's limit."""
        for part in split_message(text, MESSENGER_LIMIT, pack=False):
            self.send(recipient_id, FBText(text=part))

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        """Buttons as quick replies; titles over Messenger's 20 characters become numbers."""
        options = buttons[:MAX_QUICK_REPLIES]
        short = all(len(str(b.get("title") or "")) <= MAX_TITLE_CHARS for b in options)
        body = text if short else number_buttons(text, options)
        parts = split_message(body, MESSENGER_LIMIT, pack=False) or [" "]
        for part in parts[:-1]:
            self.send(recipient_id, FBText(text=part))
        replies = [
            {
                "content_type": "text",
                "title": str(b.get("title")) if short else str(number),
                "payload": str(b.get("payload") or b.get("title")),
            }
            for number, b in enumerate(options, start=1)
        ]
        await self.send_quick_replies(recipient_id, parts[-1], replies)


class BoundedMessenger(Messenger):
    """Rasa's webhook event handler, with the message bound and our output channel."""

    def __init__(
        self,
        client: MessengerClient,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        app: Any = None,
    ) -> None:
        self.on_new_message = on_new_message
        self.client = client
        self.app = app
        self.last_message: dict[str, Any] = {}

    async def _handle_user_message(
        self, text: str, sender_id: str, metadata: dict[str, Any] | None
    ) -> None:
        sender, cleaned, refusal = inbound(sender_id, text, self.name())
        output = MessengerOutput(self.client)
        if refusal:
            if sender is not None:
                await output.send_text_message(str(sender_id), TOO_LONG_REPLY)
            return
        if sender is None or cleaned is None:
            return
        cleaned = await resolve_text(self.app, sender, cleaned, numbered=True)
        await output.send_action(str(sender_id), sender_action="typing_on")
        try:
            await self.on_new_message(
                UserMessage(cleaned, output, sender, input_channel=self.name(), metadata=metadata)
            )
        except Exception:
            logger.exception("messenger: could not handle a message")
        finally:
            await output.send_action(str(sender_id), sender_action="typing_off")


class MessengerInput(FacebookInput):
    """Messenger webhook at ``/webhooks/facebook/webhook``."""

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        channel = super().from_credentials(credentials)
        assert isinstance(channel, MessengerInput)
        channel.graph_url = (credentials or {}).get("graph_url") or None
        return channel

    def __init__(self, fb_verify: str, fb_secret: str, fb_access_token: str) -> None:
        super().__init__(fb_verify, fb_secret, fb_access_token)
        self.graph_url: str | None = None

    def get_output_channel(self) -> OutputChannel:
        """A Send API client."""
        return MessengerOutput(messenger_client(self.fb_access_token, self.graph_url))

    def is_signed_by_facebook(self, request: Request) -> bool:
        """``X-Hub-Signature-256`` with the app secret, compared in constant time.

        The older SHA-1 ``X-Hub-Signature`` is not accepted (Meta sends both).
        """
        signature = request.headers.get("X-Hub-Signature-256") or ""
        if not signature.startswith("sha256=") or not self.fb_secret:
            return False
        expected = hmac.new(self.fb_secret.encode(), request.body or b"", hashlib.sha256)
        return hmac.compare_digest(
            signature[len("sha256=") :].encode(), expected.hexdigest().encode()
        )

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """Health check, Facebook's verification handshake and the signed webhook."""
        bp = Blueprint("messenger_webhook", __name__)

        @bp.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @bp.route("/webhook", methods=["GET"])
        async def verify(request: Request) -> HTTPResponse:
            if request.args.get("hub.verify_token") == self.fb_verify:
                return response.text(request.args.get("hub.challenge") or "")
            return response.text("invalid verify token", status=403)

        @bp.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            refusal = body_refusal(request.body)
            if refusal:
                return response.text(refusal.reason, status=refusal.status)
            if not self.is_signed_by_facebook(request):
                logger.warning("messenger: refused a webhook call without a valid signature")
                return response.text("invalid signature", status=403)
            client = messenger_client(self.fb_access_token, self.graph_url)
            payload = request.json if isinstance(request.json, dict) else {}
            if isinstance(payload.get("entry"), list):
                await BoundedMessenger(client, on_new_message, request.app).handle(
                    payload, self.get_metadata(request)
                )
            return response.text("success")

        return bp
