"""Shared fixtures: the trained model (in-process) and the real servers (subprocesses)."""
from __future__ import annotations

import os
import secrets
import socket
import subprocess
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from member_health_rasa.tools.serve import Servers

ROOT = Path(__file__).resolve().parent.parent
# The REST channel is internal and needs a shared token: one for every server the tests start
# (they inherit the environment) and every request helper (tests/e2e/chat.py rest_headers).
os.environ.setdefault("REST_CHANNEL_TOKEN", secrets.token_urlsafe(32))


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def model_path() -> Path:
    """The model for the current config/domain/data: reused from the cache or trained now."""
    subprocess.run(["bash", "scripts/train.sh"], cwd=ROOT, check=True)
    return ROOT / (ROOT / "models" / "current.txt").read_text().strip()


@pytest.fixture(scope="session")
def agent(model_path: Path):  # type: ignore[no-untyped-def]
    """The trained model loaded in this process, for NLU parses."""
    from member_health_rasa.ops.quiet_agent import load_agent

    return load_agent(model_path)


ServersFactory = Callable[[str, dict[str, str]], AbstractContextManager["Servers"]]


@pytest.fixture(scope="session")
def start_servers(model_path: Path, tmp_path_factory: pytest.TempPathFactory) -> ServersFactory:
    """``with start_servers(name, env) as servers:`` the real action and Rasa servers on free
    ports, with a fresh SQLite tracker store and ``env`` added to their environment."""
    from member_health_rasa.tools.serve import Servers

    @contextmanager
    def start(name: str, env: dict[str, str]) -> Iterator[Servers]:
        tmp = tmp_path_factory.mktemp(name)
        running = Servers(
            token=secrets.token_urlsafe(16),
            rasa_port=free_port(),
            actions_port=free_port(),
            model=model_path,
            tracker_db=str(tmp / "tracker.db"),
            log_dir=tmp,
            env=env,
        )
        try:
            running.start_actions()
            running.start_rasa()
            running.wait_ready()
            yield running
        finally:
            running.stop()

    return start


@pytest.fixture(scope="session")
def servers(start_servers: ServersFactory) -> Iterator[Servers]:
    """The session's servers. They trust one proxy's X-Forwarded-For, as behind nginx:
    tests/security can then act as distinct client addresses (rate limits per address)."""
    with start_servers("servers", {"SANIC_PROXIES_COUNT": "1"}) as running:
        yield running


# --- skipped tests -------------------------------------------------------------------------------
# A test may skip only when a service it needs is missing and ALLOW_MISSING=1 says so on purpose
# (tests/e2e/cluster.py require()). Any other skip fails the run, and every run ends with the
# count: pytest's closing line leaves it out when it is 0.


def _skipped(config: pytest.Config) -> int:
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    return len(reporter.stats.get("skipped", [])) if reporter is not None else 0


def _skips_allowed() -> bool:
    return os.environ.get("ALLOW_MISSING") == "1"


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if exitstatus == pytest.ExitCode.OK and _skipped(session.config) and not _skips_allowed():
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, exitstatus: int, config: pytest.Config
) -> None:
    count = _skipped(config)
    if not count:
        terminalreporter.write_line("skipped tests: 0")
    elif _skips_allowed():
        terminalreporter.write_line(f"skipped tests: {count} (ALLOW_MISSING=1, on purpose)")
    else:
        terminalreporter.write_line(
            f"skipped tests: {count}: the run FAILS (a skip is allowed only with ALLOW_MISSING=1)",
            red=True,
            bold=True,
        )
