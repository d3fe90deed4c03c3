"""member_health.stage_terms: which stage-form term a mid-form question asks about."""
from __future__ import annotations

import pytest

from member_health.stage_terms import GRADE, SPOTS, SPREAD, asked_term


@pytest.mark.parametrize(
    ("text", "term"),
    [
        ("what does grade mean?", GRADE),
        ("What does high-grade mean", GRADE),
        ("whats a grade", GRADE),
        ("what is the grade", GRADE),
        ("sorry what do you mean by grade", GRADE),
        ("what do you mean by grade?", GRADE),
        ("can you explain what low grade means", GRADE),
        ("what does spread mean?", SPREAD),
        ("what does metastatic mean", SPREAD),
        ("what is a spot?", SPOTS),
        ("what do you mean by spots", SPOTS),
        ("what's the meaning of spots in the bone?", SPOTS),
        # not a question about the word
        ("what stage is it if it has spread?", None),
        ("is high grade worse?", None),
        ("what grade is osteosarcoma usually", None),
        ("i dont know what grade means", GRADE),
        ("high grade", None),
        ("it hasn't spread", None),
        ("just one spot", None),
        ("what does grade and spread mean", None),  # two terms: the general answer
        ("what does stage IIB mean", None),
    ],
)
def test_asked_term(text: str, term: str | None) -> None:
    assert asked_term(text) == term
