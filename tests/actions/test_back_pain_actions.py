"""Back pain actions (actions/back_pain.py) run as the action server runs them, on real trackers."""
from __future__ import annotations

import inspect
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import ActionExecutor, CollectingDispatcher

from actions.back_pain import (
    ActionRecordRedFlag,
    ActionScreeningOutcome,
    ActionStartProgram,
    ActionStartScreen,
    ValidateBackPainScreenForm,
    YesNoFormValidationAction,
)
from member_health.red_flags import RED_FLAGS, classify_answer
from member_health.settings import plan
from member_health_rasa.project import merged_domain

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = merged_domain()
# The seed (the only source of medical content): $SEED_CONTENT or the repository's copy.
SEED_FILE = Path(
    os.environ.get("SEED_CONTENT", ROOT / "docs" / "seed" / "member-health-content.txt")
)
SEED = SEED_FILE.read_text(encoding="utf-8")
FORM = "back_pain_screen_form"
PROGRAM_URL = "https://plan.example/back-pain-start"


@pytest.fixture(autouse=True)
def fresh_plan(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A known program link; ``plan()`` is cached, so clear it around each test."""
    monkeypatch.setenv("PLAN_BACK_PAIN_PROGRAM_URL", PROGRAM_URL)
    plan.cache_clear()
    yield
    plan.cache_clear()


def tracker(
    text: str,
    intent: str,
    slots: dict[str, Any] | None = None,
    active_loop: str | None = None,
) -> Tracker:
    """A tracker right after the member said ``text`` (classified as ``intent``)."""
    latest = {"text": text, "intent": {"name": intent, "confidence": 0.9}}
    events = [{"event": "user", "text": text, "parse_data": latest}]
    loop = {"name": active_loop} if active_loop else {}
    return Tracker(
        "member-1", dict(slots or {}), latest, events, False, None, loop, "action_listen"
    )


def in_form(text: str, intent: str, requested: str | None, **slots: Any) -> Tracker:
    """The screen is running and asked about ``requested``."""
    return tracker(text, intent, {"requested_slot": requested, **slots}, active_loop=FORM)


async def validate(form_tracker: Tracker) -> tuple[list[dict[str, Any]], list[str]]:
    """Run the form validation action; return its events and the responses it sent."""
    dispatcher = CollectingDispatcher()
    events = await ValidateBackPainScreenForm().run(dispatcher, form_tracker, DOMAIN.as_dict())
    return events, [message["response"] for message in dispatcher.messages]


def render(message: dict[str, Any]) -> str:
    """Fill a response the way the Rasa server does with an action server's message."""
    kwargs = dict(message)
    response = kwargs.pop("response")
    rendered = TemplatedNaturalLanguageGenerator(DOMAIN.responses).generate_from_slots(
        response, {}, "rest", **kwargs
    )
    assert rendered is not None, f"{response} is not in the domain"
    return str(rendered["text"])


# ---------------------------------------------------------------- the form's answers


@pytest.mark.parametrize(
    ("requested", "text", "intent", "answer"),
    [
        ("leg_symptoms", "my legs keep going numb", "report_red_flag", "yes"),
        ("leg_symptoms", "yeah", "affirm", "yes"),
        ("bladder_bowel", "nope", "deny", "no"),
        ("bladder_bowel", "none of that", "nlu_fallback", "no"),
        ("fever_nausea", "not sure", "unsure", "unsure"),
        ("fever_nausea", "idk", "unsure", "unsure"),
        ("cancer_history", "I did lose like 15 pounds without trying", "report_red_flag", "yes"),
        # misread by NLU, still plainly an answer
        ("cancer_history", "I had breast cancer years ago", "faq", "yes"),
        ("leg_symptoms", "no", "stop", "no"),
        ("fever_nausea", "Not sure", "human_handoff", "unsure"),
        # button payloads sent as intents
        ("leg_symptoms", "/affirm", "affirm", "yes"),
        ("bladder_bowel", "/deny", "deny", "no"),
        ("cancer_history", "/unsure", "unsure", "unsure"),
    ],
)
async def test_an_answer_fills_only_the_requested_slot(
    requested: str, text: str, intent: str, answer: str
) -> None:
    events, responses = await validate(in_form(text, intent, requested, screen_failed_attempts=1))
    assert events == [SlotSet(requested, answer), SlotSet("screen_failed_attempts", 0)]
    assert responses == []


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("wait, what is chordoma?", "faq"),
        ("is numbness in my legs a sign of cancer?", "faq"),
        ("what are the symptoms of bone cancer", "faq"),
        ("stop", "stop"),
        ("cancel", "stop"),
        ("no, stop asking me", "stop"),
        ("never mind", "stop"),
        ("I want to talk to a nurse", "human_handoff"),
        ("I can't feel my legs and I have crushing chest pain", "emergency"),
        ("yes", "emergency"),
        ("actually, delete my data", "forget_me"),
        ("no, forget me", "forget_me"),
    ],
)
async def test_messages_for_the_rules_are_not_answers(text: str, intent: str) -> None:
    # No events: the form is rejected and the rules answer (FAQ, stop, contacts, emergency).
    assert await validate(in_form(text, intent, "leg_symptoms")) == ([], [])


async def test_nothing_is_read_when_no_question_was_asked() -> None:
    # Activation: the "start" message is not an answer to the first question.
    start = in_form("yes I want to start the back pain program", "start_back_pain_program", None)
    assert await validate(start) == ([], [])


async def test_an_unclear_answer_is_confirmed_once_then_counts_as_not_sure() -> None:
    first = await validate(in_form("my back hurts", "nlu_fallback", "fever_nausea"))
    assert first == ([SlotSet("screen_failed_attempts", 1)], ["utter_screen_confirm"])

    second = in_form("banana", "out_of_scope", "fever_nausea", screen_failed_attempts=1.0)
    assert await validate(second) == (
        [SlotSet("fever_nausea", "unsure"), SlotSet("screen_failed_attempts", 0)],
        [],
    )


async def test_a_red_flag_volunteered_under_another_question_is_kept() -> None:
    events, _ = await validate(in_form("no, but I've been throwing up", "deny", "leg_symptoms"))
    assert SlotSet("fever_nausea", "yes") in events
    assert SlotSet("leg_symptoms", "no") not in events  # "no, but ..." is not a clean no


def test_the_confirmation_says_how_to_leave() -> None:
    text = render({"response": "utter_screen_confirm"})
    assert '"stop"' in text and "Not sure" in text


def test_the_reusable_base_is_abstract_and_not_registered() -> None:
    assert inspect.isabstract(YesNoFormValidationAction)
    executor = ActionExecutor()
    executor.register_package("actions.back_pain")
    assert set(executor.actions) >= {
        "validate_back_pain_screen_form",
        "action_start_screen",
        "action_screening_outcome",
        "action_start_program",
        "action_record_red_flag",
    }
    # Every registered action (from any module already imported) is a domain action: the
    # abstract base would register under a name no domain file declares.
    assert set(executor.actions) <= set(DOMAIN.action_names_or_texts)


# ---------------------------------------------------------------- outcome and program


ALL_NO = dict.fromkeys(RED_FLAGS, "no")


@pytest.mark.parametrize(
    ("answers", "outcome", "responses"),
    [
        (ALL_NO, "clear", ["utter_program_start"]),
        (
            {**ALL_NO, "leg_symptoms": "yes"},
            "see_doctor",
            ["utter_see_doctor", "utter_come_back_when_cleared"],
        ),
        (
            {**ALL_NO, "cancer_history": "yes"},
            "see_doctor",
            ["utter_see_doctor", "utter_come_back_when_cleared"],
        ),
        (
            {**ALL_NO, "bladder_bowel": "unsure"},
            "see_doctor",
            ["utter_see_doctor", "utter_come_back_when_cleared"],
        ),
    ],
)
async def test_screening_outcome(
    answers: dict[str, str], outcome: str, responses: list[str]
) -> None:
    dispatcher = CollectingDispatcher()
    events = await ActionScreeningOutcome().run(dispatcher, tracker("no", "deny", answers), {})
    assert events == [SlotSet("screening_outcome", outcome)]
    assert [message["response"] for message in dispatcher.messages] == responses


async def test_a_clear_screen_sends_the_configured_program_link() -> None:
    dispatcher = CollectingDispatcher()
    await ActionScreeningOutcome().run(dispatcher, tracker("no", "deny", ALL_NO), {})
    text = render(dispatcher.messages[0])
    assert PROGRAM_URL in text and "{" not in text


@pytest.mark.parametrize("outcome", ["see_doctor", "clear"])
async def test_cleared_member_with_an_outcome_starts_the_program(outcome: str) -> None:
    dispatcher = CollectingDispatcher()
    slots = {"screening_outcome": outcome}
    events = await ActionStartProgram().run(
        dispatcher, tracker("my doctor cleared me", "cleared_by_doctor", slots), {}
    )
    assert events == []
    assert [message["response"] for message in dispatcher.messages] == ["utter_program_start"]
    assert PROGRAM_URL in render(dispatcher.messages[0])


async def test_cleared_member_without_an_outcome_is_offered_the_screen_not_the_program() -> None:
    dispatcher = CollectingDispatcher()
    await ActionStartProgram().run(
        dispatcher, tracker("my doctor cleared me", "cleared_by_doctor"), {}
    )
    responses = [message["response"] for message in dispatcher.messages]
    assert responses == ["utter_screen_again_first", "utter_offer_screen"]


async def test_broken_plan_configuration_apologises_instead_of_a_broken_link(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PLAN_BACK_PAIN_PROGRAM_URL", "")
    dispatcher = CollectingDispatcher()
    events = await ActionScreeningOutcome().run(dispatcher, tracker("no", "deny", ALL_NO), {})
    assert events == [SlotSet("screening_outcome", "clear")]
    assert [message["response"] for message in dispatcher.messages] == ["utter_action_unavailable"]


async def test_start_screen_forgets_earlier_answers_and_outcome() -> None:
    slots = {**ALL_NO, "screening_outcome": "clear", "screen_failed_attempts": 2.0}
    events = await ActionStartScreen().run(
        CollectingDispatcher(),
        tracker("start the back pain program", "start_back_pain_program", slots),
        {},
    )
    assert events == [
        *(SlotSet(flag, None) for flag in RED_FLAGS),
        SlotSet("screening_outcome", None),
        SlotSet("screen_failed_attempts", 0),
    ]


async def test_a_second_screen_never_clears_an_earlier_see_doctor() -> None:
    # Told to see a doctor, the member starts the screen again and answers four plain no's.
    slots = {**ALL_NO, "screening_outcome": "see_doctor"}
    start = await ActionStartScreen().run(
        CollectingDispatcher(),
        tracker("start the back pain program", "start_back_pain_program", slots),
        {},
    )
    assert SlotSet("screening_outcome", None) not in start
    dispatcher = CollectingDispatcher()
    events = await ActionScreeningOutcome().run(dispatcher, tracker("no", "deny", slots), {})
    assert events == [SlotSet("screening_outcome", "see_doctor")]
    assert [m["response"] for m in dispatcher.messages][0] == "utter_see_doctor"


async def test_a_volunteered_red_flag_records_see_doctor() -> None:
    dispatcher = CollectingDispatcher()
    text = "my back hurts and I can't control my bladder"
    events = await ActionRecordRedFlag().run(dispatcher, tracker(text, "report_red_flag"), {})
    assert events == [SlotSet("screening_outcome", "see_doctor")]


# ---------------------------------------------------------------- domain content


@pytest.mark.parametrize("flag", RED_FLAGS)
def test_each_question_has_the_seed_wording_and_buttons_the_form_can_read(flag: str) -> None:
    (variant,) = DOMAIN.responses[f"utter_ask_{flag}"]
    question = re.sub(r"^\d of 4: ", "", variant["text"]).rstrip("?")
    assert f"{question}." in SEED
    payloads = {button["title"]: button["payload"] for button in variant["buttons"]}
    assert [classify_answer(payload, flag) for payload in payloads.values()] == [
        "yes",
        "no",
        "unsure",
    ]


def test_questions_are_asked_in_the_seed_order() -> None:
    questions = [DOMAIN.responses[f"utter_ask_{flag}"][0]["text"] for flag in RED_FLAGS]
    positions = [SEED.index(re.sub(r"^\d of 4: ", "", q).rstrip("?")) for q in questions]
    assert positions == sorted(positions)
    assert "Are you having back pain with any of the following?" in render(
        {"response": "utter_screen_intro"}
    )


@pytest.mark.parametrize("response", ["utter_see_doctor", "utter_red_flag_volunteered"])
def test_the_doctor_recommendation_is_the_seed_wording(response: str) -> None:
    text = render({"response": response})
    for sentence in (
        "that you are experiencing one or more of the health issues that might be impacting "
        "your back pain.",
        "We recommend that you discuss these health issues with your doctor before proceeding "
        "with",
    ):
        assert sentence in text and sentence in SEED
