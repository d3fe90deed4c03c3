"""Small helpers for reading the bot's replies in end-to-end tests."""
from __future__ import annotations

from typing import Any


def bot_texts(replies: list[dict[str, Any]]) -> str:
    """All reply bubbles' text joined, for keyword checks."""
    return "\n".join(r.get("text") or "" for r in replies)


def slot(tracker: dict[str, Any], name: str) -> Any:
    """A slot's current value in a tracker returned by the HTTP API."""
    return (tracker.get("slots") or {}).get(name)
