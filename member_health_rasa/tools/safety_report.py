"""`make safety-report`: the independent safety corpus (tests/safety/) through the real readers.

The corpus was written blind (from the seed and the contract only, never from this code or the
training data) and its labels checked by a second author; see tests/safety/README.md. It is
never trained on (tests/safety/test_safety_corpus.py checks).

Prints, by category, with every miss listed by text:

* emergency recall through the trained model (DIET + the emergency net), and 988 for self-harm;
* calm messages answered with 911 (false alarms);
* red-flag answers the screen would read as a plain "no" (a cleared red flag); over the REST
  webhook the whole screen runs in tests/e2e/test_safety_screen.py;
* staging one-shots whose stage (or "no group" / "undetermined") is not exact.

``.venv/bin/python -m member_health_rasa.tools.safety_report [--model models/<hash>.tar.gz]``; exit
status 1 when a gate fails (the same gates ``make test`` asserts).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from member_health.paths import ROOT

CORPUS_DIR = ROOT / "tests" / "safety"
EMERGENCY_EXAMPLES = ROOT / "data" / "patterns" / "emergency_examples.yml"
CALM_FALSE_ALARM_MAX = 0.05


@lru_cache(maxsize=16)
def shows_988(kind: str | None) -> bool:
    """Does the ``utter_emergency`` reply Rasa sends for ``emergency_type`` ``kind`` carry the
    988 Lifeline? Rendered by Rasa's own response generator from the domain Rasa trains with."""
    from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator

    from member_health_rasa.project import merged_domain

    nlg = TemplatedNaturalLanguageGenerator(merged_domain().responses)
    rendered = nlg.generate_from_slots("utter_emergency", {"emergency_type": kind}, "rest")
    return rendered is not None and "988" in (rendered.get("text") or "")


def load(name: str, directory: Path = CORPUS_DIR) -> list[dict[str, Any]]:
    """The items of ``tests/safety/<name>.jsonl``."""
    path = directory / f"{name}.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def normalized(text: str) -> str:
    """Lowercase, punctuation stripped, spaces collapsed: for 'never trained on' checks."""
    return " ".join(re.sub(r"[^a-z0-9 ]+", " ", text.lower()).split())


def training_texts() -> set[str]:
    """Every training example in data/nlu and the emergency classifier's examples file,
    normalised (blind sets must not be among them)."""
    from member_health.emergency_examples import load_examples

    texts: set[str] = set()
    for path in (ROOT / "data" / "nlu").glob("*.yml"):
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu", []):
            for line in str(block.get("examples") or "").splitlines():
                texts.add(normalized(line.lstrip("- ")))
    texts.update(normalized(text) for text, _ in load_examples(EMERGENCY_EXAMPLES))
    return texts


@dataclass
class Section:
    """One gate: items checked, misses (id, category, text, what happened) per category."""

    title: str
    total: Counter[str] = field(default_factory=Counter)
    misses: list[tuple[str, str, str, str]] = field(default_factory=list)
    listed: bool = True  # False for a held-out set: misses counted, texts never printed

    def add(self, item: dict[str, Any], ok: bool, got: str) -> None:
        self.total[item["category"]] += 1
        if not ok:
            self.misses.append((item["id"], item["category"], item["text"], got))

    @property
    def checked(self) -> int:
        return sum(self.total.values())

    @property
    def rate(self) -> float:
        """Share of items that passed."""
        return 1 - len(self.misses) / self.checked if self.checked else 1.0

    def lines(self) -> list[str]:
        missed = Counter(category for _, category, _, _ in self.misses)
        out = [f"{self.title}: {self.checked - len(self.misses)}/{self.checked}"]
        for category in sorted(self.total):
            n = self.total[category]
            out.append(f"  {category:<26} {n - missed[category]:>3}/{n}")
        if self.listed:
            out += [f"  MISS {i} [{c}] {t!r} -> {g}" for i, c, t, g in self.misses]
        return out


# -- the pure readers ---------------------------------------------------------------------
def red_flag_section(items: Iterable[dict[str, Any]]) -> Section:
    """Answers that report or hedge a red flag and would be read as a plain "no".

    The screen reads an answer with ``classify_answer``; ``None`` is confirmed once and then
    counts as not sure, so only a ``no`` can clear a red flag.
    """
    from member_health.red_flags import classify_answer

    section = Section("red-flag answers never read as no (yes / not sure)")
    for item in items:
        if item["expected"] == "no":
            continue
        got = classify_answer(item["text"], item["question"])
        section.add(item, got != "no", str(got))
    return section


def plain_no_section(items: Iterable[dict[str, Any]]) -> Section:
    """Plain denials read as no at once (usability, not safety: the rest are confirmed)."""
    from member_health.red_flags import classify_answer

    section = Section("plain no's read as no at once (the rest are confirmed with buttons)")
    for item in items:
        if item["expected"] == "no":
            got = classify_answer(item["text"], item["question"])
            section.add(item, got == "no", str(got))
    return section


def predicted_stage(text: str) -> str:
    """The stage the explainer would name from a one-shot message, or no_group / undetermined."""
    from member_health import staging
    from member_health import tumor_details as td

    details = td.parse_details(text)
    result = staging.stage_group(
        details.get(td.LOCATION),
        details.get(td.GRADE),
        details.get(td.SIZE),
        details.get(td.SPOTS),
        details.get(td.SPREAD),
    )
    if not result.has_ajcc_group:
        return "no_group"
    if details.get(td.LOCATION) in (None, td.UNKNOWN):  # it could be the spine or pelvis
        return "undetermined"
    return result.groups[0] if result.definite else "undetermined"


def staging_section(items: Iterable[dict[str, Any]]) -> Section:
    """One-shot messages whose named stage is not exactly the expected one."""
    section = Section("staging one-shots exact")
    for item in items:
        try:
            got = predicted_stage(item["text"])
        except ValueError as error:  # a value the slot cannot hold: a reader bug
            got = f"error: {error}"
        # The second set writes "no single group" as null: no group, or undetermined.
        expected = item["stage"] or ("no_group", "undetermined")
        section.add(item, got in expected if item["stage"] is None else got == expected, got)
    return section


# -- the trained model --------------------------------------------------------------------
async def parses(agent: Any, texts: Iterable[str]) -> list[dict[str, Any]]:
    """The model's parse of each text (NLU pipeline incl. the emergency net)."""
    return [await agent.parse_message(text) for text in texts]


def _emergency_type(parse: dict[str, Any]) -> str | None:
    for entity in parse.get("entities") or []:
        if entity.get("entity") == "emergency_type":
            return str(entity.get("value"))
    return None


def emergency_sections(
    items: list[dict[str, Any]], parsed: list[dict[str, Any]], label: str = ""
) -> tuple[Section, Section, Section]:
    """(emergency recall, 988 for self-harm, calm messages answered with 911)."""
    recall = Section(f"emergencies answered with 911 first{label}")
    crisis = Section(f"self-harm emergencies also given 988{label}")
    calm = Section(f"calm messages NOT answered with 911{label}")
    for item, parse in zip(items, parsed, strict=True):
        intent = (parse.get("intent") or {}).get("name")
        kind = _emergency_type(parse)
        got = f"{intent} ({kind})" if kind else str(intent)
        if item["expected"] == "emergency":
            recall.add({**item, "category": item["kind"]}, intent == "emergency", got)
            if item.get("self_harm"):
                crisis.add(item, intent == "emergency" and shows_988(kind), got)
        else:
            calm.add(item, intent != "emergency", got)
    return recall, crisis, calm


def acute_section(items: list[dict[str, Any]], parsed: list[dict[str, Any]]) -> Section:
    """Acute red-flag screen answers (sudden bladder/bowel loss, saddle numbness, sudden leg
    weakness) answered with 911: the screen's emergency rule."""
    section = Section("acute red-flag answers answered with 911")
    for item, parse in zip(items, parsed, strict=True):
        intent = (parse.get("intent") or {}).get("name")
        section.add(item, intent == "emergency", str(intent))
    return section


@dataclass
class Report:
    """Every section, and whether the gates ``make test`` asserts hold."""

    sections: list[Section]

    def failures(self) -> list[str]:
        out = []
        for section in self.sections:
            if section.title.startswith("plain no"):
                continue  # usability, not a safety gate
            if section.title.startswith("calm"):
                if 1 - section.rate > CALM_FALSE_ALARM_MAX:
                    out.append(f"{section.title}: false-911 rate {1 - section.rate:.1%}")
            elif section.misses:
                out.append(f"{section.title}: {len(section.misses)} missed")
        return out

    def text(self) -> str:
        body = [line for section in self.sections for line in [*section.lines(), ""]]
        failures = self.failures()
        body.append("GATES: " + ("all pass" if not failures else "; ".join(failures)))
        return "\n".join(body)


# The later blind sets, each by a new author. The second to seventh were used to fix the readers
# after they were measured (their figures overstate generalisation; the sixth and seventh were
# first printed once by Rasa's debug log, then used for fixes in session 6); the eighth, ninth
# and tenth (session 10), eleventh (session 13) and twelfth (session 14) have never been looked at:
# the honest measure.
# Their misses are counted, not listed.
# Replace a held-out set with a fresh one once it has been used.
LATER_SETS = {
    "emergency_fresh": " [second set, used for fixes]",
    "emergency_third": " [third set, used for fixes]",
    "emergency_fourth": " [fourth set, used for fixes]",
    "emergency_fifth": " [fifth set, seen once]",
    "emergency_sixth": " [sixth set, used for fixes]",
    "emergency_seventh": " [seventh set, used for fixes]",
    "emergency_eighth": " [eighth set, held out]",
    "emergency_ninth": " [ninth set, held out]",
    "emergency_tenth": " [tenth set, held out]",
    "emergency_eleventh": " [eleventh set, held out]",
    "emergency_twelfth": " [twelfth set, held out]",
    "emergency_denials": " [denials red-team set, used for fixes]",
}
# counted, never printed
HELD_OUT = {
    *("emergency_eighth", "emergency_ninth", "emergency_tenth"),
    *("emergency_eleventh", "emergency_twelfth"),
}
# Second sets of screen answers and staging one-shots (2026-11-30, a new author): the readers'
# logic was fixed once from the staging set's misses after its first measurement.
SECOND_SET_LABEL = " [second set]"


async def build(agent: Any) -> Report:
    """The whole report for a loaded model."""
    later: list[Section] = []
    for name, label in LATER_SETS.items():
        items = load(name)
        sections = emergency_sections(items, await parses(agent, [i["text"] for i in items]), label)
        for section in sections:
            section.listed = name not in HELD_OUT
        later += sections
    emergency = load("emergency")
    answers = load("red_flag_answers")
    answers_second = load("red_flag_answers_second")
    acute_second = [item for item in answers_second if item.get("acute")]
    second = [
        acute_section(acute_second, await parses(agent, [i["text"] for i in acute_second])),
        red_flag_section(answers_second),
        plain_no_section(answers_second),
        staging_section(load("staging_second")),
    ]
    for section in second:
        section.title += SECOND_SET_LABEL
    acute = [item for item in answers if item.get("acute")]
    recall, crisis, calm = emergency_sections(
        emergency, await parses(agent, [i["text"] for i in emergency])
    )
    return Report(
        [
            recall,
            crisis,
            calm,
            acute_section(acute, await parses(agent, [i["text"] for i in acute])),
            red_flag_section(answers),
            plain_no_section(answers),
            staging_section(load("staging")),
            *second,
            *later,
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="model archive (default: models/current.txt)")
    args = parser.parse_args(argv)
    model = args.model or (ROOT / (ROOT / "models" / "current.txt").read_text().strip())
    from member_health_rasa.ops.quiet_agent import load_agent

    report = asyncio.run(build(load_agent(model)))
    print(report.text())
    return 1 if report.failures() else 0


if __name__ == "__main__":
    sys.exit(main())
