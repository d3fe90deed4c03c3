"""The last turns of a conversation as a small tracker, for policies that only look that far back.

Rasa's policies featurise a tracker by replaying *every* applied event and computing a state per
action (``Domain.states_for_tracker_history``), although RulePolicy only compares the last few
states with its rules. ``window`` builds a
tracker that starts at a member message (a ``UserUttered``) close to the end and carries the
slots and the active loop of that point as its first events. Its states equal the full
tracker's from its second state on (the first lacks the previous action and the user input of
before the cut); the caller checks that the states it uses are all of those (``Enough``) and
widens the window until they are, or falls back to the whole tracker.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence

from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    AllSlotsReset,
    Event,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

# Does a candidate window hold every state the policy uses, exactly as the full tracker has it?
Enough = Callable[[DialogueStateTracker], bool]


def cut_index(applied: Sequence[Event], actions: int) -> int:
    """Index of the ``UserUttered`` before the last ``actions`` actions (0: no such message)."""
    seen = 0
    for index in range(len(applied) - 1, -1, -1):
        event = applied[index]
        if isinstance(event, ActionExecuted):
            seen += 1
        elif isinstance(event, UserUttered) and seen >= actions:
            return index
    return 0


def state_events(tracker: DialogueStateTracker, applied: Sequence[Event], cut: int) -> list[Event]:
    """Events that set the slots and the active loop to what ``applied[:cut]`` left them at.

    Only ``SlotSet``, ``AllSlotsReset`` and ``ActiveLoop`` change them among applied events
    (restarts and session starts are never applied events: ``applied_events`` starts after
    them), and the tracker's own slots and loop are those ``applied`` leaves. So what no event
    from the cut on changes is taken from the tracker, the rest from the last event before the
    cut that set it (none: the initial value).
    """
    changed: set[str] = set()
    loop_changed = False
    for event in applied[cut:]:
        if isinstance(event, SlotSet):
            changed.add(event.key)
        elif isinstance(event, AllSlotsReset):
            changed.update(tracker.slots)
        elif isinstance(event, ActiveLoop):
            loop_changed = True
    values = {name: slot.value for name, slot in tracker.slots.items() if name not in changed}
    loop = tracker.active_loop.name if tracker.active_loop else None
    missing = changed & set(tracker.slots)
    for index in range(cut - 1, -1, -1):
        if not missing and not loop_changed:
            break
        event = applied[index]
        if isinstance(event, SlotSet) and event.key in missing:
            values[event.key] = event.value
            missing.discard(event.key)
        elif isinstance(event, AllSlotsReset):
            missing = set()  # the slots not set since keep their initial values
        elif isinstance(event, ActiveLoop) and loop_changed:
            loop, loop_changed = event.name, False
    if loop_changed:
        loop = None  # no loop before the cut
    events: list[Event] = [SlotSet(key, value) for key, value in values.items()]
    if loop is not None:
        events.append(ActiveLoop(loop))
    return events


def build(
    tracker: DialogueStateTracker, applied: Sequence[Event], cut: int
) -> DialogueStateTracker:
    """A tracker with the state of ``applied[:cut]`` as its first events, then ``applied[cut:]``."""
    window = tracker.init_copy()
    for event in state_events(tracker, applied, cut):
        window.update(event)
    for index in range(cut, len(applied)):
        window.update(applied[index])
    return window


_applied: tuple[DialogueStateTracker, int, Event | None, list[Event]] | None = None


def applied_events(tracker: DialogueStateTracker) -> list[Event]:
    """``tracker.applied_events()``, computed once while the tracker does not change (each of
    RulePolicy's two lookups windows the same tracker)."""
    global _applied
    last = tracker.events[-1] if tracker.events else None
    if _applied is None or _applied[0] is not tracker or _applied[1] != len(tracker.events):
        _applied = None
    elif _applied[2] is last:
        return _applied[3]
    result = tracker.applied_events()
    _applied = (tracker, len(tracker.events), last, result)
    return result


def window(tracker: DialogueStateTracker, actions: int, enough: Enough) -> DialogueStateTracker:
    """A window of ``actions`` actions if it is ``enough``; else (or when the conversation is
    not longer) ``tracker`` itself."""
    applied = applied_events(tracker)
    cut = cut_index(applied, actions)
    if cut == 0:
        return tracker
    candidate = build(tracker, applied, cut)
    return candidate if enough(candidate) else tracker


def enough_for_rules(rule_length: int) -> Enough:
    """Rules compare the last ``rule_length`` states: every state but the window's first."""

    def enough(candidate: DialogueStateTracker) -> bool:
        states = 1 + sum(isinstance(event, ActionExecuted) for event in candidate.events)
        return states - 1 > rule_length

    return enough
