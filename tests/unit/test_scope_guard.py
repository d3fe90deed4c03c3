"""The scope guard as a Rasa component, on real Rasa ``Message`` objects."""
from __future__ import annotations

from typing import Any

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from member_health_rasa.nlu.scope_guard import ScopeGuard


@pytest.fixture(scope="module")
def guard(tmp_path_factory: pytest.TempPathFactory) -> ScopeGuard:
    return ScopeGuard.create(
        ScopeGuard.get_default_config(),
        LocalModelStorage(tmp_path_factory.mktemp("scope_guard")),
        Resource("scope_guard"),
        ExecutionContext(GraphSchema({})),
    )


def run(
    guard: ScopeGuard, text: str, ranking: list[tuple[str, float]], outside: float | None = None
) -> dict[str, Any]:
    intents = [{"name": name, "confidence": confidence} for name, confidence in ranking]
    message = Message(data={TEXT: text})
    if outside is not None:  # the topic ensemble's reading (topic_ensemble.py)
        message.set("topic_ensemble", {"out_of_scope": outside}, add_to_output=True)
    message.set(INTENT, dict(intents[0]), add_to_output=True)
    message.set(INTENT_RANKING_KEY, intents, add_to_output=True)
    guard.process([message])
    return message.as_dict(only_output_properties=True)


def test_a_question_about_another_cancer_is_out_of_scope(guard: ScopeGuard) -> None:
    result = run(guard, "is breast cancer hereditary", [("faq", 0.8), ("out_of_scope", 0.2)])
    assert result[INTENT] == {"name": "out_of_scope", "confidence": 1.0}
    assert [r["name"] for r in result[INTENT_RANKING_KEY]] == ["out_of_scope", "faq"]
    assert result["scope_guard"] == {"reason": "other_cancer"}


@pytest.mark.parametrize(
    ("text", "ranking"),
    [
        ("does my plan cover chest pain in the ER, i have it now", [("emergency", 0.9)]),  # never
        ("is my back program covered", [("start_back_pain_program", 0.9), ("faq", 0.1)]),
        ("i had breast cancer and my back hurts", [("report_red_flag", 0.9), ("faq", 0.1)]),
        ("does breast cancer spread to bone", [("faq", 0.9), ("greet", 0.1)]),
        ("what is osteosarcoma", [("faq", 0.9), ("greet", 0.1)]),
        ("/faq", [("faq", 1.0)]),
    ],
)
def test_leaves_everything_else_alone(
    guard: ScopeGuard, text: str, ranking: list[tuple[str, float]]
) -> None:
    assert run(guard, text, ranking)[INTENT]["name"] == ranking[0][0]


@pytest.mark.parametrize(
    ("outside", "ranking", "moved"),
    [
        (0.5, [("faq", 0.8)], True),
        (0.49, [("faq", 0.8)], False),
        (0.9, [("emergency", 0.8), ("faq", 0.2)], False),  # an emergency is never touched
        (0.9, [("report_red_flag", 0.8), ("faq", 0.2)], False),
    ],
)
def test_a_question_unlike_the_vocabulary_is_read_by_meaning(
    guard: ScopeGuard, outside: float, ranking: list[tuple[str, float]], moved: bool
) -> None:
    result = run(guard, "do you have a boyfriend", ranking, outside)
    assert (result[INTENT]["name"] == "out_of_scope") is moved
    if moved:
        assert result["scope_guard"] == {"reason": "by_meaning"}
