"""member_health.clarify: when to ask, and which topics to offer."""
from __future__ import annotations

from typing import Any

import pytest

from member_health.clarify import is_uncertain, topic_key, topics_to_offer


def ranking(*pairs: tuple[str, float], key: str = "name") -> list[dict[str, Any]]:
    return [{key: name, "confidence": confidence} for name, confidence in pairs]


def faq(*pairs: tuple[str, float]) -> list[dict[str, Any]]:
    return ranking(*((f"faq/{k}", c) for k, c in pairs), key="intent_response_key")


@pytest.mark.parametrize(
    ("faq_ranking", "uncertain"),
    [
        (faq(("osteosarcoma", 0.92), ("types", 0.05)), False),
        (faq(("osteosarcoma", 0.5), ("types", 0.4)), False),
        (faq(("osteosarcoma", 0.49), ("types", 0.4)), True),
        ([], True),
    ],
)
def test_is_uncertain(faq_ranking: list[dict[str, Any]], uncertain: bool) -> None:
    assert is_uncertain(faq_ranking, 0.5) is uncertain


def test_offers_the_likely_topics_best_first() -> None:
    offered = topics_to_offer(
        ranking(("nlu_fallback", 0.5), ("faq", 0.45), ("greet", 0.1)),
        faq(("staging", 0.4), ("diagnosis", 0.3), ("biopsy", 0.2), ("types", 0.06)),
    )
    assert offered == ["staging", "diagnosis", "biopsy"]


def test_leaves_out_topics_below_the_floor() -> None:
    offered = topics_to_offer(
        ranking(("faq", 0.6)), faq(("staging", 0.45), ("diagnosis", 0.44), ("biopsy", 0.01))
    )
    assert offered == ["staging", "diagnosis"]


@pytest.mark.parametrize(
    "intents",
    [
        ranking(("nlu_fallback", 0.5), ("greet", 0.4), ("thank", 0.3), ("faq", 0.2)),
        ranking(("greet", 0.9)),
        [],
    ],
)
def test_offers_nothing_when_the_message_is_not_about_a_topic(
    intents: list[dict[str, Any]]
) -> None:
    assert topics_to_offer(intents, faq(("staging", 0.4), ("diagnosis", 0.3))) == []


@pytest.mark.parametrize(
    "label, key",
    [
        ("faq/osteosarcoma", "osteosarcoma"),
        ("faq/", None),
        ("faq", None),
        ("greet", None),
        ("chitchat/ask_name", None),
        (None, None),
    ],
)
def test_topic_key(label: str | None, key: str | None) -> None:
    assert topic_key(label) == key
