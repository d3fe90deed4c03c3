"""Fit the bot's replies to each messaging channel: message limits, numbered buttons on SMS.

Pure functions, no Rasa imports. Channels (``member_health_rasa.channels``) call them just
before sending.
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

# A reply bubble as written in the domain (paragraphs split by a blank line), on every channel:
# the content lint refuses a longer one and the stage explainer splits its lists to fit.
MAX_BUBBLE_CHARS = 450

# Characters per message each provider accepts.
SMS_LIMIT = 1600  # Twilio Programmable Messaging, per message body
TELEGRAM_LIMIT = 4096  # Bot API sendMessage
SLACK_LIMIT = 3000  # a section block's text
MESSENGER_LIMIT = 2000  # Messenger Send API text message

Button = Mapping[str, Any]

_BLANK_LINES = re.compile(r"\n\s*\n")
# Where a too-long paragraph may be cut, best first: a line break, a sentence end, a space.
_CUT_POINTS = ("\n", ". ", "? ", "! ", "; ", ", ", " ")
_CHOICE = re.compile(r"^\s*(?:#|no\.?\s*|number\s+|option\s+)?(\d{1,2})\s*[.)]?\s*$", re.I)


def paragraphs(text: str) -> list[str]:
    """The text's paragraphs (separated by blank lines), trimmed, empty ones dropped."""
    return [part.strip() for part in _BLANK_LINES.split(text or "") if part.strip()]


def _cut(text: str, limit: int) -> list[str]:
    """Cut one paragraph into pieces of at most ``limit`` characters at the best cut points."""
    pieces: list[str] = []
    rest = text
    while len(rest) > limit:
        window = rest[:limit]
        cut = -1
        for mark in _CUT_POINTS:
            at = window.rfind(mark)
            if at > limit // 2:  # never leave a tiny fragment
                cut = at + len(mark.rstrip())
                break
        if cut <= 0:
            cut = limit
        pieces.append(rest[:cut].strip())
        rest = rest[cut:].strip()
    if rest:
        pieces.append(rest)
    return pieces


def split_message(text: str, limit: int, *, pack: bool = True) -> list[str]:
    """Split a reply into messages of at most ``limit`` characters.

    Blank lines are the preferred boundaries. With ``pack`` (SMS: fewer messages, kept in order),
    consecutive paragraphs share a message while they fit; without it (chat apps), each
    paragraph is its own bubble. A paragraph longer than the limit is cut at a line break,
    then a sentence end, then a space.
    """
    if limit < 1:
        raise ValueError("limit must be positive")
    pieces = [piece for para in paragraphs(text) for piece in _cut(para, limit)]
    if not pack:
        return pieces
    messages: list[str] = []
    for piece in pieces:
        if messages and len(messages[-1]) + 2 + len(piece) <= limit:
            messages[-1] = f"{messages[-1]}\n\n{piece}"
        else:
            messages.append(piece)
    return messages


def number_buttons(text: str, buttons: Sequence[Button]) -> str:
    """The reply's text followed by its buttons as a numbered list (for SMS)."""
    titles = [str(button.get("title") or button.get("payload") or "") for button in buttons]
    if not titles:
        return text
    listing = "\n".join(f"{number}. {title}" for number, title in enumerate(titles, start=1))
    hint = "Reply with a number, or type your answer."
    return f"{text.strip()}\n\n{listing}\n\n{hint}" if text.strip() else f"{listing}\n\n{hint}"


def choose_button(reply: str, buttons: Sequence[Button]) -> str | None:
    """The payload of the button a numeric reply picks ("2", "#2", "2."), else None."""
    match = _CHOICE.match(reply or "")
    if not match:
        return None
    number = int(match.group(1))
    if not 1 <= number <= len(buttons):
        return None
    payload = buttons[number - 1].get("payload") or buttons[number - 1].get("title")
    return str(payload) if payload else None


def last_buttons(events: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The buttons (or quick replies) of the bot's latest turn, from tracker events as dicts.

    Only bot messages after the member's last message count: once the member has replied,
    older buttons are stale.
    """
    for event in reversed(events):
        if event.get("event") == "user":
            return []
        if event.get("event") == "bot":
            data = event.get("data") or {}
            options = data.get("buttons") or data.get("quick_replies")
            if options:
                return [dict(option) for option in options]
    return []


def is_emergency_reply(message: Mapping[str, Any]) -> bool:
    """Whether a bot message is the emergency response (shown as a banner by the widget).

    Recognised by ``metadata: {emergency: true}`` on the response in the domain, or by the
    response's name ``utter_emergency`` (which Rasa records as ``utter_action``).
    """
    meta = message.get("metadata")
    if isinstance(meta, Mapping) and meta.get("emergency"):
        return True
    return message.get("utter_action") == "utter_emergency"


def bubbles(message: Mapping[str, Any], limit: int = TELEGRAM_LIMIT) -> list[dict[str, Any]]:
    """One bot message as widget bubbles: a bubble per paragraph, buttons on the last one.

    ``message`` is a Rasa bot message (``text``, ``buttons``/``quick_replies`` and metadata
    such as ``utter_action``). Each bubble is ``{"text", "quick_replies"?, "emergency"?}``.
    """
    options = message.get("buttons") or message.get("quick_replies") or []
    texts = split_message(str(message.get("text") or ""), limit, pack=False)
    if not texts and not options:
        return []
    out: list[dict[str, Any]] = [{"text": text} for text in texts] or [{"text": ""}]
    if options:
        out[-1]["quick_replies"] = [
            {"content_type": "text", "title": o.get("title"), "payload": o.get("payload")}
            for o in options
        ]
    if is_emergency_reply(message):
        for bubble in out:
            bubble["metadata"] = {"emergency": True}
    return out


def chat_history(events: Sequence[Mapping[str, Any]], max_items: int = 60) -> list[dict[str, Any]]:
    """The member's and the bot's messages from tracker events (as dicts), oldest first.

    Each item is ``{"sender": "user", "text"}`` or ``{"sender": "bot", **bubble}``. Only the
    latest conversation session counts; intent payloads such as ``/greet`` are hidden.
    """
    items: list[dict[str, Any]] = []
    for event in events:
        kind = event.get("event")
        if kind == "session_started":
            items = []
        elif kind == "user":
            text = str(event.get("text") or "")
            if text and not text.startswith("/"):
                items.append({"sender": "user", "text": text})
        elif kind == "bot":
            data = event.get("data") or {}
            message = {**(event.get("metadata") or {}), **data, "text": event.get("text")}
            items.extend({"sender": "bot", **bubble} for bubble in bubbles(message))
    return items[-max_items:]
