"""member_health.staging: the contract's AJCC table, every unknown combination, no guessing.

The expected groups come from an independent oracle written from the contract's table
(docs/content-contract.md), not from the module's table.
"""
from __future__ import annotations

import math
from itertools import product
from typing import Any

import pytest

from member_health import staging
from member_health import tumor_details as td
from member_health.staging import describe_condition, slots_to_ask, stage_group

LIMB = "limb_trunk_skull"


def oracle(grade: str, size_cm: float, spots: str, spread: str) -> str:
    """The contract's table, row by row, for fully known details."""
    if spread == "lungs":
        return "IVA"  # lungs only, no lymph nodes
    if spread in ("lymph_nodes", "other"):
        return "IVB"
    if grade == "low":
        if spots == "yes":
            return "IB"
        return "IA" if size_cm <= 8 else "IB"
    if spots == "yes":
        return "III"
    return "IIA" if size_cm <= 8 else "IIB"


EXPANSIONS: dict[str, dict[Any, list[Any]]] = {
    td.GRADE: {None: ["low", "high"], "unknown": ["low", "high"]},
    # A size known only by its side of 8 cm stands for every size on that side.
    td.SIZE: {
        None: [5.0, 10.0],
        "unknown": [5.0, 10.0],
        "8cm_or_less": [0.5, 8.0],
        "over_8cm": [8.001, 30.0],
    },
    td.SPOTS: {None: ["no", "yes"], "unknown": ["no", "yes"]},
    td.SPREAD: {
        None: ["none", "lungs", "lymph_nodes", "other"],
        "unknown": ["none", "lungs", "lymph_nodes", "other"],
        "unknown_site": ["lungs", "lymph_nodes", "other"],
    },
}


def expand(slot: str, value: Any) -> list[Any]:
    """The values an unknown (or not given) detail could really have."""
    return EXPANSIONS[slot].get(value, [value])


def classes_of(slot: str, value: Any) -> str:
    """A known value's class in the table."""
    if slot == td.SIZE:
        return "8cm_or_less" if value <= 8 else "over_8cm"
    if slot == td.SPREAD and value in ("lymph_nodes", "other"):
        return "nodes_or_other"
    return str(value)


# --------------------------------------------------------------------------- the table rows


@pytest.mark.parametrize(
    "grade, size_cm, spots, spread, group",
    [
        ("low", 5.0, "no", "none", "IA"),
        ("low", 8.0, "no", "none", "IA"),
        ("low", 8.1, "no", "none", "IB"),
        ("low", 12.0, "no", "none", "IB"),
        ("low", 3.0, "yes", "none", "IB"),
        ("low", 12.0, "yes", "none", "IB"),
        ("high", 5.0, "no", "none", "IIA"),
        ("high", 8.0, "no", "none", "IIA"),
        ("high", 8.1, "no", "none", "IIB"),
        ("high", 10.0, "no", "none", "IIB"),
        ("high", 3.0, "yes", "none", "III"),
        ("high", 20.0, "yes", "none", "III"),
        ("low", 3.0, "no", "lungs", "IVA"),
        ("high", 20.0, "yes", "lungs", "IVA"),
        ("low", 3.0, "no", "lymph_nodes", "IVB"),
        ("high", 20.0, "yes", "lymph_nodes", "IVB"),
        ("low", 3.0, "no", "other", "IVB"),
        ("high", 20.0, "yes", "other", "IVB"),
    ],
)
def test_every_row_of_the_table(
    grade: str, size_cm: float, spots: str, spread: str, group: str
) -> None:
    result = stage_group(LIMB, grade, size_cm, spots, spread)
    assert result.groups == (group,)
    assert result.definite and result.has_ajcc_group
    assert result.conditions == () and result.deciding == ()


@pytest.mark.parametrize(
    "grade, spots, size_cm, group",
    [
        ("low", "no", 8.0, "IA"),
        ("low", "no", 8.1, "IB"),
        ("high", "no", 8.0, "IIA"),
        ("high", "no", 8.1, "IIB"),
        ("low", "no", 8.000001, "IB"),
        ("high", "no", 7.999999, "IIA"),
    ],
)
def test_8_cm_is_t1_and_8_1_cm_is_t2(grade: str, spots: str, size_cm: float, group: str) -> None:
    assert stage_group(LIMB, grade, size_cm, spots, "none").groups == (group,)


@pytest.mark.parametrize(
    "grade, size, spots, spread, group",
    [
        # Issue 15: a high-grade tumor "over 8 cm" is IIB, not IIA.
        ("high", "over_8cm", "no", "none", "IIB"),
        ("high", "8cm_or_less", "no", "none", "IIA"),
        ("low", "over_8cm", "no", "none", "IB"),
        ("low", "8cm_or_less", "no", "none", "IA"),
        ("high", "over_8cm", "yes", "none", "III"),
        ("low", "8cm_or_less", "yes", "none", "IB"),
        ("high", "8cm_or_less", "no", "lungs", "IVA"),
        ("low", "over_8cm", "no", "other", "IVB"),
    ],
)
def test_a_size_known_only_by_its_side_of_8_cm(
    grade: str, size: str, spots: str, spread: str, group: str
) -> None:
    assert stage_group(LIMB, grade, size, spots, spread).groups == (group,)


@pytest.mark.parametrize(
    "grade, size_cm, spots, spread",
    list(
        product(
            ["low", "high"],
            [0.5, 3.0, 8.0, 8.1, 10.0, 60.0],
            ["no", "yes"],
            ["none", "lungs", "lymph_nodes", "other"],
        )
    ),
)
def test_every_known_combination_matches_the_oracle(
    grade: str, size_cm: float, spots: str, spread: str
) -> None:
    assert stage_group(LIMB, grade, size_cm, spots, spread).groups == (
        oracle(grade, size_cm, spots, spread),
    )


# --------------------------------------------------------------------------- unknown details

UNKNOWN_COMBINATIONS = list(
    product(
        ["low", "high", "unknown", None],
        [5.0, 8.0, 8.1, "8cm_or_less", "over_8cm", "unknown", None],
        ["no", "yes", "unknown", None],
        ["none", "lungs", "lymph_nodes", "other", "unknown", "unknown_site", None],
    )
)


@pytest.mark.parametrize("location", [LIMB, "unknown", None])
@pytest.mark.parametrize("grade, size_cm, spots, spread", UNKNOWN_COMBINATIONS)
def test_every_unknown_combination_names_exactly_the_possible_groups(
    location: str | None, grade: Any, size_cm: Any, spots: Any, spread: Any
) -> None:
    result = stage_group(location, grade, size_cm, spots, spread)
    outcomes = {
        combo: oracle(*combo)
        for combo in product(
            expand(td.GRADE, grade),
            expand(td.SIZE, size_cm),
            expand(td.SPOTS, spots),
            expand(td.SPREAD, spread),
        )
    }
    assert result.groups == tuple(g for g in staging.GROUPS if g in set(outcomes.values()))
    assert result.definite is (len(result.groups) == 1)
    if result.definite:
        assert result.conditions == () and result.deciding == ()
        return

    # What decides: every possible combination meets the condition of its own group only.
    by_group = {condition.group: condition.terms for condition in result.conditions}
    assert tuple(by_group) == result.groups
    for combo, group in outcomes.items():
        classes = {
            slot: classes_of(slot, value)
            for slot, value in zip(staging.DIMENSIONS, combo, strict=True)
        }
        for candidate, terms in by_group.items():
            meets = any(all(classes[slot] in allowed for slot, allowed in term) for term in terms)
            assert meets is (candidate == group), (combo, candidate, terms)
    # Only unknown details decide, and every detail a condition mentions is one of them.
    given = dict(zip(staging.DIMENSIONS, (grade, size_cm, spots, spread), strict=True))
    assert all(len(expand(slot, given[slot])) > 1 for slot in result.deciding)
    mentioned = {slot for terms in by_group.values() for term in terms for slot, _ in term}
    assert mentioned == set(result.deciding)


@pytest.mark.parametrize(
    "details, groups, conditions",
    [
        (
            ("high", 10.0, "unknown", "none"),
            ("IIB", "III"),
            ["stage IIB: in one spot", "stage III: in more than one spot in the bone"],
        ),
        (
            ("low", "unknown", "unknown", "none"),
            ("IA", "IB"),
            [
                "stage IA: 8 cm or less, in one spot",
                "stage IB: either over 8 cm or in more than one spot in the bone",
            ],
        ),
        (
            ("low", 12.0, "unknown", "none"),
            ("IB",),
            [],
        ),
        (
            ("unknown", 5.0, "no", "none"),
            ("IA", "IIA"),
            ["stage IA: low grade", "stage IIA: high grade"],
        ),
        (
            ("high", 10.0, "no", "unknown"),
            ("IIB", "IVA", "IVB"),
            [
                "stage IIB: not spread",
                "stage IVA: spread to the lungs only",
                "stage IVB: spread to lymph nodes, other bones or organs",
            ],
        ),
        (
            ("unknown", "unknown", "unknown", "unknown_site"),
            ("IVA", "IVB"),
            [
                "stage IVA: spread to the lungs only",
                "stage IVB: spread to lymph nodes, other bones or organs",
            ],
        ),
        (
            ("unknown", "unknown", "unknown", "unknown"),
            staging.GROUPS,
            [
                "stage IA: low grade, 8 cm or less, in one spot, not spread",
                "stage IB: low grade, not spread, and either over 8 cm or in more than one spot "
                "in the bone",
                "stage IIA: high grade, 8 cm or less, in one spot, not spread",
                "stage IIB: high grade, over 8 cm, in one spot, not spread",
                "stage III: high grade, in more than one spot in the bone, not spread",
                "stage IVA: spread to the lungs only",
                "stage IVB: spread to lymph nodes, other bones or organs",
            ],
        ),
    ],
)
def test_unknowns_name_the_groups_and_what_decides(
    details: tuple[Any, ...], groups: tuple[str, ...], conditions: list[str]
) -> None:
    result = stage_group(LIMB, *details)
    assert result.groups == groups
    assert [describe_condition(c) for c in result.conditions] == conditions


# --------------------------------------------------------------------------- spine, pelvis


@pytest.mark.parametrize("location", ["spine", "pelvis"])
@pytest.mark.parametrize(
    "grade, size_cm, spots, spread",
    [
        ("high", 10.0, "no", "none"),
        ("low", 3.0, "yes", "lungs"),
        (None, None, None, None),
        ("unknown", "unknown", "unknown", "unknown"),
    ],
)
def test_spine_and_pelvis_have_no_ajcc_stage_group(
    location: str, grade: Any, size_cm: Any, spots: Any, spread: Any
) -> None:
    result = stage_group(location, grade, size_cm, spots, spread)
    assert result.groups == () and not result.has_ajcc_group and not result.definite
    assert result.location == location


# --------------------------------------------------------------------------- bad values


@pytest.mark.parametrize(
    "details",
    [
        ("femur", "high", 10.0, "no", "none"),
        (LIMB, "9", 10.0, "no", "none"),
        (LIMB, "grade 9", 10.0, "no", "none"),
        (LIMB, "high", -5, "no", "none"),
        (LIMB, "high", 0, "no", "none"),
        (LIMB, "high", 61, "no", "none"),
        (LIMB, "high", math.nan, "no", "none"),
        (LIMB, "high", math.inf, "no", "none"),
        (LIMB, "high", True, "no", "none"),
        (LIMB, "high", "10 cm", "no", "none"),
        (LIMB, "high", 10.0, "maybe", "none"),
        (LIMB, "high", 10.0, "no", "brain"),
    ],
)
def test_values_a_slot_cannot_hold_are_rejected(details: tuple[Any, ...]) -> None:
    with pytest.raises(ValueError):
        stage_group(*details)


# --------------------------------------------------------------------------- what to ask


@pytest.mark.parametrize(
    "details, to_ask",
    [
        ({}, (td.LOCATION, td.SPREAD, td.GRADE, td.SIZE, td.SPOTS)),
        ({td.LOCATION: LIMB}, (td.SPREAD, td.GRADE, td.SIZE, td.SPOTS)),
        ({td.LOCATION: "unknown"}, (td.SPREAD, td.GRADE, td.SIZE, td.SPOTS)),
        ({td.LOCATION: "spine"}, ()),
        ({td.LOCATION: "pelvis", td.GRADE: "high"}, ()),
        ({td.LOCATION: LIMB, td.SPREAD: "lungs"}, ()),
        ({td.LOCATION: LIMB, td.SPREAD: "other"}, ()),
        ({td.LOCATION: LIMB, td.SPREAD: "unknown_site"}, ()),
        ({td.LOCATION: LIMB, td.SPREAD: "unknown"}, (td.GRADE, td.SIZE, td.SPOTS)),
        ({td.LOCATION: LIMB, td.SPREAD: "none", td.GRADE: "low"}, (td.SIZE, td.SPOTS)),
        ({td.LOCATION: LIMB, td.SPREAD: "none", td.GRADE: "low", td.SIZE: 10.0}, ()),
        ({td.LOCATION: LIMB, td.SPREAD: "none", td.GRADE: "low", td.SIZE: 5.0}, (td.SPOTS,)),
        ({td.LOCATION: LIMB, td.SPREAD: "none", td.GRADE: "high", td.SIZE: 10.0}, (td.SPOTS,)),
        ({td.LOCATION: LIMB, td.SPREAD: "none", td.GRADE: "high", td.SPOTS: "yes"}, ()),
        ({td.LOCATION: LIMB, td.SPREAD: "none", td.GRADE: "low", td.SPOTS: "yes"}, ()),
        ({td.LOCATION: LIMB, td.SPREAD: "none", td.GRADE: "unknown", td.SPOTS: "yes"}, ()),
        ({td.GRADE: "high", td.SIZE: 10.0}, (td.LOCATION, td.SPREAD, td.SPOTS)),
        # A value the slot cannot hold (an unread answer, a forced payload) counts as missing.
        (
            {td.LOCATION: LIMB, td.SPREAD: "it went to his lungs"},
            (td.SPREAD, td.GRADE, td.SIZE, td.SPOTS),
        ),
        ({td.LOCATION: "spine", td.SIZE: -5}, ()),
        ({td.LOCATION: LIMB, td.SPREAD: "none", td.GRADE: "low", td.SIZE: "over_8cm"}, ()),
        (
            {td.LOCATION: LIMB, td.SPREAD: "none", td.GRADE: "low", td.SIZE: "8cm_or_less"},
            (td.SPOTS,),
        ),
        (
            {td.LOCATION: LIMB, td.SPREAD: "none", td.SIZE: "over_8", td.GRADE: "low"},
            (td.SIZE, td.SPOTS),
        ),
    ],
)
def test_only_details_that_can_change_the_answer_are_asked(
    details: dict[str, Any], to_ask: tuple[str, ...]
) -> None:
    assert slots_to_ask(details) == to_ask


# --------------------------------------------------------------------------- plain words


@pytest.mark.parametrize(
    "details, text",
    [
        (
            {td.LOCATION: LIMB, td.GRADE: "high", td.SIZE: 10.0, td.SPOTS: "no", td.SPREAD: "none"},
            "high grade, 10 cm, in one spot, not spread",
        ),
        (
            {td.LOCATION: "unknown", td.SPREAD: "lungs"},
            "location not known, spread to the lungs only",
        ),
        ({td.GRADE: "unknown", td.SIZE: "unknown"}, "grade not known, size not known"),
        ({td.SIZE: 8.001}, "8.001 cm"),
        ({td.SPREAD: "unknown_site"}, "spread, but where is not known"),
        ({td.GRADE: "high", td.SIZE: "over_8cm"}, "high grade, over 8 cm"),
        ({td.GRADE: "low", td.SIZE: "8cm_or_less"}, "low grade, 8 cm or less"),
        ({td.LOCATION: "spine", td.SPREAD: "none"}, "not spread"),
        ({}, "no details yet"),
    ],
)
def test_describe_details(details: dict[str, Any], text: str) -> None:
    assert staging.describe_details(details) == text


@pytest.mark.parametrize(
    "details, text",
    [
        (
            {td.LOCATION: LIMB, td.GRADE: "high", td.SIZE: "over_8cm", td.SPREAD: "none"},
            "in an arm, leg, trunk, skull or face bone, high grade, over 8 cm, not spread",
        ),
        ({td.LOCATION: "pelvis"}, "in the pelvis"),
        ({td.LOCATION: "unknown", td.SIZE: 6.0}, "location not known, 6 cm"),
    ],
)
def test_describe_details_with_location(details: dict[str, Any], text: str) -> None:
    assert staging.describe_details(details, with_location=True) == text


@pytest.mark.parametrize(
    "groups, text",
    [(("IIB",), "IIB"), (("IA", "IB"), "IA or IB"), (("IA", "IB", "IIA"), "IA, IB or IIA")],
)
def test_describe_groups(groups: tuple[str, ...], text: str) -> None:
    assert staging.describe_groups(groups) == text


def test_the_table_covers_every_combination_once() -> None:
    for combo in product(*staging.CLASSES.values()):
        matching = {
            row[0]
            for row in staging.TABLE
            if all(
                cell is staging.ANY or cell == given
                for cell, given in zip(row[1:], combo, strict=True)
            )
        }
        assert len(matching) == 1, combo
