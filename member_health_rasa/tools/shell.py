"""Chat with the assistant in the terminal: ``make shell``.

``python -m member_health_rasa.tools.shell [--model FILE] [--port N]``.

Starts its own action server, then ``rasa shell`` with the current model (models/current.txt)
and this repository's endpoints, the conversation kept in memory only. Type ``/stop`` or press
Ctrl-C to end; the action server stops with it.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from member_health_rasa.tools.local_actions import action_server, editor_endpoints
from member_health_rasa.tools.serve import ROOT, Servers, current_model


def shell_command(model: Path, endpoints: Path, port: int = 5006) -> list[str]:
    """``rasa shell`` (it reads credentials.yml but uses only the terminal channel) through
    ``member_health_rasa.ops.rasa_entry``, so it has the server's extensions (action guard, ...)."""
    return [
        *Servers.entry_point(),
        "shell",
        "--model",
        str(model),
        "--endpoints",
        str(endpoints),
        "--port",
        str(port),
    ]


def main(argv: Sequence[str] | None = None) -> int:
    """CLI entry point; returns rasa shell's exit code."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", type=Path, help="default: models/current.txt")
    parser.add_argument("--port", type=int, default=5006, help="rasa shell's own server port")
    args = parser.parse_args(argv)
    model = args.model or current_model()
    with tempfile.TemporaryDirectory(prefix="shell-") as scratch:
        print("shell: starting the action server and loading the model (up to a minute)...")
        with action_server(Path(scratch)) as url:
            endpoints = editor_endpoints(ROOT / "endpoints.yml", url, Path(scratch) / "e.yml")
            try:
                return subprocess.call(shell_command(model, endpoints, args.port), cwd=ROOT)
            except KeyboardInterrupt:
                return 130


if __name__ == "__main__":
    sys.exit(main())
