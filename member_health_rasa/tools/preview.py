"""What a member would see: ``make preview TEXT="what is paget disease?"``.

Loads the current model (models/current.txt; ``make preview`` retrains first when the content
changed) with this repository's endpoints, starts its own action server, sends each message in
turn as a fresh member (conversation in memory only) and prints, per message, the topic the
assistant understood with its confidence and every bubble and button exactly as the website
widget shows them, plan placeholders filled. Nothing is stored and nothing stays running.

Usage: ``python -m member_health_rasa.tools.preview [--model FILE] MESSAGE [MESSAGE ...]``
"""
from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from member_health.channel_format import bubbles
from member_health.clarify import faq_ranking
from member_health_rasa.ops.quiet_agent import quiet_rasa_logs
from member_health_rasa.tools.local_actions import action_server, editor_endpoints
from member_health_rasa.tools.nlu_eval import asked_about_topic
from member_health_rasa.tools.serve import ROOT, current_model

SENDER = "editor-preview"


def understood(parse: dict[str, Any]) -> tuple[str, float]:
    """The topic (``faq/<key>`` for an FAQ question) and the model's confidence in it; for an
    uncertain topic (offered as buttons), the model's best guess."""
    if asked_about_topic(parse):
        best = faq_ranking(parse.get("response_selector"))[:1]
        if best:
            return str(best[0]["intent_response_key"]), float(best[0].get("confidence") or 0.0)
    intent = parse.get("intent") or {}
    name, confidence = str(intent.get("name")), float(intent.get("confidence") or 0.0)
    selector = (parse.get("response_selector") or {}).get(name) or {}
    response = selector.get("response") or {}
    if response.get("intent_response_key"):
        return str(response["intent_response_key"]), float(response.get("confidence") or 0.0)
    return name, confidence


def render(
    message: str, topic: str, confidence: float, replies: list[dict[str, Any]], asked: bool = False
) -> str:
    """One turn as text: the member's words, the topic, then each bubble and its buttons."""
    unsure = ", unsure: offered as a button" if asked else ""
    lines = [f"member: {message}", f"  topic: {topic} (confidence {confidence:.2f}{unsure})"]
    shown = [bubble for reply in replies for bubble in bubbles(reply)]
    for number, bubble in enumerate(shown, 1):
        emergency = " [emergency]" if (bubble.get("metadata") or {}).get("emergency") else ""
        lines.append(f"  bubble {number}{emergency}:")
        lines.extend(f"    {line}" for line in str(bubble.get("text", "")).splitlines())
        for button in bubble.get("quick_replies") or []:
            lines.append(f"    [button] {button.get('title')} -> {button.get('payload')}")
    if not shown:
        lines.append("  (no reply)")
    return "\n".join(lines)


async def preview(model: Path, endpoints: Path, messages: Sequence[str]) -> list[str]:
    """Each message through the real assistant, as one conversation; the rendered turns."""
    from rasa.core.agent import Agent
    from rasa.core.channels import CollectingOutputChannel
    from rasa.core.channels.channel import UserMessage
    from rasa.core.utils import AvailableEndpoints

    quiet_rasa_logs()  # Rasa's per-message debug lines would bury the preview
    available = AvailableEndpoints.read_endpoints(str(endpoints))
    agent = Agent.load(
        str(model),
        generator=available.nlg,
        action_endpoint=available.action,
    )
    turns = []
    for message in messages:
        parse = await agent.parse_message(message)
        output = CollectingOutputChannel()
        await agent.handle_message(UserMessage(message, output, SENDER))
        turns.append(render(message, *understood(parse), output.messages, asked_about_topic(parse)))
    return turns


def main(argv: Sequence[str] | None = None) -> int:
    """CLI entry point; returns 0 once every message got its reply printed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("messages", nargs="+", help="what the member says, one per turn")
    parser.add_argument("--model", type=Path, help="default: models/current.txt")
    args = parser.parse_args(argv)
    messages = [message for message in args.messages if message.strip()]
    if not messages:
        parser.error('give a message: make preview TEXT="what is osteosarcoma?"')
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    model = args.model or current_model()
    print("preview: starting the action server and loading the model (up to a minute)...")
    with tempfile.TemporaryDirectory(prefix="preview-") as scratch:
        with action_server(Path(scratch)) as url:
            endpoints = editor_endpoints(ROOT / "endpoints.yml", url, Path(scratch) / "e.yml")
            turns = asyncio.run(preview(model, endpoints, messages))
    print("\n\n".join(turns))
    return 0


if __name__ == "__main__":
    sys.exit(main())
