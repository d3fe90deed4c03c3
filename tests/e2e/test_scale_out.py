"""Two Rasa replicas sharing PostgreSQL and Redis behind nginx: no turn lost, doubled or mixed.

20 conversations run at once. Each sends its first messages alternately to replica 0 and
replica 1, then two messages to both replicas at the same moment (the Redis lock must
serialise them), then the rest through nginx, while replica 1 is killed (SIGKILL) mid-run.
Afterwards every conversation's tracker must hold exactly its turns, in order, each turn
complete (the member's message, the bot's replies as received, then action_listen), and the
PostgreSQL rows must match the tracker.
"""
from __future__ import annotations

import json
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
from chat import rest_headers
from cluster import Cluster, cluster_fixture, pg_store_fixture  # noqa: F401 - fixtures

pytestmark = pytest.mark.e2e

CONVERSATIONS = 20
ALTERNATING = ["hello", "what is bone cancer?", "what is osteosarcoma?", "what is a biopsy?"]
SIMULTANEOUS = ["what is chordoma?", "what are the symptoms of bone cancer?"]
BALANCED = ["how is bone cancer diagnosed?", "what is ewing sarcoma?", "thank you", "bye"]
KILL_AFTER = CONVERSATIONS  # balanced messages answered before replica 1 is killed
REPORT = Path(__file__).resolve().parents[2] / "reports" / "scale_out.json"


@dataclass
class Conversation:
    """One member's messages and what the bot answered to each (None: answer lost)."""

    sender: str
    replies: dict[str, int | None] = field(default_factory=dict)
    retried: int = 0


class Run:
    """Shared state: counts balanced answers and kills replica 1 once, mid-run."""

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self.lock = threading.Lock()
        self.balanced_answers = 0
        self.killed_at: int | None = None
        self.sent = 0

    def answered_balanced(self) -> None:
        with self.lock:
            self.balanced_answers += 1
            if self.killed_at is None and self.balanced_answers >= KILL_AFTER:
                self.killed_at = self.balanced_answers
                self.cluster.kill(1)

    def count_sent(self) -> None:
        with self.lock:
            self.sent += 1


def user_texts(tracker: dict[str, Any]) -> list[str]:
    return [e.get("text") for e in tracker["events"] if e["event"] == "user"]


def post(url: str, sender: str, text: str) -> requests.Response:
    return requests.post(
        f"{url}/webhooks/rest/webhook",
        json={"sender": sender, "message": text},
        headers=rest_headers(),
        timeout=180,
    )


def send(run: Run, conversation: Conversation, url: str, text: str, balanced: bool) -> None:
    """Send one message; after a failed request, resend only if the turn was not stored."""
    for _ in range(5):
        run.count_sent()
        try:
            response = post(url, conversation.sender, text)
            if response.status_code == 200:
                conversation.replies[text] = len(response.json())
                if balanced:
                    run.answered_balanced()
                return
        except requests.RequestException:
            pass
        conversation.retried += 1
        url = run.cluster.url  # the replica may be the killed one: go through the balancer
        time.sleep(1)
        if text in user_texts(run.cluster.tracker(conversation.sender)):
            conversation.replies[text] = None  # stored, but the answer was lost in transit
            return
    raise AssertionError(f"{conversation.sender}: {text!r} was never answered")


def converse(run: Run, conversation: Conversation) -> None:
    """Alternate replicas, then two messages at once, then through nginx."""
    for index, text in enumerate(ALTERNATING):
        send(run, conversation, run.cluster.replica_url(index % 2), text, balanced=False)
    with ThreadPoolExecutor(max_workers=2) as pair:
        futures = [
            pair.submit(send, run, conversation, run.cluster.replica_url(i), text, False)
            for i, text in enumerate(SIMULTANEOUS)
        ]
        for future in futures:
            future.result()
    for text in BALANCED:
        send(run, conversation, run.cluster.url, text, balanced=True)


def check_turns(tracker: dict[str, Any], conversation: Conversation) -> list[str]:
    """Problems in one conversation's events (empty when all is in order)."""
    problems = []
    events = tracker["events"]
    stamps = [e["timestamp"] for e in events]
    if stamps != sorted(stamps):
        problems.append("events out of timestamp order")
    texts = user_texts(tracker)
    expected = ALTERNATING + SIMULTANEOUS + BALANCED
    middle = slice(len(ALTERNATING), len(ALTERNATING) + len(SIMULTANEOUS))
    if len(texts) != len(expected) or texts[: middle.start] != ALTERNATING:
        problems.append(f"user messages {texts} != {expected}")
    elif sorted(texts[middle]) != sorted(SIMULTANEOUS) or texts[middle.stop :] != BALANCED:
        problems.append(f"user messages {texts} != {expected}")
    starts = [i for i, e in enumerate(events) if e["event"] == "user"] + [len(events)]
    for start, end in zip(starts, starts[1:], strict=False):
        turn = events[start:end]
        text = turn[0].get("text")
        actions = [e["name"] for e in turn if e["event"] == "action"]
        bots = sum(1 for e in turn if e["event"] == "bot")
        if not actions or actions[-1] != "action_listen" or "action_listen" in actions[:-1]:
            problems.append(f"turn {text!r} is not one complete turn: {actions}")
        if bots == 0:
            problems.append(f"turn {text!r} has no reply")
        received = conversation.replies.get(text)
        if received is not None and received != bots:
            problems.append(f"turn {text!r}: {received} bubbles received, {bots} stored")
    return problems


def test_two_replicas_behind_nginx_keep_every_turn_in_order(cluster: Cluster, pg_store) -> None:  # type: ignore[no-untyped-def]
    cluster.ensure_running()
    run = Run(cluster)
    conversations = [Conversation(f"scale-{uuid.uuid4().hex[:12]}") for _ in range(CONVERSATIONS)]
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=CONVERSATIONS) as pool:
        for future in [pool.submit(converse, run, c) for c in conversations]:
            future.result()
    elapsed = time.monotonic() - started

    assert run.killed_at is not None, "replica 1 was never killed"
    problems: dict[str, list[str]] = {}
    events_checked = 0
    for conversation in conversations:
        tracker = cluster.tracker(conversation.sender)
        events_checked += len(tracker["events"])
        found = check_turns(tracker, conversation)
        if pg_store.event_count(conversation.sender) != len(tracker["events"]):
            found.append("PostgreSQL rows differ from the tracker's events")
        if found:
            problems[conversation.sender] = found
    messages = CONVERSATIONS * len(ALTERNATING + SIMULTANEOUS + BALANCED)
    figures = {
        "conversations": CONVERSATIONS,
        "messages": messages,
        "requests_sent": run.sent,
        "requests_retried_after_kill": sum(c.retried for c in conversations),
        "answers_lost_in_transit": sum(
            1 for c in conversations for v in c.replies.values() if v is None
        ),
        "events_checked": events_checked,
        "conversations_with_problems": len(problems),
        "lost_turns": sum(
            len(ALTERNATING + SIMULTANEOUS + BALANCED) - len(user_texts(cluster.tracker(c.sender)))
            for c in conversations
        ),
        "replica_killed_after_balanced_answers": run.killed_at,
        "seconds": round(elapsed, 1),
    }
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    print(f"\nscale-out: {figures}")
    assert not problems, json.dumps(problems, indent=2)
    assert figures["lost_turns"] == 0
    # The survivor answers a new conversation through the balancer.
    assert post(cluster.url, f"scale-after-{uuid.uuid4().hex[:8]}", "hello").json()
