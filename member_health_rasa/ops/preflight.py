"""Pre-flight check: can the Rasa server reach the stores its endpoints file configures?

A stock Rasa 3.6 server retries an unreachable SQL tracker store forever (a warning every 5 s)
and a missing ``${VAR}`` ends in a stack trace. The launcher runs this check first and stops
with one clear line naming the store that is unreachable::

    python -m member_health_rasa.ops.preflight --endpoints endpoints.scale.yml

Exit status: 0 when every configured store answers, 2 otherwise.
"""
from __future__ import annotations

import argparse
import importlib.util
import os
import sys
from collections.abc import Mapping
from pathlib import Path

import redis
import sqlalchemy as sa

from member_health_rasa.ops.stores import (
    SqlStore,
    StoreConfigError,
    engine,
    load_endpoints,
    lock_redis_store,
    tracker_sql_store,
)


class StoreUnreachable(Exception):
    """A configured store did not answer."""


def _first_line(error: BaseException) -> str:
    text = str(getattr(error, "orig", None) or error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def check_sql(store: SqlStore) -> None:
    """Connect and run ``SELECT 1``; a SQLite file's folder must exist."""
    if store.url.get_backend_name() == "sqlite":
        folder = Path(store.url.database or ".").resolve().parent
        if not folder.is_dir():
            raise StoreUnreachable(f"the tracker store ({store.label}): {folder} does not exist")
    try:
        with engine(store).connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError as error:
        raise StoreUnreachable(
            f"the tracker store ({store.label}) is unreachable: {_first_line(error)}"
        ) from None


def check(endpoints_file: Path, env: Mapping[str, str] | None = None) -> list[str]:
    """Check every store; return one line per store that answered, raise on the first failure.

    ``env`` fills the file's ``${VAR}`` references (default: the process environment).
    """
    try:
        endpoints = load_endpoints(endpoints_file, env)
        sql = tracker_sql_store(endpoints)
        lock = lock_redis_store(endpoints)
    except (OSError, StoreConfigError) as error:
        raise StoreUnreachable(f"cannot use {endpoints_file}: {error}") from None
    kind = str((endpoints.get("tracker_store") or {}).get("type") or "")
    module = kind.rpartition(".")[0]
    if module and importlib.util.find_spec(module) is None:  # Rasa would silently use memory
        raise StoreUnreachable(f"the tracker store type '{kind}' cannot be imported")
    ok = []
    if sql is not None:
        check_sql(sql)
        ok.append(f"tracker store: {sql.label}")
    if lock is not None:
        client = redis.Redis(
            host=lock.host,
            port=lock.port,
            db=lock.db,
            password=lock.password,
            socket_connect_timeout=5,
            socket_timeout=5,
        )
        try:
            client.ping()
        except redis.RedisError as error:
            raise StoreUnreachable(
                f"the lock store ({lock.label}) is unreachable: {_first_line(error)}"
            ) from None
        ok.append(f"lock store: {lock.label}")
    return ok


def main(argv: list[str] | None = None) -> None:
    """CLI: print what answered, or one error line and exit 2."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoints", default=os.environ.get("ENDPOINTS", "endpoints.yml"))
    args = parser.parse_args(argv)
    try:
        for line in check(Path(args.endpoints)):
            print(f"preflight: {line}: ok")
    except StoreUnreachable as error:
        print(f"preflight: {error}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
