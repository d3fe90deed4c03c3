"""ops.speedups: the same results as Rasa's own code (what it gains: bench.patches), and the SQLite
tuning of the tracker store. Nothing here installs a patch for the rest of the session."""
from __future__ import annotations

import asyncio
import copy
from pathlib import Path

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from member_health_rasa.bench.patches import REPLY
from member_health_rasa.ops import speedups
from member_health_rasa.ops.tracker_store import PrivacySQLTrackerStore

ORIGINAL = speedups.ORIGINAL_VALIDATE_ACTION_RESULT
OURS = speedups.cached_validator()

# Replies as the action server sends them (rasa_sdk's events and responses), then broken ones.
REPLIES = [
    {"events": [], "responses": []},
    REPLY,
    {
        "events": [
            {"event": "slot", "timestamp": None, "name": "emergency_escalated", "value": True},
            {"event": "active_loop", "timestamp": None, "name": None},
            {"event": "slot", "timestamp": None, "name": "requested_slot", "value": None},
        ],
        "responses": [
            {"text": "Calling the nurse line", "buttons": [{"title": "ok", "payload": "/ok"}]},
            {"response": "utter_handoff", "nurse_line": "1-800"},
        ],
    },
    {"events": [{"event": "followup", "name": "action_listen"}, {"event": "reset_slots"}]},
    {"events": [{"event": "user", "text": "hi", "parse_data": {"intent": {"name": "greet"}}}]},
    {},
    {"events": [{"event": "slot"}]},  # a slot event without a name
    {"events": [{"event": "no_such_event"}]},
    {"events": [{"name": "x"}]},  # no event type
    {"events": "not a list"},
    {"responses": ["not an object"]},
    {"responses": {"text": "not a list"}},
    {"events": [{"event": "slot", "name": 5, "value": 1}]},
    ["not", "an", "object"],
    # the outer schema accepts these; only the event type's own schema refuses them
    {"events": [{"event": "bot", "text": 5}]},
    {"events": [{"event": "user", "text": "hi", "parse_data": {"intent": "greet"}}]},
    {"events": [{"event": "slot", "name": "a", "value": 1}, {"event": "action", "name": 3}]},
    {"events": [{"event": "action", "name": "utter_x", "policy": None, "confidence": 1.0}]},
    {"events": [{"event": 5}]},
    {"events": [{"event": "slot", "name": "a", "timestamp": "yesterday"}]},
    {"events": [{"event": "bot", "text": "hi", "data": {"buttons": []}, "metadata": None}]},
    {"events": [{"event": "restart"}, {"event": "session_started"}, {"event": "pause"}]},
]


def test_importing_and_building_patch_nothing() -> None:
    assert RemoteAction._validate_action_result is ORIGINAL
    assert OURS is not ORIGINAL


@pytest.mark.parametrize("reply", REPLIES)
def test_action_replies_are_validated_as_rasa_does(reply: dict) -> None:
    action = RemoteAction("action_x", None)
    try:
        expected = ORIGINAL(action, copy.deepcopy(reply))
    except jsonschema.ValidationError as error:
        with pytest.raises(jsonschema.ValidationError) as raised:
            OURS(action, copy.deepcopy(reply))
        assert raised.value.message == error.message
        assert list(raised.value.path) == list(error.path)
        assert raised.value.validator == error.validator
    else:
        assert OURS(action, copy.deepcopy(reply)) is expected


def test_each_event_is_checked_against_its_own_type_only() -> None:
    schema = RemoteAction.action_response_format_spec()
    assert speedups.by_event_type(schema, jsonschema.Draft7Validator) is not None
    unkeyed = copy.deepcopy(schema)
    unkeyed["properties"]["events"]["items"]["oneOf"].append({"properties": {}})
    assert speedups.by_event_type(unkeyed, jsonschema.Draft7Validator) is None  # full check


def test_install_replaces_the_method_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(RemoteAction, "_validate_action_result", ORIGINAL)
    speedups.install_cached_validator()
    patched = RemoteAction._validate_action_result
    assert patched is not ORIGINAL
    speedups.install_cached_validator()
    assert RemoteAction._validate_action_result is patched


def conversation_round_trip(store: SQLTrackerStore) -> list[str]:
    events = [
        ActionExecuted("action_listen"),
        UserUttered("hi", {"name": "greet"}),
        BotUttered("hello"),
    ]
    tracker = DialogueStateTracker.from_events("member", events)
    asyncio.run(store.save(tracker))
    tracker.update(UserUttered("bye", {"name": "goodbye"}))
    asyncio.run(store.save(tracker))
    again = asyncio.run(store.retrieve("member"))
    assert again is not None
    return [e.as_dict()["event"] for e in again.events]


def test_the_privacy_store_pools_a_sqlite_file_in_wal_mode(tmp_path: Path) -> None:
    store = PrivacySQLTrackerStore(dialect="sqlite", db=str(tmp_path / "t.db"))
    assert type(store.engine.pool).__name__ == "QueuePool"
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
        assert connection.exec_driver_sql("PRAGMA secure_delete").scalar() == 1
    stock = SQLTrackerStore(dialect="sqlite", db=str(tmp_path / "stock.db"))
    assert conversation_round_trip(store) == conversation_round_trip(stock)
    # Rasa's own store is left as Rasa makes it (no process-wide pool or pragmas)
    assert type(stock.engine.pool).__name__ == "NullPool"
    with stock.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "delete"


def test_an_in_memory_sqlite_store_keeps_rasas_engine() -> None:
    store = PrivacySQLTrackerStore(dialect="sqlite", db=":memory:")
    assert type(store.engine.pool).__name__ != "QueuePool"
