"""Emergency safety net in the Rasa server: an NLU component (last in the pipeline) and a policy.

Two detectors, one decision. The trained classifier (DIET) proposes an intent; this component
runs ``member_health.emergency`` (spaCy patterns + NegEx-style context) on the same text:

* the net fires (an affirmed alarm phrase, or an acute back-pain red flag read by
  ``member_health.red_flags.acute_flag``): the intent becomes ``emergency`` (confidence 1.0,
  first in the ranking), whatever DIET or the FallbackClassifier said;
* the member explicitly negates every emergency phrase the net found ("I'm not suicidal, just
  asking about bone cancer", "no chest pain") and DIET said ``emergency``: DIET is overruled
  (the fail-safe rule: a signal another layer raised is withdrawn only by the member's
  explicit negation of that very phrase; hypothetical, past or "stopped/gone/better" context
  never overrules DIET). The next intent in the ranking
  takes over (its confidence renormalised without ``emergency``), or ``nlu_fallback`` when
  that is below ``fallback_threshold``;
* otherwise (nothing found, or an affirmed mention the net cannot judge such as "severe
  pain"): DIET's prediction stands, including its ``emergency``. Safety first.

Whenever the final intent is ``emergency`` an ``emergency_type`` entity (value: the category,
or ``unspecified`` when only DIET saw it) is added, so the slot of the same name records the
reason and selects the response variation; the entity's ``reason`` is the pattern id. Every
parse also carries an ``emergency_net`` summary (ids and statuses, never message text).

The pattern file is read when the model is loaded (not stored in the model): clinicians'
edits take effect when the server restarts. A bad file stops the server with a clear message.

``EmergencyFirstPolicy`` (in the ``policies`` section) makes the emergency win in the middle of
a form too. Rasa's RulePolicy always runs an active form first ("loop happy path") and only
applies rules such as data/rules/emergency.yml once the form rejects the message; the form's
validation runs on the action server, so with that server down (or if the validator reads the
message as an answer) the member would get no 911 answer. The policy predicts
``utter_emergency`` -> ``action_deactivate_loop`` (if a form is active) ->
``action_emergency_escalation`` -> ``action_listen`` for an ``emergency`` message, above the
form. Both run inside the Rasa server.
"""
from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any

from rasa.core.constants import POLICY_PRIORITY, RULE_POLICY_PRIORITY
from rasa.core.policies.policy import Policy, PolicyPrediction
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.core.constants import (
    ACTION_DEACTIVATE_LOOP_NAME,
    ACTION_EXTRACT_SLOTS,
    ACTION_LISTEN_NAME,
)
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    EXTRACTOR,
    INTENT_NAME_KEY,
)
from rasa.shared.nlu.training_data.message import Message

from member_health.emergency import Decision, EmergencyDetector, load_detector
from member_health.red_flags import UNNAMED, acute_flag
from member_health_rasa.nlu.message_rule import MessageRule, demote, predicted_intent, set_intent

logger = logging.getLogger(__name__)

PATTERNS_PATH_KEY = "patterns_path"
INTENT_KEY = "intent"
ENTITY_KEY = "entity"
FALLBACK_THRESHOLD_KEY = "fallback_threshold"
SUMMARY_KEY = "emergency_net"
UNSPECIFIED = "unspecified"
ACUTE_RED_FLAG = "acute_red_flag_reader"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class EmergencySafetyNet(MessageRule):
    """Overrides the intent with ``emergency`` when the deterministic safety net fires."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """The component's default config (see parent class for full docstring)."""
        return {
            # Relative to the working directory of the Rasa server.
            PATTERNS_PATH_KEY: "data/patterns/emergency.yml",
            INTENT_KEY: "emergency",
            ENTITY_KEY: "emergency_type",
            # Below this (renormalised) confidence a demoted prediction becomes nlu_fallback;
            # keep it equal to the FallbackClassifier's threshold.
            FALLBACK_THRESHOLD_KEY: 0.5,
        }

    def __init__(self, config: dict[str, Any], detector: EmergencyDetector) -> None:
        """Creates the component around a loaded detector."""
        super().__init__(config)
        self.detector = detector

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> EmergencySafetyNet:
        """Reads and validates the pattern file (raises ``PatternFileError`` if it is bad)."""
        # The process's detector for the file (the rate limiter reads messages with it first).
        detector = load_detector(config[PATTERNS_PATH_KEY])
        logger.info("Emergency safety net loaded from %s", detector.path)
        return cls(config, detector)

    def process_text(self, message: Message, text: str) -> None:
        """Applies the safety net's decision to the message (see the module docstring)."""
        decision = self.detector.detect(text)
        flag = None
        if not decision.fired and not _only_past_or_hypothetical(decision, text):
            flag = acute_flag(text)
        if flag:
            # An acute back-pain red flag (sudden bladder/bowel loss, saddle numbness, sudden
            # leg weakness) read by the screen's own reader: an emergency too, unless the net
            # read every emergency phrase as past or hypothetical ("back in march my leg went
            # weak suddenly", "if my back pain ever comes with numbness down there").
            # A bare "can't stop" may not be the bladder: the unspecified reply (adds 988).
            category = UNSPECIFIED if flag == UNNAMED else "medical"
            decision = Decision(True, category, ACUTE_RED_FLAG, (0, len(text)), decision.matches)
        emergency = self.component_config[INTENT_KEY]
        predicted = predicted_intent(message)
        demoted = False
        if decision.fired:
            self._set_emergency(message)
            # A fired Decision always carries its span and reason (EmergencyDetector.detect);
            # the fallbacks only keep the entity if that ever changes.
            span = decision.span or (0, len(text))
            self._add_entity(message, decision.category, span, decision.reason or "fired")
        elif predicted == emergency and decision.dismissed:
            demote(
                message,
                self.component_config[INTENT_KEY],
                self.component_config[FALLBACK_THRESHOLD_KEY],
            )
            demoted = True
        elif predicted == emergency:
            self._add_entity(message, *_classifier_reason(decision, text))
        message.set(SUMMARY_KEY, _summary(decision, demoted), add_to_output=True)
        if decision.fired or demoted:
            logger.debug(
                "Emergency net: fired=%s category=%s reason=%s demoted=%s",
                decision.fired,
                decision.category,
                decision.reason,
                demoted,
            )

    def _set_emergency(self, message: Message) -> None:
        set_intent(message, self.component_config[INTENT_KEY])

    def _add_entity(
        self, message: Message, category: str | None, span: tuple[int, int], reason: str
    ) -> None:
        entity_type = self.component_config[ENTITY_KEY]
        entities = [
            e for e in message.get(ENTITIES) or [] if e.get(ENTITY_ATTRIBUTE_TYPE) != entity_type
        ]
        entities.append(
            {
                ENTITY_ATTRIBUTE_TYPE: entity_type,
                ENTITY_ATTRIBUTE_VALUE: category or UNSPECIFIED,
                ENTITY_ATTRIBUTE_START: span[0],
                ENTITY_ATTRIBUTE_END: span[1],
                "confidence_entity": 1.0,
                EXTRACTOR: self.__class__.__name__,
                "reason": reason,
            }
        )
        message.set(ENTITIES, entities, add_to_output=True)


# Words that put a symptom in the present ("now i can't control my bladder", "it's back since
# this morning"): with any of them the acute reader is trusted whatever the net read as past.
_PRESENT = re.compile(
    r"\b(?:now|rn|today|tonight|this (?:morning|afternoon|evening)|since|again|still"
    r"|currently|right away|(?:it'?s|is|are|came|coming|come) back|keeps?|started|starting)\b"
)

# "I'm fine now" says the danger is over, not that it is happening now.
_WELL_NOW = re.compile(r"\b(?:fine|ok|okay|good|better|great|well|healed|over it|normal) now\b")


def _only_past_or_hypothetical(decision: Decision, text: str) -> bool:
    """The net read every emergency phrase as past or hypothetical, and nothing is said to
    be happening now."""
    past = ("historical", "hypothetical")
    return (
        bool(decision.matches)
        and all(m.status in past for m in decision.matches)
        and not _PRESENT.search(_WELL_NOW.sub(" ", text.lower()))
    )


def _classifier_reason(decision: Decision, text: str) -> tuple[str, tuple[int, int], str]:
    """Category, span and reason when only the classifier said ``emergency``."""
    match = decision.affirmed_match
    if match:  # e.g. "severe pain": an emergency topic the net does not fire on by itself
        return match.category, (match.start, match.end), f"classifier+{match.pattern_id}"
    return UNSPECIFIED, (0, len(text)), "classifier"


def _summary(decision: Decision, demoted: bool) -> dict[str, Any]:
    return {
        "fired": decision.fired,
        "category": decision.category,
        "reason": decision.reason,
        "negated": list(decision.negated),
        "resolved": list(decision.resolved),
        "hypothetical": list(decision.hypothetical),
        "historical": list(decision.historical),
        "demoted_classifier": demoted,
    }


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True
)
class EmergencyFirstPolicy(Policy):
    """Answers an ``emergency`` message first in any state, even in the middle of a form."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """The policy's default config: it outranks the RulePolicy."""
        return {
            POLICY_PRIORITY: RULE_POLICY_PRIORITY + 1,
            "intent": "emergency",
            "response": "utter_emergency",
            "escalation_action": "action_emergency_escalation",
        }

    def train(
        self,
        training_trackers: list[TrackerWithCachedStates],
        domain: Domain,
        **kwargs: Any,
    ) -> Resource:
        """Nothing to learn; persists its config so the trained model can load it."""
        with self._model_storage.write_to(self._resource) as path:
            (Path(path) / "emergency_first_policy.json").write_text(
                json.dumps(self.config, sort_keys=True), encoding="utf-8"
            )
        return self._resource

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        """The next step of the emergency turn, or no prediction outside one."""
        probabilities = self._default_predictions(domain)
        action = self._next_action(tracker)
        if action is None or action not in domain.action_names_or_texts:
            return self._prediction(probabilities)
        probabilities[domain.index_for_action(action)] = 1.0
        # Like the RulePolicy's form prediction, this does not depend on featurised user
        # input; marking it so lets it compete with (and outrank) that prediction.
        return self._prediction(probabilities, is_no_user_prediction=True)

    def _next_action(self, tracker: DialogueStateTracker) -> str | None:
        done: list[str] = []
        for event in reversed(tracker.events):
            if isinstance(event, UserUttered):
                break
            if isinstance(event, ActionExecuted) and event.action_name != ACTION_EXTRACT_SLOTS:
                done.insert(0, event.action_name or "")
        else:
            return None  # no user message yet
        if (tracker.latest_message.intent or {}).get(INTENT_NAME_KEY) != self.config["intent"]:
            return None
        response, escalation = self.config["response"], self.config["escalation_action"]
        if not done:
            return response
        if done[-1] == response and tracker.active_loop_name:
            return ACTION_DEACTIVATE_LOOP_NAME
        if done[-1] in (response, ACTION_DEACTIVATE_LOOP_NAME):
            return escalation
        if done[-1] == escalation:
            return ACTION_LISTEN_NAME
        return None
