"""The load generator: N simulated members talking to the REST webhook at once (aiohttp).

Closed loop without think time, like a saturation test: each member sends its next message as
soon as the previous one is answered, one conversation after another (a new sender id each).
``run_growth``: one member, one long conversation, one message after another (its last turns
alternating with a new member's first).
"""
from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import aiohttp

from member_health_rasa.bench.conversations import growth_messages, member_conversations
from member_health_rasa.bench.stats import LevelResult, Sample, summarize, window_bounds

ERROR_PAUSE_S = 0.1  # a server that fails fast must not turn the loop into a busy loop


@dataclass(frozen=True)
class Load:
    """How long and how reproducibly to load the server at each level."""

    duration_s: float = 25.0
    warmup_s: float = 5.0
    seed: int = 7
    timeout_s: float = 30.0


async def _send(session: aiohttp.ClientSession, webhook: str, sender: str, text: str) -> Sample:
    """Sends one message; when it was sent and answered, and how it went."""
    sent = time.monotonic()
    ok, empty = False, False
    try:
        async with session.post(webhook, json={"sender": sender, "message": text}) as resp:
            body = await resp.json(content_type=None)
            ok = resp.status == 200 and isinstance(body, list)
            empty = ok and not body
    except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
        pass
    return Sample(sent, time.monotonic(), ok, empty)


async def _member(
    session: aiohttp.ClientSession,
    webhook: str,
    sender_prefix: str,
    member: int,
    load: Load,
    end: float,
    samples: list[Sample],
) -> None:
    for number, messages in enumerate(member_conversations(load.seed, member)):
        sender = f"{sender_prefix}-{member}-{number}"
        for text in messages:
            if time.monotonic() >= end:
                return
            sample = await _send(session, webhook, sender, text)
            samples.append(sample)
            if not sample.ok:
                await asyncio.sleep(ERROR_PAUSE_S)


def rest_headers() -> dict[str, str]:
    """The REST channel's ``Authorization`` header (``REST_CHANNEL_TOKEN``; none if unset)."""
    token = os.environ.get("REST_CHANNEL_TOKEN")
    return {"Authorization": f"Bearer {token}"} if token else {}


async def run_level(url: str, members: int, load: Load, sender_prefix: str) -> LevelResult:
    """Loads ``url`` with ``members`` members for warm-up + duration; figures of the duration."""
    samples: list[Sample] = []
    start = time.monotonic() + load.warmup_s
    end = start + load.duration_s
    timeout = aiohttp.ClientTimeout(total=load.timeout_s)
    async with aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=0), timeout=timeout, headers=rest_headers()
    ) as session:
        await asyncio.gather(
            *(
                _member(
                    session,
                    f"{url}/webhooks/rest/webhook",
                    sender_prefix,
                    member,
                    load,
                    end,
                    samples,
                )
                for member in range(members)
            )
        )
    return summarize(members, samples, start, end)


async def run_growth(
    url: str, turns: int, sender_prefix: str, load: Load
) -> tuple[list[Sample], list[Sample]]:
    """One member (a new sender id) sends the growth conversation's ``turns`` messages, each as
    soon as the previous one is answered; one sample per turn, in order. Its last window of
    turns alternates, message by message, with a second new member's first window (the same
    mix): the second list, turn 1 measured on the same host at the same moment as turn 300."""
    samples: list[Sample] = []
    fresh: list[Sample] = []
    sender = f"{sender_prefix}-growth-{uuid.uuid4().hex[:8]}"
    newcomer = f"{sender_prefix}-growth-fresh-{uuid.uuid4().hex[:8]}"
    first_paired, last = window_bounds(turns, turns) if turns > 0 else (1, 0)
    newcomer_texts = iter(growth_messages(last - first_paired + 1))
    webhook = f"{url}/webhooks/rest/webhook"
    async with aiohttp.ClientSession(
        timeout=aiohttp.ClientTimeout(total=load.timeout_s), headers=rest_headers()
    ) as session:
        for turn, text in enumerate(growth_messages(turns), start=1):
            sample = await _send(session, webhook, sender, text)
            samples.append(sample)
            if not sample.ok:
                await asyncio.sleep(ERROR_PAUSE_S)
            if turn >= first_paired:
                sample = await _send(session, webhook, newcomer, next(newcomer_texts))
                fresh.append(sample)
                if not sample.ok:
                    await asyncio.sleep(ERROR_PAUSE_S)
    return samples, fresh


class HttpParser:
    """``parse_message`` over the running server's ``/model/parse``, for nlu_eval.evaluate."""

    def __init__(self, session: aiohttp.ClientSession, url: str, token: str) -> None:
        self.session, self.url, self.token = session, url, token

    async def parse_message(self, text: str) -> dict[str, Any]:
        async with self.session.post(
            f"{self.url}/model/parse", params={"token": self.token}, json={"text": text}
        ) as resp:
            resp.raise_for_status()
            return dict(await resp.json())


async def dev_set_figures(
    url: str, token: str, examples: Iterable[tuple[str, str]]
) -> dict[str, Any]:
    """Dev-set accuracy, macro-F1, emergency recall and false alarms of the served model."""
    from member_health_rasa.tools.nlu_report import figures, predict

    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
        pairs, asked = await predict(HttpParser(session, url, token), list(examples))
        return figures(pairs, asked=asked)
