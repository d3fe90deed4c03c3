"""Rate limits per sender and per client address, and emergencies before everything else.

Pure logic (no Rasa imports), used by the REST channel and the website widget:

- ``Limiter``: two token buckets, one per sender id and one per client address. A flood of
  new sender ids from one address is stopped by the address bucket (each new id would also
  create a stored conversation); one member typing too fast by the sender bucket.
- ``TurnGate``: at most ``ORDINARY_TURNS`` ordinary messages are handled at once; the rest wait
  their turn. An emergency message skips both the limits and the queue, so a flood cannot
  delay "call 911".

Settings (environment): ``RATE_LIMIT_SENDER`` and ``RATE_LIMIT_ADDRESS`` as ``<per second>/<burst>``
(e.g. ``1/20``) or ``off``; ``ORDINARY_TURNS`` (default 4, 0 = no queue).
"""
from __future__ import annotations

import asyncio
import logging
import math
import os
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass

logger = logging.getLogger(__name__)

DEFAULT_SENDER = "1/20"  # a member: 20 messages at once, then one a second
DEFAULT_ADDRESS = "10/60"  # one address (a household, an office NAT): 10 a second
DEFAULT_ORDINARY_TURNS = 4
MAX_KEYS = 100_000  # buckets kept per limiter; the least recently used go first


@dataclass(frozen=True)
class Rate:
    """A token bucket's refill rate (tokens per second) and size."""

    per_s: float
    burst: float


def parse_rate(value: str | None, default: str) -> Rate | None:
    """``"<per second>/<burst>"`` (``"1/20"``) or ``"off"``; unset or empty: ``default``."""
    text = (default if value is None or not value.strip() else value).strip().lower()
    if text in ("off", "0", "none"):
        return None
    per_s, _, burst = text.partition("/")
    rate = Rate(float(per_s), float(burst or per_s))
    if not (rate.per_s > 0 and rate.burst >= 1 and math.isfinite(rate.per_s + rate.burst)):
        raise ValueError(f"rate limit {value!r}: expected '<per second>/<burst>' or 'off'")
    return rate


class TokenBuckets:
    """One token bucket per key, created full; at most ``max_keys`` kept (LRU)."""

    def __init__(
        self,
        rate: Rate,
        max_keys: int = MAX_KEYS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.rate = rate
        self.max_keys = max_keys
        self.clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def take(self, key: str) -> float:
        """Take a token: 0.0 when allowed, else the seconds until one is available."""
        now = self.clock()
        tokens, last = self._buckets.pop(key, (self.rate.burst, now))
        tokens = min(self.rate.burst, tokens + (now - last) * self.rate.per_s)
        wait = 0.0
        if tokens >= 1:
            tokens -= 1
        else:
            wait = (1 - tokens) / self.rate.per_s
        self._buckets[key] = (tokens, now)
        while len(self._buckets) > self.max_keys:
            self._buckets.popitem(last=False)
        return wait


class Limiter:
    """Per-sender and per-address buckets; ``check`` says how long a refused caller should wait."""

    def __init__(
        self,
        sender: Rate | None,
        address: Rate | None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.senders = TokenBuckets(sender, clock=clock) if sender else None
        self.addresses = TokenBuckets(address, clock=clock) if address else None
        self.clock = clock
        self._refused = 0
        self._logged_at: float | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Limiter:
        env = os.environ if env is None else env
        return cls(
            parse_rate(env.get("RATE_LIMIT_SENDER"), DEFAULT_SENDER),
            parse_rate(env.get("RATE_LIMIT_ADDRESS"), DEFAULT_ADDRESS),
        )

    def check(self, sender: str, address: str | None) -> float:
        """0.0 when the message may go on, else the seconds to wait (for ``Retry-After``)."""
        if self.addresses is not None and address:
            wait = self.addresses.take(address)
            if wait:
                return wait
        if self.senders is not None:
            return self.senders.take(sender)
        return 0.0

    def refused(self, every_s: float = 60.0) -> int:
        """Count a refusal; the count to log now (at most once per ``every_s``), else 0.

        A flood is thousands of refusals a second: one log line each would cost the server
        more than refusing them.
        """
        self._refused += 1
        now = self.clock()
        if self._logged_at is not None and now - self._logged_at < every_s:
            return 0
        count, self._refused, self._logged_at = self._refused, 0, now
        return count


class TurnGate:
    """Lets at most ``size`` ordinary turns run at once; emergencies never wait."""

    def __init__(self, size: int) -> None:
        self._slots = asyncio.Semaphore(size) if size > 0 else None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> TurnGate:
        env = os.environ if env is None else env
        return cls(int(env.get("ORDINARY_TURNS") or DEFAULT_ORDINARY_TURNS))

    @asynccontextmanager
    async def turn(self, emergency: bool) -> AsyncIterator[None]:
        if emergency or self._slots is None:
            yield
            return
        async with self._slots:
            yield


def retry_after(wait_s: float) -> str:
    """A ``Retry-After`` header value: whole seconds, at least 1."""
    return str(max(1, math.ceil(wait_s)))


def is_emergency(text: str) -> bool:
    """True when the deterministic emergency net fires on ``text``.

    Checked before the rate limits so that an emergency skips them and the queue; NLU still
    decides the reply. Never raises: a broken pattern file must not stop messages.
    """
    try:
        from member_health.emergency import load_detector

        return bool(load_detector().detect(text).fired)
    except Exception:  # noqa: BLE001 - the message takes the ordinary path
        logger.exception("could not run the emergency net before the rate limit")
        return False
