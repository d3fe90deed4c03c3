"""Back-pain red flags stated outside the screen: an NLU component that adds, never removes.

A member who says they have back pain together with one of the four red flags ("I'm a cancer
survivor and my back hurts", "lower back pain and I keep throwing up") must get the doctor
recommendation (``report_red_flag``), not the FAQ topic the words also resemble. When
``member_health.red_flags.reported_with_back_pain`` finds such a statement, the intent becomes
``report_red_flag`` (confidence 1.0). It never changes an ``emergency`` and runs before the
emergency net, which keeps the last word. Questions are left to the classifier.
"""
from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.constants import INTENT_MESSAGE_PREFIX
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from member_health.red_flags import reported_with_back_pain
from member_health_rasa.nlu.emergency_net import set_intent

INTENT_KEY = "intent"
NEVER_OVERRIDDEN = "never_overridden"
SUMMARY_KEY = "red_flag_net"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class RedFlagNet(GraphComponent, IntentClassifier):
    """Sets ``report_red_flag`` for back pain stated with a red flag (see the module docstring)."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """The component's default config (see parent class for full docstring)."""
        return {INTENT_KEY: "report_red_flag", NEVER_OVERRIDDEN: ["emergency"]}

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
    ) -> RedFlagNet:
        """Creates the component (nothing to load)."""
        return cls(config)

    def process(self, messages: list[Message]) -> list[Message]:
        """Applies the rule to each message."""
        for message in messages:
            self._process(message)
        return messages

    def _process(self, message: Message) -> None:
        text = message.get(TEXT) or ""
        predicted = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
        if not text or text.startswith(INTENT_MESSAGE_PREFIX):
            return
        if predicted in self.component_config[NEVER_OVERRIDDEN]:
            return
        flags = reported_with_back_pain(text)
        message.set(SUMMARY_KEY, {"flags": sorted(flags)}, add_to_output=True)
        if not flags:
            return
        set_intent(message, self.component_config[INTENT_KEY])
