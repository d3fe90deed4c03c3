"""member_health.units: members' sizes -> centimetres, exact at the 8 cm cut-off, no guessing."""
from __future__ import annotations

import math

import pytest

from member_health import units
from member_health.units import SizeReading, format_cm, parse_size, to_cm


@pytest.mark.parametrize(
    "text, cm",
    [
        ("10 cm", 10.0),
        ("10cm", 10.0),
        ("10 cms", 10.0),
        ("ten centimetres", 10.0),
        ("a 10-cm tumor", 10.0),
        ("8 cm", 8.0),
        ("8.0 cm", 8.0),
        ("8.1 cm", 8.1),
        ("8,1 cm", 8.1),
        ("80mm", 8.0),
        ("80 mm", 8.0),
        ("81 millimeters", 8.1),
        ("12 millimetres", 1.2),
        ("3 inches", 7.62),
        ("3 inch", 7.62),
        ('3"', 7.62),
        ("3 in", 7.62),
        ("it's 3 in.", 7.62),
        ("3.15 in", 8.001),
        ("2 1/2 inches", 6.35),
        ("two and a half inches", 6.35),
        ("half an inch", 1.27),
        ("exactly 8 cm", 8.0),
        ("precisely 80 mm", 8.0),
        ("just 8 cm", 8.0),
        ("10 cm, not 6", 10.0),  # a correction: the size taken back is not a second size
        ("wait it's actually 10 cm not 6 cm", 10.0),
        ("12 cm rather than 6", 12.0),
        ("5 cm instead of 50 mm", 5.0),
        ("7 to 7 cm", 7.0),
        ("1/2 inch", 1.27),
        ("10 x 6 x 4 cm", 10.0),
        ("4 cm by 3 cm", 4.0),
        ("six x 4 cm", 6.0),
        ("10 cm and later 10 cm again", 10.0),
        ("high-grade osteosarcoma in his femur, 10 cm, only one spot", 10.0),
    ],
)
def test_sizes_in_cm_mm_and_inches(text: str, cm: float) -> None:
    reading = parse_size(text)
    assert reading is not None and reading.problem is None
    assert reading.cm == pytest.approx(cm, abs=1e-9)


@pytest.mark.parametrize(
    "text, cm, over_cutoff",
    [
        ("8 cm", 8.0, False),
        ("8.1 cm", 8.1, True),
        ("80 mm", 8.0, False),
        ("81 mm", 8.1, True),
        ("3.14 inches", 7.9756, False),
        ("3.15 inches", 8.001, True),
        ("8.0001 cm", 8.0001, True),
    ],
)
def test_conversion_is_exact_at_the_8_cm_cutoff(text: str, cm: float, over_cutoff: bool) -> None:
    reading = parse_size(text)
    assert reading is not None and reading.cm is not None
    assert (reading.cm > units.CUTOFF_CM) is over_cutoff
    assert math.isclose(reading.cm, cm, rel_tol=0, abs_tol=1e-12)


@pytest.mark.parametrize(
    "text, problem",
    [
        ("-5 cm", units.NOT_POSITIVE),
        ("minus 5 cm", units.NOT_POSITIVE),
        ("\u22125 cm", units.NOT_POSITIVE),
        ("0 cm", units.NOT_POSITIVE),
        ("0 mm", units.NOT_POSITIVE),
        ("1/0 cm", units.NOT_POSITIVE),
        ("61 cm", units.TOO_LARGE),
        ("80 cm", units.TOO_LARGE),
        ("30 inches", units.TOO_LARGE),
        ("99999999999999999999999 cm", units.TOO_LARGE),
        ("8-9 cm", units.STRADDLES),
        ("8 to 9 cm", units.STRADDLES),
        ("7 or 9 cm", units.STRADDLES),
        ("between 7 and 9 cm", units.STRADDLES),
        ("3 to 50 inches", units.TOO_LARGE),
        ("over 70 cm", units.TOO_LARGE),
        ("under -2 cm", units.NOT_POSITIVE),
        ("over 10 cm and under 5 cm", units.NOT_ONE_SIZE),
        ("one spot is 5 cm and the other is 2 cm", units.NOT_ONE_SIZE),
        ("12mm, 5 cm", units.NOT_ONE_SIZE),
    ],
)
def test_sizes_that_cannot_be_used_are_problems_in_any_text(text: str, problem: str) -> None:
    assert parse_size(text) == SizeReading(problem=problem)
    assert parse_size(text, answer=True) == SizeReading(problem=problem)


LE8, GT8 = units.AT_MOST_8, units.OVER_8


@pytest.mark.parametrize(
    "text, side",
    [
        # Over a number of 8 cm or more: over 8 cm.
        ("more than 8 cm", GT8),
        ("larger than 8 cm", GT8),
        ("bigger than 8cm", GT8),
        ("greater than 80 mm", GT8),
        ("over 8 cm", GT8),
        ("just over 8 cm", GT8),
        ("a little bit over 8 centimeters", GT8),
        ("slightly larger than 8 cm", GT8),
        ("well over 10 cm", GT8),
        ("> 8 cm", GT8),
        (">8cm", GT8),
        ("above 8 cm", GT8),
        ("exceeding 8 cm", GT8),
        ("in excess of 9 cm", GT8),
        ("over 10 cm", GT8),
        ("at least 9 cm", GT8),
        ("no less than 10 cm", GT8),
        ("9 cm or more", GT8),
        ("over 4 inches", GT8),
        ("longer than 100 mm", GT8),
        ("the tumour is more than 8 cm across", GT8),
        # Under / up to a number of 8 cm or less: 8 cm or less.
        ("up to 8 cm", LE8),
        ("under 8 cm", LE8),
        ("less than 8 cm", LE8),
        ("smaller than 5 cm", LE8),
        ("below 6 cm", LE8),
        ("at most 8 cm", LE8),
        ("<= 8 cm", LE8),
        ("< 80 mm", LE8),
        ("no more than 8 cm", LE8),
        ("not bigger than 7 cm", LE8),
        ("not over 8 cm", LE8),
        ("8 cm or less", LE8),
        ("8 cm or smaller", LE8),
        ("under 3 inches", LE8),
        ("almost 8 cm", LE8),
        ("nearly 8 cm", LE8),
        ("not quite 3 inches", LE8),
        ("a max of 6 cm", LE8),
        # Ranges wholly on one side.
        ("3 to 5 cm", LE8),
        ("3-5 cm", LE8),
        ("between 3 and 5 cm", LE8),
        ("from 60 to 70 mm", LE8),
        ("9 to 12 cm", GT8),
        ("9cm to 12cm", GT8),
        ("between 4 and 5 inches", GT8),
        # Approximate sizes clearly on one side (not an exact size the member did not give).
        ("about 10 centimeters", GT8),
        ("around 2 inches", LE8),
        ("about 7 cm", LE8),  # 6.3 to 7.7 cm
        ("roughly 5 cm", LE8),
        ("approximately 12 cm", GT8),
        ("~6 cm", LE8),
        ("10ish cm", GT8),
        ("10 cm or so", GT8),
        ("maybe 4 cm", LE8),
        ("about an inch", LE8),
    ],
)
def test_comparators_settle_the_side_of_8_cm(text: str, side: str) -> None:
    assert parse_size(text) == SizeReading(bound=side)
    assert parse_size(text, answer=True) == SizeReading(bound=side)


@pytest.mark.parametrize(
    "text",
    [
        "about 8 cm",
        "around 80 mm",
        "roughly 8 centimeters",
        "8 cm give or take",
        "8ish cm",
        "about 3 1/4 inches",  # 8.26 cm
        "about 3 inches",  # 7.62 cm, give or take a tenth: 6.9 to 8.4 cm
        "about 8.5 cm",
        "close to 8 cm",
        "at least 8 cm",
        "8 cm or more",
        "8+ cm",
        "over 5 cm",
        "more than 3 inches",  # 7.62 cm or more
        "less than 9 cm",
        "up to 10 cm",
        "under 4 inches",
        "nearly 9 cm",
        "7 to 9 cm",
        "7.5-8.5 cm",
        "between 70 and 90 mm",
        "2 to 4 inches",
    ],
)
def test_a_comparison_that_straddles_8_cm_is_asked_about(text: str) -> None:
    assert parse_size(text) == SizeReading(problem=units.STRADDLES)


@pytest.mark.parametrize(
    "text, problem",
    [
        ("10", units.NO_UNIT),
        ("over 8", units.NO_UNIT),  # 8 cm or 8 inches: the unit decides
        ("less than 3", units.NO_UNIT),
        ("about 10ish", units.NO_UNIT),
        ("about 10", units.NO_UNIT),
        ("8.5?", units.NO_UNIT),
        ("ten", units.NO_UNIT),
        ("-5", units.NOT_POSITIVE),
        ("0", units.NOT_POSITIVE),
        ("the size of a golf ball", units.NO_MEASUREMENT),
        ("like a golf ball", units.NO_MEASUREMENT),
        ("about as big as an orange", units.NO_MEASUREMENT),
        ("it's pretty big", units.NO_MEASUREMENT),
        ("small", units.NO_MEASUREMENT),
    ],
)
def test_answers_without_a_measurement_are_asked_again(text: str, problem: str) -> None:
    assert parse_size(text, answer=True) == SizeReading(problem=problem)


@pytest.mark.parametrize(
    "text",
    [
        "the size of a golf ball",
        "my son is 15",
        "3 in his femur",
        "1 in 5 people",
        "grade 3 tumor",
        "what stage is it",
        "",
    ],
)
def test_text_that_is_not_an_answer_has_no_size(text: str) -> None:
    assert parse_size(text) is None


@pytest.mark.parametrize(
    "amount, unit, cm",
    [(10, "cm", 10.0), (80, "mm", 8.0), (3, "inches", 7.62), (1, '"', 2.54), ("2.5", "in", 6.35)],
)
def test_to_cm(amount: float, unit: str, cm: float) -> None:
    assert to_cm(amount, unit) == pytest.approx(cm)


@pytest.mark.parametrize(
    "value, problem",
    [
        (5.0, None),
        (units.MAX_SIZE_CM, None),
        (units.MAX_SIZE_CM + 0.1, units.TOO_LARGE),
        (math.inf, units.TOO_LARGE),
        (0, units.NOT_POSITIVE),
        (-5, units.NOT_POSITIVE),
        (-math.inf, units.NOT_POSITIVE),
        (math.nan, units.NOT_POSITIVE),
    ],
)
def test_check_size_cm(value: float, problem: str | None) -> None:
    assert units.check_size_cm(value) == problem


@pytest.mark.parametrize("value", [True, "10", None, [10]])
def test_check_size_cm_refuses_non_numbers(value: object) -> None:
    with pytest.raises(TypeError):
        units.check_size_cm(value)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "cm, text",
    [(10.0, "10 cm"), (7.62, "7.6 cm"), (8.0, "8 cm"), (8.001, "8.001 cm"), (8.04, "8.04 cm")],
)
def test_format_cm_never_rounds_across_the_cutoff(cm: float, text: str) -> None:
    assert format_cm(cm) == text


@pytest.mark.parametrize(
    "value, bound",
    [
        (units.AT_MOST_8, True),
        (units.OVER_8, True),
        ("unknown", False),
        (8.0, False),
        (None, False),
    ],
)
def test_is_bound(value: object, bound: bool) -> None:
    assert units.is_bound(value) is bound


def test_very_long_text_is_cut_before_reading() -> None:
    assert parse_size("x " * 5000 + "10 cm") is None
