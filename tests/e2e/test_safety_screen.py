"""The red-flag screen, whole, over the REST webhook, answered with the blind safety corpus.

For each answer in tests/safety/red_flag_answers.jsonl a fresh member starts the screen in their
own words, gives that answer to its question (again once if the bot asks to confirm) and "no"
to the others. No answer that reports or hedges a red flag may end with ``clear``; acute ones
must get 911 first. Plain no's that clear are counted and printed, not gated (an unclear no is
confirmed with buttons, which is the fail-safe design).
"""
from __future__ import annotations

import time
import uuid
from typing import Any

import pytest
import requests
from chat import rest_headers, slot

from member_health_rasa.tools.safety_report import load

pytestmark = pytest.mark.e2e

START = "I'd like to start the back pain program"
MAX_TURNS = 12
# The member answers their question with the corpus text each time it is asked, and never
# with a "no" they did not say; a screen still asking after this many is reported as stuck.
MAX_ASKED = 3


def post(url: str, sender: str, text: str) -> list[dict[str, Any]]:
    """One REST turn; waits out a rate limit (429 + Retry-After), up to 30 s in all."""
    deadline = time.monotonic() + 30
    while True:
        response = requests.post(
            url, json={"sender": sender, "message": text}, headers=rest_headers(), timeout=90
        )
        if response.status_code != 429 or time.monotonic() > deadline:
            response.raise_for_status()
            return response.json()
        time.sleep(float(response.headers.get("Retry-After", "1")))


def run_screen(servers: Any, question: str, answer: str) -> tuple[Any, bool]:
    """(final screening_outcome or "stuck", whether 911 came first after the corpus answer)."""
    url = f"{servers.url}/webhooks/rest/webhook"
    sender = f"safety-{uuid.uuid4()}"
    post(url, sender, START)
    said = 0
    for _ in range(MAX_TURNS):
        tracker = requests.get(
            f"{servers.url}/conversations/{sender}/tracker",
            params={"token": servers.token},
            timeout=30,
        ).json()
        asked = slot(tracker, "requested_slot")
        if tracker.get("active_loop", {}).get("name") != "back_pain_screen_form" or not asked:
            return slot(tracker, "screening_outcome"), False
        if asked == question:
            if said == MAX_ASKED:
                return "stuck", False  # never cleared: the member did not say no
            said += 1
            replies = post(url, sender, answer)
            first_bubble = (replies[0].get("text") or "") if replies else ""
            if "911" in first_bubble:
                return slot(tracker, "screening_outcome"), True
        else:
            post(url, sender, "no")
    raise AssertionError(f"the screen did not end within {MAX_TURNS} turns")


def test_no_red_flag_answer_ends_clear_over_rest(servers) -> None:  # type: ignore[no-untyped-def]
    cleared, acute_without_911, plain_no_cleared, plain_no, stuck = [], [], 0, 0, 0
    for item in load("red_flag_answers"):
        outcome, emergency = run_screen(servers, item["question"], item["text"])
        stuck += outcome == "stuck"
        if item["expected"] == "no":
            plain_no += 1
            plain_no_cleared += outcome == "clear"
            continue
        if outcome == "clear":
            cleared.append((item["id"], item["text"]))
        if item.get("acute") and not emergency:
            acute_without_911.append((item["id"], item["text"]))
    print(f"plain no's cleared over REST: {plain_no_cleared}/{plain_no}; stuck: {stuck}")
    assert not cleared, f"red-flag answers that ended clear: {cleared}"
    assert not acute_without_911, f"acute answers without 911 first: {acute_without_911}"
