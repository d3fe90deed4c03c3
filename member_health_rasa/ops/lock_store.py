"""Rasa's Redis lock store with every change of a lock made atomically (scale-out profile).

Rasa 3.6's ``RedisLockStore`` changes a conversation's lock by reading it, changing it in the
replica and writing it back. Two replicas doing that at once lose one change. Seen in CI
(2026-12-01): replica 0, polling its place in the queue (``update_lock``), wrote back the lock
it had read just before replica 1 added its ticket; replica 1's ticket was gone, the lock was
then left with no ticket at all and replica 1 waited on it for ever (the member's message got
no answer). Other losses let two replicas serve one conversation at once.

``AtomicRedisLockStore`` keeps Rasa's ticket algorithm (``TicketLock``) and its key layout,
but makes each read-change-write one Redis transaction (``WATCH``/``MULTI``, retried when
another replica changed the lock in between), and deletes a lock in the same transaction as
the change that leaves it without tickets: a waiter whose ticket is gone gets Rasa's
``LockError`` (an error reply) instead of waiting for ever.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

T = TypeVar("T")


class AtomicRedisLockStore(RedisLockStore):
    """``RedisLockStore`` whose ticket changes cannot overwrite one another."""

    def __init__(self, endpoint_config: EndpointConfig) -> None:
        """The lock store of ``endpoints.yml``'s ``lock_store`` section (as ``type: redis``)."""
        super().__init__(host=endpoint_config.url, **endpoint_config.kwargs)

    def _change(self, conversation_id: str, change: Callable[[TicketLock], T]) -> T:
        """Apply ``change`` to the conversation's lock (a new one if none) in one transaction;
        a lock left without tickets is deleted."""
        key = self.key_prefix + conversation_id

        def attempt(pipe: Any) -> T:
            raw = pipe.get(key)
            lock = TicketLock.from_dict(json.loads(raw)) if raw else TicketLock(conversation_id)
            result = change(lock)
            lock.remove_expired_tickets()
            pipe.multi()
            if lock.tickets:
                pipe.set(key, lock.dumps())
            else:
                pipe.delete(key)
            return result

        return self.red.transaction(attempt, key, value_from_callable=True)

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        """Add a ticket to the conversation's queue and return its number."""
        try:
            return self._change(conversation_id, lambda lock: lock.issue_ticket(lock_lifetime))
        except Exception as error:  # noqa: BLE001 - Rasa's contract: LockError
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error

    def update_lock(self, conversation_id: str) -> None:
        """Drop expired tickets (the lock with them, if none is left)."""
        self._change(conversation_id, lambda lock: None)

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        """Remove the ticket (the lock with it, if it was the last)."""
        self._change(conversation_id, lambda lock: lock.remove_ticket_for(ticket_number))

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        """Finish serving the ticket. Rasa's version then deletes the lock if it saw nobody
        waiting, which could delete a ticket issued in between: here the deletion happens in
        the same transaction, only when no ticket is left."""
        self.finish_serving(conversation_id, ticket_number)
