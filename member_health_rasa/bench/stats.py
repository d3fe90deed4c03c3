"""Figures of one load level, and our/baseline ratios (pure functions)."""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Sample:
    """One message: when it was sent and answered (monotonic seconds), and how it went."""

    sent: float
    done: float
    ok: bool
    empty: bool = False  # answered 200 with no bubble at all

    @property
    def latency(self) -> float:
        return self.done - self.sent


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) by linear interpolation between closest ranks (numpy's)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass
class LevelResult:
    """The figures of one concurrency level, measured over a window of ``seconds``."""

    members: int
    seconds: float
    messages: int
    errors: int
    empty_replies: int
    messages_per_s: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    peak_rss_mb: dict[str, float] = field(default_factory=dict)
    peak_pss_mb: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def summarize(members: int, samples: Sequence[Sample], start: float, end: float) -> LevelResult:
    """Figures over the samples sent at or after ``start`` and answered by ``end``.

    Throughput counts the successful messages answered in the window; latency percentiles are
    those of the successful ones; errors are the failed ones sent in the window (a request still
    unanswered at ``end`` that later failed is an error too).
    """
    sent_in_window = [s for s in samples if start <= s.sent < end]
    good = [s for s in sent_in_window if s.ok and s.done <= end]
    latencies_ms = [s.latency * 1000 for s in good]
    seconds = end - start
    return LevelResult(
        members=members,
        seconds=round(seconds, 2),
        messages=len(good),
        errors=sum(not s.ok for s in sent_in_window),
        empty_replies=sum(s.empty for s in good),
        messages_per_s=round(len(good) / seconds, 2) if seconds > 0 else 0.0,
        p50_ms=round(percentile(latencies_ms, 50), 1),
        p95_ms=round(percentile(latencies_ms, 95), 1),
        p99_ms=round(percentile(latencies_ms, 99), 1),
    )


def saturated_throughput(levels: Sequence[LevelResult]) -> float:
    """The best messages/s over the levels (a saturated server stays near it as load grows)."""
    return max((level.messages_per_s for level in levels), default=0.0)


def ratio(ours: float, baseline: float) -> float:
    """ours / baseline, rounded; NaN when the baseline is zero or missing."""
    return round(ours / baseline, 2) if baseline and not math.isnan(baseline) else math.nan


def ratios(ours: Sequence[LevelResult], baseline: Sequence[LevelResult]) -> dict[str, Any]:
    """Throughput and latency ratios per level (matched by member count), and saturated."""
    by_members = {level.members: level for level in baseline}
    per_level = {}
    for level in ours:
        other = by_members.get(level.members)
        if other is None:
            continue
        per_level[str(level.members)] = {
            "messages_per_s": ratio(level.messages_per_s, other.messages_per_s),
            "p50_ms": ratio(level.p50_ms, other.p50_ms),
            "p95_ms": ratio(level.p95_ms, other.p95_ms),
        }
    return {
        "saturated_messages_per_s": ratio(
            saturated_throughput(ours), saturated_throughput(baseline)
        ),
        "per_level": per_level,
    }
