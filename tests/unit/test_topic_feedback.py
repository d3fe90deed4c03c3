"""member_health_rasa/tools/topic_feedback.py: which intents changed, and how their held-out
messages read. (The trained model reads them in tests/e2e/test_content_walkthrough.py, make
feedback.)"""
from __future__ import annotations

from pathlib import Path

from member_health_rasa.tools.content_lint import collect
from member_health_rasa.tools.topic_feedback import changed_intents, render


def write_nlu(root: Path, blocks: dict[str, list[str]]) -> Path:
    """A data/nlu file with one block per intent."""
    text = 'version: "3.1"\nnlu:\n'
    for intent, examples in blocks.items():
        text += f"  - intent: {intent}\n    examples: |\n"
        text += "".join(f"      - {example}\n" for example in examples)
    (root / "data" / "nlu").mkdir(parents=True, exist_ok=True)
    (root / "data" / "nlu" / "faq.yml").write_text(text, encoding="utf-8")
    return root


def test_only_intents_whose_examples_changed_are_listed(tmp_path: Path) -> None:
    before = collect(write_nlu(tmp_path / "a", {"faq/x": ["one", "two"], "greet": ["hi"]}))
    now = write_nlu(
        tmp_path / "b", {"faq/x": ["one", "two"], "greet": ["hi", "hey"], "faq/y": ["y"]}
    )
    assert changed_intents(before, collect(now)) == ["faq/y", "greet"]
    assert changed_intents(None, collect(now)) == ["faq/x", "faq/y", "greet"]


def test_each_held_out_message_shows_the_topic_it_got() -> None:
    lines = render(
        "faq/x",
        [("what is x", "faq/x", 0.97, False), ("is x bad", "faq/z", 0.512, False)],
    )
    assert lines[0] == "faq/x: 1 of 2 held-out messages get this topic"
    assert lines[1].split() == ["ok", "faq/x", "(0.97)", "what", "is", "x"]
    assert lines[2].split() == ["MISS", "faq/z", "(0.51)", "is", "x", "bad"]
    assert render("faq/x", [])[0].startswith("faq/x: no held-out messages")


def test_an_unsure_topic_is_shown_as_asked_about() -> None:
    lines = render(
        "faq/x",
        [("what is x", "faq/x", 0.41, True), ("is x bad", "faq/z", 0.3, True)],
    )
    assert lines[0] == (
        "faq/x: 1 of 2 held-out messages get this topic "
        "(1 only as a button: the model is unsure; add more varied examples)"
    )
    assert lines[1].split() == ["ASK", "faq/x", "(0.41)", "what", "is", "x"]
    assert lines[2].split()[0] == "MISS"
