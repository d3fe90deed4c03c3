"""DIET's and the selector's NumPy prediction against Rasa's own TensorFlow prediction, on the
trained model and every message of the dev and blind sets and every fourth of the safety sets
(texts are never printed)."""
from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest
from rasa.nlu.classifiers.diet_classifier import DIETClassifier
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from member_health.paths import ROOT
from member_health_rasa.nlu.numerics import gelu, layer_norm
from member_health_rasa.nlu.numpy_diet import NumpyDIETClassifier, positions
from member_health_rasa.tools.nlu_eval import BLIND_DIR, FRESH_BLIND_DIR, dev_examples

TOLERANCE = 1e-5


def test_gelu_layer_norm_and_positions_are_tensorflows() -> None:
    import tensorflow as tf

    x = np.linspace(-4, 4, 24, dtype=np.float32).reshape(3, 8)
    gamma, beta = np.full(8, 1.5, np.float32), np.full(8, 0.25, np.float32)
    keras_norm = tf.keras.layers.LayerNormalization(epsilon=1e-6)
    keras_norm.build((3, 8))
    keras_norm.set_weights([gamma, beta])
    assert np.allclose(gelu(x), tf.nn.gelu(x).numpy(), atol=1e-6)
    assert np.allclose(layer_norm(x, gamma, beta, 1e-6), keras_norm(x).numpy(), atol=1e-5)
    assert positions(3, 4)[1].tolist() == pytest.approx(
        [np.sin(1), np.cos(1), np.sin(0.01), np.cos(0.01)]
    )


# Odd inputs: punctuation or an emoji only, one letter, a long repetition, other scripts, spaces.
ODD = [
    "???",
    "\U0001f44d",
    "a",
    "ok ok ok " * 300,
    "¿dónde está el médico? 骨癌",
    "   x   ",
    "I\nhave\tpain",
]


def texts() -> list[str]:
    found = ODD + [
        text
        for directory in (None, BLIND_DIR, FRESH_BLIND_DIR)
        for text, _ in (dev_examples(directory) if directory else dev_examples())
    ]
    for corpus in sorted((ROOT / "tests" / "safety").glob("*.jsonl")):  # every 4th: 100 s -> 40
        lines = [line for line in corpus.read_text().splitlines() if line]
        found += [json.loads(line)["text"] for line in lines[::4]]
    return found


def components(agent: Any) -> dict[str, Any]:
    nodes = agent.processor.graph_runner._instantiated_nodes
    return {name: getattr(node, "_component", None) for name, node in nodes.items()}


def test_numpy_scores_are_rasas_on_every_test_message(agent: Any) -> None:
    found = components(agent)
    featurize = [
        c
        for name, c in sorted(found.items(), key=lambda kv: node_index(kv[0]))
        if "Tokenizer" in name or "CountVectorsFeaturizer" in name
    ]
    predictors = {name: c for name, c in found.items() if isinstance(c, NumpyDIETClassifier)}
    assert {type(c).__name__ for c in predictors.values()} == {
        "NumpyDIETClassifier",
        "FaqResponseSelector",
    }, "config.yml's classifier and selector both predict in NumPy"
    for component in predictors.values():
        assert component.numpy_forward() is not None, component._forward_error
    worst, top_differs, count = 0.0, [], 0
    for position, text in enumerate(texts()):
        message = Message(data={TEXT: text})
        for component in featurize:
            component.process([message])
        for name, component in predictors.items():
            rasa = np.asarray(DIETClassifier._predict(component, message)["i_scores"]).flatten()
            ours = component.numpy_scores(message)
            assert ours is not None, (name, position)  # every test message takes the NumPy path
            worst = max(worst, float(np.abs(rasa - ours).max()))
            first, second = np.sort(rasa)[::-1][:2]
            if first - second > TOLERANCE and rasa.argmax() != ours.argmax():
                top_differs.append((name, position))
            count += 1
    assert count > 3000
    assert worst < TOLERANCE, worst
    assert not top_differs  # positions only: held-out texts are never printed


def node_index(name: str) -> int:
    digits = "".join(ch for ch in name if ch.isdigit())
    return int(digits) if digits else 10**6
