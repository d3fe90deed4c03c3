"""action_clarify_topic: the likely topics as buttons from the FAQ answers' metadata."""
from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.clarify import PERSON_BUTTON, ActionClarifyTopic
from member_health_rasa.project import merged_domain

DOMAIN = merged_domain().as_dict()


def uncertain(intents: list[tuple[str, float]], topics: list[tuple[str, float]]) -> Tracker:
    """A tracker whose latest message is an uncertain one (as the NLU pipeline leaves it)."""
    latest = {
        "text": "(a member's question)",
        "intent": {"name": "nlu_fallback", "confidence": 0.5},
        "intent_ranking": [{"name": n, "confidence": c} for n, c in intents],
        "response_selector": {
            "faq": {
                "ranking": [{"intent_response_key": f"faq/{k}", "confidence": c} for k, c in topics]
            }
        },
    }
    return Tracker("member-1", {}, latest, [], False, None, {}, "action_listen")


async def run(tracker: Tracker) -> list[dict[str, Any]]:
    dispatcher = CollectingDispatcher()
    assert await ActionClarifyTopic().run(dispatcher, tracker, DOMAIN) == []
    return dispatcher.messages


async def test_offers_the_likely_topics_and_a_person() -> None:
    [message] = await run(
        uncertain(
            [("nlu_fallback", 0.5), ("faq", 0.45)],
            [("staging", 0.4), ("diagnosis", 0.35), ("biopsy", 0.2)],
        )
    )
    assert message["response"] == "utter_clarify_topic"
    assert message["buttons"] == [
        {"title": "Staging", "payload": "How is bone cancer staged?"},
        {"title": "How it's diagnosed", "payload": "How is bone cancer diagnosed?"},
        {"title": "What is a biopsy?", "payload": "What is a biopsy?"},
        PERSON_BUTTON,
    ]


@pytest.mark.parametrize(
    ("intents", "topics"),
    [
        ([("nlu_fallback", 0.5), ("greet", 0.4), ("thank", 0.3)], [("staging", 0.4)]),
        ([("nlu_fallback", 0.5), ("faq", 0.45)], []),
    ],
)
async def test_asks_to_rephrase_without_a_likely_topic(
    intents: list[tuple[str, float]], topics: list[tuple[str, float]]
) -> None:
    [message] = await run(uncertain(intents, topics))
    assert message["response"] == "utter_ask_rephrase"
    assert not message.get("buttons")


def test_every_faq_topic_has_a_button() -> None:
    faq = {k: v for k, v in DOMAIN["responses"].items() if k.startswith("utter_faq/")}
    missing = [k for k, v in faq.items() if not {"title", "question"} <= set(v[0]["metadata"])]
    assert len(faq) == 22 and not missing, missing
