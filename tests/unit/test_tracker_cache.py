"""The per-replica tracker cache of PrivacySQLTrackerStore (ops/tracker_cache.py), on real
SQLite files: every retrieve returns what a store without the cache returns, when this replica
writes, when another replica writes the same conversation, after "forget me", a purge, a
rewrite reusing row ids and a new session; callers cannot change the cached tracker."""
from __future__ import annotations

import datetime
import json
import time
from pathlib import Path

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity

from member_health_rasa.ops.tracker_cache import stored_in_session
from member_health_rasa.ops.tracker_store import PrivacySQLTrackerStore

DOMAIN = Domain.from_yaml(
    """
version: "3.1"
intents: [greet, inform]
slots:
  topic:
    type: text
    mappings: [{type: custom}]
responses:
  utter_greet: [{text: "hello"}]
"""
)


def store(path: Path, monkeypatch: pytest.MonkeyPatch, cached: bool) -> PrivacySQLTrackerStore:
    """A store on the SQLite file ``path``, with or without the cache."""
    monkeypatch.setenv("TRACKER_CACHE_EVENTS", "20000" if cached else "0")
    return PrivacySQLTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(path))


def turn(number: int) -> list[Event]:
    """One member turn: message, a slot, the reply and the listen."""
    return [
        UserUttered(f"message {number}", {"name": "inform", "confidence": 1.0}),
        SlotSet("topic", f"t{number}"),
        ActionExecuted("utter_greet"),
        BotUttered("hello"),
        ActionExecuted("action_listen"),
    ]


def state(tracker: DialogueStateTracker | None) -> object:
    """Everything a tracker holds, comparable."""
    return None if tracker is None else tracker.current_state(EventVerbosity.ALL)


def assert_saves_like_rasa(replica: PrivacySQLTrackerStore, tracker: DialogueStateTracker) -> None:
    """The events the store's save writes are the ones Rasa's ``_additional_events`` picks."""
    with replica.session_scope() as session:
        ours = list(replica._additional_events(session, tracker))
        rasa = list(SQLTrackerStore._additional_events(replica, session, tracker))
    assert ours == rasa and all(a is b for a, b in zip(ours, rasa, strict=True))


async def add_turns(replica: PrivacySQLTrackerStore, sender: str, first: int, count: int) -> None:
    """``count`` turns written through ``replica`` as the processor does: retrieve, add, save."""
    for number in range(first, first + count):
        tracker = await replica.retrieve(sender)
        if tracker is None:
            tracker = await replica.create_tracker(sender)
        for event in turn(number):
            tracker.update(event)
        assert_saves_like_rasa(replica, tracker)
        await replica.save(tracker)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "tracker.db"


async def assert_same(
    cached: PrivacySQLTrackerStore, plain: PrivacySQLTrackerStore, sender: str
) -> DialogueStateTracker | None:
    got, expected = await cached.retrieve(sender), await plain.retrieve(sender)
    assert state(got) == state(expected)
    return got


async def test_turns_by_this_and_another_replica(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    one, two = store(db, monkeypatch, True), store(db, monkeypatch, True)
    plain = store(db, monkeypatch, False)
    for block in range(6):
        await add_turns(one if block % 2 else two, "m1", block * 3, 3)
        await assert_same(one, plain, "m1")
        await assert_same(two, plain, "m1")
    assert one.cache.get("m1") is not None and two.cache.get("m1") is not None
    tracker = await one.retrieve("m1")
    assert tracker is not None and tracker.get_slot("topic") == "t17"
    assert len(tracker.events) == 1 + 18 * 5


async def test_forget_me_on_another_replica_and_a_rewrite(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    one, two = store(db, monkeypatch, True), store(db, monkeypatch, True)
    plain = store(db, monkeypatch, False)
    await add_turns(one, "m1", 0, 4)
    await assert_same(one, plain, "m1")
    assert await two.delete("m1") > 0
    assert await assert_same(one, plain, "m1") is None
    # the same number of rows again (SQLite may reuse the row ids): still detected
    await add_turns(two, "m1", 100, 4)
    got = await assert_same(one, plain, "m1")
    assert got is not None and got.get_slot("topic") == "t103"


async def test_purge_is_detected(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from member_health_rasa.ops.stores import SqlStore, purge_older_than

    one, plain = store(db, monkeypatch, True), store(db, monkeypatch, False)
    await add_turns(one, "m1", 0, 2)
    await assert_same(one, plain, "m1")
    url = one.engine.url
    counts = purge_older_than(SqlStore(url), days=0, now=time.time() + 10, reports=db.parent)
    assert counts["conversations"] == 1
    assert await assert_same(one, plain, "m1") is None


async def test_a_new_session_is_read_like_rasa_reads_it(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    one, plain = store(db, monkeypatch, True), store(db, monkeypatch, False)
    await add_turns(one, "m1", 0, 2)
    await assert_same(one, plain, "m1")
    tracker = await one.retrieve("m1")
    assert tracker is not None
    tracker.update(ActionExecuted("action_session_start"))
    tracker.update(SessionStarted())
    tracker.update(SlotSet("topic", "carried"))
    tracker.update(ActionExecuted("action_listen"))
    assert_saves_like_rasa(one, tracker)
    await one.save(tracker)
    await add_turns(one, "m1", 10, 1)
    got = await assert_same(one, plain, "m1")
    assert got is not None and len(got.events) == 3 + 5  # from session_started on


async def test_callers_cannot_change_the_cached_tracker(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    one, plain = store(db, monkeypatch, True), store(db, monkeypatch, False)
    await add_turns(one, "m1", 0, 2)
    tracker = await one.retrieve("m1")
    assert tracker is not None
    for event in turn(50):  # processed, never saved (an error mid-turn)
        tracker.update(event)
    await assert_same(one, plain, "m1")


async def test_the_cap_evicts_the_least_recently_used(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRACKER_CACHE_EVENTS", "30")
    one = PrivacySQLTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(db))
    plain = store(db, monkeypatch, False)
    for sender in ("a", "b", "c"):
        await add_turns(one, sender, 0, 2)  # 11 events each
        await assert_same(one, plain, sender)
    assert list(one.cache.entries) == ["b", "c"] and one.cache.events == 22
    await add_turns(one, "b", 2, 2)  # b grows to 21 events: c goes
    await assert_same(one, plain, "b")
    assert list(one.cache.entries) == ["b"] and one.cache.events <= 30
    await add_turns(one, "b", 4, 2)  # 31 events: too big to keep
    await assert_same(one, plain, "b")
    assert one.cache.events <= 30


async def test_a_stale_entry_leaves_the_count_to_rasa(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another replica wrote after this one read: the entry no longer matches, Rasa counts."""
    one, two = store(db, monkeypatch, True), store(db, monkeypatch, True)
    await add_turns(one, "m1", 0, 2)
    tracker = await one.retrieve("m1")
    assert tracker is not None
    with one.session_scope() as session:  # fresh: the entry's count, no session subquery
        entry = one.cache.get("m1")
        assert entry is not None
        assert stored_in_session(session, one.SQLEvent, entry, "m1") == len(tracker.events)
    await add_turns(two, "m1", 2, 1)  # without the shared lock, as a test can
    for event in turn(9):
        tracker.update(event)
    assert_saves_like_rasa(one, tracker)
    with one.session_scope() as session:
        entry = one.cache.get("m1")
        assert entry is not None
        assert stored_in_session(session, one.SQLEvent, entry, "m1") is None


async def test_save_stores_the_rows_rasas_save_stores(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Our multi-row insert and Rasa's ORM save write the same rows, turn after turn."""
    ours = store(tmp_path / "ours.db", monkeypatch, True)
    rasa = SQLTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(tmp_path / "rasa.db"))
    turns = [[ActionExecuted("action_listen")], *(turn(number) for number in range(3))]
    for replica in (ours, rasa):
        tracker = DialogueStateTracker("m1", DOMAIN.slots)
        for events in turns:
            for event in events:
                tracker.update(event)
            await replica.save(tracker)

    def rows(replica: SQLTrackerStore) -> list[tuple[object, ...]]:
        table = replica.SQLEvent
        columns = ("sender_id", "type_name", "timestamp", "intent_name", "action_name", "data")
        with replica.session_scope() as session:
            found = session.query(*(getattr(table, c) for c in columns)).order_by(table.id)
            return [tuple(row) for row in found]

    stored = rows(ours)
    assert len(stored) == 1 + 3 * 5
    assert stored == rows(rasa)


async def test_a_retrieved_tracker_continues_the_caches_fold(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The tracker handed out starts with the applied events of every stored event folded
    (no walk over the session), and they are Rasa's."""
    one = store(db, monkeypatch, True)
    await add_turns(one, "m1", 0, 5)
    tracker = await one.retrieve("m1")
    assert tracker is not None
    folded = getattr(tracker, "_folded", None)
    assert folded is not None and folded[0] == len(tracker.events)
    assert tracker.applied_events() == DialogueStateTracker.applied_events(tracker)


def test_decode_reads_every_event_type_as_rasa_does() -> None:
    from types import SimpleNamespace

    from rasa.shared.core import events as ev

    from member_health_rasa.ops.tracker_cache import decode

    samples = [
        UserUttered("hi", {"name": "greet", "confidence": 0.9}, [{"entity": "x", "value": 1}]),
        BotUttered("hello", {"buttons": [{"title": "Yes", "payload": "/affirm"}]}),
        SlotSet("topic", "t"),
        ActionExecuted("utter_greet", policy="RulePolicy", confidence=1.0),
        SessionStarted(),
        ev.ActiveLoop("stage_form"),
        ev.LoopInterrupted(True),
        ev.Restarted(),
        ev.FollowupAction("action_listen"),
        ev.ReminderScheduled("greet", datetime.datetime(2026, 12, 1), name="r"),
        ev.ReminderCancelled(name="r"),
        ev.ActionReverted(),
        ev.UserUtteranceReverted(),
        ev.AllSlotsReset(),
        ev.ConversationPaused(),
        ev.ConversationResumed(),
        ev.AgentUttered("hi"),
        ev.EntitiesAdded([{"entity": "x", "value": 1}]),
        ev.DefinePrevUserUtteredFeaturization(True),
        ev.ActionExecutionRejected("action_x"),
        ev.StoryExported(),
    ]
    dicts = [event.as_dict() for event in samples] + [{"event": "topic"}, {"no": "event"}]
    rows = [SimpleNamespace(data=json.dumps(d)) for d in dicts]
    expected = [ev.Event.from_parameters(d) for d in dicts if "event" in d]
    assert decode(rows) == [event for event in expected if event]
    assert [type(event) for event in decode(rows)] == [type(event) for event in samples]
    with pytest.raises(ValueError, match="Unknown event name"):  # as Rasa's own decoding
        decode([SimpleNamespace(data=json.dumps({"event": "no_such_event"}))])
