"""Who a message comes from: channel-namespaced sender ids and the widget's signed sessions.

Pure logic (no Rasa imports).

- Every channel's sender id carries its channel (``sms:+15551234567``, ``telegram:12345``,
  ``slack:U123``, ``messenger:678``, ``widget:...``), so an SMS number can never be used as a
  widget session and the reverse: one conversation space per channel.
- The widget resumes only sessions the server issued: ``widget:<random>.<HMAC-SHA256>`` with
  a key from ``WIDGET_SESSION_SECRET`` (a random one per process when unset: every replica
  behind a balancer needs the same value). A client presenting anything else gets a new id.
- The REST channel is internal (server to server): its caller proves itself with
  ``Authorization: Bearer <REST_CHANNEL_TOKEN>``; it cannot name another channel's sender.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from collections.abc import Mapping

# Channel name (Rasa's ``InputChannel.name()``) -> the prefix of its sender ids.
PREFIXES = {
    "twilio": "sms",
    "telegram": "telegram",
    "slack": "slack",
    "facebook": "messenger",
    "socketio": "widget",
}
RESERVED = tuple(f"{prefix}:" for prefix in PREFIXES.values())
WIDGET = "widget:"


def namespaced(channel: str, raw_id: str) -> str:
    """``raw_id``'s sender id on ``channel``: ``("twilio", "+1555...")`` -> ``"sms:+1555..."``."""
    prefix = PREFIXES[channel]
    return raw_id if raw_id.startswith(f"{prefix}:") else f"{prefix}:{raw_id}"


def provider_id(sender_id: str) -> str:
    """The id the provider knows (phone number, chat id, ...) of a namespaced sender id."""
    for prefix in RESERVED:
        if sender_id.startswith(prefix):
            return sender_id[len(prefix) :]
    return sender_id


def reserved(sender_id: str) -> bool:
    """True when ``sender_id`` belongs to a messaging channel or the widget (not REST's)."""
    return sender_id.lower().startswith(RESERVED)


def session_key(env: Mapping[str, str] | None = None) -> bytes:
    """The widget sessions' HMAC key: ``WIDGET_SESSION_SECRET``, or random for this process."""
    env = os.environ if env is None else env
    secret = env.get("WIDGET_SESSION_SECRET") or ""
    return secret.encode() if secret else secrets.token_bytes(32)


def _signature(key: bytes, nonce: str) -> str:
    digest = hmac.new(key, f"{WIDGET}{nonce}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def issue_session(key: bytes) -> str:
    """A new widget session id: ``widget:<128 random bits, hex>.<signature>``."""
    nonce = secrets.token_hex(16)
    return f"{WIDGET}{nonce}.{_signature(key, nonce)}"


def valid_session(key: bytes, session_id: object) -> bool:
    """True only for a session id this key issued (compared in constant time)."""
    if not isinstance(session_id, str) or not session_id.startswith(WIDGET):
        return False
    nonce, dot, signature = session_id[len(WIDGET) :].partition(".")
    if not dot or len(nonce) != 32 or not signature.isascii():
        return False
    return hmac.compare_digest(signature.encode(), _signature(key, nonce).encode())


def bearer_matches(header: str | None, token: str | None) -> bool:
    """``Authorization: Bearer <token>`` with the expected token, compared in constant time."""
    if not token or not header:
        return False
    scheme, _, presented = header.strip().partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(presented.strip().encode(), token.encode())


class ReplayCache:
    """Signed requests seen within their validity window: the same one twice is a replay.

    Slack signs ``v0:<timestamp>:<body>`` and accepts a timestamp within five minutes; a
    captured request could be sent again in that window. Kept per process (a replay that
    reaches another replica is not caught). Entries expire after ``window_s``.
    """

    def __init__(self, window_s: float = 600.0, max_entries: int = 100_000) -> None:
        self.window_s = window_s
        self.max_entries = max_entries
        self._seen: dict[str, float] = {}

    def first_time(self, key: str, now: float) -> bool:
        """Record ``key``; False when it was already seen within the window."""
        if len(self._seen) >= self.max_entries or len(self._seen) % 256 == 0:
            self._seen = {k: t for k, t in self._seen.items() if now - t < self.window_s}
        seen = self._seen.get(key)
        if seen is not None and now - seen < self.window_s:
            return False
        if len(self._seen) >= self.max_entries:
            return False  # flooded with valid signatures: refuse rather than forget
        self._seen[key] = now
        return True
