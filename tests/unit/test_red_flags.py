"""The red-flag screen's answer reading and outcome (member_health.red_flags), table-driven."""
from __future__ import annotations

import pytest

from member_health.red_flags import (
    RED_FLAGS,
    UNNAMED,
    acute_flag,
    classify_answer,
    is_plain_answer,
    looks_like_question,
    reported_with_back_pain,
    screening_outcome,
    volunteered_flags,
)

LEG, BLADDER, FEVER, CANCER = RED_FLAGS

ANSWERS = [
    # generic answers, any question
    ("yes", LEG, "yes"),
    ("Yes.", CANCER, "yes"),
    ("yeah", BLADDER, "yes"),
    ("yep", FEVER, "yes"),
    ("yup", LEG, "yes"),
    ("yesss", LEG, "yes"),
    ("y", FEVER, "yes"),
    ("sure do", BLADDER, "yes"),
    ("I do", LEG, "yes"),
    ("i have", CANCER, "yes"),
    ("a little bit", LEG, "yes"),
    ("sometimes", FEVER, "yes"),
    ("kinda", LEG, "unsure"),
    ("no", LEG, "no"),
    ("No.", BLADDER, "no"),
    ("nope", FEVER, "no"),
    ("nah", CANCER, "no"),
    ("nooo", LEG, "no"),
    ("n", BLADDER, "no"),
    ("not really", LEG, None),
    ("not at all", FEVER, "no"),
    ("never", CANCER, "no"),
    ("I don't", BLADDER, "no"),
    ("i dont", BLADDER, "no"),
    ("I am not", LEG, "no"),
    ("of course not", FEVER, "no"),
    ("definitely not", CANCER, "no"),
    ("not that I know of", LEG, None),
    ("Not that I'm aware of", CANCER, None),
    ("I don't think so", BLADDER, None),
    ("none of those", FEVER, "no"),
    ("nothing like that", CANCER, "no"),
    ("I'm fine", FEVER, "no"),
    ("I have never had that", LEG, "no"),
    ("not sure", LEG, "unsure"),
    ("Not sure", CANCER, "unsure"),
    ("I'm not really sure", FEVER, "unsure"),
    ("idk", BLADDER, "unsure"),
    ("I don't know", LEG, "unsure"),
    ("i dont know", CANCER, "unsure"),
    ("dunno", FEVER, "unsure"),
    ("no idea", BLADDER, "unsure"),
    ("maybe", LEG, "unsure"),
    ("possibly", CANCER, "unsure"),
    ("I can't remember", CANCER, "unsure"),
    ("yes and no", LEG, "unsure"),
    ("probably not", FEVER, "unsure"),
    # leg_symptoms: severe pain, weakness or tingling in the leg(s)
    ("my legs keep going numb", LEG, "yes"),
    ("my legs keep tingling", LEG, "yes"),
    ("I get pins and needles down my left leg", LEG, "yes"),
    ("severe pain in my right leg", LEG, "yes"),
    ("my leg hurts a lot", LEG, "yes"),
    ("my knees give out sometimes", LEG, "yes"),
    ("I can't feel my foot", LEG, "yes"),
    ("sciatica down my thigh", LEG, "yes"),
    ("no leg pain", LEG, None),
    ("no weakness or tingling", LEG, None),
    ("my legs are fine", LEG, "no"),
    ("my legs are not weak", LEG, None),
    ("no, but my legs tingle at night", LEG, "yes"),
    ("not sure if my legs are weak", LEG, "unsure"),
    ("just my back hurts", LEG, None),
    # bladder_bowel: difficulty stopping urination or loss of control of bladder or bowels
    ("I can't control my bladder", BLADDER, "yes"),
    ("I have trouble stopping when I pee", BLADDER, "yes"),
    ("I've had a couple of accidents", BLADDER, "yes"),
    ("I've been wetting myself", BLADDER, "yes"),
    ("I wet myself last week", BLADDER, "yes"),
    ("I lost control of my bowels", BLADDER, "yes"),
    ("no problems with my bladder", BLADDER, None),
    ("bladder and bowels are normal", BLADDER, "no"),
    # fever_nausea: unexplained fever, nausea or vomiting
    ("I've had a fever for no reason", FEVER, "yes"),
    ("I feel nauseous all the time", FEVER, "yes"),
    ("I threw up twice yesterday", FEVER, "yes"),
    ("been throwing up", FEVER, "yes"),
    ("no fever", FEVER, None),
    ("my stomach is fine", FEVER, "no"),
    ("no nausea or vomiting", FEVER, None),
    ("my temperature is normal", FEVER, None),
    # cancer_history: a history of cancer or unexplained weight loss
    ("I did lose like 15 pounds without trying", CANCER, "yes"),
    ("I had breast cancer 5 years ago", CANCER, "yes"),
    ("I finished chemo last year", CANCER, "yes"),
    ("I've lost a lot of weight lately", CANCER, "yes"),
    ("I've never had cancer", CANCER, None),
    ("I've never had cancer and my weight is normal", CANCER, "no"),
    ("I lost weight on purpose, I'm dieting", CANCER, None),
    ("my mom had cancer but I haven't", CANCER, None),
    ("my dad had cancer", CANCER, None),
    # the question is about this flag only
    ("my legs keep going numb", BLADDER, None),
    ("I had cancer", LEG, "yes"),
    # fail safe: a symptom beside a denial, inability said with a negation, hedges
    ("not painful, only a bit weak", LEG, "yes"),
    ("no severe pain just weakness", LEG, "yes"),
    ("my leg doesn't feel like it can hold me", LEG, "yes"),
    ("i cant really walk far before my legs go", LEG, "yes"),
    ("I can't go to the bathroom", BLADDER, "yes"),
    ("can't pass urine since yesterday", BLADDER, "yes"),
    ("I can't hold it in anymore", BLADDER, "yes"),
    ("probably not, but I'm not certain", FEVER, "unsure"),
    ("not that I'm aware of, maybe", CANCER, "unsure"),
    ("weight I wasn't trying to lose", CANCER, "yes"),
    ("my sister had cancer and so have I", CANCER, "yes"),
    ("my mom and i both had melanoma", CANCER, "yes"),
    ("no pain and weakness", LEG, None),
    ("no pain, weakness", LEG, None),
    ("no pain but a little weak", LEG, "yes"),
    ("no fever, just a little nausea", FEVER, "yes"),
    ("nope, legs are fine", LEG, "no"),
    ("no leg pain, weakness, numbness, or tingling", LEG, "no"),
    ("no fever nausea or vomiting", FEVER, "no"),
    ("none of that", BLADDER, "no"),
    ("no only sometimes", LEG, "unsure"),
    ("no except at night", LEG, None),
    ("nah just my back", LEG, None),
    # not answers
    ("", LEG, None),
    ("what is chordoma?", CANCER, None),
    ("hello", BLADDER, None),
    ("I want to talk to a nurse", FEVER, None),
]


@pytest.mark.parametrize(("text", "flag", "expected"), ANSWERS)
def test_classify_answer(text: str, flag: str, expected: str | None) -> None:
    assert classify_answer(text, flag) == expected


def test_the_table_covers_every_flag_and_answer() -> None:
    assert len(ANSWERS) >= 40
    assert {flag for _, flag, _ in ANSWERS} == set(RED_FLAGS)
    assert {answer for _, _, answer in ANSWERS} == {"yes", "no", "unsure", None}


@pytest.mark.parametrize("payload", ["yes", "no", "not sure"])
@pytest.mark.parametrize("flag", RED_FLAGS)
def test_button_payloads_are_read_for_every_flag(payload: str, flag: str) -> None:
    expected = {"yes": "yes", "no": "no", "not sure": "unsure"}[payload]
    assert classify_answer(payload, flag) == expected


def test_unknown_flag_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown red flag"):
        classify_answer("yes", "headache")


def test_flags_are_in_the_seed_order() -> None:
    assert RED_FLAGS == ("leg_symptoms", "bladder_bowel", "fever_nausea", "cancer_history")


ALL_NO = dict.fromkeys(RED_FLAGS, "no")


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        (ALL_NO, "clear"),
        ({**ALL_NO, "leg_symptoms": "yes"}, "see_doctor"),
        ({**ALL_NO, "bladder_bowel": "yes"}, "see_doctor"),
        ({**ALL_NO, "fever_nausea": "yes"}, "see_doctor"),
        ({**ALL_NO, "cancer_history": "yes"}, "see_doctor"),
        ({**ALL_NO, "fever_nausea": "unsure"}, "see_doctor"),
        (dict.fromkeys(RED_FLAGS, "yes"), "see_doctor"),
        # an unanswered question is never read as a no
        ({**ALL_NO, "cancer_history": None}, "see_doctor"),
        ({}, "see_doctor"),
    ],
)
def test_screening_outcome(answers: dict[str, str | None], expected: str) -> None:
    assert screening_outcome(answers) == expected


def test_see_doctor_is_never_overwritten_by_a_later_screen() -> None:
    assert screening_outcome(ALL_NO, previous="see_doctor") == "see_doctor"
    assert screening_outcome(ALL_NO, previous="clear") == "clear"
    assert screening_outcome(ALL_NO, previous=None) == "clear"


@pytest.mark.parametrize(
    ("text", "flags"),
    [
        ("no, but I've been throwing up", {FEVER}),
        ("my legs tingle and I lost 20 pounds without trying", {LEG, CANCER}),
        ("I had prostate cancer", {CANCER}),
        ("no", set()),
        ("no fever, no leg pain", set()),
        ("my dad had cancer", set()),
    ],
)
def test_volunteered_flags(text: str, flags: set[str]) -> None:
    assert volunteered_flags(text) == flags


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("wait, what is chordoma?", True),
        ("what is chordoma", True),
        ("is numbness a bad sign", True),
        ("how long does the program take?", True),
        ("no", False),
        ("not sure", False),
        ("I had cancer", False),
        ("my legs keep going numb", False),
    ],
)
def test_looks_like_question(text: str, expected: bool) -> None:
    assert looks_like_question(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("no", True),
        ("No.", True),
        ("Not sure", True),
        ("yes!", True),
        ("never mind", False),
        ("no, stop", False),
        ("cancel", False),
    ],
)
def test_is_plain_answer(text: str, expected: bool) -> None:
    assert is_plain_answer(text) == expected


@pytest.mark.parametrize(
    ("text", "flags"),
    [
        ("I'm a cancer survivor and my back hurts", {CANCER}),
        ("lower back pain and I keep throwing up", {FEVER}),
        ("my back is killing me and my legs are going numb", {LEG}),
        ("backache, and I've wet myself twice this week", {BLADDER}),
        ("my back hurts", set()),
        ("can back pain be a sign of bone cancer?", set()),
        ("I had cancer", set()),  # no back pain said: the classifier decides
        ("my back pain is better, no fever", set()),
    ],
)
def test_red_flags_reported_with_back_pain(text: str, flags: set[str]) -> None:
    assert reported_with_back_pain(text) == flags


@pytest.mark.parametrize(
    ("text", "flag"),
    [
        ("numb in the saddle area", "saddle"),  # saddle numbness: always acute
        ("my groin went numb", "saddle"),
        ("suddenly I can't control my bladder", "bladder_bowel"),
        ("since last night I've been wetting myself", "bladder_bowel"),
        ("lost control of my bowels this morning", "bladder_bowel"),
        ("I lost control of my bladder yesterday", "bladder_bowel"),  # new: a day ago
        ("wet myself this afternoon, never do that", "bladder_bowel"),
        ("my dad just peed himself and his back hurts", "bladder_bowel"),  # someone else: urgent
        ("my legs gave out all of a sudden", "leg_weakness"),
        ("since this morning I just can't hold it", UNNAMED),  # no body part named
        ("started again tonight and i can't stop", UNNAMED),
        ("I've leaked a little when I sneeze for years", None),  # not sudden or new
        ("my legs tingle sometimes", None),
        ("no numbness anywhere, nothing new", None),
        ("is sudden leg weakness a red flag?", None),  # a question about it
    ],
)
def test_acute_flag_names_the_flag_or_says_no_body_part_was_named(
    text: str, flag: str | None
) -> None:
    assert acute_flag(text) == flag
