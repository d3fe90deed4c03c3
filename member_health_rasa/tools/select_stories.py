"""Run only the test stories that touch one intent, through the assistant's understanding.

Usage: ``python -m member_health_rasa.tools.select_stories INTENT [--stories DIR] [--out FILE]
[--results DIR] [--no-run] [-- extra rasa test core arguments]``, e.g. ``make stories
INTENT=faq/osteosarcoma``. A parent intent selects all its sub-intents: ``faq`` selects every
``faq/<key>`` story.

The selected stories are written, unchanged, to a temporary ``test_*.yml`` file, and
``rasa test core --e2e`` runs on them: each member turn's ``user:`` text goes through the
trained model (a story whose question gets another topic fails, as under ``make test``).
Rasa's output goes to ``<results>/rasa-test.log``; this script ends with one line,
``PASS: ...`` or ``FAIL: ...``, and for a failure the story names, the turns the assistant got
wrong (``# predicted: ...``) and ``<results>/failed_test_stories.yml``. ``--no-run`` only
writes the selection and prints its path.
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

from member_health.paths import ROOT as REPO_ROOT

DEFAULT_STORIES = REPO_ROOT / "tests" / "stories"
DEFAULT_RESULTS = Path("results") / "stories-selected"
FAILED_FILE = "failed_test_stories.yml"
LOG_FILE = "rasa-test.log"
SOURCE_SUFFIX = re.compile(r"\s\([^()]*\)$")  # Rasa adds " (<test file>)" to story names


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


def rasa_command(stories_file: Path, results: Path, extra: Sequence[str]) -> list[str]:
    """``rasa test core --e2e`` on the selected stories (member text through NLU)."""
    rasa = Path(sys.executable).with_name("rasa")
    return [
        str(rasa) if rasa.exists() else "rasa",
        "test",
        "core",
        "--e2e",
        "--stories",
        str(stories_file),
        "--out",
        str(results),
        *extra,
    ]


def failed_stories(results: Path) -> list[tuple[str, list[str]]] | None:
    """``(story, wrong turns)`` from Rasa's ``failed_test_stories.yml``; None if it is missing.

    Rasa writes a comment instead of stories when none failed, and marks each wrong turn with
    ``# predicted: ...`` (the intent or action the assistant chose instead).
    """
    path = results / FAILED_FILE
    if not path.is_file():
        return None
    failed: list[tuple[str, list[str]]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        text = line.strip()
        if text.startswith("- story:"):
            name = SOURCE_SUFFIX.sub("", text[len("- story:") :].strip())
            failed.append((name, []))
        elif "# predicted:" in text and failed:
            failed[-1][1].append(" ".join(text.split()))
    return failed


def shown(path: Path) -> Path:
    """``path`` relative to the repository when it is inside it (as the guide names it)."""
    try:
        return path.resolve().relative_to(REPO_ROOT)
    except ValueError:
        return path


def verdict(wanted: str, count: int, results: Path, code: int) -> tuple[int, list[str]]:
    """The exit code and the closing lines for an editor."""
    failed = failed_stories(results)
    log = shown(results / LOG_FILE)
    if code != 0 or failed is None:
        return 1, [f"ERROR: rasa test did not finish (exit {code}); see {log}"]
    if not failed:
        return 0, [f"PASS: all {count} stories using {wanted} went as written"]
    lines = [f"  {name}" + "".join(f"\n      {turn}" for turn in turns) for name, turns in failed]
    return 1, [
        f"FAIL: {len(failed)} of {count} stories using {wanted} went differently:",
        *lines,
        f"details: {shown(results / FAILED_FILE)} (Rasa's output: {log})",
    ]


def main(argv: Sequence[str] | None = None) -> int:
    """CLI entry point; returns 0 when every selected story went as written."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("intent", help="e.g. faq/osteosarcoma, emergency, ask_my_stage")
    parser.add_argument("--stories", type=Path, default=DEFAULT_STORIES, help="test stories dir")
    parser.add_argument("--out", type=Path, help="where to write the selection (default: temp)")
    parser.add_argument("--results", type=Path, default=DEFAULT_RESULTS, help="Rasa's output")
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
    temporary: Path | None = None  # a scratch folder when --out is not given, removed below
    if args.out:
        out = args.out
    else:
        temporary = Path(tempfile.mkdtemp(prefix="stories-"))
        out = temporary / f"test_{slug}.yml"
    write_stories(stories, out)
    names = ", ".join(str(story.get("story")) for story in stories)
    print(f"{len(stories)} stories use {wanted}: {names}")
    if args.no_run:
        print(f"written to {out}")
        return 0
    results = args.results if args.results.is_absolute() else REPO_ROOT / args.results
    shutil.rmtree(results, ignore_errors=True)  # no stale failures from an earlier run
    results.mkdir(parents=True)
    command = rasa_command(out, results, rasa_args)
    print(f"running them through the assistant (a minute or two): {' '.join(command)}", flush=True)
    try:
        with (results / LOG_FILE).open("w", encoding="utf-8") as log:
            code = subprocess.call(command, cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT)
    finally:
        if temporary:
            shutil.rmtree(temporary, ignore_errors=True)
    status, lines = verdict(wanted, len(stories), results, code)
    print("\n".join(lines))
    return status


if __name__ == "__main__":
    sys.exit(main())
