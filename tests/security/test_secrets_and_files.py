"""Secrets and files (issue 16 item 4): no token on a command line or in the output, no channel
secret in the action server's environment, files readable by their owner only, telemetry off.

The real launcher (``member_health_rasa/tools/serve.py``) and its real servers, read through /proc
and os.stat.
"""
from __future__ import annotations

import os
import secrets
import sqlite3
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from serve_launcher import ROOT, Launcher, children, cmdline, environ, launcher_env

pytestmark = pytest.mark.e2e

TOKEN = "tok-" + secrets.token_urlsafe(24)
# Channel and store secrets a deployment sets; each channel left incomplete (so it stays off and
# calls no provider), but every value is in the launcher's environment.
SECRETS = {
    "TWILIO_AUTH_TOKEN": "twilio-" + secrets.token_hex(8),
    "TELEGRAM_ACCESS_TOKEN": "telegram-" + secrets.token_hex(8),
    "TELEGRAM_SECRET_TOKEN": "tgsecret-" + secrets.token_hex(8),
    "SLACK_SIGNING_SECRET": "slack-" + secrets.token_hex(8),
    "FACEBOOK_SECRET": "facebook-" + secrets.token_hex(8),
    "FACEBOOK_PAGE_ACCESS_TOKEN": "fbpage-" + secrets.token_hex(8),
    "DB_PASSWORD": "db-" + secrets.token_hex(8),
    "REDIS_PASSWORD": "redis-" + secrets.token_hex(8),
}


def rest_headers() -> dict[str, str]:
    """The REST channel is server-to-server: a bearer token when one is configured."""
    token = os.environ.get("REST_CHANNEL_TOKEN")
    return {"Authorization": f"Bearer {token}"} if token else {}


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture(scope="module")
def launcher(model_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Launcher]:
    """The launcher with secrets in its environment and a tracker file someone made 0644."""
    tmp = tmp_path_factory.mktemp("secrets")
    os.chmod(tmp, 0o755)
    running = Launcher(tmp=tmp, env=launcher_env(RASA_AUTH_TOKEN=TOKEN, **SECRETS))
    with sqlite3.connect(running.tracker_db) as connection:
        connection.execute("PRAGMA user_version = 0")
    os.chmod(running.tracker_db, 0o644)
    old = os.umask(0o022)  # a typical login umask: the launcher must not rely on the caller's
    try:
        running.start()
    finally:
        os.umask(old)
    try:
        running.wait_ready()
        reply = requests.post(
            f"http://127.0.0.1:{running.rasa_port}/webhooks/rest/webhook",
            json={"sender": "secrets-test", "message": "hello"},
            headers=rest_headers(),
            timeout=90,
        )
        assert reply.status_code == 200
        yield running
    finally:
        running.kill()


def test_the_token_is_on_no_command_line(launcher: Launcher) -> None:
    pids = [launcher.launcher_pid, *children(launcher.launcher_pid)]
    assert len(pids) == 3
    assert [pid for pid in pids if TOKEN.encode() in cmdline(pid)] == []


def test_the_token_still_protects_the_api(launcher: Launcher) -> None:
    status = f"http://127.0.0.1:{launcher.rasa_port}/status"
    assert requests.get(status, timeout=30).status_code == 401
    assert requests.get(status, params={"token": "wrong"}, timeout=30).status_code == 401
    assert requests.get(status, params={"token": TOKEN}, timeout=30).status_code == 200


def test_the_token_is_not_printed(launcher: Launcher) -> None:
    assert "serve: ready." in launcher.text
    assert TOKEN not in launcher.text


def test_the_rasa_server_environment_holds_no_token(launcher: Launcher) -> None:
    env = environ(launcher.servers["rasa"])
    assert "RASA_AUTH_TOKEN" not in env
    assert [name for name, value in env.items() if TOKEN in value] == []


def test_the_action_server_gets_no_channel_or_store_secret(launcher: Launcher) -> None:
    env = environ(launcher.servers["actions"])
    secret_values = {TOKEN, *SECRETS.values()}
    if os.environ.get("REST_CHANNEL_TOKEN"):
        secret_values.add(os.environ["REST_CHANNEL_TOKEN"])
    leaked = sorted(name for name, value in env.items() if value in secret_values)
    assert leaked == []
    assert sorted(set(SECRETS) & set(env)) == []


def test_telemetry_is_off_by_default_in_both_servers(launcher: Launcher) -> None:
    for name in ("rasa", "actions"):
        assert environ(launcher.servers[name]).get("RASA_TELEMETRY_ENABLED") == "false", name


def test_logs_and_runtime_files_are_owner_only(launcher: Launcher) -> None:
    assert mode(launcher.log_dir) == 0o700
    files = sorted(launcher.log_dir.iterdir())
    assert {p.name for p in files} >= {
        f"rasa-{launcher.rasa_port}.log",
        f"actions-{launcher.rasa_port}.log",
        f"credentials-{launcher.rasa_port}.yml",
        f"endpoints-{launcher.rasa_port}.yml",
    }
    assert {p.name: mode(p) for p in files} == {p.name: 0o600 for p in files}


def test_the_tracker_file_and_its_wal_are_owner_only(launcher: Launcher) -> None:
    db = launcher.tracker_db
    present = [db.with_name(db.name + s) for s in ("", "-wal", "-shm")]
    assert all(p.exists() for p in present), [p.name for p in present if not p.exists()]
    assert {p.name: mode(p) for p in present} == {p.name: 0o600 for p in present}


def test_env_sh_creates_a_private_env_file_and_prints_no_secret(tmp_path: Path) -> None:
    (tmp_path / ".venv").symlink_to(ROOT / ".venv")
    (tmp_path / ".env").write_text("WIDGET_ORIGIN=http://localhost:5005\n")
    os.chmod(tmp_path / ".env", 0o644)
    env = {k: v for k, v in os.environ.items() if k not in {"RASA_AUTH_TOKEN", "LOG_ID_KEY"}}
    env.pop("RASA_TELEMETRY_ENABLED", None)
    shown = subprocess.run(
        [
            "bash",
            "-c",
            f"umask 022; source {ROOT}/scripts/env.sh && "
            'echo "telemetry=$RASA_TELEMETRY_ENABLED umask=$(umask)" && touch made-after',
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    values = dict(
        line.split("=", 1) for line in (tmp_path / ".env").read_text().splitlines() if line
    )
    assert len(values["RASA_AUTH_TOKEN"]) >= 32 and len(values["LOG_ID_KEY"]) >= 32
    printed = shown.stdout + shown.stderr
    assert values["RASA_AUTH_TOKEN"] not in printed and values["LOG_ID_KEY"] not in printed
    assert "telemetry=false umask=0077" in printed
    assert mode(tmp_path / ".env") == 0o600
    assert mode(tmp_path / "made-after") == 0o600
