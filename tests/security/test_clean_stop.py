"""Clean stop (issue 16): SIGTERM or SIGINT to the launcher, alone or to its whole process group,
stops both servers within 15 s and frees their ports.

The real launcher (``member_health_rasa/tools/serve.py``) and its real servers. The group cases run
the launcher under ``timeout`` in a group of its own, as a supervisor would: ``timeout`` forwards
the signal to the launcher and then sends it to the whole group, so the launcher gets it twice,
which is what left a server running on main.
"""
from __future__ import annotations

import os
import secrets
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from serve_launcher import Launcher, launcher_env, listening

pytestmark = pytest.mark.e2e

STOP_WITHIN_S = 15
CASES = [
    ("launcher", signal.SIGTERM),
    ("launcher", signal.SIGINT),
    ("group", signal.SIGTERM),
    ("group", signal.SIGINT),
]


def case_id(case: tuple[str, signal.Signals]) -> str:
    return f"{case[1].name}-to-{case[0]}"


@pytest.fixture(scope="module")
def launchers(
    model_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Launcher]]:
    """One running launcher per case, started together (they load the model in parallel)."""
    started: dict[str, Launcher] = {}
    try:
        for case in CASES:
            started[case_id(case)] = Launcher(
                tmp=tmp_path_factory.mktemp(case_id(case)),
                env=launcher_env(RASA_AUTH_TOKEN=secrets.token_urlsafe(16)),
                under_timeout=case[0] == "group",
            ).start()
        for launcher in started.values():
            launcher.wait_ready()
        yield started
    finally:
        for launcher in started.values():
            launcher.kill()


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_a_stop_signal_stops_both_servers_and_frees_their_ports(
    launchers: dict[str, Launcher], case: tuple[str, signal.Signals]
) -> None:
    target, signum = case
    launcher = launchers[case_id(case)]
    assert launcher.process is not None
    ports = {"rasa": launcher.rasa_port, "actions": launcher.actions_port}
    assert all(listening(port) for port in ports.values())

    start = time.monotonic()
    deadline = start + STOP_WITHIN_S
    if target == "launcher":
        os.kill(launcher.launcher_pid, signum)
    else:
        os.killpg(launcher.process.pid, signum)

    returncode = launcher.process.wait(timeout=STOP_WITHIN_S)
    still_running = launcher.wait_servers_gone(deadline)
    elapsed = time.monotonic() - start
    output = launcher.drain()
    assert still_running == [], f"{still_running} still running {STOP_WITHIN_S} s after:\n{output}"
    assert elapsed <= STOP_WITHIN_S
    assert returncode == 0, output
    assert [name for name, port in ports.items() if listening(port)] == []
    assert "serve: stopping" in output
