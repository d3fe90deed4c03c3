"""Ask instead of guessing: offer the likely bone-cancer topics when the topic is uncertain."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from member_health.clarify import faq_ranking, topic_button, topics_to_offer

PERSON_BUTTON = {"title": "Talk to a person", "payload": "I want to talk to a person"}


class ActionClarifyTopic(Action):
    """After an uncertain message: the likely topics as buttons, or a request to rephrase."""

    def name(self) -> str:
        """Name of the action in the domain."""
        return "action_clarify_topic"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[dict[str, Any]]:
        """Utter ``utter_clarify_topic`` with a button per likely topic, else
        ``utter_ask_rephrase``."""
        message = tracker.latest_message or {}
        ranking = faq_ranking(message.get("response_selector"))
        keys = topics_to_offer(message.get("intent_ranking") or [], ranking)
        buttons = [b for b in (topic_button(domain, key) for key in keys) if b]
        if not buttons:
            dispatcher.utter_message(response="utter_ask_rephrase")
            return []
        dispatcher.utter_message(response="utter_clarify_topic", buttons=[*buttons, PERSON_BUTTON])
        return []
