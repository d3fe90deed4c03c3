"""The red-flag net as a Rasa component, on real Rasa ``Message`` objects."""
from __future__ import annotations

from typing import Any

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from member_health_rasa.nlu.red_flag_net import RedFlagNet


@pytest.fixture(scope="module")
def net(tmp_path_factory: pytest.TempPathFactory) -> RedFlagNet:
    return RedFlagNet.create(
        RedFlagNet.get_default_config(),
        LocalModelStorage(tmp_path_factory.mktemp("red_flag_net")),
        Resource("red_flag_net"),
        ExecutionContext(GraphSchema({})),
    )


def run(net: RedFlagNet, text: str, ranking: list[tuple[str, float]]) -> dict[str, Any]:
    intents = [{"name": name, "confidence": confidence} for name, confidence in ranking]
    message = Message(data={TEXT: text})
    message.set(INTENT, dict(intents[0]), add_to_output=True)
    message.set(INTENT_RANKING_KEY, intents, add_to_output=True)
    net.process([message])
    return message.as_dict(only_output_properties=True)


def test_back_pain_with_a_red_flag_becomes_report_red_flag(net: RedFlagNet) -> None:
    result = run(net, "I'm a cancer survivor and my back hurts", [("faq", 0.8), ("greet", 0.2)])
    assert result[INTENT] == {"name": "report_red_flag", "confidence": 1.0}
    assert [r["name"] for r in result[INTENT_RANKING_KEY]] == ["report_red_flag", "faq", "greet"]
    assert result["red_flag_net"] == {"flags": ["cancer_history"]}


@pytest.mark.parametrize(
    ("text", "ranking"),
    [
        ("my back hurts and I can't breathe", [("emergency", 0.9), ("faq", 0.1)]),  # never
        ("can back pain be a sign of bone cancer?", [("faq", 0.9), ("greet", 0.1)]),
        ("my back hurts", [("start_back_pain_program", 0.9), ("faq", 0.1)]),
        ("/affirm", [("affirm", 1.0)]),
    ],
)
def test_leaves_everything_else_alone(
    net: RedFlagNet, text: str, ranking: list[tuple[str, float]]
) -> None:
    assert run(net, text, ranking)[INTENT]["name"] == ranking[0][0]
