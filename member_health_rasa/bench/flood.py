"""Emergency reply time while 30 clients flood the REST webhook (issue 16), bounded, loopback only.

    .venv/bin/python -m member_health_rasa.bench.flood --url http://127.0.0.1:5005 \
        [--clients 30] [--emergencies 7]

``REST_CHANNEL_TOKEN`` (environment) is sent as the REST channel's bearer token. First the
emergency reply time with no load (``--emergencies`` messages, one after another), then again
while ``--clients`` closed-loop clients from the same host send ordinary messages, each from a
new sender id (what the review did). Prints the medians and the flood's status counts, and a
JSON line. Bounded: at most ``--max-requests`` flood requests and ``--max-seconds`` in all;
refuses any URL that is not loopback.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
import uuid
from collections import Counter
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from member_health_rasa.bench.load import rest_headers

EMERGENCY = "i want to kill myself"
ORDINARY = ["hello", "What is bone cancer?", "how is osteosarcoma treated?", "thanks, bye"]
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


async def _post(session: aiohttp.ClientSession, url: str, sender: str, text: str) -> Any:
    async with session.post(url, json={"sender": sender, "message": text}) as resp:
        body = await resp.json(content_type=None)
        return resp.status, body


async def emergency_times(session: aiohttp.ClientSession, url: str, count: int) -> list[float]:
    """Seconds to the reply of ``count`` emergency messages (each checked for 911/988)."""
    times = []
    for _ in range(count):
        started = time.monotonic()
        status, body = await _post(session, url, f"flood-emergency-{uuid.uuid4().hex}", EMERGENCY)
        elapsed = time.monotonic() - started
        text = " ".join(r.get("text") or "" for r in body) if isinstance(body, list) else ""
        if status != 200 or "911" not in text or "988" not in text:
            raise SystemExit(f"flood: the emergency was not answered ({status}): {body!r:.200}")
        times.append(elapsed)
        await asyncio.sleep(0.5)  # a bench pace, not a wait for a condition
    return times


async def flood(args: argparse.Namespace) -> dict[str, Any]:
    url = f"{args.url.rstrip('/')}/webhooks/rest/webhook"
    deadline = time.monotonic() + args.max_seconds
    timeout = aiohttp.ClientTimeout(total=60)
    statuses: Counter[str] = Counter()
    sent = 0
    stop = asyncio.Event()

    async def client(session: aiohttp.ClientSession, number: int) -> None:
        nonlocal sent
        while not stop.is_set() and sent < args.max_requests and time.monotonic() < deadline:
            sent += 1
            try:
                status, _ = await _post(
                    session, url, f"flood-{number}-{uuid.uuid4().hex}", ORDINARY[sent % 4]
                )
                statuses[str(status)] += 1
            except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
                statuses[type(error).__name__] += 1

    async with aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=0), timeout=timeout, headers=rest_headers()
    ) as session:
        quiet = await emergency_times(session, url, args.emergencies)
        clients = [asyncio.create_task(client(session, n)) for n in range(args.clients)]
        await asyncio.sleep(args.warmup)  # let the flood build up
        try:
            loaded = await emergency_times(session, url, args.emergencies)
        finally:
            stop.set()
            await asyncio.gather(*clients)
    return {
        "clients": args.clients,
        "emergency_s_quiet": [round(t, 3) for t in quiet],
        "emergency_s_flood": [round(t, 3) for t in loaded],
        "median_quiet_s": round(statistics.median(quiet), 3),
        "median_flood_s": round(statistics.median(loaded), 3),
        "flood_requests": sent,
        "flood_statuses": dict(statuses),
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="the Rasa server, on loopback")
    parser.add_argument("--clients", type=int, default=30)
    parser.add_argument("--emergencies", type=int, default=7)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--max-requests", type=int, default=20_000)
    parser.add_argument("--max-seconds", type=float, default=120.0)
    args = parser.parse_args(argv)
    if urlsplit(args.url).hostname not in LOOPBACK:
        raise SystemExit("flood: loopback URLs only (this floods the server)")
    result = asyncio.run(flood(args))
    print(
        f"emergency reply, median of {args.emergencies}: {result['median_quiet_s']} s quiet, "
        f"{result['median_flood_s']} s under {args.clients} flooding clients "
        f"({result['flood_requests']} flood requests: {result['flood_statuses']})"
    )
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
