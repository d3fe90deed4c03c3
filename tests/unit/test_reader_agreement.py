"""The careful readers' answer files match their corpus sets, and the agreement counts are right."""
from __future__ import annotations

import pytest

from member_health_rasa.tools.reader_agreement import agreement, answers, reader_files
from member_health_rasa.tools.safety_report import load

LABELS = [
    {"id": "a", "expected": "emergency"},
    {"id": "b", "expected": "emergency"},
    {"id": "c", "expected": "calm"},
]


@pytest.mark.parametrize(
    ("answers", "counts"),
    [
        (["911", "911", "calm"], (0, 2, 0, 1)),
        (["calm", "911", "911"], (1, 2, 1, 1)),
        (["calm", "calm", "calm"], (2, 2, 0, 1)),
    ],
)
def test_counts_misses_and_false_alarms(answers: list[str], counts: tuple[int, ...]) -> None:
    given = [{"id": item["id"], "answer": a} for item, a in zip(LABELS, answers, strict=True)]
    assert agreement(LABELS, given) == counts


@pytest.mark.parametrize(
    "answers",
    [
        [{"id": "a", "answer": "911"}, {"id": "b", "answer": "911"}],  # one id missing
        [{"id": i, "answer": "911"} for i in "abcc"],  # an id twice
        [{"id": "a", "answer": "911"}, {"id": "b", "answer": "yes"}, {"id": "c", "answer": "calm"}],
    ],
)
def test_refuses_answers_that_do_not_match_the_corpus(answers: list[dict[str, str]]) -> None:
    with pytest.raises(ValueError):
        agreement(LABELS, answers)


def test_every_answer_file_covers_its_set() -> None:
    files = reader_files()
    assert files, "no reader answer files"
    for corpus, _, path in files:
        agreement(load(corpus), answers(path))  # raises on a mismatch
