"""Store profiles, pre-flight, "forget me" in the tracker store and the custom-action guard.

Everything runs for real in-process: SQLite files, Rasa's SQL tracker store, and loopback
sockets standing in for an action server that is down or hangs.
"""
from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa.core.actions.action import RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.slots import AnySlot
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from member_health_rasa.ops import action_guard
from member_health_rasa.ops.preflight import StoreUnreachable, check
from member_health_rasa.ops.stores import StoreConfigError, load_endpoints, tracker_sql_store
from member_health_rasa.ops.tracker_store import PrivacySQLTrackerStore, forget_requested
from member_health_rasa.project import merged_domain

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = merged_domain()
REQ = "requested_slot"
DOMAIN_SLOTS = [
    AnySlot(name, mappings=[{"type": "custom"}])
    for name in ("requested_slot", "fever_nausea", "tumor_grade")
]


def tracker(*events: Any) -> DialogueStateTracker:
    return DialogueStateTracker.from_events("member-1", list(events))


def bot(response: str) -> BotUttered:
    """A bot message as the Rasa server records it."""
    return BotUttered("...", metadata={"utter_action": response})


FORGET = SlotSet("forget_me_confirmed", True)


@pytest.mark.parametrize(
    "events, forget",
    [
        ([UserUttered("yes"), ActionExecuted("action_forget_me"), FORGET], True),
        ([UserUttered("yes"), FORGET, ActionExecuted("action_listen")], True),
        ([UserUttered("yes"), ActionExecuted("action_forget_me")], False),
        ([FORGET, UserUttered("hello"), ActionExecuted("utter_welcome")], False),
        ([UserUttered("yes"), SlotSet("forget_me_confirmed", False)], False),
        ([UserUttered("yes"), SlotSet("other", True)], False),
        ([], False),
    ],
)
def test_forget_requested_only_in_the_latest_turn(events: list, forget: bool) -> None:
    assert forget_requested(tracker(*events)) is forget


def sqlite_store(tmp_path: Path) -> PrivacySQLTrackerStore:
    return PrivacySQLTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(tmp_path / "t.db"))


async def test_forget_me_deletes_every_event_of_the_conversation(tmp_path: Path) -> None:
    store = sqlite_store(tmp_path)
    talk = [ActionExecuted("action_listen"), UserUttered("hello"), ActionExecuted("utter_welcome")]
    await store.save(tracker(*talk))
    other = DialogueStateTracker.from_events("member-2", talk)
    await store.save(other)
    assert len((await store.retrieve("member-1")).events) == 3
    confirmed = tracker(*talk, UserUttered("yes"), ActionExecuted("action_forget_me"), FORGET)
    await store.save(confirmed)
    assert await store.retrieve("member-1") is None
    assert len((await store.retrieve("member-2")).events) == 3  # others untouched


def write(tmp_path: Path, config: dict) -> Path:
    path = tmp_path / "endpoints.yml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


def test_load_endpoints_names_missing_variables(tmp_path: Path) -> None:
    path = tmp_path / "e.yml"
    path.write_text("tracker_store:\n  url: ${NO_SUCH_VAR_A}\n  db: ${NO_SUCH_VAR_B}\n")
    with pytest.raises(StoreConfigError, match="NO_SUCH_VAR_A, NO_SUCH_VAR_B"):
        load_endpoints(path)


def test_load_endpoints_fills_variables_from_the_given_environment(tmp_path: Path) -> None:
    """The launcher checks the stores with the environment it gives the Rasa server."""
    path = tmp_path / "e.yml"
    path.write_text("tracker_store:\n  url: ${NO_SUCH_VAR_A}\n  port: ${NO_SUCH_VAR_B}\n")
    env = {"NO_SUCH_VAR_A": "db.internal", "NO_SUCH_VAR_B": "5433"}
    assert load_endpoints(path, env) == {"tracker_store": {"url": "db.internal", "port": 5433}}
    with pytest.raises(StoreConfigError, match="NO_SUCH_VAR_B"):
        load_endpoints(path, {"NO_SUCH_VAR_A": "db.internal"})


@pytest.mark.parametrize(
    "config, label",
    [
        ({"type": "SQL", "dialect": "sqlite", "db": "x.db"}, "SQLite file x.db"),
        (
            {"type": "member_health_rasa.ops.tracker_store.PrivacySQLTrackerStore",
             "dialect": "postgresql", "url": "db.internal", "port": "6543", "db": "rasa",
             "password": "secret"},
            "PostgreSQL at db.internal:6543, database 'rasa'",
        ),
        ({"type": "SQL", "dialect": "postgresql", "url": "h", "db": "d"}, "PostgreSQL at h:5432"),
        ({"type": "in_memory"}, None),
        ({}, None),
    ],
)  # fmt: skip
def test_tracker_sql_store_labels_never_show_the_password(config: dict, label: Any) -> None:
    store = tracker_sql_store({"tracker_store": config})
    if label is None:
        assert store is None
    else:
        assert store is not None and store.label.startswith(label)
        assert "secret" not in store.label


@pytest.mark.parametrize(
    "config, error",
    [
        ({"tracker_store": {"type": "SQL", "db": "/no/such/folder/t.db"}}, "does not exist"),
        ({"tracker_store": {"type": "mongod"}}, "not an SQL store"),
        ({"tracker_store": {"type": "nope.Store", "dialect": "sqlite"}}, "not an SQL store"),
        ({"lock_store": {"type": "redis", "url": "127.0.0.1", "port": "CLOSED"}}, "lock store"),
        (
            {
                "lock_store": {
                    "type": "member_health_rasa.ops.lock_store.AtomicRedisLockStore",
                    "url": "127.0.0.1",
                    "port": "CLOSED",
                }
            },
            "lock store",
        ),
    ],
)
def test_preflight_names_the_store(tmp_path: Path, config: dict, error: str) -> None:
    closed = str(unused_port())
    config = yaml.safe_load(yaml.safe_dump(config).replace("CLOSED", closed))
    with pytest.raises(StoreUnreachable, match=error):
        check(write(tmp_path, config))


def test_preflight_passes_sqlite_and_in_memory(tmp_path: Path) -> None:
    sqlite = {"tracker_store": {"type": "SQL", "dialect": "sqlite", "db": str(tmp_path / "t.db")}}
    assert check(write(tmp_path, sqlite)) == [f"tracker store: SQLite file {tmp_path}/t.db"]
    assert check(write(tmp_path, {"lock_store": {"type": "in_memory"}})) == []


def unused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def hanging_server() -> Iterator[int]:
    """A port that accepts connections and never answers (an action server that hangs)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        yield int(sock.getsockname()[1])


ORIGINAL_RUN = RemoteAction.run


@pytest.fixture(autouse=True)
def guard(monkeypatch: pytest.MonkeyPatch) -> None:
    """The guard on ``RemoteAction.run`` for one test (Rasa's own method again after it)."""
    monkeypatch.setattr(RemoteAction, "run", action_guard.guarded(ORIGINAL_RUN))
    monkeypatch.setattr(action_guard, "ACTION_TIMEOUT_S", 1.0)


async def run_remote(
    port: int,
    *events: Any,
    channel: CollectingOutputChannel | None = None,
    conversation: DialogueStateTracker | None = None,
) -> tuple[list, list]:
    """Run a custom action against ``port`` in ``conversation`` (default: a new tracker of
    ``events``): (events returned, messages the member got)."""
    action = RemoteAction("action_handoff", EndpointConfig(f"http://127.0.0.1:{port}/webhook"))
    nlg = TemplatedNaturalLanguageGenerator(DOMAIN.responses)
    channel = channel or CollectingOutputChannel()
    conversation = conversation or tracker(*events)
    returned = await asyncio.wait_for(action.run(channel, nlg, conversation, DOMAIN), timeout=30)
    return returned, channel.messages


async def test_action_server_down_tells_the_member() -> None:
    events, messages = await run_remote(unused_port(), UserUttered("I want a nurse"))
    assert events == []
    assert len(messages) == 1 and "can't do that right now" in messages[0]["text"]


async def test_hanging_action_server_times_out_and_tells_the_member(hanging_server: int) -> None:
    loop = asyncio.get_running_loop()
    started = loop.time()
    _, messages = await run_remote(hanging_server, UserUttered("I want a nurse"))
    assert len(messages) == 1 and "can't do that right now" in messages[0]["text"]
    assert loop.time() - started < 5


async def test_the_member_is_told_once_per_turn(hanging_server: int) -> None:
    channel = CollectingOutputChannel()
    loop = asyncio.get_running_loop()
    conversation = tracker(UserUttered("hi"))
    await run_remote(hanging_server, channel=channel, conversation=conversation)
    started = loop.time()
    await run_remote(hanging_server, channel=channel, conversation=conversation)  # same turn
    assert loop.time() - started < 0.5, "the second action waited on the action server again"
    assert len(channel.messages) == 1
    conversation.update(UserUttered("again"))
    _, next_turn = await run_remote(unused_port(), conversation=conversation)
    assert len(next_turn) == 1


async def test_a_turn_is_the_conversations_not_the_output_channels() -> None:
    """Telegram shares one output channel between every update of every chat: a failure in one
    turn must not silence the next turn, nor another member's turn on the same channel."""
    shared = CollectingOutputChannel()
    first = tracker(UserUttered("I want a nurse"))
    await run_remote(unused_port(), channel=shared, conversation=first)
    other = DialogueStateTracker.from_events("member-2", [UserUttered("I want a nurse")])
    await run_remote(unused_port(), channel=shared, conversation=other)
    assert [m["recipient_id"] for m in shared.messages] == ["member-1", "member-2"]
    first.update(UserUttered("I want a nurse"))  # the same words, a later message
    await run_remote(unused_port(), channel=shared, conversation=first)
    assert len(shared.messages) == 3, "the later turn was skipped"


def test_a_stored_turn_is_the_same_turn_when_loaded_again() -> None:
    said = UserUttered("no", {"name": "deny"})
    stored = [e.as_dict() for e in (ActionExecuted("action_listen"), said)]
    once = DialogueStateTracker.from_dict("member-1", stored)
    again = DialogueStateTracker.from_dict("member-1", stored)
    assert action_guard.turn_key(once) == action_guard.turn_key(again)
    again.update(UserUttered("no", {"name": "deny"}))  # the same answer, the next turn
    assert action_guard.turn_key(once) != action_guard.turn_key(again)


def test_failed_turns_are_bounded() -> None:
    failed = action_guard.FailedTurns(size=2)
    trackers = [
        DialogueStateTracker.from_events(f"member-{n}", [UserUttered("hi")]) for n in range(3)
    ]
    for each in trackers:
        failed.add(each)
    assert [each in failed for each in trackers] == [False, True, True]


@pytest.mark.parametrize(
    "earlier, told",
    [
        ([bot("utter_emergency")], False),  # the 911 reply stays the last word
        ([bot("utter_emergency"), UserUttered("ok")], True),  # an earlier turn's emergency
        ([bot("utter_welcome")], True),
    ],
)
async def test_no_apology_after_an_emergency_reply(earlier: list, told: bool) -> None:
    _, messages = await run_remote(unused_port(), UserUttered("help"), *earlier)
    assert len(messages) == int(told)


@pytest.mark.parametrize(
    "action, slots, expected",
    [
        ("validate_back_pain_screen_form", {REQ: "fever_nausea"}, [("fever_nausea", None)]),
        (
            "validate_stage_form",
            {REQ: "tumor_grade", "tumor_grade": "low"},
            [("tumor_grade", "low")],
        ),
        ("validate_stage_form", {}, []),
        ("action_handoff", {REQ: "fever_nausea"}, []),
    ],
)
def test_a_failing_form_validation_keeps_the_form_waiting(
    action: str, slots: dict, expected: list
) -> None:
    events = [SlotSet(name, value) for name, value in slots.items()]
    tracker = DialogueStateTracker.from_events("member-1", events, slots=DOMAIN_SLOTS)
    kept = action_guard.keep_form_waiting(action, tracker)
    assert [(e.key, e.value) for e in kept] == expected
