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

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.training_data.message import Message

from member_health.red_flags import reported_with_back_pain
from member_health_rasa.nlu.message_rule import MessageRule, predicted_intent, set_intent

INTENT_KEY = "intent"
NEVER_OVERRIDDEN = "never_overridden"
SUMMARY_KEY = "red_flag_net"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class RedFlagNet(MessageRule):
    """Sets ``report_red_flag`` for back pain stated with a red flag (see the module docstring)."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """The component's default config (see parent class for full docstring)."""
        return {INTENT_KEY: "report_red_flag", NEVER_OVERRIDDEN: ["emergency"]}

    def process_text(self, message: Message, text: str) -> None:
        """Sets ``report_red_flag`` when back pain is stated with a red flag."""
        if predicted_intent(message) in self.component_config[NEVER_OVERRIDDEN]:
            return
        flags = reported_with_back_pain(text)
        message.set(SUMMARY_KEY, {"flags": sorted(flags)}, add_to_output=True)
        if not flags:
            return
        set_intent(message, self.component_config[INTENT_KEY])
