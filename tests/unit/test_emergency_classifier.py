"""The emergency classifier component: its examples file, its stored weights loaded as the server
loads them, and what it does to a message's intent when it reads an emergency or a calm text.

The weights here are the encoder's own layers with a head that answers 'emergency' (bias +10)
or 'calm' (bias -10) for every text, so each rule is tested on its own; how well the trained
classifier reads members' words is measured by the blind safety corpus (tests/safety).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.classifiers.fallback_classifier import FallbackClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from member_health.emergency import EmergencyDetector
from member_health.emergency_examples import ExamplesFileError, load_examples
from member_health.paths import ROOT
from member_health_rasa.nlu.emergency_classifier import (
    MODEL_FILE,
    SUMMARY_KEY,
    EmergencyClassifier,
)
from member_health_rasa.nlu.emergency_net import EmergencySafetyNet
from member_health_rasa.nlu.minilm import shared_encoder


def loaded(tmp_path: Path, bias: float | None) -> EmergencyClassifier:
    """The component as the server loads it, from stored weights (None: nothing stored)."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    storage, resource = LocalModelStorage(tmp_path), Resource("emergency_classifier")
    if bias is not None:
        with storage.write_to(resource) as directory:
            head = np.zeros(384, dtype=np.float32)
            np.savez(
                directory / MODEL_FILE, head=head, bias=bias, **shared_encoder().layer_weights()
            )
    config = EmergencyClassifier.get_default_config()
    return EmergencyClassifier.load(config, storage, resource, ExecutionContext(GraphSchema({})))


def parsed(component: EmergencyClassifier, text: str, *ranking: tuple[str, float]) -> Message:
    message = Message(data={TEXT: text})
    ranked = [{"name": name, "confidence": value} for name, value in ranking]
    message.set(INTENT, ranked[0])
    message.set(INTENT_RANKING_KEY, ranked)
    return component.process([message])[0]


def intent(message: Message) -> tuple[str, float]:
    return message.get(INTENT)["name"], round(message.get(INTENT)["confidence"], 3)


def test_an_emergency_reading_sets_the_intent_whatever_diet_said(tmp_path: Path) -> None:
    message = parsed(loaded(tmp_path, 10.0), "hello there", ("greet", 0.99), ("faq", 0.01))
    assert intent(message) == ("emergency", 1.0)
    ranking = [(r["name"], round(r["confidence"], 3)) for r in message.get(INTENT_RANKING_KEY)]
    assert ranking == [("emergency", 1.0), ("greet", 0.495), ("faq", 0.005)]
    assert message.get(SUMMARY_KEY) == {"score": 1.0, "replaced_diet_emergency": False}


def pipeline_config(name: str) -> dict[str, Any]:
    """The component's entry in config.yml (its thresholds as shipped), {} when it is not there
    (the emergency classifier is not enabled yet: docs/safety.md)."""
    config = yaml.safe_load((ROOT / "config.yml").read_text())
    entries = [c for c in config["pipeline"] if c["name"].split(".")[-1] == name]
    assert len(entries) <= 1
    return {k: v for k, v in entries[0].items() if k != "name"} if entries else {}


def classifier_config() -> dict[str, Any]:
    return {**EmergencyClassifier.get_default_config(), **pipeline_config("EmergencyClassifier")}


def test_the_fallback_thresholds_agree_across_the_pipeline() -> None:
    fallback = pipeline_config("FallbackClassifier")["threshold"]
    assert classifier_config()["fallback_threshold"] == fallback
    assert pipeline_config("EmergencySafetyNet")["fallback_threshold"] == fallback


@pytest.mark.parametrize("diet_top", [0.6, 0.9, 0.95, 0.99, 1.0])
@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("my dad is slumped over and won't answer me", "emergency"),
        # the member's explicit negation of the very phrase withdraws it (the net's rule)
        ("no chest pain, just asking about my copay", "faq"),
    ],
)
def test_the_classifiers_emergency_survives_the_fallback_until_the_net(
    tmp_path: Path, diet_top: float, text: str, want: str
) -> None:
    """EmergencyClassifier -> Rasa's FallbackClassifier -> EmergencySafetyNet, as config.yml
    orders and sets them, whatever DIET's confidence in another intent."""
    message = parsed(loaded(tmp_path, 10.0), text, ("faq", diet_top), ("greet", 1 - diet_top))
    fallback = FallbackClassifier({**FallbackClassifier.get_default_config(),
                                   **pipeline_config("FallbackClassifier")})  # fmt: skip
    net_config = {
        **EmergencySafetyNet.get_default_config(),
        **pipeline_config("EmergencySafetyNet"),
    }
    net = EmergencySafetyNet(net_config, EmergencyDetector(ROOT / net_config["patterns_path"]))
    message = net.process(fallback.process([message]))[0]
    assert message.get(INTENT)["name"] == want


def test_a_danger_late_in_a_long_message_is_scored_in_its_own_window(tmp_path: Path) -> None:
    component = loaded(tmp_path, 0.0)
    encoder = component.encoder
    assert encoder is not None
    danger = "he collapsed and stopped breathing"
    long_text = "my plan question is about the deductible and the copay. " * 20 + danger
    assert len(encoder.tokenizer.encode(long_text)) > 200
    # a head that scores a text by how close it is to the danger sentence
    direction = encoder.pooled([danger])[0]
    direction /= np.linalg.norm(direction)
    plain = encoder.pooled(["my plan question is about the deductible and the copay."])[0]
    bias = -float((plain @ direction + encoder.pooled([danger])[0] @ direction) / 2)
    component.head = (direction, bias)

    def one_pass(text: str) -> float:
        return float(1 / (1 + np.exp(-(encoder.pooled([text])[0] @ direction + bias))))

    assert component.score(danger) > 0.9 and one_pass(long_text[: -len(danger)]) < 0.1
    assert one_pass(long_text) < 0.5  # averaged over the whole message, the danger is lost
    assert component.score(long_text) > 0.9  # scored sentence by sentence too


@pytest.mark.parametrize("value", ["0.05", 0, 1, 1.5, None, True])
def test_a_bad_threshold_stops_the_server_with_its_name(tmp_path: Path, value: Any) -> None:
    config = {**EmergencyClassifier.get_default_config(), "threshold": value}
    with pytest.raises(ValueError, match="EmergencyClassifier's threshold"):
        EmergencyClassifier(config, LocalModelStorage(tmp_path), Resource("x"))


def test_the_shipped_threshold_is_the_default() -> None:
    assert classifier_config()["threshold"] == EmergencyClassifier.get_default_config()["threshold"]


@pytest.mark.parametrize(
    ("ranking", "want"),
    [
        ((("emergency", 0.9), ("faq", 0.08), ("greet", 0.02)), ("faq", 0.8)),
        ((("emergency", 0.9), ("faq", 0.05), ("greet", 0.05)), ("faq", 0.5)),
        # the next intent below the fallback threshold once renormalised: ask instead
        ((("emergency", 0.9), ("faq", 0.04), ("greet", 0.03), ("deny", 0.03)),
         ("nlu_fallback", 0.5)),
        ((("emergency", 1.0),), ("nlu_fallback", 0.5)),
    ],
)  # fmt: skip
def test_a_calm_reading_replaces_diets_emergency_by_its_next_intent(
    tmp_path: Path, ranking: Any, want: tuple[str, float]
) -> None:
    message = parsed(loaded(tmp_path, -10.0), "had a seizure years ago, fine since", *ranking)
    assert intent(message) == want
    assert "emergency" not in [r["name"] for r in message.get(INTENT_RANKING_KEY)]
    assert message.get(SUMMARY_KEY)["replaced_diet_emergency"]


def test_a_calm_reading_leaves_other_intents_alone(tmp_path: Path) -> None:
    message = parsed(loaded(tmp_path, -10.0), "hi", ("greet", 0.7), ("faq", 0.3))
    assert intent(message) == ("greet", 0.7)
    assert message.get(SUMMARY_KEY)["score"] < 0.01


def test_buttons_and_an_untrained_component_change_nothing(tmp_path: Path) -> None:
    payload = parsed(loaded(tmp_path / "a", 10.0), "/greet", ("greet", 1.0))
    assert intent(payload) == ("greet", 1.0)
    untrained = parsed(loaded(tmp_path / "b", None), "help", ("emergency", 0.9), ("faq", 0.1))
    assert intent(untrained) == ("emergency", 0.9)


def test_the_examples_file_has_both_kinds() -> None:
    examples = load_examples(ROOT / "data" / "patterns" / "emergency_examples.yml")
    assert sum(label for _, label in examples) >= 500
    assert sum(1 - label for _, label in examples) >= 500


@pytest.mark.parametrize(
    ("content", "error"),
    [
        ("emergency: [a, b]\n", "must map categories"),
        ("urgent:\n  x: [a]\n", "top-level keys"),
        ("calm:\n  x: a text\n", "'calm.x' must be a list"),
        ("calm:\n  x: [a, '']\n", "'calm.x' must be a list"),
        ("calm: [\n", "cannot read"),
    ],
)
def test_a_bad_examples_file_is_named_in_a_clear_error(
    tmp_path: Path, content: str, error: str
) -> None:
    path = tmp_path / "examples.yml"
    path.write_text(content)
    with pytest.raises(ExamplesFileError, match=error) as raised:
        load_examples(path)
    assert str(path) in str(raised.value)


def test_editing_the_examples_file_makes_rasa_retrain(tmp_path: Path) -> None:
    path = tmp_path / "examples.yml"
    config = {**EmergencyClassifier.get_default_config(), "examples_path": str(path)}
    path.write_text("calm:\n  x: [a]\n")
    before = EmergencyClassifier.fingerprint_addon(config)
    path.write_text("calm:\n  x: [a, b]\n")
    assert EmergencyClassifier.fingerprint_addon(config) not in (before, None)
