"""Out of scope stays out: an NLU component that withholds a bone-cancer answer from a question
about something else.

When the classifier answers with an FAQ topic but ``member_health.scope`` reads the message as
about another cancer or condition, or the plan's coverage and bills (``data/patterns/scope.yml``),
the intent becomes ``out_of_scope`` (confidence 1.0): the member gets what the assistant can help
with and the member-services / nurse-line handoff instead of a confident wrong answer. Only FAQ
predictions are moved; an emergency, a red flag or the back pain program is never touched, and
the emergency net still runs after this component and keeps the last word.

The vocabulary names what it knows; a question worded unlike it ("is gout in the family", "do
you have a boyfriend") is read by meaning too: when the topic ensemble's regression puts the
message with the ``out_of_scope`` training examples (``topic_ensemble.out_of_scope`` at or above
``meaning_threshold``), the FAQ prediction is moved the same way (reason ``by_meaning``).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.training_data.message import Message

from member_health.scope import ScopeVocabulary, load_vocabulary
from member_health_rasa.nlu.message_rule import MessageRule, predicted_intent, set_intent
from member_health_rasa.nlu.topic_ensemble import SUMMARY_KEY as ENSEMBLE_SUMMARY_KEY

VOCABULARY_PATH_KEY = "vocabulary_path"
INTENT_KEY = "intent"
MOVED_KEY = "moved_intents"
MEANING_KEY = "meaning_threshold"
SUMMARY_KEY = "scope_guard"
BY_MEANING = "by_meaning"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class ScopeGuard(MessageRule):
    """Moves an FAQ prediction about another topic to ``out_of_scope`` (module docstring)."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """The component's default config (see parent class for full docstring)."""
        return {
            # Relative to the working directory of the Rasa server.
            VOCABULARY_PATH_KEY: "data/patterns/scope.yml",
            INTENT_KEY: "out_of_scope",
            MOVED_KEY: ["faq"],
            # Dev set and the first blind set: at 0.5 no FAQ question moved (at 0.4, one).
            MEANING_KEY: 0.5,
        }

    def __init__(self, config: dict[str, Any], vocabulary: ScopeVocabulary) -> None:
        """Creates the component around a loaded vocabulary."""
        super().__init__(config)
        self.vocabulary = vocabulary

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> ScopeGuard:
        """Reads and checks the vocabulary file (raises ``ScopeFileError`` if it is bad)."""
        return cls(config, load_vocabulary(Path(config[VOCABULARY_PATH_KEY])))

    def process_text(self, message: Message, text: str) -> None:
        """Moves an FAQ prediction about another topic to ``out_of_scope``."""
        if predicted_intent(message) not in self.component_config[MOVED_KEY]:
            return
        reason = self.vocabulary.reason(text) or self._by_meaning(message)
        message.set(SUMMARY_KEY, {"reason": reason}, add_to_output=True)
        if reason:
            set_intent(message, self.component_config[INTENT_KEY])

    def _by_meaning(self, message: Message) -> str | None:
        outside = (message.get(ENSEMBLE_SUMMARY_KEY) or {}).get("out_of_scope", 0.0)
        return BY_MEANING if outside >= self.component_config[MEANING_KEY] else None
