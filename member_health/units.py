"""Tumor sizes in members' words -> centimetres ("3 inches", "80mm", "about 10 centimeters").

The AJCC size cut-off for bone tumors of the limbs, trunk, skull and face is 8 cm, so the
conversion is exact (``Decimal``): 80 mm is 8 cm (8 cm or less) and 3.15 inches is 8.001 cm
(over 8 cm). Nothing is guessed: a number without a unit, a range, several different sizes or
a comparison ("the size of a golf ball") is reported as a problem, never read as a size.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal

# Input sanity bound (not medical content): a larger value is almost surely a unit slip
# (80 cm for 80 mm). The member is asked to check the number and unit.
MAX_SIZE_CM = 60.0
MAX_TEXT_CHARS = 1000
CUTOFF_CM = 8.0

# Problems the member is asked about again (response ``utter_stage_problem_size_<problem>``).
NO_UNIT = "no_unit"
NOT_ONE_SIZE = "not_one_size"
NO_MEASUREMENT = "no_measurement"
NOT_POSITIVE = "not_positive"
TOO_LARGE = "too_large"

_CM_PER_UNIT = {"cm": Decimal(1), "mm": Decimal("0.1"), "in": Decimal("2.54")}

_WORD_VALUES = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20,
}  # fmt: skip
_WORDS = "|".join(sorted(_WORD_VALUES, key=len, reverse=True))

# A quantity: "10", "8.1", ".5", "2 1/2", "1/2", "ten", "two and a half", "half an", "an".
_QUANTITY = (
    r"(?:(?:-|minus)\s*)?"
    r"(?:\d+\s+\d+/\d+|\d+/\d+|\d+(?:\.\d+)?|\.\d+|half(?:\s+(?:of\s+)?an?)?"
    rf"|(?:{_WORDS})(?![a-z])|an?(?=\s+(?:inch|centimet|millimet)))"
    r"(?:\s+and\s+a\s+half)?"
)
_UNIT = (
    r"(?P<unit>centimet(?:er|re)s?|cms?|millimet(?:er|re)s?|mms?"
    r"|inch(?:es)?|ins?(?![a-z0-9])(?!\s*[a-z0-9])|\"|'')(?![a-z])"
)
_DIMENSIONS = r"\s*(?:(?<![a-z])x(?![a-z])|\bby\b|\*)\s*"
_MEASUREMENT = re.compile(rf"(?<![\w.])(?P<qty>{_QUANTITY}(?:{_DIMENSIONS}{_QUANTITY})*)\s*{_UNIT}")
_RANGE = re.compile(
    rf"(?<![\w.])(?:between\s+{_QUANTITY}\s+and\s+{_QUANTITY}"
    rf"|{_QUANTITY}\s*(?:-|to|or)\s*{_QUANTITY})\s*{_UNIT}"
)
_DIMENSION_GAP = re.compile(rf"^{_DIMENSIONS}$")
_BARE_NUMBER = re.compile(
    rf"^(?:about|around|roughly|approximately|approx|maybe|like|~)?\s*" rf"(?P<qty>{_QUANTITY})\s*$"
)
_COMPARISON = re.compile(
    r"\b(?:golf ?balls?|tennis balls?|base ?balls?|soft ?balls?|balls?|oranges?|grapefruits?"
    r"|grapes?|eggs?|lemons?|limes?|walnuts?|peas?|peanuts?|fists?|plums?|peach(?:es)?"
    r"|apples?|melons?|marbles?|coins?|quarters?|dimes?|nickels?|pennies|penny|thumbs?"
    r"|tiny|small|smallish|little|big|bigger|large|huge|massive|medium)\b"
    r"|\bsize of\b|\bas (?:big|large) as\b"
)


@dataclass(frozen=True)
class SizeReading:
    """A size read from text: centimetres, or the problem that kept it from being read."""

    cm: float | None = None
    problem: str | None = None


def normalize_size_text(text: str) -> str:
    """Lower-case, one kind of dash/quote, decimal commas as points, "10-cm" as "10 cm"."""
    text = text[:MAX_TEXT_CHARS].lower()
    text = text.replace("\u2212", "-").replace("\u2013", "-").replace("\u201d", '"')
    text = text.replace("\u00bd", " 1/2").replace("\u2019", "'").replace("\u00d7", "x")
    text = re.sub(r"(?<=\d),(?=\d{1,2}\s*(?:c|m|in|\"))", ".", text)
    text = re.sub(r"(?<=\d)-(?=[a-z])", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def _unit_key(unit: str) -> str:
    if unit.startswith("c"):
        return "cm"
    if unit.startswith("m"):
        return "mm"
    return "in"


def quantity_value(quantity: str) -> Decimal:
    """The number a quantity expression stands for ("2 1/2" -> 2.5, "minus 5" -> -5)."""
    text = quantity.strip()
    sign = Decimal(1)
    negative = re.match(r"^(?:-|minus)\s*", text)
    if negative:
        sign = Decimal(-1)
        text = text[negative.end() :]
    half = Decimal(0)
    if text.endswith("and a half"):
        half = Decimal("0.5")
        text = text[: -len("and a half")].strip()
    if text.startswith("half"):
        value = Decimal("0.5")
    elif text in ("a", "an"):
        value = Decimal(1)
    elif text in _WORD_VALUES:
        value = Decimal(_WORD_VALUES[text])
    else:
        whole, _, fraction = text.rpartition(" ") if " " in text else ("", "", text)
        value = Decimal(whole) if whole else Decimal(0)
        if "/" in fraction:
            numerator, denominator = fraction.split("/")
            if int(denominator) == 0:
                raise ValueError(f"not a number: {quantity!r}")
            value += Decimal(numerator) / Decimal(denominator)
        else:
            value += Decimal(fraction)
    return sign * (value + half)


def to_cm(amount: Decimal | float | int | str, unit: str) -> float:
    """Convert an amount in cm, mm or inches (any spelling of the unit) to centimetres."""
    return float(Decimal(str(amount)) * _CM_PER_UNIT[_unit_key(unit.strip().lower())])


def check_size_cm(cm: float) -> str | None:
    """The problem with a size in cm (not a number above 0, or too large), or None if fine."""
    if isinstance(cm, bool) or not isinstance(cm, (int, float)):
        raise TypeError(f"a size must be a number, not {type(cm).__name__}")
    if math.isnan(cm) or cm <= 0:
        return NOT_POSITIVE
    if cm > MAX_SIZE_CM:
        return TOO_LARGE
    return None


def _checked(cm: float) -> SizeReading:
    problem = check_size_cm(cm)
    return SizeReading(problem=problem) if problem else SizeReading(cm=cm)


def parse_size(text: str, *, answer: bool = False) -> SizeReading | None:
    """Read a tumor size from text; ``None`` when the text says nothing about a size.

    ``answer=True`` means the text answers "how big is the tumor?": then a bare number ("10")
    is a missing unit and a comparison ("the size of a golf ball") is a problem to ask about.
    In other text (a whole first message) only numbers with a unit count.
    "10 x 6 x 4 cm" is 10 cm: the AJCC size is the greatest dimension.
    """
    text = normalize_size_text(text)
    if _RANGE.search(text):
        return SizeReading(problem=NOT_ONE_SIZE)
    matches = list(_MEASUREMENT.finditer(text))
    if matches:
        groups: list[list[float]] = []
        for index, match in enumerate(matches):
            unit = match.group("unit")
            dimensions = re.split(_DIMENSIONS, match.group("qty"))
            try:
                cm = max(to_cm(quantity_value(dimension), unit) for dimension in dimensions)
            except ValueError:  # "1/0 cm"
                return SizeReading(problem=NOT_POSITIVE)
            gap = text[matches[index - 1].end() : match.start()] if index else ""
            if index and _DIMENSION_GAP.match(gap):
                groups[-1].append(cm)
            else:
                groups.append([cm])
        sizes = {max(group) for group in groups}
        if len(sizes) > 1:
            return SizeReading(problem=NOT_ONE_SIZE)
        return _checked(sizes.pop())
    if not answer:
        return None
    bare = _BARE_NUMBER.match(text.rstrip(".!? "))
    if bare:
        try:
            value = quantity_value(bare.group("qty"))
        except ValueError:
            return SizeReading(problem=NOT_POSITIVE)
        return SizeReading(problem=NOT_POSITIVE if value <= 0 else NO_UNIT)
    if _COMPARISON.search(text):
        return SizeReading(problem=NO_MEASUREMENT)
    return None


def format_cm(cm: float) -> str:
    """A size for a reply ("10 cm", "7.6 cm"), never rounded across the 8 cm cut-off."""
    text = f"{cm:.1f}".rstrip("0").rstrip(".")
    if (float(text) <= CUTOFF_CM) != (cm <= CUTOFF_CM):
        text = f"{cm:.4f}".rstrip("0").rstrip(".")
    return f"{text} cm"
