"""Input bounds applied by every channel before a message reaches NLU.

A single 120 KB message drove a stock Rasa 3.6 server past 6 GB of memory on this machine
(docs/rasa-3.6-pitfalls.md #4), so channels refuse large bodies and over-long messages
before parsing. Values can be tuned by environment variables. These are the only definitions:
the channels, the server's guards (``member_health_rasa.ops.server_hooks``) and the nginx template
(``deploy/nginx.conf.template``, which names the variable it mirrors) read them from here.
"""
from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass

# The public webhooks, the widget's socket.io messages and the NLU routes.
MAX_BODY_BYTES = int(os.environ.get("MAX_BODY_BYTES", 16 * 1024))
# Every other route of the Rasa server (the HTTP API: tracker events, model upload).
MAX_API_BODY_BYTES = int(os.environ.get("MAX_API_BODY_BYTES", 1024 * 1024))
MAX_MESSAGE_CHARS = int(os.environ.get("MAX_MESSAGE_CHARS", 1000))
MAX_SENDER_CHARS = int(os.environ.get("MAX_SENDER_CHARS", 128))

_SENDER = re.compile(r"^[A-Za-z0-9_.:@+=-]+$")


@dataclass(frozen=True)
class Refusal:
    """Why an input was refused: an HTTP status and a reason a client can show."""

    status: int
    reason: str


def clean_text(text: str) -> str:
    """Drop control and format characters (keeping newlines and tabs as spaces) and trim."""
    kept = (
        " " if ch in "\t\r\n" else ch
        for ch in text
        if ch in "\t\r\n" or unicodedata.category(ch) not in ("Cc", "Cs")
    )
    return "".join(kept).strip()


def check_sender(sender: object) -> Refusal | None:
    """A sender id must be a short printable token."""
    if not isinstance(sender, str) or not sender:
        return Refusal(400, "'sender' must be a non-empty string")
    if len(sender) > MAX_SENDER_CHARS:
        return Refusal(400, f"'sender' must be at most {MAX_SENDER_CHARS} characters")
    if not _SENDER.match(sender):
        return Refusal(400, "'sender' may contain only letters, digits and _ . : @ + = -")
    return None


def check_message(message: object) -> Refusal | None:
    """A message must be a string of at most ``MAX_MESSAGE_CHARS`` characters."""
    if not isinstance(message, str):
        return Refusal(400, "'message' must be a string")
    if len(message) > MAX_MESSAGE_CHARS:
        return Refusal(413, f"'message' must be at most {MAX_MESSAGE_CHARS} characters")
    return None
