"""Two Rasa replicas sharing PostgreSQL and Redis behind nginx: no turn lost, doubled or mixed.

20 conversations, each message sent exactly once (no client resends):

1. four messages alternately to replica 0 and replica 1;
2. a pair of messages queued on the conversation's Redis lock at the same moment, one on each
   replica: the test holds the lock (ticket 0, as a third replica would) until Redis shows both
   replicas' tickets behind it, so the pair really contends; it must be served in ticket order;
3. four messages through nginx, while replica 1 is killed (SIGKILL) holding a conversation's
   lock: its action server is frozen first, a message that needs a custom action is sent to it,
   and the kill comes once Redis shows that message's ticket. Requests in flight on replica 1
   fail (nginx retries a POST only when it could not connect, so nothing is processed twice);
   the conversation's next message must wait for the dead replica's ticket to expire, which
   README promises after 60 s (Rasa's default ``TICKET_LOCK_LIFETIME``), and not a moment less.

Afterwards PostgreSQL must hold, per conversation and message by message, exactly what was sent
and what the bot answered: each answered message once, as one complete turn whose bot texts
are the ones received; a message whose request failed either not at all or as one complete
turn; nothing else.
"""
from __future__ import annotations

import json
import threading
import time
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
from chat import rest_headers
from cluster import (  # noqa: F401 - fixtures
    Cluster,
    PgStore,
    Ticket,
    cluster_fixture,
    hold_lock,
    lock_tickets,
    pg_store_fixture,
    redis_client,
)

pytestmark = pytest.mark.e2e

CONVERSATIONS = 20
ALTERNATING = ["hello", "what is bone cancer?", "what is osteosarcoma?", "what is a biopsy?"]
PAIR = ["what is chordoma?", "what are the symptoms of bone cancer?"]
BALANCED = ["how is bone cancer diagnosed?", "what is ewing sarcoma?", "thank you", "bye"]
KILL_AFTER = CONVERSATIONS  # balanced messages answered before replica 1 is killed
# A replica runs 4 ordinary turns at once (ORDINARY_TURNS); more pairs at once would wait for
# a turn before they could queue on the lock.
PAIRS_AT_ONCE = 4
HOLD_S = 3.0  # how long the test holds a pair's lock: both replicas must queue behind it
LOCK_LIFETIME_S = 60.0  # README: "the Redis lock's lifetime (60 s, TICKET_LOCK_LIFETIME)"
CLOCK_SLACK_S = 0.5  # one host, one clock: only the float rounding of time.time()
# Starts the stage form, whose validation is a custom action (validate_stage_form).
NEEDS_ACTIONS = "what stage is my tumor?"
UNAVAILABLE = "can't do that right now"  # utter_action_unavailable
WAIT_S = 30.0  # bound on waiting for something observable (a ticket in Redis)
REPORT = Path(__file__).resolve().parents[2] / "reports" / "scale_out.json"


@dataclass
class Sent:
    """One message, sent once, and what came back."""

    text: str
    via: str
    sent_at: float
    answered_at: float | None = None
    replies: list[str | None] | None = None  # bubble texts; None: the request failed
    failure: str | None = None  # HTTP status or exception name


@dataclass
class Conversation:
    sender: str
    messages: list[Sent] = field(default_factory=list)
    queued_together: list[Ticket] = field(default_factory=list)  # the pair's lock at its fullest


def post(url: str, sender: str, text: str, timeout: float = 180) -> requests.Response:
    return requests.post(
        f"{url}/webhooks/rest/webhook",
        json={"sender": sender, "message": text},
        headers=rest_headers(),
        timeout=timeout,
    )


def send(conversation: Conversation, url: str, via: str, text: str) -> Sent:
    """Send ``text`` once (never again, whatever happens) and record the outcome."""
    sent = Sent(text, via, time.time())
    conversation.messages.append(sent)
    try:
        response = post(url, conversation.sender, text)
    except requests.RequestException as error:
        sent.failure = type(error).__name__
        return sent
    if response.status_code == 200:
        sent.replies = [bubble.get("text") for bubble in response.json()]
        sent.answered_at = time.time()
    else:
        sent.failure = str(response.status_code)
    return sent


def wait_for(what: str, check: Any, until: float) -> Any:
    """Poll ``check`` until it returns something truthy; fail loudly at ``until``."""
    while True:
        found = check()
        if found:
            return found
        if time.time() > until:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


class Run:
    """The clients' shared state; kills replica 1 once ``KILL_AFTER`` balanced answers came."""

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self.redis = redis_client()
        self.lock = threading.Lock()
        self.balanced_answers = 0
        self.killer: threading.Thread | None = None
        self.killed = threading.Event()  # set once the post-kill lock snapshot is taken
        self.killed_at: float | None = None
        self.orphans: dict[str, list[Ticket]] = {}  # locks left in Redis by the dead replica
        self.errors: list[BaseException] = []
        self.sentinel = Conversation(f"scale-sentinel-{uuid.uuid4().hex[:12]}")
        self.probe: Conversation | None = None
        self.after_kill: Sent | None = None
        self.senders: list[str] = []

    def answered_balanced(self) -> None:
        with self.lock:
            self.balanced_answers += 1
            if self.killer is None and self.balanced_answers >= KILL_AFTER:
                self.killer = threading.Thread(target=self._kill_guarded)
                self.killer.start()

    def _kill_guarded(self) -> None:
        try:
            self.kill_holding_a_lock()
        except BaseException as error:  # noqa: BLE001 - reported by the test
            self.errors.append(error)
        finally:
            self.killed.set()
        try:
            # The sentinel's next message, at once, through nginx to the survivor: it must
            # wait for the dead replica's ticket.
            self.after_kill = send(self.sentinel, self.cluster.url, "nginx", "hello")
        except BaseException as error:  # noqa: BLE001 - reported by the test
            self.errors.append(error)

    def kill_holding_a_lock(self) -> None:
        """Kill replica 1 while it holds the sentinel conversation's lock, mid-request."""
        cluster, sentinel = self.cluster, self.sentinel
        cluster.pause_actions(1)
        with ThreadPoolExecutor(1) as background:
            try:
                in_flight: Future[Sent] = background.submit(
                    send, sentinel, cluster.replica_url(1), "replica 1", NEEDS_ACTIONS
                )
                wait_for(
                    "replica 1 to take the sentinel's lock",
                    lambda: lock_tickets(self.redis, sentinel.sender),
                    time.time() + WAIT_S,
                )
                # Replica 0 runs custom actions on its own action server meanwhile.
                self.probe = Conversation(f"scale-probe-{uuid.uuid4().hex[:12]}")
                send(self.probe, cluster.replica_url(0), "replica 0", NEEDS_ACTIONS)
                self.killed_at = time.time()
                cluster.kill(1)
                self.orphans = {
                    sender: tickets
                    for sender in [sentinel.sender, *self.senders]
                    if (tickets := lock_tickets(self.redis, sender))
                }
            finally:
                cluster.resume_actions(1)
            in_flight.result(timeout=WAIT_S)


def alternate(run: Run, conversation: Conversation) -> None:
    for index, text in enumerate(ALTERNATING):
        replica = index % 2
        sent = send(conversation, run.cluster.replica_url(replica), f"replica {replica}", text)
        assert sent.replies is not None, f"{conversation.sender}: {text!r} failed: {sent.failure}"


def contend(run: Run, conversation: Conversation) -> None:
    """The pair, one message on each replica, both queued on the lock the test holds."""
    sender, release = conversation.sender, time.time() + HOLD_S
    hold_lock(run.redis, sender, release)
    with ThreadPoolExecutor(2) as pool:
        first = pool.submit(send, conversation, run.cluster.replica_url(0), "replica 0", PAIR[0])
        wait_for(
            f"replica 0 to queue {sender}'s first message on the lock",
            lambda: len(lock_tickets(run.redis, sender)) >= 2,
            release,
        )
        second = pool.submit(send, conversation, run.cluster.replica_url(1), "replica 1", PAIR[1])
        conversation.queued_together = wait_for(
            f"replica 1 to queue {sender}'s second message behind it",
            lambda: (tickets := lock_tickets(run.redis, sender)) and len(tickets) >= 3 and tickets,
            release,
        )
        for future in (first, second):
            sent = future.result()
            assert sent.replies is not None, f"{sender}: {sent.text!r} failed: {sent.failure}"


def balanced(run: Run, conversation: Conversation) -> None:
    for text in BALANCED:
        sent = send(conversation, run.cluster.url, "nginx", text)
        if sent.replies is not None:
            run.answered_balanced()
        else:
            # Interrupted by the kill: go on (no resend) once the dead replica's locks are
            # recorded, so that the next message's ticket is not taken for the orphan.
            assert run.killed.wait(300), "the kill never finished"


def turns(events: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Stored events split into turns, each starting with the member's message."""
    starts = [i for i, event in enumerate(events) if event["event"] == "user"]
    return [events[a:b] for a, b in zip(starts, starts[1:] + [len(events)], strict=True)]


def complete(turn: list[dict[str, Any]]) -> bool:
    """A whole turn: the member's message, the bot's actions, then action_listen once, last."""
    actions = [event["name"] for event in turn if event["event"] == "action"]
    bots = [event for event in turn if event["event"] == "bot"]
    return bool(bots) and actions[-1:] == ["action_listen"] and actions.count("action_listen") == 1


def compare(stored: list[dict[str, Any]], conversation: Conversation) -> list[str]:
    """Differences between PostgreSQL and what was sent and received, message by message."""
    problems = []
    stamps = [event["timestamp"] for event in stored]
    if stamps != sorted(stamps):
        problems.append("events out of timestamp order")
    stored_turns, index = turns(stored), 0
    for sent in conversation.messages:
        turn = stored_turns[index] if index < len(stored_turns) else None
        here = turn is not None and turn[0].get("text") == sent.text
        if sent.replies is None and not here:
            continue  # failed in flight and never processed
        if not here:
            found = turn[0].get("text") if turn else "nothing"
            problems.append(f"{sent.text!r} ({sent.via}) is not stored; found {found!r}")
            continue
        index += 1
        if not complete(turn):
            problems.append(f"{sent.text!r} is not one complete turn: {turn}")
        bot_texts = [event.get("text") for event in turn if event["event"] == "bot"]
        if sent.replies is not None and bot_texts != sent.replies:
            problems.append(f"{sent.text!r}: received {sent.replies}, stored {bot_texts}")
    for extra in stored_turns[index:]:
        problems.append(f"stored but not sent (or stored twice): {extra[0].get('text')!r}")
    return problems


def test_two_replicas_behind_nginx_keep_every_turn_in_order(
    cluster: Cluster, pg_store: PgStore
) -> None:
    cluster.ensure_running()
    actions = [cluster.action_url(0), cluster.action_url(1)]
    assert actions[0] != actions[1], "both replicas call the same action server"
    run = Run(cluster)
    conversations = [Conversation(f"scale-{uuid.uuid4().hex[:12]}") for _ in range(CONVERSATIONS)]
    run.senders = [c.sender for c in conversations]
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=CONVERSATIONS) as pool:
        list(pool.map(lambda c: alternate(run, c), conversations))
        for batch in range(0, CONVERSATIONS, PAIRS_AT_ONCE):
            list(pool.map(lambda c: contend(run, c), conversations[batch : batch + PAIRS_AT_ONCE]))
        list(pool.map(lambda c: balanced(run, c), conversations))
    assert run.killer is not None, "replica 1 was never killed"
    run.killer.join(timeout=LOCK_LIFETIME_S + WAIT_S)
    assert not run.killer.is_alive(), "the sentinel's message after the kill never came back"
    if run.errors:
        raise run.errors[0]
    after_kill = run.after_kill
    assert after_kill is not None
    elapsed = time.monotonic() - started

    # Every pair really contended: both replicas' tickets queued behind the held one at once,
    # served in ticket order (the order the DB check below requires: PAIR[0] first).
    for conversation in conversations:
        numbers = [ticket.number for ticket in conversation.queued_together]
        assert numbers == [0, 1, 2], (conversation.sender, numbers)

    # The kill interrupted the sentinel's request in flight, holding its lock; the other
    # replica's custom actions ran on its own action server meanwhile.
    (sentinel_sent,) = [m for m in run.sentinel.messages if m.text == NEEDS_ACTIONS]
    assert sentinel_sent.replies is None, "the sentinel's request was not interrupted"
    assert run.probe is not None
    (probe,) = run.probe.messages
    assert probe.replies and not any(UNAVAILABLE in (text or "") for text in probe.replies), probe
    (orphan,) = run.orphans[run.sentinel.sender]
    assert run.killed_at is not None
    # The ticket was issued between sending and the kill, for README's 60 s ...
    assert sentinel_sent.sent_at + LOCK_LIFETIME_S - CLOCK_SLACK_S <= orphan.expires
    assert orphan.expires <= run.killed_at + LOCK_LIFETIME_S + CLOCK_SLACK_S
    # ... and the next message waited for it to expire, not less (the survivor polls each second).
    assert after_kill.replies, after_kill.failure
    assert after_kill.answered_at is not None
    assert orphan.expires - CLOCK_SLACK_S <= after_kill.answered_at <= orphan.expires + WAIT_S

    # Load requests cut off by the kill: nginx answered 502, each waited for its lock too.
    interrupted = [
        (c, i) for c in conversations for i, m in enumerate(c.messages) if m.replies is None
    ]
    assert all(c.messages[i].failure == "502" for c, i in interrupted), [
        (c.sender, c.messages[i].text, c.messages[i].failure) for c, i in interrupted
    ]
    orphaned_load = 0
    for conversation, index in interrupted:
        tickets = run.orphans.get(conversation.sender)
        if tickets and index + 1 < len(conversation.messages):
            orphaned_load += 1
            nxt = conversation.messages[index + 1]
            assert (
                nxt.answered_at is not None
                and nxt.answered_at >= max(t.expires for t in tickets) - CLOCK_SLACK_S
            ), (conversation.sender, tickets, nxt)

    # PostgreSQL, message by message, per sender.
    problems: dict[str, list[str]] = {}
    events_checked = 0
    for conversation in [*conversations, run.sentinel, run.probe]:
        stored = pg_store.events(conversation.sender)
        events_checked += len(stored)
        found = compare(stored, conversation)
        if found:
            problems[conversation.sender] = found

    messages = [m for c in conversations for m in c.messages]
    figures = {
        "conversations": CONVERSATIONS,
        "messages": CONVERSATIONS * len(ALTERNATING + PAIR + BALANCED),
        "requests_sent_for_them": len(messages),  # one request a message: no resend path
        "answered": sum(m.replies is not None for m in messages),
        "load_requests_interrupted_by_the_kill": len(interrupted),
        "of_them_stored_anyway": sum(
            1
            for c, i in interrupted
            if any(t[0].get("text") == c.messages[i].text for t in turns(pg_store.events(c.sender)))
        ),
        "load_conversations_left_waiting_on_a_dead_ticket": orphaned_load,
        "pairs_queued_on_the_lock_together": sum(
            len(c.queued_together) == 3 for c in conversations
        ),
        "sentinel_wait_after_kill_s": round(after_kill.answered_at - run.killed_at, 1),
        "sentinel_ticket_lifetime_s": round(orphan.expires - sentinel_sent.sent_at, 1),
        "events_checked": events_checked,
        "conversations_with_problems": len(problems),
        "seconds": round(elapsed, 1),
    }
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    print(f"\nscale-out: {figures}")
    assert not problems, json.dumps(problems, indent=2)
    assert figures["requests_sent_for_them"] == figures["messages"]
    # The survivor answers a new conversation through the balancer.
    assert post(cluster.url, f"scale-after-{uuid.uuid4().hex[:8]}", "hello").json()


# --- the per-replica tracker cache (issue 20) ------------------------------------------------
# One member alternates the two replicas, each of which caches the conversation; "forget me" is
# asked on one and confirmed on the other, and the conversation goes on on both. The replies and
# the stored events must be exactly those of a server without the cache (TRACKER_CACHE_EVENTS=0)
# given the same messages.
CACHE_SCRIPT = [
    "hello",
    "what is bone cancer?",
    "what is osteosarcoma?",
    "thanks",
    "please forget me and delete my data",
    "yes",
    "what is ewing sarcoma?",
    "what are the symptoms of bone cancer?",
    "thank you",
    "how is bone cancer treated?",
]


def shape(event: dict[str, Any]) -> tuple[Any, ...]:
    """A stored event without its timestamp and ids: what must match between the two runs."""
    kind = event["event"]
    if kind == "user":
        return kind, event.get("text"), event["parse_data"]["intent"].get("name")
    if kind == "bot":
        return kind, event.get("text"), json.dumps(event.get("data"), sort_keys=True)
    if kind == "action":
        return kind, event.get("name"), event.get("policy"), event.get("confidence")
    if kind in ("slot", "active_loop"):
        return kind, event.get("name"), json.dumps(event.get("value"), sort_keys=True)
    return (kind,)


def sqlite_events(path: str, sender: str) -> list[dict[str, Any]]:
    """One conversation's events in a SQLite tracker store, in the order they were written."""
    import sqlite3

    with sqlite3.connect(path) as connection:
        rows = connection.execute(
            "SELECT data FROM events WHERE sender_id = ? ORDER BY id", (sender,)
        ).fetchall()
    return [json.loads(row[0]) for row in rows]


def test_cached_replicas_answer_and_store_what_a_cacheless_server_does(
    cluster: Cluster, pg_store: PgStore, start_servers: Any
) -> None:
    cluster.ensure_running()
    member = f"scale-cache-{uuid.uuid4().hex[:12]}"
    replies = []
    for index, text in enumerate(CACHE_SCRIPT):
        response = post(cluster.replica_url(index % 2), member, text)
        assert response.status_code == 200, (text, response.status_code)
        replies.append([bubble.get("text") for bubble in response.json()])
    stored = [shape(event) for event in pg_store.events(member)]
    assert ("user", "hello", "greet") not in stored  # forgotten

    with start_servers(
        "no-cache", {"TRACKER_CACHE_EVENTS": "0", "RATE_LIMIT_ADDRESS": "off"}
    ) as plain:
        reference = f"no-cache-{uuid.uuid4().hex[:12]}"
        expected_replies = []
        for text in CACHE_SCRIPT:
            response = requests.post(
                f"{plain.url}/webhooks/rest/webhook",
                json={"sender": reference, "message": text},
                headers=rest_headers(),
                timeout=180,
            )
            assert response.status_code == 200, (text, response.status_code)
            expected_replies.append([bubble.get("text") for bubble in response.json()])
        expected = [shape(event) for event in sqlite_events(str(plain.tracker_db), reference)]
    assert replies == expected_replies
    assert stored == expected
    assert any(event[:2] == ("user", "how is bone cancer treated?") for event in stored)
