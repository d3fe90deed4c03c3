"""Figures of one load level and of one long conversation, and our/baseline ratios (pure
functions)."""
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


# The growth measurement (``make bench --growth-turns``): one member's long conversation, the reply
# time at a few turns, each the median of a window of GROWTH_WINDOW consecutive turns around it
# (conversations.GROWTH_CYCLE has as many messages, so every window holds the same mix).
GROWTH_WINDOW = 10


def growth_points(turns: int) -> list[int]:
    """The turns reported for a conversation of ``turns``: the first, the one a third of the way
    (100 of 300) and the last."""
    if turns <= 0:
        return []
    return sorted({1, max(1, round(turns / 3)), turns})


def window_bounds(point: int, turns: int, window: int = GROWTH_WINDOW) -> tuple[int, int]:
    """The first and last turn (1-based, inclusive) of the window around ``point``: it starts
    ``window // 2 - 1`` turns before it (96-105 for 100), shifted to stay within 1..``turns``
    (1-10 for 1, 291-300 for 300 of 300); the whole conversation when it is shorter."""
    size = max(1, min(window, turns))
    first = max(1, min(point - size // 2 + 1, turns - size + 1))
    return first, first + size - 1


@dataclass
class GrowthPoint:
    """The median reply time of the successful turns ``first_turn``..``last_turn``."""

    turn: int
    first_turn: int
    last_turn: int
    median_ms: float
    messages: int


@dataclass
class GrowthResult:
    """One conversation's reply time by turn; ``ratio_last_to_first``: the last point's median
    over the first's (turn 300 / turn 1). ``fresh_first_ms``: the median of a new member's first
    window, sent alternately with the last window; ``ratio_last_to_fresh``: the last point's
    median over it, the two measured together (the host's speed drifts between turn 1 and
    turn 300: the sequential ratio of one build ranged 0.63-1.32x over eight runs)."""

    turns: int
    window: int
    points: list[GrowthPoint]
    ratio_last_to_first: float
    errors: int
    empty_replies: int
    latencies_ms: list[float | None]  # by turn; None: the turn failed
    fresh_first_ms: float = math.nan
    ratio_last_to_fresh: float = math.nan

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def summary(self) -> dict[str, float]:
        """The headline: ``turn_<n>_ms`` for each point, ``turn_<last>_over_turn_1``."""
        result = {f"turn_{point.turn}_ms": point.median_ms for point in self.points}
        if self.points:
            last = self.points[-1].turn
            result[f"turn_{last}_over_turn_1"] = self.ratio_last_to_first
            result["fresh_turn_1_ms"] = self.fresh_first_ms
            result[f"turn_{last}_over_fresh_turn_1"] = self.ratio_last_to_fresh
        return result

    def at(self, turn: int) -> GrowthPoint | None:
        """The point reported for ``turn``, if any."""
        return next((point for point in self.points if point.turn == turn), None)


def growth_figures(
    samples: Sequence[Sample], window: int = GROWTH_WINDOW, fresh: Sequence[Sample] = ()
) -> GrowthResult:
    """Figures of one conversation's turns, ``samples[0]`` being turn 1; ``fresh``: a new
    member's first turns, sent alternately with the last window."""
    turns = len(samples)
    latencies: list[float | None] = [round(s.latency * 1000, 1) if s.ok else None for s in samples]
    fresh_ms = [round(s.latency * 1000, 1) for s in fresh if s.ok]
    fresh_first = round(percentile(fresh_ms, 50), 1)  # NaN without any
    points = []
    for turn in growth_points(turns):
        first, last = window_bounds(turn, turns, window)
        values = [v for v in latencies[first - 1 : last] if v is not None]
        points.append(GrowthPoint(turn, first, last, round(percentile(values, 50), 1), len(values)))
    return GrowthResult(
        turns=turns,
        window=window,
        points=points,
        ratio_last_to_first=ratio(points[-1].median_ms, points[0].median_ms)
        if points
        else math.nan,
        errors=sum(not s.ok for s in [*samples, *fresh]),
        empty_replies=sum(s.ok and s.empty for s in [*samples, *fresh]),
        latencies_ms=latencies,
        fresh_first_ms=fresh_first,
        ratio_last_to_fresh=ratio(points[-1].median_ms, fresh_first) if points else math.nan,
    )


def growth_ratios(ours: GrowthResult, baseline: GrowthResult) -> dict[str, float]:
    """ours / baseline median at each turn both report (``"turn_<n>"``)."""
    result = {}
    for point in ours.points:
        other = baseline.at(point.turn)
        if other is not None:
            result[f"turn_{point.turn}"] = ratio(point.median_ms, other.median_ms)
    return result
