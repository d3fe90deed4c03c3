"""An oracle for the stage explainer, read from the product contract, not from member_health.

docs/content-contract.md ("Stage explainer") holds the AJCC 8th-edition table the explainer
must follow. This module reads that table row by row and turns each cell ("low", "8 cm or
less", "any", "lungs only (no lymph nodes)", ...) into a test on one tumor's concrete details;
a cell it cannot read stops the tests, so a changed contract cannot be followed silently.

Unknown details are expanded into every concrete value they could have, so the oracle answers
"which groups are possible" by brute force: no prime implicants, no search order. An unknown
location is also expanded: it could be the spine or the pelvis, which have no stage group
(``NO_GROUP``).
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from itertools import product
from pathlib import Path
from typing import Any

CONTRACT = Path(__file__).resolve().parents[2] / "docs" / "content-contract.md"

# The slot names and values the contract's slot table names.
LOCATION, GRADE, SIZE, SPOTS, SPREAD = (
    "tumor_location",
    "tumor_grade",
    "tumor_size_cm",
    "multiple_spots",
    "spread",
)
LIMB = "limb_trunk_skull"
NO_GROUP_LOCATIONS = ("spine", "pelvis")  # "Spine and pelvis tumors have no AJCC stage groups"
NO_GROUP = "no AJCC stage group"
# A size known only by its side of the cut-off (the contract: sizes keep their comparators).
AT_MOST_8, OVER_8 = "8cm_or_less", "over_8cm"
# Spread with the place not known (the product's addition to the contract's values).
UNKNOWN_SITE = "unknown_site"
MAX_SIZE_CM = 60.0  # the largest size the form accepts (utter_stage_problem_size_too_large)

Row = tuple[str, dict[str, Callable[[Any], bool]]]


def _table_lines(text: str) -> list[list[str]]:
    """The cells of the stage table under the "Stage explainer" heading."""
    section = text.split("## Stage explainer", 1)[1]
    lines = [line.strip() for line in section.splitlines()]
    start = next(i for i, line in enumerate(lines) if line.startswith("| stage |"))
    rows = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip("|").split("|")])
    return rows


def _sizes_in(cells: Iterable[str]) -> list[float]:
    return [float(m) for cell in cells for m in re.findall(r"(\d+(?:\.\d+)?) cm", cell)]


def _cell(column: str, text: str) -> Callable[[Any], bool]:
    """One cell of the table as a test on a concrete value of its column."""
    text = text.lower()
    if text == "any":
        return lambda value: True
    if column == "grade" and text in ("low", "high"):
        return lambda value: value == text
    if column == "size":
        at_most = re.fullmatch(r"(\d+(?:\.\d+)?) cm or less", text)
        if at_most:
            limit = float(at_most.group(1))
            return lambda value: value <= limit
        over = re.fullmatch(r"over (\d+(?:\.\d+)?) cm", text)
        if over:
            limit = float(over.group(1))
            return lambda value: value > limit
    if column == "spots" and text in ("yes", "no"):
        return lambda value: value == text
    if column == "spread":
        places = {
            "none": {"none"},
            "lungs only (no lymph nodes)": {"lungs"},
            "lymph nodes, or other bones or organs": {"lymph_nodes", "other"},
        }
        if text in places:
            allowed = places[text]
            return lambda value: value in allowed
    raise ValueError(f"the oracle cannot read the contract's {column} cell {text!r}")


def read_contract(text: str | None = None) -> tuple[list[Row], float]:
    """The table's rows (group, tests by column) and the size cut-off its cells name."""
    lines = _table_lines(CONTRACT.read_text(encoding="utf-8") if text is None else text)
    header, body = lines[0], [row for row in lines[1:] if not set("".join(row)) <= set("-: ")]
    columns = ["grade", "size", "spots", "spread"]
    if [cell.lower() for cell in header] != [
        "stage",
        "grade",
        "size",
        "same bone, more than one spot",
        "spread",
    ]:
        raise ValueError(f"the contract's stage table has new columns: {header}")
    rows = [(row[0], dict(zip(columns, map(_cell, columns, row[1:]), strict=True))) for row in body]
    (cutoff,) = set(_sizes_in(row[2] for row in body))
    return rows, cutoff


ROWS, CUTOFF_CM = read_contract()
# The groups in the order the table lists them (AJCC's order: IA ... IVB).
GROUP_ORDER = tuple(dict.fromkeys(group for group, _ in ROWS))

# Every concrete value each detail can take; sizes by representatives of each side of the
# cut-off, its edges included (the smallest and largest sizes the form accepts too).
SIZES_AT_MOST = (0.1, CUTOFF_CM - 0.001, CUTOFF_CM)
SIZES_OVER = (CUTOFF_CM + 0.001, CUTOFF_CM + 1, MAX_SIZE_CM)
CONCRETE: dict[str, tuple[Any, ...]] = {
    LOCATION: (LIMB, *NO_GROUP_LOCATIONS),
    GRADE: ("low", "high"),
    SIZE: SIZES_AT_MOST + SIZES_OVER,
    SPOTS: ("no", "yes"),
    SPREAD: ("none", "lungs", "lymph_nodes", "other"),
}
SLOTS = tuple(CONCRETE)


def group(location: str, grade: str, size_cm: float, spots: str, spread: str) -> str:
    """The one group the table gives fully known details (``NO_GROUP`` for spine, pelvis)."""
    if location in NO_GROUP_LOCATIONS:
        return NO_GROUP
    given = {"grade": grade, "size": size_cm, "spots": spots, "spread": spread}
    found = {g for g, tests in ROWS if all(test(given[c]) for c, test in tests.items())}
    if len(found) != 1:
        raise ValueError(f"the contract's table gives {sorted(found)} for {given}")
    return found.pop()


def expand(slot: str, value: Any) -> tuple[Any, ...]:
    """The concrete values a detail could have: all of them when it is not known."""
    if value is None or value == "unknown":
        return CONCRETE[slot]
    if slot == SIZE and value == AT_MOST_8:
        return SIZES_AT_MOST
    if slot == SIZE and value == OVER_8:
        return SIZES_OVER
    if slot == SPREAD and value == UNKNOWN_SITE:
        return ("lungs", "lymph_nodes", "other")
    return (value,)


def outcomes(details: Mapping[str, Any]) -> dict[tuple[Any, ...], str]:
    """Every concrete completion of the details -> its group."""
    return {
        combo: group(*combo)
        for combo in product(*(expand(slot, details.get(slot)) for slot in SLOTS))
    }


def possible(details: Mapping[str, Any]) -> set[str]:
    """The groups (and possibly ``NO_GROUP``) the tumor could be in."""
    return set(outcomes(details).values())


def in_order(groups: Iterable[str]) -> tuple[str, ...]:
    """Stage groups in the table's order (``NO_GROUP`` left out)."""
    wanted = set(groups)
    return tuple(g for g in GROUP_ORDER if g in wanted)


def decides(details: Mapping[str, Any], slot: str) -> bool:
    """Whether learning ``slot`` (not known yet) could change the groups that are possible."""
    if len(expand(slot, details.get(slot))) == 1:
        return False
    return (
        len({frozenset(possible({**details, slot: v})) for v in expand(slot, details.get(slot))})
        > 1
    )
