"""The baseline: our domain and data trained with the pipeline and policies ``rasa init`` gives.

``rasa init`` (Rasa 3.6) writes a config.yml whose ``pipeline:`` and ``policies:`` are only
comments, so training uses Rasa's auto-configured defaults (``default_config.yml``: Whitespace
tokenizer, Regex/LexicalSyntactic/CountVectors featurizers, DIET and ResponseSelector with 100
epochs; Memoization, Rule, UnexpecTEDIntent and TED policies). We copy that file verbatim from
the installed Rasa package. The model is cached like ours (scripts/model_hash.sh: a hash of the
files it is trained from) as ``models/baseline-<hash>.tar.gz``.
"""
from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import rasa.cli

from member_health.paths import ROOT

RASA = ROOT / ".venv" / "bin" / "rasa"
HASHED_SUFFIXES = (".yml", ".yaml", ".py")
HASHED_NAMES = ("requirements-model.txt",)  # the pinned sentence model


def init_config_text() -> str:
    """The config.yml that ``rasa init`` writes, read from the installed Rasa package."""
    path = Path(rasa.cli.__file__).parent / "initial_project" / "config.yml"
    return path.read_text(encoding="utf-8")


def _hashed_files(root: Path, entries: list[str]) -> list[str]:
    """What ``find <entries> -type f -name '*.yml' ...`` lists, relative to ``root``."""
    found: list[str] = []
    for entry in entries:
        path = root / entry
        candidates = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
        for file in candidates:
            relative = file.relative_to(root)
            hashed = file.suffix in HASHED_SUFFIXES or file.name in HASHED_NAMES
            if hashed and "__pycache__" not in relative.parts:
                found.append(relative.as_posix())
    return sorted(found, key=lambda name: name.encode())  # LC_ALL=C sort


def tree_hash(root: Path, entries: list[str], replaced: dict[str, bytes] | None = None) -> str:
    """scripts/model_hash.sh's hash of ``entries`` (files or folders) under ``root``.

    ``sha256sum`` of every file, in byte order of the path, hashed again; first 16 hex digits.
    ``replaced`` maps a relative path to the content hashed in place of the file's (or in
    addition, when there is no such file).
    """
    replaced = replaced or {}
    names = sorted(
        set(_hashed_files(root, entries)) | set(replaced),
        key=lambda name: name.encode(),
    )
    listing = "".join(
        f"{hashlib.sha256(replaced.get(n) or (root / n).read_bytes()).hexdigest()}  {n}\n"
        for n in names
    )
    return hashlib.sha256(listing.encode()).hexdigest()[:16]


# What the baseline is trained from besides its config: Rasa's default domain file and data
# folder (the responses are in data/responses/).
TRAINED_FROM = ("domain.yml", "data")


def baseline_hash(root: Path = ROOT) -> str:
    """The hash of what the baseline is trained from: the init config, domain.yml and data/."""
    return tree_hash(root, list(TRAINED_FROM), {"config.yml": init_config_text().encode()})


def baseline_model_path(root: Path = ROOT) -> Path:
    """Where the baseline model for the current domain.yml and data/ is cached."""
    return root / "models" / f"baseline-{baseline_hash(root)}.tar.gz"


def ensure_baseline_model(root: Path = ROOT) -> Path:
    """The cached baseline model, trained now if it is missing.

    Training runs on a snapshot of domain.yml and data/ in a temporary folder, so an edit made
    meanwhile cannot end up in a model cached under the hash of other files.
    """
    target = baseline_model_path(root)
    if target.exists():
        print(f"baseline: cached model {target.relative_to(root)}", flush=True)
        return target
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="baseline-") as tmp:
        snapshot = Path(tmp)
        for entry in TRAINED_FROM:
            if (root / entry).is_dir():
                shutil.copytree(root / entry, snapshot / entry)
            else:
                shutil.copy2(root / entry, snapshot / entry)
        (snapshot / "config.yml").write_text(init_config_text(), encoding="utf-8")
        name = f"baseline-{baseline_hash(snapshot)}"
        target = root / "models" / f"{name}.tar.gz"
        print(f"baseline: training models/{target.name} (rasa init config, several minutes)")
        subprocess.run(
            # Rasa's defaults: config.yml, domain.yml and data/ of the snapshot.
            [str(RASA), "train", "--out", "out", "--fixed-model-name", name],
            cwd=snapshot,
            check=True,
            stdout=sys.stderr,
        )
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(snapshot / "out" / target.name), target)
    print(f"baseline: trained in {time.monotonic() - started:.0f} s", flush=True)
    return target
