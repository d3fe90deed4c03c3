"""Small helpers for reading the bot's replies in end-to-end tests."""
from __future__ import annotations

import os
import time
from typing import Any
from urllib.parse import quote

import requests


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


def wait_for_turn(
    url: str, token: str, sender: str, users: int = 1, timeout_s: float = 90
) -> list[dict[str, Any]]:
    """The conversation's events once it holds ``users`` member messages and the bot listens
    again. Every channel sends a turn's replies before the turn is stored, so by then each of
    them has reached the provider. Fails loudly after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    events: list[dict[str, Any]] = []
    while time.monotonic() < deadline:
        response = requests.get(
            f"{url}/conversations/{quote(sender, safe='+:')}/tracker",
            params={"token": token},
            timeout=30,
        )
        response.raise_for_status()
        events = response.json().get("events") or []
        said = sum(e.get("event") == "user" for e in events)
        listening = bool(events) and events[-1].get("name") == "action_listen"
        if said >= users and listening:
            return events
        time.sleep(0.1)
    said = sum(e.get("event") == "user" for e in events)
    raise AssertionError(
        f"after {timeout_s}s the conversation holds {said} of {users} messages, "
        f"last event {events[-1].get('event') if events else None}"
    )
