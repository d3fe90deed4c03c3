"""Two questions, two answers (issue 17), measured on words the feature's authors did not write.

``tests/nlu_blind/two_questions.jsonl`` was written blind (seed and contract only) and its labels
checked by a second author; it is never trained on. Each item lists the FAQ topics its message
asks about: two for a two-question message, one for a message that only looks like two ("what
are the signs and symptoms"). Prints how each kind of message fared, never a message's text
unless ``--misses`` is given:

* two questions: **both** (one topic answered, the other offered as its button), **both
  offered** (the topic was uncertain, so the likely topics were offered and both are among
  them), **one** (one of the two answered, the other not offered), **wrong** (neither);
* one question: **right** or **wrong** answer, and any **extra offer** of a topic it did not ask.

``.venv/bin/python -m member_health_rasa.tools.two_questions_eval [--model ...] [--misses]``
"""
from __future__ import annotations

import argparse
import asyncio
import json
from collections import Counter
from pathlib import Path
from typing import Any

from member_health.clarify import FAQ
from member_health.paths import ROOT
from member_health_rasa.tools.nlu_eval import asked_about_topic, offered_labels, predicted_label

TWO_QUESTIONS = ROOT / "tests" / "nlu_blind" / "two_questions.jsonl"
ALSO_ASKED = "also_asked"


def load(path: Path = TWO_QUESTIONS) -> list[dict[str, Any]]:
    """The items of the two-question set."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def also_asked(parse: dict[str, Any]) -> list[str]:
    """``faq/<key>`` of each topic offered after the answer ("You also asked about:")."""
    return [
        f"{FAQ}/{e.get('value')}"
        for e in parse.get("entities") or []
        if e.get("entity") == ALSO_ASKED
    ]


def outcome(parse: dict[str, Any], topics: list[str]) -> tuple[str, bool]:
    """(what the member got, whether a topic the message did not ask was also offered)."""
    offered = also_asked(parse)
    extra = any(topic not in topics for topic in offered)
    if asked_about_topic(parse):
        shown = offered_labels(parse)
        if all(topic in shown for topic in topics):
            return ("both offered" if len(topics) > 1 else "right (asked)"), extra
        return "wrong", extra
    answer = predicted_label(parse)
    if answer not in topics:
        return "wrong", extra
    if len(topics) == 1:
        return "right", extra
    other = next(topic for topic in topics if topic != answer)
    return ("both" if other in offered else "one"), extra


async def evaluate(agent: Any, items: list[dict[str, Any]]) -> dict[str, Any]:
    """Counts by kind of message, and the ids (never texts) of every miss."""
    counts: dict[str, Counter[str]] = {"two": Counter(), "one": Counter()}
    misses: list[tuple[str, str]] = []
    for item in items:
        kind = "two" if len(item["topics"]) > 1 else "one"
        got, extra = outcome(await agent.parse_message(item["text"]), item["topics"])
        counts[kind][got] += 1
        counts[kind]["extra offer"] += extra
        if got in {"one", "wrong"} or extra:
            misses.append((item["id"], got + (" + extra offer" if extra else "")))
    return {kind: dict(counter) for kind, counter in counts.items()} | {"misses": misses}


def main(argv: list[str] | None = None) -> None:
    """Print the figures for a model (default: the current one)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None)
    parser.add_argument("--misses", action="store_true", help="also list each miss by text")
    args = parser.parse_args(argv)
    model = args.model or (ROOT / (ROOT / "models" / "current.txt").read_text().strip())
    from member_health_rasa.ops.quiet_agent import load_agent

    items = load()
    result = asyncio.run(evaluate(load_agent(model), items))
    texts = {item["id"]: item["text"] for item in items}
    print(json.dumps({k: v for k, v in result.items() if k != "misses"}, indent=2))
    for item_id, got in result["misses"]:
        print(f"  {item_id} {got}" + (f"  {texts[item_id]!r}" if args.misses else ""))


if __name__ == "__main__":
    main()
