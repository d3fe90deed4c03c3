"""Rasa's ResponseSelector, run only on messages that may be FAQ questions (issue 20).

The selector picks an FAQ topic for every message, greetings and form answers included, and
only an ``faq`` message (or one the fallback turns into the likely topics' buttons) ever uses
its pick: 12 % of the server's busy time at 10 members (py-spy) went to picks nobody read.
A message is skipped only when the intent classifier is sure of an intent that no later
component turns back into ``faq`` or ``nlu_fallback``: not ``faq``, not ``emergency`` (the
emergency net may demote the classifier's ``emergency`` to the next intent, which may be
``faq``), at or above ``SURE`` (far above the fallback's 0.5 and its 0.1 ambiguity margin).
A skipped message has no ``response_selector`` output; everything else is the selector's own.
"""
from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.selectors.response_selector import ResponseSelector
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, PREDICTED_CONFIDENCE_KEY
from rasa.shared.nlu.training_data.message import Message

from member_health.clarify import FAQ
from member_health_rasa.nlu.numpy_diet import NumpyDIETClassifier

SURE = 0.9
# Intents whose message may still end up answered with an FAQ topic.
MAY_BECOME_FAQ = frozenset({FAQ, "emergency"})


def may_be_faq(message: Message) -> bool:
    """False only when the classifier is sure of an intent that never becomes ``faq``."""
    intent = message.get(INTENT) or {}
    name = intent.get(INTENT_NAME_KEY)
    confidence = float(intent.get(PREDICTED_CONFIDENCE_KEY) or 0.0)
    return name is None or name in MAY_BECOME_FAQ or confidence < SURE


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class FaqResponseSelector(NumpyDIETClassifier, ResponseSelector):
    """ResponseSelector that selects for the messages that may be FAQ questions only (in NumPy)."""

    def process(self, messages: list[Message]) -> list[Message]:
        """The selector's pick on every message that may be an FAQ question."""
        asked = [message for message in messages if may_be_faq(message)]
        if asked:
            super().process(asked)
        return messages
