"""A tracker that folds its applied events as events are added, instead of replaying them all.

Rasa's ``DialogueStateTracker.applied_events()`` walks every event of the session each time it
is called: the processor calls it for the session-expiry check and the rule policy once per
action it predicts, so at turns 500-1200 of one conversation those walks were about 30 % of a
turn (py-spy, ``docs/performance.md``). ``FoldedTracker`` keeps its last result with the events
it covers and, when events were only appended since, continues Rasa's own fold (the same steps,
on Rasa's own helpers) over the new ones. Anything else gets Rasa's full computation: a changed
or shorter event list, a capped history, or a new loop name among the new events (a loop named
later changes how earlier runs of that action count). ``tests/unit/test_folded_tracker.py``
compares it with Rasa's after every event of scripted and random conversations.

The tracker store hands it out (``tracker_cache.read``); nothing else changes.
"""
from __future__ import annotations

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


class FoldedTracker(DialogueStateTracker):
    """``DialogueStateTracker`` whose ``applied_events()`` continues from its last result."""

    _folded: Folded | None = None

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
