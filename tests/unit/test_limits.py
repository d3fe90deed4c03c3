"""Input bounds: member_health.limits and the request policy the REST channel and API apply."""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from member_health import limits
from member_health.limits import (
    MAX_BODY_BYTES,
    MAX_MESSAGE_CHARS,
    MAX_SENDER_CHARS,
    check_message,
    check_sender,
    clean_text,
)
from member_health_rasa.ops.input_policy import (
    button_payloads_of,
    parse_json,
    webhook_message,
    without_forced_intent,
)
from member_health_rasa.ops.server_hooks import SMALL_BODY_PATHS, api_refusal, text_refusal

PAYLOADS = {"/affirm", "/deny", '/inform{"tumor_grade": "high"}'}


def body(value: Any) -> bytes:
    return json.dumps(value).encode("utf-8")


@pytest.mark.parametrize(
    "text, cleaned",
    [
        ("hello", "hello"),
        ("  hello  ", "hello"),
        ("hel\x00lo\x07", "hello"),
        ("line one\nline two\ttab", "line one line two tab"),
        ("\x1b[31mred\x1b[0m", "[31mred[0m"),
        ("\u200bzero width", "\u200bzero width"),  # format characters are kept
        ("\ud800lone surrogate", "lone surrogate"),
        ("😀" * 3, "😀😀😀"),
        ("\r\n\t ", ""),
    ],
)
def test_clean_text(text: str, cleaned: str) -> None:
    assert clean_text(text) == cleaned


@pytest.mark.parametrize(
    "sender, status",
    [
        ("member-1", None),
        ("a" * MAX_SENDER_CHARS, None),
        ("user@example.org", None),
        ("a" * (MAX_SENDER_CHARS + 1), 400),
        ("x" * 10_000, 400),
        ("", 400),
        (None, 400),
        (42, 400),
        (["member"], 400),
        ("robert'); DROP TABLE events;--", 400),
        ("<script>", 400),
        ("../../etc/passwd", 400),
        ("has space", 400),
    ],
)
def test_check_sender(sender: object, status: int | None) -> None:
    refusal = check_sender(sender)
    assert (refusal.status if refusal else None) == status


@pytest.mark.parametrize(
    "message, status",
    [
        ("hello", None),
        ("", None),  # empty is refused by the channel after cleaning, not here
        ("a" * MAX_MESSAGE_CHARS, None),
        ("a" * (MAX_MESSAGE_CHARS + 1), 413),
        ("😀" * 10_000, 413),
        (None, 400),
        (123, 400),
        ({"text": "hi"}, 400),
    ],
)
def test_check_message(message: object, status: int | None) -> None:
    refusal = check_message(message)
    assert (refusal.status if refusal else None) == status


@pytest.mark.parametrize(
    "raw, status, reason_part",
    [
        (body({"sender": "m1", "message": "hello"}), None, None),
        (body({"sender": 7, "message": "hello"}), None, None),  # Rasa's own clients send ints
        (body({"sender": "m1", "message": "hi", "metadata": {"k": 1}}), None, None),
        (b"", 400, "empty"),
        (b"not json", 400, "not valid JSON"),
        (b'{"sender": "m1", "message": "hi"', 400, "not valid JSON"),
        (b'{"sender": "m1", "message": "\xff\xfe"}', 400, "UTF-8"),
        (b"[" * 5000 + b"]" * 5000, 400, "deeply"),
        (
            b'{"sender": "m1", "message": "hi", "metadata": '
            + b'{"a": ' * 2000
            + b"1"
            + b"}" * 2001,
            400,
            "deeply",
        ),
        (b'{"sender": "m1", "message": NaN}', 400, "string"),
        (body(["sender", "message"]), 400, "JSON object"),
        (body("hello"), 400, "JSON object"),
        (body(None), 400, "JSON object"),
        (body({"message": "hello"}), 400, "sender"),
        (body({"sender": "m1"}), 400, "message"),
        (body({"sender": True, "message": "hi"}), 400, "sender"),
        (body({"sender": "x" * 10_000, "message": "hi"}), 400, "sender"),
        (body({"sender": "m1", "message": ""}), 400, "empty"),
        (body({"sender": "m1", "message": " \n\t "}), 400, "empty"),
        (body({"sender": "m1", "message": "\x00\x01\x02"}), 400, "empty"),
        (body({"sender": "m1", "message": ["hi"]}), 400, "string"),
        (body({"sender": "m1", "message": "hi", "metadata": "x"}), 400, "metadata"),
        (body({"sender": "m1", "message": "a" * (MAX_MESSAGE_CHARS + 1)}), 413, "characters"),
        (body({"sender": "m1", "message": "a" * MAX_BODY_BYTES}), 413, "bytes"),
    ],
)
def test_webhook_message(raw: bytes, status: int | None, reason_part: str | None) -> None:
    accepted, refusal = webhook_message(raw)
    assert (refusal.status if refusal else None) == status
    if refusal:
        assert accepted is None and reason_part in refusal.reason
    else:
        assert accepted and accepted["text"] and isinstance(accepted["sender"], str)


def test_webhook_message_cleans_the_text() -> None:
    accepted, _ = webhook_message(body({"sender": "m1", "message": " hi\x00 there\x07 "}))
    assert accepted == {"sender": "m1", "text": "hi there", "metadata": None}


@pytest.mark.parametrize(
    "text, sent",
    [
        ("what is bone cancer?", "what is bone cancer?"),
        ("/affirm", "/affirm"),  # a button payload of the domain
        (" /deny ", " /deny "),
        ('/inform{"tumor_grade": "high"}', '/inform{"tumor_grade": "high"}'),
        ('/ask_my_stage{"tumor_size_cm": -5}', 'ask_my_stage{"tumor_size_cm": -5}'),
        ('/affirm{"screening_outcome": "clear"}', 'affirm{"screening_outcome": "clear"}'),
        ("/cleared_by_doctor", "cleared_by_doctor"),
        ("/emergency@0.01", "emergency@0.01"),
        ("//greet", "greet"),
        ("/", ""),
        ("1/2 of my leg hurts", "1/2 of my leg hurts"),
    ],
)
def test_forced_intents_become_plain_text(text: str, sent: str) -> None:
    assert without_forced_intent(text, PAYLOADS) == sent


@pytest.mark.parametrize(
    "method, path, raw, status",
    [
        ("POST", "/model/parse", body({"text": "hello"}), None),
        ("POST", "/model/parse", body(["hello"]), 400),
        ("POST", "/model/parse", b"{oops", 400),
        ("POST", "/model/parse", b"", 400),
        ("POST", "/model/parse", body({"text": 5}), 400),
        ("POST", "/model/parse", body({"text": "a" * (MAX_MESSAGE_CHARS + 1)}), None),
        ("POST", "/conversations/u1/messages", body({"text": "hi", "sender": "user"}), None),
        ("POST", "/conversations/u1/messages", body([1, 2]), 400),
        ("POST", "/conversations/u1/trigger_intent", body({"name": "greet"}), None),
        ("POST", "/conversations/u1/trigger_intent", body("greet"), 400),
        ("POST", "/conversations/u1/execute", body({"name": "utter_welcome"}), None),
        ("POST", "/conversations/u1/tracker/events", body([{"event": "restart"}]), None),
        ("POST", "/conversations/u1/tracker/events", body({"event": "restart"}), None),
        ("PUT", "/conversations/u1/tracker/events", body("x"), 400),
        ("POST", "/model/predict", body({"events": []}), 400),
        ("POST", "/model/predict", body([]), None),
        ("PUT", "/model", b"\xff", 400),
        ("GET", "/status", b"", None),
        ("POST", "/conversations/u1/predict", b"garbage", None),  # takes no body
        ("POST", "/model/train", b"version: '3.1'", None),  # YAML, left to Rasa
    ],
)
def test_api_refusal(method: str, path: str, raw: bytes, status: int | None) -> None:
    refusal = api_refusal(method, path, raw)
    assert (refusal.status if refusal else None) == status


@pytest.mark.parametrize(
    "method, path, raw, status",
    [
        ("POST", "/model/parse", body({"text": "a" * MAX_MESSAGE_CHARS}), None),
        ("POST", "/model/parse", body({"text": "a" * (MAX_MESSAGE_CHARS + 1)}), 413),
        ("POST", "/conversations/u1/messages", body({"text": "a" * 5000}), 413),
        ("POST", "/conversations/u1/trigger_intent", body({"text": "a" * 5000}), None),
        ("POST", "/model/parse", b"{oops", None),  # malformed: left to Rasa's checks
        ("POST", "/model/parse", body({"text": 5}), None),
    ],
)
def test_text_refusal(method: str, path: str, raw: bytes, status: int | None) -> None:
    refusal = text_refusal(method, path, raw)
    assert (refusal.status if refusal else None) == status


@pytest.mark.parametrize(
    "path, small",
    [
        ("/webhooks/rest/webhook", True),
        ("/webhooks/twilio/webhook", True),
        ("/model/parse", True),
        ("/conversations/u1/messages", True),
        ("/conversations/u1/tracker/events", False),
        ("/model/train", False),
        ("/socket.io/", False),
    ],
)
def test_small_body_routes(path: str, small: bool) -> None:
    assert bool(SMALL_BODY_PATHS.match(path)) is small


def test_parse_json_accepts_lists_where_allowed() -> None:
    assert parse_json(b"[1]", (dict, list)) == ([1], None)


def test_button_payloads_are_read_as_rasa_sends_them() -> None:
    responses = {
        "utter_ask_spread": [
            {
                "text": "Spread?",
                "buttons": [{"title": "No", "payload": '/inform{{"spread": "none"}}'}],
            }
        ],
        "utter_confirm": [{"text": "Sure?", "buttons": [{"title": "Yes", "payload": "/affirm"}]}],
        "utter_plain": [{"text": "Hi"}],
    }
    assert button_payloads_of(responses) == {'/inform{"spread": "none"}', "/affirm"}


def test_webhook_message_stores_no_caller_metadata() -> None:
    caller = {"name": "Jane Doe", "dob": "1970-01-01"}
    accepted, refusal = webhook_message(body({"sender": "a", "message": "hi", "metadata": caller}))
    assert refusal is None and accepted is not None
    assert accepted["metadata"] is None


def test_nginx_template_caps_bodies_at_the_api_cap() -> None:
    """nginx cannot read member_health/limits.py: its line states MAX_API_BODY_BYTES' default."""
    template = Path(limits.__file__).parents[1] / "deploy" / "nginx.conf.template"
    [size] = re.findall(r"^\s*client_max_body_size (\d+)m;", template.read_text(), re.M)
    assert int(size) * 1024 * 1024 == limits.MAX_API_BODY_BYTES
