"""member_health is the pure core: the Rasa server and the action server both use it, so it
imports neither Rasa, rasa-sdk nor Sanic (directly or through anything it imports)."""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import member_health

CORE = Path(member_health.__file__).parent
FORBIDDEN = ("rasa", "rasa_sdk", "sanic")


def imported_names(path: Path) -> set[str]:
    """The top-level names of every module ``path`` imports (at any depth of its code)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


def test_no_core_module_imports_rasa_sdk_or_sanic() -> None:
    modules = sorted(CORE.glob("*.py"))
    assert len(modules) > 5
    found = {
        path.name: sorted(imported_names(path) & set(FORBIDDEN))
        for path in modules
        if imported_names(path) & set(FORBIDDEN)
    }
    assert found == {}


def test_importing_the_whole_core_loads_no_rasa_sdk_or_sanic() -> None:
    names = [f"member_health.{path.stem}" for path in sorted(CORE.glob("*.py"))]
    probe = (
        "import importlib, sys\n"
        f"for name in {names!r}: importlib.import_module(name)\n"
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & {set(FORBIDDEN)!r}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=180, check=True
    )
    assert done.stdout.strip().splitlines()[-1] == "[]"
