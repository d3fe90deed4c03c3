"""The REST channel (``POST /webhooks/rest/webhook``), bounded and validated before NLU.

credentials.yml names ``channels.rest.RestInput`` in place of ``rest``; the channel keeps the
name "rest", so the URL and the tracker's ``input_channel`` stay the same. On top of Rasa's
channel it:

- refuses a body that is not a JSON object ``{"sender": str, "message": str}`` (invalid JSON
  or UTF-8, a list, a missing or malformed sender, an empty message) with a 400, and a body
  over ``MAX_BODY_BYTES`` or a message over ``MAX_MESSAGE_CHARS`` with a 413, each with a JSON
  ``{"status": ..., "reason": ...}``, before anything reaches NLU;
- removes control characters, and reads ``/intent{...}`` text as plain text unless it is one
  of the domain's button payloads (so no entity or slot value can be forced);
- never logs the message text (PHI);
- installs the server-wide guards of ``ops.server_hooks`` (body caps for every route, 400s for
  malformed API bodies, an answer when a custom action fails).
"""
from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput as RasaRestInput
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse, ResponseStream

from member_health.limits import Refusal
from ops import server_hooks
from ops.input_policy import button_payloads_of, webhook_message, without_forced_intent

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


class _GuardedBlueprint(Blueprint):
    """A blueprint that installs the server-wide guards on the app it is registered on."""

    def register(self, app: Sanic, options: dict[str, Any]) -> None:
        server_hooks.install(app)
        super().register(app, options)


class RestInput(RasaRestInput):
    """Rasa's REST channel with input validation; still called "rest"."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        """``GET /`` (health) and ``POST /webhook``."""
        bp = _GuardedBlueprint("custom_webhook_RestInput", __name__)

        @bp.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @bp.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> ResponseStream | HTTPResponse:
            accepted, refusal = webhook_message(request.body)
            if refusal is None and accepted is not None:
                text = without_forced_intent(accepted["text"], button_payloads(request.app))
                refusal = None if text else Refusal(400, "'message' is empty; send some text")
            if refusal is not None or accepted is None:
                assert refusal is not None
                logger.info("rest: refused a message (%d: %s)", refusal.status, refusal.reason)
                return response.json(
                    {"status": refusal.status, "reason": refusal.reason}, refusal.status
                )
            sender, metadata = accepted["sender"], accepted["metadata"]
            if request.args.get("stream", "").lower() == "true":
                return response.stream(
                    self.stream_response(on_new_message, text, sender, self.name(), metadata),
                    content_type="text/event-stream",
                )
            collector = CollectingOutputChannel()
            try:
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
