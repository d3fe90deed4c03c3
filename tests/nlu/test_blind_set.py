"""The blind NLU sets (tests/nlu_blind, nlu_blind2, nlu_blind3, scope_tuning) stay blind: no item
is copied into the training data; the fresh ones hold today's figures (counts only: their texts
are never shown), and the scope tuning set, read to fix the scope check, holds its fixes."""
from __future__ import annotations

from pathlib import Path

import pytest

from member_health_rasa.tools.nlu_eval import (
    BLIND_DIR,
    FRESH_BLIND_DIR,
    SCOPE_BLIND_DIR,
    SCOPE_TUNING_DIR,
    dev_examples,
)
from member_health_rasa.tools.nlu_report import figures, predict
from member_health_rasa.tools.safety_report import normalized, training_texts

# Common phrasings the blind author wrote independently that data/nlu already held before the
# set existed (data/nlu/smalltalk.yml and friends, 2026-11-24/26).
PREDATES_THE_SET = {"hi", "hello", "thanks", "thank you", "bye", "goodbye", "yes", "no", "nope"}
CORE_INTENTS = (
    "greet goodbye thank affirm deny bot_challenge emergency start_back_pain_program "
    "report_red_flag cleared_by_doctor ask_my_stage human_handoff"
).split()


@pytest.mark.parametrize("directory", [BLIND_DIR, FRESH_BLIND_DIR], ids=["first", "fresh"])
def test_the_blind_set_covers_every_label_the_issue_asks_for(directory: Path) -> None:
    labels = [label for _, label in dev_examples(directory)]
    faq_topics = {label for label in labels if label.startswith("faq/")}
    assert len(faq_topics) == 22
    assert all(labels.count(topic) >= 12 for topic in faq_topics)
    assert labels.count("out_of_scope") >= 60
    if directory == FRESH_BLIND_DIR:
        assert all(labels.count(intent) >= 12 for intent in CORE_INTENTS)


@pytest.mark.parametrize(
    "directory",
    [BLIND_DIR, FRESH_BLIND_DIR, SCOPE_TUNING_DIR, SCOPE_BLIND_DIR],
    ids=["first", "fresh", "scope", "scope-fresh"],
)
def test_no_blind_item_is_trained_on(directory: Path) -> None:
    trained = training_texts()
    copied = [
        number
        for number, (text, _) in enumerate(dev_examples(directory))
        if normalized(text) in trained and normalized(text) not in PREDATES_THE_SET
    ]
    # positions only: the fresh set's texts are never printed
    assert not copied, f"{len(copied)} items equal a training example (positions {copied})"


# Measured 2026-12-01 (session 11) on the fresh set; they may only improve. Its out-of-scope
# misses were read in session 17 (three topic answers, all fixed), so its out-of-scope count
# (9 -> 6 of 96, all 911 from the classifier) guards regressions only; tests/nlu_blind3
# measures out of scope now.
FRESH_FLOORS = {"accuracy": 0.89, "retrieval_accuracy": 0.945, "macro_f1": 0.915}
FRESH_OUT_OF_SCOPE_ANSWERED_MAX = 6


@pytest.mark.model
async def test_the_fresh_blind_set_holds_todays_figures(agent) -> None:  # type: ignore[no-untyped-def]
    pairs, asked = await predict(agent, dev_examples(FRESH_BLIND_DIR))
    result = figures(pairs, asked=asked)  # no texts: the misses stay unseen
    assert result["emergency"]["recall"] == 1.0, result["emergency"]["missed"]
    for name, floor in FRESH_FLOORS.items():
        assert result[name] >= floor, (name, result[name])
    answered = result["out_of_scope"]["answered_with_topic_or_911"]
    assert answered <= FRESH_OUT_OF_SCOPE_ANSWERED_MAX, answered


def test_the_scope_tuning_set_holds_no_item_of_the_fresh_sets() -> None:
    """Its misses are read: an item it shared with a fresh set would be a fresh miss seen."""
    fresh = {normalized(t) for d in (FRESH_BLIND_DIR, SCOPE_BLIND_DIR) for t, _ in dev_examples(d)}
    shared = [text for text, _ in dev_examples(SCOPE_TUNING_DIR) if normalized(text) in fresh]
    assert not shared, f"{len(shared)} scope tuning items are in a fresh blind set"


async def out_of_scope_figures(agent, directory: Path) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Counts only: out-of-scope messages answered with a bone-cancer topic or with 911 (as
    ``make nlu-report`` counts them), and bone-cancer questions withheld as out of scope."""
    pairs, asked = await predict(agent, dev_examples(directory))
    outside = figures(pairs, asked=asked)["out_of_scope"]
    return {
        "topic": outside["answered_with_topic"],
        "911": outside["answered_with_911"],
        "withheld": sum(e.startswith("faq/") and got == "out_of_scope" for e, got in pairs),
    }


# Measured 2026-12-02 (session 17); they may only improve. The 911s come from the classifier
# (issue 15). Scope tuning set (218 out of scope, its misses read): topic 10 -> 3 after the scope
# fixes, all three ordinary-medicine questions. Fresh scope set (189 out of scope, never read):
# topic 5 -> 4, 911 29 (issue 17 asks at most 1 in 50 for both together).
SCOPE_MAX = {
    SCOPE_TUNING_DIR: {"topic": 3, "911": 35, "withheld": 0},
    SCOPE_BLIND_DIR: {"topic": 4, "911": 29, "withheld": 0},
}


@pytest.mark.model
@pytest.mark.parametrize("directory", list(SCOPE_MAX), ids=["scope", "scope-fresh"])
async def test_out_of_scope_stays_out(agent, directory: Path) -> None:  # type: ignore[no-untyped-def]
    got = await out_of_scope_figures(agent, directory)
    assert all(got[name] <= most for name, most in SCOPE_MAX[directory].items()), got
