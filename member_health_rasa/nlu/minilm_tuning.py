"""Fine-tuning all-MiniLM-L6-v2's six layers and a one-output head, in TensorFlow (Rasa's own).

Used by the emergency classifier (emergency_classifier.py) at ``rasa train``. The forward pass
is the one minilm.py runs in NumPy at serving time (same weights layout: dense weights as
(in, out), query/key/value fused), so the trained layers drop into ``MiniLMEncoder.with_layers``;
tests/unit/test_minilm_tuning.py checks that both give the same outputs. The embeddings stay
frozen (the 47 MB word table is shared with the sentence encoder).

Repeatable on a given machine: a fixed seed for the head and the shuffle, and no TensorFlow
randomness; TensorFlow's CPU kernels give the same weights run after run and process after
process (tests/unit/test_minilm_tuning.py). Op determinism is not switched on: TensorFlow 2.12
cannot switch it off again for the rest of `rasa train`.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from member_health_rasa.nlu.minilm import MiniLMEncoder, padded

_WORDS = "embeddings.word_embeddings.weight"


@dataclass(frozen=True)
class TuningConfig:
    """How long and how fast to train (the defaults: docs/safety.md, session 13)."""

    epochs: int = 4
    learning_rate: float = 4e-5
    batch_size: int = 16
    max_tokens: int = 128
    weight_decay: float = 0.01
    warmup: float = 0.1
    seed: int = 42


@dataclass
class Tuned:
    """The fine-tuned layers (minilm.py's names) and the head: logit = pooled @ head + bias."""

    layers: dict[str, np.ndarray]
    head: np.ndarray
    bias: float


def token_ids(encoder: MiniLMEncoder, texts: Sequence[str], max_tokens: int) -> list[list[int]]:
    """Each text's token ids, cut to ``max_tokens`` (keeping the closing [SEP])."""
    out = []
    for text in texts:
        ids = encoder.tokenizer.encode(text)
        out.append(ids[: max_tokens - 1] + [ids[-1]] if len(ids) > max_tokens else ids)
    return out


def fine_tune(
    encoder: MiniLMEncoder,
    texts: Sequence[str],
    labels: Sequence[int],
    config: TuningConfig = TuningConfig(),
) -> Tuned:
    """Trains the layers and head on ``texts`` (label 1 = positive), the positives weighted by
    negatives / positives; returns the weights for NumPy inference."""
    y = np.asarray(labels, dtype=np.float32)
    if len(set(y.tolist())) < 2:
        raise ValueError("fine-tuning needs positive and negative examples")
    return _train(TFMiniLM(encoder, config.seed), texts, y, config)


class TFMiniLM:
    """minilm.py's forward pass in TensorFlow, its layers and a head as variables."""

    def __init__(self, encoder: MiniLMEncoder, seed: int, tuned: Tuned | None = None) -> None:
        """Starts from ``encoder``'s weights and a small random head (or from ``tuned``)."""
        import tensorflow as tf

        self.tf, self.encoder = tf, encoder
        w = encoder.w
        self.words = tf.constant(np.asarray(w[_WORDS]))
        self.positions = tf.constant(w["embeddings.position_embeddings.weight"])
        self.token_type = tf.constant(w["embeddings.token_type_embeddings.weight"][0])
        self.emb_norm = (
            tf.constant(w["embeddings.LayerNorm.weight"]),
            tf.constant(w["embeddings.LayerNorm.bias"]),
        )
        layers = tuned.layers if tuned else encoder.layer_weights()
        self.params = {name: tf.Variable(t) for name, t in layers.items()}
        rng = np.random.RandomState(seed)
        head = tuned.head[:, None] if tuned else rng.normal(0.0, 0.02, (encoder.dim, 1))
        self.head = tf.Variable(np.asarray(head, dtype=np.float32))
        self.bias = tf.Variable(np.array([tuned.bias if tuned else 0.0], dtype=np.float32))
        self.trainable = [*self.params.values(), self.head, self.bias]

    def _norm(self, x: Any, weight: Any, shift: Any) -> Any:
        mean, var = self.tf.nn.moments(x, axes=[-1], keepdims=True)
        return (x - mean) / self.tf.sqrt(var + self.encoder.eps) * weight + shift

    def _layer(self, x: Any, mask: Any, i: int) -> Any:
        tf, p, heads, dim = self.tf, f"encoder.layer.{i}.", self.encoder.heads, self.encoder.dim
        size = dim // heads

        def dense(t: Any, name: str) -> Any:
            return tf.matmul(t, self.params[p + name + ".weight"]) + self.params[p + name + ".bias"]

        def norm(t: Any, name: str) -> Any:
            return self._norm(t, self.params[p + name + ".weight"], self.params[p + name + ".bias"])

        batch, length = tf.shape(x)[0], tf.shape(x)[1]

        def split(t: Any) -> Any:
            return tf.transpose(tf.reshape(t, [batch, length, heads, size]), [0, 2, 1, 3])

        q, k, v = (split(t) for t in tf.split(dense(x, "attention.self.qkv"), 3, axis=-1))
        scores = tf.nn.softmax(tf.matmul(q, k, transpose_b=True) / np.sqrt(size) + mask, -1)
        context = tf.reshape(tf.transpose(tf.matmul(scores, v), [0, 2, 1, 3]), [batch, length, dim])
        x = norm(dense(context, "attention.output.dense") + x, "attention.output.LayerNorm")
        hidden = tf.nn.gelu(dense(x, "intermediate.dense"), approximate=False)
        return norm(dense(hidden, "output.dense") + x, "output.LayerNorm")

    def logits(self, ids: Any, present: Any) -> Any:
        """One logit per row of token ids (``present``: 1.0 where a token is, 0.0 padding)."""
        tf = self.tf
        x = tf.gather(self.words, ids) + self.positions[: tf.shape(ids)[1]] + self.token_type
        x = self._norm(x, *self.emb_norm)
        mask = ((1.0 - present) * -1e9)[:, None, None, :]
        for i in range(self.encoder.layers):
            x = self._layer(x, mask, i)
        pooled = tf.reduce_sum(x * present[..., None], 1) / tf.reduce_sum(present, 1, keepdims=True)
        return tf.squeeze(tf.matmul(pooled, self.head) + self.bias, -1)

    def tuned(self) -> Tuned:
        """The current weights, for NumPy inference."""
        layers = {name: v.numpy() for name, v in self.params.items()}
        return Tuned(layers, self.head.numpy()[:, 0], float(self.bias.numpy()[0]))


def _train(model: TFMiniLM, texts: Sequence[str], y: np.ndarray, cfg: TuningConfig) -> Tuned:
    tf = model.tf
    rng = np.random.RandomState(cfg.seed)
    pos_weight = float((len(y) - y.sum()) / y.sum())
    ids = token_ids(model.encoder, texts, cfg.max_tokens)
    steps = cfg.epochs * -(-len(ids) // cfg.batch_size)
    optimizer = tf.keras.optimizers.AdamW(
        learning_rate=cfg.learning_rate, weight_decay=cfg.weight_decay
    )

    @tf.function(reduce_retracing=True)
    def step(batch_ids: Any, present: Any, target: Any, rate: Any) -> Any:
        optimizer.learning_rate.assign(rate)
        with tf.GradientTape() as tape:
            logits = model.logits(batch_ids, present)
            loss = tf.reduce_mean(
                tf.nn.weighted_cross_entropy_with_logits(target, logits, pos_weight)
            )
        gradients = tape.gradient(loss, model.trainable)
        # AutoGraph replaces zip by its own, which has no strict=
        optimizer.apply_gradients(zip(gradients, model.trainable))  # noqa: B905
        return loss

    done = 0
    for _ in range(cfg.epochs):
        order = rng.permutation(len(ids))
        for start in range(0, len(order), cfg.batch_size):
            chunk = order[start : start + cfg.batch_size]
            batch_ids, present = padded([ids[i] for i in chunk])
            warm = min(1.0, (done + 1) / max(1.0, cfg.warmup * steps))
            rate = cfg.learning_rate * warm * max(0.0, (steps - done) / steps)
            step(batch_ids, present, y[chunk], np.float32(rate))
            done += 1
    return model.tuned()
