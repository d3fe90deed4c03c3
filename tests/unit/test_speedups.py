"""ops.speedups: the same results as Rasa's code, faster (figures: make bench)."""
from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    Event,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.utils.common import all_subclasses

from member_health_rasa.ops import speedups

ORIGINAL_VALIDATE = RemoteAction._validate_action_result
ORIGINAL_RESOLVE = Event.resolve_by_type
speedups.install()

REPLIES = [
    {"events": [], "responses": []},
    {
        "events": [{"event": "slot", "name": "x", "value": 1}],
        "responses": [{"text": "hi"}],
    },
    {"events": [{"event": "slot"}]},  # a slot event without a name
    {"events": "not a list"},
    {"responses": ["not an object"]},
]


def test_install_replaces_the_slow_paths_once() -> None:
    patched = RemoteAction._validate_action_result
    assert patched is not ORIGINAL_VALIDATE
    speedups.install()
    assert RemoteAction._validate_action_result is patched


@pytest.mark.parametrize("reply", REPLIES)
def test_action_replies_are_validated_as_rasa_does(reply: dict) -> None:
    action = RemoteAction("action_x", None)
    try:
        expected = ORIGINAL_VALIDATE(action, reply)
    except jsonschema.ValidationError as error:
        with pytest.raises(jsonschema.ValidationError) as raised:
            action._validate_action_result(reply)
        assert raised.value.message == error.message
    else:
        assert action._validate_action_result(reply) is expected


@pytest.mark.parametrize("name", sorted({cls.type_name for cls in all_subclasses(Event)}))
def test_every_event_type_resolves_to_the_same_class(name: str) -> None:
    assert Event.resolve_by_type(name) is ORIGINAL_RESOLVE(name)


def test_unknown_event_types_behave_as_before() -> None:
    assert Event.resolve_by_type("nope", default=SlotSet) is SlotSet
    assert Event.resolve_by_type("topic") is None
    with pytest.raises(ValueError):
        Event.resolve_by_type("nope")


def test_sqlite_tracker_store_pools_connections_in_wal_mode(tmp_path: Path) -> None:
    store = SQLTrackerStore(dialect="sqlite", db=str(tmp_path / "t.db"))
    assert type(store.engine.pool).__name__ == "QueuePool"
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    events = [
        ActionExecuted("action_listen"),
        UserUttered("hi", {"name": "greet"}),
        BotUttered("hello"),
    ]
    tracker = DialogueStateTracker.from_events("member", events)
    import asyncio

    asyncio.run(store.save(tracker))
    tracker.update(UserUttered("bye", {"name": "goodbye"}))
    asyncio.run(store.save(tracker))
    again = asyncio.run(store.retrieve("member"))
    assert [e.as_dict()["event"] for e in again.events] == [
        e.as_dict()["event"] for e in tracker.events
    ]
