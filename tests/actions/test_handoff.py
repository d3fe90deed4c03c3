"""action_handoff: the plan's contacts (from settings + environment) reach the member's message."""
from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import check_plan_at_start
from actions.handoff import ActionHandoff
from member_health import settings
from member_health.settings import plan
from member_health_rasa.project import feature_responses, merged_domain

CORE_RESPONSES = sorted(feature_responses("core").items())


@pytest.fixture(autouse=True)
def fresh_plan() -> Iterator[None]:
    """``plan()`` is cached: clear it so each test sees its own environment."""
    plan.cache_clear()
    yield
    plan.cache_clear()


@pytest.fixture(scope="module")
def nlg() -> TemplatedNaturalLanguageGenerator:
    """The Rasa server's response generator over the domain's responses."""
    return TemplatedNaturalLanguageGenerator(merged_domain().responses)


def handoff_tracker() -> Tracker:
    """A tracker for a member who just asked for a person."""
    latest = {"text": "I want to talk to a nurse", "intent": {"name": "human_handoff"}}
    return Tracker("member-1", {}, latest, [], False, None, {}, "action_listen")


async def run_handoff() -> list[dict[str, Any]]:
    """Run the action as the action server would and return the messages it sent."""
    dispatcher = CollectingDispatcher()
    events = await ActionHandoff().run(dispatcher, handoff_tracker(), {})
    assert events == []
    return dispatcher.messages


def render(nlg: TemplatedNaturalLanguageGenerator, message: dict[str, Any]) -> str:
    """Fill the response the way the Rasa server does with an action server's message."""
    kwargs = dict(message)
    response = kwargs.pop("response")
    rendered = nlg.generate_from_slots(response, {}, "rest", **kwargs)
    assert rendered is not None, f"{response} is not in data/responses/core.yml"
    return rendered["text"]


@pytest.mark.parametrize(
    ("env_var", "value"),
    [
        ("PLAN_NURSE_LINE", "1-888-555-0123"),
        ("PLAN_MEMBER_SERVICES", "1-877-555-0456"),
        ("PLAN_NAME", "Riverside Community Health"),
    ],
)
async def test_environment_override_reaches_the_message(
    monkeypatch: pytest.MonkeyPatch,
    nlg: TemplatedNaturalLanguageGenerator,
    env_var: str,
    value: str,
) -> None:
    monkeypatch.setenv(env_var, value)
    messages = await run_handoff()
    assert [m["response"] for m in messages] == ["utter_handoff"]
    text = render(nlg, messages[0])
    assert value in text
    assert "{" not in text and "}" not in text


async def test_default_contacts_come_from_plan_settings(
    nlg: TemplatedNaturalLanguageGenerator,
) -> None:
    text = render(nlg, (await run_handoff())[0])
    settings = plan()
    for value in (settings.plan_name, settings.nurse_line, settings.member_services):
        assert value in text


async def test_broken_plan_configuration_still_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLAN_NURSE_LINE", "")
    messages = await run_handoff()
    assert [m["response"] for m in messages] == ["utter_action_unavailable"]


@pytest.mark.parametrize("content", ["plan_name: [unclosed\n", None], ids=["bad-yaml", "no-file"])
async def test_a_broken_or_missing_plan_file_still_answers(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    content: str | None,
) -> None:
    """Every action loads the plan through ``actions.plan_contacts``: whatever is wrong with
    plan.yml, it is logged and the member gets the action's answer without contacts."""
    broken = tmp_path / "plan.yml"
    if content is not None:
        broken.write_text(content, encoding="utf-8")
    monkeypatch.setattr(settings, "PLAN_FILE", broken)
    messages = await run_handoff()
    assert [m["response"] for m in messages] == ["utter_action_unavailable"]
    assert "Plan configuration unavailable" in caplog.text


@pytest.mark.parametrize("content", ["plan_name: [unclosed\n", None], ids=["bad-yaml", "no-file"])
def test_the_action_server_starts_with_a_broken_plan_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, content: str | None
) -> None:
    """The start-up check logs a broken plan.yml and lets the server start (the actions then
    answer without contacts), whatever is wrong with it."""
    broken = tmp_path / "plan.yml"
    if content is not None:
        broken.write_text(content, encoding="utf-8")
    monkeypatch.setattr(settings, "PLAN_FILE", broken)
    assert check_plan_at_start() == []


@pytest.mark.parametrize(("name", "variants"), CORE_RESPONSES)
def test_core_responses_hard_code_no_phone_number(
    name: str, variants: list[dict[str, Any]]
) -> None:
    for variant in variants:
        assert not re.search(r"\d{3}\D?\d{4}", variant["text"]), f"{name}: {variant['text']}"
