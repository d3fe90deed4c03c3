"""Clients for the attack tests: the REST webhook (with or without the channel token, from a
chosen client address); the widget's socket.io client is tests/e2e/widget_client.py.

The ``servers`` fixture trusts one proxy (``SANIC_PROXIES_COUNT=1``), so ``X-Forwarded-For``
picks the client address the server's per-address limits see: each test floods from its own
documentation address (RFC 5737) and leaves loopback's budget to the rest of the suite.
Waits are on events with a bound, never fixed sleeps.
"""
from __future__ import annotations

import os
from typing import Any
from urllib.parse import quote

import requests
from widget_client import REPLY_S, Widget, bubbles  # noqa: F401 - the attack tests use them


def rest_token() -> str:
    return os.environ["REST_CHANNEL_TOKEN"]  # set by tests/conftest.py for every server


def rest(
    servers: Any,
    sender: str,
    text: str,
    token: str | None = "",
    address: str | None = None,
) -> requests.Response:
    """POST a message to the REST webhook; ``token=""``: the right one, None: no header."""
    headers = {}
    if token is not None:
        headers["Authorization"] = f"Bearer {token or rest_token()}"
    if address:
        headers["X-Forwarded-For"] = address
    return requests.post(
        f"{servers.url}/webhooks/rest/webhook",
        json={"sender": sender, "message": text},
        headers=headers,
        timeout=REPLY_S,
    )


def texts(replies: list[dict[str, Any]]) -> str:
    return "\n".join(r.get("text") or "" for r in replies)


def events(servers: Any, sender: str) -> list[dict[str, Any]]:
    """The stored events of a conversation (the HTTP API, with the admin token)."""
    response = requests.get(
        f"{servers.url}/conversations/{quote(sender, safe='+:')}/tracker",
        params={"token": servers.token},
        timeout=30,
    )
    response.raise_for_status()
    return response.json().get("events") or []


def user_texts(servers: Any, sender: str) -> list[str]:
    return [e.get("text") or "" for e in events(servers, sender) if e.get("event") == "user"]


def slots(servers: Any, sender: str) -> dict[str, Any]:
    response = requests.get(
        f"{servers.url}/conversations/{quote(sender, safe='+:')}/tracker",
        params={"token": servers.token},
        timeout=30,
    )
    response.raise_for_status()
    return response.json().get("slots") or {}
