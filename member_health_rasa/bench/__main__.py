"""``make bench``: latency, throughput and memory of our model against a stock-Rasa baseline.

It first trains what is not cached, our model (scripts/train.sh) and the baseline at the same
time. For each model (ours: models/current.txt, served with our endpoints.yml; baseline: the same
domain and data trained with the ``rasa init`` config, served like a stock ``rasa init`` bot
with an in-memory tracker store) it starts the action server and the Rasa server
(member_health_rasa/tools/serve.py), warms them up, measures the growth (one member's
conversation of ``--growth-turns`` turns, 300 by default: the reply time at turns 1, 100 and 300,
each the median of 10 turns around it, and turn 300 / turn 1), loads the REST webhook with 1, 10
and 50 simulated members (member_health_rasa/bench/conversations.py, fixed seed) for a fixed time
each, samples both servers' memory, measures the dev-set accuracy over ``/model/parse`` and stops
the servers. Then it prints the figures, the our/baseline ratios and the issue's targets, and
writes reports/bench-*.json and reports/bench.png.

``--url`` benchmarks servers that are already running instead (the smoke test does this).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import secrets
import socket
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from member_health.paths import ROOT
from member_health_rasa.bench import report
from member_health_rasa.bench.load import Load, dev_set_figures, run_growth, run_level
from member_health_rasa.bench.procs import PeakMemory
from member_health_rasa.bench.stats import (
    GrowthResult,
    LevelResult,
    growth_figures,
    growth_ratios,
    ratios,
)

STOCK_ENDPOINTS = "# rasa init: trackers and locks in memory; only the action server is set\n"


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def measure(
    url: str,
    sessions: dict[str, int],
    levels: list[int],
    load: Load,
    prefix: str,
    growth_turns: int = 0,
) -> tuple[list[LevelResult], GrowthResult | None]:
    """Warms the servers up, measures the growth (when ``growth_turns``: before the levels, on a
    server that no other member loads meanwhile), then runs every level, with the servers' peak
    memory."""
    warm = Load(duration_s=max(2.0, load.warmup_s), warmup_s=0.0, seed=load.seed + 1)
    await run_level(url, 2, warm, f"{prefix}-warmup")
    growth = None
    if growth_turns > 0:
        print(f"  {prefix}: growth, one conversation of {growth_turns} turns", flush=True)
        samples, fresh = await run_growth(url, growth_turns, prefix, load)
        growth = growth_figures(samples, fresh=fresh)
        print(report.growth_table({prefix: growth}).splitlines()[-1], flush=True)
    results = []
    for members in levels:
        with PeakMemory(sessions) as memory:
            result = await run_level(url, members, load, f"{prefix}-{members}")
        result.peak_rss_mb, result.peak_pss_mb = dict(memory.rss), dict(memory.pss)
        print(report.table(f"  {prefix}", [result]).splitlines()[-1], flush=True)
        results.append(result)
    return results, growth


# Every simulated member comes from 127.0.0.1 and sends without think time: the server's rate
# limits (member_health_rasa.ops.rate_limit) would measure themselves, so the bench turns them off
# (recorded in the report's "env"). The growth conversation alone would hit them: one sender's
# 300 messages in well under 300 s is over the 1/20 per sender, and the address's 10/60 too.
# --env RATE_LIMIT_ADDRESS=10/60 measures with them.
LOAD_TEST_ENV = {"RATE_LIMIT_SENDER": "off", "RATE_LIMIT_ADDRESS": "off"}


def bench_model(
    name: str,
    model: Path,
    endpoints: Path,
    args: argparse.Namespace,
    env: dict[str, str],
) -> dict[str, Any]:
    """Starts the servers with ``model``, measures, stops them."""
    from member_health_rasa.tools.nlu_eval import dev_examples
    from member_health_rasa.tools.serve import Servers

    env = {**LOAD_TEST_ENV, **env}
    log_dir = Path(args.out) / "bench-logs" / name
    with tempfile.TemporaryDirectory(prefix=f"bench-{name}-") as tmp:
        servers = Servers(
            token=secrets.token_urlsafe(16),
            rasa_port=free_port(),
            actions_port=free_port(),
            endpoints=endpoints,
            model=model,
            tracker_db=str(Path(tmp) / "tracker.db"),
            log_dir=log_dir,
            env=env,
        )
        print(f"bench: {name}: starting the servers with {model.name} (about a minute)")
        try:
            servers.start_actions()
            servers.start_rasa()
            servers.wait_ready()
            sessions = {key: process.pid for key, process in servers.processes.items()}
            levels, growth = asyncio.run(
                measure(servers.url, sessions, args.levels, _load(args), name, args.growth_turns)
            )
            dev = None
            if not args.no_accuracy:
                dev = asyncio.run(dev_set_figures(servers.url, servers.token, dev_examples()))
        finally:
            servers.stop()
    return {
        "model": model.name,
        "endpoints": endpoints.name,
        "env": env,
        "levels": levels,
        "growth": growth,
        "dev_set": dev,
    }


def models(args: argparse.Namespace) -> tuple[Path, Path | None]:
    """Our model and the baseline's; when neither is given nor cached, both train at once (each
    leaves part of the 2 cores idle much of the time, so together they finish sooner)."""
    from member_health_rasa.bench.baseline import ensure_baseline_model
    from member_health_rasa.tools.serve import current_model

    with ThreadPoolExecutor(1) as pool:
        training = None
        if not (args.no_baseline or args.baseline_model):
            training = pool.submit(ensure_baseline_model)
        if not args.model:  # scripts/train.sh: cached by the hash of config, domain and data
            subprocess.run(["bash", str(ROOT / "scripts" / "train.sh")], cwd=ROOT, check=True)
        ours = Path(args.model) if args.model else current_model()
        if args.no_baseline:
            return ours, None
        return ours, training.result() if training else Path(args.baseline_model)


def _load(args: argparse.Namespace) -> Load:
    return Load(duration_s=args.duration, warmup_s=args.warmup, seed=args.seed)


def _machine() -> dict[str, Any]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "load_average_at_start": os.getloadavg(),
    }


def _env(pairs: list[str]) -> dict[str, str]:
    return dict(pair.split("=", 1) for pair in pairs)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m member_health_rasa.bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--levels", default="1,10,50", help="concurrent members per level")
    parser.add_argument("--duration", type=float, default=20.0, help="measured seconds a level")
    parser.add_argument("--warmup", type=float, default=5.0, help="unmeasured seconds a level")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--growth-turns",
        type=int,
        default=300,
        metavar="N",
        help="turns of the one-member conversation measuring growth (0: skip it)",
    )
    parser.add_argument("--out", default=str(ROOT / "reports"))
    parser.add_argument(
        "--model", help="our model (default: scripts/train.sh's, trained now if not cached)"
    )
    parser.add_argument(
        "--endpoints",
        default=str(ROOT / "endpoints.yml"),
        help="endpoints for our model",
    )
    parser.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="extra environment for our servers, e.g. SANIC_WORKERS=2",
    )
    parser.add_argument(
        "--baseline-model",
        help="baseline model to use (default: models/baseline-<hash>, trained if missing)",
    )
    parser.add_argument("--no-baseline", action="store_true", help="only our model")
    parser.add_argument("--no-accuracy", action="store_true", help="skip the dev-set parses")
    parser.add_argument("--url", help="benchmark running servers at this URL (no baseline)")
    parser.add_argument(
        "--pid",
        action="append",
        default=[],
        metavar="NAME=PID",
        help="with --url: a server process to sample, e.g. rasa=1234",
    )
    args = parser.parse_args(argv)
    args.levels = [int(level) for level in args.levels.split(",")]
    return args


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Runs the benchmark, prints and writes the report; returns it."""
    args = parse_args(argv)
    # The REST channel's token, shared by the servers (their environment) and the load
    # generator (member_health_rasa.bench.load.rest_headers); never printed nor written to the
    # report. With --url the running server's own token must be in the environment (source .env).
    if not args.url:
        os.environ.setdefault("REST_CHANNEL_TOKEN", secrets.token_urlsafe(32))
    started, stamp = time.monotonic(), time.strftime("%Y%m%d-%H%M%S")
    runs: dict[str, dict[str, Any]] = {}
    if args.url:
        sessions = {name: int(pid) for name, pid in _env(args.pid).items()}
        levels, growth = asyncio.run(
            measure(args.url, sessions, args.levels, _load(args), "running", args.growth_turns)
        )
        runs["running"] = {"url": args.url, "levels": levels, "growth": growth}
    else:
        ours, baseline = models(args)
        runs["ours"] = bench_model("ours", ours, Path(args.endpoints), args, _env(args.env))
        if baseline is not None:
            with tempfile.TemporaryDirectory() as tmp:
                stock = Path(tmp) / "endpoints.yml"
                stock.write_text(STOCK_ENDPOINTS, encoding="utf-8")
                runs["baseline"] = bench_model("baseline", baseline, stock, args, {})
    result: dict[str, Any] = {
        "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "machine": _machine(),
        "load": {**vars(_load(args)), "levels": args.levels, "growth_turns": args.growth_turns},
        "runs": runs,
    }
    first = next(iter(runs))
    print()
    for name, run in runs.items():
        print(report.table(f"{name} ({run.get('model', run.get('url'))})", run["levels"]))
        if run.get("dev_set"):
            dev = run["dev_set"]
            print(
                f"  dev set: accuracy {dev['accuracy']:.3f} (intent {dev['intent_accuracy']:.3f}"
                f", FAQ topic {dev['retrieval_accuracy']:.3f}), macro-F1 {dev['macro_f1']:.3f}"
                f", emergency recall {dev['emergency']['recall']:.3f}, false alarms "
                f"{dev['emergency']['false_alarm_rate']:.3f}"
            )
    by_model = {name: run["growth"] for name, run in runs.items() if run.get("growth")}
    if by_model:
        result["growth"] = {name: growth.summary() for name, growth in by_model.items()}
        print()
        print(report.growth_table(by_model))
    if "baseline" in runs:
        result["ratios"] = ratios(runs["ours"]["levels"], runs["baseline"]["levels"])
        if "ours" in by_model and "baseline" in by_model:
            result["ratios"]["growth"] = growth_ratios(by_model["ours"], by_model["baseline"])
        print(f"\nours/baseline: {json.dumps(result['ratios'])}")
    result["targets"] = report.target_checks(
        runs[first]["levels"], result.get("ratios", {}), by_model.get(first)
    )
    for check, met in result["targets"].items():
        print(f"  {'MET ' if met else 'MISS'} {check}")
    result["wall_s"] = round(time.monotonic() - started, 1)
    out = Path(args.out)
    path = report.write_json(result, out, stamp)
    chart = report.write_chart(
        {name: run["levels"] for name, run in runs.items()},
        out / "bench.png",
        f"make bench, {result['date']}, {result['machine']['cpus']} CPUs",
        by_model,
    )
    print(f"\nbench: wrote {path} and {chart} in {result['wall_s']:.0f} s")
    return result


if __name__ == "__main__":
    main()
