"""The real launcher (``python -m member_health_rasa.tools.serve``) as a subprocess, and what
/proc says about it.

Waits are on observable events with a bound: launcher output lines (a reader thread and a
queue), process exits (``waitpid``, ``pidfd``), never a fixed sleep.
"""
from __future__ import annotations

import os
import queue
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
READY_TIMEOUT_S = 420  # several launchers loading TensorFlow at once on 2 shared cores


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def listening(port: int) -> bool:
    """Does something accept connections on 127.0.0.1:port?"""
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def children(pid: int) -> list[int]:
    """Direct children of ``pid`` (from /proc/<n>/stat)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def cmdline(pid: int) -> bytes:
    return Path(f"/proc/{pid}/cmdline").read_bytes()


def environ(pid: int) -> dict[str, str]:
    raw = Path(f"/proc/{pid}/environ").read_bytes()
    pairs = (item.decode(errors="replace").partition("=") for item in raw.split(b"\0") if item)
    return {name: value for name, _, value in pairs}


@dataclass
class Launcher:
    """The launcher started like ``make run`` does (optionally under ``timeout``)."""

    tmp: Path
    env: dict[str, str]
    under_timeout: bool = False
    rasa_port: int = field(default_factory=free_port)
    actions_port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None
    lines: queue.Queue = field(default_factory=queue.Queue)
    output: list[str] = field(default_factory=list)
    servers: dict[str, int] = field(default_factory=dict)
    pidfds: dict[str, int] = field(default_factory=dict)

    @property
    def log_dir(self) -> Path:
        return self.tmp / "logs"

    @property
    def tracker_db(self) -> Path:
        return self.tmp / "tracker.db"

    def start(self) -> Launcher:
        command = [
            str(ROOT / ".venv" / "bin" / "python"),
            "-u",
            "-m",
            "member_health_rasa.tools.serve",
            "--port",
            str(self.rasa_port),
            "--actions-port",
            str(self.actions_port),
            "--log-dir",
            str(self.log_dir),
            "--tracker-db",
            str(self.tracker_db),
        ]
        if self.under_timeout:  # a supervisor: signals the launcher, then its whole group
            command = ["timeout", "3600", *command]
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        threading.Thread(target=self._read, daemon=True).start()
        return self

    def _read(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        for raw in self.process.stdout:
            self.lines.put(raw.decode(errors="replace"))
        self.lines.put(None)

    @property
    def launcher_pid(self) -> int:
        assert self.process is not None
        if not self.under_timeout:
            return self.process.pid
        (pid,) = children(self.process.pid)
        return pid

    def wait_for(self, text: str, timeout_s: float = READY_TIMEOUT_S) -> None:
        """Wait until the launcher prints ``text`` (AssertionError on exit or timeout)."""
        deadline = time.monotonic() + timeout_s
        while not any(text in line for line in self.output):
            try:
                line = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"no {text!r} after {timeout_s}s:\n{self.text}") from None
            if line is None:
                raise AssertionError(f"launcher exited before {text!r}:\n{self.text}")
            self.output.append(line)

    def wait_ready(self) -> None:
        self.wait_for("serve: ready.")
        self.servers = {}
        for pid in children(self.launcher_pid):
            line = cmdline(pid)
            if b"actions" in line.split(b"\0"):
                self.servers["actions"] = pid
            elif b"--enable-api" in line.split(b"\0"):
                self.servers["rasa"] = pid
        assert set(self.servers) == {"rasa", "actions"}, self.servers
        self.pidfds = {name: os.pidfd_open(pid) for name, pid in self.servers.items()}

    def drain(self, timeout_s: float = 15) -> str:
        """Everything the launcher printed, after it exited."""
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                line = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                return self.text
            if line is None:
                return self.text
            self.output.append(line)

    @property
    def text(self) -> str:
        return "".join(self.output)

    def wait_servers_gone(self, deadline: float) -> list[str]:
        """Wait (until the monotonic ``deadline``) for both servers to exit; those still alive."""
        pending = dict(self.pidfds)
        while pending:
            ready, _, _ = select.select(
                list(pending.values()), [], [], max(0.0, deadline - time.monotonic())
            )
            if not ready:
                break
            pending = {name: fd for name, fd in pending.items() if fd not in ready}
        return sorted(pending)

    def kill(self) -> None:
        """Clean-up: SIGKILL what this launcher started and is still running."""
        for fd in self.pidfds.values():
            try:
                signal.pidfd_send_signal(fd, signal.SIGKILL)
            except ProcessLookupError:
                pass
            os.close(fd)
        self.pidfds = {}
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)


def launcher_env(**extra: str) -> dict[str, str]:
    """The test process's environment without telemetry settings, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if k != "RASA_TELEMETRY_ENABLED"}
    env.update(extra)
    return env


assert sys.platform.startswith("linux"), "these tests read /proc"
