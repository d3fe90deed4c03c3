"""Answer the member when a custom action fails, instead of ending the turn in silence.

When the action server is down, slow or broken, Rasa 3.6's ``RemoteAction.run`` raises; the
processor logs "Encountered an exception while running action ..." and goes on with no events,
so the member gets no reply (and waits up to Rasa's fixed 5-minute timeout when the server
hangs). Rasa has no setting for either, so ``install()`` wraps ``RemoteAction.run`` in the Rasa
server process (called by ``member_health_rasa.ops.server_hooks``, which the REST channel installs):

- the call is bounded by ``ACTION_TIMEOUT_S`` (env, default 10 s);
- on any failure except a deliberate rejection (a form's validation saying "not this slot"),
  the member is sent the domain response ``utter_action_unavailable`` right away through the
  turn's output channel, and the action returns no events, so the turn ends with a clear reply
  and the conversation goes on normally once the action server is back. (It is sent directly
  because a failing slot-mapping call inside ``action_extract_slots`` would otherwise never
  reach the member: Rasa does not send bot messages from that step.)
- the member is told once per turn (per output channel, which each message gets anew), and the
  rest of that turn does not wait on the action server again;
- a form's validation action (``validate_<form>``) that fails returns a no-op ``SlotSet`` of
  the requested slot: the form then asks its question again and stays active, instead of
  being rejected (a rejected form does not resume by itself on the next message);
- after the emergency response (``utter_emergency``, a domain response that needs no action
  server) the failure of the escalation action is logged only: the 911 instruction already
  went out and stays the last word.
"""
from __future__ import annotations

import asyncio
import logging
import os
import weakref
from typing import Any

from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from rasa.shared.core.constants import REQUESTED_SLOT
from rasa.shared.core.events import BotUttered, Event, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

logger = logging.getLogger(__name__)

ACTION_TIMEOUT_S = float(os.environ.get("ACTION_TIMEOUT_S", "10"))
UNAVAILABLE = "utter_action_unavailable"
EMERGENCY = "utter_emergency"
FALLBACK_TEXT = "Sorry, I can't do that right now. Please try again in a few minutes."


def responses_this_turn(tracker: DialogueStateTracker) -> list[str]:
    """Names of the responses the bot sent since the member's latest message."""
    names = []
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            break
        if isinstance(event, BotUttered):
            names.append(str((event.metadata or {}).get("utter_action") or ""))
    return names


def keep_form_waiting(action_name: str, tracker: DialogueStateTracker) -> list[Event]:
    """For a form's validation action: re-set the requested slot to its current value."""
    requested = tracker.get_slot(REQUESTED_SLOT)
    if not action_name.startswith("validate_") or not requested:
        return []
    return [SlotSet(requested, tracker.get_slot(requested))]


async def tell_unavailable(
    output_channel: Any, nlg: Any, tracker: DialogueStateTracker, domain: Any
) -> None:
    """Send ``utter_action_unavailable`` to the member, unless an emergency reply went out."""
    if EMERGENCY in responses_this_turn(tracker):
        return
    message = await nlg.generate(
        UNAVAILABLE,
        tracker,
        output_channel.name(),
        domain_responses=getattr(domain, "responses", None),
    )
    message = dict(message or {"text": FALLBACK_TEXT})
    message["utter_action"] = UNAVAILABLE
    await output_channel.send_response(tracker.sender_id, message)


def install() -> None:
    """Wrap ``RemoteAction.run`` once per process."""
    if getattr(RemoteAction.run, "guarded", False):
        return
    original = RemoteAction.run
    failed_turns: weakref.WeakSet = weakref.WeakSet()  # output channels already told

    async def run(
        self: RemoteAction, output_channel: Any, nlg: Any, tracker: Any, domain: Any
    ) -> list[Event]:
        if output_channel in failed_turns:
            logger.warning("Skipped custom action '%s': the action server failed.", self.name())
            return keep_form_waiting(self.name(), tracker)
        try:
            return await asyncio.wait_for(
                original(self, output_channel, nlg, tracker, domain), ACTION_TIMEOUT_S
            )
        except ActionExecutionRejection:
            raise
        except asyncio.TimeoutError:
            reason = f"no answer within {ACTION_TIMEOUT_S:g} s"
        except Exception as error:  # noqa: BLE001 - any failure must still answer the member
            reason = type(error).__name__
        logger.error("Custom action '%s' failed (%s); the member is told.", self.name(), reason)
        failed_turns.add(output_channel)
        await tell_unavailable(output_channel, nlg, tracker, domain)
        return keep_form_waiting(self.name(), tracker)

    run.guarded = True  # type: ignore[attr-defined]
    RemoteAction.run = run
