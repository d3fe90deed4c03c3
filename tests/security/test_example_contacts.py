"""Example contacts (issue 15 item 4): a server started with plan.yml's placeholders says so
(keys, never values) at start and in ``make run``'s status; production mode refuses them.

The real launcher and the real action server.
"""
from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from serve_launcher import ROOT, free_port, launcher_env

from member_health_rasa.tools.serve import Servers, plan_status

KEYS = "plan_name, nurse_line, member_services, back_pain_program_url"
REAL = {
    "PLAN_NAME": "Northwind Health",
    "PLAN_NURSE_LINE": "1-800-624-1234",
    "PLAN_MEMBER_SERVICES": "1-800-624-5678",
    "PLAN_BACK_PAIN_PROGRAM_URL": "https://care.northwind-health.com/back-pain",
}


# The example numbers' own digits: three fives alone also match a random port in a log line.
EXAMPLE_NUMBER = "555-01"


def no_plan_env() -> dict[str, str]:
    return {k: v for k, v in launcher_env().items() if not k.startswith("PLAN_")}


def launch(env: dict[str, str], tmp: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "member_health_rasa.tools.serve", "--port", str(free_port())]
        + ["--log-dir", str(tmp)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_refuses_example_contacts_in_one_line(tmp_path: Path) -> None:
    env = {**no_plan_env(), "RASA_AUTH_TOKEN": "t", "MEMBER_HEALTH_PRODUCTION": "1"}
    result = launch(env, tmp_path)
    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("serve: MEMBER_HEALTH_PRODUCTION is on")
    assert "nurse_line (PLAN_NURSE_LINE)" in lines[0] and EXAMPLE_NUMBER not in lines[0]
    assert list(tmp_path.iterdir()) == []  # refused before starting anything


def test_the_launcher_status_names_example_keys_not_values() -> None:
    status = plan_status(no_plan_env())
    assert status is not None and status.startswith("WARNING: example plan values in use for")
    assert KEYS in status and EXAMPLE_NUMBER not in status and "example.org" not in status
    assert plan_status({**no_plan_env(), **REAL}) is None
    assert plan_status({**no_plan_env(), **REAL, "MEMBER_HEALTH_PRODUCTION": "1"}) is None


@pytest.fixture
def actions_only(tmp_path: Path) -> Iterator[Servers]:
    running = Servers(token="unused", actions_port=free_port(), log_dir=tmp_path)
    yield running
    running.stop()


def _log(server: Servers) -> str:
    return (server.log_dir / f"actions-{server.rasa_port}.log").read_text()


def test_the_action_server_warns_at_start_naming_keys_only(
    actions_only: Servers, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in [n for n in os.environ if n.startswith("PLAN_")]:
        monkeypatch.delenv(name)
    actions_only.start_actions()
    actions_only.wait_ready(timeout_s=120)
    lines = _log(actions_only).splitlines()
    warnings = [line for line in lines if " WARNING " in line and "Example plan" in line]
    assert len(warnings) == 1 and f"Example plan values in use for {KEYS}" in warnings[0]
    assert EXAMPLE_NUMBER not in _log(actions_only) and "example.org" not in _log(actions_only)


def test_the_action_server_refuses_example_contacts_in_production(
    actions_only: Servers, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in [n for n in os.environ if n.startswith("PLAN_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("MEMBER_HEALTH_PRODUCTION", "1")
    actions_only.start_actions()
    assert actions_only.processes["actions"].wait(timeout=120) != 0
    assert "MEMBER_HEALTH_PRODUCTION is on" in _log(actions_only)
