"""Start the action server and the Rasa server together; Ctrl-C stops both.

Used by ``make run`` and by the end-to-end tests (``Servers``), so both run the servers the same
way. The Rasa HTTP API is on and requires the token from ``RASA_AUTH_TOKEN``.

Secrets and files: the token reaches Rasa through a file readable by its owner only
(``member_health_rasa.ops.rasa_entry`` reads it), never through a command line, and is never
printed; the servers, their logs and the tracker file are created under ``umask 077``; the action
server gets only the variables it needs (``ACTIONS_ENV``); Rasa's telemetry is off unless
``RASA_TELEMETRY_ENABLED`` is set. SIGTERM or SIGINT (once or repeatedly, to the launcher or its
whole process group) stops both servers within ``STOP_TIMEOUT_S`` + a second.
"""
from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
import yaml

from member_health.paths import ROOT

VENV_BIN = ROOT / ".venv" / "bin"
STARTUP_TIMEOUT_S = 240  # TensorFlow import + model load take 60-70 s on a busy 2-core machine
STOP_TIMEOUT_S = 10.0  # both servers together, then SIGKILL
UMASK = 0o077
# The action server's environment: these names and prefixes only (no channel secrets, no token).
ACTIONS_ENV = frozenset(
    {
        "PATH", "HOME", "USER", "LOGNAME", "LANG", "LANGUAGE", "TZ", "TMPDIR", "VIRTUAL_ENV",
        "PYTHONPATH", "PYTHONUNBUFFERED", "PYTHONDONTWRITEBYTECODE", "PYTHONHASHSEED",
        "SSL_CERT_FILE", "SSL_CERT_DIR", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE",
        "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy",
        "LOG_LEVEL", "LOG_LEVEL_LIBRARIES", "RASA_TELEMETRY_ENABLED", "LOG_ID_KEY",
        "PLAN_CONFIG", "MEMBER_HEALTH_PRODUCTION", "MEMBER_HEALTH_PARENT_PID",
        "EMERGENCY_WEBHOOK_URL", "EMERGENCY_WEBHOOK_TOKEN", "EMERGENCY_WEBHOOK_TIMEOUT",
        "MAX_BODY_BYTES", "MAX_MESSAGE_CHARS", "MAX_SENDER_CHARS",
    }
)  # fmt: skip
ACTIONS_ENV_PREFIXES = ("LC_", "PLAN_", "SANIC_")
# The channels: REST and the widget (no secret; what a plain `rasa run` reads), then the messaging
# channels, each on only when its variables are set.
CREDENTIALS_FILES = (ROOT / "credentials.yml", ROOT / "credentials.channels.yml")


def actions_env(env: Mapping[str, str]) -> dict[str, str]:
    """The allow-listed part of ``env`` for the action server."""
    return {
        name: value
        for name, value in env.items()
        if name in ACTIONS_ENV or name.startswith(ACTIONS_ENV_PREFIXES)
    }


def private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) readable by its owner only; tighten it if it exists."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.chmod(0o700)
    return path


def private_file(path: Path, mode: str = "ab") -> Any:
    """Open ``path`` for writing, readable by its owner only (existing files tightened too)."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if "a" in mode else os.O_TRUNC)
    fd = os.open(path, flags, 0o600)
    os.fchmod(fd, 0o600)
    return os.fdopen(fd, mode)


def sqlite_tracker_file(endpoints: Path) -> Path | None:
    """The SQLite tracker file a (runtime) endpoints file configures, if any."""
    config = yaml.safe_load(endpoints.read_text(encoding="utf-8")) or {}
    store = config.get("tracker_store") or {}
    if str(store.get("dialect") or "").lower() != "sqlite" or not store.get("db"):
        return None
    return ROOT / str(store["db"])


def tighten_sqlite_files(db: Path) -> None:
    """chmod 600 an existing SQLite file and its WAL/shared-memory/journal files."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        candidate = db.with_name(db.name + suffix)
        if candidate.exists():
            candidate.chmod(0o600)


def current_model() -> Path:
    """The model ``scripts/train.sh`` last trained or reused."""
    pointer = ROOT / "models" / "current.txt"
    if not pointer.exists():
        sys.exit("serve: no trained model; run 'make train' first")
    return ROOT / pointer.read_text().strip()


def point_actions_at(config: dict[str, Any], url: str) -> None:
    """Point an endpoints config's action endpoint at ``url``, keeping its other options
    (``enable_selective_domain``)."""
    config["action_endpoint"] = {**(config.get("action_endpoint") or {}), "url": url}


def runtime_endpoints(
    source: Path, actions_port: int, out: Path, tracker_db: str | None = None
) -> Path:
    """Copy an endpoints file, pointing the action endpoint at ``actions_port``."""
    config = yaml.safe_load(source.read_text(encoding="utf-8")) or {}
    point_actions_at(config, f"http://127.0.0.1:{actions_port}/webhook")
    if tracker_db and config.get("tracker_store", {}).get("dialect") == "sqlite":
        config["tracker_store"]["db"] = tracker_db
    private_dir(out.parent)
    with private_file(out, "w") as handle:
        yaml.safe_dump(config, handle, sort_keys=False)
    return out


_VARIABLE = re.compile(r"\$\{(\w+)(:-[^}]*)?\}")
_OMIT = object()


def _fill(value: Any, env: Mapping[str, str], missing: list[str]) -> Any:
    """Fill ``${VAR}`` / ``${VAR:-default}`` in a credentials value, noting unset VARs in missing.

    A setting that is only an optional variable, unset, is left out (``_OMIT``).
    """
    if isinstance(value, dict):
        filled = {key: _fill(item, env, missing) for key, item in value.items()}
        return {key: item for key, item in filled.items() if item is not _OMIT}
    if not isinstance(value, str):
        return value

    def substitute(match: re.Match[str]) -> str:
        name, default = match.group(1), match.group(2)
        if env.get(name):
            return env[name]
        if default is None:
            missing.append(name)
            return ""
        return default[2:]

    result = _VARIABLE.sub(substitute, value)
    whole = _VARIABLE.fullmatch(value)
    return _OMIT if whole and whole.group(2) is not None and not result else result


def runtime_credentials(
    sources: Sequence[Path], out: Path, env: Mapping[str, str] | None = None
) -> tuple[Path, list[str]]:
    """Merge credentials templates into one file, filled from the environment, leaving out
    unconfigured channels.

    Rasa refuses a credentials file with an unset ``${VAR}``, so each channel whose required
    variables are not all set is dropped (and named in the returned list) instead. A channel
    named in two sources is an error. The file holds secrets: it is written readable by its
    owner only.
    """
    env = os.environ if env is None else env
    template: dict[str, Any] = {}
    for source in sources:
        channels = yaml.safe_load(source.read_text(encoding="utf-8")) or {}
        twice = sorted(set(template) & set(channels))
        if twice:
            raise ValueError(f"{source.name}: channels already configured: {', '.join(twice)}")
        template.update(channels)
    config: dict[str, Any] = {}
    off: list[str] = []
    for channel, settings in template.items():
        missing: list[str] = []
        filled = _fill(settings, env, missing)
        if missing:
            off.append(f"{channel} (set {', '.join(missing)})")
        else:
            config[channel] = filled
    private_dir(out.parent)
    with private_file(out, "w") as handle:
        yaml.safe_dump(config, handle, sort_keys=False)
    return out, off


def preflight(endpoints: Path, env: Mapping[str, str] | None = None) -> None:
    """Stop with one clear line when a store the endpoints configure is down (``ops.preflight``).

    A stock Rasa server would retry an unreachable SQL store forever or print a stack trace.
    ``env``: the environment the Rasa server gets (default: this process's).
    """
    from member_health_rasa.ops.preflight import StoreUnreachable, check

    try:
        check(endpoints, env)
    except StoreUnreachable as error:
        raise SystemExit(f"serve: {error}") from None


@dataclass
class Servers:
    """A running action server and Rasa server."""

    token: str
    rasa_port: int = 5005
    actions_port: int = 5055
    endpoints: Path = ROOT / "endpoints.yml"
    model: Path | None = None
    tracker_db: str | None = None
    log_dir: Path = ROOT / "logs"
    interface: str = "127.0.0.1"
    cors: str = "http://localhost:5005"
    env: dict[str, str] = field(default_factory=dict)  # extra environment, e.g. channel secrets
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    @property
    def url(self) -> str:
        """Base URL of the Rasa server."""
        return f"http://127.0.0.1:{self.rasa_port}"

    def start_actions(self) -> None:
        """Start the action server on loopback only, with the allow-listed variables only."""
        env = {**actions_env({**os.environ, **self.env}), "SANIC_HOST": "127.0.0.1"}
        self._spawn(
            "actions",
            [
                *self.entry_point(),
                "run",
                "actions",
                "--actions",
                "actions",
                "--port",
                str(self.actions_port),
            ],
            env,
        )

    def start_rasa(self) -> None:
        """Start the Rasa server with the API on and the token required."""
        endpoints = runtime_endpoints(
            self.endpoints,
            self.actions_port,
            self.log_dir / f"endpoints-{self.rasa_port}.yml",
            self.tracker_db,
        )
        env = {**os.environ, **self.env}
        preflight(endpoints, env)
        credentials, off = runtime_credentials(
            CREDENTIALS_FILES, self.log_dir / f"credentials-{self.rasa_port}.yml", env
        )
        if off:
            print(f"serve: channels off: {', '.join(off)}", file=sys.stderr)
        tracker = sqlite_tracker_file(endpoints)
        if tracker is not None:
            tighten_sqlite_files(tracker)
        token_file = self.log_dir / f"auth-token-{self.rasa_port}"
        with private_file(token_file, "w") as handle:
            handle.write(self.token)
        env.pop("RASA_AUTH_TOKEN", None)
        env["RASA_AUTH_TOKEN_FILE"] = str(token_file)
        self._spawn("rasa", self.rasa_command(endpoints, credentials), env)

    @staticmethod
    def entry_point() -> list[str]:
        """Rasa's CLI behind ``member_health_rasa.ops.rasa_entry`` (token from a file, umask,
        telemetry off)."""
        return [str(VENV_BIN / "python"), "-m", "member_health_rasa.ops.rasa_entry"]

    def rasa_command(self, endpoints: Path, credentials: Path) -> list[str]:
        """``rasa run`` with the API, our channels and stores; never the token."""
        return [
            *self.entry_point(),
            "run",
            "--enable-api",
            "--cors",
            self.cors,
            "--interface",
            self.interface,
            "--port",
            str(self.rasa_port),
            "--model",
            str(self.model or current_model()),
            "--endpoints",
            str(endpoints),
            "--credentials",
            str(credentials),
        ]

    def _spawn(self, name: str, command: list[str], env: dict[str, str]) -> None:
        private_dir(self.log_dir)
        env = {
            **env,
            "RASA_TELEMETRY_ENABLED": env.get("RASA_TELEMETRY_ENABLED") or "false",
            "MEMBER_HEALTH_PARENT_PID": str(os.getpid()),
        }
        with private_file(self.log_dir / f"{name}-{self.rasa_port}.log") as log:
            self.processes[name] = subprocess.Popen(
                command,
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                umask=UMASK,
            )

    def wait_ready(self, timeout_s: float = STARTUP_TIMEOUT_S) -> None:
        """Wait until the model is loaded (``/status`` with the token) and actions answer."""
        deadline = time.monotonic() + timeout_s
        checks = {
            "rasa": (f"{self.url}/status", {"token": self.token}),
            "actions": (f"http://127.0.0.1:{self.actions_port}/health", {}),
        }
        pending = {name: check for name, check in checks.items() if name in self.processes}
        while pending and time.monotonic() < deadline:
            for name, (url, params) in list(pending.items()):
                if self.processes[name].poll() is not None:
                    raise RuntimeError(f"{name} server exited; see {self.log_dir}/{name}-*.log")
                try:
                    if requests.get(url, params=params, timeout=2).ok:
                        del pending[name]
                except requests.RequestException:
                    pass
            time.sleep(1)
        if pending:
            raise TimeoutError(f"not ready after {timeout_s}s: {', '.join(pending)}")

    def stop(self, name: str | None = None, timeout_s: float = STOP_TIMEOUT_S) -> None:
        """Stop one server (or both, at the same time): SIGTERM, SIGKILL after ``timeout_s``."""
        stopping = [
            self.processes.pop(key)
            for key in ([name] if name else list(self.processes))
            if key in self.processes
        ]
        for process in stopping:
            _signal_group(process, signal.SIGTERM)
        deadline = time.monotonic() + timeout_s
        for process in stopping:
            try:
                process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _signal_group(process, signal.SIGKILL)
                process.wait()
        if not self.processes:
            (self.log_dir / f"auth-token-{self.rasa_port}").unlink(missing_ok=True)


def _signal_group(process: subprocess.Popen, signum: int) -> None:
    """Signal a server's process group (it leads its own session), if it still exists."""
    try:
        os.killpg(process.pid, signum)
    except ProcessLookupError:
        pass


class Stop(Exception):
    """SIGTERM or SIGINT: stop both servers."""


def _on_stop_signal(signum: int, _frame: Any) -> None:
    # The first signal interrupts whatever the launcher is doing; the servers are stopped in
    # ``main``'s ``finally`` with these signals ignored: ``timeout`` and process supervisors
    # send SIGTERM to the launcher and then to its whole group, and a second signal used to
    # abort the clean-up half-way, leaving a server running and holding its port.
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    raise Stop(signal.Signals(signum).name)


def plan_status(env: Mapping[str, str]) -> str | None:
    """A one-line warning naming the plan settings that hold example values (None if none).

    Raises SystemExit with one line when ``MEMBER_HEALTH_PRODUCTION`` is on and any does.
    """
    from member_health.settings import ExampleContactsError, check_plan, load_plan, production_mode

    try:
        keys = check_plan(load_plan(env), production_mode(env))
    except (ExampleContactsError, ValueError, OSError) as error:
        raise SystemExit(f"serve: {error}") from None
    if not keys:
        return None
    return (
        f"WARNING: example plan values in use for {', '.join(keys)} (plan.yml); members would "
        "see them. Set the real ones; MEMBER_HEALTH_PRODUCTION=1 refuses to start with them."
    )


def main() -> None:
    """``make run``: start both servers, say where to chat, stop both on Ctrl-C or SIGTERM."""
    os.umask(UMASK)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=int(os.environ.get("RASA_PORT", 5005)))
    parser.add_argument("--actions-port", type=int, default=5055)
    parser.add_argument("--endpoints", default=os.environ.get("ENDPOINTS", "endpoints.yml"))
    parser.add_argument("--log-dir", type=Path, default=ROOT / "logs", help="logs, runtime files")
    parser.add_argument("--tracker-db", help="SQLite tracker file (default: the endpoints')")
    args = parser.parse_args()
    token = os.environ.get("RASA_AUTH_TOKEN")
    if not token:
        sys.exit("serve: RASA_AUTH_TOKEN is not set (make run creates one in .env)")
    status = plan_status(os.environ)
    if status:
        print(f"serve: {status}", file=sys.stderr, flush=True)
    servers = Servers(
        token=token,
        rasa_port=args.port,
        actions_port=args.actions_port,
        endpoints=ROOT / args.endpoints,
        tracker_db=args.tracker_db,
        log_dir=args.log_dir.resolve(),
        interface=os.environ.get("RASA_INTERFACE", "127.0.0.1"),
        cors=os.environ.get("WIDGET_ORIGIN", f"http://localhost:{args.port}"),
    )
    signal.signal(signal.SIGTERM, _on_stop_signal)
    signal.signal(signal.SIGINT, _on_stop_signal)
    code = 0
    try:
        servers.start_actions()
        servers.start_rasa()
        print("serve: starting the action server and the Rasa server (about a minute)...")
        servers.wait_ready()
        print(
            f"""
serve: ready. Logs in {servers.log_dir}/.
  Chat:  {servers.url}/webhooks/widget/  (the website widget's demo page)
  REST:  curl -s -H "Authorization: Bearer $REST_CHANNEL_TOKEN" \\
           -d '{{"sender": "me", "message": "hello"}}' {servers.url}/webhooks/rest/webhook
         (internal, server to server; the token is in .env)
  Shell: make shell  (chat in this terminal, in a second window)
  API:   {servers.url}/status?token=$RASA_AUTH_TOKEN  (the token is in .env)
  Plan:  {status or "configured (no example values)"}
Ctrl-C stops both servers.""",
            flush=True,
        )
        while all(p.poll() is None for p in servers.processes.values()):
            time.sleep(1)
        print("serve: a server exited; see the logs", file=sys.stderr)
        code = 1
    except Stop as stop:
        print(f"\nserve: stopping ({stop})", flush=True)
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        servers.stop()
    sys.exit(code)


if __name__ == "__main__":
    main()
