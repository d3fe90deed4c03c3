"""FoldedTracker equals Rasa's DialogueStateTracker: applied_events() after every event (scripted
conversations with forms, reverts, restarts and new sessions, 300 random ones, copies that go
different ways, a list changed other than by appending), and copy() holds what Rasa's copy (a
replay of every event) holds, before and after more events, with the follow-up action cleared
directly as the processor does."""
from __future__ import annotations

import copy
import random

import pytest
from rasa.shared.core.events import (
    ActionExecuted,
    ActionExecutionRejected,
    ActionReverted,
    ActiveLoop,
    AllSlotsReset,
    BotUttered,
    ConversationPaused,
    ConversationResumed,
    DefinePrevUserUtteredFeaturization,
    EntitiesAdded,
    Event,
    FollowupAction,
    LoopInterrupted,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.slots import TextSlot
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity

from member_health_rasa.ops.folded_tracker import FoldedTracker


def rasa_applied(events: list[Event]) -> list[Event]:
    return DialogueStateTracker.from_events("m", events).applied_events()


def assert_same(tracker: FoldedTracker) -> None:
    ours, rasa = tracker.applied_events(), rasa_applied(list(tracker.events))
    assert [id(e) for e in ours] == [id(e) for e in rasa], (ours, rasa)


def form_turn(form: str) -> list[Event]:
    return [
        UserUttered("hi", {"name": "greet", "confidence": 1.0}),
        ActionExecuted(form),
        ActiveLoop(form),
        SlotSet("requested_slot", "a"),
        ActionExecuted("action_listen"),
        UserUttered("x", {"name": "inform", "confidence": 1.0}),
        ActionExecuted(form),
        SlotSet("a", "x"),
        ActionExecuted(form),
        ActiveLoop(None),
        ActionExecuted("utter_done"),
        BotUttered("done"),
        ActionExecuted("action_listen"),
    ]


SCRIPTS = {
    "a form": form_turn("form_a"),
    "two forms, the second named late": [*form_turn("form_a"), *form_turn("form_b")],
    "reverts": [
        ActionExecuted("action_listen"),
        UserUttered("hi"),
        ActionExecuted("utter_greet"),
        ActionReverted(),
        UserUtteranceReverted(),
        UserUttered("again"),
        ActionExecuted("utter_greet"),
    ],
    "restart and session": [
        ActionExecuted("action_listen"),
        UserUttered("hi"),
        Restarted(),
        ActionExecuted("action_session_start"),
        SessionStarted(),
        SlotSet("a", "carried"),
        ActionExecuted("action_listen"),
        *form_turn("form_a"),
    ],
}


@pytest.mark.parametrize("events", SCRIPTS.values(), ids=SCRIPTS.keys())
def test_scripted_conversations(events: list[Event]) -> None:
    tracker = FoldedTracker("m", [])
    for event in events:
        tracker.update(event)
        assert_same(tracker)


def random_event(rng: random.Random) -> Event:
    choices = [
        lambda: UserUttered("hi", {"name": rng.choice(["greet", "inform"]), "confidence": 1.0}),
        lambda: ActionExecuted(rng.choice(["action_listen", "utter_a", "form_a", "form_b"])),
        lambda: ActiveLoop(rng.choice(["form_a", "form_b", None])),
        lambda: SlotSet("a", rng.choice(["x", None])),
        lambda: BotUttered("ok"),
        lambda: ActionReverted(),
        lambda: UserUtteranceReverted(),
        lambda: ActionExecutionRejected(rng.choice(["form_a", "form_b"])),
        lambda: Restarted(),
        lambda: SessionStarted(),
    ]
    choices += [
        lambda: EntitiesAdded([{"entity": "e", "value": rng.choice("xy"), "start": 0, "end": 1}]),
        lambda: DefinePrevUserUtteredFeaturization(rng.random() < 0.5),
        lambda: LoopInterrupted(rng.random() < 0.5),
        lambda: ConversationPaused(),
        lambda: ConversationResumed(),
        lambda: AllSlotsReset(),
    ]
    weights = [5, 8, 3, 3, 2, 1, 1, 1, 0.3, 0.3, 1, 1, 0.5, 0.2, 0.2, 0.2]
    return rng.choices(choices, weights)[0]()


def test_random_conversations_and_copies_going_different_ways() -> None:
    rng = random.Random(20261201)
    for _ in range(300):
        tracker = FoldedTracker("m", [])
        for _ in range(rng.randint(1, 60)):
            tracker.update(random_event(rng))
            if rng.random() < 0.7:  # not every event is followed by a call
                assert_same(tracker)
        twin = copy.copy(tracker)  # what the store's clone() does
        twin.events = copy.copy(tracker.events)
        for _ in range(10):
            tracker.update(random_event(rng))
            twin.update(random_event(rng))
            assert_same(tracker)
            assert_same(twin)


def test_a_list_changed_other_than_by_appending_is_read_in_full() -> None:
    tracker = FoldedTracker("m", [])
    for event in form_turn("form_a"):
        tracker.update(event)
    assert_same(tracker)
    tracker.events.pop()
    tracker.events.pop()
    tracker.update(ActionExecuted("utter_other"))
    assert_same(tracker)
    capped = FoldedTracker("m", [], max_event_history=5)
    for event in form_turn("form_a"):
        capped.update(event)
        assert_same(capped)


SLOTS = [TextSlot("a", mappings=[{}])]


def everything(tracker: DialogueStateTracker) -> tuple:
    """What a tracker holds beyond its serialised state."""
    return (
        tracker.current_state(EventVerbosity.ALL),
        tracker.followup_action,
        tracker.is_paused(),
        tracker.latest_action,
        tracker.active_loop,
        {name: (slot.value, slot.has_been_set) for name, slot in tracker.slots.items()},
        tracker.latest_message,
        tracker.latest_bot_utterance,
        (tracker.model_id, tracker.assistant_id, tracker.sender_source, tracker.sender_id),
        [id(event) for event in tracker.events],
    )


def test_copy_holds_what_rasas_replay_holds() -> None:
    rng = random.Random(1201)
    extra = [lambda: FollowupAction(rng.choice(["utter_a", "action_listen"]))]
    for _ in range(300):
        tracker = FoldedTracker("m", SLOTS, sender_source="rest")
        tracker.model_id, tracker.assistant_id = "model", "assistant"
        for _ in range(rng.randint(0, 50)):
            event = extra[0]() if rng.random() < 0.1 else random_event(rng)
            tracker.update(event)
            if rng.random() < 0.2:
                tracker.clear_followup_action()  # the processor, before a follow-up action
            if rng.random() < 0.3:
                ours, rasa = tracker.copy(), DialogueStateTracker.copy(tracker)
                assert everything(ours) == everything(rasa)
                for name in ("latest_message", "latest_bot_utterance"):  # shared only if Rasa's is
                    live = getattr(tracker, name)
                    assert (getattr(ours, name) is live) == (getattr(rasa, name) is live)
                for _ in range(3):  # both go on alike (the action runs on the copy)
                    event = random_event(rng)
                    ours.update(event)
                    rasa.update(event)
                    assert everything(ours) == everything(rasa)
                    assert [id(e) for e in ours.applied_events()] == [
                        id(e) for e in rasa.applied_events()
                    ]
