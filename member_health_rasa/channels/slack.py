"""Slack: Rasa's Slack channel (signed requests) with replies split under Slack's block limit.

Rasa's ``SlackInput`` already verifies ``X-Slack-Signature`` with the signing secret and
refuses requests older than five minutes. On top of it this channel:

- refuses a request whose timestamp and signature were already seen (a replay within those
  five minutes, ``member_health_rasa.ops.identity.ReplayCache``);
- keeps the conversation at ``slack:<user id>``, never another channel's;
- refuses bodies over ``MAX_BODY_BYTES`` and answers over-long messages with a short refusal
  instead of handing them to NLU;
- splits replies under 3000 characters per message (a section block's limit), paragraph by
  paragraph, and sends up to 25 buttons in rows of five (the stock channel drops all buttons
  beyond five);
- ``api_base`` points the Web API client elsewhere (the tests' loopback recorder).
"""
from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.slack import SlackBot, SlackInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from slack_sdk.web.async_client import AsyncWebClient

from member_health.channel_format import SLACK_LIMIT, split_message
from member_health_rasa.channels.common import (
    TOO_LONG_REPLY,
    ProviderRecipient,
    body_refusal,
    inbound,
    resolve_text,
)
from member_health_rasa.ops.identity import ReplayCache

logger = logging.getLogger(__name__)

MAX_BUTTONS = 25  # elements in an actions block
BUTTONS_PER_ROW = 5


class SlackOutput(ProviderRecipient, SlackBot):
    """Posts replies with ``chat.postMessage``."""

    def __init__(
        self,
        token: str,
        slack_channel: str | None = None,
        thread_id: str | None = None,
        proxy: str | None = None,
        api_base: str | None = None,
    ) -> None:
        super().__init__(token, slack_channel, thread_id, proxy)
        if api_base:
            self.client = AsyncWebClient(token, proxy=proxy, base_url=api_base)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        """One message per paragraph, each under Slack's limit."""
        recipient = self.slack_channel or recipient_id
        for part in split_message(text, SLACK_LIMIT, pack=False):
            await self._post_message(channel=recipient, as_user=True, text=part, type="mrkdwn")

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        """The text, then the buttons in rows of five under its last part."""
        recipient = self.slack_channel or recipient_id
        parts = split_message(text, SLACK_LIMIT, pack=False) or [" "]
        for part in parts[:-1]:
            await self._post_message(channel=recipient, as_user=True, text=part, type="mrkdwn")
        shown = buttons[:MAX_BUTTONS]
        rows = [shown[i : i + BUTTONS_PER_ROW] for i in range(0, len(shown), BUTTONS_PER_ROW)]
        blocks: list[dict[str, Any]] = [
            {"type": "section", "text": {"type": "plain_text", "text": parts[-1]}}
        ]
        blocks += [
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": str(b.get("title"))[:75]},
                        "value": str(b.get("payload"))[:2000],
                    }
                    for b in row
                ],
            }
            for row in rows
        ]
        await self._post_message(channel=recipient, as_user=True, text=parts[-1], blocks=blocks)


class SlackEventsInput(SlackInput):
    """Slack Events API webhook at ``/webhooks/slack/webhook``."""

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        channel = super().from_credentials(credentials)
        assert isinstance(channel, SlackEventsInput)
        channel.api_base = (credentials or {}).get("api_base") or None
        return channel

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.api_base: str | None = None
        self.replays = ReplayCache()

    def is_request_from_slack_authentic(self, request: Request) -> bool:
        """Rasa's check (signature in constant time, timestamp within 5 minutes), once only.

        The same timestamp and signature a second time is a replay and is refused.
        """
        if not super().is_request_from_slack_authentic(request):
            return False
        stamp = request.headers.get("X-Slack-Request-Timestamp", "")
        signature = request.headers.get("X-Slack-Signature", "")
        if not self.replays.first_time(f"{stamp}:{signature}", time.time()):
            logger.warning("slack: refused a replayed request")
            return False
        return True

    def get_output_channel(
        self, channel: str | None = None, thread_id: str | None = None
    ) -> OutputChannel:
        """A Web API client posting to the conversation's channel."""
        return SlackOutput(
            self.slack_token, channel or self.slack_channel, thread_id, self.proxy, self.api_base
        )

    async def process_message(
        self,
        request: Request,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        text: str,
        sender_id: str | None,
        metadata: dict | None,
    ) -> Any:
        """Bound the message, then let Rasa's Slack channel handle it."""
        sender, cleaned, refusal = inbound(sender_id, text, self.name())
        if refusal:
            if sender is not None:
                out = self.get_output_channel((metadata or {}).get("out_channel"))
                await out.send_text_message(str(sender_id), TOO_LONG_REPLY)
            return response.text("")
        if sender is None or cleaned is None:
            return response.text("")
        cleaned = await resolve_text(request.app, sender, cleaned)
        return await super().process_message(request, on_new_message, cleaned, sender, metadata)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """Rasa's Slack routes behind a body-size bound."""
        bp = super().blueprint(on_new_message)

        @bp.middleware("request")
        async def bound_body(request: Request) -> HTTPResponse | None:
            refusal = body_refusal(request.body)
            if refusal:
                return response.text(refusal.reason, status=refusal.status)
            return None

        return bp
