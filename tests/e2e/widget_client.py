"""A socket.io client of the website widget's protocol, for the end-to-end and security tests.

Long-polling only (docs/rasa-3.6-pitfalls.md #3), recording every event it receives; waits are
on events with a bound, never fixed sleeps.
"""
from __future__ import annotations

import queue
import time
from typing import Any

import engineio.payload
import socketio

REPLY_S = 90
# The server batches the events queued for a client into one long-polling response; this
# test client (python-engineio) refuses more than 16 packets per payload and then loses them
# (a browser's socket.io-client has no such limit). The server's own inbound limit stays.
engineio.payload.Payload.max_decode_packets = 1000


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
