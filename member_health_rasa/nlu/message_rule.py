"""The frame every rule component of the pipeline shares (the nets, the guards, the offers).

Each reads a message's text and the predictions before it and may change the intent or add an
entity. What they share lives here: the config, a ``create`` for components with nothing to
load, and a ``process`` that hands each message's text to ``process_text`` — except an empty
text and a "/intent" payload (a button), which Rasa's RegexMessageHandler has already decided.
"""
from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME, INTENT_MESSAGE_PREFIX
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    INTENT_RESPONSE_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from member_health.clarify import topic_key


class MessageRule(GraphComponent, IntentClassifier):
    """Base of the project's rule components: subclasses implement ``process_text``."""

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
    ) -> MessageRule:
        """Creates the component (nothing to load; components that load a file override it)."""
        return cls(config)

    def process(self, messages: list[Message]) -> list[Message]:
        """Applies ``process_text`` to every message with a text that is not a payload."""
        for message in messages:
            text = message.get(TEXT) or ""
            if text and not text.startswith(INTENT_MESSAGE_PREFIX):
                self.process_text(message, text)
        return messages

    def process_text(self, message: Message, text: str) -> None:
        """Reads ``text`` and updates ``message`` (the subclass's rule)."""
        raise NotImplementedError


def predicted_intent(message: Message) -> str | None:
    """The intent the components before this one predicted."""
    return (message.get(INTENT) or {}).get(INTENT_NAME_KEY)


def set_intent(
    message: Message, name: str, confidence: float = 1.0, others_scale: float = 1.0
) -> None:
    """Make ``name`` the message's intent (``confidence``), first in the ranking; the other
    intents' confidences multiplied by ``others_scale`` (their order and ratios kept)."""
    intent = {INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: confidence}
    ranking = [
        {**r, PREDICTED_CONFIDENCE_KEY: (r.get(PREDICTED_CONFIDENCE_KEY) or 0.0) * others_scale}
        for r in message.get(INTENT_RANKING_KEY) or []
        if r[INTENT_NAME_KEY] != name
    ]
    message.set(INTENT, intent, add_to_output=True)
    message.set(INTENT_RANKING_KEY, [intent] + ranking, add_to_output=True)


def demote(message: Message, name: str, fallback_threshold: float) -> None:
    """Replaces the predicted ``name`` by the next intent in the ranking, the ranking's
    confidences renormalised without ``name`` (so a later FallbackClassifier compares like with
    like); ``nlu_fallback`` when the next intent is below ``fallback_threshold``."""
    dropped = {name, DEFAULT_NLU_FALLBACK_INTENT_NAME}
    rest = [r for r in message.get(INTENT_RANKING_KEY) or [] if r[INTENT_NAME_KEY] not in dropped]
    total = sum(r.get(PREDICTED_CONFIDENCE_KEY) or 0.0 for r in rest)
    rest = [
        {**r, PREDICTED_CONFIDENCE_KEY: (r.get(PREDICTED_CONFIDENCE_KEY) or 0.0) / total}
        for r in rest
    ] if total else rest  # fmt: skip
    best = rest[0] if rest else None
    confidence = (best.get(PREDICTED_CONFIDENCE_KEY) or 0.0) if best else 0.0
    if best and confidence >= fallback_threshold:
        intent = {INTENT_NAME_KEY: best[INTENT_NAME_KEY], PREDICTED_CONFIDENCE_KEY: confidence}
        rest = rest[1:]
    else:
        intent = {
            INTENT_NAME_KEY: DEFAULT_NLU_FALLBACK_INTENT_NAME,
            PREDICTED_CONFIDENCE_KEY: fallback_threshold,
        }
    message.set(INTENT, intent, add_to_output=True)
    message.set(INTENT_RANKING_KEY, [intent] + rest, add_to_output=True)


def faq_examples(training_data: TrainingData) -> list[tuple[str, str]]:
    """``(text, topic key)`` of every FAQ training example (``faq/<key>`` in data/nlu/faq_*.yml):
    what the components with their own topic classifier are fitted on."""
    return [
        (str(m.get(TEXT)), key)
        for m in training_data.intent_examples
        if m.get(TEXT) and (key := topic_key(m.get(INTENT_RESPONSE_KEY)))
    ]
