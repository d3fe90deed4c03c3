"""The installable project: its packages come from this checkout, import one another by package
name (no edit of the import path), and no module sits in a top-level package named like a PyPI
one."""
from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("member_health", "member_health_rasa", "actions")


@pytest.mark.parametrize("package", PACKAGES)
def test_the_package_under_test_is_this_checkouts(package: str) -> None:
    # A .venv shared by several checkouts (git worktrees) has the project installed from one of
    # them; `python -m pytest` (make) puts the current checkout first on the import path.
    spec = importlib.util.find_spec(package)
    assert spec is not None and spec.origin, package
    assert (
        Path(spec.origin).resolve().is_relative_to(ROOT)
    ), f"{package} comes from {spec.origin}: run `python -m pytest` from {ROOT}"


def test_no_module_edits_the_import_path() -> None:
    edits = re.compile(r"\bsys\.path\b")
    found = [
        str(path.relative_to(ROOT))
        for folder in (*PACKAGES, "tests")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if path != Path(__file__).resolve() and edits.search(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_the_old_top_level_packages_are_gone() -> None:
    # channels, nlu, ops (PyPI names) and scripts/bench live in member_health_rasa now.
    left = [name for name in ("channels", "nlu", "ops", "bench") if (ROOT / name).exists()]
    assert left == [] and not list((ROOT / "scripts").glob("*.py"))
