"""Two questions, two answers: after the first answer, offer the other topic the member asked."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from member_health.clarify import topic_button

# Set by member_health_rasa.nlu.second_question on a message that asks two questions.
ALSO_ASKED = "also_asked"


class ActionOfferAlsoAsked(Action):
    """After an FAQ answer: "You also asked about:" and a button per other topic asked."""

    def name(self) -> str:
        """Name of the action in the domain."""
        return "action_offer_also_asked"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[dict[str, Any]]:
        """Utter ``utter_also_asked`` with the topics' buttons; nothing when there is none."""
        entities = (tracker.latest_message or {}).get("entities") or []
        keys = [str(e.get("value")) for e in entities if e.get("entity") == ALSO_ASKED]
        buttons = [b for b in (topic_button(domain, key) for key in dict.fromkeys(keys)) if b]
        if buttons:
            dispatcher.utter_message(response="utter_also_asked", buttons=buttons)
        return []
