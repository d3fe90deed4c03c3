"""Content checks for the bone cancer FAQ (no model): responses, training data, dev set, stories.

The FAQ is the retrieval intent `faq`: examples `faq/<key>` in data/nlu/faq_*.yml, answers
`utter_faq/<key>` in data/responses/faq.yml (Rasa merges them into domain.yml, which lists `faq`),
held-out dev set in tests/nlu_dev/faq.yml.
"""
from __future__ import annotations

import os
import re
from collections import defaultdict
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
FAQ_RESPONSES = ROOT / "data" / "responses" / "faq.yml"
# The seed (the only source of medical content): $SEED_CONTENT or the repository's copy.
SEED_CANDIDATES = [
    Path(os.environ.get("SEED_CONTENT", ROOT / "docs" / "seed" / "member-health-content.txt")),
]

# The contract's FAQ keys (docs/content-contract.md). Never rename.
FAQ_KEYS = [
    "what_is_bone_cancer", "sarcoma", "primary_vs_secondary", "spread_to_bone",
    "myeloma_leukemia", "types", "osteosarcoma", "chondrosarcoma", "ewing_sarcoma", "chordoma",
    "risk_factors", "symptoms", "diagnosis", "biopsy", "staging", "treatment", "follow_up",
    "side_effects", "rehabilitation", "survivorship", "medication_questions", "disclaimer",
]  # fmt: skip

# Seed section named in `metadata.source` -> text that opens or anchors that section in the seed.
SEED_SECTIONS = {
    "Bone cancer overview": "Cancer that starts in the bone is called primary bone cancer.",
    "Primary and Secondary Cancer": "Primary and Secondary Cancer",
    "Types of primary bone cancer": "The following are types of primary bone cancer.",
    "Risk Factors": "Risk Factors",
    "Symptoms": "As a tumor grows in the bone, it destroys bone tissue",
    "Diagnosis": "To diagnose bone cancer, we learn about your medical history",
    "Staging Cancer": "Staging Cancer",
    "Treatment": "Treatment options for bone cancer include:",
    "Follow-Up Care": "Follow-Up Care",
    "Emergency notice and disclaimer": "If you have an emergency medical condition, call 911",
}

# Words an answer may use although the seed does not: chat wording and inflections only.
# A medical word missing from the seed fails the fidelity test below.
CHAT_WORDS = {
    "tap", "nurse", "line", "team", "assessed", "considers", "determines", "learns", "performs",
    "removes",
}  # fmt: skip

# Buttons that leave the FAQ: payload -> the intent (owned by another feature) that must get it.
CROSS_FEATURE_PAYLOADS = {
    "I want to talk to a nurse": "human_handoff",
    "What stage is my tumor?": "ask_my_stage",
}
MAX_BUBBLE = 450
ENTITY_MARKUP = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")


def normalise(text: str) -> str:
    """Example text as compared for duplicates: no entity markup, lower case, single spaces."""
    text = ENTITY_MARKUP.sub(r"\1", text)
    return re.sub(r"\s+", " ", text).strip().lower().rstrip("?.!").strip()


@cache
def seed_text() -> str:
    """The seed text, apostrophes normalised."""
    for path in SEED_CANDIDATES:
        if path.exists():
            return path.read_text(encoding="utf-8").replace("\u2019", "'")
    pytest.fail("seed content not found: docs/seed/member-health-content.txt is missing")


def _load(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def _examples_by_intent(paths: list[Path]) -> dict[str, list[str]]:
    """Intent -> example texts, from Rasa NLU YAML files (block or list style examples)."""
    found: dict[str, list[str]] = defaultdict(list)
    for path in paths:
        for item in _load(path).get("nlu") or []:
            if "intent" not in item:
                continue
            examples = item.get("examples") or []
            if isinstance(examples, str):
                texts = [ln.strip()[2:] for ln in examples.splitlines() if ln.strip()[:2] == "- "]
            else:
                texts = [ex["text"] if isinstance(ex, dict) else str(ex) for ex in examples]
            found[item["intent"]].extend(texts)
    return found


@cache
def training() -> dict[str, list[str]]:
    """All NLU training examples in data/nlu (every feature's files)."""
    return _examples_by_intent(sorted((ROOT / "data" / "nlu").glob("*.yml")))


@cache
def dev() -> dict[str, list[str]]:
    """The held-out FAQ dev set."""
    return _examples_by_intent([ROOT / "tests" / "nlu_dev" / "faq.yml"])


@cache
def responses() -> dict[str, list[dict[str, Any]]]:
    """The `utter_faq/*` responses of data/responses/faq.yml."""
    return _load(FAQ_RESPONSES)["responses"]


def answer(key: str) -> dict[str, Any]:
    """The one response variation for an FAQ key."""
    return responses()[f"utter_faq/{key}"][0]


def intents_of(text: str) -> set[str]:
    """Intents whose training data holds this text (normalised)."""
    wanted = normalise(text)
    return {i for i, exs in training().items() if wanted in {normalise(e) for e in exs}}


def test_every_contract_faq_key_is_trained_answered_and_held_out() -> None:
    # Editors may add topics (docs/CONTENT.md); the contract's keys must all stay.
    faq_training = {i.split("/", 1)[1] for i in training() if i.startswith("faq/")}
    assert set(FAQ_KEYS) <= faq_training
    assert set(FAQ_KEYS) <= {r.split("/", 1)[1] for r in responses() if r.startswith("utter_faq/")}
    assert set(FAQ_KEYS) <= {i.split("/", 1)[1] for i in dev()}
    assert "faq" in _load(ROOT / "domain.yml")["intents"]
    # The FAQ file holds the answers only, and only FAQ answers.
    assert set(_load(FAQ_RESPONSES)) == {"version", "responses"}
    assert all(name.startswith("utter_faq/") for name in responses())


@pytest.mark.parametrize("key", FAQ_KEYS)
def test_one_variation_with_seed_source(key: str) -> None:
    variations = responses()[f"utter_faq/{key}"]
    assert len(variations) == 1, "several variations would be picked at random"
    assert variations[0]["metadata"]["source"] in SEED_SECTIONS


def test_source_sections_exist_in_the_seed() -> None:
    seed = seed_text()
    for section, anchor in SEED_SECTIONS.items():
        assert anchor in seed, section


@pytest.mark.parametrize("key", FAQ_KEYS)
def test_enough_training_examples(key: str) -> None:
    assert len(training()[f"faq/{key}"]) >= 22


@pytest.mark.parametrize("key", FAQ_KEYS)
def test_every_bubble_fits(key: str) -> None:
    bubbles = answer(key)["text"].split("\n\n")
    assert all(0 < len(b.strip()) < MAX_BUBBLE for b in bubbles), [len(b) for b in bubbles]


@pytest.mark.parametrize("key", FAQ_KEYS)
def test_answer_words_come_from_the_seed(key: str) -> None:
    seed_words = set(re.findall(r"[a-z][a-z'-]*", seed_text().lower()))
    words = set(re.findall(r"[a-z][a-z'-]*", answer(key)["text"].lower()))
    assert words - seed_words - CHAT_WORDS == set()


@pytest.mark.parametrize("key", FAQ_KEYS)
def test_no_phone_numbers_links_or_placeholders(key: str) -> None:
    text = answer(key)["text"]
    assert not re.search(r"\d{3}\W?\d{4}|https?://|\{", text)


def test_no_example_under_two_intents() -> None:
    owners: dict[str, set[str]] = defaultdict(set)
    for intent, examples in training().items():
        for example in examples:
            owners[normalise(example)].add(intent)
    clashes = {text: sorted(i) for text, i in owners.items() if len(i) > 1}
    assert clashes == {}


@pytest.mark.parametrize("key", FAQ_KEYS)
def test_911_only_in_the_disclaimer(key: str) -> None:
    assert ("911" in answer(key)["text"]) == (key == "disclaimer")


def test_disclaimer_carries_both_notices() -> None:
    text = answer("disclaimer")["text"]
    assert "not intended to diagnose health problems" in text
    emergency = (
        "If you have an emergency medical condition, call 911 or go to the nearest hospital."
    )
    assert emergency in text


def test_medication_questions_go_to_the_pharmacist_without_endorsement() -> None:
    text = answer("medication_questions")["text"]
    assert "speak to your pharmacist" in text
    assert "don't endorse the medications or products" in text


@pytest.mark.parametrize("key", FAQ_KEYS)
def test_care_team_is_not_we(key: str) -> None:
    # Only the plan's no-endorsement notice speaks as "we".
    has_we = re.search(r"\bwe(?:'ll|'re)?\b", answer(key)["text"], re.IGNORECASE) is not None
    assert has_we == (key == "medication_questions")


def test_symptoms_answer_says_what_to_do_next() -> None:
    reply = answer("symptoms")
    assert "talk to your doctor" in reply["text"]
    assert {"title": "Talk to a nurse", "payload": "I want to talk to a nurse"} in reply["buttons"]


@pytest.mark.parametrize("key", FAQ_KEYS)
def test_follow_up_buttons_lead_to_other_topics(key: str) -> None:
    buttons = answer(key)["buttons"]
    topics = [b for b in buttons if b["payload"] not in CROSS_FEATURE_PAYLOADS]
    assert 2 <= len(topics) <= (4 if key == "types" else 3)
    for button in buttons:
        assert button["title"] and len(button["title"]) <= 25
        assert not button["payload"].startswith("/"), "payloads are natural sentences"
    for button in topics:
        owners = intents_of(button["payload"])
        assert len(owners) == 1 and next(iter(owners)).startswith("faq/"), button
        assert owners != {f"faq/{key}"}, "a follow-up offers a different topic"


def test_types_answer_offers_each_type() -> None:
    targets = {next(iter(intents_of(b["payload"]))) for b in answer("types")["buttons"]}
    types = {"osteosarcoma", "chondrosarcoma", "ewing_sarcoma", "chordoma"}
    assert targets == {f"faq/{key}" for key in types}


@pytest.mark.parametrize("payload,intent", sorted(CROSS_FEATURE_PAYLOADS.items()))
def test_cross_feature_buttons_reach_their_intent(payload: str, intent: str) -> None:
    assert not any(i.startswith("faq/") for i in intents_of(payload))
    assert intents_of(payload) == {intent}


@pytest.mark.parametrize("key", FAQ_KEYS)
def test_dev_set_is_held_out(key: str) -> None:
    examples = dev()[f"faq/{key}"]
    assert len(examples) >= 6
    trained = {normalise(e) for exs in training().values() for e in exs}
    assert [e for e in examples if normalise(e) in trained] == []


def test_one_test_story_per_topic() -> None:
    stories = _load(ROOT / "tests" / "stories" / "test_faq.yml")["stories"]
    covered = set()
    for story in stories:
        steps = story["steps"]
        for step, after in zip(steps, steps[1:], strict=False):
            intent = step.get("intent", "")
            if intent.startswith("faq/"):
                assert step.get("user", "").strip(), "test stories exercise NLU with user text"
                # `rasa test core --e2e` checks the topic on the user turn (faq/<key> from the
                # response selector); the action is the retrieval action itself.
                assert after == {"action": "utter_faq"}
                covered.add(intent.split("/", 1)[1])
    assert set(FAQ_KEYS) <= covered


def test_rule_answers_faq_with_the_retrieval_action() -> None:
    rules = _load(ROOT / "data" / "rules" / "faq.yml")["rules"]
    assert [{"intent": "faq"}, {"action": "utter_faq"}] in [r["steps"] for r in rules]
