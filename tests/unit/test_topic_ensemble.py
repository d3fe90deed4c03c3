"""The topic ensemble: the blend (a table), then the component trained on the real FAQ examples,
stored, loaded as the server loads it, and run on Rasa ``Message`` objects."""
from __future__ import annotations

from typing import Any

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.importers.importer import TrainingDataImporter
from rasa.shared.nlu.constants import INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from member_health.paths import ROOT
from member_health_rasa.nlu.topic_ensemble import TopicEnsemble, blend


def ranked(*pairs: tuple[str, float]) -> list[dict[str, Any]]:
    return [{"intent_response_key": key, "confidence": value} for key, value in pairs]


@pytest.mark.parametrize(
    ("selector", "regression", "weight", "want"),
    [
        # equal weights: the regression's strong second choice overtakes a narrow first
        (ranked(("faq/a", 0.6), ("faq/b", 0.4)), {"faq/a": 0.1, "faq/b": 0.9}, 0.5,
         ranked(("faq/b", 0.65), ("faq/a", 0.35))),
        # weight 1 keeps the selector's order and values
        (ranked(("faq/a", 0.6), ("faq/b", 0.4)), {"faq/a": 0.1, "faq/b": 0.9}, 1.0,
         ranked(("faq/a", 0.6), ("faq/b", 0.4))),
        # a topic the selector's ranking left out counts 0 there; the length stays the selector's
        (ranked(("faq/a", 0.9)), {"faq/a": 0.0, "faq/c": 1.0}, 0.5, ranked(("faq/c", 0.5))),
        # ties go to the key's order, so the result never depends on dict order
        (ranked(("faq/b", 0.5), ("faq/a", 0.5)), {}, 1.0, ranked(("faq/a", 0.5), ("faq/b", 0.5))),
    ],
)  # fmt: skip
def test_blend(selector: list, regression: dict, weight: float, want: list) -> None:
    got = blend(selector, regression, weight)
    assert [r["intent_response_key"] for r in got] == [r["intent_response_key"] for r in want]
    assert [r["confidence"] for r in got] == pytest.approx([r["confidence"] for r in want])


@pytest.fixture(scope="module")
def component(tmp_path_factory: pytest.TempPathFactory) -> TopicEnsemble:
    storage = LocalModelStorage(tmp_path_factory.mktemp("topic_ensemble"))
    resource = Resource("topic_ensemble")
    context = ExecutionContext(GraphSchema({}))
    config = TopicEnsemble.get_default_config()
    importer = TrainingDataImporter.load_from_config(
        str(ROOT / "config.yml"), str(ROOT / "domain.yml"), [str(ROOT / "data")]
    )
    TopicEnsemble.create(config, storage, resource, context).train(importer.get_nlu_data())
    return TopicEnsemble.load(config, storage, resource, context)


def run(
    component: TopicEnsemble, text: str, ranking: list[dict[str, Any]], faq: float = 0.9
) -> dict[str, Any]:
    message = Message(data={TEXT: text})
    message.set(INTENT_RANKING_KEY, [{"name": "faq", "confidence": faq}])
    response = {"intent_response_key": ranking[0]["intent_response_key"], "responses": None}
    message.set("response_selector", {"faq": {"response": response, "ranking": ranking}})
    component.process([message])
    return message.get("response_selector")["faq"]


def test_meaning_outweighs_a_narrow_wrong_first_topic(component: TopicEnsemble) -> None:
    faq = run(
        component,
        "which therapies will the doctors use to get rid of my bone tumour",
        ranked(("faq/chordoma", 0.52), ("faq/treatment", 0.48)),
    )
    assert faq["ranking"][0]["intent_response_key"] == "faq/treatment"
    assert faq["response"]["intent_response_key"] == "faq/treatment"
    assert faq["response"]["utter_action"] == "utter_faq/treatment"
    [answer] = faq["response"]["responses"]  # the answer the member gets, from the domain
    assert answer["metadata"]["title"] == "Treatment"


def test_the_regression_confirms_an_unsure_selector(component: TopicEnsemble) -> None:
    faq = run(component, "what is chordoma?", ranked(("faq/chordoma", 0.6), ("faq/types", 0.4)))
    assert faq["response"]["intent_response_key"] == "faq/chordoma"
    assert faq["ranking"][0]["confidence"] > 0.6  # the regression is surer than the selector


def run_message(component: TopicEnsemble, text: str, ranking: list[dict[str, Any]]) -> Message:
    message = Message(data={TEXT: text})
    message.set(INTENT_RANKING_KEY, [{"name": "faq", "confidence": 0.9}])
    response = {"intent_response_key": ranking[0]["intent_response_key"], "responses": None}
    message.set("response_selector", {"faq": {"response": response, "ranking": ranking}})
    component.process([message])
    return message


def test_the_out_of_scope_examples_are_a_class_of_their_own(component: TopicEnsemble) -> None:
    """data/nlu/out_of_scope.yml is learnt as one more class; topics are blended without it."""
    assert "out_of_scope" in component.regression["classes"].tolist()  # type: ignore[index]
    ranking = ranked(("faq/survivorship", 0.55), ("faq/treatment", 0.45))
    outside = run_message(component, "can you recommend a good pizza place nearby", ranking)
    inside = run_message(component, "what treatments are there for bone cancer", ranking)
    assert outside.get("topic_ensemble")["out_of_scope"] > 0.5
    assert inside.get("topic_ensemble")["out_of_scope"] < 0.1
    keys = [r["intent_response_key"] for r in outside.get("response_selector")["faq"]["ranking"]]
    assert "out_of_scope" not in keys and all(k.startswith("faq/") for k in keys)


def test_a_sure_selector_is_kept_as_it_is(component: TopicEnsemble) -> None:
    ranking = ranked(("faq/chordoma", 0.9), ("faq/treatment", 0.1))
    text = "which therapies will the doctors use to get rid of my bone tumour"
    assert run(component, text, ranking)["ranking"] == ranking


@pytest.mark.parametrize(("faq", "reranked"), [(0.09, False), (0.1, True)])
def test_the_ranking_is_blended_only_when_faq_is_plausible(
    component: TopicEnsemble, faq: float, reranked: bool
) -> None:
    ranking = ranked(("faq/chordoma", 0.52), ("faq/treatment", 0.48))
    got = run(
        component, "which therapies will the doctors use to get rid of my bone tumour", ranking, faq
    )
    assert (got["ranking"] != ranking) is reranked


def test_two_questions_keep_the_selectors_ranking(component: TopicEnsemble) -> None:
    ranking = ranked(("faq/treatment", 0.52), ("faq/chordoma", 0.48))
    assert run(component, "what is chordoma? and how is it treated?", ranking)["ranking"] == ranking


def test_button_payloads_and_messages_without_a_selector_are_left_alone(
    component: TopicEnsemble,
) -> None:
    ranking = ranked(("faq/chordoma", 0.52), ("faq/treatment", 0.48))
    assert run(component, "/faq", ranking)["ranking"] == ranking
    message = Message(data={TEXT: "what is chordoma?"})
    component.process([message])
    assert message.get("response_selector") is None


def test_an_untrained_model_keeps_the_selectors_ranking(tmp_path: Any) -> None:
    storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(GraphSchema({}))
    config = TopicEnsemble.get_default_config()
    untrained = TopicEnsemble.load(config, storage, Resource("missing"), context)
    ranking = ranked(("faq/chordoma", 0.52), ("faq/treatment", 0.48))
    assert run(untrained, "which therapies will I get", ranking)["ranking"] == ranking


def test_two_topics_give_two_probabilities(tmp_path: Any) -> None:
    """scikit-learn stores one row of coefficients for two classes (the second's log-odds)."""
    import numpy as np

    storage = LocalModelStorage(tmp_path)
    regression = {
        "coef": np.ones((1, 384), dtype=np.float32),
        "intercept": np.zeros(1, dtype=np.float32),
        "classes": np.array(["faq/a", "faq/b"]),
    }
    config = TopicEnsemble.get_default_config()
    two = TopicEnsemble(config, storage, Resource("two"), regression, {})
    probabilities = two.probabilities("what is chordoma?")
    assert set(probabilities) == {"faq/a", "faq/b"}
    assert sum(probabilities.values()) == pytest.approx(1.0)
