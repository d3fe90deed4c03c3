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
        ("about 10 centimeters", 10.0),
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
        ("about an inch", 2.54),
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
        ("8-9 cm", units.NOT_ONE_SIZE),
        ("8 to 9 cm", units.NOT_ONE_SIZE),
        ("7 or 9 cm", units.NOT_ONE_SIZE),
        ("between 7 and 9 cm", units.NOT_ONE_SIZE),
        ("one spot is 5 cm and the other is 2 cm", units.NOT_ONE_SIZE),
        ("12mm, 5 cm", units.NOT_ONE_SIZE),
    ],
)
def test_sizes_that_cannot_be_used_are_problems_in_any_text(text: str, problem: str) -> None:
    assert parse_size(text) == SizeReading(problem=problem)
    assert parse_size(text, answer=True) == SizeReading(problem=problem)


@pytest.mark.parametrize(
    "text, problem",
    [
        ("10", units.NO_UNIT),
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


def test_very_long_text_is_cut_before_reading() -> None:
    assert parse_size("x " * 5000 + "10 cm") is None
