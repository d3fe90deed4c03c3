"""member_health.scope: which messages the seed cannot answer (data/patterns/scope.yml)."""
from __future__ import annotations

from pathlib import Path

import pytest

from member_health.scope import (
    OTHER_CANCER,
    OTHER_CONDITION,
    PLAN_ADMIN,
    ScopeFileError,
    load_vocabulary,
)

ROOT = Path(__file__).resolve().parents[2]
VOCABULARY = load_vocabulary(ROOT / "data" / "patterns" / "scope.yml")

CASES = [
    # coverage, costs and billing: never in the seed
    ("does my plan cover an MRI", PLAN_ADMIN),
    ("is chemo for osteosarcoma covered by insurance?", PLAN_ADMIN),
    ("how much will a bone biopsy cost me", PLAN_ADMIN),
    ("whats my copay for the oncologist", PLAN_ADMIN),
    ("is the cancer center in network", PLAN_ADMIN),
    ("i got a bill i dont understand", PLAN_ADMIN),
    ("where do i find my member id", PLAN_ADMIN),
    # another cancer, nothing about bone
    ("is breast cancer hereditary", OTHER_CANCER),
    ("what are the early signs of lung cancer?", OTHER_CANCER),
    ("my uncle has a brain tumor what does that mean", OTHER_CANCER),
    ("how is lymphoma treated", OTHER_CANCER),
    # another condition
    ("what should a diabetic eat", OTHER_CONDITION),
    ("how do i manage my asthma", OTHER_CONDITION),
    ("is high blood pressure dangerous long term", OTHER_CONDITION),
    ("can covid cause back pain", OTHER_CONDITION),
    ("is my inhaler on the formulary", PLAN_ADMIN),
    ("do i need a referral for physical therapy", PLAN_ADMIN),
    # the seed names myeloma and leukemia as cancers affecting bone, and says no more of them
    ("what is the treatment for leukemia in kids", OTHER_CANCER),
    ("where does leukemia start", None),
    ("is myeloma treatment hard on the body", OTHER_CANCER),
    ("can a stem cell transplant cure it", OTHER_CONDITION),
    ("how long does a bone marrow transplant take to recover from", OTHER_CONDITION),
    ("does myeloma treatment help the bone pain", None),
    # other treatments and procedures: their rehab, side effects and check-ups
    ("do statins have side effects", None),  # medicines: the pharmacist answer
    ("how long is physical therapy after a knee replacement", OTHER_CONDITION),
    ("rehab after my hip replacement, how long", OTHER_CONDITION),
    ("is swelling normal after acl surgery", OTHER_CONDITION),
    ("what should i eat after gastric bypass", OTHER_CONDITION),
    ("how often should my thyroid be checked", OTHER_CONDITION),
    ("my funny bone tingles when i lean on it", OTHER_CONDITION),
    # a bone word outside the other topic's name still ties it to the seed
    ("can thyroid cancer spread to the bones", None),
    ("hip replacement after osteosarcoma surgery, will i need rehab", None),
    ("does arthritis feel different from bone cancer pain", None),
    # the seed's own topics: tied to bone
    ("does breast cancer spread to the bones?", None),
    ("can prostate cancer metastasize", None),
    ("what cancers spread to bone", None),
    ("can lung cancer end up in the hip", None),
    ("is leukemia a bone cancer", None),
    ("is multiple myeloma bone cancer", None),
    ("what is osteosarcoma", None),
    ("what are the symptoms of bone cancer", None),
    ("how is ewing sarcoma treated", None),
    ("what is the difference between primary and secondary bone cancer", None),
    ("what should i eat after treatment", None),
    # words that only look like the vocabulary
    ("i can't control my bladder", None),
    ("what happens at a follow-up visit", None),
    ("uncovered", None),
]


@pytest.mark.parametrize(("text", "reason"), CASES)
def test_reason(text: str, reason: str | None) -> None:
    assert VOCABULARY.reason(text) == reason


def test_bad_file_names_the_file_and_the_entry(tmp_path: Path) -> None:
    path = tmp_path / "scope.yml"
    path.write_text(
        'version: "1"\nplan_admin: ["cover"]\nother_cancers: ["lung cancer"]\n'
        'other_conditions: ["asthma"]\nkeep: ["bone (s)"]\n',
        encoding="utf-8",
    )
    with pytest.raises(ScopeFileError, match=r"scope\.yml: keep\[0\]: bad word '\(s\)'"):
        load_vocabulary(path)


def test_missing_file_says_so(tmp_path: Path) -> None:
    with pytest.raises(ScopeFileError, match="cannot read the scope file"):
        load_vocabulary(tmp_path / "missing.yml")


def test_unknown_section_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "scope.yml"
    path.write_text(
        'version: "1"\nplan_admin: []\nother_cancers: []\nother_conditions: []\nkeep: []\n'
        "other_cancer: [x]\n",
        encoding="utf-8",
    )
    with pytest.raises(ScopeFileError, match="other_cancer"):
        load_vocabulary(path)
