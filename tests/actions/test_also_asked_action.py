"""action_offer_also_asked: the other topic of a two-question message, as its button."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.also_asked import ActionOfferAlsoAsked
from member_health.clarify import topic_button
from member_health_rasa.project import merged_domain

DOMAIN = merged_domain().as_dict()


def answered(entities: list[dict[str, Any]]) -> Tracker:
    """A tracker whose latest message is an FAQ question (as the NLU pipeline leaves it)."""
    latest = {
        "text": "(a member's two questions)",
        "intent": {"name": "faq", "confidence": 0.9},
        "entities": entities,
    }
    return Tracker("member-1", {}, latest, [], False, None, {}, "utter_faq")


def also_asked(key: str) -> dict[str, Any]:
    return {"entity": "also_asked", "value": key, "start": 0, "end": 5}


async def run(tracker: Tracker) -> list[dict[str, Any]]:
    dispatcher = CollectingDispatcher()
    assert await ActionOfferAlsoAsked().run(dispatcher, tracker, DOMAIN) == []
    return dispatcher.messages


async def test_offers_the_other_topic_as_its_button() -> None:
    [message] = await run(answered([also_asked("treatment")]))
    assert message["response"] == "utter_also_asked"
    assert message["buttons"] == [{"title": "Treatment", "payload": "How is bone cancer treated?"}]


async def test_offers_each_other_topic_once_in_order() -> None:
    keys = ["staging", "symptoms", "staging"]
    [message] = await run(answered([also_asked(k) for k in keys]))
    assert message["buttons"] == [topic_button(DOMAIN, "staging"), topic_button(DOMAIN, "symptoms")]


async def test_says_nothing_without_another_topic() -> None:
    assert await run(answered([])) == []
    other_entity = {"entity": "emergency_type", "value": "medical"}
    assert await run(answered([other_entity])) == []
    assert await run(answered([also_asked("no_such_topic")])) == []
