"""SQL tracker store (SQLite or PostgreSQL) that deletes a conversation when the member asks.

"Forget me" needs the tracker store, which only the Rasa server can reach: the action server
has no store access and Rasa 3.6's HTTP API has no delete route. So the confirmed
``action_forget_me`` (action server) returns ``SlotSet("forget_me_confirmed", True)``, and
this store, when it saves a turn carrying that event, deletes every stored event of the
conversation instead. Deleting at save time happens under the conversation's lock, after the
turn, so nothing of the conversation is written back afterwards.

The deletion leaves no copy: SQLite zeroes the deleted rows (``secure_delete``, on for every
connection of the store) and the WAL, which still holds them, is
checkpointed and truncated; PostgreSQL's table is vacuumed
(``member_health_rasa.ops.stores.scrub``). Content reports that quote the member (``make report
--include-text``) are deleted too (``member_health_rasa.ops.report_index``).

A SQLite file also gets a small connection pool and ``journal_mode=WAL`` +
``synchronous=NORMAL`` (Rasa opens a new connection per query and commits with the rollback
journal: several fsyncs per message; ``python -m member_health_rasa.bench.patches`` measures the
difference). A crash of the machine may lose the last messages, never corrupts the file.
PostgreSQL keeps Rasa's engine.

``retrieve`` keeps the latest session of recent conversations deserialised, per replica, and
reads only the rows written since, validated against the store each time
(``member_health_rasa.ops.tracker_cache``, ``TRACKER_CACHE_EVENTS``); ``save`` takes the count
of rows already stored from the same entry.

endpoints.yml: ``tracker_store: {type: member_health_rasa.ops.tracker_store.PrivacySQLTrackerStore,
dialect: ...}`` (the same keys as ``type: SQL``).
"""
from __future__ import annotations

import itertools
import json
import logging
import sqlite3
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from member_health.privacy import FORGET_SLOT
from member_health_rasa.ops import report_index
from member_health_rasa.ops.folded_tracker import clone
from member_health_rasa.ops.stores import scrub, secure_delete_on
from member_health_rasa.ops.tracker_cache import (
    TrackerCache,
    events_cap,
    read,
    refresh,
    stored_in_session,
)

logger = logging.getLogger(__name__)


def forget_requested(tracker: DialogueStateTracker) -> bool:
    """Did the latest turn (since the member's last message) confirm "forget me"?"""
    for event in reversed(tracker.events):
        if isinstance(event, SlotSet) and event.key == FORGET_SLOT and event.value is True:
            return True
        if isinstance(event, UserUttered):
            return False
    return False


def event_row(sender_id: str, event: Any) -> dict[str, Any]:
    """The row Rasa's ``SQLTrackerStore.save`` stores for ``event`` (same columns and values)."""
    data = event.as_dict()
    return {
        "sender_id": sender_id,
        "type_name": event.type_name,
        "timestamp": data.get("timestamp"),
        "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
        "action_name": data.get("name"),
        "data": json.dumps(data),
    }


def sqlite_file(url: sa.engine.URL) -> bool:
    """Is ``url`` a SQLite database in a file (not in memory)?"""
    return url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:")


def sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """A new SQLite connection: WAL journal, fewer fsyncs, deleted rows zeroed."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA secure_delete=ON")  # "forget me": deleted rows zeroed
        cursor.close()


def pooled_sqlite_engine(url: sa.engine.URL) -> sa.engine.Engine:
    """An engine for a SQLite file that keeps a few connections open, each with the pragmas."""
    engine = sa.create_engine(
        url,
        poolclass=sa.pool.QueuePool,
        pool_size=2,
        max_overflow=4,
        connect_args={"check_same_thread": False},
    )
    sa.event.listen(engine, "connect", sqlite_pragmas)
    return engine


class PrivacySQLTrackerStore(SQLTrackerStore):
    """``SQLTrackerStore`` plus deletion of a conversation on the member's request."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Rasa's store (it creates the tables); a SQLite file then gets the pooled engine."""
        super().__init__(*args, **kwargs)
        unpooled: sa.engine.Engine = self.engine  # type: ignore[has-type]
        if sqlite_file(unpooled.url):
            self.engine = pooled_sqlite_engine(unpooled.url)
            self.sessionmaker = sa.orm.sessionmaker(bind=self.engine)
            unpooled.dispose()
        self.cache = TrackerCache(events_cap())

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        """Rasa's retrieve (the latest session), reading only the rows not yet in this
        replica's cache (``member_health_rasa.ops.tracker_cache``)."""
        if not self.cache.max_events or self.domain is None:
            return await super().retrieve(sender_id)
        with self.session_scope() as session:
            entry = self.cache.get(sender_id)
            if entry is not None:
                added = refresh(session, self.SQLEvent, entry, sender_id)
                if added is None:
                    self.cache.discard(sender_id)
                    entry = None
                else:
                    self.cache.grew(sender_id, added)
            if entry is None:
                entry = read(session, self.SQLEvent, sender_id, self.domain.slots)
                if entry is None:
                    return None
                self.cache.put(sender_id, entry)
            # The cached tracker's fold of its applied events, continued over the rows just
            # read: the copy handed out starts from it instead of walking the whole session
            # (at turn 300 the walk was a third of a turn).
            entry.tracker.applied_events()
            return clone(entry.tracker)

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Store the turn, or delete the whole conversation if the turn confirmed "forget me".

        Rasa's ``SQLTrackerStore.save`` with one change: the new rows go in as one multi-row
        insert instead of one ORM object each (the ORM's unit of work was a third of the
        store's share of busy time at 10 members). The same rows and columns
        (tests/unit/test_tracker_cache.py compares them with Rasa's).
        """
        if forget_requested(tracker):
            deleted = await self.delete(tracker.sender_id)
            logger.info("Deleted a conversation at the member's request (%d events).", deleted)
            return
        await self.stream_events(tracker)
        with self.session_scope() as session:
            rows = [
                event_row(tracker.sender_id, event)
                for event in self._additional_events(session, tracker)
            ]
            if rows:
                session.execute(sa.insert(self.SQLEvent.__table__), rows)
            session.commit()

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator[Any]:
        """The events not stored yet (Rasa's hook, overridden because its count of the stored
        rows, with a session-start subquery, cost 17 % of a turn at turns 500-1200): the count
        comes from this replica's cache entry when it matches the store, else Rasa's own.
        Equal to Rasa's in every case of tests/unit/test_tracker_cache.py."""
        entry = self.cache.get(tracker.sender_id) if self.cache.max_events else None
        stored = None
        if entry is not None:
            stored = stored_in_session(session, self.SQLEvent, entry, tracker.sender_id)
        if stored is None:
            return super()._additional_events(session, tracker)
        return itertools.islice(tracker.events, stored, len(tracker.events))

    async def delete(self, sender_id: str) -> int:
        """Delete every stored event of one conversation, leaving no copy in the store's files
        or in a content report; return how many events were deleted."""
        self.cache.discard(sender_id)
        with self.session_scope() as session:
            secure_delete_on(session.connection())
            deleted = (
                session.query(self.SQLEvent)
                .filter(self.SQLEvent.sender_id == sender_id)
                .delete(synchronize_session=False)
            )
            session.commit()
        if not scrub(self.engine, vacuum=False):
            logger.warning("Forget me: the SQLite WAL was busy; it is truncated at the next one.")
        reports = report_index.forget([sender_id])
        if reports:
            logger.info("Deleted %d content report(s) quoting the conversation.", reports)
        return int(deleted)
