"""Ask instead of guessing: which bone-cancer topics to offer when the topic is uncertain.

The ResponseSelector ranks the FAQ topics of a question. When its best topic is below the
threshold, answering it would often be a confident wrong answer (measured on the blind set:
most wrong topics sit there); the assistant offers the likely topics as buttons instead and the
member picks one. Pure: rankings in, decisions out.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

FAQ = "faq"
FALLBACK = "nlu_fallback"
# Each FAQ answer names its button in its metadata (data/responses/faq.yml): `title` is what
# the member sees, `question` a question the assistant maps to that topic.
TITLE, QUESTION = "title", "question"


def _faq_selector(selectors: dict[str, Any] | None) -> dict[str, Any]:
    """The FAQ part of a parse's ``response_selector`` output (our selector is keyed ``faq``;
    Rasa's default one ``default``)."""
    selectors = selectors or {}
    return dict(selectors.get(FAQ) or selectors.get("default") or {})


def topic_key(label: object) -> str | None:
    """The key of an FAQ topic label (``faq/<key>`` -> ``<key>``), None for any other label."""
    prefix, _, key = str(label or "").partition("/")
    return key if prefix == FAQ and key else None


def faq_ranking(selectors: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The FAQ topics' ranking in a parse's ``response_selector`` output."""
    return list(_faq_selector(selectors).get("ranking") or [])


def faq_topic(selectors: dict[str, Any] | None) -> str | None:
    """The selected FAQ topic (``faq/<key>``) in a parse's ``response_selector`` output."""
    key = (_faq_selector(selectors).get("response") or {}).get("intent_response_key")
    return str(key) if key else None


def is_uncertain(faq_ranking: Sequence[dict[str, Any]], threshold: float) -> bool:
    """The best FAQ topic's confidence is below ``threshold`` (or there is no ranking)."""
    return not faq_ranking or float(faq_ranking[0].get("confidence") or 0.0) < threshold


def topics_to_offer(
    intent_ranking: Sequence[dict[str, Any]],
    faq_ranking: Sequence[dict[str, Any]],
    *,
    limit: int = 3,
    floor: float = 0.05,
) -> list[str]:
    """The FAQ topic keys to offer (best first), or none when the message is not about a topic.

    Topics are offered only when ``faq`` is the best or second-best intent besides the fallback
    (a low-confidence greeting should not get bone-cancer buttons), and only topics the selector
    gives at least ``floor``.
    """
    intents = [r.get("name") for r in intent_ranking if r.get("name") != FALLBACK]
    if FAQ not in intents[:2]:
        return []
    keys: list[str] = []
    for ranked in faq_ranking:
        key = topic_key(ranked.get("intent_response_key"))
        if key and float(ranked.get("confidence") or 0.0) >= floor:
            keys.append(key)
        if len(keys) == limit:
            break
    return keys


def topic_button(domain: dict[str, Any], key: str) -> dict[str, str] | None:
    """The topic's button from its answer's metadata in the domain (``utter_faq/<key>``), or
    None if it has none: offered when the topic is uncertain and when a message also asks it."""
    variations = (domain.get("responses") or {}).get(f"utter_{FAQ}/{key}") or [{}]
    metadata = variations[0].get("metadata") or {}
    if not metadata.get(TITLE) or not metadata.get(QUESTION):
        return None
    return {"title": str(metadata[TITLE]), "payload": str(metadata[QUESTION])}
