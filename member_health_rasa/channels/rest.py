"""The REST channel (``POST /webhooks/rest/webhook``): internal, bounded, validated before NLU.

credentials.yml names ``member_health_rasa.channels.rest.RestInput`` in place of ``rest``; the
channel keeps the name "rest", so the URL and the tracker's ``input_channel`` stay the same. On top
of Rasa's channel it:

- is a server-to-server channel: every POST must carry ``Authorization: Bearer
  <REST_CHANNEL_TOKEN>`` (compared in constant time), else 401; without the variable the
  channel refuses everything. The caller chooses the sender id, so it must never be exposed
  to members directly (README, "Security"); it may not use another channel's ids
  (``sms:...``, ``widget:...``: 400);
- limits messages per sender and per client address (429 with ``Retry-After``,
  ``member_health_rasa.ops.rate_limit``) and lets emergencies through first, past the limits and the
  queue;
- refuses a body that is not a JSON object ``{"sender": str, "message": str}`` (invalid JSON
  or UTF-8, a list, a missing or malformed sender, an empty message) with a 400, and a body
  over ``MAX_BODY_BYTES`` or a message over ``MAX_MESSAGE_CHARS`` with a 413, each with a JSON
  ``{"status": ..., "reason": ...}``, before anything reaches NLU;
- removes control characters, and reads ``/intent{...}`` text as plain text unless it is one
  of the domain's button payloads (so no entity or slot value can be forced);
- never logs the message text (PHI).

The server-wide guards (body caps for every route, 400s for malformed API bodies, an answer when
a custom action fails) do not depend on this channel: ``member_health_rasa.ops.extensions``.
"""
from __future__ import annotations

import logging
import os
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput as RasaRestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse, ResponseStream

from member_health.limits import Refusal
from member_health_rasa.ops.identity import bearer_matches, reserved
from member_health_rasa.ops.input_policy import (
    button_payloads_of,
    webhook_message,
    without_forced_intent,
)
from member_health_rasa.ops.rate_limit import Limiter, TurnGate, is_emergency, retry_after

logger = logging.getLogger(__name__)


def button_payloads(app: Any) -> frozenset[str]:
    """Every button payload in the loaded model's domain (cached per domain)."""
    domain = getattr(getattr(getattr(app, "ctx", None), "agent", None), "domain", None)
    if domain is None:
        return frozenset()
    cached = getattr(app.ctx, "button_payloads", None)
    if cached is not None and cached[0] is domain:
        return cached[1]
    payloads = button_payloads_of(domain.responses)
    app.ctx.button_payloads = (domain, payloads)
    return payloads


def client_address(request: Request) -> str:
    """The caller's address: the proxy's ``X-Forwarded-For`` when Sanic is told to trust it
    (``SANIC_PROXIES_COUNT=1`` behind one nginx), else the peer address."""
    return str(request.remote_addr or request.ip or "")


class RestInput(RasaRestInput):
    """Rasa's REST channel with input validation; still called "rest"."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> RestInput:
        channel = cls()
        channel.token = (credentials or {}).get("token") or os.environ.get("REST_CHANNEL_TOKEN")
        return channel

    def __init__(self) -> None:
        super().__init__()
        self.token: str | None = os.environ.get("REST_CHANNEL_TOKEN")
        self.limiter = Limiter.from_env()
        self.gate = TurnGate.from_env()

    def refusal(self, request: Request) -> tuple[dict[str, Any] | None, Refusal | None]:
        """The accepted message, or why it is refused (before anything reaches NLU)."""
        if not bearer_matches(request.headers.get("Authorization"), self.token):
            return None, Refusal(401, "this channel needs 'Authorization: Bearer <token>'")
        accepted, refusal = webhook_message(request.body)
        if refusal is not None or accepted is None:
            return None, refusal
        if reserved(accepted["sender"]):
            return None, Refusal(400, "'sender' may not use another channel's prefix")
        text = without_forced_intent(accepted["text"], button_payloads(request.app))
        if not text:
            return None, Refusal(400, "'message' is empty; send some text")
        return {**accepted, "text": text}, None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        """``GET /`` (health) and ``POST /webhook``."""
        bp = Blueprint("custom_webhook_RestInput", __name__)

        @bp.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @bp.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> ResponseStream | HTTPResponse:
            accepted, refusal = self.refusal(request)
            if refusal is not None or accepted is None:
                assert refusal is not None
                logger.info("rest: refused a message (%d: %s)", refusal.status, refusal.reason)
                headers = {"WWW-Authenticate": "Bearer"} if refusal.status == 401 else None
                return response.json(
                    {"status": refusal.status, "reason": refusal.reason},
                    refusal.status,
                    headers=headers,
                )
            text, sender, metadata = accepted["text"], accepted["sender"], accepted["metadata"]
            emergency = is_emergency(text)
            wait = 0.0 if emergency else self.limiter.check(sender, client_address(request))
            if wait:
                refused = self.limiter.refused()
                if refused:
                    logger.warning("rest: rate limited %d message(s) since last noted", refused)
                return response.json(
                    {"status": 429, "reason": "too many messages; please wait and try again"},
                    429,
                    headers={"Retry-After": retry_after(wait)},
                )
            if request.args.get("stream", "").lower() == "true":
                return response.stream(
                    self.stream_response(on_new_message, text, sender, self.name(), metadata),
                    content_type="text/event-stream",
                )
            collector = CollectingOutputChannel()
            try:
                async with self.gate.turn(emergency):
                    await on_new_message(
                        UserMessage(
                            text, collector, sender, input_channel=self.name(), metadata=metadata
                        )
                    )
            except Exception as error:  # noqa: BLE001 - answer what was collected
                logger.error(  # the exception's message might quote the member: type only
                    "rest: handling a message failed (%s)",
                    type(error).__name__,
                    exc_info=logger.isEnabledFor(logging.DEBUG),
                )
            return response.json(collector.messages)

        return bp
