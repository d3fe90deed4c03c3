"""Evaluate the trained model on the held-out dev set in tests/nlu_dev (never trained on).

Prints intent accuracy (FAQ topics count as ``faq/<key>``), per-label errors, and the emergency
recall and false-alarm rate. Used by the NLU tests and runnable on its own:
``.venv/bin/python -m member_health_rasa.tools.nlu_eval [--model models/<hash>.tar.gz]``.
"""
from __future__ import annotations

import argparse
import asyncio
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

from member_health.clarify import faq_ranking, faq_topic, topics_to_offer
from member_health.paths import ROOT

DEV_DIR = ROOT / "tests" / "nlu_dev"
# Written blind (tests/nlu_blind/README.md), never trained on; its out-of-scope misses were read
# to shape the meaning-based scope check (session 11), so it no longer measures that.
BLIND_DIR = ROOT / "tests" / "nlu_blind"
# Written blind in session 11 (tests/nlu_blind2/README.md): the measure; misses counted, never
# printed.
FRESH_BLIND_DIR = ROOT / "tests" / "nlu_blind2"
# Written blind in session 17 (tests/scope_tuning/README.md) to fix the scope check from: its
# misses are read, so it guards against regressions and measures nothing new.
SCOPE_TUNING_DIR = ROOT / "tests" / "scope_tuning"
# Written blind in session 17 (tests/nlu_blind3/README.md): the measure of out of scope since
# blind2's out-of-scope misses were read; misses counted, never printed.
SCOPE_BLIND_DIR = ROOT / "tests" / "nlu_blind3"
SETS = {
    "dev": DEV_DIR,
    "blind": BLIND_DIR,
    "blind2": FRESH_BLIND_DIR,
    "scope": SCOPE_TUNING_DIR,
    "blind3": SCOPE_BLIND_DIR,
}
HELD_OUT = {"blind2", "blind3"}
EMERGENCY = "emergency"


def dev_examples(directory: Path = DEV_DIR) -> list[tuple[str, str]]:
    """(text, expected label) for every example of every dev file."""
    examples: list[tuple[str, str]] = []
    for path in sorted(directory.glob("*.yml")):
        data = RasaYAMLReader().read(path)
        for message in data.intent_examples:
            label = message.get("intent")
            key = message.get("intent_response_key")
            examples.append((message.get("text"), key or label))
    return examples


def predicted_label(parse: dict[str, Any]) -> str:
    """The intent, or ``faq/<key>`` when a response selector answered the FAQ.

    Our ResponseSelector is trained for ``retrieval_intent: faq`` (output key ``faq``); Rasa's
    default one covers every retrieval intent (output key ``default``).
    """
    intent = str((parse.get("intent") or {}).get("name") or "")
    if asked_about_topic(parse):
        intent = "faq"  # the best guess behind the question: accuracy measures understanding
    if intent != "faq":
        return intent
    return faq_topic(parse.get("response_selector")) or intent


def offered_labels(parse: dict[str, Any]) -> list[str]:
    """``faq/<key>`` of the topics the member is offered when the topic is uncertain."""
    ranking = faq_ranking(parse.get("response_selector"))
    return [f"faq/{key}" for key in topics_to_offer(parse.get("intent_ranking") or [], ranking)]


def asked_about_topic(parse: dict[str, Any]) -> bool:
    """The topic was uncertain, so the member is offered likely topics instead of an answer."""
    return bool((parse.get("topic_clarifier") or {}).get("uncertain"))


@dataclass
class Report:
    """Dev-set figures."""

    total: int = 0
    correct: int = 0
    errors: list[tuple[str, str, str]] = field(default_factory=list)
    emergencies: int = 0
    emergencies_caught: int = 0
    non_emergencies: int = 0
    false_alarms: int = 0
    asked: int = 0  # topic uncertain: likely topics offered as buttons instead of an answer
    asked_offering_right_topic: int = 0

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0

    @property
    def emergency_recall(self) -> float:
        return self.emergencies_caught / self.emergencies if self.emergencies else 0.0

    @property
    def false_alarm_rate(self) -> float:
        return self.false_alarms / self.non_emergencies if self.non_emergencies else 0.0

    def confusions(self) -> Counter:
        return Counter((expected, got) for _, expected, got in self.errors)

    def summary(self) -> dict[str, Any]:
        return {
            "examples": self.total,
            "accuracy": round(self.accuracy, 4),
            "emergency_recall": round(self.emergency_recall, 4),
            "emergencies": self.emergencies,
            "false_alarm_rate": round(self.false_alarm_rate, 4),
            "non_emergencies": self.non_emergencies,
            "asked_instead_of_answering": self.asked,
            "asked_offering_the_right_topic": self.asked_offering_right_topic,
            "confusions": {f"{e} -> {g}": n for (e, g), n in self.confusions().most_common()},
        }


async def evaluate(agent: Any, examples: list[tuple[str, str]]) -> Report:
    """Parse every example with the agent and count."""
    report = Report()
    for text, expected in examples:
        parse = await agent.parse_message(text)
        got = predicted_label(parse)
        if asked_about_topic(parse):
            report.asked += 1
            report.asked_offering_right_topic += expected in offered_labels(parse)
        report.total += 1
        report.correct += got == expected
        if got != expected:
            report.errors.append((text, expected, got))
        if expected == EMERGENCY:
            report.emergencies += 1
            report.emergencies_caught += got == EMERGENCY
        else:
            report.non_emergencies += 1
            report.false_alarms += got == EMERGENCY
    return report


def main() -> None:
    """Print the dev-set figures for a model (default: the current one)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default=None)
    parser.add_argument("--set", choices=sorted(SETS), default="dev", help="which held-out set")
    args = parser.parse_args()
    model = args.model or (ROOT / (ROOT / "models" / "current.txt").read_text().strip())
    from member_health_rasa.ops.quiet_agent import load_agent

    report = asyncio.run(evaluate(load_agent(model), dev_examples(SETS[args.set])))
    print(json.dumps(report.summary(), indent=2))
    if args.set in HELD_OUT:
        return  # its misses are counted (confusions above), never printed
    for text, expected, got in report.errors:
        print(f"  {expected:>32} -> {got:<32} {text!r}")


if __name__ == "__main__":
    main()
