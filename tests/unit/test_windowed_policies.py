"""The windowed RulePolicy (member_health_rasa/policies) predicts exactly what Rasa's RulePolicy
predicts: every test story and a 300-turn conversation (FAQ and small talk, the
stage form and the back pain screen in the middle) are played through the trained model and the
real action server, then every prediction point is predicted again with the window on and off
(off = Rasa's own code path: the subclasses only change which tracker is featurised)."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa.shared.core.events import ActionExecuted
from rasa.shared.core.trackers import DialogueStateTracker

from member_health_rasa.bench.conversations import GROWTH_CYCLE, STAGE_ANSWERS, STAGE_QUESTIONS

pytestmark = pytest.mark.model
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def live_agent(model_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The trained model with its own action server, trackers in memory."""
    from rasa.core.agent import Agent
    from rasa.utils.endpoints import EndpointConfig

    from member_health_rasa.ops.quiet_agent import quiet_rasa_logs
    from member_health_rasa.tools.local_actions import action_server

    quiet_rasa_logs()
    with action_server(tmp_path_factory.mktemp("actions")) as url:
        yield Agent.load(str(model_path), action_endpoint=EndpointConfig(url))


def windowed_policies(agent: Any) -> list[Any]:
    """The model's WindowedRulePolicy instance (a list: the checks loop over the policies)."""
    from member_health_rasa.policies.windowed import WindowedRulePolicy

    nodes = agent.processor.graph_runner._instantiated_nodes.values()
    found = [node._component for node in nodes if isinstance(node._component, WindowedRulePolicy)]
    assert len(found) == 1
    return found


def prediction(policy: Any, tracker: DialogueStateTracker, domain: Any, window: bool) -> tuple:
    """Everything a policy's prediction carries, with the window on or off."""
    policy.windowing = window
    try:
        result = policy.predict_action_probabilities(tracker, domain)
    finally:
        policy.windowing = True
    return (
        result.probabilities,
        result.max_confidence_index,
        result.events,
        result.hide_rule_turn,
        result.is_end_to_end_prediction,
        result.is_no_user_prediction,
    )


def assert_same_predictions(
    agent: Any, tracker: DialogueStateTracker, turns: set[int], label: str = ""
) -> int:
    """Predict at every action of the member turns ``turns`` (0 = before the first message)
    with and without the window; return how many points were compared."""
    policies = windowed_policies(agent)
    events = list(tracker.events)
    compared = 0
    turn = 0
    for index, event in enumerate(events):
        if type(event).__name__ == "UserUttered":
            turn += 1
        if not isinstance(event, ActionExecuted) or index == 0 or turn not in turns:
            continue
        prefix = DialogueStateTracker.from_events(
            tracker.sender_id, events[:index], agent.domain.slots
        )
        for policy in policies:
            windowed = prediction(policy, prefix, agent.domain, window=True)
            stock = prediction(policy, prefix, agent.domain, window=False)
            assert windowed == stock, (label, type(policy).__name__, turn, event.action_name)
        compared += 1
    return compared


async def play(agent: Any, sender: str, messages: list[str]) -> DialogueStateTracker:
    """Send ``messages`` as one member; the tracker afterwards."""
    for text in messages:
        await agent.handle_text(text, sender_id=sender)
    tracker = await agent.tracker_store.retrieve(sender)
    assert tracker is not None
    return tracker


def story_messages() -> Iterator[tuple[str, list[str]]]:
    """Each test story's name and its member messages (an intent alone as ``/intent``)."""
    for path in sorted((ROOT / "tests" / "stories").glob("*.yml")):
        for story in yaml.safe_load(path.read_text(encoding="utf-8"))["stories"]:
            messages = []
            for step in story["steps"]:
                if "user" in step:
                    messages.append(str(step["user"]).strip())
                elif "intent" in step:
                    messages.append(f"/{step['intent']}")
            yield f"{path.stem}: {story['story']}", messages


async def test_every_test_story_gets_the_same_predictions(live_agent: Any) -> None:
    compared = 0
    for number, (name, messages) in enumerate(story_messages()):
        tracker = await play(live_agent, f"story-{number}", messages)
        turns = set(range(len(messages) + 1))
        compared += assert_same_predictions(live_agent, tracker, turns, name)
    assert compared > 400


def long_conversation() -> list[str]:
    """300 member messages: FAQ and small talk, the stage form and the back pain screen."""
    chat = [GROWTH_CYCLE[turn % len(GROWTH_CYCLE)] for turn in range(140)]
    chat += [STAGE_QUESTIONS[0]] + [answers[0] for answers in STAGE_ANSWERS]
    chat += ["I want to start the back pain program", "no", "no", "no", "no"]
    chat += [GROWTH_CYCLE[turn % len(GROWTH_CYCLE)] for turn in range(300 - len(chat))]
    return chat


async def test_a_300_turn_conversation_gets_the_same_predictions(live_agent: Any) -> None:
    messages = long_conversation()
    tracker = await play(live_agent, "long-conversation", messages)
    # the form's turns and the last 15; every 10th before (each costs a replay of the prefix)
    turns = {t for t in range(1, 301) if t % 10 == 0 or 138 <= t <= 160 or t > 285}
    assert assert_same_predictions(live_agent, tracker, turns) > 100
    # and the window is small at the end: a flat cost per turn
    for policy in windowed_policies(live_agent):
        policy.windowing = True
        small = policy._prediction_states(tracker, live_agent.domain)
        assert len(small) <= 40
