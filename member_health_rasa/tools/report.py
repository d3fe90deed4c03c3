"""Content-team report from the tracker store: what members ask, and where answers are missing.

Usage: ``python -m member_health_rasa.tools.report --db URL --since YYYY-MM-DD --until YYYY-MM-DD
--out reports/ [--top N] [--low-confidence 0.5] [--exclude-sender PREFIX ...] [--include-text]``

``--db`` is the SQLAlchemy URL of the database Rasa's ``SQLTrackerStore`` writes (table
``events``), e.g. ``sqlite:///tracker.db`` or ``postgresql://user:password@host:5432/rasa``;
the default is ``$TRACKER_DB_URL`` or ``sqlite:///tracker.db`` (as in endpoints.yml).
Dates are UTC days, both inclusive.
Writes ``content-report_<since>_<until>.md`` and a ``.png`` chart next to it; when there is no
conversation in the range (or no tracker store yet) it says so and writes nothing, and a SQLite
file that does not exist is never created.

The report holds counts only. The ``--top N`` (default 10) messages the assistant did not
understand (the content gaps), the ones it read as out of scope and the ones it understood with
low confidence (below ``--low-confidence``, for FAQ questions the topic's confidence) are
listed redacted by default (how often, how long); ``--include-text`` quotes them, and then the
report is registered (``member_health_rasa.ops.report_index``) so that "forget me" and the purge
delete it with the conversations it quotes. The texts of emergency turns are never shown. Files are
written readable by their owner only. ``--exclude-sender`` (repeatable) leaves out conversations
whose sender id starts with the given prefix (or is that id), e.g. test traffic.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from member_health_rasa.ops import report_index

FALLBACK_INTENT = "nlu_fallback"
FALLBACK_ACTIONS = {"action_default_fallback", "action_two_stage_fallback"}
EMERGENCY_ACTION = "action_emergency_escalation"
HANDOFF_ACTION = "action_handoff"
OUTCOME_SLOT = "screening_outcome"
SESSION_START = "action_session_start"
OUT_OF_SCOPE_INTENT = "out_of_scope"
TOP = 10
LOW_CONFIDENCE = 0.5
MAX_TEXT = 120


@dataclass
class Messages:
    """Member messages of one kind, grouped by normalised text, with who sent them."""

    counts: Counter = field(default_factory=Counter)
    senders: dict[str, set[str]] = field(default_factory=dict)

    def add(self, text: str, sender_id: str) -> None:
        """Count one message."""
        self.counts[text] += 1
        self.senders.setdefault(text, set()).add(sender_id)

    def top(self, limit: int) -> list[tuple[str, int]]:
        """The ``limit`` most frequent texts."""
        return self.counts.most_common(limit)


@dataclass(frozen=True)
class StoredEvent:
    """One row of the ``events`` table."""

    sender_id: str
    type_name: str
    timestamp: float
    intent_name: str | None
    action_name: str | None
    data: dict[str, Any]


@dataclass
class ContentReport:
    """The numbers the content team reads."""

    since: date
    until: date
    conversations: int = 0
    member_messages: int = 0
    bot_messages: int = 0
    intents: Counter = field(default_factory=Counter)
    fallbacks: int = 0
    not_understood: Messages = field(default_factory=Messages)
    out_of_scope: Messages = field(default_factory=Messages)
    low_confidence: Messages = field(default_factory=Messages)
    emergency_escalations: int = 0
    emergency_conversations: int = 0
    screen_outcomes: Counter = field(default_factory=Counter)
    handoffs: int = 0
    daily_messages: Counter = field(default_factory=Counter)
    daily_fallbacks: Counter = field(default_factory=Counter)

    @property
    def fallback_messages(self) -> Counter:
        """The messages not understood, by normalised text."""
        return self.not_understood.counts

    @property
    def fallback_rate(self) -> float:
        """Share of member messages the assistant did not understand."""
        return self.fallbacks / self.member_messages if self.member_messages else 0.0


def day_bounds(since: date, until: date) -> tuple[float, float]:
    """Epoch seconds from the start of ``since`` to the end of ``until`` (UTC)."""
    start = datetime(since.year, since.month, since.day, tzinfo=timezone.utc)
    end = datetime(until.year, until.month, until.day, tzinfo=timezone.utc) + timedelta(days=1)
    return start.timestamp(), end.timestamp()


class NoConversations(Exception):
    """There is no tracker store (yet) to read."""


def sqlite_file(db_url: str) -> Path | None:
    """The file of a ``sqlite:///`` URL (None for other databases and in-memory SQLite)."""
    url = sa.engine.make_url(db_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


def read_events(db_url: str, since: date, until: date) -> list[StoredEvent]:
    """Events in the date range, per conversation in the order they happened.

    Raises ``NoConversations`` when the SQLite file or the ``events`` table does not exist
    (a fresh checkout): the file is not created.
    """
    path = sqlite_file(db_url)
    if path is not None and not path.is_file():
        raise NoConversations(f"{path} does not exist")
    start, end = day_bounds(since, until)
    query = sa.text(
        "SELECT sender_id, type_name, timestamp, intent_name, action_name, data FROM events "
        "WHERE timestamp >= :start AND timestamp < :end ORDER BY sender_id, id"
    )
    engine = sa.create_engine(db_url)
    try:
        with engine.connect() as connection:
            if not sa.inspect(connection).has_table("events"):
                raise NoConversations("the tracker store has no conversations table yet")
            rows = connection.execute(query, {"start": start, "end": end}).fetchall()
    finally:
        engine.dispose()
    return [
        StoredEvent(row[0], row[1], row[2] or 0.0, row[3], row[4], json.loads(row[5] or "{}"))
        for row in rows
    ]


def intent_label(event: StoredEvent) -> str:
    """The intent, with the FAQ topic for retrieval intents (``faq/osteosarcoma``)."""
    parse = event.data.get("parse_data") or {}
    intent = parse.get("intent") or {}
    name = intent.get("full_retrieval_intent_name") or intent.get("name") or event.intent_name
    if name and "/" not in name:
        name = (selected_response(parse, name).get("intent_response_key")) or name
    return name or "(no intent)"


def selected_response(parse: dict[str, Any], intent: str) -> dict[str, Any]:
    """The response selector's pick for ``intent``, stored under its name or under ``default``."""
    selectors = parse.get("response_selector") or {}
    selector = selectors.get(intent) or selectors.get("default") or {}
    return selector.get("response") or {}


def confidence(event: StoredEvent) -> float:
    """How sure the assistant was: the FAQ topic's confidence, else the intent's."""
    parse = event.data.get("parse_data") or {}
    intent = parse.get("intent") or {}
    topic = selected_response(parse, str(intent.get("name"))) if intent.get("name") else {}
    value = topic.get("confidence") if topic.get("intent_response_key") else None
    return float(value if value is not None else intent.get("confidence") or 0.0)


def normalise_text(text: str | None) -> str:
    """Group messages that differ only in case and spacing; cut very long ones."""
    plain = " ".join((text or "").lower().split())
    return plain if len(plain) <= MAX_TEXT else plain[: MAX_TEXT - 1] + "…"


def turns(events: Sequence[StoredEvent]) -> Iterable[tuple[StoredEvent, list[StoredEvent]]]:
    """``(member message, what followed until the next message)`` for one conversation."""
    current: StoredEvent | None = None
    following: list[StoredEvent] = []
    for event in events:
        if event.type_name == "user":
            if current is not None:
                yield current, following
            current, following = event, []
        elif current is not None:
            following.append(event)
    if current is not None:
        yield current, following


def utc_day(timestamp: float) -> date:
    """The UTC day of an epoch timestamp."""
    return datetime.fromtimestamp(timestamp, tz=timezone.utc).date()


def build_report(
    events: Sequence[StoredEvent],
    since: date,
    until: date,
    low_confidence: float = LOW_CONFIDENCE,
    exclude: Sequence[str] = (),
) -> ContentReport:
    """Count conversations, intents, fallbacks, escalations, screen outcomes and handoffs.

    Conversations whose sender id starts with one of ``exclude`` are left out.
    """
    report = ContentReport(since=since, until=until)
    by_sender: dict[str, list[StoredEvent]] = {}
    for event in events:
        if not any(event.sender_id.startswith(prefix) for prefix in exclude if prefix):
            by_sender.setdefault(event.sender_id, []).append(event)
    for sender_id, conversation in by_sender.items():
        escalated = False
        last_action = None
        for event in conversation:
            if event.type_name == "action":
                last_action = event.action_name
                report.emergency_escalations += last_action == EMERGENCY_ACTION
                report.handoffs += last_action == HANDOFF_ACTION
                escalated = escalated or last_action == EMERGENCY_ACTION
            elif event.type_name == "bot":
                report.bot_messages += 1
            elif (
                event.type_name == "slot"
                and event.data.get("name") == OUTCOME_SLOT
                and event.data.get("value") is not None
                and last_action != SESSION_START  # carried-over slots are not new outcomes
            ):
                report.screen_outcomes[str(event.data["value"])] += 1
        report.emergency_conversations += escalated
        member_turns = list(turns(conversation))
        report.conversations += bool(member_turns)
        for message, following in member_turns:
            label = intent_label(message)
            actions = {event.action_name for event in following if event.type_name == "action"}
            day = utc_day(message.timestamp)
            report.member_messages += 1
            report.intents[label] += 1
            report.daily_messages[day] += 1
            text = normalise_text(message.data.get("text"))
            quotable = EMERGENCY_ACTION not in actions
            if label == FALLBACK_INTENT or actions & FALLBACK_ACTIONS:
                report.fallbacks += 1
                report.daily_fallbacks[day] += 1
                if quotable:
                    report.not_understood.add(text, sender_id)
            elif label == OUT_OF_SCOPE_INTENT:
                if quotable:
                    report.out_of_scope.add(text, sender_id)
            elif quotable and confidence(message) < low_confidence:
                report.low_confidence.add(text, sender_id)
    return report


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ") or "(empty message)"


def quoted_senders(report: ContentReport, top: int = TOP) -> set[str]:
    """The members whose messages the report's tables quote (with ``--include-text``)."""
    senders: set[str] = set()
    for kind in (report.not_understood, report.out_of_scope, report.low_confidence):
        for text, _ in kind.top(top):
            senders |= kind.senders.get(text, set())
    return senders


def message_table(
    title: str, messages: Messages, top: int, include_text: bool, first: int = 1
) -> list[str]:
    """A Markdown table of the ``top`` messages of one kind (redacted unless asked for)."""
    lines = ["", f"## {title}", "", "| message | times |", "| --- | --- |"]
    for number, (text, count) in enumerate(messages.top(top), first):
        shown = _cell(text) if include_text else f"(redacted #{number}, {len(text)} characters)"
        lines.append(f"| {shown} | {count} |")
    if not messages.counts:
        lines.append("| (none) | 0 |")
    elif len(messages.counts) > top:
        lines.append(f"| ({len(messages.counts) - top} more; --top shows more) | |")
    return lines


def render_markdown(
    report: ContentReport,
    chart_name: str | None = None,
    include_text: bool = False,
    top: int = TOP,
    low_confidence: float = LOW_CONFIDENCE,
) -> str:
    """The report as Markdown for the content team (member text redacted unless asked for)."""
    lines = [
        f"# Content report {report.since.isoformat()} to {report.until.isoformat()} (UTC)",
        "",
        "| measure | value |",
        "| --- | --- |",
        f"| conversations | {report.conversations} |",
        f"| member messages | {report.member_messages} |",
        f"| assistant messages | {report.bot_messages} |",
        f"| fallback rate | {report.fallback_rate:.1%} ({report.fallbacks} messages) |",
        f"| emergency escalations | {report.emergency_escalations} "
        f"(in {report.emergency_conversations} conversations) |",
        f"| handoffs to a person | {report.handoffs} |",
        "",
    ]
    if chart_name:
        lines += [f"![messages per day and top intents]({chart_name})", ""]
    lines += ["## Top intents", "", "| intent | messages | share |", "| --- | --- | --- |"]
    for intent, count in report.intents.most_common(top):
        share = count / report.member_messages
        lines.append(f"| {_cell(intent)} | {count} | {share:.1%} |")
    tables = [
        ("Messages the assistant did not understand (content gaps)", report.not_understood),
        ("Questions read as out of scope (not covered by the content)", report.out_of_scope),
        (
            f"Messages understood with low confidence (below {low_confidence:.0%})",
            report.low_confidence,
        ),
    ]
    first = 1
    for title, messages in tables:
        lines += message_table(title, messages, top, include_text, first)
        first += min(top, len(messages.counts))
    lines += ["", "## Back pain screen outcomes", "", "| outcome | screens |", "| --- | --- |"]
    for outcome, count in sorted(report.screen_outcomes.items()):
        lines.append(f"| {_cell(outcome)} | {count} |")
    lines += [
        "",
        "Emergency turns are counted, never quoted. Member messages are "
        + ("quoted (--include-text)" if include_text else "redacted (--include-text quotes them)")
        + ". Fallback: the message was classified "
        f"`{FALLBACK_INTENT}` or answered by a fallback action.",
        "",
    ]
    return "\n".join(lines)


def render_chart(report: ContentReport, path: Path) -> Path:
    """PNG: member messages and fallbacks per day, and the top intents."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    days = [report.since + timedelta(days=n) for n in range((report.until - report.since).days + 1)]
    figure, (daily, intents) = plt.subplots(1, 2, figsize=(12, 4.5))
    labels = [day.strftime("%m-%d") for day in days]
    daily.bar(labels, [report.daily_messages[day] for day in days], label="member messages")
    daily.bar(labels, [report.daily_fallbacks[day] for day in days], label="fallbacks")
    daily.set_title("Messages per day (UTC)")
    daily.legend()
    daily.tick_params(axis="x", labelrotation=90)
    top = report.intents.most_common(TOP)[::-1]
    intents.barh([name for name, _ in top], [count for _, count in top])
    intents.set_title("Top intents")
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return path


def write_report(
    report: ContentReport,
    out: Path,
    include_text: bool = False,
    top: int = TOP,
    low_confidence: float = LOW_CONFIDENCE,
) -> tuple[Path, Path]:
    """Write the Markdown report and its chart into ``out`` (owner-only files); returns both.

    A report quoting member text is registered for "forget me" and the purge.
    """
    os.umask(0o077)
    out.mkdir(parents=True, exist_ok=True, mode=0o700)
    stem = f"content-report_{report.since.isoformat()}_{report.until.isoformat()}"
    chart = render_chart(report, out / f"{stem}.png")
    markdown = out / f"{stem}.md"
    text = render_markdown(report, chart.name, include_text, top, low_confidence)
    markdown.write_text(text, encoding="utf-8")
    for path in (chart, markdown):
        path.chmod(0o600)
    index = out / f"{stem}{report_index.INDEX_SUFFIX}"
    senders = quoted_senders(report, top) if include_text else set()
    if senders:
        report_index.register(out, [markdown, chart], senders)
    else:
        index.unlink(missing_ok=True)
    return markdown, chart


def main(argv: Sequence[str] | None = None) -> int:
    """CLI entry point; returns the exit code."""
    today = datetime.now(timezone.utc).date()
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", default=os.environ.get("TRACKER_DB_URL", "sqlite:///tracker.db"))
    parser.add_argument("--since", type=date.fromisoformat, default=today - timedelta(days=29))
    parser.add_argument("--until", type=date.fromisoformat, default=today)
    parser.add_argument("--out", type=Path, default=Path("reports"))
    parser.add_argument("--top", type=int, default=TOP, help="rows per table (default 10)")
    parser.add_argument(
        "--low-confidence",
        type=float,
        default=LOW_CONFIDENCE,
        help="list messages understood below this confidence (default 0.5)",
    )
    parser.add_argument(
        "--exclude-sender",
        action="append",
        default=[],
        metavar="PREFIX",
        help="leave out conversations whose sender id starts with PREFIX (repeatable)",
    )
    parser.add_argument(
        "--include-text",
        action="store_true",
        help="quote the messages not understood (default: redacted); forget-me and the purge "
        "delete such a report with the conversations it quotes",
    )
    args = parser.parse_args(argv)
    if args.since > args.until:
        parser.error("--since must not be after --until")
    if args.top < 1:
        parser.error("--top must be at least 1")
    period = f"between {args.since.isoformat()} and {args.until.isoformat()} (UTC)"
    try:
        events = read_events(args.db, args.since, args.until)
    except NoConversations as reason:
        print(f"no conversations to report {period}: {reason}; nothing written")
        return 0
    except sa.exc.SQLAlchemyError as error:
        print(f"cannot read the tracker store: {type(error).__name__}", file=sys.stderr)
        return 1
    excluded = [prefix for value in args.exclude_sender for prefix in value.split(",")]
    report = build_report(events, args.since, args.until, args.low_confidence, excluded)
    if not report.conversations:
        print(f"no conversations to report {period}; nothing written")
        return 0
    markdown, chart = write_report(
        report, args.out, args.include_text, args.top, args.low_confidence
    )
    print(f"{report.conversations} conversations, {report.member_messages} member messages")
    print(f"wrote {markdown} and {chart}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
