"""A RulePolicy that featurises only the turns its rules can look at (issue 20).

Stock Rasa turns the whole conversation into states for every action it predicts, so a turn
costs more the longer the conversation (``docs/performance.md``). This subclass hands the
featuriser a window of the tracker (``member_health_rasa.policies.window``) instead: the states
the rules compare are the same, so are its predictions (tests/unit/test_windowed_policies.py
plays the test stories and a 300-turn conversation with the window on and off). Training is
Rasa's own (the window is off while training), so the trained lookups are the stock ones.

config.yml names it in place of ``RulePolicy``, same options. (A windowed MemoizationPolicy
was here too until the policy was dropped: every test story passes on the rules alone, and in
an FAQ conversation, where every turn is a hidden rule turn, no window shorter than the
conversation held its states.)
"""
from __future__ import annotations

import json
from typing import Any

from rasa.core.policies.rule_policy import RULES, RULES_FOR_LOOP_UNHAPPY_PATH, RulePolicy
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.core.domain import Domain, State
from rasa.shared.core.events import Event
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker

from member_health_rasa.policies.window import Enough, enough_for_rules, window


class _WindowMixin:
    """The window of the tracker being predicted, built once per prediction."""

    windowing: bool = True  # False: stock behaviour (training, the equivalence tests)
    _window_cache: tuple[DialogueStateTracker, int, Event | None, DialogueStateTracker] | None

    def train(
        self, training_trackers: list[TrackerWithCachedStates], domain: Domain, **kwargs: Any
    ) -> Resource:
        """Rasa's training on the whole trackers (RulePolicy's contradiction check predicts on
        whole stories): the window is off until it is done."""
        self.windowing = False
        try:
            return super().train(training_trackers, domain, **kwargs)  # type: ignore[misc]
        finally:
            self.windowing = True

    def _windowed(
        self, tracker: DialogueStateTracker, actions: int, enough: Enough
    ) -> DialogueStateTracker:
        if not self.windowing or isinstance(tracker, TrackerWithCachedStates):
            return tracker
        last = tracker.events[-1] if tracker.events else None
        cached = getattr(self, "_window_cache", None)
        if cached and cached[0] is tracker and cached[1] == len(tracker.events):
            if cached[2] is last:
                return cached[3]
        result = window(tracker, actions, enough)
        self._window_cache = (tracker, len(tracker.events), last, result)
        return result


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True
)
class WindowedRulePolicy(_WindowMixin, RulePolicy):
    """RulePolicy featurising only as many turns as its longest rule (plus the slots and the
    active loop, which the window carries)."""

    _rule_length: int | None = None

    def train(
        self, training_trackers: list[TrackerWithCachedStates], domain: Domain, **kwargs: Any
    ) -> Resource:
        """Rasa's training (window off); the longest rule is measured again afterwards."""
        self._rule_length = None
        return super().train(training_trackers, domain, **kwargs)

    def rule_length(self) -> int:
        """The number of states of the longest rule (unhappy loop paths included)."""
        if self._rule_length is None:
            keys = [*self.lookup.get(RULES, {}), *self.lookup.get(RULES_FOR_LOOP_UNHAPPY_PATH, {})]
            self._rule_length = max((len(json.loads(key)) for key in keys), default=0)
        return self._rule_length

    def _prediction_states(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        use_text_for_last_user_input: bool = False,
        rule_only_data: dict[str, Any] | None = None,
    ) -> list[State]:
        """Rasa's states, from the last turns the longest rule can look at."""
        length = self.rule_length()
        tracker = self._windowed(tracker, length + 2, enough_for_rules(length))
        return super()._prediction_states(
            tracker, domain, use_text_for_last_user_input, rule_only_data=rule_only_data
        )
