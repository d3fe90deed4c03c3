"""docs/CONTENT.md end to end, as an editor follows it, on a scratch copy of the repository.

Reword an answer (a plan placeholder in a plain FAQ answer), add the worked FAQ topic and the
worked rule with a new intent, exactly as the guide writes them; then the guide's commands
through make: validate, preview (which trains), stories (a wrong topic label fails, the rest
pass), report on a checkout with no conversations.

Slow: one training when the guide's examples change (models are cached by content hash in
.model-cache/walkthrough, so later runs only load the model), plus three model loads.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

pytestmark = [pytest.mark.e2e, pytest.mark.model, pytest.mark.walkthrough]

ROOT = Path(__file__).resolve().parents[2]
GUIDE = (ROOT / "docs" / "CONTENT.md").read_text(encoding="utf-8")
BLOCK = r"<!-- {kind}: (\S+) (\S+) -->\s*```yaml\n(.*?)```"
MODEL_CACHE = ROOT / ".model-cache" / "walkthrough"
SLOW_S = 2400  # a training on a busy 2-core machine


def blocks(kind: str) -> list[tuple[str, str, str]]:
    """``(file, section or response, block)`` for each marked block of the guide."""
    found = re.findall(BLOCK.format(kind=kind), GUIDE, re.DOTALL)
    assert found, f"no <!-- {kind} --> block in docs/CONTENT.md"
    return found


def scratch_copy(target: Path) -> Path:
    """The repository's tracked files, committed as an editor's clean checkout would be;
    .venv and node_modules linked, models in a cache."""
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True, text=True
    ).stdout
    for name in filter(None, listed.split("\0")):
        if (ROOT / name).is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, target / name)
    for shared in (".venv", "node_modules"):
        (target / shared).symlink_to(ROOT / shared)
    MODEL_CACHE.mkdir(parents=True, exist_ok=True)
    (target / "models").symlink_to(MODEL_CACHE)
    git = ["git", "-c", "user.name=editor", "-c", "user.email=editor@example.org"]
    subprocess.run([*git, "init", "-q"], cwd=target, check=True)
    (target / ".git" / "info" / "exclude").write_text("models\n", encoding="utf-8")
    subprocess.run([*git, "add", "-A"], cwd=target, check=True)
    subprocess.run([*git, "commit", "-qm", "before the editor's change"], cwd=target, check=True)
    return target


def add_at_end_of_section(path: Path, section: str, block: str) -> None:
    """What the guide says: paste the block at the end of the top-level ``section:``."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.rstrip() == f"{section}:")
    end = next(
        (i for i in range(start + 1, len(lines)) if re.match(r"[A-Za-z_]", lines[i])), len(lines)
    )
    while end > start + 1 and not lines[end - 1].strip():
        end -= 1
    lines[end:end] = ["\n", block]
    path.write_text("".join(lines), encoding="utf-8")


def add_last_bubble(path: Path, response: str, bubble: str) -> None:
    """The reword step: a blank line, then ``bubble``, at the end of the response's text."""
    text = path.read_text(encoding="utf-8")
    start = text.index(f"  {response}:\n")
    end = text.index("      metadata:", start)
    path.write_text(text[:end] + "\n" + bubble + text[end:], encoding="utf-8")


def run_make(root: Path, *args: str, timeout: float = SLOW_S) -> tuple[int, str]:
    """``make ARGS`` in ``root``: its exit code and output (stdout, then stderr)."""
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "PYTHONWARNINGS": "ignore"}
    done = subprocess.run(
        ["make", "--no-print-directory", *args],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    return done.returncode, done.stdout + done.stderr


def make(root: Path, *args: str) -> str:
    """``make ARGS`` in ``root``; its output, failing the test on a non-zero exit."""
    code, output = run_make(root, *args)
    assert code == 0, f"make {' '.join(args)} failed:\n{output[-4000:]}"
    return output


def test_the_guide_walk_through_runs_end_to_end(tmp_path: Path) -> None:
    root = scratch_copy(tmp_path / "repo")
    [(file, response, bubble)] = blocks("worked-reword")
    add_last_bubble(root / file, response, bubble)
    for file, section, block in blocks("worked-example") + blocks("worked-rule"):
        add_at_end_of_section(root / file, section, block)
    # A second, wrongly labelled test story: make stories must catch it through NLU.
    add_at_end_of_section(
        root / "tests/stories/test_faq.yml",
        "stories",
        "  - story: treatment question labelled paget\n    steps:\n"
        "      - user: |\n          how is bone cancer treated?\n"
        "        intent: faq/paget_disease\n      - action: utter_faq\n",
    )

    validated = make(root, "validate")
    assert "content lint OK: " in validated

    plan = yaml.safe_load((root / "plan.yml").read_text(encoding="utf-8"))
    previewed = make(root, "preview", "TEXT=what is osteosarcoma?")
    assert "topic: faq/osteosarcoma" in previewed
    nurse = f"Questions about your care? Call the {plan['plan_name']} nurse line at "
    assert f"    {nurse}{plan['nurse_line']}." in previewed
    assert "{nurse_line}" not in previewed and "{plan_name}" not in previewed

    previewed = make(root, "preview", "TEXT=what can you do?")
    assert "topic: ask_capabilities" in previewed
    assert "    I can explain bone cancer, start the back pain program, or help" in previewed

    held_out = [example for example in blocks("worked-example") if "nlu_dev" in example[0]]
    messages = re.findall(r"^      - (.+)$", held_out[0][2], re.MULTILINE)
    feedback = make(root, "feedback")
    [read] = re.findall(r"^faq/paget_disease: (\d+) of (\d+) held-out", feedback, re.MULTILINE)
    assert int(read[1]) == len(messages)
    assert int(read[0]) >= len(messages) - 1, feedback  # one miss is what the guide warns of
    assert "ask_capabilities: no held-out messages in tests/nlu_dev" in feedback
    assert "faq/osteosarcoma:" not in feedback  # its examples did not change

    asked = make(root, "stories", "INTENT=ask_capabilities")
    assert asked.splitlines()[-1] == "PASS: all 1 stories using ask_capabilities went as written"

    code, output = run_make(root, "stories", "INTENT=faq/paget_disease")
    assert code != 0, output
    assert "FAIL: 1 of 2 stories using faq/paget_disease went differently:" in output
    assert "\n  treatment question labelled paget\n" in output
    [predicted] = re.findall(r"# predicted: (\S+): how is bone cancer treated\?", output)
    assert predicted.startswith("faq/") and predicted != "faq/paget_disease"
    assert "details: results/stories-selected/failed_test_stories.yml" in output

    reported = make(root, "report")
    assert "no conversations to report" in reported
    assert not (root / "tracker.db").exists() and not (root / "reports").exists()
