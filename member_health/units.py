"""Tumor sizes in members' words -> centimetres ("3 inches", "80mm", "over 8 cm").

The AJCC size cut-off for bone tumors of the limbs, trunk, skull and face is 8 cm, so the
conversion is exact (``Decimal``): 80 mm is 8 cm (8 cm or less) and 3.15 inches is 8.001 cm
(over 8 cm). Nothing is guessed: a number without a unit, several different sizes or a
comparison with an object ("the size of a golf ball") is reported as a problem, never read as
a size.

Fail-safe rule (the project's design rule: a wrong stage can mislead a member, an extra
question costs little): comparators are kept. A size that is only known relative to a number
("over 10 cm", "up to 5 cm", "3 to 5 cm", "about 10 cm") is read as the side of the 8 cm
cut-off it settles (``AT_MOST_8`` / ``OVER_8``), never as an exact size the member did not
give. A comparison or range that leaves both sides possible ("about 8 cm", "at least 8 cm",
"over 5 cm", "7 to 9 cm") is ``STRADDLES``: the member is asked which side it is.
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
STRADDLES = "straddles"  # could be 8 cm or less, or over 8 cm: ask which

# A size known only by its side of the cut-off (the stage table's size classes).
AT_MOST_8 = "8cm_or_less"
OVER_8 = "over_8cm"
BOUNDS = (AT_MOST_8, OVER_8)
# "About" means give or take a tenth: "about 3 inches" (7.62 cm, so 6.9 to 8.4 cm) or "about
# 8.5 cm" is asked about; "about 7 cm" (6.3 to 7.7) is 8 cm or less, "about 10 cm" over 8 cm.
APPROXIMATE_MARGIN = 0.1

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
_UNIT_WORDS = (
    r"(?:centimet(?:er|re)s?|cms?|millimet(?:er|re)s?|mms?"
    r"|inch(?:es)?|ins?(?![a-z0-9])(?!\s*[a-z0-9])|\"|'')(?![a-z])"
)
_UNIT = rf"(?P<unit>{_UNIT_WORDS})"
_DIMENSIONS = r"\s*(?:(?<![a-z])x(?![a-z])|\bby\b|\*)\s*"
_DIMENSION_GAP = re.compile(rf"^{_DIMENSIONS}$")

# Comparators, longest first: "not more than" before "more than".
_A_BIT = r"(?:just|a (?:little|bit|tad)|a little bit|slightly|well|way|much)"
_BIGGER = r"(?:more|larger|bigger|greater|longer|wider)"
_SMALLER = r"(?:less|smaller|shorter|littler)"
_PRE_COMPARATORS = (
    # value <= n
    (
        "le",
        rf"(?:up to|at most|at the most|<=|\u2264|=<|no {_BIGGER} than|not {_BIGGER} than"
        r"|not (?:over|above|exceeding)|(?:a )?max(?:imum)?\.?(?: of)?|does ?n'?t exceed)",
    ),
    # value >= n
    (
        "ge",
        rf"(?:at least|at the least|>=|\u2265|=>|no {_SMALLER} than|not {_SMALLER} than"
        r"|not under|not below|(?:a )?min(?:imum)?\.?(?: of)?)",
    ),
    # value > n
    (
        "gt",
        rf"(?:(?:{_A_BIT} )?(?:over|above|{_BIGGER} than)|>|exceeding|exceeds|in excess of"
        r"|beyond|upwards of|north of|bigger then|larger then|more then)",
    ),
    # value < n
    (
        "lt",
        rf"(?:(?:{_A_BIT} )?(?:under|below|{_SMALLER} than)|<|almost|nearly|not quite"
        r"|just shy of|shy of|short of|less then|smaller then)",
    ),
    (
        "about",
        r"(?:about|around|roughly|approximately|approx\.?|~|circa|close to|near"
        r"|somewhere around|give or take|maybe|perhaps|probably|like)",
    ),
    ("exact", r"(?:exactly|precisely|just|only)"),
)
_POST_COMPARATORS = (
    (
        "ge",
        r"(?:or (?:more|larger|bigger|greater|above|over|longer)|and (?:up|over|above)"
        r"|plus|\+|at least|minimum|min)",
    ),
    (
        "le",
        r"(?:or (?:less|smaller|under|below|shorter)|and under|and below|at most|at the most"
        r"|maximum|max|tops)",
    ),
    ("about", r"(?:or so|-?ish|give or take|roughly|approximately|approx|more or less)"),
)
_PRE = "|".join(f"(?P<pre_{kind}>{pattern})" for kind, pattern in _PRE_COMPARATORS)
_POST = "|".join(f"(?P<post_{kind}>{pattern})" for kind, pattern in _POST_COMPARATORS)
_COMPARED = re.compile(
    rf"(?<![\w.])(?:(?:{_PRE})\s*)?(?P<qty>{_QUANTITY}(?:{_DIMENSIONS}{_QUANTITY})*)"
    rf"(?:\s*-?(?P<mid_about>ish)|\s*(?P<mid_ge>\+))?\s*{_UNIT}(?:\s*(?:{_POST})(?![a-z]))?"
)
_RANGE_BOUNDS = re.compile(
    rf"(?<![\w.])(?:between\s+(?P<a1>{_QUANTITY})\s*(?P<u1>{_UNIT_WORDS})?\s+and\s+"
    rf"(?P<b1>{_QUANTITY})|(?:from\s+)?(?P<a2>{_QUANTITY})\s*(?P<u2>{_UNIT_WORDS})?"
    rf"\s*(?:-|to|or)\s*(?P<b2>{_QUANTITY}))\s*{_UNIT}"
)
# "10 cm, not 6" / "instead of 6 cm": the size the member is correcting, not a size.
_NEGATED_SIZE = re.compile(
    rf"(?:(?<![\w'])not|n't|\brather than|\binstead of)\s+(?:{_QUANTITY})"
    rf"(?:\s*{_UNIT})?(?![\w])"
)
_BARE_NUMBER = re.compile(
    rf"^(?:(?:{_PRE})\s*)?(?P<qty>{_QUANTITY})(?:\s*-?ish|\s*\+)?(?:\s*(?:{_POST}))?\s*$"
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
    """A size read from text: centimetres, or its side of the cut-off only, or a problem.

    ``bound`` (``AT_MOST_8`` / ``OVER_8``) is set when the text settles only which side of
    8 cm the size is on ("over 10 cm", "up to 5 cm", "about 10 cm").
    """

    cm: float | None = None
    problem: str | None = None
    bound: str | None = None


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


def _compared(kind: str, cm: float) -> SizeReading:
    """What "<comparator> <cm>" says about the size: a size, a side of 8 cm, or a problem."""
    problem = check_size_cm(cm)
    if problem:
        return SizeReading(problem=problem)
    if kind == "exact":
        return SizeReading(cm=cm)
    over: bool | None
    if kind == "about":
        if abs(cm - CUTOFF_CM) <= APPROXIMATE_MARGIN * cm:
            return SizeReading(problem=STRADDLES)
        over = cm > CUTOFF_CM
    elif kind == "gt":  # more than cm: over 8 when cm is 8 or more
        over = True if cm >= CUTOFF_CM else None
    elif kind == "ge":  # cm or more: over 8 only when cm is over 8
        over = True if cm > CUTOFF_CM else None
    else:  # "lt" / "le": less than cm (or cm at most): 8 or less when cm is 8 or less
        over = False if cm <= CUTOFF_CM else None
    if over is None:
        return SizeReading(problem=STRADDLES)
    return SizeReading(bound=OVER_8 if over else AT_MOST_8)


def _kind(match: re.Match[str]) -> str:
    """The comparator of a measurement match ("exact" when there is none)."""
    for name, value in match.groupdict().items():
        if value is not None and name.startswith(("pre_", "mid_", "post_")):
            return name.split("_", 1)[1]
    return "exact"


def _range_reading(match: re.Match[str]) -> SizeReading:
    """ "7 to 9 cm": a side of 8 cm when the whole range is on it, else ``STRADDLES``."""
    first, second = match.group("a1") or match.group("a2"), match.group("b1") or match.group("b2")
    unit = match.group("unit")
    try:
        low = to_cm(quantity_value(first), match.group("u1") or match.group("u2") or unit)
        high = to_cm(quantity_value(second), unit)
    except ValueError:
        return SizeReading(problem=NOT_POSITIVE)
    low, high = min(low, high), max(low, high)
    problem = check_size_cm(low) or check_size_cm(high)
    if problem:
        return SizeReading(problem=problem)
    if low == high:
        return SizeReading(cm=low)
    if high <= CUTOFF_CM:
        return SizeReading(bound=AT_MOST_8)
    if low > CUTOFF_CM:
        return SizeReading(bound=OVER_8)
    return SizeReading(problem=STRADDLES)


def parse_size(text: str, *, answer: bool = False) -> SizeReading | None:
    """Read a tumor size from text; ``None`` when the text says nothing about a size.

    ``answer=True`` means the text answers "how big is the tumor?": then a bare number ("10")
    is a missing unit and a comparison ("the size of a golf ball") is a problem to ask about.
    In other text (a whole first message) only numbers with a unit count.
    "10 x 6 x 4 cm" is 10 cm: the AJCC size is the greatest dimension. A size the member
    takes back ("10 cm, not 6", "instead of 6 cm") is not read.
    """
    text = _NEGATED_SIZE.sub(" , ", normalize_size_text(text))
    readings: list[SizeReading] = []

    def take_range(match: re.Match[str]) -> str:
        readings.append(_range_reading(match))
        return " , "

    text = _RANGE_BOUNDS.sub(take_range, text)
    matches = list(_COMPARED.finditer(text))
    groups: list[tuple[str, list[float]]] = []
    for index, match in enumerate(matches):
        unit = match.group("unit")
        dimensions = re.split(_DIMENSIONS, match.group("qty"))
        try:
            cm = max(to_cm(quantity_value(dimension), unit) for dimension in dimensions)
        except ValueError:  # "1/0 cm"
            return SizeReading(problem=NOT_POSITIVE)
        gap = text[matches[index - 1].end() : match.start()] if index else ""
        if index and _DIMENSION_GAP.match(gap):
            groups[-1][1].append(cm)
        else:
            groups.append((_kind(match), [cm]))
    readings += [_compared(kind, max(sizes)) for kind, sizes in groups]
    if readings:
        distinct = set(readings)
        return distinct.pop() if len(distinct) == 1 else SizeReading(problem=NOT_ONE_SIZE)
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


def is_bound(value: object) -> bool:
    """True for a size known only by its side of 8 cm (``AT_MOST_8`` / ``OVER_8``)."""
    return isinstance(value, str) and value in BOUNDS


def format_cm(cm: float) -> str:
    """A size for a reply ("10 cm", "7.6 cm"), never rounded across the 8 cm cut-off."""
    text = f"{cm:.1f}".rstrip("0").rstrip(".")
    if (float(text) <= CUTOFF_CM) != (cm <= CUTOFF_CM):
        text = f"{cm:.4f}".rstrip("0").rstrip(".")
    return f"{text} cm"
