"""Start the action server and the Rasa server together; Ctrl-C stops both.

Used by ``make run`` and by the end-to-end tests (``Servers``), so both run the servers the same
way. The Rasa HTTP API is on and requires the token from ``RASA_AUTH_TOKEN``.
"""
from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
import yaml

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
STARTUP_TIMEOUT_S = 240  # TensorFlow import + model load take 60-70 s on a busy 2-core machine


def current_model() -> Path:
    """The model ``scripts/train.sh`` last trained or reused."""
    pointer = ROOT / "models" / "current.txt"
    if not pointer.exists():
        sys.exit("serve: no trained model; run 'make train' first")
    return ROOT / pointer.read_text().strip()


def runtime_endpoints(
    source: Path, actions_port: int, out: Path, tracker_db: str | None = None
) -> Path:
    """Copy an endpoints file, pointing the action endpoint at ``actions_port``."""
    config = yaml.safe_load(source.read_text(encoding="utf-8")) or {}
    config["action_endpoint"] = {"url": f"http://127.0.0.1:{actions_port}/webhook"}
    if tracker_db and config.get("tracker_store", {}).get("dialect") == "sqlite":
        config["tracker_store"]["db"] = tracker_db
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
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
    source: Path, out: Path, env: Mapping[str, str] | None = None
) -> tuple[Path, list[str]]:
    """Fill a credentials template from the environment, leaving out unconfigured channels.

    Rasa refuses a credentials file with an unset ``${VAR}``, so each channel whose required
    variables are not all set is dropped (and named in the returned list) instead. The file
    holds secrets: it is written readable by its owner only.
    """
    env = os.environ if env is None else env
    template = yaml.safe_load(source.read_text(encoding="utf-8")) or {}
    config: dict[str, Any] = {}
    off: list[str] = []
    for channel, settings in template.items():
        missing: list[str] = []
        filled = _fill(settings, env, missing)
        if missing:
            off.append(f"{channel} (set {', '.join(missing)})")
        else:
            config[channel] = filled
    out.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        yaml.safe_dump(config, handle, sort_keys=False)
    os.chmod(out, 0o600)
    return out, off


def preflight(endpoints: Path, env: Mapping[str, str] | None = None) -> None:
    """Stop with one clear line when a store the endpoints configure is down (ops/preflight.py).

    A stock Rasa server would retry an unreachable SQL store forever or print a stack trace.
    ``env``: the environment the Rasa server gets (default: this process's).
    """
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from ops.preflight import StoreUnreachable, check

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
        """Start the action server on loopback only."""
        env = {**os.environ, **self.env, "SANIC_HOST": "127.0.0.1"}
        self._spawn(
            "actions",
            [
                str(VENV_BIN / "rasa"),
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
            ROOT / "credentials.yml", self.log_dir / f"credentials-{self.rasa_port}.yml", env
        )
        if off:
            print(f"serve: channels off: {', '.join(off)}", file=sys.stderr)
        self._spawn("rasa", self.rasa_command(endpoints, credentials), env)

    def rasa_command(self, endpoints: Path, credentials: Path) -> list[str]:
        """``rasa run`` with the API, the token, our channels and stores."""
        return [
            str(VENV_BIN / "rasa"),
            "run",
            "--enable-api",
            f"--auth-token={self.token}",  # "=": a random token may start with "-"
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
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.log_dir / f"{name}-{self.rasa_port}.log", "ab")
        self.processes[name] = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
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

    def stop(self, name: str | None = None) -> None:
        """Stop one server (or both): SIGTERM, then SIGKILL after 10 s."""
        for key in [name] if name else list(self.processes):
            process = self.processes.pop(key, None)
            if process is None or process.poll() is not None:
                continue
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def main() -> None:
    """``make run``: start both servers, say where to chat, stop both on Ctrl-C."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=int(os.environ.get("RASA_PORT", 5005)))
    parser.add_argument("--actions-port", type=int, default=5055)
    parser.add_argument("--endpoints", default=os.environ.get("ENDPOINTS", "endpoints.yml"))
    args = parser.parse_args()
    token = os.environ.get("RASA_AUTH_TOKEN")
    if not token:
        sys.exit("serve: RASA_AUTH_TOKEN is not set (make run creates one in .env)")
    servers = Servers(
        token=token,
        rasa_port=args.port,
        actions_port=args.actions_port,
        endpoints=ROOT / args.endpoints,
        interface=os.environ.get("RASA_INTERFACE", "127.0.0.1"),
        cors=os.environ.get("WIDGET_ORIGIN", f"http://localhost:{args.port}"),
    )
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        servers.start_actions()
        servers.start_rasa()
        print("serve: starting the action server and the Rasa server (about a minute)...")
        servers.wait_ready()
        print(
            f"""
serve: ready. Logs in {servers.log_dir}/.
  Chat:  {servers.url}/webhooks/widget/  (the website widget's demo page)
  REST:  curl -s {servers.url}/webhooks/rest/webhook -d '{{"sender": "me", "message": "hello"}}'
  Shell: make shell  (chat in this terminal, in a second window)
  API:   {servers.url}/status?token=$RASA_AUTH_TOKEN  (the token is in .env)
Ctrl-C stops both servers.""",
            flush=True,
        )
        while all(p.poll() is None for p in servers.processes.values()):
            time.sleep(1)
        print("serve: a server exited; see the logs", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        print("\nserve: stopping")
    finally:
        servers.stop()


if __name__ == "__main__":
    main()
