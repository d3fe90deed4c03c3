"""The blind NLU sets (tests/nlu_blind, tests/nlu_blind2) stay blind: no item is copied into the
training data; and the fresh one holds today's figures (counts only: its texts are never shown)."""
from __future__ import annotations

from pathlib import Path

import pytest

from member_health_rasa.tools.nlu_eval import BLIND_DIR, FRESH_BLIND_DIR, dev_examples
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


@pytest.mark.parametrize("directory", [BLIND_DIR, FRESH_BLIND_DIR], ids=["first", "fresh"])
def test_no_blind_item_is_trained_on(directory: Path) -> None:
    trained = training_texts()
    copied = [
        number
        for number, (text, _) in enumerate(dev_examples(directory))
        if normalized(text) in trained and normalized(text) not in PREDATES_THE_SET
    ]
    # positions only: the fresh set's texts are never printed
    assert not copied, f"{len(copied)} items equal a training example (positions {copied})"


# Measured 2026-12-01 (session 11) on the fresh set; they may only improve. Issue 17's goals
# not met yet: out of scope answered with a topic or 911 at most 1 in 50 (here 9 of 96, 6 of
# them 911 from the classifier, which only the member's own negation may withdraw).
FRESH_FLOORS = {"accuracy": 0.89, "retrieval_accuracy": 0.945, "macro_f1": 0.915}
FRESH_OUT_OF_SCOPE_ANSWERED_MAX = 9


@pytest.mark.model
async def test_the_fresh_blind_set_holds_todays_figures(agent) -> None:  # type: ignore[no-untyped-def]
    pairs, asked = await predict(agent, dev_examples(FRESH_BLIND_DIR))
    result = figures(pairs, asked=asked)  # no texts: the misses stay unseen
    assert result["emergency"]["recall"] == 1.0, result["emergency"]["missed"]
    for name, floor in FRESH_FLOORS.items():
        assert result[name] >= floor, (name, result[name])
    answered = result["out_of_scope"]["answered_with_topic_or_911"]
    assert answered <= FRESH_OUT_OF_SCOPE_ANSWERED_MAX, answered
