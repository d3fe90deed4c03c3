"""action_emergency_escalation and the emergency responses it relies on."""
from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.emergency import ActionEmergencyEscalation, escalation_record, notify_webhook
from member_health.settings import plan
from member_health_rasa.project import merged_domain
from member_health_rasa.tools.safety_report import shows_988

TEXT = "my husband won't wake up and I can't breathe"
INSTRUCTION = "call 911 or go to the nearest hospital"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No webhook unless a test sets one; a fresh plan() for each test."""
    for name in ("EMERGENCY_WEBHOOK_URL", "EMERGENCY_WEBHOOK_TOKEN", "EMERGENCY_WEBHOOK_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    plan.cache_clear()
    yield
    plan.cache_clear()


def emergency_tracker(form: str | None = None, still_active: bool = False) -> Tracker:
    """A tracker right after utter_emergency; ``form`` was active when the message came."""
    entity = {
        "entity": "emergency_type",
        "value": "medical",
        "start": 16,
        "end": 28,
        "extractor": "EmergencySafetyNet",
        "reason": "fainting_unresponsive",
    }
    latest = {
        "text": TEXT,
        "intent": {"name": "emergency", "confidence": 1.0},
        "entities": [entity],
    }
    events: list[dict[str, Any]] = [{"event": "action", "name": "action_listen"}]
    if form:
        events += [{"event": "active_loop", "name": form}]
    events += [
        {"event": "user", "text": TEXT, "parse_data": latest, "input_channel": "rest"},
        {"event": "slot", "name": "emergency_type", "value": "medical"},
        {"event": "bot", "text": "Please call 911 ..."},
        {"event": "action", "name": "utter_emergency"},
    ]
    if form and not still_active:
        events += [
            {"event": "action", "name": "action_deactivate_loop"},
            {"event": "active_loop", "name": None},
        ]
    active_loop = {"name": form} if form and still_active else {}
    slots = {"emergency_type": "medical", "emergency_escalated": False}
    return Tracker("member-42", slots, latest, events, False, None, active_loop, "utter_emergency")


async def run_action(tracker: Tracker) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = await ActionEmergencyEscalation().run(dispatcher, tracker, {})
    return events, dispatcher.messages


async def test_records_sets_slot_and_offers_to_continue(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="actions.emergency")
    events, messages = await run_action(emergency_tracker(form="back_pain_screen_form"))
    assert events == [
        {"event": "slot", "timestamp": None, "name": "emergency_escalated", "value": True}
    ]
    assert [m["response"] for m in messages] == ["utter_emergency_followup"]
    assert messages[0]["nurse_line"] == plan().nurse_line
    [record] = [r for r in caplog.records if hasattr(r, "emergency_escalation")]
    data = record.emergency_escalation  # type: ignore[attr-defined]
    assert record.levelno == logging.WARNING
    assert data["category"] == "medical"
    assert data["reason"] == "fainting_unresponsive"
    assert data["interrupted_form"] == "back_pain_screen_form"
    assert data["conversation"] != "member-42" and len(data["conversation"]) == 16
    assert json.loads(record.getMessage().split(" ", 1)[1]) == data


async def test_log_never_contains_the_message_text(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    await run_action(emergency_tracker(form="stage_form"))
    logged = caplog.text + json.dumps(
        [getattr(r, "emergency_escalation", None) for r in caplog.records]
    )
    assert "emergency_escalation" in caplog.text
    for fragment in ("husband", "wake up", "breathe", "member-42"):
        assert fragment not in logged


async def test_ends_a_form_that_is_still_active() -> None:
    events, _ = await run_action(emergency_tracker(form="stage_form", still_active=True))
    names = [(e["event"], e.get("name")) for e in events]
    assert ("active_loop", None) in names and ("slot", "requested_slot") in names


def test_record_without_safety_net_entity_is_unspecified() -> None:
    latest = {"text": "help", "intent": {"name": "emergency", "confidence": 0.91}, "entities": []}
    tracker = Tracker("x", {}, latest, [], False, None, {}, "utter_emergency")
    record = escalation_record(tracker)
    assert record["category"] == "unspecified" and record["reason"] == "classifier"
    assert record["intent_confidence"] == 0.91 and record["interrupted_form"] is None


# -- webhook: a real HTTP server on loopback -------------------------------------------------
class _Receiver(BaseHTTPRequestHandler):
    status = 200
    received: list[tuple[dict[str, Any], str | None]] = []

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append((json.loads(body), self.headers.get("Authorization")))
        self.send_response(type(self).status)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        """Keep the test output quiet."""


@pytest.fixture
def receiver() -> Iterator[tuple[str, type[_Receiver]]]:
    handler = type("Receiver", (_Receiver,), {"received": [], "status": 200})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/escalations", handler
    server.shutdown()
    server.server_close()


async def test_webhook_receives_the_record_without_text(
    monkeypatch: pytest.MonkeyPatch, receiver: tuple[str, type[_Receiver]]
) -> None:
    url, handler = receiver
    monkeypatch.setenv("EMERGENCY_WEBHOOK_URL", url)
    monkeypatch.setenv("EMERGENCY_WEBHOOK_TOKEN", "s3cret")
    await run_action(emergency_tracker())
    [(body, auth)] = handler.received
    assert body["event"] == "emergency_escalation" and body["category"] == "medical"
    assert auth == "Bearer s3cret"
    assert "husband" not in json.dumps(body)


async def test_webhook_error_status_is_logged_not_raised(
    monkeypatch: pytest.MonkeyPatch,
    receiver: tuple[str, type[_Receiver]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    url, handler = receiver
    handler.status = 500
    monkeypatch.setenv("EMERGENCY_WEBHOOK_URL", url)
    events, messages = await run_action(emergency_tracker())
    assert "HTTP 500" in caplog.text
    assert messages and events  # the member still gets the follow-up


async def test_unreachable_webhook_is_logged_not_raised(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("EMERGENCY_WEBHOOK_URL", "http://127.0.0.1:9/nowhere")
    monkeypatch.setenv("EMERGENCY_WEBHOOK_TIMEOUT", "0.5")
    assert await notify_webhook({"event": "emergency_escalation"}) is False
    assert "Emergency webhook failed" in caplog.text
    assert "127.0.0.1:9" not in caplog.text  # the URL (it may hold a secret) is not logged


async def test_no_webhook_configured_means_no_call() -> None:
    assert await notify_webhook({"event": "emergency_escalation"}) is False


async def test_broken_plan_settings_still_record_the_escalation(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PLAN_NURSE_LINE", "")
    events, messages = await run_action(emergency_tracker())
    assert messages == [] and events[0]["name"] == "emergency_escalated"


# -- the responses (rendered by the Rasa server's response generator) ------------------------
@pytest.fixture(scope="module")
def nlg() -> TemplatedNaturalLanguageGenerator:
    return TemplatedNaturalLanguageGenerator(merged_domain().responses)


@pytest.mark.parametrize(
    "category, has_988",
    [
        ("medical", True),  # self-harm read as medical (pills, cuts) still gets 988
        ("labor", False),
        ("harm_others", True),
        ("self_harm", True),
        ("unspecified", True),
        (None, True),  # slot never set: the default variation
    ],
)
def test_emergency_response_puts_911_in_the_first_bubble(
    nlg: TemplatedNaturalLanguageGenerator, category: str | None, has_988: bool
) -> None:
    rendered = nlg.generate_from_slots("utter_emergency", {"emergency_type": category}, "rest")
    assert rendered is not None
    bubbles = [b.strip() for b in rendered["text"].split("\n\n") if b.strip()]
    assert INSTRUCTION in bubbles[0]
    assert all(len(b) < 450 for b in bubbles)
    assert ("988" in rendered["text"]) is has_988
    assert shows_988(category) is has_988  # what make safety-report counts
    if has_988:
        assert "call or text 988" in rendered["text"]
        assert "Suicide & Crisis Lifeline" in rendered["text"]


async def test_followup_renders_with_the_plan_contacts(
    nlg: TemplatedNaturalLanguageGenerator,
) -> None:
    _, [message] = await run_action(emergency_tracker())
    kwargs = dict(message)
    rendered = nlg.generate_from_slots(kwargs.pop("response"), {}, "rest", **kwargs)
    assert rendered is not None
    assert plan().nurse_line in rendered["text"] and "{" not in rendered["text"]
    assert "911" not in rendered["text"]
