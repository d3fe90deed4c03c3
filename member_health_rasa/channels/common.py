"""What every messaging channel does before a message reaches Rasa, and the member's buttons."""
from __future__ import annotations

import logging
from typing import Any

from rasa.shared.core.events import UserUttered

from member_health.channel_format import choose_button, last_buttons
from member_health.limits import (
    MAX_BODY_BYTES,
    MAX_MESSAGE_CHARS,
    Refusal,
    check_message,
    check_sender,
    clean_text,
)
from member_health_rasa.channels.rest import button_payloads
from member_health_rasa.ops.identity import namespaced, provider_id
from member_health_rasa.ops.input_policy import looks_like_command, without_forced_intent

logger = logging.getLogger(__name__)

START_PAYLOAD = "/greet"  # what the widget sends to open a conversation; Telegram's /start
TOO_LONG_REPLY = (
    f"Sorry, that message is too long for me. Please keep it under {MAX_MESSAGE_CHARS} "
    "characters, or split it into shorter messages."
)


def body_refusal(body: bytes | None) -> Refusal | None:
    """Refuse a webhook body over ``MAX_BODY_BYTES`` before it is parsed."""
    if body is not None and len(body) > MAX_BODY_BYTES:
        return Refusal(413, f"request body must be at most {MAX_BODY_BYTES} bytes")
    return None


def inbound(
    sender: Any, text: Any, channel: str | None = None
) -> tuple[str | None, str | None, Refusal | None]:
    """Check a member's message: ``(sender, cleaned text, refusal)``.

    The sender must be a short printable token (else ``(None, None, refusal)``) and the text
    at most ``MAX_MESSAGE_CHARS`` characters (else ``(sender, None, refusal)``, so the channel
    can tell the member). A refused message must not reach NLU. Empty text after cleaning
    gives ``(sender, None, None)``: nothing to handle.

    With ``channel`` (Rasa's channel name: "twilio", "telegram", "slack", "facebook") the
    returned sender id is namespaced by it (``member_health_rasa.ops.identity.namespaced``:
    "sms:+1555..."), so the channels never share a conversation; ``ProviderRecipient`` turns it back
    into the provider's id for the replies.
    """
    sender = str(sender) if isinstance(sender, int) else sender
    refusal = check_sender(sender)
    if refusal:
        return None, None, refusal
    if channel:
        sender = namespaced(channel, sender)
    refusal = check_message("" if text is None else text)
    if refusal:
        return sender, None, refusal
    return sender, clean_text(text or "") or None, None


async def latest_buttons(app: Any, sender_id: str) -> list[dict[str, Any]]:
    """The buttons of the bot's latest turn in this conversation, read from the tracker store.

    The tracker store already records every button the bot sent, survives restarts and is
    shared by all replicas, so a numeric reply works wherever it lands.
    """
    agent = getattr(getattr(app, "ctx", None), "agent", None)
    store = getattr(agent, "tracker_store", None)
    if store is None:
        return []
    try:
        tracker = await store.retrieve(sender_id)
    except Exception:  # a store outage must not stop the message itself
        logger.exception("could not read the tracker of %s for its buttons", sender_id)
        return []
    if tracker is None:
        return []
    # Only the events since the member's last message can hold the current buttons: the rest
    # of the conversation is not turned into dicts (it grows with every turn).
    tail: list[Any] = []
    for event in reversed(tracker.events):
        tail.append(event)
        if isinstance(event, UserUttered):
            break
    return last_buttons([event.as_dict() for event in reversed(tail)])


async def resolve_text(app: Any, sender_id: str, text: str, numbered: bool = False) -> str:
    """What the member's text means for Rasa: a picked button, or text NLU must classify.

    With ``numbered`` (SMS, Messenger's numbered quick replies) a reply like "2" picks the
    second button of the bot's latest turn. A ``/intent{...}`` text passes only when it is a
    button the domain or the bot's latest turn offers (or the start payload); any other is read
    as plain text, so no intent, entity or slot value can be forced
    (``member_health_rasa.ops.input_policy``).
    """
    forced = looks_like_command(text)
    if not numbered and not forced:
        return text
    buttons = await latest_buttons(app, sender_id)
    choice = choose_button(text, buttons) if numbered else None
    if choice:
        return choice
    offered = {str(button.get("payload") or "").strip() for button in buttons}
    return without_forced_intent(text, button_payloads(app) | offered | {START_PAYLOAD})


class ProviderRecipient:
    """Output-channel mixin: replies go to the provider's id, not the namespaced sender id.

    Rasa sends each reply to the tracker's sender id ("sms:+1555..."); the provider needs the
    id it knows ("+1555...").
    """

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        await super().send_response(provider_id(recipient_id), message)  # type: ignore[misc]
