"""Human handoff: tell the member how to reach a person (nurse line, member services)."""
from __future__ import annotations

import logging
from typing import Any

import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from member_health.settings import plan

logger = logging.getLogger(__name__)


class ActionHandoff(Action):
    """Send ``utter_handoff`` filled with the plan's contacts from ``member_health.settings``.

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
        try:
            contacts = plan().as_template()
        except (OSError, ValueError, yaml.YAMLError):
            logger.exception("Plan configuration unavailable; cannot give handoff contacts.")
            dispatcher.utter_message(response="utter_action_unavailable")
            return []
        dispatcher.utter_message(response="utter_handoff", **contacts)
        return []
