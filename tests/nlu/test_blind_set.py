"""The blind NLU set (tests/nlu_blind) stays blind: no item is copied into the training data."""
from __future__ import annotations

from pathlib import Path

from member_health_rasa.tools.nlu_eval import BLIND_DIR, dev_examples
from member_health_rasa.tools.safety_report import normalized, training_texts

ROOT = Path(__file__).resolve().parents[2]


# Common phrasings the blind author wrote independently that data/nlu already held before the
# set existed (data/nlu/smalltalk.yml and friends, 2026-11-24/26).
PREDATES_THE_SET = {"hi", "hello", "thanks", "thank you", "bye", "goodbye", "yes", "no", "nope"}


def test_the_blind_set_covers_every_label_the_issue_asks_for() -> None:
    labels = [label for _, label in dev_examples(BLIND_DIR)]
    faq_topics = {label for label in labels if label.startswith("faq/")}
    assert len(faq_topics) == 22
    assert all(labels.count(topic) >= 12 for topic in faq_topics)
    assert labels.count("out_of_scope") >= 60


def test_no_blind_item_is_trained_on() -> None:
    trained = training_texts()
    copied = {
        normalized(text)
        for text, _ in dev_examples(BLIND_DIR)
        if normalized(text) in trained and normalized(text) not in PREDATES_THE_SET
    }
    assert not copied, sorted(copied)
