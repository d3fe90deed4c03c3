"""Small helpers for reading the bot's replies in end-to-end tests."""
from __future__ import annotations

import os
from typing import Any


def rest_headers() -> dict[str, str]:
    """The REST channel's credentials: tests/conftest.py puts a random token in the environment
    (``REST_CHANNEL_TOKEN``), which every server started by the tests inherits."""
    return {"Authorization": f"Bearer {os.environ['REST_CHANNEL_TOKEN']}"}


def bot_texts(replies: list[dict[str, Any]]) -> str:
    """All reply bubbles' text joined, for keyword checks."""
    return "\n".join(r.get("text") or "" for r in replies)


def slot(tracker: dict[str, Any], name: str) -> Any:
    """A slot's current value in a tracker returned by the HTTP API."""
    return (tracker.get("slots") or {}).get(name)
