"""The topic clarifier as a Rasa component, on real Rasa ``Message`` objects."""
from __future__ import annotations

from typing import Any

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from member_health_rasa.nlu.topic_clarifier import TopicClarifier


@pytest.fixture(scope="module")
def clarifier(tmp_path_factory: pytest.TempPathFactory) -> TopicClarifier:
    return TopicClarifier.create(
        TopicClarifier.get_default_config(),
        LocalModelStorage(tmp_path_factory.mktemp("topic_clarifier")),
        Resource("topic_clarifier"),
        ExecutionContext(GraphSchema({})),
    )


def run(
    clarifier: TopicClarifier, text: str, intent: str, topics: list[tuple[str, float]]
) -> dict[str, Any]:
    message = Message(data={TEXT: text})
    message.set(INTENT, {"name": intent, "confidence": 0.9}, add_to_output=True)
    message.set(INTENT_RANKING_KEY, [{"name": intent, "confidence": 0.9}], add_to_output=True)
    ranking = [{"intent_response_key": f"faq/{k}", "confidence": c} for k, c in topics]
    message.set("response_selector", {"faq": {"ranking": ranking}}, add_to_output=True)
    clarifier.process([message])
    return message.as_dict(only_output_properties=True)


def test_an_uncertain_topic_becomes_a_question(clarifier: TopicClarifier) -> None:
    result = run(clarifier, "what does grade mean", "faq", [("staging", 0.4), ("diagnosis", 0.3)])
    assert result[INTENT] == {"name": "nlu_fallback", "confidence": 0.5}
    assert [r["name"] for r in result[INTENT_RANKING_KEY]] == ["nlu_fallback", "faq"]
    assert result["topic_clarifier"] == {"uncertain": True}


@pytest.mark.parametrize(
    ("text", "intent", "topics"),
    [
        ("what is osteosarcoma", "faq", [("osteosarcoma", 0.95)]),  # sure: answered
        ("hello", "greet", [("staging", 0.2)]),  # not an FAQ question
        ("i can't breathe", "emergency", [("symptoms", 0.2)]),  # never
        ("/faq", "faq", [("staging", 0.2)]),
    ],
)
def test_leaves_everything_else_alone(
    clarifier: TopicClarifier, text: str, intent: str, topics: list[tuple[str, float]]
) -> None:
    assert run(clarifier, text, intent, topics)[INTENT]["name"] == intent
