"""validate_stage_form and action_explain_stage, called the way the Rasa 3.6 server calls them.

Trackers are built like rasa's FormAction builds them for the validation action
(``FormAction._temporary_tracker``): the conversation, then ``requested_slot``, the form's
``action`` event and the slot candidates; on activation an ``active_loop`` event follows the
user message and earlier values of the slots come back as (stale) candidates.
"""
from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import ajcc_oracle as oracle
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from rasa.core.actions.action import ActionExecutionRejection, ActionExtractSlots, RemoteAction
from rasa.core.actions.forms import FormAction
from rasa.core.channels import CollectingOutputChannel
from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import (
    ActionExecuted,
    ActionExecutionRejected,
    ActiveLoop,
    BotUttered,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa_sdk import Tracker
from rasa_sdk.executor import ActionExecutor, CollectingDispatcher

from actions.staging import (
    ActionAnswerStageQuestion,
    ActionAskStageConfirmed,
    ActionExplainStage,
    ValidateStageForm,
    condition_bubbles,
)
from member_health import staging, units
from member_health import tumor_details as td
from member_health.settings import plan
from member_health_rasa.project import merged_domain

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = merged_domain()
DOMAIN_DICT = DOMAIN.as_dict()
LIMB = "limb_trunk_skull"
MAX_BUBBLE = 450
CONFIRMED = "stage_confirmed"
FORM_SLOTS = DOMAIN_DICT["forms"]["stage_form"]["required_slots"]


@pytest.fixture(autouse=True)
def fresh_plan() -> Iterator[None]:
    """``plan()`` is cached: clear it so each test sees its own environment."""
    plan.cache_clear()
    yield
    plan.cache_clear()


@pytest.fixture(scope="module")
def nlg() -> TemplatedNaturalLanguageGenerator:
    """The Rasa server's response generator over the domain's responses."""
    return TemplatedNaturalLanguageGenerator(DOMAIN.responses)


def render(nlg: TemplatedNaturalLanguageGenerator, message: dict[str, Any]) -> str:
    """Fill the response the way the Rasa server does with an action server's message."""
    kwargs = dict(message)
    response = kwargs.pop("response")
    rendered = nlg.generate_from_slots(response, {}, "rest", **kwargs)
    assert rendered is not None, f"{response} is not in data/responses/"
    return str(rendered["text"])


def user(text: str, intent: str, entities: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """A user event as the Rasa server serialises it."""
    parse = {"intent": {"name": intent, "confidence": 1.0}, "entities": entities or []}
    return {"event": "user", "text": text, "parse_data": parse}


def form_tracker(
    text: str,
    intent: str = "inform",
    *,
    requested: str | None = None,
    filled: dict[str, Any] | None = None,
    candidates: dict[str, Any] | None = None,
    entities: dict[str, Any] | None = None,
    activation: bool = False,
    earlier_texts: tuple[str, ...] = (),
) -> Tracker:
    """The tracker validate_stage_form receives for the latest message ``text``."""
    entity_list = [{"entity": k, "value": v} for k, v in (entities or {}).items()]
    slots: dict[str, Any] = {slot: None for slot in FORM_SLOTS}
    slots.update(filled or {})
    slots.update(candidates or {})
    slots["requested_slot"] = requested
    events = [user(earlier, "inform") for earlier in earlier_texts]
    events.append(user(text, intent, entity_list))
    if activation:
        events.append({"event": "active_loop", "name": "stage_form"})
    events.append({"event": "slot", "name": "requested_slot", "value": requested})
    events.append({"event": "action", "name": "stage_form"})
    events += [{"event": "slot", "name": k, "value": v} for k, v in (candidates or {}).items()]
    latest = {"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": entity_list}
    return Tracker(
        "member-1", slots, latest, events, False, None, {"name": "stage_form"}, "stage_form"
    )


async def validate(tracker: Tracker) -> tuple[dict[str, Any], list[str]]:
    """Run validate_stage_form: the slot values it sets and the responses it sends.

    ``requested_slot`` in the result is the question the form asks next (None: it is done).
    When the validation action leaves it unset (every required slot still counts), Rasa's
    FormAction asks the first empty required slot in the domain's order, as here.
    """
    dispatcher = CollectingDispatcher()
    events = await ValidateStageForm().run(dispatcher, tracker, DOMAIN_DICT)
    assert all(event["event"] == "slot" for event in events)
    values = {event["name"]: event["value"] for event in events}
    if "requested_slot" not in values:
        after = {slot: values.get(slot, tracker.get_slot(slot)) for slot in FORM_SLOTS}
        values["requested_slot"] = next((s for s in FORM_SLOTS if after[s] is None), None)
    return values, [message["response"] for message in dispatcher.messages]


# --------------------------------------------------------------------------- activation


async def test_one_message_with_every_detail_fills_the_form_at_once() -> None:
    values, said = await validate(
        form_tracker(
            "high-grade osteosarcoma in his femur, 10 cm, only one spot, no spread "
            "- what stage is that?",
            "ask_my_stage",
            activation=True,
        )
    )
    assert values == {
        td.LOCATION: LIMB,
        td.SPREAD: "none",
        td.GRADE: "high",
        td.SIZE: 10.0,
        td.SPOTS: "no",
        CONFIRMED: None,
        "requested_slot": None,  # every detail in the first message: named at once
    }
    assert said == []


async def test_a_question_without_details_introduces_the_questions() -> None:
    values, said = await validate(
        form_tracker("what stage is my son's tumor?", "ask_my_stage", activation=True)
    )
    assert values == {**{slot: None for slot in FORM_SLOTS}, "requested_slot": td.LOCATION}
    assert said == ["utter_stage_intro"]


async def test_activation_forgets_an_earlier_conversations_details() -> None:
    earlier = {td.LOCATION: LIMB, td.SPREAD: "none", td.GRADE: "high", td.SIZE: 10.0}
    values, _ = await validate(
        form_tracker(
            "what stage is a chordoma in the lower spine?",
            "ask_my_stage",
            activation=True,
            filled=earlier,
            candidates=earlier,  # Rasa hands filled required slots back as candidates
        )
    )
    assert values[td.LOCATION] == "spine"
    assert all(values[slot] is None for slot in td.SLOTS if slot != td.LOCATION)
    assert values["requested_slot"] is None  # spine: nothing else matters


async def test_a_forced_negative_size_payload_is_rejected_at_activation() -> None:
    values, said = await validate(
        form_tracker(
            '/ask_my_stage{"tumor_size_cm": -5}',
            "ask_my_stage",
            activation=True,
            entities={td.SIZE: -5},
            candidates={td.SIZE: -5},  # set by the from_entity mapping
        )
    )
    assert values[td.SIZE] is None
    assert said == ["utter_stage_problem_size_not_positive"]
    assert values["requested_slot"] == td.LOCATION


async def test_an_earlier_conversation_does_not_turn_not_sure_into_spread() -> None:
    values, _ = await validate(
        form_tracker(
            "what stage is it? it's in his arm, not sure if it has spread",
            "ask_my_stage",
            activation=True,
            earlier_texts=("what stage is my tumor", "yes it has spread"),
        )
    )
    assert values[td.SPREAD] == "unknown" and values[td.LOCATION] == LIMB


async def test_spread_to_the_lungs_in_the_first_message_asks_nothing_else() -> None:
    values, _ = await validate(
        form_tracker(
            "my daughter has ewing sarcoma in her leg, it went to her lungs. what stage?",
            "ask_my_stage",
            activation=True,
        )
    )
    assert values[td.SPREAD] == "lungs" and values["requested_slot"] is None


# --------------------------------------------------------------------------- answers


@pytest.mark.parametrize(
    "requested, filled, text, intent, expected, said",
    [
        (
            td.LOCATION,
            {},
            "it's in his thigh bone",
            "inform",
            {td.LOCATION: LIMB, "requested_slot": td.SPREAD},
            [],
        ),
        (
            td.LOCATION,
            {},
            "his femur, and it's high grade",
            "inform",
            {td.LOCATION: LIMB, td.GRADE: "high", "requested_slot": td.SPREAD},
            ["utter_stage_noted"],  # "Got it: high grade."
        ),
        # Another detail instead of the answer: kept and acknowledged, the question comes
        # again, no complaint (issue 15: details were stored silently).
        (
            td.LOCATION,
            {},
            "it's high grade",
            "inform",
            {td.LOCATION: None, td.GRADE: "high", "requested_slot": td.LOCATION},
            ["utter_stage_noted"],
        ),
        (
            td.SPREAD,
            {td.LOCATION: LIMB},
            "6 cm",
            "inform",
            {td.SPREAD: None, td.SIZE: 6.0, "requested_slot": td.SPREAD},
            ["utter_stage_noted"],
        ),
        # A straddling size volunteered: asked about once, no "couldn't use that" on top.
        (
            td.SPREAD,
            {td.LOCATION: LIMB},
            "it's about 8 cm",
            "inform",
            {td.SPREAD: None, td.SIZE: None, "requested_slot": td.SPREAD},
            ["utter_stage_problem_size_straddles"],
        ),
        (
            td.SPREAD,
            {td.LOCATION: LIMB},
            "only one spot",
            "inform",
            {td.SPREAD: None, td.SPOTS: "no", "requested_slot": td.SPREAD},
            ["utter_stage_noted"],
        ),
        # Possible or pending spread is unknown (issue 15: "might have spread" was IVA).
        (
            td.SPREAD,
            {td.LOCATION: LIMB},
            "it might have spread to his lungs",
            "inform",
            {td.SPREAD: "unknown", "requested_slot": td.GRADE},
            [],
        ),
        (
            td.SPREAD,
            {td.LOCATION: LIMB},
            "we're waiting on the biopsy",
            "inform",
            {td.SPREAD: "unknown", "requested_slot": td.GRADE},
            [],
        ),
        (
            td.SPREAD,
            {td.LOCATION: LIMB},
            "the lungs, nowhere else",
            "inform",
            {td.SPREAD: "lungs", "requested_slot": CONFIRMED},
            [],
        ),
        (
            td.SPREAD,
            {td.LOCATION: LIMB},
            "there's another tumor in a different bone",
            "inform",
            {td.SPREAD: "other", td.SPOTS: None, "requested_slot": CONFIRMED},
            [],
        ),
        (
            td.LOCATION,
            {},
            "banana",
            "out_of_scope",
            {td.LOCATION: None, "requested_slot": td.LOCATION},
            ["utter_stage_problem_not_understood"],
        ),
        (
            td.LOCATION,
            {},
            "his hip",
            "inform",
            {td.LOCATION: None, "requested_slot": td.LOCATION},
            ["utter_stage_problem_location_hip"],
        ),
        (
            td.SPREAD,
            {td.LOCATION: LIMB},
            "it went to his lungs",
            "inform",
            {td.SPREAD: "lungs", "requested_slot": CONFIRMED},
            [],
        ),
        (
            td.SPREAD,
            {td.LOCATION: LIMB},
            "no, it hasn't spread anywhere",
            "deny",
            {td.SPREAD: "none", "requested_slot": td.GRADE},
            [],
        ),
        (
            td.SPREAD,
            {td.LOCATION: LIMB},
            "yes",
            "affirm",
            {td.SPREAD: None, "requested_slot": td.SPREAD},
            ["utter_stage_problem_spread_needs_site"],
        ),
        (
            td.GRADE,
            {td.LOCATION: LIMB, td.SPREAD: "none"},
            "fast growing",
            "inform",
            {td.GRADE: None, "requested_slot": td.GRADE},
            ["utter_stage_problem_grade_not_a_grade"],
        ),
        (
            td.GRADE,
            {td.LOCATION: LIMB, td.SPREAD: "none"},
            "grade 9",
            "inform",
            {td.GRADE: None, "requested_slot": td.GRADE},
            ["utter_stage_problem_grade_out_of_range"],
        ),
        (
            td.GRADE,
            {td.LOCATION: LIMB, td.SPREAD: "none"},
            "not sure",
            "unsure",
            {td.GRADE: "unknown", "requested_slot": td.SIZE},
            [],
        ),
        (
            td.GRADE,
            {td.LOCATION: LIMB, td.SPREAD: "none"},
            "\U0001f937",
            "unsure",
            {td.GRADE: "unknown", "requested_slot": td.SIZE},
            [],
        ),
        (
            td.SIZE,
            {td.LOCATION: LIMB, td.SPREAD: "none", td.GRADE: "high"},
            "about 10 centimeters",
            "inform",
            {td.SIZE: units.OVER_8, "requested_slot": td.SPOTS},
            [],
        ),
        # Comparators are kept (issue 15: "over 8 cm" was read as 8 cm, IIA for IIB).
        (
            td.SIZE,
            {td.LOCATION: LIMB, td.SPREAD: "none", td.GRADE: "high"},
            "it's larger than 8 cm",
            "inform",
            {td.SIZE: units.OVER_8, "requested_slot": td.SPOTS},
            [],
        ),
        (
            td.SIZE,
            {td.LOCATION: LIMB, td.SPREAD: "none", td.GRADE: "low"},
            "more than 8 cm",
            "inform",
            {td.SIZE: units.OVER_8, "requested_slot": CONFIRMED},  # low grade over 8: IB
            [],
        ),
        (
            td.SIZE,
            {td.LOCATION: LIMB, td.SPREAD: "none", td.GRADE: "high"},
            "about 8 cm",
            "inform",
            {td.SIZE: None, "requested_slot": td.SIZE},
            ["utter_stage_problem_size_straddles"],
        ),
        (
            td.SIZE,
            {td.LOCATION: LIMB, td.SPREAD: "none", td.GRADE: "high"},
            "somewhere from 7 to 9 cm",
            "inform",
            {td.SIZE: None, "requested_slot": td.SIZE},
            ["utter_stage_problem_size_straddles"],
        ),
        (
            td.SIZE,
            {td.LOCATION: LIMB, td.SPREAD: "none", td.GRADE: "low"},
            "3.15 inches",
            "inform",
            {td.SIZE: 8.001, "requested_slot": CONFIRMED},
            [],
        ),
        (
            td.SIZE,
            {td.LOCATION: LIMB, td.SPREAD: "none", td.GRADE: "high"},
            "the size of a golf ball",
            "out_of_scope",
            {td.SIZE: None, "requested_slot": td.SIZE},
            ["utter_stage_problem_size_no_measurement"],
        ),
        (
            td.SIZE,
            {td.LOCATION: LIMB, td.SPREAD: "none", td.GRADE: "high"},
            "-5 cm",
            "inform",
            {td.SIZE: None, "requested_slot": td.SIZE},
            ["utter_stage_problem_size_not_positive"],
        ),
        (
            td.SIZE,
            {td.LOCATION: LIMB, td.SPREAD: "none", td.GRADE: "high"},
            "10",
            "inform",
            {td.SIZE: None, "requested_slot": td.SIZE},
            ["utter_stage_problem_size_no_unit"],
        ),
        # A detail stated again with another value replaces the earlier one, and is said.
        (
            td.SIZE,
            {td.LOCATION: LIMB, td.SPREAD: "none", td.GRADE: "high"},
            "low grade, 5 cm",
            "inform",
            {td.SIZE: 5.0, td.GRADE: "low", "requested_slot": td.SPOTS},
            ["utter_stage_noted"],
        ),
        (
            td.SPOTS,
            {td.LOCATION: LIMB, td.SPREAD: "none", td.GRADE: "high", td.SIZE: 6.0},
            "wait, it's actually 10 cm not 6",
            "inform",
            {td.SIZE: 10.0, td.SPOTS: None, "requested_slot": td.SPOTS},
            ["utter_stage_noted"],
        ),
        (
            td.SPOTS,
            {td.LOCATION: LIMB, td.SPREAD: "none", td.GRADE: "high", td.SIZE: 6.0},
            "sorry I meant low grade",
            "inform",
            {td.GRADE: "low", td.SPOTS: None, "requested_slot": td.SPOTS},
            ["utter_stage_noted"],
        ),
        # A detail stated again with the same value is not news.
        (
            td.SPOTS,
            {td.LOCATION: LIMB, td.SPREAD: "none", td.GRADE: "high", td.SIZE: 6.0},
            "just one, and yes it's high grade",
            "inform",
            {td.SPOTS: "no", "requested_slot": CONFIRMED},
            [],
        ),
        (
            td.SPOTS,
            {td.LOCATION: LIMB, td.SPREAD: "none", td.GRADE: "high", td.SIZE: 6.0},
            "just one",
            "inform",
            {td.SPOTS: "no", "requested_slot": CONFIRMED},
            [],
        ),
        # An answer the NLU took for an FAQ question is still an answer.
        (
            td.SPOTS,
            {td.LOCATION: LIMB, td.SPREAD: "none", td.GRADE: "high", td.SIZE: 10.0},
            "more than one spot in the bone",
            "faq",
            {td.SPOTS: "yes", "requested_slot": CONFIRMED},
            [],
        ),
    ],
)
async def test_answers(
    requested: str,
    filled: dict[str, Any],
    text: str,
    intent: str,
    expected: dict[str, Any],
    said: list[str],
) -> None:
    values, responses = await validate(
        form_tracker(text, intent, requested=requested, filled=filled)
    )
    assert {key: values.get(key, filled.get(key)) for key in expected} == expected
    assert responses == said


@pytest.mark.parametrize(
    "text, intent",
    [
        ("what does high grade mean?", "faq"),
        ("how is bone cancer treated", "faq"),
        ("stop", "stop"),
        ("cancel", "stop"),
        ("my dad can't breathe and has chest pain", "emergency"),
        ("it went to his lungs and now he can't breathe", "emergency"),
        ("I want to talk to a nurse", "human_handoff"),
        ("actually, delete my data", "forget_me"),
        ("no, forget me", "forget_me"),
    ],
)
async def test_interruptions_are_left_to_the_rules(text: str, intent: str) -> None:
    values, said = await validate(
        form_tracker(text, intent, requested=td.SPREAD, filled={td.LOCATION: LIMB})
    )
    # No slot was filled or validated: Rasa rejects the form and the rules take the message.
    assert set(values) <= {"requested_slot"} and said == []


async def test_spread_then_not_sure_where_is_spread_somewhere() -> None:
    values, said = await validate(
        form_tracker(
            "not sure",
            "unsure",
            requested=td.SPREAD,
            filled={td.LOCATION: LIMB},
            earlier_texts=("what stage is my tumor", "in the femur", "yes it has spread"),
        )
    )
    assert values[td.SPREAD] == "unknown_site" and values["requested_slot"] == CONFIRMED
    assert said == []


@pytest.mark.parametrize(
    "entities, expected, said",
    [
        ({td.SPREAD: "lungs"}, {td.SPREAD: "lungs", "requested_slot": CONFIRMED}, []),
        (
            {td.SPREAD: "unknown_site"},
            {td.SPREAD: "unknown_site", "requested_slot": CONFIRMED},
            [],
        ),
        ({td.SPREAD: "brain"}, {td.SPREAD: "other", "requested_slot": CONFIRMED}, []),
        ({td.SPREAD: "everywhere!!"}, {td.SPREAD: "other", "requested_slot": CONFIRMED}, []),
        (
            {td.SPREAD: 42},
            {td.SPREAD: None, "requested_slot": td.SPREAD},
            ["utter_stage_problem_not_understood"],
        ),
        # A junk value for a detail that no longer matters is still cleared.
        (
            {td.SPREAD: "lungs", td.GRADE: "grade 9"},
            {td.SPREAD: "lungs", td.GRADE: None, "requested_slot": CONFIRMED},
            ["utter_stage_problem_grade_out_of_range"],
        ),
        (
            {td.SIZE: 1e308, td.SPREAD: "none"},
            {td.SIZE: None, td.SPREAD: "none", "requested_slot": td.GRADE},
            ["utter_stage_problem_size_too_large"],
        ),
    ],
)
async def test_payload_values_are_validated(
    entities: dict[str, Any], expected: dict[str, Any], said: list[str]
) -> None:
    payload = "/inform" + json.dumps(entities)
    values, responses = await validate(
        form_tracker(
            payload,
            "inform",
            requested=td.SPREAD,
            filled={td.LOCATION: LIMB},
            entities=entities,
            candidates=entities,  # set by the from_entity mappings before the form runs
        )
    )
    assert {key: values.get(key) for key in expected} == expected
    assert sorted(responses) == sorted(said)


# --------------------------------------------------------------------------- the explanation


async def explain(slots: dict[str, Any]) -> list[dict[str, Any]]:
    """Run action_explain_stage over these slot values; the messages it sent."""
    dispatcher = CollectingDispatcher()
    values = {slot: slots.get(slot) for slot in td.SLOTS}
    tracker = Tracker("member-1", values, {}, [], False, None, {}, "stage_form")
    assert await ActionExplainStage().run(dispatcher, tracker, DOMAIN_DICT) == []
    return dispatcher.messages


def names(messages: list[dict[str, Any]]) -> list[str]:
    return [message["response"] for message in messages]


async def test_a_definite_stage_is_named_with_its_meaning(
    nlg: TemplatedNaturalLanguageGenerator,
) -> None:
    messages = await explain(
        {td.LOCATION: LIMB, td.SPREAD: "none", td.GRADE: "high", td.SIZE: 10.0, td.SPOTS: "no"}
    )
    assert names(messages) == [
        "utter_stage_result",
        "utter_stage_meaning_IIB",
        "utter_stage_care_team",
        "utter_stage_offer_topics",
    ]
    texts = [render(nlg, message) for message in messages]
    assert "stage IIB" in texts[0]
    assert "high grade, 10 cm, in one spot, not spread" in texts[0]
    assert "high-grade tumor that hasn't spread" in texts[1]
    assert "care team" in texts[2] and plan().nurse_line in texts[2]


async def test_unknown_details_list_the_possible_stages_and_what_decides(
    nlg: TemplatedNaturalLanguageGenerator,
) -> None:
    messages = await explain(
        {
            td.LOCATION: LIMB,
            td.SPREAD: "none",
            td.GRADE: "high",
            td.SIZE: "unknown",
            td.SPOTS: "unknown",
        }
    )
    assert names(messages) == [
        "utter_stage_possible",
        "utter_stage_deciding",
        "utter_stage_plain_words",
        "utter_stage_care_team",
        "utter_stage_offer_topics",
    ]
    possible, deciding = render(nlg, messages[0]), render(nlg, messages[1])
    assert "stage IIA, IIB or III" in possible and "size not known" in possible
    assert "- stage IIA: 8 cm or less, in one spot" in deciding
    assert "- stage III: in more than one spot in the bone" in deciding


async def test_everything_unknown_fits_in_chat_bubbles(
    nlg: TemplatedNaturalLanguageGenerator,
) -> None:
    messages = await explain({slot: td.UNKNOWN for slot in td.SLOTS})
    assert names(messages)[:2] == [
        "utter_stage_possible_location_unknown",
        "utter_stage_spread_pending",
    ]
    for message in messages:
        for bubble in re.split(r"\n\s*\n", render(nlg, message)):
            assert len(bubble) < MAX_BUBBLE, bubble
    deciding = "\n".join(
        render(nlg, m) for m in messages if m["response"].startswith("utter_stage_deciding")
    )
    assert all(f"- stage {group}:" in deciding for group in oracle.GROUP_ORDER)


@pytest.mark.parametrize(
    "location, spread, described",
    [
        ("spine", "none", "utter_stage_described_localized"),
        ("pelvis", "lungs", "utter_stage_described_metastatic"),
        ("spine", "unknown_site", "utter_stage_described_metastatic"),
        ("pelvis", None, None),
        ("spine", "unknown", None),
    ],
)
async def test_spine_and_pelvis_explain_localized_or_metastatic(
    nlg: TemplatedNaturalLanguageGenerator,
    location: str,
    spread: str | None,
    described: str | None,
) -> None:
    messages = await explain({td.LOCATION: location, td.SPREAD: spread})
    expected = ["utter_stage_spine_pelvis", "utter_stage_localized_vs_metastatic"]
    expected += [described] if described else []
    assert names(messages) == expected + ["utter_stage_care_team", "utter_stage_offer_topics"]
    first = render(nlg, messages[0])
    assert location in first and "no stage groups" in first
    assert not any("stage I" in render(nlg, m) for m in messages)


async def test_location_unknown_names_the_group_only_for_limbs_trunk_skull_and_face(
    nlg: TemplatedNaturalLanguageGenerator,
) -> None:
    messages = await explain(
        {td.LOCATION: "unknown", td.SPREAD: "lungs", td.GRADE: None, td.SIZE: None}
    )
    assert names(messages)[:3] == [
        "utter_stage_result_location_unknown",
        "utter_stage_meaning_IVA",
        "utter_stage_care_team",
    ]
    first = render(nlg, messages[0])
    assert "if the tumor is in a bone of the arms, legs, trunk, skull or face" in first
    assert "stage IVA" in first and "spine or pelvis have no AJCC stage group" in first


async def test_location_unknown_lists_the_groups_still_possible(
    nlg: TemplatedNaturalLanguageGenerator,
) -> None:
    messages = await explain(
        {
            td.LOCATION: "unknown",
            td.SPREAD: "none",
            td.GRADE: "high",
            td.SIZE: "unknown",
            td.SPOTS: "no",
        }
    )
    assert names(messages)[0] == "utter_stage_possible_location_unknown"
    first = render(nlg, messages[0])
    assert "it could be stage IIA or IIB" in first
    assert "spine or pelvis have no AJCC stage group" in first
    assert "location not known" in first


async def test_location_not_asked_keeps_the_general_note() -> None:
    messages = await explain({td.SPREAD: "lungs"})
    assert names(messages)[:3] == [
        "utter_stage_result",
        "utter_stage_meaning_IVA",
        "utter_stage_location_note",
    ]


GROUP_NAME = r"(?:IVA|IVB|IIA|IIB|III|IA|IB)"
NAMED_GROUPS = re.compile(rf"\bstage ({GROUP_NAME}(?:(?:, | or ){GROUP_NAME})*)\b")


@settings(max_examples=200, deadline=None, database=None)
@given(
    st.fixed_dictionaries(
        {
            td.LOCATION: st.sampled_from([LIMB, "unknown", None, "spine", "pelvis"]),
            td.GRADE: st.sampled_from(["low", "high", "unknown", None]),
            td.SIZE: st.one_of(
                st.floats(min_value=0.1, max_value=60, allow_nan=False),
                st.sampled_from([8.0, "8cm_or_less", "over_8cm", "unknown", None]),
            ),
            td.SPOTS: st.sampled_from(["no", "yes", "unknown", None]),
            td.SPREAD: st.sampled_from(
                ["none", "lungs", "lymph_nodes", "other", "unknown", "unknown_site", None]
            ),
        }
    )
)
def test_the_reply_names_the_contracts_groups_and_where_there_are_none(
    nlg: TemplatedNaturalLanguageGenerator, details: dict[str, Any]
) -> None:
    """A location not known or not asked could be the spine or pelvis (no stage group): the
    reply names the groups the contract's table allows elsewhere and says the spine and pelvis
    have none; a known limb, trunk, skull or face tumor is never told about them."""
    texts = [render(nlg, message) for message in asyncio.run(explain(details))]
    reply = "\n".join(texts)
    found = oracle.possible(details)
    groups = oracle.in_order(found - {oracle.NO_GROUP})
    named = {g for m in NAMED_GROUPS.findall(texts[0]) for g in re.findall(GROUP_NAME, m)}
    if not groups:
        assert "no stage groups" in texts[0] and not NAMED_GROUPS.search(reply)
    else:
        assert named == set(groups), (texts[0], groups)
        says_none = re.search(r"spine or pelvis have no AJCC stage group", reply) is not None
        assert says_none is (oracle.NO_GROUP in found), reply
    assert "care team" in reply


@pytest.mark.parametrize(
    "spread, pending_note",
    [("unknown", True), ("none", False), ("unknown_site", False), ("lungs", False)],
)
async def test_unknown_spread_says_pending_results_decide(
    nlg: TemplatedNaturalLanguageGenerator, spread: str, pending_note: bool
) -> None:
    messages = await explain(
        {td.LOCATION: LIMB, td.SPREAD: spread, td.GRADE: "high", td.SIZE: 10.0, td.SPOTS: "no"}
    )
    assert ("utter_stage_spread_pending" in names(messages)) is pending_note
    if pending_note:
        assert messages[0]["groups"] == "IIB, IVA or IVB"
        note = render(nlg, messages[1])
        assert "isn't known yet" in note and "results decide" in note


@pytest.mark.parametrize(
    "size, said, stage",
    [
        ("over_8cm", "high grade, over 8 cm", "IIB"),
        ("8cm_or_less", "high grade, 8 cm or less", "IIA"),
    ],
)
async def test_a_size_known_by_its_side_of_8_cm_is_said_that_way(
    nlg: TemplatedNaturalLanguageGenerator, size: str, said: str, stage: str
) -> None:
    messages = await explain(
        {td.LOCATION: LIMB, td.SPREAD: "none", td.GRADE: "high", td.SIZE: size, td.SPOTS: "no"}
    )
    first = render(nlg, messages[0])
    assert f"({said}, in one spot, not spread)" in first and f"stage {stage}." in first
    assert not re.search(r"\d+(\.\d+)? cm(?! or less)", first.replace("over 8 cm", ""))


async def test_forced_invalid_slot_values_count_as_unknown() -> None:
    messages = await explain(
        {td.LOCATION: LIMB, td.SPREAD: "none", td.GRADE: "9", td.SIZE: -5, td.SPOTS: "no"}
    )
    assert names(messages)[0] == "utter_stage_possible"
    assert messages[0]["groups"] == "IA, IB, IIA or IIB"


async def test_broken_plan_configuration_still_names_the_care_team(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PLAN_NURSE_LINE", "")
    messages = await explain({td.LOCATION: "spine"})
    assert "utter_stage_care_team_without_contacts" in names(messages)


def test_condition_bubbles_split_long_lists() -> None:
    result = staging.stage_group(LIMB, None, None, None, None)
    bubbles = condition_bubbles(result)
    assert "\n".join(bubbles).count("- stage ") == 7  # IA, IB, IIA, IIB, III, IVA, IVB
    assert all(len("What decides between them:\n" + bubble) < MAX_BUBBLE for bubble in bubbles)


# --------------------------------------------------------------------------- the domain


# Every answer problem the form can meet, with an answer that meets it. The names are the
# domain's utter_stage_problem_<name> responses, written out here (not read from the module).
PROBLEM_ANSWERS = [
    (td.LOCATION, "banana", "not_understood"),
    (td.LOCATION, "his hip", "location_hip"),
    (td.SPREAD, "it has spread", "spread_needs_site"),
    (td.GRADE, "fast growing", "grade_not_a_grade"),
    (td.GRADE, "grade 2", "grade_number_unclear"),
    (td.GRADE, "grade 9", "grade_out_of_range"),
    (td.SIZE, "10", "size_no_unit"),
    (td.SIZE, "about 8 cm", "size_straddles"),
    (td.SIZE, "5 cm and 2 cm", "size_not_one_size"),
    (td.SIZE, "the size of a golf ball", "size_no_measurement"),
    (td.SIZE, "0 cm", "size_not_positive"),
    (td.SIZE, "70 cm", "size_too_large"),
]
EARLIER_ANSWERS = {
    td.LOCATION: {},
    td.SPREAD: {td.LOCATION: LIMB},
    td.GRADE: {td.LOCATION: LIMB, td.SPREAD: "none"},
    td.SIZE: {td.LOCATION: LIMB, td.SPREAD: "none", td.GRADE: "high"},
}


@pytest.mark.parametrize(
    "slot, text, problem", PROBLEM_ANSWERS, ids=[p for _, _, p in PROBLEM_ANSWERS]
)
async def test_each_answer_problem_is_explained_and_asked_again(
    nlg: TemplatedNaturalLanguageGenerator, slot: str, text: str, problem: str
) -> None:
    values, said = await validate(form_tracker(text, requested=slot, filled=EARLIER_ANSWERS[slot]))
    assert said == [f"utter_stage_problem_{problem}"]
    assert values[slot] is None and values["requested_slot"] == slot
    rendered = render(nlg, {"response": said[0], "max_size_cm": "60", **plan().as_template()})
    assert "{" not in rendered and len(rendered) < MAX_BUBBLE


def sent_responses() -> set[str]:
    """Every response the staging actions can send (written out, not read from the module)."""
    return {
        "utter_stage_intro",
        "utter_stage_result",
        "utter_stage_possible",
        "utter_stage_deciding",
        "utter_stage_deciding_more",
        "utter_stage_plain_words",
        "utter_stage_location_note",
        "utter_stage_spine_pelvis",
        "utter_stage_localized_vs_metastatic",
        "utter_stage_described_localized",
        "utter_stage_described_metastatic",
        "utter_stage_care_team",
        "utter_stage_care_team_without_contacts",
        "utter_stage_offer_topics",
        "utter_stage_noted",
        "utter_stage_confirm",
        "utter_stage_which_detail",
        "utter_stage_problem_confirm",
        "utter_stage_result_location_unknown",
        "utter_stage_possible_location_unknown",
        "utter_stage_spread_pending",
        *(f"utter_stage_problem_{problem}" for _, _, problem in PROBLEM_ANSWERS),
        *(f"utter_stage_meaning_{group}" for group in oracle.GROUP_ORDER),
    }


@pytest.mark.parametrize("response", sorted(sent_responses()))
def test_every_response_the_actions_send_is_in_the_domain(
    nlg: TemplatedNaturalLanguageGenerator, response: str
) -> None:
    template_values = {
        "details": "location not known, grade not known, size not known, number of spots not "
        "known, spread, but where is not known",
        "stage": "IIB",
        "groups": "IA, IB, IIA, IIB, III, IVA or IVB",
        "conditions": "- stage IIB: in one spot",
        "location": "pelvis",
        "max_size_cm": "60",
        **plan().as_template(),
    }
    text = render(nlg, {"response": response, **template_values})
    assert "{" not in text and "}" not in text
    assert "911" not in text
    for bubble in re.split(r"\n\s*\n", text):
        assert len(bubble) < MAX_BUBBLE


@pytest.mark.parametrize(
    "slot, keyword",
    [
        (td.LOCATION, "where"),
        (td.SPREAD, "spread"),
        (td.GRADE, "grade"),
        (td.SIZE, "big"),
        (td.SPOTS, "spot"),
    ],
)
def test_questions_are_one_line_with_buttons_that_validate(slot: str, keyword: str) -> None:
    (variant,) = DOMAIN.responses[f"utter_ask_{slot}"]
    assert "\n" not in variant["text"].strip() and keyword in variant["text"].lower()
    others = {"where", "spread", "grade", "big", "spot"} - {keyword}
    assert not any(other in variant["text"].lower() for other in others if other != "where")
    titles = [button["title"] for button in variant["buttons"]]
    assert "Not sure" in titles
    for button in variant["buttons"]:
        # Braces are doubled in the domain: responses are templates ({placeholder}).
        match = re.fullmatch(r"/inform\{(\{.*\})\}", button["payload"])
        assert match, button
        entities = json.loads(match.group(1))
        assert list(entities) == [slot]
        assert td.check_value(slot, entities[slot]) == td.Reading(entities[slot])


def contract_slot_values() -> dict[str, list[str]]:
    """The stage slots' values as docs/content-contract.md lists them (categorical ones)."""
    text = oracle.CONTRACT.read_text(encoding="utf-8").split("## Stage explainer", 1)[1]
    values = {}
    for slot, cell in re.findall(r"^\| `(\w+)` \| (.+?) \|$", text, re.MULTILINE):
        names = re.findall(r"`(\w+)`", cell)
        if "a number" not in cell:
            values[slot] = names
    return values


def test_every_slot_value_of_the_contract_is_declared_and_accepted() -> None:
    contract = contract_slot_values()
    assert set(contract) == {td.LOCATION, td.GRADE, td.SPOTS, td.SPREAD}
    # Spread "somewhere, place not known" is the product's one addition (IVA or IVB).
    contract[td.SPREAD].append("unknown_site")
    slots = DOMAIN_DICT["slots"]
    for slot, values in contract.items():
        assert sorted(str(v) for v in slots[slot]["values"]) == sorted(values), slot
        for value in values:
            assert td.check_value(slot, value) == td.Reading(value), (slot, value)
    # The form asks location and spread first: either can make the rest moot.
    assert FORM_SLOTS == [
        "tumor_location", "spread", "tumor_grade", "tumor_size_cm", "multiple_spots", CONFIRMED
    ]  # fmt: skip


# --------------------------------------------------------------------------- with Rasa's form


class InProcessActionServer:
    """The action server's executor, called in-process instead of over HTTP (the boundary)."""

    kwargs: dict[str, Any] = {}

    def __init__(self) -> None:
        self.executor = ActionExecutor()
        self.executor.register_action(ValidateStageForm())
        self.executor.register_action(ActionExplainStage())
        self.executor.register_action(ActionAskStageConfirmed())

    async def request(self, json: dict[str, Any], **_: Any) -> dict[str, Any] | None:
        """What POST /webhook answers."""
        return await self.executor.run(json)


class Conversation:
    """Rasa 3.6's own FormAction and action_extract_slots driving the staging actions.

    The policies are not involved: each message goes to the form (the loop happy path), and
    the explanation runs when the form is done (the submit rule).
    """

    def __init__(self) -> None:
        self.endpoint = InProcessActionServer()
        self.channel = CollectingOutputChannel()
        self.nlg = TemplatedNaturalLanguageGenerator(DOMAIN.responses)
        self.tracker = DialogueStateTracker.from_events(
            "member-1", [ActionExecuted(ACTION_LISTEN_NAME)], slots=DOMAIN.slots
        )

    async def _run(self, action: Any) -> list[str]:
        events = await action.run(self.channel, self.nlg, self.tracker, DOMAIN)
        self.tracker.update(ActionExecuted(action.name()))
        self.tracker.update_with_events(events, DOMAIN)
        return [event.text for event in events if isinstance(event, BotUttered)]

    async def say(
        self, text: str, intent: str = "inform", entities: dict[str, Any] | None = None
    ) -> list[str] | None:
        """The bot's replies, or None when the form rejects the message (rules take it)."""
        entity_list = [{"entity": k, "value": v} for k, v in (entities or {}).items()]
        if self.tracker.latest_action_name != ACTION_LISTEN_NAME:
            self.tracker.update(ActionExecuted(ACTION_LISTEN_NAME))
        self.tracker.update(UserUttered(text, {"name": intent, "confidence": 1.0}, entity_list))
        extracted = await ActionExtractSlots(self.endpoint).run(  # type: ignore[arg-type]
            self.channel, self.nlg, self.tracker, DOMAIN
        )
        self.tracker.update_with_events(extracted, DOMAIN)
        return await self.run_form()

    async def run_form(self) -> list[str] | None:
        """Run stage_form (and the explanation once it is done)."""
        try:
            replies = await self._run(FormAction("stage_form", self.endpoint))  # type: ignore
        except ActionExecutionRejection:
            self.tracker.update(ActionExecutionRejected("stage_form"))
            return None
        if self.tracker.active_loop_name is None:
            replies += await self._run(RemoteAction("action_explain_stage", self.endpoint))
        return replies

    def slots(self) -> dict[str, Any]:
        return {slot: self.tracker.get_slot(slot) for slot in td.SLOTS}

    async def confirm(self) -> list[str] | None:
        """Tap "That's right" on the details shown before a stage is named."""
        return await self.say('/inform{"stage_confirmed": "yes"}', "inform", {CONFIRMED: "yes"})


# How a member answers each question, by its key word (as the end-to-end test does).
PLAIN_ANSWERS = [
    ("spread", "no, it hasn't spread anywhere"),
    ("spot", "just one spot"),
    ("grade", "the doctor said high grade"),
    ("big", "about 10 centimeters"),
    ("where", "it's in his thigh bone"),
]


async def test_rasa_form_asks_each_detail_and_explains_stage_iib() -> None:
    chat = Conversation()
    replies = await chat.say(
        "can you help me understand what stage my son's tumor is?", "ask_my_stage"
    )
    asked = []
    for _ in range(5):
        assert replies
        question = replies[-1].lower()
        keyword, answer = next((k, a) for k, a in PLAIN_ANSWERS if k in question)
        asked.append(keyword)
        replies = await chat.say(answer)
    assert asked == ["where", "spread", "grade", "big", "spot"]
    # Before a stage is named: the details used, in one bubble, with a way to fix one.
    assert replies == [
        "Before I name a stage, please check the details I'll use: in an arm, leg, trunk, "
        "skull or face bone, high grade, over 8 cm, in one spot, not spread. Is that right?"
    ]
    assert not any("stage II" in reply for reply in replies)
    replies = await chat.confirm()
    assert replies and "stage IIB" in replies[0]
    assert any("care team" in reply for reply in replies)
    assert chat.slots() == {
        td.LOCATION: LIMB,
        td.SPREAD: "none",
        td.GRADE: "high",
        td.SIZE: units.OVER_8,  # "about 10 centimeters": over 8 cm, not exactly 10
        td.SPOTS: "no",
    }


async def test_rasa_form_one_shot_then_a_new_question_starts_afresh() -> None:
    chat = Conversation()
    replies = await chat.say(
        "high-grade osteosarcoma in his femur, 10 cm, only one spot, no spread - what stage "
        "is that?",
        "ask_my_stage",
    )
    assert replies and "stage IIB" in replies[0] and chat.tracker.active_loop_name is None
    replies = await chat.say("and a chordoma in the lower spine, what stage?", "ask_my_stage")
    assert replies and "no stage groups" in replies[0]
    assert chat.slots() == {
        td.LOCATION: "spine",
        td.SPREAD: None,
        td.GRADE: None,
        td.SIZE: None,
        td.SPOTS: None,
    }


async def test_rasa_form_asks_again_after_a_golf_ball_and_accepts_not_sure() -> None:
    chat = Conversation()
    await chat.say(
        "what stage is a high grade tumor of the tibia that hasn't spread?", "ask_my_stage"
    )
    replies = await chat.say("the size of a golf ball", "out_of_scope")
    assert replies and "golf ball" in replies[0] and "How big" in replies[-1]
    assert chat.tracker.get_slot(td.SIZE) is None
    replies = await chat.say("not sure", "unsure")
    assert replies and "more than one spot" in replies[-1]
    replies = await chat.say("no idea", "unsure")
    assert replies and "size not known" in replies[-1] and "Is that right?" in replies[-1]
    replies = await chat.say("yes, that's right", "affirm")
    assert replies and "stage IIA, IIB or III" in replies[0]


async def test_rasa_form_leaves_an_faq_to_the_rules_and_resumes() -> None:
    chat = Conversation()
    await chat.say("what stage is my tumor?", "ask_my_stage")
    await chat.say("in his upper arm")
    assert await chat.say("what does high grade mean?", "faq") is None  # rejected
    chat.tracker.update(ActionExecuted("utter_faq"))  # the FAQ rule answers
    replies = await chat.run_form()  # ... and goes back to the form
    assert replies and "spread" in replies[-1]
    replies = await chat.say("it has spread to his lymph nodes")
    assert replies and "spread to lymph nodes. Is that right?" in replies[-1]
    replies = await chat.confirm()
    assert replies and "stage IVB" in replies[0]


async def test_rasa_form_rejects_forced_payload_values() -> None:
    chat = Conversation()
    replies = await chat.say('/ask_my_stage{"tumor_size_cm": -5}', "ask_my_stage", {td.SIZE: -5})
    assert replies and "above 0" in replies[0] and "Where" in replies[-1]
    assert chat.tracker.get_slot(td.SIZE) is None
    await chat.say("femur")
    replies = await chat.say(
        '/inform{"spread": "none", "tumor_grade": "grade 9"}',
        "inform",
        {td.SPREAD: "none", td.GRADE: "grade 9"},
    )
    assert replies and "1 to 3" in replies[0] and "low grade or high grade" in replies[-1]
    assert chat.tracker.get_slot(td.GRADE) is None
    assert chat.tracker.get_slot(td.SPREAD) == "none"


STORIES = yaml.safe_load((ROOT / "tests" / "stories" / "test_staging.yml").read_text())["stories"]


@pytest.mark.parametrize("story", STORIES, ids=[s["story"] for s in STORIES])
async def test_the_test_stories_slot_values_are_what_the_actions_set(
    story: dict[str, Any],
) -> None:
    """tests/stories/test_staging.yml shows what the real actions do with its texts."""
    chat, expected, rejected = Conversation(), {}, False
    for step in story["steps"]:
        if "user" in step:
            intent = step["intent"].split("/")[0]
            replies = await chat.say(step["user"].strip(), intent)
            rejected = replies is None
        elif step.get("action") == "utter_faq" and rejected:
            chat.tracker.update(ActionExecuted("utter_faq"))
            assert await chat.run_form() is not None
        elif "slot_was_set" in step:
            for item in step["slot_was_set"]:
                expected.update(item)
            actual = {name: chat.tracker.get_slot(name) for name in expected}
            assert actual == expected
        elif step.get("action") == "utter_stage_cancelled":
            assert rejected  # the rules take "stop"
        elif step.get("action") == "action_deactivate_loop":
            # What Rasa's own ActionDeactivateLoop returns (the rules run it, not our actions).
            chat.tracker.update(ActiveLoop(None))
            chat.tracker.update(SlotSet("requested_slot", None))
    assert chat.tracker.active_loop_name in (None, "stage_form")


# ------------------------------------------------------------------ issue 15 in Rasa's form


async def test_rasa_form_out_of_order_details_and_a_correction_before_the_stage() -> None:
    """The issue's conversation: IIA was named for a 10 cm high-grade tumor."""
    chat = Conversation()
    replies = await chat.say("what stage is my tumor? it's in my thigh bone", "ask_my_stage")
    assert replies and "spread" in replies[-1]
    replies = await chat.say("it's high grade")
    assert replies == [
        "Got it: high grade.",
        "Has the cancer spread outside the bone? If it has, where to?",
    ]
    replies = await chat.say("6 cm")
    assert replies and replies[0] == "Got it: 6 cm." and "spread" in replies[-1]
    replies = await chat.say("no it hasn't spread")
    assert replies and "more than one spot" in replies[-1]  # grade and size not asked again
    replies = await chat.say("wait, it's actually 10 cm not 6")
    assert replies and replies[0] == "Got it: 10 cm (not 6 cm)." and "spot" in replies[-1]
    replies = await chat.say("just one")
    assert replies and "high grade, 10 cm, in one spot, not spread" in replies[-1]
    assert not any("stage II" in reply for reply in replies)
    replies = await chat.confirm()
    assert replies and "stage IIB" in replies[0]


async def test_rasa_form_change_a_detail_with_the_buttons() -> None:
    chat = Conversation()
    await chat.say("what stage? high grade, 5 cm, in her arm, no spread", "ask_my_stage")
    replies = await chat.say("only one spot")
    assert replies and "high grade, 5 cm, in one spot" in replies[-1]
    replies = await chat.say(
        '/inform{"stage_confirmed": "change"}', "inform", {CONFIRMED: "change"}
    )
    assert replies and replies[-1].startswith("Which detail should I change?")
    replies = await chat.say(
        '/inform{"stage_confirmed": "change_tumor_grade"}',
        "inform",
        {CONFIRMED: "change_tumor_grade"},
    )
    assert replies and "low grade or high grade" in replies[-1]
    assert chat.tracker.get_slot(td.GRADE) is None
    replies = await chat.say("low grade")
    assert replies and "low grade, 5 cm, in one spot, not spread. Is that right?" in replies[-1]
    replies = await chat.confirm()
    assert replies and "stage IA" in replies[0]


@pytest.mark.parametrize(
    "correction, noted, summary, stage",
    [
        ("no, it's low grade", "Got it: low grade (not high grade).", "low grade, 5 cm", "IA"),
        ("actually it's more than 8 cm", "Got it: over 8 cm (not 5 cm).", "over 8 cm", "IIB"),
        ("sorry I meant it spread to his lungs", "Got it: spread to the lungs only", "", "IVA"),
    ],
)
async def test_rasa_form_a_typed_correction_at_the_check_is_shown_again(
    correction: str, noted: str, summary: str, stage: str
) -> None:
    chat = Conversation()
    await chat.say("what stage? high grade, 5 cm, in his leg, no spread", "ask_my_stage")
    await chat.say("just one spot")
    replies = await chat.say(correction)
    assert replies and replies[0].startswith(noted)
    assert summary in replies[-1] and replies[-1].endswith("Is that right?")
    replies = await chat.say("that's right", "affirm")
    assert replies and f"stage {stage}" in replies[0]


@pytest.mark.parametrize(
    "answer, intent",
    [
        ("yes", "affirm"),
        ("correct", "inform"),
        ("looks good", "inform"),
        ("yep that's right", "affirm"),
    ],
)
async def test_rasa_form_typed_yes_at_the_check_names_the_stage(answer: str, intent: str) -> None:
    chat = Conversation()
    await chat.say("what stage? it's in his arm", "ask_my_stage")
    replies = await chat.say("it went to his lymph nodes")
    assert replies and replies[-1].endswith("spread to lymph nodes. Is that right?")
    replies = await chat.say(answer, intent)
    assert replies and "stage IVB" in replies[0]


async def test_rasa_form_repeating_a_detail_as_shown_confirms_it() -> None:
    """The end-to-end test answers the check by its key word: the same detail again."""
    chat = Conversation()
    await chat.say("what stage is it? in his femur, high grade, 10 cm, one spot", "ask_my_stage")
    replies = await chat.say("no, it hasn't spread anywhere")
    assert replies and "not spread. Is that right?" in replies[-1]
    replies = await chat.say("no, it hasn't spread anywhere")
    assert replies and "stage IIB" in replies[0]


async def test_rasa_form_unclear_answer_at_the_check_is_asked_again() -> None:
    chat = Conversation()
    await chat.say("what stage? in her rib", "ask_my_stage")
    await chat.say("it went to her lungs")
    replies = await chat.say("banana", "out_of_scope")
    assert replies and replies[0].startswith("Sorry, I couldn't use that answer.")
    assert replies[-1].endswith("Is that right?")
    assert chat.tracker.active_loop_name == "stage_form"


async def test_rasa_form_a_straddling_size_in_the_first_message_is_asked_about() -> None:
    chat = Conversation()
    replies = await chat.say(
        "high grade osteosarcoma in his femur, about 8 cm, one spot, no spread. what stage?",
        "ask_my_stage",
    )
    assert replies and replies[0].startswith("That could be 8 cm or less, or over 8 cm")
    assert "How big" in replies[-1] and chat.tracker.get_slot(td.SIZE) is None
    buttons = DOMAIN.responses["utter_ask_tumor_size_cm"][0]["buttons"]
    assert [b["title"] for b in buttons] == ["8 cm or less", "Over 8 cm", "Not sure"]
    replies = await chat.say(
        '/inform{"tumor_size_cm": "over_8cm"}', "inform", {td.SIZE: "over_8cm"}
    )
    assert replies and "high grade, over 8 cm, in one spot, not spread" in replies[-1]
    replies = await chat.confirm()
    assert replies and "stage IIB" in replies[0]


@pytest.mark.parametrize(
    "message, first_reply",
    [
        # Comparators kept: over 8 cm is IIB (was told IIA).
        ("high grade tumor in my femur, more than 8 cm, one spot, no spread", "stage IIB"),
        ("high grade, larger than 8 cm, in her arm, one spot, no spread", "stage IIB"),
        ("low grade, under 3 inches, in his rib, one spot, hasn't spread", "stage IA"),
        # Another bone is distant spread (IVB), not a second spot (III).
        ("high grade, 5 cm, in his femur, and there's a tumor in another bone", "stage IVB"),
        # "The lungs, nowhere else" is the lungs (was refused).
        ("in his tibia; spread to the lungs, nowhere else", "stage IVA"),
        # Possible or pending spread is not known (was told IVA).
        (
            "high grade, 10 cm, in his femur, one spot, might have spread to the lungs",
            "It could be stage IIB, IVA or IVB",
        ),
        (
            "high grade, 10 cm, in his femur, one spot, spot on the lung, waiting on the biopsy",
            "It could be stage IIB, IVA or IVB",
        ),
    ],
)
async def test_rasa_form_one_shots_from_the_issue(message: str, first_reply: str) -> None:
    """Every detail in the first message: the stage is named at once, from them only."""
    chat = Conversation()
    replies = await chat.say(message + " what stage is that?", "ask_my_stage")
    assert replies and first_reply in replies[0]
    assert chat.tracker.active_loop_name is None


async def test_rasa_form_pending_spread_says_the_results_decide() -> None:
    chat = Conversation()
    replies = await chat.say(
        "high grade, 10 cm, in his femur, one spot, they're checking his lungs. what stage?",
        "ask_my_stage",
    )
    assert replies and "isn't known yet" in replies[1] and "results decide" in replies[1]


async def test_rasa_form_spine_needs_no_check() -> None:
    chat = Conversation()
    await chat.say("what stage is my tumor?", "ask_my_stage")
    replies = await chat.say("it's in my lower spine")
    assert replies and "no stage groups" in replies[0]
    assert chat.tracker.active_loop_name is None


# How tests/e2e/test_features_over_rest.py answers: by the last line of the replies.
E2E_ANSWERS = [
    (re.compile(r"spread", re.I), "no, it hasn't spread anywhere"),
    (re.compile(r"spot", re.I), "just one spot"),
    (re.compile(r"grade", re.I), "the doctor said high grade"),
    (re.compile(r"size|big|large|centimet", re.I), "about 10 centimeters"),
    (re.compile(r"where|bone|location|located", re.I), "it's in his thigh bone"),
]


async def test_keyword_answers_like_the_end_to_end_test_reach_stage_iib() -> None:
    chat = Conversation()
    replies = await chat.say(
        "can you help me understand what stage my son's bone tumor is?", "ask_my_stage"
    )
    for _ in range(8):
        text = "\n".join(replies or [])
        if "stage IIB" in text:
            break
        question = text.strip().splitlines()[-1]
        answer = next(a for pattern, a in E2E_ANSWERS if pattern.search(question))
        replies = await chat.say(answer)
    assert "stage IIB" in "\n".join(replies or [])


def mid_form_question(text: str, faq_key: str | None) -> Tracker:
    """The tracker action_answer_stage_question receives for a question asked mid-form."""
    latest: dict[str, Any] = {"text": text, "intent": {"name": "faq", "confidence": 0.9}}
    if faq_key:
        response = {"intent_response_key": f"faq/{faq_key}", "confidence": 0.9}
        latest["response_selector"] = {"faq": {"response": response, "ranking": [response]}}
    return Tracker("member-1", {}, latest, [], False, None, {"name": "stage_form"}, "action_listen")


@pytest.mark.parametrize(
    ("text", "faq_key", "response"),
    [
        ("what does grade mean?", "staging", "utter_stage_term_grade"),
        ("what do you mean by spots", "staging", "utter_stage_term_spots"),
        ("what does metastatic mean", "spread_to_bone", "utter_stage_term_spread"),
        ("how is bone cancer treated?", "treatment", "utter_faq/treatment"),  # other questions
        ("what stage is it if it has spread?", "staging", "utter_faq/staging"),
        ("hmm?", None, "utter_ask_rephrase"),
    ],
)
async def test_a_mid_form_question_gets_the_terms_meaning_or_the_faq_answer(
    nlg: TemplatedNaturalLanguageGenerator, text: str, faq_key: str | None, response: str
) -> None:
    dispatcher = CollectingDispatcher()
    events = await ActionAnswerStageQuestion().run(
        dispatcher, mid_form_question(text, faq_key), DOMAIN.as_dict()
    )
    assert events == []
    assert [m["response"] for m in dispatcher.messages] == [response]
    assert render(nlg, dispatcher.messages[0])  # the response exists and renders
