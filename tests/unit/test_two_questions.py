"""Where a message asks two questions (member_health.two_questions): pure table tests."""
from __future__ import annotations

import pytest

from member_health.two_questions import other_topics, question_spans


def questions(text: str) -> list[str]:
    return [text[start:end] for start, end in question_spans(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("what is chordoma and how is it treated?", ["what is chordoma", "how is it treated"]),
        (
            "what is a sarcoma? and what are the symptoms?",
            ["what is a sarcoma", "what are the symptoms"],
        ),
        ("What is a biopsy, also how is it done", ["What is a biopsy", "how is it done"]),
        ("what is staging? Also, does it hurt?", ["what is staging", "does it hurt"]),
        ("how is it found and is it curable", ["how is it found", "is it curable"]),
        (
            "Tell me about chondrosarcoma and how it is treated",
            ["Tell me about chondrosarcoma", "how it is treated"],
        ),
        (
            "I'd like to know what ewing sarcoma is and how it's diagnosed",
            ["I'd like to know what ewing sarcoma is", "how it's diagnosed"],
        ),
        (
            "what are the signs and symptoms and when should I see a doctor",
            ["what are the signs and symptoms", "when should I see a doctor"],
        ),
        (
            "what is grade, and then what does stage mean?",
            ["what is grade", "what does stage mean"],
        ),
        (
            "hold on, what is chordoma and how is it found",
            ["hold on, what is chordoma", "how is it found"],
        ),
        (  # a statement around the questions is no question of its own
            "My dad has a bone tumor. What is it and how do they treat it?",
            ["What is it", "how do they treat it"],
        ),
        (
            "what is osteosarcoma and how is it treated and what are the side effects",
            ["what is osteosarcoma", "how is it treated", "what are the side effects"],
        ),
        ("what’s chordoma and how’s it treated", ["what’s chordoma", "how’s it treated"]),
    ],
)
def test_two_questions_are_found(text: str, expected: list[str]) -> None:
    assert questions(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        # one question with "and" inside it
        "what are the signs and symptoms",
        "what are the signs and symptoms of bone cancer?",
        "what is the difference between primary and secondary bone cancer",
        "are myeloma and leukemia bone cancers",
        "how are chondrosarcoma and chordoma different",
        "what are the risk factors and symptoms",
        "does it hurt when I walk and when I sleep",
        "is it osteosarcoma or ewing sarcoma",
        "what should I eat and drink during chemo",
        "how long is rehab and physical therapy",
        # statements, not questions
        "pain and swelling",
        "pain and swelling in my knee",
        "chest pain and can't breathe",
        "my leg hurts and it is swollen",
        "I have back pain and I had cancer before",
        "My son has osteosarcoma. What is it?",
        "my son was just diagnosed and how do I cope",
        "my knee hurts, swelling and how",
        # one question, or too short a second one
        "what is osteosarcoma",
        "what is chordoma? symptoms?",
        "what is a biopsy and how?",
        "",
        "and",
    ],
)
def test_one_question_is_not_split(text: str) -> None:
    assert question_spans(text) == []


def test_spans_point_into_the_text() -> None:
    text = "  What is chordoma ?  And how is it treated?? "
    assert [text[s:e] for s, e in question_spans(text)] == ["What is chordoma", "how is it treated"]


@pytest.mark.parametrize(
    ("rankings", "answered", "expected"),
    [
        # the answer covers the first question: the second one's topic is offered
        ([{"chordoma": 0.9, "treatment": 0.1}, {"treatment": 0.8}], "chordoma", [(1, "treatment")]),
        # the answer covers the second question: the first one's topic is offered
        (
            [{"chordoma": 0.9, "treatment": 0.05}, {"treatment": 0.8, "chordoma": 0.1}],
            "treatment",
            [(0, "chordoma")],
        ),
        # both questions about the answered topic: nothing more
        ([{"chordoma": 0.9}, {"chordoma": 0.7, "treatment": 0.2}], "chordoma", []),
        # unsure about the other question's topic: nothing
        ([{"chordoma": 0.9}, {"treatment": 0.4, "staging": 0.35}], "chordoma", []),
        # three questions, one topic twice: offered once, the surer first
        (
            [{"chordoma": 0.9}, {"treatment": 0.6}, {"treatment": 0.8}],
            "chordoma",
            [(2, "treatment")],
        ),
        (
            [{"chordoma": 0.9}, {"treatment": 0.6}, {"symptoms": 0.8}],
            "chordoma",
            [(2, "symptoms"), (1, "treatment")],
        ),
        # one question only, or none ranked
        ([{"treatment": 0.9}], "chordoma", []),
        ([{}, {}], "chordoma", []),
    ],
)
def test_other_topics(
    rankings: list[dict[str, float]], answered: str, expected: list[tuple[int, str]]
) -> None:
    assert other_topics(rankings, answered, threshold=0.5) == expected


def test_other_topics_are_limited() -> None:
    rankings = [{"chordoma": 0.9}, {"treatment": 0.9}, {"symptoms": 0.8}, {"staging": 0.7}]
    assert other_topics(rankings, "chordoma", 0.5, limit=1) == [(1, "treatment")]
