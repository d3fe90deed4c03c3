"""Fine-tuning in TensorFlow serves in NumPy: the two forward passes agree, training is repeatable.

The emergency classifier is trained by minilm_tuning.py (TensorFlow) and run by minilm.py
(NumPy) with the trained layers; a difference between the two would make the served model
another model than the one trained and measured.
"""
from __future__ import annotations

import numpy as np
import pytest

from member_health_rasa.nlu.minilm import padded, shared_encoder
from member_health_rasa.nlu.minilm_tuning import TFMiniLM, Tuned, TuningConfig, fine_tune, token_ids

TEXTS = [
    "my dad collapsed and isn't breathing",
    "had a seizure years ago, fine since",
    "what is osteosarcoma",
    "i want to end it all tonight",
    "thanks bye",
    "Ünïcödé and a very long word " + "x" * 120,
]


def perturbed() -> Tuned:
    """The encoder's own layers moved a little (as training would), and a random head."""
    rng = np.random.RandomState(7)
    layers = {
        name: (t + rng.normal(0, 0.01, t.shape)).astype(np.float32)
        for name, t in shared_encoder().layer_weights().items()
    }
    return Tuned(layers, rng.normal(0, 0.1, 384).astype(np.float32), 0.3)


def test_tensorflow_and_numpy_give_the_same_logits() -> None:
    tuned = perturbed()
    model = TFMiniLM(shared_encoder(), seed=0, tuned=tuned)
    ids, present = padded(token_ids(shared_encoder(), TEXTS, max_tokens=256))
    tf_logits = model.logits(ids, present).numpy()
    served = shared_encoder().with_layers(tuned.layers)
    np_logits = served.pooled(TEXTS) @ tuned.head + tuned.bias
    assert np.abs(tf_logits - np_logits).max() < 1e-3


def test_fine_tuned_layers_leave_the_sentence_encoder_unchanged() -> None:
    before = shared_encoder().encode(TEXTS[:2])
    shared_encoder().with_layers(perturbed().layers).pooled(TEXTS[:2])
    assert np.array_equal(shared_encoder().encode(TEXTS[:2]), before)


def test_missing_layer_weights_are_refused() -> None:
    layers = perturbed().layers
    layers.pop(next(iter(layers)))
    with pytest.raises(ValueError, match="lack"):
        shared_encoder().with_layers(layers)


def test_training_twice_gives_the_same_weights_and_learns() -> None:
    texts, labels = TEXTS[:5] * 2, [1, 0, 0, 1, 0] * 2
    config = TuningConfig(epochs=3, batch_size=4, learning_rate=1e-4)
    first = fine_tune(shared_encoder(), texts, labels, config)
    second = fine_tune(shared_encoder(), texts, labels, config)
    assert first.bias == second.bias
    assert all(np.array_equal(first.layers[n], second.layers[n]) for n in first.layers)
    served = shared_encoder().with_layers(first.layers)
    logits = served.pooled(TEXTS[:5]) @ first.head + first.bias
    assert min(logits[[0, 3]]) > max(logits[[1, 2, 4]])


def test_one_class_is_refused() -> None:
    with pytest.raises(ValueError, match="positive and negative"):
        fine_tune(shared_encoder(), TEXTS[:2], [0, 0])
