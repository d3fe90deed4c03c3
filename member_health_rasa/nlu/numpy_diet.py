"""DIET's and the ResponseSelector's prediction in NumPy, from the weights Rasa trained (issue 20).

Rasa predicts one message by building its model data (padding, sparse-to-TensorFlow conversion)
and calling a ``tf.function`` whose signature it matches on every call: 14 % of the server's busy
time at 10 members (py-spy) went there, against 3 % for the computation itself. For one message
the computation is small (a sparse product, one transformer layer of 128 units, a dot product with
the precomputed label embeddings), so it runs here in NumPy on the same weights:

- the sparse-to-dense layers of the sequence and sentence features, the sentence row appended
  after the tokens (``RasaFeatureCombiningLayer``);
- the feed-forward layers (``Ffnn``: kernels times their connection masks, exact GELU);
- the transformer (``TransformerEncoder``: input projection times sqrt(units), sinusoidal
  positions, pre-norm layers, a final layer norm, GELU) when the model has one;
- the sentence position's embedding against ``all_labels_embed``: inner product and softmax.

``NumpyDIETClassifier`` is the ``DIETClassifier`` named in config.yml (and the base of
``FaqResponseSelector``). It overrides the private ``_predict`` (the one method that turns a
message into scores; reason: the per-call cost above) and keeps Rasa's own path for anything
it does not cover: dense features, diagnostic data (``rasa test``), relative attention, a
unidirectional encoder, cosine or non-softmax confidences. ``tests/unit/test_numpy_diet.py``
checks it against Rasa's TensorFlow prediction on the dev, blind and safety sets' messages
(same top label, scores to 1e-5).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.diet_classifier import DIETClassifier
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, FEATURE_TYPE_SEQUENCE, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.utils.tensorflow.constants import FEATURIZERS

from member_health_rasa.nlu.numerics import gelu, layer_norm, one_blas_thread, softmax

LAYER_NORM_EPSILON = 1e-6  # the transformer's LayerNormalization(epsilon=1e-6)


def positions(length: int, units: int) -> np.ndarray:
    """``TransformerEncoder._positional_encoding``: sin on even units, cos on odd ones."""
    angles = 1 / np.power(10000, (2 * (np.arange(units)[np.newaxis, :] // 2)) / np.float32(units))
    angle_rads = (np.arange(length, dtype=np.float32)[:, np.newaxis] * angles).astype(np.float32)
    encoding = np.zeros_like(angle_rads)
    encoding[:, 0::2] = np.sin(angle_rads[:, 0::2])
    encoding[:, 1::2] = np.cos(angle_rads[:, 1::2])
    return encoding


@dataclass(frozen=True)
class Dense:
    """A dense layer's effective kernel (times its connection mask), bias and GELU or none."""

    kernel: np.ndarray
    bias: np.ndarray | None
    gelu: bool

    @classmethod
    def of(cls, layer: Any) -> Dense:
        kernel = layer.kernel.numpy()
        mask = getattr(layer, "kernel_mask", None)
        if mask is not None:
            kernel = kernel * mask.numpy()
        bias = layer.bias.numpy() if getattr(layer, "use_bias", False) else None
        activation = getattr(layer.activation, "__name__", "linear")
        if activation not in ("gelu", "linear"):
            raise ValueError(f"unsupported activation {activation}")
        return cls(kernel.astype(np.float32), bias, activation == "gelu")

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return self.finish(x @ self.kernel)

    def sparse(self, parts: list[scipy.sparse.spmatrix]) -> np.ndarray:
        """The layer on the column-wise concatenation of ``parts`` (``DenseForSparse``)."""
        rows, columns, values, offset = [], [], [], 0
        for part in parts:
            coo = part.tocoo()
            rows.append(coo.row)
            columns.append(coo.col + offset)
            values.append(coo.data)
            offset += coo.shape[1]
        if offset != self.kernel.shape[0]:
            raise ValueError(f"{offset} sparse features for a kernel of {self.kernel.shape[0]}")
        value = np.concatenate(values).astype(np.float32)
        # (tokens x non-zeros) times the kernel rows of the non-zeros: the sparse product
        spread = np.zeros((parts[0].shape[0], value.size), np.float32)
        spread[np.concatenate(rows), np.arange(value.size)] = value
        return self.finish(spread @ self.kernel[np.concatenate(columns)])

    def finish(self, product: np.ndarray) -> np.ndarray:
        out = product if self.bias is None else product + self.bias
        return gelu(out) if self.gelu else out


@dataclass(frozen=True)
class EncoderLayer:
    """One ``TransformerEncoderLayer``: pre-norm attention and feed-forward, each residual."""

    norm: tuple[np.ndarray, np.ndarray]
    query: Dense
    key: Dense
    value: Dense
    output: Dense
    ffn_norm: tuple[np.ndarray, np.ndarray]
    ffn_in: Dense
    ffn_out: Dense
    heads: int

    def __call__(self, x: np.ndarray) -> np.ndarray:
        length, units = x.shape
        depth = units // self.heads
        normed = layer_norm(x, *self.norm, LAYER_NORM_EPSILON)

        def split(t: np.ndarray) -> np.ndarray:
            return t.reshape(length, self.heads, depth).transpose(1, 0, 2)

        query, key, value = (
            split(self.query(normed)),
            split(self.key(normed)),
            split(self.value(normed)),
        )
        weights = softmax(query @ key.transpose(0, 2, 1) / np.float32(math.sqrt(depth)))
        attention = (weights @ value).transpose(1, 0, 2).reshape(length, units)
        x = x + self.output(attention)
        return x + self.ffn_out(self.ffn_in(layer_norm(x, *self.ffn_norm, LAYER_NORM_EPSILON)))


@dataclass(frozen=True)
class Encoder:
    """``TransformerEncoder`` followed by the sequence layer's GELU."""

    embedding: Dense
    layers: tuple[EncoderLayer, ...]
    norm: tuple[np.ndarray, np.ndarray]

    def __call__(self, x: np.ndarray) -> np.ndarray:
        x = self.embedding(x)
        units = x.shape[-1]
        x = x * np.float32(math.sqrt(units)) + positions(x.shape[0], units)
        for layer in self.layers:
            x = layer(x)
        return gelu(layer_norm(x, *self.norm, LAYER_NORM_EPSILON))

    @classmethod
    def of(cls, transformer: Any) -> Encoder:
        if transformer.unidirectional:
            raise ValueError("unidirectional encoder")
        layers = []
        for layer in transformer._enc_layers:
            mha = layer._mha
            if mha.use_key_relative_position or mha.use_value_relative_position:
                raise ValueError("relative attention")
            ffn_norm, ffn_in, _, ffn_out, _ = layer._ffn_layers
            layers.append(
                EncoderLayer(
                    norm=_norm(layer._layer_norm),
                    query=Dense.of(mha._query_dense_layer),
                    key=Dense.of(mha._key_dense_layer),
                    value=Dense.of(mha._value_dense_layer),
                    output=Dense.of(mha._output_dense_layer),
                    ffn_norm=_norm(ffn_norm),
                    ffn_in=Dense.of(ffn_in),
                    ffn_out=Dense.of(ffn_out),
                    heads=mha.num_heads,
                )
            )
        return cls(Dense.of(transformer._embedding), tuple(layers), _norm(transformer._layer_norm))


def _norm(layer: Any) -> tuple[np.ndarray, np.ndarray]:
    if not math.isclose(layer.epsilon, LAYER_NORM_EPSILON):
        raise ValueError(f"layer norm epsilon {layer.epsilon}")
    return layer.gamma.numpy(), layer.beta.numpy()


@dataclass(frozen=True)
class Forward:
    """A trained DIET model's text side and label embeddings: one message's label scores."""

    sequence: Dense
    sentence: Dense
    ffnn: tuple[Dense, ...]
    encoder: Encoder | None
    embed: Dense
    labels: np.ndarray  # (number of labels, embedding dimension)

    def scores(
        self, sequence: list[scipy.sparse.spmatrix], sentence: list[scipy.sparse.spmatrix]
    ) -> np.ndarray:
        """Softmax confidences of every label, as Rasa's ``i_scores`` (flattened), from each
        featurizer's sparse sequence and sentence features (in the message's order)."""
        x = np.concatenate([self.sequence.sparse(sequence), self.sentence.sparse(sentence)])
        for layer in self.ffnn:
            x = layer(x)
        if self.encoder is not None:
            x = self.encoder(x)
        return softmax(self.embed(x[-1]) @ self.labels.T)

    @classmethod
    def of(cls, model: Any) -> Forward:
        """Read the weights of a loaded ``rasa.nlu.classifiers.diet_classifier.DIET``."""
        loss = model._tf_layers["loss.label"]
        if loss.similarity_type != "inner" or loss.model_confidence != "softmax":
            raise ValueError("only inner-product similarity with softmax confidences")
        sequence_layer = model._tf_layers[f"sequence_layer.{TEXT}"]
        combining = sequence_layer._tf_layers["feature_combining"]._tf_layers
        if set(combining) != {
            f"sparse_dense.{FEATURE_TYPE_SEQUENCE}",
            f"sparse_dense.{FEATURE_TYPE_SENTENCE}",
        }:
            raise ValueError(f"feature combining {sorted(combining)}")
        if not model.prepared_for_prediction:  # as RasaModel._rasa_predict does
            model.prepare_for_predict()
            model.prepared_for_prediction = True
        ffnn = sequence_layer._tf_layers["ffnn"]._ffn_layers
        return cls(
            sequence=_sparse_to_dense(combining[f"sparse_dense.{FEATURE_TYPE_SEQUENCE}"]),
            sentence=_sparse_to_dense(combining[f"sparse_dense.{FEATURE_TYPE_SENTENCE}"]),
            ffnn=tuple(Dense.of(layer) for layer in ffnn if hasattr(layer, "kernel")),
            encoder=(
                Encoder.of(sequence_layer._tf_layers["transformer"])
                if sequence_layer._has_transformer
                else None
            ),
            embed=Dense.of(model._tf_layers[f"embed.{TEXT}"]._dense),
            labels=np.asarray(model.all_labels_embed, dtype=np.float32).reshape(
                -1, model.all_labels_embed.shape[-1]
            ),
        )


def _sparse_to_dense(concatenate: Any) -> Dense:
    layers = concatenate._tf_layers
    if set(layers) - {"sparse_dropout", "sparse_to_dense", "dense_dropout"}:
        raise ValueError(f"sparse layers {sorted(layers)}")
    return Dense.of(layers["sparse_to_dense"])


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class NumpyDIETClassifier(DIETClassifier):
    """Rasa's DIETClassifier, predicting in NumPy for the plain case and as Rasa does otherwise.

    Also the base of ``FaqResponseSelector`` (a ``ResponseSelector`` is a ``DIETClassifier``).
    """

    _forward: Forward | None = None
    _forward_error: str | None = None

    def numpy_forward(self) -> Forward | None:
        """The NumPy forward pass of this component's model (built once), or None."""
        if self._forward is None and self._forward_error is None and self.model is not None:
            try:
                self._forward = Forward.of(self.model)
            except (ValueError, KeyError, AttributeError) as error:
                self._forward_error = str(error)
        return self._forward

    def numpy_scores(self, message: Message) -> np.ndarray | None:
        """The label scores in NumPy, or None where Rasa's own path is needed."""
        forward = self.numpy_forward()
        if forward is None:
            return None
        featurizers = self.component_config[FEATURIZERS]
        # Message._filter_sparse_features' choice and order, without Rasa's deep copy and hstack
        text = [
            f
            for f in message.features
            if f.attribute == TEXT and (f.origin in featurizers or not featurizers)
        ]
        sequence = [f.features for f in text if f.is_sparse() and f.type == FEATURE_TYPE_SEQUENCE]
        sentence = [f.features for f in text if f.is_sparse() and f.type == FEATURE_TYPE_SENTENCE]
        if not sequence or not sentence or any(f.is_dense() for f in text):
            return None
        try:
            with one_blas_thread():
                return forward.scores(sequence, sentence)
        except ValueError:  # features of another width than the model's
            return None

    def _predict(self, message: Message) -> dict[str, Any] | None:
        scores = None
        if not self._execution_context.should_add_diagnostic_data:
            scores = self.numpy_scores(message)
        return super()._predict(message) if scores is None else {"i_scores": scores}
