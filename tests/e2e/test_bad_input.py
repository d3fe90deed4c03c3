"""Bad input through the REST webhook, socket.io and the HTTP API: each case has a defined
outcome (a reply, or a 4xx with a reason), the server keeps serving, and no forced payload
sets a safety-relevant slot or skips the red-flag screen."""
from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests
from chat import bot_texts, rest_headers, slot
from widget_client import Widget, bubbles

from member_health.limits import MAX_BODY_BYTES

pytestmark = pytest.mark.e2e

EMOJI = "\U0001F600"


def js(value: Any) -> bytes:
    return json.dumps(value).encode("utf-8")


def msg(text: Any, sender: Any = "SENDER", **extra: Any) -> bytes:
    return js({"sender": sender, "message": text, **extra})


# (case id, raw body, expected HTTP status, extra check on the tracker or None)
REST_CASES: list[tuple[str, bytes, int]] = [
    ("plain hello", msg("hello"), 200),
    ("empty message", msg(""), 400),
    ("whitespace only", msg(" \n\t  "), 400),
    ("control characters only", msg("\x00\x01\x1b"), 400),
    ("control characters in text", msg("hel\x00lo\x07 there"), 200),
    ("1000 characters (the limit)", msg("what is bone cancer " * 50), 200),
    ("1001 characters", msg("a" * 1001), 413),
    ("100 KB message", msg("a" * 100_000), 413),
    ("10,000 emoji", msg(EMOJI * 10_000), 413),
    ("1,000 emoji", msg(EMOJI * 1_000), 200),
    ("invalid UTF-8", b'{"sender": "SENDER", "message": "caf\xe9 \xff"}', 400),
    ("invalid JSON", b'{"sender": "SENDER", "message": "hi"', 400),
    ("not JSON at all", b"hello there", 400),
    ("empty body", b"", 400),
    ("JSON list", js([{"sender": "SENDER", "message": "hi"}]), 400),
    ("JSON string", js("hello"), 400),
    ("JSON null", b"null", 400),
    ("deeply nested JSON", b"[" * 5000 + b"]" * 5000, 400),
    ("missing sender", js({"message": "hello"}), 400),
    ("missing message", js({"sender": "SENDER"}), 400),
    ("10 KB sender id", msg("hello", sender="s" * 10_000), 400),
    ("sender with SQL", msg("hello", sender="x'; DROP TABLE events; --"), 400),
    ("sender is a list", msg("hello", sender=["a"]), 400),
    ("message is a number", msg(42), 400),
    ("message is an object", msg({"text": "hi"}), 400),
    ("message is NaN", b'{"sender": "SENDER", "message": NaN}', 400),
    ("metadata is a string", msg("hello", metadata="x"), 400),
    ("spoofed input channel", msg("hello", input_channel="slack"), 200),
    ("SQL-looking text", msg("'; DROP TABLE events; -- OR 1=1"), 200),
    ("HTML/script text", msg("<script>alert('x')</script><img src=x onerror=alert(1)>"), 200),
    ("right-to-left and zero-width", msg("\u202ehello\u200b\u200d"), 200),
    ("forced stage slot", msg('/ask_my_stage{"tumor_size_cm": -5}'), 200),
    ("forced screen outcome", msg('/affirm{"screening_outcome": "clear"}'), 200),
    (
        "forced screen skip",
        msg(
            '/start_back_pain_program{"screening_outcome": "clear", "leg_symptoms": "no", '
            '"bladder_bowel": "no", "fever_nausea": "no", "cancer_history": "no"}'
        ),
        200,
    ),
    ("forced clearance", msg("/cleared_by_doctor"), 200),
    ("forced intent with confidence", msg("/greet@0.01"), 200),
    ("slash only", msg("/"), 400),
]


@pytest.fixture
def post(servers) -> Callable[..., requests.Response]:  # type: ignore[no-untyped-def]
    def _post(raw: bytes, headers: dict[str, str] | None = None) -> requests.Response:
        return requests.post(
            f"{servers.url}/webhooks/rest/webhook",
            data=raw,
            headers={"Content-Type": "application/json", **rest_headers(), **(headers or {})},
            timeout=120,
        )

    return _post


def assert_nothing_forced(tracker: dict[str, Any]) -> None:
    """No "clear" without the screen; no stage detail outside its valid range.

    ("see_doctor" can be right: text naming red flags is read as reporting one.)
    """
    assert slot(tracker, "screening_outcome") != "clear", "the red-flag screen was skipped"
    size = slot(tracker, "tumor_size_cm")
    assert size in (None, "unknown") or (isinstance(size, (int, float)) and size > 0), size


def get_tracker(servers, sender: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    response = requests.get(
        f"{servers.url}/conversations/{sender}/tracker",
        params={"token": servers.token},
        timeout=60,
    )
    response.raise_for_status()
    return response.json()


@pytest.mark.parametrize("case, raw, status", REST_CASES, ids=[c[0] for c in REST_CASES])
def test_rest_webhook_bad_input(servers, post, case: str, raw: bytes, status: int) -> None:  # type: ignore[no-untyped-def]
    sender = f"bad-{uuid.uuid4().hex[:12]}"
    response = post(raw.replace(b"SENDER", sender.encode()))
    assert response.status_code == status, response.text[:300]
    assert servers.processes["rasa"].poll() is None, "the Rasa server died"
    if status != 200:
        assert response.json()["reason"], "a refusal must say why"
        return
    replies = response.json()
    assert replies and all(r.get("text") or r.get("buttons") for r in replies), replies
    assert "<script>" not in bot_texts(replies)
    tracker = get_tracker(servers, sender)
    # only what the emergency net adds when a classifier reads an emergency (its reason), never
    # an entity the message itself carried
    entities = tracker["latest_message"]["entities"]
    assert [e for e in entities if e.get("extractor") != "EmergencySafetyNet"] == [], "forced"
    assert tracker["latest_input_channel"] == "rest"
    assert_nothing_forced(tracker)


# Forced slot values sent while the form that asks for them is active.
FORM_CASES = [
    ("stage size -5", "what stage is my tumor?", "tumor_size_cm", -5),
    ("stage grade banana", "what stage is my tumor?", "tumor_grade", "banana"),
    ("stage size 10 m", "what stage is my tumor?", "tumor_size_cm", 1000),
    ("screen outcome", "I want to start the back pain program", "screening_outcome", "clear"),
]


@pytest.mark.parametrize("case, opener, name, value", FORM_CASES, ids=[c[0] for c in FORM_CASES])
def test_rest_forced_slot_inside_a_form(servers, post, case, opener, name, value) -> None:  # type: ignore[no-untyped-def]
    sender = f"form-{uuid.uuid4().hex[:12]}"
    assert post(msg(opener, sender=sender)).status_code == 200
    forced = "/inform" + json.dumps({name: value})
    response = post(msg(forced, sender=sender))
    assert response.status_code == 200 and response.json()
    tracker = get_tracker(servers, sender)
    assert tracker["latest_message"]["entities"] == []
    assert slot(tracker, name) != value
    assert_nothing_forced(tracker)


def test_a_120_kb_message_is_refused_without_growing_the_server(servers, post) -> None:  # type: ignore[no-untyped-def]
    def rss_mb() -> float:
        status = Path(f"/proc/{servers.processes['rasa'].pid}/status").read_text()
        return (
            int(next(ln for ln in status.splitlines() if ln.startswith("VmRSS")).split()[1]) / 1024
        )

    before = rss_mb()
    started = time.monotonic()
    for _ in range(5):
        response = post(msg("x" * 120_000, sender="big"))
        assert response.status_code == 413
        assert "bytes" in response.json()["reason"]
    chunked = requests.post(
        f"{servers.url}/webhooks/rest/webhook",
        data=iter([msg("y" * 120_000, sender="big")]),  # Transfer-Encoding: chunked
        headers=rest_headers(),
        timeout=60,
    )
    assert chunked.status_code == 413
    assert time.monotonic() - started < 10
    grown = rss_mb() - before
    print(f"\nRSS of the Rasa server: {before:.0f} MB before, grown by {grown:.1f} MB")
    assert grown < 50
    assert post(msg("hello", sender=f"after-{uuid.uuid4().hex[:8]}")).json()


def test_wrong_method_and_unknown_route(servers) -> None:  # type: ignore[no-untyped-def]
    assert requests.get(f"{servers.url}/webhooks/rest/webhook", timeout=30).status_code == 405
    assert requests.get(f"{servers.url}/webhooks/rest/", timeout=30).json() == {"status": "ok"}
    assert requests.post(f"{servers.url}/no/such/route", timeout=30).status_code == 404


PREDICT_NEXT = "/conversations/SENDER/predict"
# Every route of Rasa's HTTP API with a body (DELETE /model would unload the model: only the
# token check is tried on it).
API_ROUTES = [
    ("get", "/status"),
    ("get", "/domain"),
    ("get", "/conversations/SENDER/tracker"),
    ("get", "/conversations/SENDER/story"),
    ("post", "/conversations/SENDER/tracker/events"),
    ("put", "/conversations/SENDER/tracker/events"),
    ("post", "/conversations/SENDER/execute"),
    ("post", "/conversations/SENDER/trigger_intent"),
    ("post", PREDICT_NEXT),
    ("post", "/conversations/SENDER/messages"),
    ("post", "/model/train"),
    ("post", "/model/test/stories"),
    ("post", "/model/test/intents"),
    ("post", "/model/predict"),
    ("post", "/model/parse"),
    ("put", "/model"),
    ("delete", "/model"),
]
MALFORMED = [
    ("invalid JSON", b"{oops"),
    ("JSON list", js(["hello"])),
    ("invalid UTF-8", b"\xff\xfe\x00"),
    ("JSON string", js("hello")),
]


@pytest.mark.parametrize("method, path", API_ROUTES, ids=[f"{m} {p}" for m, p in API_ROUTES])
def test_http_api_refuses_every_route_without_the_token(servers, method: str, path: str) -> None:  # type: ignore[no-untyped-def]
    url = servers.url + path.replace("SENDER", "someone")
    for params in ({}, {"token": "wrong"}):
        response = requests.request(method, url, data=b"{oops", params=params, timeout=30)
        assert response.status_code == 401, (params, response.text[:200])


# Routes that read a JSON body (POST /conversations/<id>/predict reads none).
BODY_ROUTES = [
    r
    for r in API_ROUTES
    if r[0] in ("post", "put") and "/model/t" not in r[1] and r != ("post", PREDICT_NEXT)
]


@pytest.mark.parametrize("method, path", BODY_ROUTES, ids=[f"{m} {p}" for m, p in BODY_ROUTES])
@pytest.mark.parametrize("kind, raw", MALFORMED, ids=[m[0] for m in MALFORMED])
def test_http_api_answers_malformed_bodies_with_a_400(  # type: ignore[no-untyped-def]
    servers, method: str, path: str, kind: str, raw: bytes
) -> None:
    sender = f"api-{uuid.uuid4().hex[:8]}"
    if "SENDER" in path:  # an existing conversation: an unknown one is a 404 before the body
        created = requests.post(
            f"{servers.url}/conversations/{sender}/messages",
            json={"text": "hello", "sender": "user"},
            params={"token": servers.token},
            timeout=60,
        )
        assert created.status_code == 200, created.text[:300]
    response = requests.request(
        method, servers.url + path.replace("SENDER", sender), data=raw,
        params={"token": servers.token}, headers={"Content-Type": "application/json"}, timeout=60,
    )  # fmt: skip
    assert response.status_code == 400, response.text[:300]


def test_http_api_bounds_text_for_nlu(servers) -> None:  # type: ignore[no-untyped-def]
    for path, body in (
        ("/model/parse", {"text": "a" * 5000}),
        ("/conversations/api-long/messages", {"text": "a" * 5000, "sender": "user"}),
        ("/model/parse", {"text": "a" * 100_000}),
    ):
        response = requests.post(
            servers.url + path, json=body, params={"token": servers.token}, timeout=60
        )
        assert response.status_code == 413, (path, response.text[:200])


def test_the_nlu_and_webhook_cap_holds_with_or_without_content_length(servers) -> None:  # type: ignore[no-untyped-def]
    """Over MAX_BODY_BYTES on /model/parse: refused by the declared length (unread) and, sent
    chunked, once read; another API route still takes it (its cap is MAX_API_BODY_BYTES)."""
    big = js({"text": "a" * (MAX_BODY_BYTES + 100)})
    for data in (big, iter([big])):  # Content-Length, then Transfer-Encoding: chunked
        response = requests.post(
            f"{servers.url}/model/parse", data=data, params={"token": servers.token}, timeout=60
        )
        assert response.status_code == 413, response.text[:200]
        assert f"at most {MAX_BODY_BYTES} bytes" in response.json()["reason"]
    sender = f"api-{uuid.uuid4().hex[:8]}"
    appended = requests.post(
        f"{servers.url}/conversations/{sender}/tracker/events",
        json=[{"event": "bot", "text": "a" * (MAX_BODY_BYTES + 100)}],
        params={"token": servers.token},
        timeout=60,
    )
    assert appended.status_code == 200, appended.text[:200]


SOCKET_CASES = [
    ("hello", "hello", "reply"),
    ("control characters", "hel\x00lo\x07", "reply"),
    ("HTML/script", "<script>alert(1)</script>", "reply"),
    ("2,000 characters", "a" * 2000, "refused"),
    ("10,000 emoji", EMOJI * 10_000, "dropped"),
    ("100 KB", "a" * 100_000, "dropped"),
    ("empty", "", "ignored"),
    ("forced stage slot", '/ask_my_stage{"tumor_size_cm": -5}', "reply"),
]


@pytest.mark.parametrize("case, text, outcome", SOCKET_CASES, ids=[c[0] for c in SOCKET_CASES])
def test_socketio_bad_input(servers, case: str, text: str, outcome: str) -> None:  # type: ignore[no-untyped-def]
    with Widget(servers.url) as sock:
        session = sock.session()
        if outcome in ("reply", "refused"):
            said = bubbles(sock.turn({"message": text}))
            if outcome == "reply":
                assert said and "<script>" not in bot_texts(said)
            else:
                assert len(said) == 1 and "too long" in bot_texts(said)
        elif outcome == "ignored":
            sock.say({"message": text})
            # The same connection's next message: once it is answered, the ignored one (sent
            # before it) would have been answered too.
            assert "too long" not in bot_texts(bubbles(sock.turn({"message": "hello"})))
        else:  # engine.io refuses the oversized packet and closes the connection
            sock.say({"message": text})
            deadline = time.monotonic() + 30
            while sock.client.connected:
                assert time.monotonic() < deadline, "the connection is still open after 30 s"
                time.sleep(0.1)
    if outcome != "ignored":  # the session goes on from a new connection
        with Widget(servers.url) as again:
            assert again.session(session) == session
            assert bubbles(again.turn({"message": "hello"}))
    tracker = get_tracker(servers, session)
    users = [e.get("text") for e in tracker["events"] if e.get("event") == "user"]
    stored = 1 if outcome == "reply" else 0  # the bad message, then "hello"
    assert len(users) == stored + 1 and users[-1] == "hello", len(users)
    assert_nothing_forced(tracker)


@pytest.mark.parametrize("case, opener, name, value", FORM_CASES, ids=[c[0] for c in FORM_CASES])
def test_socketio_forced_slot_inside_a_form(servers, case, opener, name, value) -> None:  # type: ignore[no-untyped-def]
    with Widget(servers.url) as sock:
        session = sock.session()
        assert bubbles(sock.turn({"message": opener}))
        sock.turn({"message": "/inform" + json.dumps({name: value})})
    tracker = get_tracker(servers, session)
    assert slot(tracker, name) != value
    assert_nothing_forced(tracker)
