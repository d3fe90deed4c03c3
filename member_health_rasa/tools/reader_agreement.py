"""How often careful readers agree with the safety corpus's emergency labels.

Each ``tests/safety/readers/<set>.reader-N.jsonl`` holds one reader's answer ("911" or "calm") to
every message of ``tests/safety/<set>.jsonl``, given without its labels (the brief:
``tests/safety/readers/BRIEF.md``). A reader that misses no emergency and gives no calm message
911 shows the labels are consistent, so the gates of ``make safety-report`` ask for something a
careful reader does, not for a coin toss on an unclear boundary. Prints counts, never texts (some
sets are held out).

``.venv/bin/python -m member_health_rasa.tools.reader_agreement``
"""
from __future__ import annotations

import sys
from pathlib import Path

from member_health_rasa.tools.safety_report import CORPUS_DIR, load

READERS_DIR = CORPUS_DIR / "readers"


def agreement(
    labels: list[dict[str, str]], answers: list[dict[str, str]]
) -> tuple[int, int, int, int]:
    """(emergencies missed, emergencies, calm messages given 911, calm messages); raises
    ``ValueError`` unless the answers cover exactly the labelled ids, with a known answer each."""
    by_id = {answer["id"]: answer["answer"] for answer in answers}
    if sorted(by_id) != sorted(item["id"] for item in labels) or len(by_id) != len(answers):
        raise ValueError("the answers do not cover the corpus's ids exactly once each")
    if not set(by_id.values()) <= {"911", "calm"}:
        raise ValueError("an answer is neither '911' nor 'calm'")
    emergencies = [item["id"] for item in labels if item["expected"] == "emergency"]
    calm = [item["id"] for item in labels if item["expected"] != "emergency"]
    missed = sum(by_id[i] != "911" for i in emergencies)
    alarmed = sum(by_id[i] == "911" for i in calm)
    return missed, len(emergencies), alarmed, len(calm)


def reader_files(directory: Path = READERS_DIR) -> list[tuple[str, str, Path]]:
    """(corpus set, reader, answer file) for each ``<set>.<reader>.jsonl``, by set and reader."""
    files = []
    for path in sorted(directory.glob("*.reader-*.jsonl")):
        corpus, reader = path.stem.split(".")
        files.append((corpus, reader, path))
    return files


def answers(path: Path) -> list[dict[str, str]]:
    """A reader's answers, in its set's order."""
    return load(path.stem, path.parent)


def main() -> int:
    """Prints each reader's agreement with its set's labels."""
    for corpus, reader, path in reader_files():
        missed, emergencies, alarmed, calm = agreement(load(corpus), answers(path))
        print(
            f"{corpus:<20} {reader:<9} emergencies missed {missed}/{emergencies}, "
            f"calm given 911 {alarmed}/{calm}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
