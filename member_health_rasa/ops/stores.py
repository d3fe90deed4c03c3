"""The stores an endpoints file configures, read without importing Rasa.

Used by the pre-flight check (``member_health_rasa.ops.preflight``) and the retention purge
(``member_health_rasa.ops.purge``). ``${VAR}`` references are expanded from the environment the way
Rasa expands them, except that a missing variable is named in a clear error instead of a stack
trace.
"""
from __future__ import annotations

import os
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import yaml

_VAR = re.compile(r"\$\{([^}]+)\}")
SQL_TYPES = {"sql", "member_health_rasa.ops.tracker_store.privacysqltrackerstore"}
REDIS_LOCK_STORES = {"redis", "member_health_rasa.ops.lock_store.atomicredislockstore"}


class StoreConfigError(Exception):
    """The endpoints file cannot be used as it is (missing variable, unsupported store)."""


def load_endpoints(path: Path, env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The endpoints file with every ``${VAR}`` replaced by the value in ``env`` (default: the
    process environment; the launcher passes the environment it gives the Rasa server)."""
    env = os.environ if env is None else env
    text = Path(path).read_text(encoding="utf-8")
    missing = sorted({name for name in _VAR.findall(text) if name not in env})
    if missing:
        raise StoreConfigError(
            f"{path} needs the environment variables {', '.join(missing)} (see README: "
            "Scale-out profile)"
        )
    return yaml.safe_load(_VAR.sub(lambda m: env[m.group(1)], text)) or {}


@dataclass(frozen=True)
class SqlStore:
    """An SQL tracker store: SQLite file or PostgreSQL database."""

    url: sa.engine.URL

    @property
    def label(self) -> str:
        """A description for messages, without the password."""
        if self.url.get_backend_name() == "sqlite":
            return f"SQLite file {self.url.database}"
        return (
            f"PostgreSQL at {self.url.host}:{self.url.port or 5432}, "
            f"database '{self.url.database}'"
        )


def tracker_sql_store(endpoints: dict[str, Any]) -> SqlStore | None:
    """The SQL tracker store of an endpoints config (``None`` for in-memory or no store)."""
    config = endpoints.get("tracker_store") or {}
    kind = str(config.get("type") or "").lower()
    if not kind or kind == "in_memory":
        return None
    if kind not in SQL_TYPES:
        raise StoreConfigError(f"tracker store type '{config.get('type')}' is not an SQL store")
    host = config.get("url")
    if host and "://" in str(host):
        return SqlStore(sa.engine.make_url(str(host)))
    port = config.get("port")
    return SqlStore(
        sa.engine.URL.create(
            str(config.get("dialect") or "sqlite"),
            username=config.get("username") or None,
            password=config.get("password") or None,
            host=str(host) if host else None,
            port=int(port) if port not in (None, "") else None,
            database=str(config.get("db") or "rasa.db"),
        )
    )


@dataclass(frozen=True)
class RedisStore:
    """A Redis lock store's connection settings."""

    host: str
    port: int
    db: int
    password: str | None

    @property
    def label(self) -> str:
        """A description for messages."""
        return f"Redis at {self.host}:{self.port}, db {self.db}"


def lock_redis_store(endpoints: dict[str, Any]) -> RedisStore | None:
    """The Redis lock store of an endpoints config (``None`` for the in-memory lock store)."""
    config = endpoints.get("lock_store") or {}
    if str(config.get("type") or "in_memory").lower() not in REDIS_LOCK_STORES:
        return None
    return RedisStore(
        host=str(config.get("url") or "localhost"),
        port=int(config.get("port") or 6379),
        db=int(config.get("db") or 1),
        password=config.get("password") or None,
    )


def engine(store: SqlStore) -> sa.engine.Engine:
    """An engine that fails fast when the database is down."""
    args = {} if store.url.get_backend_name() == "sqlite" else {"connect_timeout": 5}
    return sa.create_engine(store.url, connect_args=args, future=True)


def secure_delete_on(connection: Any) -> None:
    """SQLite: overwrite deleted content with zeros (this connection). Other stores: nothing."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("PRAGMA secure_delete=ON")


def scrub(store_engine: sa.engine.Engine, vacuum: bool) -> bool:
    """After a deletion, leave no copy of the deleted rows in the store's files.

    SQLite: ``VACUUM`` if ``vacuum`` (rebuilds the file without free pages), then
    ``wal_checkpoint(TRUNCATE)``: the WAL, which still holds every page version written since the
    last checkpoint (message text included), is copied into the database and cut to zero bytes.
    PostgreSQL: ``VACUUM events`` (dead rows pruned, their space reused; PostgreSQL's own WAL
    archive and backups follow the operator's retention). Returns False when SQLite could not
    truncate the WAL because a reader held it past the busy timeout.
    """
    backend = store_engine.dialect.name
    with store_engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        if backend == "sqlite":
            if vacuum:
                connection.exec_driver_sql("VACUUM")
            busy = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
            return not busy
        if backend == "postgresql":
            connection.exec_driver_sql("VACUUM events")
    return True


def purge_older_than(
    store: SqlStore, days: float, now: float | None = None, reports: Path | None = None
) -> dict[str, int]:
    """Delete every conversation whose latest event is older than ``days`` days, leaving no copy
    in the store's files (``scrub``) nor in a content report quoting it
    (``member_health_rasa.ops.report_index``; ``reports``: the reports directory, default
    ``$REPORTS_DIR`` or ``reports/``).

    Returns how many conversations, events and reports were deleted (never sender ids).
    """
    from member_health_rasa.ops import report_index

    cutoff = (time.time() if now is None else now) - days * 86400
    old = sa.text("SELECT sender_id FROM events GROUP BY sender_id HAVING MAX(timestamp) < :cutoff")
    store_engine = engine(store)
    try:
        counts = _delete_old(store_engine, old, cutoff)
        if counts["conversations"]:
            scrub(store_engine, vacuum=True)
    finally:
        store_engine.dispose()
    senders = counts.pop("senders")
    counts["reports"] = report_index.forget(senders, reports) if senders else 0
    return counts


def _delete_old(store_engine: sa.engine.Engine, old: Any, cutoff: float) -> dict[str, Any]:
    with store_engine.begin() as connection:
        if not sa.inspect(connection).has_table("events"):
            return {"conversations": 0, "events": 0, "senders": []}
        secure_delete_on(connection)
        senders = [row[0] for row in connection.execute(old, {"cutoff": cutoff})]
        deleted = 0
        for start in range(0, len(senders), 500):
            chunk = senders[start : start + 500]
            deleted += connection.execute(
                sa.text("DELETE FROM events WHERE sender_id IN :senders").bindparams(
                    sa.bindparam("senders", expanding=True)
                ),
                {"senders": chunk},
            ).rowcount
    return {"conversations": len(senders), "events": deleted, "senders": senders}
