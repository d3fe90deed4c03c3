"""Two questions, two answers: an NLU component that records the topic a message also asks about.

"what is osteosarcoma and how is it treated?" is classified ``faq`` with one topic, which the
member gets as the answer. When the final intent is ``faq`` and ``member_health.two_questions``
finds two or more questions in the message, this component ranks each question's FAQ topics with
its own small classifier (``segment_topics.py``, fitted in ``train()`` on the FAQ training
examples) and, for each question the answer does not cover whose topic is sure enough, adds an
``also_asked`` entity: the topic key as value, the question's span as start and end. The rule
"Answer an FAQ question that also asks about another topic" (data/rules/faq.yml) then runs
``action_offer_also_asked`` after the answer: "You also asked about:" with that topic's button.

It runs last, after the nets: it reads only a final ``faq``, adds an entity and never changes an
intent, so an emergency, out-of-scope, fallback or any other decision stays as it was, and a
one-question message is parsed as before. Every parse of an FAQ question carries a
``second_question`` summary (counts and topic keys, never message text).
"""
from __future__ import annotations

import json
import logging
from typing import Any

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import RESPONSE_SELECTOR_PROPERTY_NAME
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    EXTRACTOR,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from member_health.clarify import FAQ, faq_topic, topic_key
from member_health.two_questions import other_topics, question_spans
from member_health_rasa.nlu.message_rule import MessageRule, faq_examples, predicted_intent
from member_health_rasa.nlu.segment_topics import SegmentTopics

logger = logging.getLogger(__name__)

THRESHOLD_KEY = "threshold"
ENTITY_KEY = "entity"
LIMIT_KEY = "limit"
SUMMARY_KEY = "second_question"
EXAMPLES_FILE = "faq_examples.json"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class SecondQuestion(MessageRule):
    """Adds an ``also_asked`` entity per other topic of an FAQ message (module docstring)."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """The component's default config (see parent class for full docstring)."""
        # 0.5: every dev-set FAQ question the classifier gives at least 0.5 is right.
        return {THRESHOLD_KEY: 0.5, ENTITY_KEY: "also_asked", LIMIT_KEY: 2}

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        topics: SegmentTopics,
    ) -> None:
        """Creates the component around a (possibly unfitted) topic classifier."""
        super().__init__(config)
        self._model_storage = model_storage
        self._resource = resource
        self.topics = topics

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SecondQuestion:
        """Creates an untrained component."""
        return cls(config, model_storage, resource, SegmentTopics([]))

    def train(self, training_data: TrainingData) -> Resource:
        """Fits the topic classifier on the FAQ examples and stores the examples."""
        examples = faq_examples(training_data)
        self.topics = SegmentTopics(examples)
        with self._model_storage.write_to(self._resource) as directory:
            (directory / EXAMPLES_FILE).write_text(json.dumps(examples), encoding="utf-8")
        return self._resource

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> SecondQuestion:
        """Reads the stored FAQ examples and fits the classifier again (deterministic)."""
        try:
            with model_storage.read_from(resource) as directory:
                examples = json.loads((directory / EXAMPLES_FILE).read_text(encoding="utf-8"))
        except (ValueError, FileNotFoundError):
            logger.warning("second_question: no trained examples; second topics are not offered")
            examples = []
        return cls(config, model_storage, resource, SegmentTopics([tuple(e) for e in examples]))

    def process_text(self, message: Message, text: str) -> None:
        """Adds the other topics of a two-question FAQ message."""
        if predicted_intent(message) != FAQ:
            return
        answered = topic_key(faq_topic(message.get(RESPONSE_SELECTOR_PROPERTY_NAME))) or ""
        spans = question_spans(text)
        rankings = self.topics.rank([text[start:end] for start, end in spans])
        found = other_topics(
            rankings,
            answered,
            self.component_config[THRESHOLD_KEY],
            self.component_config[LIMIT_KEY],
        )
        message.set(
            SUMMARY_KEY,
            {"questions": len(spans), "also_asked": [topic for _, topic in found]},
            add_to_output=True,
        )
        if not found:
            return
        entities = list(message.get(ENTITIES) or [])
        for index, topic in found:
            entities.append(
                {
                    ENTITY_ATTRIBUTE_TYPE: self.component_config[ENTITY_KEY],
                    ENTITY_ATTRIBUTE_VALUE: topic,
                    ENTITY_ATTRIBUTE_START: spans[index][0],
                    ENTITY_ATTRIBUTE_END: spans[index][1],
                    EXTRACTOR: self.__class__.__name__,
                }
            )
        message.set(ENTITIES, entities, add_to_output=True)
