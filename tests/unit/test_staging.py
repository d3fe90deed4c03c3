"""member_health.staging: the contract's AJCC table, every unknown combination, no guessing.

Expected groups come from ``ajcc_oracle``: the contract's table (docs/content-contract.md)
read row by row, with unknown details expanded into every value they could have. The
properties draw details with hypothesis (a different sample each run); the examples pin the
rows, the 8 cm edge and the wording.
"""
from __future__ import annotations

import math
from typing import Any

import ajcc_oracle as oracle
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from member_health import staging
from member_health import tumor_details as td
from member_health.staging import describe_condition, slots_to_ask, stage_group

LIMB = "limb_trunk_skull"
# The order the stage form asks in (domain.yml, stage_form's required slots).
ASK_ORDER = (td.LOCATION, td.SPREAD, td.GRADE, td.SIZE, td.SPOTS)
PROPERTY = settings(max_examples=400, deadline=None, database=None)

KNOWN_SIZES = st.one_of(
    st.floats(min_value=0, max_value=60, exclude_min=True, allow_nan=False),
    st.integers(min_value=1, max_value=60),
    st.sampled_from([8, 8.0, 7.999999, 8.000001, 60.0]),
)
GRADES = st.sampled_from(["low", "high", "unknown", None])
SIZES = st.one_of(KNOWN_SIZES, st.sampled_from(["8cm_or_less", "over_8cm", "unknown", None]))
SPOTS = st.sampled_from(["no", "yes", "unknown", None])
SPREADS = st.sampled_from(
    ["none", "lungs", "lymph_nodes", "other", "unknown", "unknown_site", None]
)


def details(locations: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    """Stage details, each known, unknown ("unknown") or not given (None)."""
    return st.fixed_dictionaries(
        {
            td.LOCATION: locations,
            td.GRADE: GRADES,
            td.SIZE: SIZES,
            td.SPOTS: SPOTS,
            td.SPREAD: SPREADS,
        }
    )


def result_for(d: dict[str, Any]) -> staging.StageResult:
    return stage_group(d[td.LOCATION], d[td.GRADE], d[td.SIZE], d[td.SPOTS], d[td.SPREAD])


def table_class(slot: str, value: Any) -> str:
    """The class a concrete value falls in, in the words of StageResult's conditions."""
    if slot == td.SIZE:
        return "8cm_or_less" if value <= oracle.CUTOFF_CM else "over_8cm"
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


@PROPERTY
@given(
    st.sampled_from(["low", "high"]),
    KNOWN_SIZES,
    st.sampled_from(["no", "yes"]),
    st.sampled_from(["none", "lungs", "lymph_nodes", "other"]),
)
def test_known_details_give_the_contracts_group(
    grade: str, size_cm: float, spots: str, spread: str
) -> None:
    result = stage_group(LIMB, grade, size_cm, spots, spread)
    assert result.groups == (oracle.group(LIMB, grade, size_cm, spots, spread),)
    assert result.definite and result.conditions == () and result.deciding == ()


# --------------------------------------------------------------------------- unknown details


@PROPERTY
@given(details(st.sampled_from([LIMB, "unknown", None])))
@example({td.LOCATION: LIMB, td.GRADE: None, td.SIZE: None, td.SPOTS: None, td.SPREAD: None})
@example(
    {td.LOCATION: "unknown", td.GRADE: "high", td.SIZE: 8, td.SPOTS: "unknown", td.SPREAD: "none"}
)
def test_unknown_details_name_exactly_the_possible_groups_and_what_decides(
    d: dict[str, Any],
) -> None:
    result = result_for(d)
    found = oracle.possible(d)
    # A location not known (or not asked) could be the spine or pelvis, with no group at all:
    # the groups named are those it has if it is anywhere else, and the reply says so
    # (tests/actions: test_location_unknown_or_not_asked_says_spine_and_pelvis_have_none).
    assert (oracle.NO_GROUP in found) is (d[td.LOCATION] != LIMB)
    assert result.groups == oracle.in_order(found - {oracle.NO_GROUP})
    assert result.has_ajcc_group
    assert result.definite is (len(result.groups) == 1)
    if result.definite:
        assert result.conditions == () and result.deciding == ()
        return

    # What decides: exactly the unknown details whose value changes the possible groups.
    dimensions = (td.GRADE, td.SIZE, td.SPOTS, td.SPREAD)
    assert set(result.deciding) == {slot for slot in dimensions if oracle.decides(d, slot)}
    # Every concrete completion meets the condition of its own group, and no other's.
    by_group = {condition.group: condition.terms for condition in result.conditions}
    assert tuple(by_group) == result.groups
    for combo, group in oracle.outcomes({**d, td.LOCATION: LIMB}).items():
        classes = {
            slot: table_class(slot, value)
            for slot, value in zip(oracle.SLOTS, combo, strict=True)
            if slot != td.LOCATION
        }
        for candidate, terms in by_group.items():
            meets = any(all(classes[slot] in allowed for slot, allowed in term) for term in terms)
            assert meets is (candidate == group), (combo, candidate, terms)
    mentioned = {slot for terms in by_group.values() for term in terms for slot, _ in term}
    assert mentioned == set(result.deciding)


@PROPERTY
@given(details(st.sampled_from(["spine", "pelvis"])))
def test_spine_and_pelvis_never_get_a_stage_group(d: dict[str, Any]) -> None:
    assert oracle.possible(d) == {oracle.NO_GROUP}
    result = result_for(d)
    assert result.groups == () and not result.has_ajcc_group and not result.definite
    assert result.location == d[td.LOCATION]


@PROPERTY
@given(details(st.sampled_from([LIMB, "unknown", "spine", "pelvis", None])))
def test_only_details_not_given_that_could_change_the_answer_are_asked(d: dict[str, Any]) -> None:
    # None = not given yet; "unknown" = the member said they do not know (never asked again).
    expected = tuple(slot for slot in ASK_ORDER if d[slot] is None and oracle.decides(d, slot))
    assert slots_to_ask(d) == expected
    assert slots_to_ask({slot: value for slot, value in d.items() if value is not None}) == expected


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
            ("IA", "IB", "IIA", "IIB", "III", "IVA", "IVB"),
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
