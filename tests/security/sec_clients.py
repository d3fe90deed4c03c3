"""Clients for the attack tests: the REST webhook (with or without the channel token, from a
chosen client address) and a socket.io client of the widget's protocol.

The ``servers`` fixture trusts one proxy (``SANIC_PROXIES_COUNT=1``), so ``X-Forwarded-For``
picks the client address the server's per-address limits see: each test floods from its own
documentation address (RFC 5737) and leaves loopback's budget to the rest of the suite.
Waits are on events with a bound, never fixed sleeps.
"""
from __future__ import annotations

import os
import queue
import time
from typing import Any
from urllib.parse import quote

import engineio.payload
import requests
import socketio

REPLY_S = 90
# The server batches the events queued for a client into one long-polling response; this
# test client (python-engineio) refuses more than 16 packets per payload and then loses them
# (a browser's socket.io-client has no such limit). The server's own inbound limit stays.
engineio.payload.Payload.max_decode_packets = 1000


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


class Widget:
    """A socket.io client of the widget (sync, long-polling: pitfalls #3), recording events."""

    def __init__(self, url: str, address: str | None = None) -> None:
        self.events: queue.Queue[tuple[str, Any]] = queue.Queue()
        self.skipped: list[tuple[str, Any]] = []
        self.session_id: str | None = None
        self.client = socketio.Client(reconnection=False)
        for name in ("session_confirm", "bot_uttered", "bot_typing", "history"):
            self.client.on(name, lambda data=None, n=name: self.events.put((n, data)))
        headers = {"X-Forwarded-For": address} if address else None
        self.client.connect(url, transports=["polling"], wait_timeout=30, headers=headers)

    def session(self, session_id: Any = None) -> str:
        """``session_request`` with ``session_id``; the id the server confirmed."""
        self.client.emit("session_request", {"session_id": session_id})
        self.session_id = str(self.next("session_confirm")[1])
        return self.session_id

    def say(self, data: dict[str, Any]) -> None:
        """Emit ``user_uttered``; like the old widget, with the confirmed ``session_id`` unless
        ``data`` names one (the server now ignores the field; main required it)."""
        self.client.emit("user_uttered", {"session_id": self.session_id, **data})

    def next(self, *names: str, timeout: float = REPLY_S) -> tuple[str, Any]:
        """The next event among ``names`` (others recorded in ``skipped``)."""
        deadline = time.monotonic() + timeout
        while True:
            got, data = self.events.get(timeout=max(0.1, deadline - time.monotonic()))
            if got in names:
                return got, data
            self.skipped.append((got, data))

    def turn(self, data: dict[str, Any], timeout: float = REPLY_S) -> list[tuple[str, Any]]:
        """Emit ``user_uttered``; every event until the bot stops typing (or a refusal bubble)."""
        self.say(data)
        seen: list[tuple[str, Any]] = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            got, payload = self.events.get(timeout=max(0.1, deadline - time.monotonic()))
            seen.append((got, payload))
            if got == "bot_uttered" and ((payload or {}).get("metadata") or {}).get("refused"):
                return seen
            if got == "bot_typing" and not (payload or {}).get("typing"):
                return seen
        raise AssertionError(f"no end of the turn within {timeout}s: {seen[-3:]}")

    def burst(self, count: int, text: str = "hello") -> None:
        """Emit ``count`` messages as fast as the server takes them.

        engine.io refuses a long-polling payload of more than 16 packets (the client would
        merge queued chunks), so in chunks of 10, the next once the server has answered every
        message of the previous one: "typing" for a message it took, a refusal bubble else.
        """
        for start in range(0, count, 10):
            size = min(10, count - start)
            for _ in range(size):
                self.say({"message": text})
            answered = 0
            while answered < size:
                name, data = self.next("bot_typing", "bot_uttered")
                self.skipped.append((name, data))
                metadata = (data or {}).get("metadata") or {}
                taken = name == "bot_typing" and (data or {}).get("typing")
                answered += bool(taken or (name == "bot_uttered" and metadata.get("refused")))

    def drain(self) -> list[tuple[str, Any]]:
        """Events already received and not yet read."""
        out = []
        while True:
            try:
                out.append(self.events.get_nowait())
            except queue.Empty:
                return out

    def close(self) -> None:
        self.client.disconnect()

    def __enter__(self) -> Widget:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def bubbles(seen: list[tuple[str, Any]]) -> list[dict[str, Any]]:
    return [payload for name, payload in seen if name == "bot_uttered"]
