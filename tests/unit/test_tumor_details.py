"""member_health.tumor_details: members' words -> stage slot values, never a guess."""
from __future__ import annotations

import math
from typing import Any

import pytest

from member_health import tumor_details as td
from member_health import units
from member_health.text import looks_like_question
from member_health.tumor_details import Reading, check_value, parse_details, read_answer

L, G, S, M, SP = td.LOCATION, td.GRADE, td.SIZE, td.SPOTS, td.SPREAD
LIMB = "limb_trunk_skull"


@pytest.mark.parametrize(
    "text, details",
    [
        (
            "high-grade osteosarcoma in his femur, 10 cm, only one spot, no spread "
            "\u2014 what stage is that?",
            {L: "limb_trunk_skull", G: "high", S: 10.0, M: "no", SP: "none"},
        ),
        (
            "the doctor said it's high grade and about 10 centimeters, it hasn't spread",
            {G: "high", S: units.OVER_8, SP: "none"},
        ),
        ("chordoma in the lower spine, what stage?", {L: "spine"}),
        ("a chordoma of the sacrum", {L: "spine"}),
        ("hi grade", {G: "high"}),
        ("not sure how long he has had it, it's 5 cm", {S: 5.0}),
        ("low grade chondrosarcoma of the pelvis", {L: "pelvis", G: "low"}),
        ("a tumor in his hip bone", {L: "pelvis"}),
        ("chordoma at the base of the skull", {L: "limb_trunk_skull"}),
        ("it's in her rib, 3 inches", {L: "limb_trunk_skull", S: 7.62}),
        (
            "low grade, 1 cm tumor in the tibia, it went to his lungs",
            {L: "limb_trunk_skull", G: "low", S: 1.0, SP: "lungs"},
        ),
        ("it has spread to the lungs and lymph nodes", {SP: "lymph_nodes"}),
        ("it spread to his liver", {SP: "other"}),
        ("it's in his femur and it spread to his spine", {L: "limb_trunk_skull", SP: "other"}),
        ("there are spots on his lungs", {SP: "lungs"}),
        ("it's in his lungs too", {SP: "lungs"}),
        ("no evidence of metastatic disease", {SP: "none"}),
        ("it is localized", {SP: "none"}),
        ("hasn't spread anywhere", {SP: "none"}),
        (
            "grade 3 osteosarcoma of the humerus with skip metastases",
            {L: "limb_trunk_skull", G: "high", M: "yes"},
        ),
        ("grade 1 tumor", {G: "low"}),
        ("G3", {G: "high"}),
        ("poorly differentiated", {G: "high"}),
        ("well differentiated", {G: "low"}),
        ("two tumors in the same bone", {M: "yes"}),
        ("more than one spot", {M: "yes"}),
        ("no other spots", {M: "no"}),
        ("a single lesion", {M: "no"}),
        # Unsure about a detail: that detail is unknown, the others are read.
        ("not sure about the grade but it's 10 cm", {G: "unknown", S: 10.0}),
        ("I don't know if it has spread", {SP: "unknown"}),
        ("size unknown, high grade", {S: "unknown", G: "high"}),
        ("it has spread but I don't know where", {SP: "unknown_site"}),
        ("not sure where it spread", {SP: "unknown_site"}),
        ("I don't know what stage his high grade tumor is", {G: "high"}),
        ("a tumor in one of the long bones of his leg", {L: "limb_trunk_skull"}),
        ("a 1 cm tumor", {S: 1.0}),  # "1 ... tumor" is a size, not "one spot"
    ],
)
def test_parse_details_reads_what_the_text_states(text: str, details: dict[str, Any]) -> None:
    assert parse_details(text) == details


@pytest.mark.parametrize(
    "text",
    [
        "what stage is my tumor?",
        "fast growing",  # not a grade
        "the size of a golf ball",  # not a size
        "grade 2",  # low or high depending on the grading system
        "they did a CT of his lungs",  # a test, not spread
        "the lungs are clear",  # says nothing about elsewhere
        "it hasn't spread to the lungs",  # idem
        "a lump under the skin",
        "it's in his femur, not the pelvis",  # two places: ask
        "is it low grade or high grade?",  # both: ask
        "not high grade",
        "grade i think",
        "it has spread",  # where to decides IVA/IVB: ask
        "my hip",  # hip bone (pelvis) or thighbone (leg): ask
    ],
)
def test_parse_details_guesses_nothing(text: str) -> None:
    assert parse_details(text) == {}


@pytest.mark.parametrize(
    "text, details",
    [
        # Comparators are kept (issue 15: "over 8 cm" was read as 8 cm, IIA instead of IIB).
        ("high grade, more than 8 cm, no spread", {G: "high", S: units.OVER_8, SP: "none"}),
        ("a high grade tumor larger than 8 cm in his femur", {G: "high", S: units.OVER_8, L: LIMB}),
        ("it's over 8 cm and high grade", {G: "high", S: units.OVER_8}),
        ("low grade, less than 3 inches", {G: "low", S: units.AT_MOST_8}),
        (
            "tumor measuring over 8cm, grade 3, left femur, lungs clear, no other lesions",
            {S: units.OVER_8, G: "high", L: LIMB, M: "no"},
        ),
        ("more than eight centimeters", {S: units.OVER_8}),
        ("about 3.5 inches", {S: units.OVER_8}),
        ("8cm, no mets", {S: 8.0, SP: "none"}),
        ("the tumour is up to 8 centimetres", {S: units.AT_MOST_8}),
        ("somewhere between 9 and 11 cm", {S: units.OVER_8}),
        ("around 12 cm, low grade", {S: units.OVER_8, G: "low"}),
        ("it's exactly 8 cm", {S: 8.0}),
        ("it's 10 cm, not 6", {S: 10.0}),
        # A size that straddles 8 cm is not a size (the form asks about it).
        ("high grade, about 8 cm", {G: "high"}),
        ("at least 8 cm", {}),
        ("7 to 9 cm, no spread", {SP: "none"}),
        # Possible or pending spread is unknown, never a place.
        ("it might have spread to the lungs", {SP: "unknown"}),
        ("it may have spread to his lymph nodes", {SP: "unknown"}),
        ("high grade 10 cm, could have spread to the lungs", {G: "high", S: 10.0, SP: "unknown"}),
        ("there's a spot on his lung, we're waiting on the biopsy", {SP: "unknown"}),
        ("they're checking my lungs", {SP: "unknown"}),
        ("a suspicious nodule in the lung", {SP: "unknown"}),
        ("possible metastasis to the liver", {SP: "unknown"}),
        ("they want to rule out spread to the lungs", {SP: "unknown"}),
        ("scans next week to see if it has spread", {SP: "unknown"}),
        ("lung biopsy results aren't back yet", {SP: "unknown"}),
        ("it probably spread to his lungs", {SP: "unknown"}),
        ("I think it spread to the lungs", {SP: "unknown"}),
        ("the doctor thinks it may be in his lymph nodes", {SP: "unknown"}),
        ("they said possible lung nodules", {SP: "unknown"}),
        ("no evidence of spread, but they're doing a PET scan next week", {SP: "unknown"}),
        ("the biopsy confirmed it spread to the lungs", {SP: "lungs"}),
        ("the scan showed it spread to my lungs", {SP: "lungs"}),
        # ... but what another sentence confirms still counts.
        ("It spread to his lungs. The liver is still being checked.", {SP: "unknown_site"}),
        ("It is in his lymph nodes. They might check the lungs too.", {SP: "lymph_nodes"}),
        # Another bone is distant spread (M1b), not a second spot in the same bone.
        ("there is a tumor in another bone", {SP: "other"}),
        ("another spot in a different bone", {SP: "other"}),
        ("two tumors in different bones", {SP: "other"}),
        ("it's in his femur and there's also a tumor in his other leg", {L: LIMB, SP: "other"}),
        ("osteosarcoma in both legs", {L: LIMB, SP: "other"}),
        ("he has two spots, one in each leg", {L: LIMB, SP: "other"}),
        ("it has spread to another bone", {SP: "other"}),
        ("they found it in his other femur too", {L: LIMB, SP: "other"}),
        ("a second tumor in the same bone", {M: "yes"}),
        ("one in his femur and another in the same bone", {L: LIMB, M: "yes"}),
        ("no other bones are involved", {}),
        # "X, nowhere else" is X; "nowhere else" alone is no spread.
        ("it spread to the lungs, nowhere else", {SP: "lungs"}),
        ("metastasized to the lungs only", {SP: "lungs"}),
        ("mets to the lungs, nothing else", {SP: "lungs"}),
        ("spread only to the lungs, not the lymph nodes", {SP: "lungs"}),
        ("the lungs, nowhere else", {SP: "lungs"}),
        ("the lymph nodes and nowhere else", {SP: "lymph_nodes"}),
        ("no spread except to the lungs", {SP: "lungs"}),
        ("it hasn't spread anywhere other than the lungs", {SP: "lungs"}),
        ("in his femur, nowhere else", {L: LIMB, SP: "none"}),
        ("it hasn't spread anywhere else", {SP: "none"}),
        ("no spread", {SP: "none"}),
        ("the cancer is localized", {SP: "none"}),
        ("nothing has spread", {SP: "none"}),
        ("it is just in his tibia and nowhere else", {L: LIMB, SP: "none"}),
        # Another bone is distant spread (M1b), however it is said.
        ("one in the humerus and another in a different rib", {L: LIMB, SP: "other"}),
        ("there's one more in her other arm's bone", {SP: "other"}),
        ("in his femur, and it also turned up in his spine", {L: LIMB, SP: "other"}),
        # A correction replaces what it corrects, before any stage is named.
        ("9 cm, oops I meant 9 mm", {S: 0.9}),
        ("high grade, no wait, the report says low grade", {G: "low"}),
        ("three spots, actually just one spot", {M: "no"}),
        ("spread to the liver, sorry, the doctor said the lungs", {SP: "lungs"}),
        ("spread to the lungs, my bad: the lymph nodes, not the lungs", {SP: "lymph_nodes"}),
    ],
)
def test_parse_details_fail_safe_readings(text: str, details: dict[str, Any]) -> None:
    assert parse_details(text) == details


@pytest.mark.parametrize(
    "text, problem",
    [
        ("high grade, about 8 cm", "size_straddles"),
        ("at least 80 mm", "size_straddles"),
        ("it's between 7 and 10 cm", "size_straddles"),
        ("it's 80 cm", "size_too_large"),
        ("high grade, over 8 cm", None),
        ("high grade", None),
    ],
)
def test_size_problem(text: str, problem: str | None) -> None:
    assert td.size_problem(text) == problem


@pytest.mark.parametrize(
    "slot, text, reading",
    [
        # Answers with a value.
        (L, "in his femur", Reading("limb_trunk_skull")),
        (L, "it's in the pelvis", Reading("pelvis")),
        (L, "lower spine", Reading("spine")),
        (SP, "no", Reading("none")),
        (SP, "nope, it hasn't", Reading("none")),
        (SP, "lungs", Reading("lungs")),
        (SP, "it went to his lungs", Reading("lungs")),
        (SP, "his lymph nodes", Reading("lymph_nodes")),
        (SP, "to his spine", Reading("other")),
        (SP, "other bones", Reading("other")),
        (SP, "yes but I don't know where", Reading("unknown_site")),
        (G, "high grade", Reading("high")),
        (G, "the doctor said low grade", Reading("low")),
        (G, "grade 3", Reading("high")),
        (S, "about 10 centimeters", Reading(units.OVER_8)),
        (S, "more than 8 cm", Reading(units.OVER_8)),
        (S, "it's bigger than 3.5 inches", Reading(units.OVER_8)),
        (S, "under 8 cm", Reading(units.AT_MOST_8)),
        (S, "8 cm or less", Reading(units.AT_MOST_8)),
        (S, "a bit under 70 mm", Reading(units.AT_MOST_8)),
        (S, "exactly 8 cm", Reading(8.0)),
        (S, "about 8 cm", Reading(problem="size_straddles")),
        (S, "at least 8 cm", Reading(problem="size_straddles")),
        (S, "7 to 9 cm", Reading(problem="size_straddles")),
        (S, "more than 6", Reading(problem="size_no_unit")),
        (M, "just one", Reading("no")),
        (M, "only one spot", Reading("no")),
        (M, "only one", Reading("no")),
        (M, "just the one", Reading("no")),
        (SP, "the lungs, nowhere else", Reading("lungs")),
        (SP, "only the lungs", Reading("lungs")),
        (SP, "lungs only, nothing else", Reading("lungs")),
        (SP, "nowhere else", Reading("none")),
        (SP, "another bone", Reading("other")),
        (SP, "a different bone", Reading("other")),
        (SP, "might have spread to the lungs", Reading("unknown")),
        (SP, "waiting on the biopsy", Reading("unknown")),
        (SP, "they're checking his lungs next week", Reading("unknown")),
        (SP, "possibly the lymph nodes", Reading("unknown")),
        (SP, "we're still waiting for the PET scan results", Reading("unknown")),
        (S, "80mm", Reading(8.0)),
        (S, "3 inches", Reading(7.62)),
        (M, "just one spot", Reading("no")),
        (M, "no", Reading("no")),
        (M, "yes", Reading("yes")),
        (M, "two", Reading("yes")),
        (M, "more than one", Reading("yes")),
        # "I don't know" is a valid answer to any question.
        (L, "not sure", Reading("unknown")),
        (SP, "no idea", Reading("unknown")),
        (G, "I don't know", Reading("unknown")),
        (G, "idk", Reading("unknown")),
        (S, "they didn't say", Reading("unknown")),
        (M, "not sure", Reading("unknown")),
        (S, "not sure, maybe the size of a golf ball", Reading("unknown")),
        # Unusable answers: asked again, with the reason.
        (S, "the size of a golf ball", Reading(problem="size_no_measurement")),
        (S, "10", Reading(problem="size_no_unit")),
        (S, "-5 cm", Reading(problem="size_not_positive")),
        (S, "80 cm", Reading(problem="size_too_large")),
        (S, "8-9 cm", Reading(problem="size_straddles")),
        (S, "5 cm and 2 cm", Reading(problem="size_not_one_size")),
        (G, "fast growing", Reading(problem=td.GRADE_NOT_A_GRADE)),
        (G, "it's aggressive", Reading(problem=td.GRADE_NOT_A_GRADE)),
        (G, "grade 9", Reading(problem=td.GRADE_OUT_OF_RANGE)),
        (G, "grade 0", Reading(problem=td.GRADE_OUT_OF_RANGE)),
        (G, "grade -1", Reading(problem=td.GRADE_OUT_OF_RANGE)),
        (G, "grade 2", Reading(problem=td.GRADE_NUMBER_UNCLEAR)),
        (G, "grade II", Reading(problem=td.GRADE_NUMBER_UNCLEAR)),
        (L, "his hip", Reading(problem=td.LOCATION_HIP)),
        (SP, "yes", Reading(problem=td.SPREAD_NEEDS_SITE)),
        (SP, "it has spread", Reading(problem=td.SPREAD_NEEDS_SITE)),
        (L, "banana", Reading(problem=td.NOT_UNDERSTOOD)),
        (G, "", Reading(problem=td.NOT_UNDERSTOOD)),
        (M, "maybe", Reading(problem=td.NOT_UNDERSTOOD)),
        # A size with a 1 in it is not "one spot".
        (M, "wait, it's actually 10 cm not 6", Reading(problem=td.NOT_UNDERSTOOD)),
        (M, "the tumor is 12 cm", Reading(problem=td.NOT_UNDERSTOOD)),
    ],
)
def test_read_answer(slot: str, text: str, reading: Reading) -> None:
    assert read_answer(slot, text) == reading


@pytest.mark.parametrize(
    "slot, value, reading",
    [
        # Values from buttons and payloads.
        (L, "limb_trunk_skull", Reading("limb_trunk_skull")),
        (SP, "unknown_site", Reading("unknown_site")),
        (G, "HIGH", Reading("high")),
        (M, "yes", Reading("yes")),
        (S, 10, Reading(10.0)),
        (S, 8.1, Reading(8.1)),
        (S, "unknown", Reading("unknown")),
        (S, "3 inches", Reading(7.62)),
        (S, "8cm_or_less", Reading(units.AT_MOST_8)),
        (S, "over_8cm", Reading(units.OVER_8)),
        (S, "over 8 cm", Reading(units.OVER_8)),
        (G, None, Reading()),
        # Forced payloads: rejected with a reason.
        (S, -5, Reading(problem="size_not_positive")),
        (S, 0, Reading(problem="size_not_positive")),
        (S, 1e9, Reading(problem="size_too_large")),
        (S, math.inf, Reading(problem="size_too_large")),
        (S, math.nan, Reading(problem="size_not_positive")),
        (S, "10", Reading(problem="size_no_unit")),
        (S, True, Reading(problem=td.NOT_UNDERSTOOD)),
        (S, [10], Reading(problem=td.NOT_UNDERSTOOD)),
        (S, {"cm": 10}, Reading(problem=td.NOT_UNDERSTOOD)),
        (G, "grade 9", Reading(problem=td.GRADE_OUT_OF_RANGE)),
        (G, 9, Reading(problem=td.NOT_UNDERSTOOD)),
        (G, "medium", Reading(problem=td.GRADE_NOT_A_GRADE)),
        (L, "femur", Reading("limb_trunk_skull")),
        (L, "moon", Reading(problem=td.NOT_UNDERSTOOD)),
        (L, True, Reading(problem=td.NOT_UNDERSTOOD)),
        (SP, "brain", Reading("other")),
        (SP, "<script>alert(1)</script>", Reading(problem=td.NOT_UNDERSTOOD)),
        (M, "'; DROP TABLE events; --", Reading(problem=td.NOT_UNDERSTOOD)),
    ],
)
def test_check_value_validates_any_source(slot: str, value: Any, reading: Reading) -> None:
    assert check_value(slot, value) == reading


@pytest.mark.parametrize(
    "slot, value, valid",
    [
        (L, None, True),
        (L, "spine", True),
        (L, "femur", False),
        (S, 8.0, True),
        (S, "unknown", True),
        (S, -5, False),
        (S, 0, False),
        (S, math.nan, False),
        (S, True, False),
        (S, "10 cm", False),
        (S, units.AT_MOST_8, True),
        (S, units.OVER_8, True),
        (S, "over_8", False),
        (SP, "unknown_site", True),
        (G, "9", False),
    ],
)
def test_is_valid(slot: str, value: Any, valid: bool) -> None:
    assert td.is_valid(slot, value) is valid


@pytest.mark.parametrize(
    "text, says_spread_without_place",
    [
        ("yes", True),
        ("yes it has spread", True),
        ("it's metastatic", True),
        ("it spread to his lungs", False),
        ("no", False),
        ("not sure", False),
        ("in his femur", False),
    ],
)
def test_mentions_spread_without_site(text: str, says_spread_without_place: bool) -> None:
    assert td.mentions_spread_without_site(text) is says_spread_without_place


@pytest.mark.parametrize(
    "text, question",
    [
        ("what does high grade mean?", True),
        ("how is bone cancer treated", True),
        ("more than one spot in the bone", False),
        ("it went to his lungs", False),
        ("high grade?", True),
    ],
)
def test_looks_like_question(text: str, question: bool) -> None:
    assert looks_like_question(text) is question


@pytest.mark.parametrize("slot", ["requested_slot", "stage"])
def test_unknown_slots_are_refused(slot: str) -> None:
    with pytest.raises(ValueError):
        read_answer(slot, "high grade")
    with pytest.raises(ValueError):
        check_value(slot, "high")


def test_long_input_is_bounded() -> None:
    assert parse_details("high grade " + "blah " * 10_000 + "10 cm") == {G: "high"}
