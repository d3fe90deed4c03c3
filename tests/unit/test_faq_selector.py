"""FaqResponseSelector skips a message only when no later component could answer it with a topic."""
from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from member_health_rasa.nlu.faq_selector import SURE, may_be_faq


def message(intent: str | None, confidence: float) -> Message:
    data = {"text": "a member's message"}
    if intent is not None:
        data["intent"] = {"name": intent, "confidence": confidence}  # type: ignore[assignment]
    return Message(data=data)


@pytest.mark.parametrize(
    ("intent", "confidence", "selects"),
    [
        ("faq", 0.99, True),  # an FAQ question
        ("faq", 0.30, True),
        ("emergency", 0.99, True),  # the emergency net may demote it to the next intent: faq
        ("greet", 0.60, True),  # unsure: the fallback may offer the likely topics
        ("greet", SURE - 0.001, True),
        ("greet", SURE, False),  # sure of an intent that never becomes faq
        ("affirm", 0.99, False),
        ("inform", 1.0, False),
        (None, 0.0, True),  # no classifier before it: select as Rasa does
    ],
)
def test_may_be_faq(intent: str | None, confidence: float, selects: bool) -> None:
    assert may_be_faq(message(intent, confidence)) is selects


@pytest.mark.model
@pytest.mark.parametrize(
    ("text", "selected"),
    [
        ("what is osteosarcoma?", True),
        ("I have crushing chest pain and can't breathe", True),
        ("hi", False),
        ("no", False),
    ],
)
async def test_the_trained_model_selects_only_for_possible_faq_questions(  # type: ignore[no-untyped-def]
    agent, text: str, selected: bool
) -> None:
    parse = await agent.parse_message(text)
    assert ("response_selector" in parse) is selected, parse["intent"]
