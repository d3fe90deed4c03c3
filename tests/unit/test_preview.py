"""member_health_rasa/tools/preview.py's rendering: the topic from the response selector, and each
widget bubble (member_health.channel_format, as the widget splits them) with its buttons. The real
model and action server run in tests/e2e/test_content_walkthrough.py (make preview)."""
from __future__ import annotations

from member_health_rasa.tools.preview import render, understood


def test_an_faq_question_shows_its_topic_and_the_selectors_confidence() -> None:
    parse = {
        "intent": {"name": "faq", "confidence": 0.99},
        "response_selector": {
            "faq": {"response": {"intent_response_key": "faq/chordoma", "confidence": 0.87}}
        },
    }
    assert understood(parse) == ("faq/chordoma", 0.87)
    assert understood({"intent": {"name": "greet", "confidence": 0.5}}) == ("greet", 0.5)


def test_each_paragraph_is_a_bubble_and_buttons_sit_on_the_last() -> None:
    reply = {
        "text": "First part.\n\nSecond part.",
        "buttons": [{"title": "Symptoms", "payload": "What are the symptoms?"}],
    }
    assert render("hi", "greet", 0.912, [reply]).splitlines() == [
        "member: hi",
        "  topic: greet (confidence 0.91)",
        "  bubble 1:",
        "    First part.",
        "  bubble 2:",
        "    Second part.",
        "    [button] Symptoms -> What are the symptoms?",
    ]
    assert render("x", "nlu_fallback", 0.2, []).endswith("  (no reply)")
