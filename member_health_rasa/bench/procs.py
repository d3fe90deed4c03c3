"""Memory of a server: every process of its session (Sanic workers included).

member_health_rasa/tools/serve.py starts each server in a new session, so the server's pid is the
session id of all its processes. Read from /proc (Linux), no extra dependency. RSS counts the pages
several processes share (Sanic workers forked after Rasa is imported) once per process; PSS divides
them among the sharers, so the PSS sum is what the server really takes.
"""
from __future__ import annotations

import threading
from collections.abc import Mapping
from pathlib import Path

PROC = Path("/proc")


def _session_of(stat: str) -> int:
    # /proc/<pid>/stat: "pid (comm) state ppid pgrp session ..."; comm may hold spaces.
    return int(stat.rsplit(")", 1)[1].split()[3])


def _kb(text: str, field: str) -> int:
    for line in text.splitlines():
        if line.startswith(field):
            return int(line.split()[1])
    return 0


def session_memory_mb(session: int, proc: Path = PROC) -> tuple[float, float]:
    """Summed (RSS, PSS) in MB of the live processes whose session id is ``session``."""
    rss_kb = pss_kb = 0
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if _session_of((entry / "stat").read_text()) != session:
                continue
            rss_kb += _kb((entry / "status").read_text(), "VmRSS:")
            pss_kb += _kb((entry / "smaps_rollup").read_text(), "Pss:")
        except (OSError, ValueError, IndexError):
            continue  # the process ended meanwhile
    return round(rss_kb / 1024, 1), round(pss_kb / 1024, 1)


class PeakMemory:
    """Samples the memory of some servers in a thread; peaks in ``rss`` and ``pss`` (MB)."""

    def __init__(self, sessions: Mapping[str, int], interval_s: float = 0.2) -> None:
        self.sessions = dict(sessions)
        self.interval_s = interval_s
        self.rss: dict[str, float] = {name: 0.0 for name in self.sessions}
        self.pss: dict[str, float] = {name: 0.0 for name in self.sessions}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def sample(self) -> None:
        """Takes one sample of every server."""
        for name, session in self.sessions.items():
            rss, pss = session_memory_mb(session)
            self.rss[name] = max(self.rss[name], rss)
            self.pss[name] = max(self.pss[name], pss)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval_s)

    def __enter__(self) -> PeakMemory:
        self.sample()
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()
