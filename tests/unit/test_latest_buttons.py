"""channels.common.latest_buttons: the buttons of the bot's latest turn, read from a real
tracker store, the same as reading every event of the conversation."""
from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, Event, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from member_health.channel_format import last_buttons
from member_health_rasa.channels.common import latest_buttons

YES_NO = {"buttons": [{"title": "Yes", "payload": "/affirm"}, {"title": "No", "payload": "/deny"}]}
TOPICS = {"buttons": [{"title": "Staging", "payload": "/faq"}]}


def listen() -> ActionExecuted:
    return ActionExecuted("action_listen")


CONVERSATIONS = {
    "buttons of the latest turn": [
        UserUttered("hi"),
        BotUttered("pick", TOPICS),
        listen(),
        UserUttered("start"),
        BotUttered("question 1", YES_NO),
        BotUttered("(no buttons)"),
        listen(),
    ],
    "stale once the member replied": [
        UserUttered("hi"),
        BotUttered("pick", TOPICS),
        UserUttered("x"),
    ],
    "no member message yet": [BotUttered("welcome", YES_NO), listen()],
    "nothing": [],
}


@pytest.mark.parametrize("events", CONVERSATIONS.values(), ids=CONVERSATIONS)
def test_latest_buttons_as_if_every_event_were_read(events: list[Event]) -> None:
    store = InMemoryTrackerStore(Domain.empty())
    tracker = DialogueStateTracker.from_events("member", events * 50 if events else [])
    asyncio.run(store.save(tracker))
    app = SimpleNamespace(ctx=SimpleNamespace(agent=SimpleNamespace(tracker_store=store)))
    expected = last_buttons([event.as_dict() for event in tracker.events])
    assert asyncio.run(latest_buttons(app, "member")) == expected
    assert expected == (YES_NO["buttons"] if events and events[-1] == listen() else [])
