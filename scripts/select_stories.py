"""Run only the test stories that touch one intent.

Usage: ``python scripts/select_stories.py INTENT [--stories DIR] [--out FILE] [--no-run]
[-- extra rasa test core arguments]``, e.g. ``python scripts/select_stories.py faq/osteosarcoma``
(``make stories INTENT=faq/osteosarcoma``). A parent intent selects all its sub-intents:
``faq`` selects every ``faq/<key>`` story.

The selected stories are written, unchanged, to a temporary ``test_*.yml`` file, and
``rasa test core --stories <file> --fail-on-prediction-errors`` runs on them with the latest
model in ``models/`` (failures land in ``results/failed_test_stories.yml``); the temporary
file is removed afterwards. ``--no-run`` only writes the file and prints its path.
"""
from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_STORIES = REPO_ROOT / "tests" / "stories"


def intent_matches(intent: str, wanted: str) -> bool:
    """``faq/osteosarcoma`` matches itself; ``faq`` matches ``faq`` and every ``faq/<key>``."""
    return intent == wanted or intent.startswith(wanted + "/")


def story_intents(story: Any) -> Iterable[str]:
    """Every intent a story uses, including the alternatives of ``or:`` steps."""
    for step in story.get("steps") or []:
        if not isinstance(step, dict):
            continue
        for alternative in step.get("or") or [step]:
            if isinstance(alternative, dict) and alternative.get("intent"):
                yield str(alternative["intent"])


def select_stories(files: Sequence[Path], wanted: str) -> list[Any]:
    """The stories of ``files`` that use ``wanted`` (as YAML nodes, formatting kept)."""
    yaml = YAML()  # round-trip YAML 1.2, as Rasa reads it: "yes" stays a string
    selected = []
    for path in files:
        data = yaml.load(path.read_text(encoding="utf-8")) or {}
        for story in data.get("stories") or []:
            if any(intent_matches(intent, wanted) for intent in story_intents(story)):
                selected.append(story)
    return selected


def write_stories(stories: list[Any], out: Path) -> Path:
    """Write ``stories`` as a Rasa test stories file."""
    yaml = YAML()
    yaml.indent(mapping=2, sequence=4, offset=2)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as handle:
        yaml.dump({"version": "3.1", "stories": stories}, handle)
    return out


def rasa_command(stories_file: Path, extra: Sequence[str]) -> list[str]:
    """``rasa test core`` on the selected stories, failing on any wrong prediction."""
    rasa = Path(sys.executable).with_name("rasa")
    return [
        str(rasa) if rasa.exists() else "rasa",
        "test",
        "core",
        "--stories",
        str(stories_file),
        "--fail-on-prediction-errors",
        *extra,
    ]


def main(argv: Sequence[str] | None = None) -> int:
    """CLI entry point; returns the exit code (rasa's when it runs)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("intent", help="e.g. faq/osteosarcoma, emergency, ask_my_stage")
    parser.add_argument("--stories", type=Path, default=DEFAULT_STORIES, help="test stories dir")
    parser.add_argument("--out", type=Path, help="where to write the selection (default: temp)")
    parser.add_argument("--no-run", action="store_true", help="only write the selection")
    parser.epilog = "Arguments after -- go to rasa test core, e.g. -- --model models/x.tar.gz"
    argv = list(sys.argv[1:] if argv is None else argv)
    split = argv.index("--") if "--" in argv else len(argv)
    args = parser.parse_args(argv[:split])
    rasa_args = argv[split + 1 :]

    wanted = args.intent.strip()
    files = sorted(args.stories.glob("test_*.yml")) if args.stories.is_dir() else [args.stories]
    stories = select_stories(files, wanted)
    if not stories:
        print(f"no test story in {args.stories} uses the intent {wanted}", file=sys.stderr)
        return 1
    slug = re.sub(r"[^A-Za-z0-9_]+", "_", wanted)
    temporary = None if args.out else Path(tempfile.mkdtemp(prefix="stories-"))
    out = args.out or temporary / f"test_{slug}.yml"
    write_stories(stories, out)
    names = ", ".join(str(story.get("story")) for story in stories)
    print(f"{len(stories)} stories use {wanted}: {names}")
    if args.no_run:
        print(f"written to {out}")
        return 0
    command = rasa_command(out, rasa_args)
    print(" ".join(command), flush=True)
    try:
        return subprocess.call(command, cwd=REPO_ROOT)
    finally:
        if temporary:
            shutil.rmtree(temporary, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
