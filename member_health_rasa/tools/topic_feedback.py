"""Per-topic feedback for editors: ``make feedback`` (after ``make train``).

For every intent or FAQ topic whose training examples differ from ``--base`` (default: the
last commit, i.e. your uncommitted edits; on a branch use ``--base main``), the held-out
messages of ``tests/nlu_dev`` are read by the trained model (models/current.txt), each with
the topic it got::

    faq/paget_disease: 2 of 3 held-out messages get this topic
      ok    faq/paget_disease (0.97)  my doctor mentioned paget disease after my x-ray, ...
      ASK   faq/paget_disease (0.41)  what does paget disease do to bones
      MISS  faq/types (0.55)          is pagets something like bone cancer

``ASK``: the topic is the model's best guess but it is unsure, so the member is offered it as the
first of a few buttons (member_health/clarify.py) instead of an answer. A miss, or an ask, means
the examples need more variety, or overlap a neighbouring topic. Held-out
messages are written by editors, never member text. Exit code 0 (feedback, not a gate).
"""
from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Sequence
from io import BytesIO
from pathlib import Path

from member_health_rasa.tools.content_lint import Content, collect
from member_health_rasa.tools.nlu_eval import asked_about_topic
from member_health_rasa.tools.preview import understood
from member_health_rasa.tools.serve import ROOT, current_model


def example_sets(content: Content) -> dict[str, set[str]]:
    """Each intent's training examples, as a set of texts."""
    return {intent: {text for text, _, _ in items} for intent, items in content.examples.items()}


def base_content(base: str) -> Content | None:
    """The training data at git revision ``base`` (None outside a git checkout)."""
    try:
        archive = subprocess.run(
            ["git", "archive", "--format=tar", base, "data"],
            cwd=ROOT,
            capture_output=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    with tempfile.TemporaryDirectory(prefix="feedback-") as folder:
        with tarfile.open(fileobj=BytesIO(archive)) as tar:
            tar.extractall(folder)
        return collect(Path(folder))


def changed_intents(before: Content | None, now: Content) -> list[str]:
    """Intents whose examples were added, removed or changed since ``before``."""
    old, new = example_sets(before) if before else {}, example_sets(now)
    return sorted(intent for intent in new if new[intent] != old.get(intent))


def render(intent: str, results: list[tuple[str, str, float, bool]]) -> list[str]:
    """The feedback lines for one intent: ``(message, predicted topic, confidence, asked)``
    each; ``asked``: the member would be offered the topics as buttons."""
    if not results:
        return [f"{intent}: no held-out messages in tests/nlu_dev; add a few (step 4)"]
    hits = sum(topic == intent for _, topic, _, _ in results)
    asks = sum(topic == intent and asked for _, topic, _, asked in results)
    lines = [f"{intent}: {hits} of {len(results)} held-out messages get this topic"]
    if asks:
        lines[0] += f" ({asks} only as a button: the model is unsure; add more varied examples)"
    for message, topic, confidence, asked in results:
        mark = "MISS" if topic != intent else "ASK " if asked else "ok  "
        lines.append(f"  {mark}  {f'{topic} ({confidence:.2f})':<32} {message}")
    return lines


async def predict(model: Path, messages: list[str]) -> list[tuple[str, float, bool]]:
    """The topic and confidence the trained model gives each message, and whether the member
    would be asked (offered topics as buttons) rather than answered."""
    from member_health_rasa.ops.quiet_agent import load_agent

    agent = load_agent(model)
    parses = [await agent.parse_message(message) for message in messages]
    return [(*understood(parse), asked_about_topic(parse)) for parse in parses]


def main(argv: Sequence[str] | None = None) -> int:
    """CLI entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base", default="HEAD", help="git revision to compare with")
    parser.add_argument("--model", type=Path, help="default: models/current.txt")
    args = parser.parse_args(argv)
    now = collect(ROOT)
    changed = changed_intents(base_content(args.base), now)
    if not changed:
        print(f"feedback: no intent's examples changed since {args.base}")
        return 0
    held_out = {
        intent: [text for text, _, _ in now.dev_examples.get(intent, [])] for intent in changed
    }
    messages = [message for intent in changed for message in held_out[intent]]
    print(f"feedback: {len(changed)} changed intent(s); reading their held-out messages...")
    predictions = iter(asyncio.run(predict(args.model or current_model(), messages)))
    for intent in changed:
        results = [(message, *next(predictions)) for message in held_out[intent]]
        print("\n".join(render(intent, results)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
