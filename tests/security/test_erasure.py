"""Erasure that erases (issue 16 item 5): "forget me" and the purge leave no copy of the text in
the SQLite files (the WAL included) nor in a content report; reports redact member text by
default; emergency log lines key members by an HMAC, not a reversible hash.

Real SQLite files written by the real tracker store (``PrivacySQLTrackerStore``, the class the
Rasa server loads) and, in the last test, the real servers; the files are read as bytes.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml

ROOT = Path(__file__).resolve().parents[2]
DAY = 86400.0


def secret_text() -> str:
    return f"my diagnosis is osteosarcoma, member {uuid.uuid4().hex}"


def file_bytes(db: Path) -> dict[str, bytes]:
    """The database, its WAL and its journal, as stored on disk."""
    return {
        path.name: path.read_bytes()
        for path in (db.with_name(db.name + suffix) for suffix in ("", "-wal", "-journal"))
        if path.exists()
    }


def holding(db: Path, text: str) -> list[str]:
    """The files of ``db`` holding ``text`` (as stored in the events' JSON)."""
    return [name for name, data in file_bytes(db).items() if text.encode() in data]


def real_store(db: Path) -> Any:
    from rasa.shared.core.domain import Domain

    from member_health_rasa.ops.tracker_store import PrivacySQLTrackerStore

    return PrivacySQLTrackerStore(domain=Domain.empty(), dialect="sqlite", db=str(db))


async def say(store: Any, sender: str, text: str, age_days: float = 0.0) -> None:
    """Store a turn: a message (classified as not understood) and the reply."""
    from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    at = time.time() - age_days * DAY
    tracker = await store.retrieve(sender) or DialogueStateTracker(sender, [])
    parse = {"text": text, "intent": {"name": "nlu_fallback", "confidence": 0.3}}
    for event in (
        ActionExecuted("action_listen", timestamp=at),
        UserUttered(text, parse["intent"], parse_data=parse, timestamp=at + 1),
        ActionExecuted("action_default_fallback", timestamp=at + 2),
        BotUttered("Sorry, I didn't get that.", timestamp=at + 3),
    ):
        tracker.update(event)
    await store.save(tracker)


async def confirm_forget_me(store: Any, sender: str) -> None:
    """The turn ``action_forget_me`` returns: the store deletes the conversation on saving it."""
    from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered

    tracker = await store.retrieve(sender)
    tracker.update(UserUttered("yes", {"name": "affirm", "confidence": 1.0}))
    tracker.update(ActionExecuted("action_forget_me"))
    tracker.update(SlotSet("forget_me_confirmed", True))
    await store.save(tracker)


def make_report(db: Path, out: Path, *extra: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "member_health_rasa.tools.report", "--db", f"sqlite:///{db}"]
        + ["--out", str(out), *extra],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return result.stdout


def report_texts(out: Path) -> str:
    return "".join(path.read_text() for path in out.glob("*.md"))


async def test_forget_me_leaves_no_text_in_the_database_or_its_wal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REPORTS_DIR", str(tmp_path / "reports"))
    db = tmp_path / "tracker.db"
    store = real_store(db)
    member, other = f"member-{uuid.uuid4().hex}", f"other-{uuid.uuid4().hex}"
    text, kept = secret_text(), secret_text()
    await say(store, other, kept)
    await say(store, member, text)
    await say(store, member, "and it has spread to my lungs")
    assert holding(db, text) != []  # the check below can see the text where it is stored

    await confirm_forget_me(store, member)

    assert await store.retrieve(member) is None
    assert holding(db, text) == []
    assert holding(db, member) == []
    assert holding(db, kept) != []  # the other member's conversation is still there


async def test_forget_me_deletes_the_reports_quoting_the_member(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reports = tmp_path / "reports"
    monkeypatch.setenv("REPORTS_DIR", str(reports))
    db = tmp_path / "tracker.db"
    store = real_store(db)
    member, text = f"member-{uuid.uuid4().hex}", secret_text()
    await say(store, member, text)
    make_report(db, reports, "--include-text")
    assert text in report_texts(reports)
    quoted = sorted(p.name for p in reports.iterdir() if not p.name.startswith("."))
    assert len(quoted) == 3  # .md, .png and the index

    await confirm_forget_me(store, member)

    assert sorted(p.name for p in reports.iterdir() if not p.name.startswith(".")) == []


async def test_report_redacts_member_text_by_default(tmp_path: Path) -> None:
    db = tmp_path / "tracker.db"
    store = real_store(db)
    text = secret_text()
    await say(store, f"member-{uuid.uuid4().hex}", text)
    out = tmp_path / "reports"
    printed = make_report(db, out)
    markdown = report_texts(out)
    assert "| member messages | 1 |" in markdown
    assert f"| (redacted #1, {len(text)} characters) | 1 |" in markdown
    assert text not in markdown and text not in printed
    assert "osteosarcoma" not in markdown
    assert {p.name: oct(p.stat().st_mode & 0o777) for p in out.iterdir()} == {
        p.name: "0o600" for p in out.iterdir()
    }


def purge(db: Path, tmp_path: Path, *extra: str) -> str:
    """``python -m member_health_rasa.ops.purge --days 30`` on an endpoints file naming ``db``."""
    endpoints = tmp_path / "endpoints.yml"
    store = {
        "type": "member_health_rasa.ops.tracker_store.PrivacySQLTrackerStore",
        "dialect": "sqlite",
        "db": str(db),
    }
    endpoints.write_text(yaml.safe_dump({"tracker_store": store}))
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "member_health_rasa.ops.purge",
            "--days",
            "30",
            "--endpoints",
            str(endpoints),
            *extra,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


async def test_purge_leaves_no_text_in_the_database_or_its_wal(tmp_path: Path) -> None:
    db = tmp_path / "tracker.db"
    store = real_store(db)  # the server's store stays open, as in production
    old, new = f"old-{uuid.uuid4().hex}", f"new-{uuid.uuid4().hex}"
    old_text, new_text = secret_text(), secret_text()
    await say(store, old, old_text, age_days=45)
    await say(store, new, new_text, age_days=1)
    assert holding(db, old_text) != []

    printed = purge(db, tmp_path)

    assert old not in printed and "deleted 1 conversation(s)" in printed
    assert holding(db, old_text) == [] and holding(db, old) == []
    assert holding(db, new_text) != []


async def test_purge_deletes_the_reports_quoting_purged_members(tmp_path: Path) -> None:
    db = tmp_path / "tracker.db"
    store = real_store(db)
    old, new = f"old-{uuid.uuid4().hex}", f"new-{uuid.uuid4().hex}"
    old_text, new_text = secret_text(), secret_text()
    await say(store, old, old_text, age_days=45)
    await say(store, new, new_text, age_days=1)
    since = time.strftime("%Y-%m-%d", time.gmtime(time.time() - 60 * DAY))
    old_reports, new_reports = tmp_path / "old", tmp_path / "new"
    make_report(db, old_reports, "--include-text", "--since", since)
    make_report(db, new_reports, "--include-text")  # the last 30 days: the new member only
    assert old_text in report_texts(old_reports) and old_text not in report_texts(new_reports)

    purge(db, tmp_path, "--reports", str(old_reports))
    purge(db, tmp_path, "--reports", str(new_reports))

    assert report_texts(old_reports) == ""
    assert new_text in report_texts(new_reports)


def test_emergency_log_ids_are_an_hmac_under_the_secret_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from rasa_sdk import Tracker

    from actions.emergency import escalation_record

    phone = "+15035550123"
    tracker = Tracker(phone, {}, {"text": "x"}, [], False, None, {}, "utter_emergency")
    monkeypatch.setenv("LOG_ID_KEY", "first-key")
    first = escalation_record(tracker)["conversation"]
    monkeypatch.setenv("LOG_ID_KEY", "second-key")
    second = escalation_record(tracker)["conversation"]

    assert first != hashlib.sha256(phone.encode()).hexdigest()[:16]
    assert first == hmac.new(b"first-key", phone.encode(), hashlib.sha256).hexdigest()[:16]
    assert second != first and len(second) == 16


# A name no other test uses: the servers (and their tracker file) are shared by the session,
# and tests/e2e/test_privacy_e2e.py keeps another member's "Bartholomew Quince" on purpose.
FORGET_NAME = f"Zebedee Quillfeather{uuid.uuid4().hex[:8]}"
FORGET_TEXT = f"my neighbour {FORGET_NAME} has osteosarcoma in his left femur"


@pytest.mark.e2e
def test_forget_me_over_the_real_server_leaves_no_text_in_the_wal(servers) -> None:  # type: ignore[no-untyped-def]
    sender = f"erasure-{uuid.uuid4().hex}"

    def post(text: str) -> list[dict[str, Any]]:
        response = requests.post(
            f"{servers.url}/webhooks/rest/webhook",
            json={"sender": sender, "message": text},
            headers={"Authorization": f"Bearer {os.environ.get('REST_CHANNEL_TOKEN', '')}"},
            timeout=120,
        )
        assert response.status_code == 200
        return response.json()

    db = Path(servers.tracker_db)
    post("hello")
    post(FORGET_TEXT)
    assert holding(db, FORGET_NAME) != []
    post("please forget me and delete my data")
    assert "deleted" in " ".join(r.get("text") or "" for r in post("yes"))
    assert holding(db, FORGET_NAME) == []
    assert holding(db, sender) == []
