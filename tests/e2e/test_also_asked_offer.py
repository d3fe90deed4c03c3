"""Two questions, two answers (issue 17), end to end through the REST webhook: the trained model,
the Rasa server and the action server. A message asking about two topics gets the answer to one
and the other topic as its button; tapping it answers that topic."""
from __future__ import annotations

from typing import Any

import pytest
from chat import bot_texts

from member_health.channel_format import paragraphs
from member_health.clarify import topic_button
from member_health_rasa.project import merged_domain

pytestmark = pytest.mark.e2e

DOMAIN = merged_domain().as_dict()
OFFER = DOMAIN["responses"]["utter_also_asked"][0]["text"]
TOPICS = sorted(k.split("/", 1)[1] for k in DOMAIN["responses"] if k.startswith("utter_faq/"))


def answered_topics(replies: list[dict[str, Any]]) -> list[str]:
    """The FAQ topics whose answer (its first bubble, from the domain) the replies hold."""
    text = bot_texts(replies)
    return [
        key
        for key in TOPICS
        if paragraphs(DOMAIN["responses"][f"utter_faq/{key}"][0]["text"])[0] in text
    ]


def offered_topic(button: dict[str, Any]) -> str:
    """The FAQ topic whose button (title and question from its metadata) this is."""
    [key] = [key for key in TOPICS if topic_button(DOMAIN, key) == button]
    return key


@pytest.mark.parametrize(
    ("message", "topics"),
    [
        ("what is chondrosarcoma? and what are the symptoms?", {"chondrosarcoma", "symptoms"}),
        (
            "what are the side effects of chemo and will I need rehab",
            {"side_effects", "rehabilitation"},
        ),
        (
            "can bone cancer spread from other cancers and how is it treated",
            {"spread_to_bone", "treatment"},
        ),
        (
            "how is bone cancer treated and what happens at follow-up visits",
            {"treatment", "follow_up"},
        ),
    ],
)
def test_two_questions_get_an_answer_and_the_other_topic(  # type: ignore[no-untyped-def]
    say, sender, message: str, topics: set[str]
) -> None:
    *answer, offer = say(sender, message)
    [answered] = answered_topics(answer)
    assert offer["text"] == OFFER
    [button] = offer["buttons"]
    assert {answered, offered_topic(button)} == topics

    tapped = say(sender, button["payload"])  # a member taps the button: the other answer
    assert answered_topics(tapped) == [offered_topic(button)]
    assert OFFER not in bot_texts(tapped)


@pytest.mark.parametrize(
    ("message", "topic"),
    [
        ("what is chondrosarcoma?", "chondrosarcoma"),
        ("what are the signs and symptoms of bone cancer?", "symptoms"),
    ],
)
def test_one_question_gets_its_answer_and_nothing_more(  # type: ignore[no-untyped-def]
    say, sender, message: str, topic: str
) -> None:
    replies = say(sender, message)
    assert answered_topics(replies) == [topic]
    assert OFFER not in bot_texts(replies)
    assert not any(r.get("buttons") and r.get("text") == OFFER for r in replies)


def test_an_emergency_with_two_questions_gets_911_and_no_offer(say, sender) -> None:  # type: ignore[no-untyped-def]
    replies = say(
        sender, "my chest hurts and I can't breathe, what is bone cancer and how is it treated"
    )
    assert "call 911 or go to the nearest hospital" in (replies[0].get("text") or "").lower()
    assert OFFER not in bot_texts(replies)
