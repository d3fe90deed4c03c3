"""Member ids for log lines: an HMAC of the sender id under a secret key, never the id itself.

An unsalted hash of a sender id is reversible when the id is a phone number (there are only so
many): anyone with the logs can hash every number. Keyed with ``LOG_ID_KEY`` (``make run``
generates one into ``.env``), the id is stable across restarts and useless without the key.
Without the variable, a random key is drawn once per process: ids still link lines of one run.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from collections.abc import Mapping

KEY_ENV = "LOG_ID_KEY"
_PROCESS_KEY = secrets.token_bytes(32)


def log_key(env: Mapping[str, str] | None = None) -> bytes:
    """The key from ``LOG_ID_KEY``, or this process's random key when it is unset."""
    env = os.environ if env is None else env
    value = env.get(KEY_ENV, "")
    return value.encode("utf-8") if value else _PROCESS_KEY


def member_log_id(sender_id: str, key: bytes | None = None) -> str:
    """16 hex digits of HMAC-SHA256(key, sender id)."""
    digest = hmac.new(key or log_key(), sender_id.encode("utf-8"), hashlib.sha256)
    return digest.hexdigest()[:16]
