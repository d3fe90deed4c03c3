"""A per-replica cache of deserialised trackers for the SQL tracker store (issue 20).

Rasa's ``SQLTrackerStore.retrieve`` reads every stored event of the conversation's latest
session, decodes its JSON and replays it into a new tracker, for every message: the cost grows
with the conversation (63 % of a turn at turn 300, ``docs/performance.md``). This cache keeps,
per sender id (least recently used first out), the tracker of the latest session and the id of
the newest stored row it has seen, so a retrieve reads and applies only the rows written since
(by this replica or another one).

Every retrieve validates the entry against the store first: the sender's rows up to that id
must still be as many as cached, the newest of them the same row with the same timestamp. A
"forget me" (here or on another replica), ``make purge`` or a rewrite is detected and the
tracker read in full, as is a new session (a ``session_started`` row): the result is always
what Rasa's own ``retrieve`` returns. The cached tracker is never handed out: callers get a copy.

``TRACKER_CACHE_EVENTS`` caps the events cached in all (default 20000; 0 turns the cache off).
"""
from __future__ import annotations

import json
import os
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from rasa.shared.core.events import Event, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker

from member_health_rasa.ops.folded_tracker import FoldedTracker

DEFAULT_EVENTS = 20000


def events_cap() -> int:
    """``TRACKER_CACHE_EVENTS`` (events cached per replica in all; 0: no cache)."""
    return max(0, int(os.environ.get("TRACKER_CACHE_EVENTS", DEFAULT_EVENTS)))


@dataclass
class Entry:
    """One sender's latest session and where in the store it was read up to."""

    tracker: DialogueStateTracker  # never handed out
    last_id: int  # the newest row of the sender seen (of any session)
    rows: int  # the sender's rows with id <= last_id (all sessions)
    last_timestamp: float | None  # that newest row's timestamp
    session_start: float | None  # the latest session_started timestamp (Rasa's query filter)
    session_rows: int  # the rows of the latest session (what Rasa's save counts as stored)


class TrackerCache:
    """Least recently used trackers, at most ``max_events`` events in all."""

    def __init__(self, max_events: int) -> None:
        """An empty cache (``max_events`` 0: nothing is ever kept)."""
        self.max_events = max_events
        self.entries: OrderedDict[str, Entry] = OrderedDict()
        self.events = 0

    def get(self, sender_id: str) -> Entry | None:
        """The sender's entry, now the most recently used."""
        entry = self.entries.get(sender_id)
        if entry is not None:
            self.entries.move_to_end(sender_id)
        return entry

    def put(self, sender_id: str, entry: Entry) -> None:
        """Keep ``entry`` (replacing the sender's), evicting the least recently used."""
        self.discard(sender_id)
        self.entries[sender_id] = entry
        self.events += len(entry.tracker.events)
        while self.events > self.max_events and self.entries:
            self.discard(next(iter(self.entries)))

    def grew(self, sender_id: str, added: int) -> None:
        """An entry got ``added`` more events; evict others (or it) to stay under the cap."""
        self.events += added
        while self.events > self.max_events and self.entries:
            self.discard(next(iter(self.entries)))

    def discard(self, sender_id: str) -> None:
        """Forget the sender's entry, if any."""
        entry = self.entries.pop(sender_id, None)
        if entry is not None:
            self.events -= len(entry.tracker.events)


@lru_cache(maxsize=8)
def _summary_statement(table: Any, up_to_id: bool) -> Any:
    """The one query of ``sender_summary``, built once per table: it runs twice a turn."""
    rows = table.__table__
    # Aliases, so that neither subquery correlates with the outer query's rows.
    newest_rows, timestamp_rows = rows.alias(), rows.alias()

    def conditions(events: Any) -> list[Any]:
        found = [events.c.sender_id == sa.bindparam("sender_id")]
        return [*found, events.c.id <= sa.bindparam("last_id")] if up_to_id else found

    newest_id = sa.select(sa.func.max(newest_rows.c.id)).where(*conditions(newest_rows))
    newest_timestamp = sa.select(timestamp_rows.c.timestamp).where(
        timestamp_rows.c.id == newest_id.scalar_subquery()
    )
    return sa.select(
        sa.func.count(rows.c.id), sa.func.max(rows.c.id), newest_timestamp.scalar_subquery()
    ).where(*conditions(rows))


@lru_cache(maxsize=8)
def _newer_rows_statement(table: Any) -> Any:
    """The sender's rows after ``last_id``, oldest first (built once per table)."""
    rows = table.__table__
    return (
        sa.select(rows.c.id, rows.c.type_name, rows.c.timestamp, rows.c.data)
        .where(rows.c.sender_id == sa.bindparam("sender_id"), rows.c.id > sa.bindparam("last_id"))
        .order_by(rows.c.id)
    )


def sender_summary(
    session: Any, table: Any, sender_id: str, last_id: int | None = None
) -> tuple[int, int | None, float | None]:
    """The sender's row count, newest row id and its timestamp (rows up to ``last_id``)."""
    statement = _summary_statement(table, last_id is not None)
    count, newest, timestamp = session.execute(
        statement, {"sender_id": sender_id, "last_id": last_id}
    ).one()
    if newest is None:
        return 0, None, None
    return int(count), int(newest), timestamp


def session_start(session: Any, table: Any, sender_id: str) -> float | None:
    """The latest ``session_started`` timestamp: Rasa's retrieve reads the events from it on."""
    return (
        session.query(sa.func.max(table.timestamp))
        .filter(table.sender_id == sender_id, table.type_name == SessionStarted.type_name)
        .scalar()
    )


def in_session(row: Any, start: float | None) -> bool:
    """Would Rasa's query (``timestamp >= session start``, SQL NULL excluded) read the row?"""
    return start is None or (row.timestamp is not None and row.timestamp >= start)


@lru_cache(maxsize=64)  # the event types: about 25
def event_class(type_name: str) -> type[Event] | None:
    """Rasa's ``Event.resolve_by_type``, once per type name: Rasa walks every ``Event`` subclass
    (``inspect.isabstract`` on each) for every event it decodes, half of a retrieve."""
    return Event.resolve_by_type(type_name)


def decode(rows: list[Any]) -> list[Event]:
    """The rows' events, decoded the way ``DialogueStateTracker.from_dict`` does
    (``Event.from_parameters`` with the event class looked up once per type)."""
    events = []
    for row in rows:
        data = json.loads(row.data)
        name = data.get("event")
        if name is None:
            continue
        cls = event_class(name)
        event = cls._from_parameters(data) if cls else None
        if event:
            events.append(event)
    return events


def refresh(session: Any, table: Any, entry: Entry, sender_id: str) -> int | None:
    """Apply the rows written since ``entry`` was read and return how many events that added;
    None if the entry no longer matches the store (rows deleted or rewritten) or a new session
    started: read the tracker in full then."""
    summary = sender_summary(session, table, sender_id, entry.last_id)
    if summary != (entry.rows, entry.last_id, entry.last_timestamp):
        return None
    rows = session.execute(
        _newer_rows_statement(table), {"sender_id": sender_id, "last_id": entry.last_id}
    ).all()
    if any(row.type_name == SessionStarted.type_name for row in rows):
        return None
    session_rows = [row for row in rows if in_session(row, entry.session_start)]
    events = decode(session_rows)
    for event in events:
        entry.tracker.update(event)
    entry.session_rows += len(session_rows)
    if rows:
        entry.last_id = int(rows[-1].id)
        entry.rows += len(rows)
        entry.last_timestamp = rows[-1].timestamp
    return len(events)


def read(session: Any, table: Any, sender_id: str, slots: Any) -> Entry | None:
    """The sender's latest session read in full, as Rasa's ``SQLTrackerStore.retrieve`` reads it
    (None: nothing stored)."""
    count, newest, timestamp = sender_summary(session, table, sender_id)
    if newest is None:
        return None
    start = session_start(session, table, sender_id)
    query = session.query(table).filter(table.sender_id == sender_id, table.id <= newest)
    if start is not None:
        query = query.filter(table.timestamp >= start)
    rows = query.order_by(table.id).all()
    if not rows:
        return None
    tracker = FoldedTracker.from_events(sender_id, decode(rows), slots)
    return Entry(tracker, newest, count, timestamp, start, len(rows))


def stored_in_session(session: Any, table: Any, entry: Entry, sender_id: str) -> int | None:
    """The sender's stored rows of the latest session, the count Rasa's ``save`` makes with a
    query per message: the entry's, when the store holds exactly the rows it has seen (one
    indexed count; the sender's lock keeps other replicas out until the save); else None."""
    if sender_summary(session, table, sender_id) != (
        entry.rows,
        entry.last_id,
        entry.last_timestamp,
    ):
        return None
    return entry.session_rows
