"""What each Rasa speedup gains: ours vs Rasa's own code in the same run (medians).

    .venv/bin/python -m member_health_rasa.bench.patches [--rounds 15]

A micro-benchmark (no servers, no model): each case runs the same work with Rasa's function and
with ours, alternating, ``--rounds`` times; the medians and the gain are printed. Cases:

- ``validate action reply``: ``RemoteAction._validate_action_result`` on a custom action's reply
  (``member_health_rasa.ops.speedups``);
- ``event lookup``: loading a stored 60-event conversation (``DialogueStateTracker.from_dict``)
  with Rasa's ``Event.resolve_by_type`` and with a name -> class table (the patch dropped for
  gaining little);
- ``sqlite turn``: one turn against a SQLite tracker file (retrieve, 4 events, save) with Rasa's
  ``SQLTrackerStore`` and with ``PrivacySQLTrackerStore``'s pooled WAL engine.
"""
from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from member_health.paths import ROOT

REPLY = {
    "events": [
        {"event": "slot", "timestamp": None, "name": "fever_nausea", "value": False},
        {"event": "slot", "timestamp": None, "name": "requested_slot", "value": "night_pain"},
        {"event": "active_loop", "timestamp": None, "name": "back_pain_screen_form"},
    ],
    "responses": [{"response": "utter_ask_night_pain"}],
}


def median_s(work: Callable[[], Any], repeat: int) -> float:
    """Seconds per call of ``work`` (one timing of ``repeat`` calls)."""
    started = time.perf_counter()
    for _ in range(repeat):
        work()
    return (time.perf_counter() - started) / repeat


def compare(
    name: str, rasa: Callable[[], Any], ours: Callable[[], Any], repeat: int, rounds: int
) -> dict[str, float]:
    """Medians over ``rounds`` alternating timings; prints one line."""
    rasa(), ours()  # warm up (imports, caches)
    theirs_s, ours_s = [], []
    for _ in range(rounds):
        theirs_s.append(median_s(rasa, repeat))
        ours_s.append(median_s(ours, repeat))
    a, b = statistics.median(theirs_s), statistics.median(ours_s)
    gain = 1 - b / a
    print(f"{name:24} rasa {a * 1e6:10.1f} us   ours {b * 1e6:10.1f} us   gain {gain:6.1%}")
    return {"rasa_us": a * 1e6, "ours_us": b * 1e6, "gain": gain}


def validator_case(rounds: int) -> dict[str, float]:
    from rasa.core.actions.action import RemoteAction

    from member_health_rasa.ops.speedups import ORIGINAL_VALIDATE_ACTION_RESULT, cached_validator

    action = RemoteAction("validate_back_pain_screen_form", None)
    ours = cached_validator()
    return compare(
        "validate action reply",
        lambda: ORIGINAL_VALIDATE_ACTION_RESULT(action, REPLY),
        lambda: ours(action, REPLY),
        repeat=20,
        rounds=rounds,
    )


def conversation(turns: int = 12) -> list[Any]:
    """A stored conversation: session start, then ``turns`` turns of 5 events."""
    from rasa.shared.core.events import (
        ActionExecuted,
        BotUttered,
        SessionStarted,
        SlotSet,
        UserUttered,
    )

    events: list[Any] = [ActionExecuted("action_session_start"), SessionStarted()]
    for turn in range(turns):
        events += [
            ActionExecuted("action_listen"),
            UserUttered(f"message {turn}", {"name": "faq", "confidence": 0.9}),
            SlotSet("topic", f"t{turn}"),
            ActionExecuted("utter_faq"),
            BotUttered(f"answer {turn}", metadata={"utter_action": "utter_faq"}),
        ]
    return events


def event_lookup_case(rounds: int) -> dict[str, float]:
    from rasa.shared.core.events import Event
    from rasa.shared.core.trackers import DialogueStateTracker
    from rasa.shared.utils.common import all_subclasses

    stored = [event.as_dict() for event in conversation()]
    original = Event.resolve_by_type
    table = {cls.type_name: cls for cls in reversed(all_subclasses(Event))}

    def resolve_by_type(type_name: str, default: Any = None) -> Any:
        found = table.get(type_name)
        return found if found is not None else original(type_name, default)

    def load() -> Any:
        return DialogueStateTracker.from_dict("member", stored)

    def with_table() -> Any:
        Event.resolve_by_type = staticmethod(resolve_by_type)
        try:
            return load()
        finally:
            Event.resolve_by_type = original

    return compare("event lookup (load 62)", load, with_table, repeat=20, rounds=rounds)


def sqlite_case(rounds: int) -> dict[str, float]:
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered

    from member_health_rasa.ops.tracker_store import PrivacySQLTrackerStore

    def turn(store: Any) -> None:
        async def run() -> None:
            tracker = await store.get_or_create_tracker("member")
            tracker.update(ActionExecuted("action_listen"))
            tracker.update(UserUttered("hello", {"name": "greet", "confidence": 1.0}))
            tracker.update(ActionExecuted("utter_greet"))
            tracker.update(BotUttered("hi", metadata={"utter_action": "utter_greet"}))
            await store.save(tracker)

        asyncio.run(run())

    with tempfile.TemporaryDirectory(prefix="bench-patches-", dir=ROOT) as tmp:
        stock = SQLTrackerStore(dialect="sqlite", db=str(Path(tmp) / "stock.db"))
        ours = PrivacySQLTrackerStore(dialect="sqlite", db=str(Path(tmp) / "ours.db"))
        try:
            return compare(
                "sqlite turn", lambda: turn(stock), lambda: turn(ours), repeat=5, rounds=rounds
            )
        finally:
            stock.engine.dispose()
            ours.engine.dispose()


def main(argv: list[str] | None = None) -> None:
    """Print the three comparisons."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args(argv)
    validator_case(args.rounds)
    event_lookup_case(args.rounds)
    sqlite_case(args.rounds)


if __name__ == "__main__":
    main()
