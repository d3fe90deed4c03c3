"""The scale-out profile for real: PostgreSQL, Redis, two Rasa replicas and nginx on loopback.

Fixtures (import them into a test module: ``from cluster import cluster_fixture``):

- ``pg_store``: a fresh PostgreSQL database for this test session (dropped afterwards), with
  the ``DB_*``/``REDIS_*`` variables of endpoints.scale.yml set for the servers;
- ``cluster``: two Rasa replicas started with endpoints.scale.yml, each with its own action
  server on loopback (as ``member_health_rasa/tools/serve.py`` runs one next to each replica,
  README: Scale-out profile), and nginx balancing them (deploy/nginx.conf.template).

PostgreSQL, Redis and nginx must be there: a missing one FAILS the tests (``make test`` starts
PostgreSQL and Redis); ``ALLOW_MISSING=1`` skips them, on purpose only.
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import string
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import redis
import requests
import sqlalchemy as sa
import yaml

ROOT = Path(__file__).resolve().parents[2]
SCALE_ENDPOINTS = ROOT / "endpoints.scale.yml"
NGINX_TEMPLATE = ROOT / "deploy" / "nginx.conf.template"
PG = {
    "DB_HOST": os.environ.get("E2E_DB_HOST", "127.0.0.1"),
    "DB_PORT": os.environ.get("E2E_DB_PORT", "5432"),
    "DB_USER": os.environ.get("E2E_DB_USER", "postgres"),
    "DB_PASSWORD": os.environ.get("E2E_DB_PASSWORD", ""),
}
REDIS = {
    "REDIS_HOST": os.environ.get("E2E_REDIS_HOST", "127.0.0.1"),
    "REDIS_PORT": os.environ.get("E2E_REDIS_PORT", "6379"),
    "REDIS_DB": os.environ.get("E2E_REDIS_DB", "1"),
    "REDIS_PASSWORD": os.environ.get("E2E_REDIS_PASSWORD", ""),
}
# Where Rasa's RedisLockStore keeps a conversation's ticket lock: endpoints.scale.yml's
# key_prefix, then Rasa's own "lock:" (rasa.core.lock_store), then the sender id.
LOCK_KEY_PREFIX = "memberhealth:lock:"


def service_env() -> dict[str, str]:
    """The DB_*/REDIS_* variables of endpoints.scale.yml for the test services (no DB_NAME)."""
    return {**PG, **REDIS}


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def require(ok: bool, why: str) -> None:
    """A missing service fails the test; ``ALLOW_MISSING=1`` (on purpose only) skips it."""
    if ok:
        return
    if os.environ.get("ALLOW_MISSING") == "1":
        pytest.skip(f"{why} (ALLOW_MISSING=1)")
    pytest.fail(f"{why} (set ALLOW_MISSING=1 to skip on purpose)", pytrace=False)


def pg_url(database: str) -> sa.engine.URL:
    """The URL of a database on the test PostgreSQL server."""
    return sa.engine.URL.create(
        "postgresql",
        username=PG["DB_USER"],
        password=PG["DB_PASSWORD"] or None,
        host=PG["DB_HOST"],
        port=int(PG["DB_PORT"]),
        database=database,
    )


def pg_admin() -> sa.engine.Engine:
    """An autocommit engine on the server's ``test`` database (to create/drop databases)."""
    return sa.create_engine(
        pg_url(os.environ.get("E2E_DB_ADMIN_DB", "test")),
        isolation_level="AUTOCOMMIT",
        connect_args={"connect_timeout": 5},
    )


def pg_reachable() -> bool:
    try:
        with pg_admin().connect() as connection:
            connection.execute(sa.text("SELECT 1"))
        return True
    except sa.exc.SQLAlchemyError:
        return False


def redis_client() -> redis.Redis:
    """A client of the lock store's Redis database (the one endpoints.scale.yml names)."""
    return redis.Redis(
        host=REDIS["REDIS_HOST"],
        port=int(REDIS["REDIS_PORT"]),
        db=int(REDIS["REDIS_DB"]),
        password=REDIS["REDIS_PASSWORD"] or None,
        socket_timeout=5,
    )


@dataclass(frozen=True)
class Ticket:
    """One ticket of a conversation's lock, as Rasa stores it (rasa.core.lock.Ticket)."""

    number: int
    expires: float


def lock_tickets(client: redis.Redis, sender: str) -> list[Ticket]:
    """The tickets of ``sender``'s lock in Redis, oldest first ([] when nobody holds it)."""
    raw = client.get(LOCK_KEY_PREFIX + sender)
    if raw is None:
        return []
    tickets = [json.loads(ticket) for ticket in json.loads(raw).get("tickets", [])]
    return [Ticket(int(t["number"]), float(t["expires"])) for t in tickets]


def hold_lock(client: redis.Redis, sender: str, until: float) -> None:
    """Take ``sender``'s lock the way a replica does (ticket 0), expiring at ``until``.

    Only on a conversation nobody holds (the key must not exist): Rasa updates locks by
    read-then-write, so writing over a lock in use could undo a replica's change.
    """
    ticket = json.dumps({"number": 0, "expires": until})
    value = json.dumps({"conversation_id": sender, "tickets": [ticket]})
    # A Redis expiry too, in case the test dies first (a replica's next write drops it).
    expiry_ms = int((until - time.time() + 60) * 1000)
    if not client.set(LOCK_KEY_PREFIX + sender, value, nx=True, px=expiry_ms):
        raise AssertionError(f"{sender}'s lock is already held")


def redis_reachable() -> bool:
    try:
        return bool(
            redis.Redis(
                host=REDIS["REDIS_HOST"], port=int(REDIS["REDIS_PORT"]), socket_timeout=5
            ).ping()
        )
    except redis.RedisError:
        return False


@dataclass
class PgStore:
    """A fresh database and the environment that points endpoints.scale.yml at it."""

    name: str
    env: dict[str, str]

    def engine(self) -> sa.engine.Engine:
        return sa.create_engine(pg_url(self.name))

    def events(self, sender: str) -> list[dict[str, Any]]:
        """One conversation's events as stored, in the order they were written."""
        with self.engine().connect() as connection:
            rows = connection.execute(
                sa.text("SELECT data FROM events WHERE sender_id = :s ORDER BY id"), {"s": sender}
            )
            return [json.loads(row[0]) for row in rows]

    def event_count(self, sender: str) -> int:
        """Rows in the tracker store for one conversation."""
        with self.engine().connect() as connection:
            return int(
                connection.execute(
                    sa.text("SELECT COUNT(*) FROM events WHERE sender_id = :s"), {"s": sender}
                ).scalar_one()
            )


@pytest.fixture(scope="session", name="pg_store")
def pg_store_fixture() -> Iterator[PgStore]:
    """A fresh PostgreSQL database; its DB_*/REDIS_* variables are in ``os.environ`` meanwhile."""
    require(pg_reachable(), f"PostgreSQL is not reachable at {PG['DB_HOST']}:{PG['DB_PORT']}")
    require(redis_reachable(), f"Redis is not reachable at {REDIS['REDIS_HOST']}")
    name = f"mh_e2e_{uuid.uuid4().hex[:10]}"
    with pg_admin().connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    env = {**PG, **REDIS, "DB_NAME": name}
    saved = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
    try:
        yield PgStore(name, env)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        with pg_admin().connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def render_nginx(prefix: Path, listen: int, ports: list[int]) -> Path:
    """deploy/nginx.conf.template with the given replicas, the way envsubst renders it."""
    upstreams = " ".join(f"server 127.0.0.1:{port};" for port in ports)
    text = string.Template(NGINX_TEMPLATE.read_text(encoding="utf-8")).safe_substitute(
        LISTEN=f"127.0.0.1:{listen}", RASA_UPSTREAMS=upstreams, NGINX_PREFIX=str(prefix)
    )
    conf = prefix / "nginx.conf"
    conf.write_text(text, encoding="utf-8")
    return conf


NGINX_READY_S = 30


def wait_for_nginx(nginx: subprocess.Popen, port: int, log: Path) -> None:
    """Until nginx passes a request through to a replica; fails loudly if nginx exits or after
    ``NGINX_READY_S`` (the tests would otherwise run against a balancer that is not there)."""
    deadline = time.monotonic() + NGINX_READY_S
    last = "no answer"
    while True:
        if nginx.poll() is not None:
            raise RuntimeError(f"nginx exited with {nginx.returncode}; see {log}")
        try:
            response = requests.get(f"http://127.0.0.1:{port}/", timeout=2)
            if response.ok:
                return
            last = f"HTTP {response.status_code}"
        except requests.RequestException as error:
            last = type(error).__name__
        if time.monotonic() > deadline:
            raise TimeoutError(f"nginx not serving after {NGINX_READY_S}s ({last}); see {log}")
        time.sleep(0.2)


@dataclass
class Cluster:
    """Two Rasa replicas (shared PostgreSQL + Redis) behind nginx, each with its action server."""

    replicas: list[Any]
    nginx: subprocess.Popen
    nginx_port: int
    token: str
    killed: list[int] = field(default_factory=list)

    @property
    def url(self) -> str:
        """The balancer's URL."""
        return f"http://127.0.0.1:{self.nginx_port}"

    def replica_url(self, index: int) -> str:
        return str(self.replicas[index].url)

    def kill(self, index: int) -> None:
        """SIGKILL one replica (no graceful shutdown: a crash)."""
        process = self.replicas[index].processes.pop("rasa")
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        self.killed.append(index)

    def pause_actions(self, index: int) -> None:
        """Freeze one replica's action server (SIGSTOP): its custom actions hang, as when the
        action server is overloaded; the other replica's action server is not touched."""
        os.killpg(self.replicas[index].processes["actions"].pid, signal.SIGSTOP)

    def resume_actions(self, index: int) -> None:
        """Let a frozen action server run again (SIGCONT)."""
        os.killpg(self.replicas[index].processes["actions"].pid, signal.SIGCONT)

    def action_url(self, index: int) -> str:
        """The action endpoint replica ``index`` calls, read from its runtime endpoints file."""
        replica = self.replicas[index]
        endpoints = replica.log_dir / f"endpoints-{replica.rasa_port}.yml"
        return str(yaml.safe_load(endpoints.read_text(encoding="utf-8"))["action_endpoint"]["url"])

    def restart(self, index: int) -> None:
        """Stop (if running) and start one replica, and wait until it serves."""
        self.replicas[index].stop("rasa")
        self.replicas[index].start_rasa()
        self.replicas[index].wait_ready()
        if index in self.killed:
            self.killed.remove(index)

    def ensure_running(self) -> None:
        """Bring back any replica a test killed (and thaw a frozen action server)."""
        for index, replica in enumerate(self.replicas):
            actions = replica.processes.get("actions")
            if actions is not None and actions.poll() is None:
                os.killpg(actions.pid, signal.SIGCONT)
            process = replica.processes.get("rasa")
            if process is None or process.poll() is not None:
                self.restart(index)

    def tracker(self, sender: str, via: str | None = None) -> dict[str, Any]:
        response = requests.get(
            f"{via or self.url}/conversations/{sender}/tracker",
            params={"token": self.token, "include_events": "ALL"},
            timeout=60,
        )
        response.raise_for_status()
        return response.json()


@pytest.fixture(scope="session", name="cluster")
def cluster_fixture(
    model_path: Path, pg_store: PgStore, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Cluster]:
    """Start two replicas, each with its own action server, and nginx; stop them afterwards."""
    from member_health_rasa.tools.serve import Servers

    nginx_bin = shutil.which("nginx") or next(
        (path for path in ("/usr/sbin/nginx",) if Path(path).exists()), None
    )
    require(nginx_bin is not None, "nginx is not installed (apt-get install -y nginx)")
    tmp = tmp_path_factory.mktemp("cluster")
    token = secrets.token_urlsafe(16)
    replicas = [
        Servers(
            token=token,
            rasa_port=free_port(),
            actions_port=free_port(),
            endpoints=SCALE_ENDPOINTS,
            model=model_path,
            log_dir=tmp,
            # Every test client is 127.0.0.1: a per-address limit would throttle the load
            # itself (nginx limits per address in front; tests/security checks the limit).
            env={"RATE_LIMIT_ADDRESS": "off"},
        )
        for _ in range(2)
    ]
    prefix = tmp / "nginx"
    prefix.mkdir()
    prefix.chmod(0o777)  # nginx's workers (user nobody) buffer bodies there
    nginx_port = free_port()
    conf = render_nginx(prefix, nginx_port, [r.rasa_port for r in replicas])
    nginx = None
    try:
        for replica in replicas:
            replica.start_actions()
            replica.start_rasa()
        nginx = subprocess.Popen(
            [str(nginx_bin), "-p", str(prefix), "-c", str(conf), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=open(prefix / "stderr.log", "ab"),
            start_new_session=True,
        )
        for replica in replicas:
            replica.wait_ready()
        wait_for_nginx(nginx, nginx_port, prefix / "stderr.log")
        yield Cluster(replicas, nginx, nginx_port, token)
    finally:
        if nginx is not None and nginx.poll() is None:
            os.killpg(nginx.pid, signal.SIGTERM)
            nginx.wait(timeout=10)
        for replica in replicas:
            replica.stop()
