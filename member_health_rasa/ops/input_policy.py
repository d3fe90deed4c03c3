"""What a request body must look like before its message may reach NLU (no Rasa imports).

Used by the REST channel and the HTTP API guard (``member_health_rasa.ops.server_hooks``). Each
check returns a ``Refusal`` (HTTP status + a reason a client can show) or the accepted value.
"""
from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

from member_health.limits import MAX_BODY_BYTES, Refusal, check_message, check_sender, clean_text

INTENT_PREFIX = "/"  # Rasa reads "/intent{...}" messages without NLU (RegexMessageHandler)


def parse_json(
    body: bytes | None, expect: tuple[type, ...] = (dict,)
) -> tuple[Any, Refusal | None]:
    """Decode a JSON body of one of the ``expect`` types, or say why it is refused."""
    if not body:
        return None, Refusal(400, "the request body is empty; send a JSON object")
    try:
        value = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError:
        return None, Refusal(400, "the request body is not valid UTF-8")
    except RecursionError:
        return None, Refusal(400, "the request body nests JSON too deeply")
    except ValueError:
        return None, Refusal(400, "the request body is not valid JSON")
    if not isinstance(value, expect):
        wanted = " or ".join("a JSON object" if t is dict else "a JSON list" for t in expect)
        return None, Refusal(400, f"the request body must be {wanted}")
    return value, None


# REST metadata keys the assistant stores with a message (issue 16: up to 16 KB of anything was
# stored verbatim). Add a key here only when something reads it.
STORED_METADATA: frozenset[str] = frozenset()


def webhook_message(body: bytes | None) -> tuple[dict[str, Any] | None, Refusal | None]:
    """Validate a REST webhook body: ``{"sender": str, "message": str, "metadata"?: object}``.

    Returns ``{"sender", "text", "metadata"}`` with the text cleaned of control characters.
    Only the metadata keys in ``STORED_METADATA`` are kept (none today): whatever else a caller
    sends would be stored verbatim with the conversation, and nothing in the assistant reads it.
    """
    if body is not None and len(body) > MAX_BODY_BYTES:
        return None, Refusal(413, f"the request body must be at most {MAX_BODY_BYTES} bytes")
    value, refusal = parse_json(body)
    if refusal:
        return None, refusal
    sender = value.get("sender")
    sender = str(sender) if isinstance(sender, int) and not isinstance(sender, bool) else sender
    refusal = check_sender(sender) or check_message(value.get("message"))
    if refusal:
        return None, refusal
    metadata = value.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        return None, Refusal(400, "'metadata' must be a JSON object")
    text = clean_text(value["message"])
    if not text:
        return None, Refusal(400, "'message' is empty; send some text")
    kept = {key: item for key, item in (metadata or {}).items() if key in STORED_METADATA}
    return {"sender": sender, "text": text, "metadata": kept or None}, None


# Characters a member could put before a slash so that a filter looking only at the first
# character misses it, or that read as a slash: every Unicode space (str.isspace), invisible
# format characters (zero-width space/joiners, BOM, bidi marks: category Cf), control
# characters, and look-alike solidi (full-width, division, fraction, big, box-drawing).
SLASHES = frozenset("/\uff0f\u2215\u2044\u29f8\u2571")
_INVISIBLE = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp"})


def _leading_junk(ch: str) -> bool:
    return ch in SLASHES or ch.isspace() or unicodedata.category(ch) in _INVISIBLE


def command_prefix_length(text: str) -> int:
    """Length of the leading run of slashes, spaces and invisible characters of ``text``."""
    end = 0
    while end < len(text) and _leading_junk(text[end]):
        end += 1
    return end


def looks_like_command(text: str) -> bool:
    """True when a slash (or a look-alike) comes before the first visible character."""
    return any(ch in SLASHES for ch in text[: command_prefix_length(text)])


def without_forced_intent(text: str, allowed_payloads: Iterable[str]) -> str:
    """Keep a ``/intent{...}`` payload only if it is one of the domain's button payloads.

    Any other text starting with ``/`` would pick an intent, its confidence and entities without
    NLU; it is read as plain text instead, so NLU classifies it and no entity or slot value can
    be forced. The whole leading run of slashes, spaces (any Unicode space, tabs) and invisible
    characters goes, not just the first slash: "/ /affirm{...}" once became "/affirm{...}".
    Every channel calls this one function (REST directly, the others via
    ``member_health_rasa.channels.common.resolve_text``).
    """
    stripped = text.strip()
    if stripped in set(allowed_payloads):
        return text
    if not looks_like_command(text):
        return text
    # The whole run is gone, so the result starts with a visible character that is no slash.
    return text[command_prefix_length(text) :].strip()


def button_payloads_of(responses: Mapping[str, Any]) -> frozenset[str]:
    """Every button payload of a domain's responses, as Rasa sends it ("{{" becomes "{")."""
    return frozenset(
        str(button.get("payload", "")).strip().replace("{{", "{").replace("}}", "}")
        for variations in responses.values()
        for variation in variations or []
        for button in (variation.get("buttons") or [] if isinstance(variation, dict) else [])
        if isinstance(button, dict)
    )
