"""Rasa 3.6 server hot spots fixed in place (found by profiling ``make bench`` with py-spy).

``install()`` changes three things without changing behaviour, once per process. It is called
by ``member_health_rasa.ops.tracker_store.PrivacySQLTrackerStore`` (before Rasa creates the store's
engine, so the SQLite pool applies) and by ``member_health_rasa.ops.server_hooks.install`` (for a
server with another store):

- **Action server replies**: ``RemoteAction._validate_action_result`` calls
  ``jsonschema.validate``, which re-checks the (large, constant) events schema against the
  meta-schema on every custom action call: 36 % of the server's busy time at 5 members. The
  validator is now built once; the reply is still validated and a bad one raises the same
  ``ValidationError``.
- **Event types**: ``Event.resolve_by_type`` walks every ``Event`` subclass for each stored event
  it loads (6 % of busy time). A name -> class table is built once (rebuilt on a miss, so
  classes defined later are found).
- **SQLite tracker store**: Rasa opens a new SQLite connection per query (SQLAlchemy's NullPool)
  and commits with the rollback journal (several fsyncs per message). A file database now gets
  a small connection pool and ``journal_mode=WAL`` + ``synchronous=NORMAL`` (a crash of the
  machine may lose the last messages, never corrupts the file). PostgreSQL is untouched.
"""
from __future__ import annotations

import sqlite3
from typing import Any

INSTALLED = "_member_health_speedups"


def _cached_validator() -> None:
    import jsonschema
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.constants import DOCS_BASE_URL

    schema = RemoteAction.action_response_format_spec()
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema)

    def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
        error = jsonschema.exceptions.best_match(validator.iter_errors(result))
        if error is not None:
            error.message += (
                ". Failed to validate Action server response from API, make sure your "
                "response from the Action endpoint is valid. For more information about the "
                f"format visit {DOCS_BASE_URL}/custom-actions"
            )
            raise error
        return True

    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[assignment]


def _event_type_table() -> None:
    from rasa.shared.core.events import Event
    from rasa.shared.utils.common import all_subclasses

    original = Event.resolve_by_type
    table: dict[str, type] = {}

    def resolve_by_type(type_name: str, default: Any = None) -> Any:
        found = table.get(type_name)
        if found is None:
            # reversed: the first subclass with a name wins, as in Rasa's loop
            table.update({cls.type_name: cls for cls in reversed(all_subclasses(Event))})
            found = table.get(type_name)
        return found if found is not None else original(type_name, default)

    Event.resolve_by_type = staticmethod(resolve_by_type)  # type: ignore[method-assign]


def _sqlite_pool_and_wal() -> None:
    from rasa.core import tracker_store
    from sqlalchemy import event
    from sqlalchemy.engine import Engine
    from sqlalchemy.pool import QueuePool

    original = tracker_store.create_engine_kwargs

    def create_engine_kwargs(url: Any) -> dict[str, Any]:
        text = str(url)
        if text.startswith("sqlite") and ":memory:" not in text and text != "sqlite://":
            return {
                "poolclass": QueuePool,
                "pool_size": 2,
                "max_overflow": 4,
                "connect_args": {"check_same_thread": False},
            }
        return original(url)

    tracker_store.create_engine_kwargs = create_engine_kwargs

    @event.listens_for(Engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        if isinstance(dbapi_connection, sqlite3.Connection):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA secure_delete=ON")  # "forget me": deleted rows zeroed
            cursor.close()


def install() -> None:
    """Applies the three fixes once per process."""
    import rasa

    if getattr(rasa, INSTALLED, False):
        return
    _cached_validator()
    _event_type_table()
    _sqlite_pool_and_wal()
    setattr(rasa, INSTALLED, True)
