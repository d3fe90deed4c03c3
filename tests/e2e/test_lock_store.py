"""The scale-out lock store on a real Redis: no ticket lost when replicas change a lock at once.

Each "replica" is its own lock store (own Redis connection) in its own thread, all on one
conversation, so that Rasa's read-then-write can interleave as it does across processes.
Rasa's stock ``RedisLockStore`` is run through the same contention first: it must lose
tickets here (else the contention proves nothing about the atomic store).
"""
from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import Callable

import pytest
from cluster import REDIS, redis_client, redis_reachable, require
from rasa.core.lock_store import LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

from member_health_rasa.ops.lock_store import AtomicRedisLockStore

pytestmark = pytest.mark.e2e

REPLICAS = 6
TICKETS_EACH = 40
PREFIX = "memberhealthtest"


def config() -> EndpointConfig:
    """What endpoints.scale.yml gives Rasa, pointed at the test Redis."""
    return EndpointConfig(
        url=REDIS["REDIS_HOST"],
        port=REDIS["REDIS_PORT"],
        db=REDIS["REDIS_DB"],
        password=REDIS["REDIS_PASSWORD"],
        key_prefix=PREFIX,
    )


def stock() -> RedisLockStore:
    settings = config()
    return RedisLockStore(host=settings.url, **settings.kwargs)


def atomic() -> AtomicRedisLockStore:
    return AtomicRedisLockStore(config())


def contend(make: Callable[[], RedisLockStore], conversation: str) -> tuple[set[int], list[int]]:
    """Replicas issue tickets while others poll the lock (``update_lock``) as waiters do;
    return the tickets issued and the numbers the lock still holds afterwards."""
    stores = [make() for _ in range(REPLICAS)]
    issued: list[int] = []
    start = threading.Barrier(REPLICAS)

    def replica(store: RedisLockStore, polls: bool) -> None:
        start.wait()
        for _ in range(TICKETS_EACH):
            if polls:
                store.update_lock(conversation)
            issued.append(store.issue_ticket(conversation, 600))

    threads = [
        threading.Thread(target=replica, args=(store, index % 2 == 0))
        for index, store in enumerate(stores)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    lock = stores[0].get_lock(conversation)
    held = [ticket.number for ticket in lock.tickets] if lock else []
    return set(issued), held


@pytest.fixture(name="conversation")
def conversation_fixture() -> str:
    require(redis_reachable(), f"Redis is not reachable at {REDIS['REDIS_HOST']}")
    return f"lock-test-{uuid.uuid4().hex[:12]}"


def test_rasas_stock_store_loses_tickets_under_this_contention(conversation: str) -> None:
    _, held = contend(stock, conversation)
    stock().delete_lock(conversation)
    # Duplicate ticket numbers also show here: the lock holds at most one ticket per number.
    assert len(set(held)) < REPLICAS * TICKETS_EACH, "the contention never raced"


def test_the_atomic_store_keeps_every_ticket_unique_and_queued(conversation: str) -> None:
    issued, held = contend(atomic, conversation)
    atomic().delete_lock(conversation)
    assert len(issued) == REPLICAS * TICKETS_EACH, "two replicas got the same ticket number"
    assert sorted(held) == sorted(issued), "a ticket was lost from the queue"


def test_the_last_ticket_served_takes_the_lock_with_it(conversation: str) -> None:
    store, other = atomic(), atomic()
    first = store.issue_ticket(conversation, 60)
    second = other.issue_ticket(conversation, 60)
    store.cleanup(conversation, first)
    assert [t.number for t in other.get_lock(conversation).tickets] == [second]
    other.cleanup(conversation, second)
    assert redis_client().get(PREFIX + ":lock:" + conversation) is None


@pytest.mark.parametrize("make, outcome", [(stock, asyncio.TimeoutError), (atomic, LockError)])
def test_a_waiter_whose_ticket_expired_gets_an_error_not_an_endless_wait(
    conversation: str, make: Callable[[], RedisLockStore], outcome: type[Exception]
) -> None:
    """The waiter's ticket expires behind one that is never finished (a dead replica's). Once
    that one expires too, Rasa's store keeps the lock with no ticket and the waiter polls it
    for ever; here the lock goes with its last ticket and the waiter gets Rasa's LockError."""
    store = make()

    async def wait() -> None:
        async with store.lock(conversation, lock_lifetime=0.3, wait_time_in_seconds=0.05):
            raise AssertionError("served after its ticket expired")

    store.issue_ticket(conversation, 0.6)  # the dead replica's ticket, ahead in the queue
    with pytest.raises(outcome):
        asyncio.run(asyncio.wait_for(wait(), timeout=3))
    store.delete_lock(conversation)
