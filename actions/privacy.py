"""Forget me: after the member confirms, ask the Rasa server's tracker store to delete them."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from member_health.privacy import FORGET_SLOT


class ActionForgetMe(Action):
    """Confirm the deletion and mark the turn for it.

    The action server cannot reach the tracker store (and Rasa 3.6's HTTP API has no delete
    route), so this action only returns ``SlotSet("forget_me_confirmed", True)``; the Rasa
    server's ``PrivacySQLTrackerStore`` deletes the whole conversation when it saves this turn.
    """

    def name(self) -> str:
        """Name of the action in the domain."""
        return "action_forget_me"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[dict[str, Any]]:
        """Tell the member it is done and return the event that triggers the deletion."""
        dispatcher.utter_message(response="utter_forget_me_done")
        return [SlotSet(FORGET_SLOT, True)]
