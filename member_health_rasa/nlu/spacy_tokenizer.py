"""spaCy's English tokenizer as a Rasa tokenizer, without a pretrained pipeline.

Rasa's own ``SpacyTokenizer`` needs ``SpacyNLP`` and a downloaded model; no spaCy 3.4 model can be
installed here, so this component tokenizes with ``spacy.blank("en")``: the same rule-based
English tokenizer (contractions, punctuation, units such as "10cm" -> "10", "cm").
"""
from __future__ import annotations

from functools import cache
from typing import Any

import spacy
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.training_data.message import Message
from spacy.language import Language


@cache
def blank_pipeline(language: str) -> Language:
    """One blank spaCy pipeline per language, shared by every component in the process."""
    return spacy.blank(language)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class SpacyBlankTokenizer(Tokenizer):
    """Tokenizes with spaCy's rule-based tokenizer for ``language`` (default English)."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Returns the component's default config."""
        return {
            "language": "en",
            "intent_tokenization_flag": False,
            "intent_split_symbol": "_",
            "token_pattern": None,
            "prefix_separator_symbol": None,
        }

    @staticmethod
    def supported_languages() -> list[str] | None:
        """Only English is configured and tested."""
        return ["en"]

    def __init__(self, config: dict[str, Any]) -> None:
        """Loads the blank pipeline once (no model download)."""
        super().__init__(config)
        self._nlp = blank_pipeline(self._config["language"])

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SpacyBlankTokenizer:
        """Creates the component (it has nothing to train or persist)."""
        return cls(config)

    def tokenize(self, message: Message, attribute: str) -> list[Token]:
        """Splits ``attribute`` into spaCy tokens, dropping whitespace and lone punctuation."""
        text = message.get(attribute) or ""
        doc = self._nlp.make_doc(text)
        tokens = [
            Token(token.text, token.idx)
            for token in doc
            if not token.is_space and not token.is_punct
        ]
        if not tokens and text:
            tokens = [Token(text, 0)]
        return self._apply_token_pattern(tokens)
