"""Two questions, two answers on the blind two-question set (tests/nlu_blind/two_questions.jsonl).

Written from the seed and the contract by an author who never saw the splitter, the training data
or the tests, labels checked by a second author; never trained on. The counts are today's
(2026-11-30, first measurement): they may only get better.
"""
from __future__ import annotations

import pytest

from member_health_rasa.tools.safety_report import normalized, training_texts
from member_health_rasa.tools.two_questions_eval import evaluate, load

pytestmark = pytest.mark.model

# Of 74 two-question messages (2026-12-01, session 12: the response selector 128 wide): 48 got one
# answer and the other topic's button, 11 the likely topics as buttons with both among them, 11
# one answer only, 4 a wrong topic; one of them also offered a topic it did not ask about (with
# the 512-wide selector: 47, 11, 11 and 5, no extra offer; before the topic ensemble: 47, 12, 10
# and 5 neither).
BOTH_TOPICS_REACHED_TODAY = 59
# Of 27 one-question messages (an "and" inside, a statement then a question): 27 answered right,
# 1 also offered a topic it did not ask about.
ONE_QUESTION_RIGHT_TODAY = 27
EXTRA_OFFERS_TODAY = 2  # one in each kind


@pytest.fixture(scope="module")
async def result(agent):  # type: ignore[no-untyped-def]
    return await evaluate(agent, load())


def test_the_set_is_never_trained_on_and_has_both_kinds() -> None:
    items = load()
    assert sum(len(i["topics"]) == 2 for i in items) >= 60
    assert sum(len(i["topics"]) == 1 for i in items) >= 20
    trained = training_texts()
    assert not [i["id"] for i in items if normalized(i["text"]) in trained]


async def test_two_question_messages_reach_both_topics(result) -> None:  # type: ignore[no-untyped-def]
    two = result["two"]
    assert two.get("both", 0) + two.get("both offered", 0) >= BOTH_TOPICS_REACHED_TODAY, two


async def test_one_question_messages_get_one_right_answer(result) -> None:  # type: ignore[no-untyped-def]
    one = result["one"]
    assert one.get("right", 0) + one.get("right (asked)", 0) >= ONE_QUESTION_RIGHT_TODAY, one
    assert one.get("extra offer", 0) + result["two"].get("extra offer", 0) <= EXTRA_OFFERS_TODAY
