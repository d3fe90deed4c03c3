"""member_health_rasa/tools/report.py on a tracker store filled by Rasa's own SQLTrackerStore with
real events.

The conversations below are saved exactly the way a running Rasa server saves them, so the
report reads the same rows (type_name, intent_name, action_name, data JSON) as in production.
"""
from __future__ import annotations

import asyncio
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.slots import TextSlot
from rasa.shared.core.trackers import DialogueStateTracker

from member_health_rasa.tools import report

SINCE, UNTIL = date(2024, 3, 4), date(2024, 3, 6)
WEATHER = "What's the weather tomorrow?"
CHEST_PAIN = "crushing chest pain cant breathe"


def at(day: int, hour: int, minute: int = 0) -> float:
    """Epoch seconds for 2024-03-<day> hour:minute UTC."""
    return datetime(2024, 3, day, hour, minute, tzinfo=timezone.utc).timestamp()


def user(text: str, intent: str, timestamp: float) -> UserUttered:
    """A member message as the processor stores it (retrieval intents carry their topic)."""
    parse_data: dict = {"intent": {"name": intent, "confidence": 0.93}}
    if "/" in intent:
        parent = intent.split("/")[0]
        parse_data = {
            "intent": {"name": parent, "confidence": 0.93, "full_retrieval_intent_name": intent},
            "response_selector": {parent: {"response": {"intent_response_key": intent}}},
        }
    return UserUttered(text, parse_data["intent"], parse_data=parse_data, timestamp=timestamp)


def turn(text: str, intent: str, timestamp: float, *actions: str, extra: tuple = ()) -> list:
    """A member message, the actions that answered it (with their bubbles), then listen."""
    events: list[Event] = [user(text, intent, timestamp)]
    for action in actions:
        events.append(ActionExecuted(action, timestamp=timestamp + 1))
        if action.startswith("utter_") or action.startswith("action_"):
            events.append(BotUttered(f"reply of {action}", timestamp=timestamp + 1))
    events.extend(extra)
    events.append(ActionExecuted("action_listen", timestamp=timestamp + 2))
    return events


def session(timestamp: float, carried_outcome: str | None = None) -> list:
    """The events Rasa writes when a session starts."""
    events: list[Event] = [
        ActionExecuted("action_session_start", timestamp=timestamp),
        SessionStarted(timestamp=timestamp),
    ]
    if carried_outcome:
        events.append(SlotSet("screening_outcome", carried_outcome, timestamp=timestamp))
    events.append(ActionExecuted("action_listen", timestamp=timestamp))
    return events


def outcome(value: str, timestamp: float) -> tuple:
    """The screen form finishing with ``screening_outcome``."""
    return (SlotSet("screening_outcome", value, timestamp=timestamp + 1),)


CONVERSATIONS = {
    "alice": session(at(4, 9))
    + turn("hi", "greet", at(4, 9), "utter_welcome")
    + turn("what is osteosarcoma", "faq/osteosarcoma", at(4, 9, 1), "utter_faq")
    + turn(WEATHER, "nlu_fallback", at(4, 9, 2), "action_default_fallback")
    + turn("can I talk to a nurse", "human_handoff", at(4, 9, 3), "action_handoff"),
    "bob": session(at(5, 10))
    + turn("start the back pain program", "start_back_pain_program", at(5, 10), "screen_form")
    + turn("no", "deny", at(5, 10, 1), "screen_form", extra=outcome("see_doctor", at(5, 10, 1)))
    + turn(
        "what's the weather  tomorrow?", "nlu_fallback", at(5, 10, 2), "action_default_fallback"
    ),
    "carol": session(at(5, 11))
    + turn(CHEST_PAIN, "emergency", at(5, 11), "action_emergency_escalation")
    + turn("help me", "nlu_fallback", at(5, 11, 1), "action_emergency_escalation"),
    "dave": session(at(5, 12))
    + turn("no", "deny", at(5, 12), "screen_form", extra=outcome("clear", at(5, 12)))
    + session(at(5, 14), carried_outcome="clear")
    + turn("what is chordoma", "faq/chordoma", at(5, 14), "utter_faq"),
    "erin": session(at(1, 9))  # before the range
    + turn("an old question nobody answered", "nlu_fallback", at(1, 9), "action_default_fallback"),
    "frank": session(at(6, 23, 30))  # last minutes of the last day
    + turn("what is osteosarcoma?", "faq/osteosarcoma", at(6, 23, 30), "utter_faq"),
    "gina": session(at(7, 0, 5))  # the day after the range
    + turn("hello", "greet", at(7, 0, 5), "utter_welcome"),
}


@pytest.fixture(scope="module")
def db_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite tracker store holding CONVERSATIONS, written by Rasa's SQLTrackerStore."""
    path = tmp_path_factory.mktemp("tracker") / "rasa.db"
    store = SQLTrackerStore(dialect="sqlite", db=str(path))
    slots = [TextSlot("screening_outcome", mappings=[])]
    for sender_id, events in CONVERSATIONS.items():
        tracker = DialogueStateTracker.from_events(sender_id, events, slots=slots)
        asyncio.run(store.save(tracker))
    store.engine.dispose()
    return f"sqlite:///{path}"


@pytest.fixture(scope="module")
def built(db_url: str) -> report.ContentReport:
    """The report over the three days."""
    return report.build_report(report.read_events(db_url, SINCE, UNTIL), SINCE, UNTIL)


@pytest.mark.parametrize(
    ("measure", "expected"),
    [
        ("conversations", 5),  # alice, bob, carol, dave, frank (erin and gina are outside)
        ("member_messages", 12),
        ("fallbacks", 3),  # two weather messages and carol's "help me"
        ("emergency_escalations", 2),
        ("emergency_conversations", 1),
        ("handoffs", 1),
    ],
)
def test_counts_match_the_conversations(
    built: report.ContentReport, measure: str, expected: int
) -> None:
    assert getattr(built, measure) == expected


def test_fallback_rate_is_the_share_of_member_messages(built: report.ContentReport) -> None:
    assert built.fallback_rate == pytest.approx(3 / 12)


def test_faq_topics_are_counted_by_topic(built: report.ContentReport) -> None:
    assert built.intents["faq/osteosarcoma"] == 2
    assert built.intents["faq/chordoma"] == 1
    assert "faq" not in built.intents
    assert built.intents.most_common(2) == [("nlu_fallback", 3), ("faq/osteosarcoma", 2)]


def test_fallback_messages_are_grouped_and_emergency_text_is_never_listed(
    built: report.ContentReport,
) -> None:
    assert built.fallback_messages == {"what's the weather tomorrow?": 2}


def test_screen_outcomes_ignore_slots_carried_into_a_new_session(
    built: report.ContentReport,
) -> None:
    assert built.screen_outcomes == {"see_doctor": 1, "clear": 1}


@pytest.mark.parametrize(
    ("since", "until", "conversations"),
    [
        (date(2024, 3, 1), date(2024, 3, 1), 1),  # erin only
        (date(2024, 3, 6), date(2024, 3, 6), 1),  # frank, at 23:30 on the last day
        (date(2024, 3, 1), date(2024, 3, 7), 7),
        (date(2024, 3, 8), date(2024, 3, 9), 0),
    ],
)
def test_date_range_is_inclusive_in_utc(
    db_url: str, since: date, until: date, conversations: int
) -> None:
    built = report.build_report(report.read_events(db_url, since, until), since, until)
    assert built.conversations == conversations


def test_cli_writes_markdown_and_png(db_url: str, tmp_path: Path) -> None:
    args = ["--db", db_url, "--since", "2024-03-04", "--until", "2024-03-06", "--out"]
    assert report.main([*args, str(tmp_path), "--include-text"]) == 0

    markdown = (tmp_path / "content-report_2024-03-04_2024-03-06.md").read_text()
    chart = tmp_path / "content-report_2024-03-04_2024-03-06.png"
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    for line in [
        "| conversations | 5 |",
        "| member messages | 12 |",
        "| fallback rate | 25.0% (3 messages) |",
        "| emergency escalations | 2 (in 1 conversations) |",
        "| handoffs to a person | 1 |",
        "| faq/osteosarcoma | 2 | 16.7% |",
        "| what's the weather tomorrow? | 2 |",
        "| clear | 1 |",
        "| see_doctor | 1 |",
        f"![messages per day and top intents]({chart.name})",
    ]:
        assert line in markdown
    assert CHEST_PAIN not in markdown
    assert "help me" not in markdown
    assert "old question" not in markdown


def test_cli_reports_an_unreadable_store_without_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    broken = tmp_path / "rasa.db"
    broken.write_text("not a database")
    assert report.main(["--db", f"sqlite:///{broken}", "--out", str(tmp_path / "out")]) == 1
    assert capsys.readouterr().err == "cannot read the tracker store: DatabaseError\n"
    assert not (tmp_path / "out").exists()


def test_a_fresh_checkout_gets_a_clean_message_and_no_file(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    tracker = tmp_path / "tracker.db"
    assert report.main(["--db", f"sqlite:///{tracker}", "--out", str(tmp_path / "out")]) == 0
    assert "no conversations to report" in capsys.readouterr().out
    assert not tracker.exists() and not (tmp_path / "out").exists()


def test_a_range_without_conversations_writes_nothing(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    args = ["--db", db_url, "--since", "2024-03-08", "--until", "2024-03-09"]
    assert report.main([*args, "--out", str(tmp_path / "out")]) == 0
    assert capsys.readouterr().out.startswith("no conversations to report between 2024-03-08")
    assert not (tmp_path / "out").exists()


def selector_default(text: str, topic: str, confidence: float, timestamp: float) -> list:
    """An FAQ turn whose topic Rasa stored under the ``default`` selector key."""
    parse_data = {
        "intent": {"name": "faq", "confidence": 0.99},
        "response_selector": {
            "default": {"response": {"intent_response_key": topic, "confidence": confidence}}
        },
    }
    said = UserUttered(text, parse_data["intent"], parse_data=parse_data, timestamp=timestamp)
    return [said, ActionExecuted("utter_faq", timestamp=timestamp), ActionExecuted("action_listen")]


GAPS = {
    "hank": session(at(4, 9))
    + turn("can you help with my diabetes diet", "out_of_scope", at(4, 9), "utter_out_of_scope")
    + selector_default("what is chordoma", "faq/chordoma", 0.95, at(4, 9, 1))
    + selector_default("bone thing hurts what is it", "faq/symptoms", 0.31, at(4, 9, 2)),
    "ivy": session(at(4, 10))
    + turn("my insurance copay?", "out_of_scope", at(4, 10), "utter_out_of_scope")
    + turn(
        "can you help with my diabetes diet", "out_of_scope", at(4, 10, 1), "utter_out_of_scope"
    ),
    "test-load-1": session(at(4, 11))
    + turn("load test message", "out_of_scope", at(4, 11), "utter_out_of_scope"),
}


@pytest.fixture(scope="module")
def gaps_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Out-of-scope, low-confidence and test-sender conversations in Rasa's SQL store."""
    path = tmp_path_factory.mktemp("gaps") / "rasa.db"
    store = SQLTrackerStore(dialect="sqlite", db=str(path))
    for sender_id, events in GAPS.items():
        asyncio.run(store.save(DialogueStateTracker.from_events(sender_id, events)))
    store.engine.dispose()
    return f"sqlite:///{path}"


def test_topics_stored_under_the_default_selector_key_count_as_topics(gaps_url: str) -> None:
    built = report.build_report(report.read_events(gaps_url, SINCE, UNTIL), SINCE, UNTIL)
    assert built.intents["faq/chordoma"] == 1 and built.intents["faq/symptoms"] == 1
    assert "faq" not in built.intents


def test_out_of_scope_and_low_confidence_messages_are_listed(gaps_url: str, tmp_path: Path) -> None:
    events = report.read_events(gaps_url, SINCE, UNTIL)
    built = report.build_report(events, SINCE, UNTIL, exclude=["test-"])
    assert built.out_of_scope.counts == {
        "can you help with my diabetes diet": 2,
        "my insurance copay?": 1,
    }
    assert built.low_confidence.counts == {"bone thing hurts what is it": 1}
    assert built.conversations == 2  # test-load-1 left out
    quoted = report.render_markdown(built, include_text=True, top=1)
    assert "| can you help with my diabetes diet | 2 |" in quoted
    assert "my insurance copay?" not in quoted and "| (1 more; --top shows more) | |" in quoted
    assert "| bone thing hurts what is it | 1 |" in quoted
    redacted = report.render_markdown(built, top=1)
    assert "diabetes" not in redacted and "bone thing" not in redacted
    assert "| (redacted #1, 34 characters) | 2 |" in redacted


def test_cli_excludes_test_senders_by_prefix_or_list(gaps_url: str, tmp_path: Path) -> None:
    args = ["--db", gaps_url, "--since", "2024-03-04", "--until", "2024-03-06", "--out"]
    assert report.main([*args, str(tmp_path), "--exclude-sender", "test-,ivy"]) == 0
    markdown = (tmp_path / "content-report_2024-03-04_2024-03-06.md").read_text()
    assert "| conversations | 1 |" in markdown


def test_cli_redacts_member_text_by_default(db_url: str, tmp_path: Path) -> None:
    args = ["--db", db_url, "--since", "2024-03-04", "--until", "2024-03-06", "--out"]
    assert report.main([*args, str(tmp_path)]) == 0

    markdown = (tmp_path / "content-report_2024-03-04_2024-03-06.md").read_text()
    assert "| (redacted #1, 28 characters) | 2 |" in markdown
    assert "weather" not in markdown and CHEST_PAIN not in markdown
    assert "| fallback rate | 25.0% (3 messages) |" in markdown
