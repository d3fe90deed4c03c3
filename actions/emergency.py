"""Emergency escalation: record it, notify an optional nurse-line webhook, offer to continue.

The 911 answer itself (``utter_emergency``) is a domain response sent by a rule before this
action runs, and the rules end any form with the built-in ``action_deactivate_loop``: the
member is answered even when this action server is down. This action only adds:

* a structured log record (the sender id as an HMAC keyed by ``LOG_ID_KEY``, category, reason,
  time; NEVER the message text);
* the slot ``emergency_escalated``;
* an optional POST of the same record to ``EMERGENCY_WEBHOOK_URL`` (bearer token from
  ``EMERGENCY_WEBHOOK_TOKEN`` if set, timeout ``EMERGENCY_WEBHOOK_TIMEOUT`` seconds, default 3).
  Failures are logged, never raised;
* ending a form that is still active, and ``utter_emergency_followup``.
"""
from __future__ import annotations

import asyncio
import json
import logging
import os
from datetime import datetime, timezone
from typing import Any

import requests
from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT

from actions import plan_contacts
from member_health.log_ids import member_log_id

logger = logging.getLogger(__name__)

WEBHOOK_URL_ENV = "EMERGENCY_WEBHOOK_URL"
WEBHOOK_TOKEN_ENV = "EMERGENCY_WEBHOOK_TOKEN"
WEBHOOK_TIMEOUT_ENV = "EMERGENCY_WEBHOOK_TIMEOUT"
DEFAULT_TIMEOUT_SECONDS = 3.0
ENTITY = "emergency_type"
UNSPECIFIED = "unspecified"


class ActionEmergencyEscalation(Action):
    """Record an emergency escalation and offer to continue once the member is safe."""

    def name(self) -> str:
        """Name of the action in the domain."""
        return "action_emergency_escalation"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[dict[str, Any]]:
        """Log, notify, set the slot, end any active form, then send the follow-up."""
        record = escalation_record(tracker)
        logger.warning(
            "emergency_escalation %s",
            json.dumps(record, sort_keys=True),
            extra={"emergency_escalation": record},
        )
        await notify_webhook(record)
        events: list[dict[str, Any]] = [SlotSet("emergency_escalated", True)]
        if tracker.active_loop_name:
            events += [ActiveLoop(None), SlotSet(REQUESTED_SLOT, None)]
        contacts = plan_contacts(instead="emergency follow-up not sent")
        if contacts is not None:
            dispatcher.utter_message(response="utter_emergency_followup", **contacts)
        return events


def escalation_record(tracker: Tracker) -> dict[str, Any]:
    """What is logged and sent for an escalation: ids and categories, no message text."""
    entity = _emergency_entity(tracker.latest_message or {})
    intent = (tracker.latest_message or {}).get("intent") or {}
    return {
        "event": "emergency_escalation",
        "conversation": member_log_id(tracker.sender_id),
        "category": tracker.get_slot(ENTITY) or entity.get("value") or UNSPECIFIED,
        "reason": entity.get("reason") or "classifier",
        "intent_confidence": intent.get("confidence"),
        "interrupted_form": _interrupted_form(tracker.events),
        "channel": tracker.get_latest_input_channel(),
        "timestamp": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }


async def notify_webhook(record: dict[str, Any]) -> bool:
    """POST ``record`` to the configured webhook; True when it was accepted (2xx)."""
    url = os.environ.get(WEBHOOK_URL_ENV, "").strip()
    if not url:
        return False
    headers = {"Content-Type": "application/json"}
    token = os.environ.get(WEBHOOK_TOKEN_ENV, "").strip()
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        response = await asyncio.to_thread(
            requests.post, url, json=record, headers=headers, timeout=_timeout()
        )
    except Exception as error:  # noqa: BLE001 - a failing webhook must never break the reply
        logger.warning("Emergency webhook failed: %s", type(error).__name__)
        return False
    if not 200 <= response.status_code < 300:
        logger.warning("Emergency webhook answered HTTP %s", response.status_code)
        return False
    return True


def _timeout() -> float:
    try:
        value = float(os.environ.get(WEBHOOK_TIMEOUT_ENV, DEFAULT_TIMEOUT_SECONDS))
    except ValueError:
        return DEFAULT_TIMEOUT_SECONDS
    return value if 0 < value <= 30 else DEFAULT_TIMEOUT_SECONDS


def _emergency_entity(latest_message: dict[str, Any]) -> dict[str, Any]:
    for entity in latest_message.get("entities") or []:
        if entity.get("entity") == ENTITY:
            return entity
    return {}


def _interrupted_form(events: list[dict[str, Any]]) -> str | None:
    """The form that was active when the member's latest message arrived, if any."""
    last_user = max((i for i, e in enumerate(events) if e.get("event") == "user"), default=-1)
    active: str | None = None
    for event in events[: max(last_user, 0)]:
        if event.get("event") == "active_loop":
            active = event.get("name")
    return active
