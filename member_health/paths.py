"""Where the checkout is: the one place that knows how to find the repository's root.

Code reads the repository's files (config.yml, domain.yml, data/, plan.yml, models/, web/ ...)
relative to ``ROOT``. It is found by walking up from this file to the folder that holds both
``config.yml`` and ``pyproject.toml``, so it holds wherever a module sits in the packages (no
``Path(__file__).parents[n]`` that breaks when a module moves). The project is installed
editable (``make setup``: ``pip install -e .``), so this file stays inside the checkout.
"""
from __future__ import annotations

from pathlib import Path

MARKERS = ("config.yml", "pyproject.toml")


def repo_root(start: Path | str = __file__) -> Path:
    """The nearest folder at or above ``start`` holding every file of ``MARKERS``."""
    start = Path(start).resolve()
    for folder in (start, *start.parents):
        if all((folder / marker).is_file() for marker in MARKERS):
            return folder
    raise RuntimeError(
        f"no checkout above {start} (a folder with {' and '.join(MARKERS)}): "
        "install the project editable from its checkout (make setup)"
    )


ROOT = repo_root()
