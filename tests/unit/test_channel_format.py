"""Channel formatting: message limits, numbered buttons and numeric replies (pure logic)."""
from __future__ import annotations

from typing import Any

import pytest

from member_health.channel_format import (
    SLACK_LIMIT,
    SMS_LIMIT,
    TELEGRAM_LIMIT,
    bubbles,
    chat_history,
    choose_button,
    is_emergency_reply,
    last_buttons,
    number_buttons,
    paragraphs,
    split_message,
)

BUTTONS = [
    {"title": "What is bone cancer?", "payload": "What is bone cancer?"},
    {"title": "Start the back pain program", "payload": "/start_back_pain_program"},
    {"title": "Understand my tumor's stage", "payload": "What stage is my tumor?"},
]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("one", ["one"]),
        ("one\n\ntwo", ["one", "two"]),
        ("  one \n \n\n two  ", ["one", "two"]),
        ("line one\nline two", ["line one\nline two"]),
        ("", []),
        ("\n\n", []),
    ],
)
def test_paragraphs(text: str, expected: list[str]) -> None:
    assert paragraphs(text) == expected


@pytest.mark.parametrize(
    "text, limit, pack, expected",
    [
        ("short", 1600, True, ["short"]),
        # Paragraphs share a message while they fit (SMS) ...
        ("aaa\n\nbbb", 8, True, ["aaa\n\nbbb"]),
        ("aaa\n\nbbb", 7, True, ["aaa", "bbb"]),
        # ... or stay separate bubbles (chat apps).
        ("aaa\n\nbbb", 1600, False, ["aaa", "bbb"]),
        # A long paragraph is cut at a sentence end, not mid-word.
        ("First sentence here. Second one.", 24, True, ["First sentence here.", "Second one."]),
        # ... at a line break before a sentence end.
        ("alpha beta\ngamma. delta", 14, False, ["alpha beta", "gamma. delta"]),
        # ... at a space when there is no sentence end.
        ("alpha beta gamma delta", 12, False, ["alpha beta", "gamma delta"]),
        # ... hard, when there is no space at all.
        ("abcdefghij", 4, False, ["abcd", "efgh", "ij"]),
    ],
)
def test_split_message(text: str, limit: int, pack: bool, expected: list[str]) -> None:
    assert split_message(text, limit, pack=pack) == expected


@pytest.mark.parametrize("limit", [SMS_LIMIT, TELEGRAM_LIMIT, SLACK_LIMIT, 160, 50])
@pytest.mark.parametrize("pack", [True, False])
def test_split_message_respects_the_limit_and_keeps_every_word(limit: int, pack: bool) -> None:
    sentence = "Osteosarcoma forms in bone-forming cells, most often in the arms, legs or hips. "
    text = "\n\n".join(sentence * n for n in (1, 7, 40, 3, 90))
    parts = split_message(text, limit, pack=pack)
    assert all(0 < len(part) <= limit for part in parts)
    assert " ".join(" ".join(parts).split()) == " ".join(text.split())


def test_split_message_packs_fewer_sms_than_bubbles() -> None:
    text = "\n\n".join(f"Paragraph {n}." for n in range(10))
    assert len(split_message(text, SMS_LIMIT)) == 1
    assert len(split_message(text, SMS_LIMIT, pack=False)) == 10


def test_split_message_rejects_a_non_positive_limit() -> None:
    with pytest.raises(ValueError):
        split_message("text", 0)


@pytest.mark.parametrize(
    "text, buttons, expected",
    [
        (
            "How can I help?",
            BUTTONS[:2],
            "How can I help?\n\n1. What is bone cancer?\n2. Start the back pain program\n\n"
            "Reply with a number, or type your answer.",
        ),
        ("No buttons.", [], "No buttons."),
        ("", BUTTONS[:1], "1. What is bone cancer?\n\nReply with a number, or type your answer."),
        (
            "Pick",
            [{"payload": "/affirm"}],
            "Pick\n\n1. /affirm\n\nReply with a number, or type your answer.",
        ),
    ],
)
def test_number_buttons(text: str, buttons: list[dict[str, Any]], expected: str) -> None:
    assert number_buttons(text, buttons) == expected


@pytest.mark.parametrize(
    "reply, expected",
    [
        ("1", "What is bone cancer?"),
        (" 2 ", "/start_back_pain_program"),
        ("3.", "What stage is my tumor?"),
        ("#3", "What stage is my tumor?"),
        ("2)", "/start_back_pain_program"),
        ("option 1", "What is bone cancer?"),
        ("0", None),
        ("4", None),
        ("12", None),
        ("2 cm", None),
        ("I have 2 questions", None),
        ("", None),
        ("yes", None),
    ],
)
def test_choose_button(reply: str, expected: Any) -> None:
    assert choose_button(reply, BUTTONS) == expected


def test_choose_button_without_buttons_picks_nothing() -> None:
    assert choose_button("1", []) is None


def _bot(text: str, buttons: Any = None, quick_replies: Any = None) -> dict[str, Any]:
    return {
        "event": "bot",
        "text": text,
        "data": {"buttons": buttons, "quick_replies": quick_replies},
    }


@pytest.mark.parametrize(
    "events, expected",
    [
        ([], []),
        ([{"event": "user", "text": "hi"}, _bot("Welcome", BUTTONS)], BUTTONS),
        # Buttons on an earlier bubble of the same turn still count.
        ([{"event": "user", "text": "hi"}, _bot("Welcome", BUTTONS), _bot("More")], BUTTONS),
        ([{"event": "user", "text": "hi"}, _bot("Pick", quick_replies=BUTTONS[:1])], BUTTONS[:1]),
        # Once the member has replied, the old buttons are stale.
        ([_bot("Welcome", BUTTONS), {"event": "user", "text": "2"}, _bot("Answer")], []),
        ([_bot("Welcome", BUTTONS), {"event": "user", "text": "2"}], []),
        # Non-message events (actions, slots) do not hide the buttons.
        (
            [_bot("Welcome", BUTTONS), {"event": "action", "name": "action_listen"}],
            BUTTONS,
        ),
    ],
)
def test_last_buttons(events: list[dict[str, Any]], expected: list[dict[str, Any]]) -> None:
    assert last_buttons(events) == expected


@pytest.mark.parametrize(
    "message, expected",
    [
        ({"text": "Call 911", "utter_action": "utter_emergency"}, True),
        ({"text": "988", "utter_action": "utter_x", "metadata": {"emergency": True}}, True),
        # The follow-up after the emergency reply is an ordinary message.
        ({"text": "When you are safe...", "utter_action": "utter_emergency_followup"}, False),
        ({"text": "x", "utter_action": "utter_faq", "metadata": {"emergency": True}}, True),
        # The welcome also says "call 911" but is not the emergency response.
        (
            {
                "text": "... call 911 or go to the nearest hospital.",
                "utter_action": "utter_welcome",
            },
            False,
        ),
        ({"text": "x", "metadata": {"emergency": False}}, False),
        ({"text": "x", "metadata": "emergency"}, False),
        ({"text": "x"}, False),
    ],
)
def test_is_emergency_reply(message: dict[str, Any], expected: bool) -> None:
    assert is_emergency_reply(message) is expected


@pytest.mark.parametrize(
    "message, expected",
    [
        ({"text": "One.\n\nTwo."}, [{"text": "One."}, {"text": "Two."}]),
        (
            {"text": "Pick one.", "buttons": BUTTONS[:1]},
            [
                {
                    "text": "Pick one.",
                    "quick_replies": [
                        {
                            "content_type": "text",
                            "title": "What is bone cancer?",
                            "payload": "What is bone cancer?",
                        }
                    ],
                }
            ],
        ),
        (
            {"text": "Call 911.\n\nOr 988.", "utter_action": "utter_emergency"},
            [
                {"text": "Call 911.", "metadata": {"emergency": True}},
                {"text": "Or 988.", "metadata": {"emergency": True}},
            ],
        ),
        ({"text": ""}, []),
        ({"text": None}, []),
    ],
)
def test_bubbles(message: dict[str, Any], expected: list[dict[str, Any]]) -> None:
    assert bubbles(message) == expected


def test_bubbles_put_buttons_on_the_last_paragraph() -> None:
    out = bubbles({"text": "A.\n\nB.", "buttons": BUTTONS})
    assert [b["text"] for b in out] == ["A.", "B."]
    assert "quick_replies" not in out[0]
    assert [q["payload"] for q in out[1]["quick_replies"]] == [b["payload"] for b in BUTTONS]


def test_chat_history_keeps_the_latest_session_and_hides_intent_payloads() -> None:
    events = [
        {"event": "user", "text": "old session"},
        {"event": "session_started"},
        {"event": "user", "text": "/greet"},
        {
            "event": "bot",
            "text": "Hi!\n\nHow can I help?",
            "data": {"buttons": BUTTONS[:1]},
            "metadata": {"utter_action": "utter_welcome"},
        },
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": "I can't breathe"},
        {
            "event": "bot",
            "text": "Call 911.",
            "data": {},
            "metadata": {"utter_action": "utter_emergency"},
        },
    ]
    history = chat_history(events)
    assert [(h["sender"], h["text"]) for h in history] == [
        ("bot", "Hi!"),
        ("bot", "How can I help?"),
        ("user", "I can't breathe"),
        ("bot", "Call 911."),
    ]
    assert history[1]["quick_replies"][0]["title"] == "What is bone cancer?"
    assert history[3]["metadata"] == {"emergency": True}
    assert "metadata" not in history[0]


def test_chat_history_is_bounded_to_the_latest_items() -> None:
    events = [{"event": "user", "text": f"message {n}"} for n in range(100)]
    history = chat_history(events, max_items=5)
    assert [h["text"] for h in history] == [f"message {n}" for n in range(95, 100)]
