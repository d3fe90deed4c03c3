"""action_forget_me: confirms to the member and returns the event the tracker store acts on."""
from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.privacy import ActionForgetMe
from member_health_rasa.ops.tracker_store import FORGET_SLOT
from member_health_rasa.project import feature_responses, merged_domain


async def test_forget_me_confirms_and_marks_the_turn_for_deletion() -> None:
    dispatcher = CollectingDispatcher()
    latest = {"text": "yes", "intent": {"name": "affirm"}}
    tracker = Tracker("member-1", {}, latest, [], False, None, {}, "action_listen")
    events = await ActionForgetMe().run(dispatcher, tracker, {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_forget_me_done"]
    assert events == [{"event": "slot", "timestamp": None, "name": FORGET_SLOT, "value": True}]


def test_the_domain_declares_what_the_action_uses() -> None:
    domain = merged_domain()
    assert "action_forget_me" in domain.user_actions
    assert FORGET_SLOT in [slot.name for slot in domain.slots]
    assert {"utter_confirm_forget_me", "utter_forget_me_done", "utter_forget_me_cancelled"} <= set(
        feature_responses("privacy")
    )
