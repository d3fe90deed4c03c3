"""The test stories (tests/stories/) played against the real servers, actions computed.

``rasa test core`` (Rasa 3.6) never runs a custom action, even with ``--endpoints``: it loads
the model without the endpoints and, for every action of a story, only checks the policies'
prediction, then appends the story's own events to its tracker. A story's
``screening_outcome: clear`` is then an input, not a result. Here each story is a conversation
with the running Rasa server and its action server:

- each ``user:`` text goes through the REST webhook (real NLU, policies, actions); an
  ``intent:`` step without text through the HTTP API's ``trigger_intent``;
- the events the server stored must match the story turn by turn: the intent (the full
  retrieval intent, e.g. ``faq/osteosarcoma``) and the entities (start, end, type, value, as
  ``rasa test --e2e`` compares them), the actions run in that order and nothing else, and after
  every step exactly the slot and form changes the story lists (a listed value equal to the
  current one is no change; an unlisted change is a failure, so a story states every outcome
  its actions compute);
- a story ending in a confirmed "forget me" must find its conversation deleted, and the turn's
  answer must be ``utter_forget_me_done``.
"""
from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

import requests
import yaml
from chat import rest_headers

from member_health.privacy import FORGET_SLOT

ROOT = Path(__file__).resolve().parents[2]
STORIES = ROOT / "tests" / "stories"
REPLY_S = 90
RATE_LIMIT_WAIT_S = 30  # at most this long in all for the server's Retry-After
LISTEN = "action_listen"
UNSET = object()


@dataclass
class Step:
    """A user message or an action, and the slot / form changes the story lists after it."""

    kind: str  # "user" or "action"
    name: str  # the intent (full retrieval intent) or the action
    slots: dict[str, Any] = field(default_factory=dict)
    loops: list[str | None] = field(default_factory=list)
    text: str | None = None
    entities: list[tuple[Any, ...]] = field(default_factory=list)


@dataclass
class Story:
    name: str
    path: Path
    steps: list[Step]

    @property
    def id(self) -> str:
        return f"{self.path.stem}: {self.name}"


@cache
def domain() -> Any:
    from member_health_rasa.project import merged_domain

    return merged_domain()


def story_files() -> list[Path]:
    return sorted(STORIES.glob("test_*.yml"))


def load_stories() -> list[Story]:
    """Every test story, read by Rasa's own story reader (entity annotations, slot types)."""
    from rasa.shared.core.events import ActionExecuted, ActiveLoop, SlotSet, UserUttered
    from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader

    stories = []
    for path in story_files():
        for story_step in YAMLStoryReader(domain()).read_from_file(str(path)):
            starts = [c.name for c in story_step.start_checkpoints]
            if starts not in ([], ["STORY_START"]) or story_step.end_checkpoints:
                raise AssertionError(f"{path.name}: {story_step.block_name}: checkpoints or 'or'")
            steps: list[Step] = []
            for event in story_step.events:
                if isinstance(event, UserUttered):
                    intent = event.intent.get("full_retrieval_intent_name") or event.intent_name
                    entities = sorted((_entity(e) for e in event.entities), key=str)
                    steps.append(Step("user", str(intent), text=event.text, entities=entities))
                elif isinstance(event, ActionExecuted):
                    steps.append(Step("action", str(event.action_name)))
                elif isinstance(event, SlotSet):
                    steps[-1].slots[event.key] = event.value
                elif isinstance(event, ActiveLoop):
                    steps[-1].loops.append(event.name)
                else:
                    raise AssertionError(f"{path.name}: unexpected story event {event}")
            stories.append(Story(story_step.block_name, path, steps))
    return stories


def duplicate_stories() -> list[str]:
    """Stories whose steps are exactly another story's (Rasa keeps one and drops the rest
    silently), and story names used twice."""
    seen: dict[str, str] = {}
    names: dict[str, str] = {}
    found = []
    for path in story_files():
        for story in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("stories") or []:
            where = f"{path.name}: {story.get('story')!r}"
            key = json.dumps(story.get("steps"), sort_keys=True)
            if key in seen:
                found.append(f"{where} has the same steps as {seen[key]}")
            seen.setdefault(key, where)
            if story.get("story") in names:
                found.append(f"{where} has the same name as {names[story.get('story')]}")
            names.setdefault(story.get("story"), where)
    return found


def _entity(entity: dict[str, Any]) -> tuple[Any, ...]:
    """What ``rasa test --e2e`` compares of an entity: its span, type and value (as text)."""
    return (entity.get("start"), entity.get("end"), entity.get("entity"), str(entity.get("value")))


# --- talking to the server ---------------------------------------------------------------------


def post_waiting(url: str, **kwargs: Any) -> requests.Response:
    """POST, waiting out a rate limit the server announces (429 + Retry-After), bounded."""
    deadline = time.monotonic() + RATE_LIMIT_WAIT_S
    while True:
        response = requests.post(url, timeout=REPLY_S, **kwargs)
        if response.status_code != 429:
            response.raise_for_status()
            return response
        wait = float(response.headers.get("Retry-After", "1"))
        if time.monotonic() + wait > deadline:
            raise AssertionError(f"still rate limited after {RATE_LIMIT_WAIT_S}s: {url}")
        time.sleep(wait)


def say(server: Any, sender: str, step: Step) -> list[dict[str, Any]]:
    """One user turn: text through the REST webhook, a bare intent through trigger_intent."""
    if step.text:
        return post_waiting(
            f"{server.url}/webhooks/rest/webhook",
            json={"sender": sender, "message": step.text},
            headers=rest_headers(),
        ).json()
    response = post_waiting(
        f"{server.url}/conversations/{quote(sender)}/trigger_intent",
        params={"token": server.token},
        json={"name": step.name},
    )
    return response.json().get("messages") or []


def stored_events(server: Any, sender: str) -> list[dict[str, Any]]:
    response = requests.get(
        f"{server.url}/conversations/{quote(sender)}/tracker",
        params={"token": server.token, "include_events": "ALL"},
        timeout=30,
    )
    response.raise_for_status()
    return response.json().get("events") or []


# --- comparing --------------------------------------------------------------------------------


def live_steps(events: list[dict[str, Any]]) -> list[Step]:
    """The stored events as steps (from the first user message; action_listen left out)."""
    steps: list[Step] = []
    for event in events:
        kind = event.get("event")
        if kind == "user":
            parse = event.get("parse_data") or {}
            steps.append(
                Step(
                    "user",
                    full_intent(parse),
                    text=event.get("text"),
                    entities=sorted((_entity(e) for e in parse.get("entities") or []), key=str),
                )
            )
        elif not steps:
            continue  # the session start
        elif kind == "action" and event.get("name") != LISTEN:
            steps.append(Step("action", str(event.get("name"))))
        elif kind == "slot":
            steps[-1].slots[event["name"]] = event.get("value")
        elif kind == "active_loop":
            steps[-1].loops.append(event.get("name"))
    return steps


def full_intent(parse: dict[str, Any]) -> str:
    """``faq/osteosarcoma`` for a retrieval intent, else the intent's name."""
    name = str((parse.get("intent") or {}).get("name"))
    response = ((parse.get("response_selector") or {}).get(name) or {}).get("response") or {}
    return str(response.get("intent_response_key") or name)


def changes(steps: list[Step]) -> list[tuple[dict[str, Any], Any]]:
    """Per step: the slots whose value it changed, and the form it switched to (or UNSET)."""
    values = {name: slot.initial_value for name, slot in _slots().items()}
    loop: Any = None
    out = []
    for step in steps:
        changed = {}
        for name, value in step.slots.items():
            if values.get(name, None) != value:
                changed[name] = value
            values[name] = value
        new_loop: Any = UNSET
        for name in step.loops:
            if name != loop:
                new_loop = loop = name
        out.append((changed, new_loop))
    return out


@cache
def _slots() -> dict[str, Any]:
    return {slot.name: slot for slot in domain().slots}


def _describe(step: Step, changed: dict[str, Any], loop: Any) -> str:
    text = f"{step.kind} {step.name}"
    if changed:
        text += f" slots {changed}"
    if loop is not UNSET:
        text += f" form -> {loop}"
    return text


def compare(expected: list[Step], live: list[Step]) -> list[str]:
    """Differences between the story and what the servers did (empty: the story holds)."""
    problems = []
    want, got = changes(expected), changes(live)
    for index in range(max(len(expected), len(live))):
        if index >= len(live):
            rest = [_describe(s, *c) for s, c in zip(expected[index:], want[index:], strict=True)]
            problems.append(f"step {index + 1}: the servers stopped; the story goes on: {rest}")
            break
        if index >= len(expected):
            rest = [_describe(s, *c) for s, c in zip(live[index:], got[index:], strict=True)]
            problems.append(f"step {index + 1}: the story ended; the servers went on: {rest}")
            break
        a, b = expected[index], live[index]
        # A story may name only the base intent ("faq"): then the topic is not checked.
        name = b.name.split("/")[0] if a.kind == "user" and "/" not in a.name else b.name
        if (a.kind, a.name) != (b.kind, name):
            problems.append(
                f"step {index + 1}: the story has {a.kind} {a.name}, the servers {b.kind} {b.name}"
            )
            break  # everything after would differ too
        if a.kind == "user" and a.text and (a.text != b.text or a.entities != b.entities):
            if a.text != b.text:
                problems.append(f"step {index + 1}: stored text differs from the story's")
            else:
                problems.append(
                    f"step {index + 1}: entities {b.entities}, the story says {a.entities}"
                )
        if want[index] != got[index]:
            problems.append(
                f"step {index + 1} ({a.kind} {a.name}): the story says "
                f"{_describe(a, *want[index])!r}, the servers did {_describe(b, *got[index])!r}"
            )
    return problems


def play(server: Any, story: Story) -> list[str]:
    """Play ``story`` as a new member; the differences from what the servers did."""
    sender = f"story-{uuid.uuid4()}"
    user_steps = [i for i, s in enumerate(story.steps) if s.kind == "user"]
    if not user_steps or user_steps[0] != 0:
        return ["a test story must start with a user step"]
    replies: list[dict[str, Any]] = []
    before_last: list[dict[str, Any]] = []
    for position, index in enumerate(user_steps):
        if position == len(user_steps) - 1:
            before_last = stored_events(server, sender)
        replies = say(server, sender, story.steps[index])
    events = stored_events(server, sender)
    last = story.steps[user_steps[-1] :]
    if any(s.slots.get(FORGET_SLOT) is True for s in last):
        # "Forget me" deletes the conversation when the turn is saved: what is left to see is
        # that it is gone, the answer, and every turn before it.
        problems = []
        if any(e.get("event") == "user" for e in events):
            problems.append("the conversation was not deleted after a confirmed 'forget me'")
        done = domain().responses["utter_forget_me_done"][0]["text"].strip()
        if not any((r.get("text") or "").strip() == done for r in replies):
            problems.append("the last turn was not answered with utter_forget_me_done")
        return problems + compare(story.steps[: user_steps[-1]], live_steps(before_last))
    return compare(story.steps, live_steps(events))
