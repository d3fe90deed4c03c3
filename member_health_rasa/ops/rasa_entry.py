"""Run Rasa's CLI in this process, taking the API token from the environment or a file.

    python -m member_health_rasa.ops.rasa_entry run --enable-api ...   # the launcher (serve)
    python -m member_health_rasa.ops.rasa_entry run actions --actions actions

A token on a command line is readable by every local user (``ps``, ``/proc/<pid>/cmdline``).
This entry point reads it from ``RASA_AUTH_TOKEN_FILE`` (a file readable by its owner only) or
``RASA_AUTH_TOKEN`` and hands it to Rasa's argument parser in-process (``sys.argv``), so the
process's real command line never holds it. It also:

- sets ``umask 077``: the tracker file, its WAL and anything else the server writes are
  readable by their owner only;
- turns Rasa's telemetry off unless ``RASA_TELEMETRY_ENABLED`` says otherwise;
- stops the server when the launcher that started it dies (``MEMBER_HEALTH_PARENT_PID``:
  Linux's parent-death signal), so a killed launcher never leaves a server holding its port;
- registers the project's Rasa plugin, which installs every extension that cannot be a
  supported class when a ``rasa run`` or ``rasa shell`` server starts
  (``member_health_rasa.ops.extensions``: why there, and what).

Imports no Rasa code until the token is read (fast refusals).
"""
from __future__ import annotations

import ctypes
import os
import signal
import stat
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

TOKEN_ENV = "RASA_AUTH_TOKEN"
TOKEN_FILE_ENV = "RASA_AUTH_TOKEN_FILE"
TELEMETRY_ENV = "RASA_TELEMETRY_ENABLED"
PARENT_ENV = "MEMBER_HEALTH_PARENT_PID"
PR_SET_PDEATHSIG = 1


class TokenError(Exception):
    """The token cannot be used (on the command line, or in a file others can read)."""


def read_token(env: Mapping[str, str]) -> str | None:
    """The API token: ``RASA_AUTH_TOKEN_FILE``'s content, else ``RASA_AUTH_TOKEN``, else None.

    A token file that group or others can read is refused.
    """
    path = env.get(TOKEN_FILE_ENV)
    if path:
        mode = Path(path).stat().st_mode
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise TokenError(f"{path} is readable by other users (chmod 600 it)")
        token = Path(path).read_text(encoding="utf-8").strip()
        if not token:
            raise TokenError(f"{path} is empty")
        return token
    return env.get(TOKEN_ENV) or None


def rasa_argv(args: Sequence[str], token: str | None) -> list[str]:
    """Rasa's arguments with the token added (only to a server with the HTTP API on)."""
    if any(arg == "--auth-token" or arg.startswith("--auth-token=") for arg in args):
        raise TokenError("pass the token in RASA_AUTH_TOKEN_FILE or RASA_AUTH_TOKEN, not argv")
    if token and "--enable-api" in args:
        return [*args, f"--auth-token={token}"]  # "=": a random token may start with "-"
    return list(args)


def _die_with_parent(env: Mapping[str, str]) -> None:
    """SIGTERM this process when the launcher dies (Linux); exit now if it is already gone."""
    parent = env.get(PARENT_ENV)
    if not parent or not sys.platform.startswith("linux"):
        return
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0)
    except (OSError, AttributeError):
        return
    if os.getppid() != int(parent):
        sys.exit("rasa_entry: the launcher is gone; not starting")


def main(argv: Sequence[str] | None = None) -> None:
    """Set up the process (umask, telemetry, parent death), then run Rasa's CLI in-process."""
    args = list(sys.argv[1:] if argv is None else argv)
    os.umask(0o077)
    _die_with_parent(os.environ)
    try:
        token = read_token(os.environ)
        full = rasa_argv(args, token)
    except (OSError, TokenError) as error:
        sys.exit(f"rasa_entry: {error}")
    for name in (TOKEN_ENV, TOKEN_FILE_ENV):
        os.environ.pop(name, None)  # not passed on to anything Rasa starts
    os.environ.setdefault(TELEMETRY_ENV, "false")
    sys.argv = ["rasa", *full]
    from rasa.__main__ import main as rasa_main

    from member_health_rasa.ops import extensions

    extensions.register()
    rasa_main()


if __name__ == "__main__":
    main()
