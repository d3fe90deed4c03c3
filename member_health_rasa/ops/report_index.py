"""Which content reports quote which members, so "forget me" and the purge delete them too.

``make report`` redacts member text by default; with ``--include-text`` it quotes messages and
registers the report here: ``<report>.members.json`` lists the files and a keyed hash of each
quoted member's sender id (key: ``.member-key`` in the reports directory, created 0600). When a
conversation is forgotten or purged, every registered report quoting it is deleted whole.
Plain Python, no Rasa: used by the Rasa server's tracker store and by
``member_health_rasa.ops.purge``.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from collections.abc import Iterable, Mapping
from pathlib import Path

from member_health.paths import ROOT

REPORTS_ENV = "REPORTS_DIR"
KEY_FILE = ".member-key"
INDEX_SUFFIX = ".members.json"


def reports_dir(env: Mapping[str, str] | None = None) -> Path:
    """``$REPORTS_DIR`` or ``reports/`` at the repository root."""
    env = os.environ if env is None else env
    return Path(env.get(REPORTS_ENV) or ROOT / "reports")


def _key(directory: Path, create: bool) -> bytes | None:
    path = directory / KEY_FILE
    if not path.exists():
        if not create:
            return None
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text().strip().encode()


def member_hash(sender_id: str, key: bytes) -> str:
    """HMAC-SHA256 of a sender id (hex)."""
    return hmac.new(key, sender_id.encode("utf-8"), hashlib.sha256).hexdigest()


def register(directory: Path, files: Iterable[Path], senders: Iterable[str]) -> Path:
    """Record that ``files`` quote the members ``senders``; returns the index file."""
    files = [Path(f) for f in files]
    key = _key(directory, create=True)
    assert key is not None
    index = directory / (files[0].stem + INDEX_SUFFIX)
    content = {
        "files": sorted(f.name for f in files),
        "members": sorted({member_hash(s, key) for s in senders}),
    }
    fd = os.open(index, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(content, handle)
    return index


def forget(senders: Iterable[str], directory: Path | None = None) -> int:
    """Delete every registered report quoting any of ``senders``; returns how many."""
    directory = reports_dir() if directory is None else directory
    if not directory.is_dir():
        return 0
    key = _key(directory, create=False)
    if key is None:
        return 0
    wanted = {member_hash(s, key) for s in senders}
    deleted = 0
    for index in sorted(directory.glob(f"*{INDEX_SUFFIX}")):
        try:
            content = json.loads(index.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if wanted.isdisjoint(content.get("members") or []):
            continue
        for name in content.get("files") or []:
            (directory / Path(name).name).unlink(missing_ok=True)
        index.unlink(missing_ok=True)
        deleted += 1
    return deleted
