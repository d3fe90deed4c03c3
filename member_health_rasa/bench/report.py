"""The benchmark's outputs: a table on stdout, a JSON file and a PNG chart under reports/."""
from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from member_health_rasa.bench.stats import GrowthResult, LevelResult, percentile

# The targets on this 2-core machine.
TARGETS = {
    "saturated_throughput_ratio_min": 3.0,
    "p95_ms_max_at_1": 60.0,
    "p95_ms_max_at_10": 200.0,
    "p95_ms_max_at_50": 1000.0,
    "rasa_rss_mb_max": 1200.0,
    "growth_ratio_max": 1.2,  # the last turn over a new member's turn 1, measured alternately
}


def table(name: str, levels: Sequence[LevelResult]) -> str:
    """A fixed-width table of one model's levels."""
    lines = [
        f"{name}",
        f"{'members':>8} {'msg/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7}"
        f" {'empty':>6} {'rasa RSS/PSS MB':>16} {'actions RSS MB':>14}",
    ]
    for lv in levels:
        rss, pss = lv.peak_rss_mb, lv.peak_pss_mb
        memory = f"{rss.get('rasa', math.nan):.0f}/{pss.get('rasa', math.nan):.0f}"
        lines.append(
            f"{lv.members:>8} {lv.messages_per_s:>8.1f} {lv.p50_ms:>8.0f} {lv.p95_ms:>8.0f}"
            f" {lv.p99_ms:>8.0f} {lv.errors:>7} {lv.empty_replies:>6}"
            f" {memory:>16} {rss.get('actions', math.nan):>14.0f}"
        )
    return "\n".join(lines)


def growth_table(runs: Mapping[str, GrowthResult]) -> str:
    """A fixed-width table of each model's growth: the medians at its points and the ratio."""
    first = next(iter(runs.values()))
    heads = [f"turn {p.turn} ({p.first_turn}-{p.last_turn})" for p in first.points]
    last = first.points[-1].turn if first.points else 0
    lines = [
        f"growth: one member, {first.turns} turns; median ms of {first.window} turns around each",
        f"{'model':<10}"
        + "".join(f" {head:>20}" for head in heads)
        + f" {f'turn {last}/1':>12} {'new member 1':>13} {f'turn {last}/new':>14}"
        + f" {'errors':>7} {'empty':>6}",
    ]
    for name, growth in runs.items():
        lines.append(
            f"{name:<10}"
            + "".join(f" {point.median_ms:>20.0f}" for point in growth.points)
            + f" {growth.ratio_last_to_first:>11.2f}x {growth.fresh_first_ms:>13.0f}"
            + f" {growth.ratio_last_to_fresh:>13.2f}x {growth.errors:>7} {growth.empty_replies:>6}"
        )
    return "\n".join(lines)


def rolling_medians(values: Sequence[float | None], window: int) -> list[float]:
    """The median of the successful values among each value and the ``window - 1`` before it."""
    result = []
    for end in range(1, len(values) + 1):
        recent = [v for v in values[max(0, end - window) : end] if v is not None]
        result.append(percentile(recent, 50))
    return result


def target_checks(
    ours: Sequence[LevelResult], ratios: Mapping[str, Any], growth: GrowthResult | None = None
) -> dict[str, bool]:
    """Which of the issue's targets the run meets (those it has figures for)."""
    by_members = {level.members: level for level in ours}
    checks: dict[str, bool] = {}
    saturated = ratios.get("saturated_messages_per_s", math.nan)
    if not math.isnan(saturated):
        checks["throughput >= 3x baseline"] = saturated >= TARGETS["saturated_throughput_ratio_min"]
    for members in (1, 10, 50):
        if members in by_members:
            limit = TARGETS[f"p95_ms_max_at_{members}"]
            checks[f"p95 <= {limit:.0f} ms at {members}"] = by_members[members].p95_ms <= limit
    peak = max((lv.peak_rss_mb.get("rasa", 0.0) for lv in ours), default=0.0)
    checks[f"rasa RSS <= {TARGETS['rasa_rss_mb_max']:.0f} MB"] = peak <= TARGETS["rasa_rss_mb_max"]
    if growth is not None and growth.points and not math.isnan(growth.ratio_last_to_fresh):
        limit, last = TARGETS["growth_ratio_max"], growth.points[-1].turn
        checks[f"turn {last} <= {limit}x a new member's turn 1 (alternating)"] = (
            growth.ratio_last_to_fresh <= limit
        )
    return checks


def write_json(result: Mapping[str, Any], out_dir: Path, stamp: str) -> Path:
    """reports/bench-<stamp>.json, and the same as reports/bench-latest.json."""
    out_dir.mkdir(parents=True, exist_ok=True)
    text = json.dumps(result, indent=2, default=_jsonable)
    path = out_dir / f"bench-{stamp}.json"
    path.write_text(text, encoding="utf-8")
    (out_dir / "bench-latest.json").write_text(text, encoding="utf-8")
    return path


def _jsonable(value: Any) -> Any:
    if hasattr(value, "as_dict"):
        return value.as_dict()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def write_chart(
    runs: Mapping[str, Sequence[LevelResult]],
    path: Path,
    title: str,
    growth: Mapping[str, GrowthResult] | None = None,
) -> Path:
    """Throughput and p50/p95 latency against concurrent members, one line per model; with
    ``growth``, a third panel: the reply time by turn of the long conversation."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import LogLocator, NullFormatter, ScalarFormatter

    if growth:
        fig, (left, right, by_turn) = plt.subplots(1, 3, figsize=(16, 4.2))
        window = next(iter(growth.values())).window
        for name, result in growth.items():
            turns = range(1, result.turns + 1)
            by_turn.plot(
                turns,
                rolling_medians(result.latencies_ms, result.window),
                label=f"{name} ({result.ratio_last_to_first:.2f}x)",
            )
        by_turn.set(
            xlabel="turn of one conversation",
            ylabel=f"latency (ms, median of the last {window} turns)",
            title="Growth with the conversation",
        )
        by_turn.set_ylim(bottom=0)
        by_turn.grid(True, alpha=0.3)
        by_turn.legend(fontsize=8)
    else:
        fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    for name, levels in runs.items():
        members = [lv.members for lv in levels]
        left.plot(members, [lv.messages_per_s for lv in levels], marker="o", label=name)
        line = right.plot(members, [lv.p95_ms for lv in levels], marker="o", label=f"{name} p95")
        right.plot(
            members,
            [lv.p50_ms for lv in levels],
            marker=".",
            linestyle="--",
            color=line[0].get_color(),
            label=f"{name} p50",
        )
    left.set(
        xlabel="concurrent members",
        ylabel="messages/s",
        title="Throughput",
        xscale="log",
    )
    left.set_ylim(bottom=0)
    right.set(
        xlabel="concurrent members",
        ylabel="latency (ms, log)",
        title="Latency",
        xscale="log",
        yscale="log",
    )
    right.axhline(
        TARGETS["p95_ms_max_at_10"],
        color="grey",
        linewidth=0.8,
        linestyle=":",
        label="p95 target at 10",
    )
    ticks = sorted({lv.members for levels in runs.values() for lv in levels})
    for axis in (left, right):
        axis.set_xticks(ticks)
        axis.xaxis.set_major_formatter(ScalarFormatter())
        axis.xaxis.set_minor_formatter(NullFormatter())
        axis.grid(True, which="both", alpha=0.3)
        axis.legend(fontsize=8)
    right.yaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
    right.yaxis.set_major_formatter(ScalarFormatter())
    right.yaxis.set_minor_formatter(NullFormatter())
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
