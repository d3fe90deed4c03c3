"""A tracker that folds its applied events as events are added and copies without a replay.

Rasa's ``DialogueStateTracker.applied_events()`` walks every event of the session each time it
is called: the processor calls it for the session-expiry check and the rule policy once per
action it predicts, so at turns 500-1200 of one conversation those walks were about 30 % of a
turn (py-spy, ``docs/performance.md``). ``FoldedTracker`` keeps its last result with the events
it covers and, when events were only appended since, continues Rasa's own fold (the same steps,
on Rasa's own helpers) over the new ones. Anything else gets Rasa's full computation: a changed
or shorter event list, a capped history, or a new loop name among the new events (a loop named
later changes how earlier runs of that action count). ``tests/unit/test_folded_tracker.py``
compares it with Rasa's after every event of scripted and random conversations.

Its ``copy()`` (the processor copies the tracker before every action it runs; Rasa replays every
event into a new tracker, 14 % of a turn at turns 500-1200) copies the state instead, with what
a replay sets differently: the follow-up action as the events alone leave it (the processor
clears it directly, a replay restores it), no model, assistant or sender source, own copies of
the empty placeholder messages. Same tests.

The tracker store hands it out (``tracker_cache.read``, ``clone``); nothing else changes.
"""
from __future__ import annotations

import copy
from collections import deque
from typing import Any

from rasa.shared.constants import DEFAULT_SENDER_ID
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
    ActiveLoop,
    Event,
    Restarted,
    SessionStarted,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

# (events covered, the last of them, the loop names among them, the applied events)
Folded = tuple[int, Event | None, frozenset[str], list[Event]]


def loop_names(events: list[Event]) -> frozenset[str]:
    """The names of the loops the events activate (Rasa's ``loop_names``)."""
    return frozenset(e.name for e in events if isinstance(e, ActiveLoop) and e.name)


# Put in place of the follow-up action while an event is applied: still there, it was not touched.
_UNTOUCHED = "\x00untouched"


def clone(tracker: DialogueStateTracker) -> DialogueStateTracker:
    """A copy a caller may change: own events list, slots and loop state; events shared
    (Rasa's processing adds events, it does not change stored ones)."""
    twin = copy.copy(tracker)
    twin.events = deque(tracker.events, tracker.events.maxlen)
    twin.slots = copy.copy(tracker.slots)
    for name, slot in tracker.slots.items():
        twin.slots[name] = copy.copy(slot)
    twin.active_loop = copy.copy(tracker.active_loop)
    twin.latest_action = dict(tracker.latest_action) if tracker.latest_action else {}
    return twin


def _latest(events: deque[Event], current: Any) -> Any:
    """``current`` if it is one of the events (a replay sets that same object); else it is the
    empty placeholder a reset put there, changed since by the same events a replay applies to
    its own fresh one (entities added, featurisation): a copy of it."""
    for event in reversed(events):
        if event is current:
            return current
    return copy.deepcopy(current)


class FoldedTracker(DialogueStateTracker):
    """``DialogueStateTracker`` whose ``applied_events()`` continues from its last result and
    whose ``copy()`` copies the state."""

    _folded: Folded | None = None
    _event_followup: str | None = None  # the follow-up action as the events leave it
    followup_action: str | None  # Rasa's attribute, declared for the type checker

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Rasa's tracker, remembering the follow-up action its events set."""
        super().__init__(*args, **kwargs)
        self._event_followup = self.followup_action

    def update(self, event: Event, domain: Domain | None = None) -> None:
        """Rasa's update; notes the follow-up action if the event set or cleared it."""
        before = self.followup_action
        self.followup_action = _UNTOUCHED
        try:
            super().update(event, domain)
        finally:
            if self.followup_action is _UNTOUCHED:
                self.followup_action = before
            else:
                self._event_followup = self.followup_action

    def copy(self) -> DialogueStateTracker:
        """What Rasa's copy (a replay of every event into a new tracker) holds."""
        if self._max_event_history is not None:  # a replay of a capped history differs
            return super().copy()
        twin = clone(self)
        twin.sender_id = self.sender_id or DEFAULT_SENDER_ID
        twin.sender_source = None
        twin.model_id = None
        twin.assistant_id = None
        twin.followup_action = self._event_followup
        twin.latest_message = _latest(self.events, self.latest_message)
        twin.latest_bot_utterance = _latest(self.events, self.latest_bot_utterance)
        return twin

    def applied_events(self) -> list[Event]:
        """Rasa's applied events (every event but the reverted ones and those before the last
        restart or session start), continued from the last call when events were appended."""
        events = list(self.events)
        folded = self._folded
        if folded is not None and self._max_event_history is None:
            seen, last, loops, applied = folded
            unchanged = seen <= len(events) and (seen == 0 or events[seen - 1] is last)
            new = events[seen:]
            if unchanged and not loop_names(new) - loops:
                applied = list(applied)
                for event in new:
                    self._fold(event, loops, applied)
                self._remember(events, loops, applied)
                return list(applied)
        result = super().applied_events()
        self._remember(events, loop_names(events), list(result))
        return result

    def _remember(self, events: list[Event], loops: frozenset[str], applied: list[Event]) -> None:
        self._folded = (len(events), events[-1] if events else None, loops, applied)

    def _fold(self, event: Event, loops: frozenset[str], applied: list[Event]) -> None:
        """One step of the loop in Rasa's ``DialogueStateTracker.applied_events``."""
        if isinstance(event, (Restarted, SessionStarted)):
            applied.clear()
        elif isinstance(event, ActionReverted):
            self._undo_till_previous(ActionExecuted, applied)
        elif isinstance(event, UserUtteranceReverted):
            self._undo_till_previous(UserUttered, applied)
            self._undo_till_previous(ActionExecuted, applied)
        elif (
            isinstance(event, ActionExecuted)
            and event.action_name in loops
            and not self._first_loop_execution_or_unhappy_path(event.action_name, applied)
        ):
            self._undo_till_previous_loop_execution(event.action_name, applied)
        else:
            applied.append(event)
