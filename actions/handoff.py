"""Human handoff: tell the member how to reach a person (nurse line, member services)."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import plan_contacts


class ActionHandoff(Action):
    """Send ``utter_handoff`` filled with the plan's contacts (``actions.plan_contacts``).

    If the plan configuration is broken the member still gets an answer
    (``utter_action_unavailable``) instead of silence, and the error is logged.
    """

    def name(self) -> str:
        """Name of the action in the domain."""
        return "action_handoff"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[dict[str, Any]]:
        """Utter the handoff response with the plan contacts as template variables."""
        contacts = plan_contacts(instead="utter_action_unavailable instead of the contacts")
        if contacts is None:
            dispatcher.utter_message(response="utter_action_unavailable")
            return []
        dispatcher.utter_message(response="utter_handoff", **contacts)
        return []
