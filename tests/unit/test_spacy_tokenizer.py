"""The spaCy blank-English tokenizer component, on real Rasa messages."""
from __future__ import annotations

import pytest
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from member_health_rasa.nlu.spacy_tokenizer import SpacyBlankTokenizer


def tokens(text: str) -> list[str]:
    tokenizer = SpacyBlankTokenizer(SpacyBlankTokenizer.get_default_config())
    return [token.text for token in tokenizer.tokenize(Message(data={TEXT: text}), TEXT)]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("hello there", ["hello", "there"]),
        ("What's osteosarcoma?", ["What", "'s", "osteosarcoma"]),
        ("I can't breathe!!", ["I", "ca", "n't", "breathe"]),
        ("it's 10cm, no spread", ["it", "'s", "10", "cm", "no", "spread"]),
        ("my son's leg bone tumor", ["my", "son", "'s", "leg", "bone", "tumor"]),
        ("80mm", ["80", "mm"]),
        ("   ", ["   "]),
        ("???", ["???"]),
    ],
)
def test_tokenizes_like_spacy_english(text: str, expected: list[str]) -> None:
    assert tokens(text) == expected


def test_token_offsets_point_into_the_text() -> None:
    tokenizer = SpacyBlankTokenizer(SpacyBlankTokenizer.get_default_config())
    text = "Is Ewing sarcoma common?"
    for token in tokenizer.tokenize(Message(data={TEXT: text}), TEXT):
        assert text[token.start : token.end] == token.text
