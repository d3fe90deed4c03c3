"""The stage explainer's word lists: data/patterns/tumor_terms.yml, member_health/tumor_terms.py."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from member_health.tumor_terms import DEFAULT_TERMS_PATH, TumorTermsError, alternation, load_terms


def test_the_file_loads() -> None:
    terms = load_terms()
    assert "femur" in " ".join(terms.limb_trunk_skull)
    assert {"low grade": ["lo grade", "lo-grade"]} in terms.misspellings


@pytest.mark.parametrize(
    "phrases, text, found",
    [
        (["lung|lungs"], "spots on both lungs", "lungs"),
        (["vertebra*"], "two vertebrae", "vertebrae"),
        (["thigh bone|bones", "thigh"], "his thigh bone is clear", "thigh bone"),
        (["thigh", "thigh bone|bones"], "his thigh bone is clear", "thigh"),  # list order
        (["elsewhere in the|his body"], "elsewhere in his body", "elsewhere in his body"),
        (["lo-grade"], "a lo-grade tumor", "lo-grade"),
    ],
)
def test_alternation(phrases: list[str], text: str, found: str) -> None:
    match = re.search(rf"(?<![\w'])(?:{alternation(phrases)})(?![\w'])", text)
    assert match and match.group(0) == found


@pytest.mark.parametrize(
    "old, new, message",
    [
        ("  - tibia*\n", "  - Tibia*\n", "limb_trunk_skull[3]: bad word 'Tibia*'"),
        ("hip:\n  - hip|hips\n", "hip: []\n", "hip: ensure this value has at least 1 items"),
        ("  - sorry\n", "  - no\n  - a||b\n", "corrections[1]: bad word ''"),
        ("  - femur: [femer, femor]\n", "  - Femur: [femer]\n", "misspellings[3]: the right"),
        ('version: "1"\n', 'version: "1"\ncolour: red\n', "colour: extra fields not permitted"),
    ],
)
def test_a_mistake_names_the_file_and_the_entry(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    text = DEFAULT_TERMS_PATH.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "tumor_terms.yml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(TumorTermsError) as error:
        load_terms(path)
    assert str(error.value).startswith(f"{path}: ")
    assert message in str(error.value)


def test_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(TumorTermsError, match="cannot read"):
        load_terms(tmp_path / "nope.yml")
