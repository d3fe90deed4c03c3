"""Answer the member when a custom action fails, instead of ending the turn in silence.

When the action server is down, slow or broken, Rasa 3.6's ``RemoteAction.run`` raises; the
processor logs "Encountered an exception while running action ..." and goes on with no events,
so the member gets no reply (and waits up to Rasa's fixed 5-minute timeout when the server
hangs). Rasa has no setting for either, so ``install()`` wraps ``RemoteAction.run`` in the Rasa
server process (``member_health_rasa.ops.extensions`` calls it when the server starts):

- the call is bounded by ``ACTION_TIMEOUT_S`` (env, default 10 s);
- on any failure except a deliberate rejection (a form's validation saying "not this slot"),
  the member is sent the domain response ``utter_action_unavailable`` right away through the
  turn's output channel, and the action returns no events, so the turn ends with a clear reply
  and the conversation goes on normally once the action server is back. (It is sent directly
  because a failing slot-mapping call inside ``action_extract_slots`` would otherwise never
  reach the member: Rasa does not send bot messages from that step.)
- the member is told once per turn, and the rest of that turn does not wait on the action
  server again. A turn is the conversation's sender id plus its latest user message (stored
  timestamp and text), never the output channel: Telegram's channel, for one, shares one output
  object between every update of every chat;
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
from collections import OrderedDict
from collections.abc import Awaitable, Callable
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
REMEMBERED_TURNS = 10_000  # conversations whose latest failed turn is remembered (oldest dropped)

Run = Callable[[RemoteAction, Any, Any, DialogueStateTracker, Any], Awaitable[list[Event]]]


def turn_key(tracker: DialogueStateTracker) -> tuple[Any, ...]:
    """The turn an action runs in: the sender and the latest user message (its stored timestamp
    and text). With no user message yet, the tracker's empty one, created with the tracker."""
    latest = tracker.latest_message
    return (tracker.sender_id, getattr(latest, "timestamp", None), getattr(latest, "text", None))


class FailedTurns:
    """The turn of each conversation in which a custom action last failed (bounded)."""

    def __init__(self, size: int = REMEMBERED_TURNS) -> None:
        self.size = size
        self._turns: OrderedDict[str, tuple[Any, ...]] = OrderedDict()

    def add(self, tracker: DialogueStateTracker) -> None:
        self._turns[tracker.sender_id] = turn_key(tracker)
        self._turns.move_to_end(tracker.sender_id)
        while len(self._turns) > self.size:
            self._turns.popitem(last=False)

    def __contains__(self, tracker: DialogueStateTracker) -> bool:
        return self._turns.get(tracker.sender_id) == turn_key(tracker)


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


def guarded(original: Run, failed_turns: FailedTurns | None = None) -> Run:
    """``original`` (``RemoteAction.run``) bounded in time, answering the member on failure."""
    failed = FailedTurns() if failed_turns is None else failed_turns

    async def run(
        self: RemoteAction, output_channel: Any, nlg: Any, tracker: Any, domain: Any
    ) -> list[Event]:
        if tracker in failed:
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
        failed.add(tracker)
        await tell_unavailable(output_channel, nlg, tracker, domain)
        return keep_form_waiting(self.name(), tracker)

    run.guarded = True  # type: ignore[attr-defined]
    return run


def install() -> None:
    """Wrap ``RemoteAction.run`` once per process."""
    if not getattr(RemoteAction.run, "guarded", False):
        # Private patch: Rasa 3.6 has no action timeout setting and no hook for a failed action.
        RemoteAction.run = guarded(RemoteAction.run)
