"""Ask instead of guessing: an NLU component that turns an uncertain FAQ topic into a question.

When the classifier says ``faq`` but the ResponseSelector's best topic is below ``threshold``,
the intent becomes ``nlu_fallback`` (the ranking is kept): the fallback rule then runs
``action_clarify_topic``, which offers the likely topics as buttons (numbered on SMS) instead of
answering one that is probably wrong (``member_health.clarify``). It runs after the scope guard
(a question about something else is out of scope, not a choice of bone-cancer topics) and
before the nets, which keep the last word.
"""
from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.constants import RESPONSE_SELECTOR_PROPERTY_NAME
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME, INTENT_MESSAGE_PREFIX
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from member_health.clarify import FAQ, faq_ranking, is_uncertain
from member_health_rasa.nlu.emergency_net import set_intent

THRESHOLD_KEY = "threshold"
SUMMARY_KEY = "topic_clarifier"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class TopicClarifier(GraphComponent, IntentClassifier):
    """Makes an uncertain FAQ topic an ``nlu_fallback`` (see the module docstring)."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """The component's default config (see parent class for full docstring)."""
        return {THRESHOLD_KEY: 0.5}

    def __init__(self, config: dict[str, Any]) -> None:
        """Creates the component."""
        self.component_config = config

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> TopicClarifier:
        """Creates the component (nothing to load)."""
        return cls(config)

    def process(self, messages: list[Message]) -> list[Message]:
        """Applies the rule to each message."""
        for message in messages:
            self._process(message)
        return messages

    def _process(self, message: Message) -> None:
        text = message.get(TEXT) or ""
        intent = message.get(INTENT) or {}
        if not text or text.startswith(INTENT_MESSAGE_PREFIX) or intent.get(INTENT_NAME_KEY) != FAQ:
            return
        ranking = faq_ranking(message.get(RESPONSE_SELECTOR_PROPERTY_NAME))
        uncertain = is_uncertain(ranking, self.component_config[THRESHOLD_KEY])
        message.set(SUMMARY_KEY, {"uncertain": uncertain}, add_to_output=True)
        if uncertain:
            set_intent(
                message, DEFAULT_NLU_FALLBACK_INTENT_NAME, self.component_config[THRESHOLD_KEY]
            )
