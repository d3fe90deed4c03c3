"""Stage groups of primary bone tumors (AJCC 8th edition; limbs, trunk, skull and face).

The table below is the product contract's (docs/content-contract.md). Unknown details are
never guessed: every value they could take is tried, and the result names all the groups the
tumor could be in and, for each, the details that would put it there. The spine and pelvis
have no AJCC stage groups.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import product
from typing import Any

from member_health import tumor_details as td
from member_health.units import CUTOFF_CM, format_cm, is_bound

GROUPS = ("IA", "IB", "IIA", "IIB", "III", "IVA", "IVB")
NO_GROUP_LOCATIONS = ("spine", "pelvis")
ANY = None

# Each detail's classes, as the table tells them apart.
GRADE_CLASSES = ("low", "high")
SIZE_CLASSES = ("8cm_or_less", "over_8cm")
SPOTS_CLASSES = ("no", "yes")
SPREAD_CLASSES = ("none", "lungs", "nodes_or_other")
DIMENSIONS = (td.GRADE, td.SIZE, td.SPOTS, td.SPREAD)
CLASSES = dict(
    zip(DIMENSIONS, (GRADE_CLASSES, SIZE_CLASSES, SPOTS_CLASSES, SPREAD_CLASSES), strict=True)
)

# group, grade, size, more than one spot in the same bone, spread (the contract's table).
TABLE = (
    ("IA", "low", "8cm_or_less", "no", "none"),
    ("IB", "low", "over_8cm", "no", "none"),
    ("IB", "low", ANY, "yes", "none"),
    ("IIA", "high", "8cm_or_less", "no", "none"),
    ("IIB", "high", "over_8cm", "no", "none"),
    ("III", "high", ANY, "yes", "none"),
    ("IVA", ANY, ANY, ANY, "lungs"),
    ("IVB", ANY, ANY, ANY, "nodes_or_other"),
)

# Plain words for each class, used to say what decides between possible groups.
CLASS_PHRASES = {
    (td.GRADE, "low"): "low grade",
    (td.GRADE, "high"): "high grade",
    (td.SIZE, "8cm_or_less"): "8 cm or less",
    (td.SIZE, "over_8cm"): "over 8 cm",
    (td.SPOTS, "no"): "in one spot",
    (td.SPOTS, "yes"): "in more than one spot in the bone",
    (td.SPREAD, "none"): "not spread",
    (td.SPREAD, "lungs"): "spread to the lungs only",
    (td.SPREAD, "nodes_or_other"): "spread to lymph nodes, other bones or organs",
}
# Plain words for each slot value, to repeat back what the member told us.
VALUE_PHRASES = {
    (td.LOCATION, "limb_trunk_skull"): "in an arm, leg, trunk, skull or face bone",
    (td.LOCATION, "spine"): "in the spine",
    (td.LOCATION, "pelvis"): "in the pelvis",
    (td.LOCATION, "unknown"): "location not known",
    (td.GRADE, "low"): "low grade",
    (td.GRADE, "high"): "high grade",
    (td.GRADE, "unknown"): "grade not known",
    (td.SIZE, "unknown"): "size not known",
    (td.SIZE, "8cm_or_less"): "8 cm or less",
    (td.SIZE, "over_8cm"): "over 8 cm",
    (td.SPOTS, "no"): "in one spot",
    (td.SPOTS, "yes"): "in more than one spot in the bone",
    (td.SPOTS, "unknown"): "number of spots not known",
    (td.SPREAD, "none"): "not spread",
    (td.SPREAD, "lungs"): "spread to the lungs only",
    (td.SPREAD, "lymph_nodes"): "spread to lymph nodes",
    (td.SPREAD, "other"): "spread to other bones or organs",
    (td.SPREAD, "unknown"): "spread not known",
    (td.SPREAD, "unknown_site"): "spread, but where is not known",
}

Term = tuple[tuple[str, frozenset[str]], ...]


@dataclass(frozen=True)
class Condition:
    """The details (one of ``terms``, each a set of detail -> classes) that give ``group``."""

    group: str
    terms: tuple[Term, ...]


@dataclass(frozen=True)
class StageResult:
    """The stage group(s) a tumor's details can be, and what decides between them.

    ``groups`` is empty for the spine and pelvis (no AJCC stage groups). With several groups,
    ``conditions`` says for each group which details would put the tumor there and
    ``deciding`` names the unknown details that decide.
    """

    location: str | None
    groups: tuple[str, ...]
    conditions: tuple[Condition, ...] = ()
    deciding: tuple[str, ...] = ()

    @property
    def has_ajcc_group(self) -> bool:
        """False for the spine and pelvis."""
        return bool(self.groups)

    @property
    def definite(self) -> bool:
        """True when the details give exactly one group."""
        return len(self.groups) == 1


def _classes(slot: str, value: Any) -> tuple[str, ...]:
    """The table classes a slot value stands for; unknown (or not given) stands for all."""
    if value is None or value == td.UNKNOWN:
        return CLASSES[slot]
    if slot == td.SIZE:
        if is_bound(value):  # known only by its side of 8 cm ("over 10 cm")
            return (str(value),)
        return ("8cm_or_less",) if float(value) <= CUTOFF_CM else ("over_8cm",)
    if slot == td.SPREAD:
        return {
            "lymph_nodes": ("nodes_or_other",),
            "other": ("nodes_or_other",),
            td.UNKNOWN_SITE: ("lungs", "nodes_or_other"),
        }.get(value, (value,))
    return (value,)


def group_for(grade: str, size: str, spots: str, spread: str) -> str:
    """The table's group for one combination of classes (every combination has one)."""
    for group, *row in TABLE:
        if all(
            cell is ANY or cell == given
            for cell, given in zip(row, (grade, size, spots, spread), strict=True)
        ):
            return group
    raise ValueError(f"no stage group for {(grade, size, spots, spread)}")


def _validated(details: Mapping[str, Any]) -> dict[str, Any]:
    for slot in td.SLOTS:
        if not td.is_valid(slot, details.get(slot)):
            raise ValueError(f"invalid {slot}: {details.get(slot)!r}")
    return {slot: details.get(slot) for slot in td.SLOTS}


def _outcomes(details: Mapping[str, Any]) -> dict[tuple[str, ...], str]:
    """Every combination of classes the details allow -> its group."""
    options = [_classes(slot, details.get(slot)) for slot in DIMENSIONS]
    return {combo: group_for(*combo) for combo in product(*options)}


def _possible_groups(details: Mapping[str, Any]) -> tuple[str, ...]:
    if details.get(td.LOCATION) in NO_GROUP_LOCATIONS:
        return ()
    found = set(_outcomes(details).values())
    return tuple(group for group in GROUPS if group in found)


def _cover(minterms: set[tuple[str, ...]], size: int) -> list[tuple[frozenset[str], ...]]:
    """A small set of products of class sets covering exactly ``minterms`` (prime implicants)."""
    terms = {tuple(frozenset([value]) for value in minterm) for minterm in minterms}
    grown = True
    while grown:
        grown = False
        for a, b in product(list(terms), repeat=2):
            differ = [i for i in range(size) if a[i] != b[i]]
            if len(differ) == 1:
                i = differ[0]
                merged = a[:i] + (a[i] | b[i],) + a[i + 1 :]
                if merged not in terms:
                    terms.add(merged)
                    grown = True
    primes = [
        t
        for t in terms
        if not any(u != t and all(t[i] <= u[i] for i in range(size)) for u in terms)
    ]
    primes.sort(key=lambda t: (-len(list(product(*t))), sorted(map(sorted, t))))
    chosen, uncovered = [], set(minterms)
    for term in primes:
        covered = {m for m in uncovered if all(m[i] in term[i] for i in range(size))}
        if covered:
            chosen.append(term)
            uncovered -= covered
    return chosen


def _term_order(term: Term) -> list[tuple[int, list[int]]]:
    return [
        (DIMENSIONS.index(slot), sorted(CLASSES[slot].index(value) for value in classes))
        for slot, classes in term
    ]


def _conditions(details: Mapping[str, Any], groups: tuple[str, ...]) -> tuple[Condition, ...]:
    outcomes = _outcomes(details)
    options = [_classes(slot, details.get(slot)) for slot in DIMENSIONS]
    open_dims = [i for i, classes in enumerate(options) if len(classes) > 1]
    conditions = []
    for group in groups:
        minterms = {
            tuple(combo[i] for i in open_dims)
            for combo, found in outcomes.items()
            if found == group
        }
        terms = []
        for cover in _cover(minterms, len(open_dims)):
            term = tuple(
                (DIMENSIONS[dim], classes)
                for dim, classes in zip(open_dims, cover, strict=True)
                if classes != frozenset(options[dim])
            )
            terms.append(term)
        terms.sort(key=_term_order)
        conditions.append(Condition(group, tuple(terms)))
    return tuple(conditions)


def _deciding(details: Mapping[str, Any]) -> tuple[str, ...]:
    """Unknown details whose value changes the possible groups."""
    return tuple(
        slot
        for slot in DIMENSIONS
        if len(_classes(slot, details.get(slot))) > 1 and _matters(details, slot)
    )


def _matters(details: Mapping[str, Any], slot: str) -> bool:
    """Whether some value of ``slot`` would change the possible groups."""
    if slot == td.LOCATION:
        return details.get(td.LOCATION) not in NO_GROUP_LOCATIONS
    results = set()
    for value in {
        td.GRADE: ("low", "high"),
        td.SIZE: (CUTOFF_CM, CUTOFF_CM + 1),
        td.SPOTS: ("no", "yes"),
        td.SPREAD: ("none", "lungs", "other"),
    }[slot]:
        results.add(_possible_groups({**details, slot: value}))
    return len(results) > 1


def stage_group(
    location: str | None,
    grade: str | None,
    size_cm: float | str | None,
    multiple_spots: str | None,
    spread: str | None,
) -> StageResult:
    """The stage group(s) for a primary bone tumor's details (``None`` = not given = unknown).

    Raises ``ValueError`` for a value the slot cannot hold (validate input first).
    """
    details = _validated(
        {
            td.LOCATION: location,
            td.GRADE: grade,
            td.SIZE: size_cm,
            td.SPOTS: multiple_spots,
            td.SPREAD: spread,
        }
    )
    groups = _possible_groups(details)
    if len(groups) <= 1:
        return StageResult(location, groups)
    return StageResult(location, groups, _conditions(details, groups), _deciding(details))


def slots_to_ask(details: Mapping[str, Any]) -> tuple[str, ...]:
    """Details not given yet that could change the answer, in the order to ask them.

    A detail that cannot change the answer is not asked: nothing after the spine or pelvis,
    nothing more once the cancer has spread (IVA/IVB whatever the rest), no size for a
    low-grade tumor in more than one spot, and so on.
    """
    known = {slot: value if td.is_valid(slot, value) else None for slot, value in details.items()}
    return tuple(slot for slot in td.SLOTS if known.get(slot) is None and _matters(known, slot))


def _join(phrases: Iterable[str], last: str = "and") -> str:
    items = list(phrases)
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} {last} {items[-1]}"


def describe_groups(groups: Iterable[str]) -> str:
    """Possible groups for a reply: "IIB, IVA or IVB"."""
    return _join(groups, "or")


def describe_details(details: Mapping[str, Any], *, with_location: bool = False) -> str:
    """What the member told us in plain words: "high grade, 10 cm, in one spot, not spread".

    A size known only by its side of 8 cm is said that way ("over 8 cm"), never as a number.
    ``with_location`` adds where the tumor is (the summary before a stage is named); the
    result names the location only when it is not known.
    """
    phrases = []
    for slot in (td.LOCATION, td.GRADE, td.SIZE, td.SPOTS, td.SPREAD):
        value = details.get(slot)
        if slot == td.LOCATION and value != td.UNKNOWN and not with_location:
            continue
        if slot == td.SIZE and isinstance(value, (int, float)) and not isinstance(value, bool):
            phrases.append(format_cm(float(value)))
        elif isinstance(value, str) and (slot, value) in VALUE_PHRASES:
            phrases.append(VALUE_PHRASES[(slot, value)])
    return ", ".join(phrases) if phrases else "no details yet"


def _term_phrases(term: Term) -> list[str]:
    return [
        " or ".join(
            CLASS_PHRASES[(slot, value)] for value in sorted(classes, key=CLASSES[slot].index)
        )
        for slot, classes in term
    ]


def describe_condition(condition: Condition) -> str:
    """One group's condition: "stage IB: low grade, not spread, and either over 8 cm or ..."."""
    common = [part for part in condition.terms[0] if all(part in term for term in condition.terms)]
    rest = [tuple(part for part in term if part not in common) for term in condition.terms]
    text = ", ".join(_term_phrases(tuple(common)))
    alternatives = [" and ".join(_term_phrases(term)) for term in rest if term]
    if len(alternatives) > 1:
        either = "either " + " or ".join(alternatives)
        text = f"{text}, and {either}" if text else either
    elif alternatives:
        text = f"{text}, {alternatives[0]}" if text else alternatives[0]
    return f"stage {condition.group}: {text}"
