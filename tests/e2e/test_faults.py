"""Faults: the action server down or hanging, a Rasa server restart, a store down at start."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import cluster as stores
import pytest
import requests
from chat import bot_texts, rest_headers, slot
from cluster import cluster_fixture, pg_store_fixture  # noqa: F401 - fixtures

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
UNAVAILABLE = "can't do that right now"
HANDOFF = "I want to talk to a nurse"
SCREEN = ["I want to start the back pain program", "no", "no"]  # then 2 questions are left


def post(url: str, sender: str, text: str) -> list[dict[str, Any]]:
    response = requests.post(
        f"{url}/webhooks/rest/webhook",
        json={"sender": sender, "message": text},
        headers=rest_headers(),
        timeout=120,
    )
    response.raise_for_status()
    return response.json()


def get_tracker(url: str, token: str, sender: str) -> dict[str, Any]:
    response = requests.get(
        f"{url}/conversations/{sender}/tracker", params={"token": token}, timeout=60
    )
    response.raise_for_status()
    return response.json()


def test_action_server_down_gets_a_clear_answer_then_recovers(servers, sender) -> None:  # type: ignore[no-untyped-def]
    servers.stop("actions")
    try:
        started = time.monotonic()
        replies = post(servers.url, sender, HANDOFF)
        assert UNAVAILABLE in bot_texts(replies), replies
        assert time.monotonic() - started < 30
    finally:
        servers.start_actions()
        servers.wait_ready()
    text = bot_texts(post(servers.url, sender, HANDOFF))
    assert "nurse line" in text and UNAVAILABLE not in text


def test_action_server_hanging_times_out_with_a_clear_answer(servers, sender) -> None:  # type: ignore[no-untyped-def]
    actions = servers.processes["actions"]
    os.killpg(actions.pid, signal.SIGSTOP)  # accepts connections, never answers
    try:
        started = time.monotonic()
        replies = post(servers.url, sender, HANDOFF)
        waited = time.monotonic() - started
    finally:
        os.killpg(actions.pid, signal.SIGCONT)
    assert UNAVAILABLE in bot_texts(replies), replies
    assert bot_texts(replies).count(UNAVAILABLE) == 1
    assert 5 < waited < 40, f"answered after {waited:.1f}s (ACTION_TIMEOUT_S is 10 s)"
    assert "nurse line" in bot_texts(post(servers.url, sender, HANDOFF))


def test_emergency_without_actions_is_not_followed_by_an_apology(servers, sender) -> None:  # type: ignore[no-untyped-def]
    servers.stop("actions")
    try:
        replies = post(servers.url, sender, "my dad collapsed and isn't breathing")
    finally:
        servers.start_actions()
        servers.wait_ready()
    assert "call 911 or go to the nearest hospital" in (replies[0].get("text") or "").lower()
    assert UNAVAILABLE not in bot_texts(replies)


def test_screen_with_the_action_server_down_resumes_when_it_is_back(servers, sender) -> None:  # type: ignore[no-untyped-def]
    for text in SCREEN:
        post(servers.url, sender, text)
    asked = slot(get_tracker(servers.url, servers.token, sender), "requested_slot")
    assert asked == "fever_nausea"
    servers.stop("actions")
    try:
        replies = post(servers.url, sender, "no")
        assert UNAVAILABLE in bot_texts(replies), replies
    finally:
        servers.start_actions()
        servers.wait_ready()
    for text in ("no", "no"):
        post(servers.url, sender, text)
    assert slot(get_tracker(servers.url, servers.token, sender), "screening_outcome") == "clear"


def _restart_mid_screen(url: str, token: str, sender: str, restart: Any) -> None:
    for text in SCREEN:
        post(url, sender, text)
    before = get_tracker(url, token, sender)
    assert slot(before, "requested_slot") == "fever_nausea"
    restart()
    after = get_tracker(url, token, sender)
    assert after["events"] == before["events"]
    assert after["active_loop"].get("name") == "back_pain_screen_form"
    for text in ("no", "no"):
        post(url, sender, text)
    assert slot(get_tracker(url, token, sender), "screening_outcome") == "clear"


def test_rasa_restart_mid_conversation_on_sqlite(servers, sender) -> None:  # type: ignore[no-untyped-def]
    def restart() -> None:
        servers.stop("rasa")
        servers.start_rasa()
        servers.wait_ready()

    _restart_mid_screen(servers.url, servers.token, sender, restart)


def test_rasa_restart_mid_conversation_on_postgresql(cluster: stores.Cluster, sender: str) -> None:
    cluster.ensure_running()
    _restart_mid_screen(cluster.replica_url(0), cluster.token, sender, lambda: cluster.restart(0))


def preflight(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "member_health_rasa.ops.preflight",
            "--endpoints",
            "endpoints.scale.yml",
        ],
        cwd=ROOT,
        env={**os.environ, **stores.service_env(), "DB_NAME": "test", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    "env, expected",
    [
        ({"DB_PORT": "closed"}, "the tracker store (PostgreSQL at 127.0.0.1:{port}, database"),
        ({"REDIS_PORT": "closed"}, "the lock store (Redis at 127.0.0.1:{port}"),
        ({"DB_NAME": "no_such_database"}, "database 'no_such_database') is unreachable"),
    ],
)
def test_store_down_at_start_is_one_clear_line(env: dict[str, str], expected: str) -> None:
    port = str(stores.free_port())  # nothing listens there
    env = {key: port if value == "closed" else value for key, value in env.items()}
    result = preflight(env)
    assert result.returncode == 2
    assert expected.format(port=port) in result.stderr
    assert "unreachable" in result.stderr or "cannot" in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_missing_variable_is_named() -> None:
    env = {
        key: value
        for key, value in {**os.environ, **stores.service_env()}.items()
        if key != "REDIS_PASSWORD"
    }
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "member_health_rasa.ops.preflight",
            "--endpoints",
            "endpoints.scale.yml",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "REDIS_PASSWORD" in result.stderr and "Traceback" not in result.stderr


def test_preflight_passes_when_the_stores_answer(pg_store) -> None:  # type: ignore[no-untyped-def]
    result = preflight(pg_store.env)
    assert result.returncode == 0, result.stderr
    assert "tracker store: PostgreSQL" in result.stdout and "lock store: Redis" in result.stdout


def test_launcher_with_the_database_down_stops_with_one_clear_line() -> None:
    port = str(stores.free_port())
    result = subprocess.run(
        [sys.executable, "-m", "member_health_rasa.tools.serve",
         "--endpoints", "endpoints.scale.yml",
         "--port", str(stores.free_port()), "--actions-port", str(stores.free_port())],
        cwd=ROOT,
        env={**os.environ, **stores.service_env(), "DB_NAME": "test", "DB_PORT": port,
             "RASA_AUTH_TOKEN": "t" * 20},
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode != 0
    assert f"serve: the tracker store (PostgreSQL at 127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr
