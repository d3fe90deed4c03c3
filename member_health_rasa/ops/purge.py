"""Retention: delete conversations older than N days from the tracker store.

    python -m member_health_rasa.ops.purge --days 30 [--endpoints endpoints.scale.yml]
    make purge DAYS=30                                           # the same, from make

A conversation is older than N days when its latest event is. It is deleted whole (all its
sessions), with no copy left: SQLite's deleted pages are zeroed (``secure_delete``), the file
vacuumed and its WAL checkpointed and truncated; PostgreSQL's table is vacuumed; content
reports quoting it (``make report --include-text``) are deleted. Prints counts only, never
sender ids. Run it from cron on one replica.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import sqlalchemy as sa

from member_health_rasa.ops.stores import (
    StoreConfigError,
    load_endpoints,
    purge_older_than,
    tracker_sql_store,
)


def main(argv: list[str] | None = None) -> None:
    """CLI entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=float, required=True, help="keep the last N days")
    parser.add_argument("--endpoints", default=os.environ.get("ENDPOINTS", "endpoints.yml"))
    parser.add_argument("--reports", type=Path, help="reports directory (default: reports/)")
    args = parser.parse_args(argv)
    if args.days < 0:
        parser.error("--days must be 0 or more")
    try:
        store = tracker_sql_store(load_endpoints(Path(args.endpoints)))
    except (OSError, StoreConfigError) as error:
        sys.exit(f"purge: cannot use {args.endpoints}: {error}")
    if store is None:
        sys.exit(f"purge: {args.endpoints} has no SQL tracker store; nothing to purge")
    try:
        counts = purge_older_than(store, args.days, reports=args.reports)
    except sa.exc.SQLAlchemyError as error:
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        sys.exit(f"purge: the tracker store ({store.label}) is unreachable: {reason}")
    print(
        f"purge: deleted {counts['conversations']} conversation(s), {counts['events']} "
        f"event(s) older than {args.days:g} day(s) from {store.label}; {counts['reports']} "
        "report(s) quoting them"
    )


if __name__ == "__main__":
    main()
