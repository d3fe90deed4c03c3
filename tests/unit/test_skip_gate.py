"""The skip gate of tests/conftest.py: every run ends with the number of skipped tests, and a
skip fails the run unless ALLOW_MISSING=1 (tests/e2e/cluster.py require() skips only then).

Each case runs pytest on a throw-away test file with a copy of the project's conftest."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

CONFTEST = Path(__file__).resolve().parents[1] / "conftest.py"
TESTS = """
import pytest

def test_passes():
    pass

def test_needs_a_missing_service():
    pytest.skip("PostgreSQL is not reachable")
"""


def run(tmp_path: Path, allow_missing: str, *args: str) -> subprocess.CompletedProcess:
    shutil.copy(CONFTEST, tmp_path / "conftest.py")
    (tmp_path / "test_sample.py").write_text(TESTS, encoding="utf-8")
    env = {**os.environ, "ALLOW_MISSING": allow_missing, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-c", os.devnull,
         "--rootdir", str(tmp_path), str(tmp_path), *args],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


@pytest.mark.parametrize(
    "allow_missing, args, code, line",
    [
        ("", [], 1, "skipped tests: 1: the run FAILS"),
        ("1", [], 0, "skipped tests: 1 (ALLOW_MISSING=1, on purpose)"),
        ("", ["-k", "passes"], 0, "skipped tests: 0"),
    ],
)
def test_the_run_ends_with_the_skip_count_and_fails_on_a_skip(
    tmp_path: Path, allow_missing: str, args: list[str], code: int, line: str
) -> None:
    result = run(tmp_path, allow_missing, *args)
    assert result.returncode == code, result.stdout + result.stderr
    assert line in result.stdout, result.stdout
