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

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.constants import RESPONSE_SELECTOR_PROPERTY_NAME
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.nlu.training_data.message import Message

from member_health.clarify import FAQ, faq_ranking, is_uncertain
from member_health_rasa.nlu.message_rule import MessageRule, predicted_intent, set_intent

THRESHOLD_KEY = "threshold"
SUMMARY_KEY = "topic_clarifier"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class TopicClarifier(MessageRule):
    """Makes an uncertain FAQ topic an ``nlu_fallback`` (see the module docstring)."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """The component's default config (see parent class for full docstring)."""
        return {THRESHOLD_KEY: 0.5}

    def process_text(self, message: Message, text: str) -> None:
        """Makes an FAQ prediction with an uncertain topic an ``nlu_fallback``."""
        if predicted_intent(message) != FAQ:
            return
        ranking = faq_ranking(message.get(RESPONSE_SELECTOR_PROPERTY_NAME))
        uncertain = is_uncertain(ranking, self.component_config[THRESHOLD_KEY])
        message.set(SUMMARY_KEY, {"uncertain": uncertain}, add_to_output=True)
        if uncertain:
            set_intent(
                message, DEFAULT_NLU_FALLBACK_INTENT_NAME, self.component_config[THRESHOLD_KEY]
            )
