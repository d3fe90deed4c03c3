"""Privacy: "forget me" deletes the conversation (SQLite and PostgreSQL), retention purge,
no message text in the INFO logs, the action server on loopback only."""
from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml
from chat import bot_texts, rest_headers
from cluster import PgStore, cluster_fixture, pg_store_fixture  # noqa: F401 - fixtures

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
DAY = 86400.0
# Said in this module; none of it may appear in any server log at INFO.
PRIVATE = "my neighbour Bartholomew Quince wants to know about his insurance claim"


def post(url: str, sender: str, text: str) -> list[dict[str, Any]]:
    response = requests.post(
        f"{url}/webhooks/rest/webhook",
        json={"sender": sender, "message": text},
        headers=rest_headers(),
        timeout=120,
    )
    response.raise_for_status()
    return response.json()


def sqlite_rows(db: str, sender: str) -> int:
    with sqlite3.connect(db) as connection:
        return int(
            connection.execute(
                "SELECT COUNT(*) FROM events WHERE sender_id = ?", (sender,)
            ).fetchone()[0]
        )


def forget_me(url: str, sender: str, confirm: str = "yes") -> str:
    """Talk, ask to be forgotten, confirm; the bot's last answer."""
    post(url, sender, "hello")
    post(url, sender, PRIVATE)
    asked = post(url, sender, "please forget me and delete my data")
    assert "delete" in bot_texts(asked)
    assert confirm == "yes" or confirm in [b["payload"] for b in asked[-1].get("buttons", [])]
    return bot_texts(post(url, sender, confirm))


def test_forget_me_deletes_the_conversation_from_sqlite(servers, sender) -> None:  # type: ignore[no-untyped-def]
    post(servers.url, sender, "hello")
    assert sqlite_rows(servers.tracker_db, sender) > 0
    assert "deleted" in forget_me(servers.url, sender)
    assert sqlite_rows(servers.tracker_db, sender) == 0
    # The member can start again; nothing of the deleted conversation comes back.
    assert post(servers.url, sender, "hello")
    assert sqlite_rows(servers.tracker_db, sender) > 0
    with sqlite3.connect(servers.tracker_db) as connection:
        stored = connection.execute(
            "SELECT data FROM events WHERE sender_id = ?", (sender,)
        ).fetchall()
    assert not any("Bartholomew" in row[0] for row in stored)
    # No turn of the old conversation: neither the request nor the confirmation. (Not a plain
    # "forget" substring: the parse data ranks every intent, forget_me included.)
    events = [json.loads(row[0]) for row in stored]
    assert not any("forget" in str(e.get("text") or "") for e in events)
    assert not any(
        e.get("event") == "slot" and e.get("name") == "forget_me_confirmed" for e in events
    )


def test_forget_me_deletes_the_conversation_from_postgresql(cluster, pg_store, sender) -> None:  # type: ignore[no-untyped-def]
    post(cluster.url, sender, "hello")
    assert pg_store.event_count(sender) > 0
    assert "deleted" in forget_me(cluster.url, sender, confirm="/affirm")  # the button
    assert pg_store.event_count(sender) == 0


def test_forget_me_not_confirmed_keeps_the_conversation(servers, sender) -> None:  # type: ignore[no-untyped-def]
    post(servers.url, sender, "hello")
    post(servers.url, sender, "can you erase everything I told you?")
    assert "haven't deleted" in bot_texts(post(servers.url, sender, "no"))
    assert sqlite_rows(servers.tracker_db, sender) > 0


def save_conversations(endpoints: Path, ages_days: dict[str, float]) -> None:
    """Store one short conversation per sender, its events ``age`` days old (real store)."""
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, SessionStarted, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker
    from rasa.utils.endpoints import read_endpoint_config

    from member_health_rasa.ops.tracker_store import PrivacySQLTrackerStore

    config = read_endpoint_config(str(endpoints), "tracker_store")
    store = PrivacySQLTrackerStore(domain=Domain.empty(), host=config.url, **config.kwargs)
    for sender, age in ages_days.items():
        at = time.time() - age * DAY
        events = [
            ActionExecuted("action_session_start", timestamp=at),
            SessionStarted(timestamp=at),
            ActionExecuted("action_listen", timestamp=at),
            UserUttered("hello", {"name": "greet"}, timestamp=at + 1),
            ActionExecuted("action_listen", timestamp=at + 2),
        ]
        asyncio.run(store.save(DialogueStateTracker.from_events(sender, events)))


def purge(endpoints: Path, days: float) -> str:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "member_health_rasa.ops.purge",
            "--days",
            str(days),
            "--endpoints",
            str(endpoints),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env=dict(os.environ),
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def check_purge(endpoints: Path, count: Any) -> None:
    run = uuid.uuid4().hex[:8]
    ages = {f"old-{run}-a": 45, f"old-{run}-b": 31, f"new-{run}-a": 29, f"new-{run}-b": 0.01}
    save_conversations(endpoints, ages)
    assert all(count(sender) == 5 for sender in ages)
    output = purge(endpoints, 30)
    assert "deleted" in output and run not in output  # counts only, never sender ids
    remaining = {sender for sender in ages if count(sender)}
    assert remaining == {f"new-{run}-a", f"new-{run}-b"}
    assert all(count(sender) == 5 for sender in remaining)  # untouched, whole


def test_purge_deletes_conversations_older_than_n_days_from_sqlite(tmp_path: Path) -> None:
    db = tmp_path / "tracker.db"
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(
        yaml.safe_dump(
            {
                "tracker_store": {
                    "type": "member_health_rasa.ops.tracker_store.PrivacySQLTrackerStore",
                    "dialect": "sqlite",
                    "db": str(db),
                }
            }
        ),
        encoding="utf-8",
    )
    check_purge(endpoints, lambda sender: sqlite_rows(str(db), sender))


def test_purge_deletes_conversations_older_than_n_days_from_postgresql(pg_store: PgStore) -> None:
    check_purge(ROOT / "endpoints.scale.yml", pg_store.event_count)


def test_purge_with_zero_days_on_an_empty_store(tmp_path: Path) -> None:
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(
        yaml.safe_dump(
            {"tracker_store": {"type": "SQL", "dialect": "sqlite", "db": str(tmp_path / "none.db")}}
        ),
        encoding="utf-8",
    )
    assert "deleted 0 conversation(s)" in purge(endpoints, 0)


def test_info_logs_hold_no_message_text_or_slot_values(servers, sender) -> None:  # type: ignore[no-untyped-def]
    post(servers.url, sender, PRIVATE)
    for text in ["I want to start the back pain program", "no", "yes", "no", "no"]:
        post(servers.url, sender, text)
    logs = {p.name: p.read_text(errors="replace") for p in Path(servers.log_dir).glob("*.log")}
    assert logs, "no server logs found"
    for name, text in logs.items():
        assert "Bartholomew" not in text and "Quince" not in text, name
        assert "see_doctor" not in text, f"{name} holds a slot value"
        assert "DEBUG" not in text, f"{name} logs at DEBUG by default"


def test_action_server_listens_on_loopback_only(servers) -> None:  # type: ignore[no-untyped-def]
    port = f"{servers.actions_port:04X}"
    listening = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            if state == "0A" and local.endswith(f":{port}"):
                listening.append(local.split(":")[0])
    assert listening, "the action server is not listening"
    assert set(listening) <= {"0100007F", "00000000000000000000000001000000"}, listening
