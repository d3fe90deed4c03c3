"""The NumPy all-MiniLM-L6-v2 encoder gives sentence-transformers' token ids and embeddings.

The reference (fixtures/minilm_reference.json) was recorded with sentence-transformers and
PyTorch (its "source" field) from the same installed package's files, on texts that exercise
the tokenizer's edges: accents, CJK, emoji, control characters, an over-long word (-> [UNK]),
empty text and a text over the 256-token limit.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from member_health_rasa.nlu.minilm import MAX_TOKENS, shared_encoder

REFERENCE = json.loads((Path(__file__).parent / "fixtures" / "minilm_reference.json").read_text())
CASES = REFERENCE["cases"]


@pytest.mark.parametrize("case", CASES, ids=[str(i) for i in range(len(CASES))])
def test_token_ids_match_the_reference_tokenizer(case: dict) -> None:
    assert shared_encoder().tokenizer.encode(case["text"]) == case["ids"]


def test_embeddings_match_the_reference_in_one_batch() -> None:
    got = shared_encoder().encode([case["text"] for case in CASES])
    want = np.array([case["embedding"] for case in CASES], dtype=np.float32)
    assert np.abs(got - want).max() < 1e-4  # the reference is rounded to 5 decimals


def test_a_batch_gives_each_text_what_it_gives_alone() -> None:
    texts = [case["text"] for case in CASES[:6]]
    together = shared_encoder().encode(texts)
    alone = np.vstack([shared_encoder().encode([text]) for text in texts])
    assert np.abs(together - alone).max() < 1e-5


def test_long_text_is_cut_at_the_model_limit() -> None:
    ids = shared_encoder().tokenizer.encode("my back hurts at night " * 200)
    assert len(ids) == MAX_TOKENS and ids[-1] == shared_encoder().tokenizer.sep


def test_meaning_is_closer_than_wording() -> None:
    a, b, c = shared_encoder().encode(
        [
            "how is bone cancer treated",
            "what therapy do people get for a bone tumor",
            "how is the weather",
        ]
    )
    assert float(a @ b) > float(a @ c) + 0.2
