"""The second-question component as a Rasa component: trained on the real FAQ examples, stored,
loaded, then run on real Rasa ``Message`` objects."""
from __future__ import annotations

from typing import Any

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.importers.importer import TrainingDataImporter
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

from member_health.paths import ROOT
from member_health_rasa.nlu.second_question import SecondQuestion


@pytest.fixture(scope="module")
def component(tmp_path_factory: pytest.TempPathFactory) -> SecondQuestion:
    storage = LocalModelStorage(tmp_path_factory.mktemp("second_question"))
    resource = Resource("second_question")
    context = ExecutionContext(GraphSchema({}))
    config = SecondQuestion.get_default_config()
    importer = TrainingDataImporter.load_from_config(
        str(ROOT / "config.yml"), str(ROOT / "domain.yml"), [str(ROOT / "data")]
    )
    SecondQuestion.create(config, storage, resource, context).train(importer.get_nlu_data())
    return SecondQuestion.load(config, storage, resource, context)  # as the server loads it


def run(component: SecondQuestion, text: str, intent: str, answered: str) -> dict[str, Any]:
    message = Message(data={TEXT: text})
    message.set(INTENT, {"name": intent, "confidence": 0.9}, add_to_output=True)
    response = {"intent_response_key": f"faq/{answered}"}
    message.set("response_selector", {"faq": {"response": response}}, add_to_output=True)
    component.process([message])
    return message.as_dict(only_output_properties=True)


@pytest.mark.parametrize(
    ("text", "answered", "other", "asked"),
    [
        (
            "what is chordoma and how do doctors treat it?",
            "chordoma",
            "treatment",
            "how do doctors treat it",
        ),
        (
            "what is chordoma and how do doctors treat it?",
            "treatment",
            "chordoma",
            "what is chordoma",
        ),
        (
            "what does a biopsy involve? and what are the symptoms?",
            "biopsy",
            "symptoms",
            "what are the symptoms",
        ),
        ("how is it diagnosed, also how is it staged", "diagnosis", "staging", "how is it staged"),
    ],
)
def test_the_other_question_becomes_an_also_asked_entity(
    component: SecondQuestion, text: str, answered: str, other: str, asked: str
) -> None:
    result = run(component, text, "faq", answered)
    [entity] = result[ENTITIES]
    assert (entity["entity"], entity["value"]) == ("also_asked", other)
    assert text[entity["start"] : entity["end"]] == asked
    assert result["second_question"] == {"questions": 2, "also_asked": [other]}


@pytest.mark.parametrize(
    ("text", "intent", "answered"),
    [
        ("what is chordoma", "faq", "chordoma"),  # one question
        ("what are the signs and symptoms", "faq", "symptoms"),
        ("what is chordoma and is it a cancer", "faq", "chordoma"),  # both about one topic
        # never anything but a final faq
        ("what is chordoma and how is it treated", "nlu_fallback", "chordoma"),
        ("what is chordoma and how is it treated", "out_of_scope", "chordoma"),
        ("what is chordoma and how is it treated", "emergency", "chordoma"),
        ("what is chordoma and how is it treated", "start_back_pain_program", "chordoma"),
        ("/faq", "faq", "chordoma"),
    ],
)
def test_everything_else_is_left_alone(
    component: SecondQuestion, text: str, intent: str, answered: str
) -> None:
    result = run(component, text, intent, answered)
    assert not result.get(ENTITIES)
    assert result[INTENT]["name"] == intent


def test_an_untrained_component_offers_nothing(tmp_path: Any) -> None:
    context = ExecutionContext(GraphSchema({}))
    storage, resource = LocalModelStorage(tmp_path), Resource("never_trained")
    config = SecondQuestion.get_default_config()
    component = SecondQuestion.load(config, storage, resource, context)
    assert not run(component, "what is chordoma and how is it treated", "faq", "chordoma").get(
        ENTITIES
    )
