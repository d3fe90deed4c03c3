"""member_health_rasa/ops/plan_responses.py, loaded the way the Rasa server loads it (from
endpoints.yml): plan settings reach members filled in, in a plain FAQ answer too, and an action's
values win."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from rasa.core.actions.action import ActionRetrieveResponse
from rasa.core.channels import CollectingOutputChannel
from rasa.core.nlg import NaturalLanguageGenerator
from rasa.core.utils import AvailableEndpoints
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from member_health.settings import plan

ROOT = Path(__file__).resolve().parents[2]

DOMAIN = Domain.from_yaml(
    """
version: "3.1"
intents: [faq]
slots:
  details: {type: text, mappings: [{type: custom}]}
responses:
  utter_faq/nurse:
    - text: "Questions? {plan_name} nurses answer at {nurse_line}."
      buttons:
        - title: "Program at {back_pain_program_url}"
          payload: "/inform{{\\"x\\": \\"y\\"}}"
  utter_noted:
    - text: "Noted: {details}. Member services: {member_services}."
"""
)


@pytest.fixture
def nlg() -> NaturalLanguageGenerator:
    """The response generator endpoints.yml configures, created by Rasa's own factory."""
    endpoints = AvailableEndpoints.read_endpoints(str(ROOT / "endpoints.yml"))
    return NaturalLanguageGenerator.create(endpoints.nlg, DOMAIN)


def faq_tracker(key: str) -> DialogueStateTracker:
    """A conversation whose last message the response selector gave the FAQ topic ``key``."""
    selected = {"response": {"utter_action": f"utter_faq/{key}", "intent_response_key": key}}
    message = UserUttered(
        "who can I call?",
        {"name": "faq", "confidence": 0.9},
        parse_data={"response_selector": {"faq": selected}},
    )
    return DialogueStateTracker.from_events("editor", [message], DOMAIN.slots)


async def test_a_plain_faq_answer_gets_the_plan_settings(nlg: NaturalLanguageGenerator) -> None:
    action = ActionRetrieveResponse("utter_faq")
    [uttered] = await action.run(CollectingOutputChannel(), nlg, faq_tracker("nurse"), DOMAIN)
    settings = plan()
    assert isinstance(uttered, BotUttered)
    expected = f"Questions? {settings.plan_name} nurses answer at {settings.nurse_line}."
    assert uttered.text == expected
    [button] = uttered.data["buttons"]
    assert button["title"] == f"Program at {settings.back_pain_program_url}"
    assert button["payload"] == '/inform{"x": "y"}'


async def test_slots_and_an_actions_values_come_before_the_plan(
    nlg: NaturalLanguageGenerator,
) -> None:
    tracker = DialogueStateTracker.from_events("editor", [], DOMAIN.slots)
    tracker.slots["details"].value = "a 5 cm tumor"
    filled = await nlg.generate("utter_noted", tracker, "rest")
    assert filled is not None
    assert filled["text"] == f"Noted: a 5 cm tumor. Member services: {plan().member_services}."
    given = await nlg.generate("utter_noted", tracker, "rest", member_services="555")
    assert given is not None and given["text"].endswith("Member services: 555.")


def test_every_endpoints_file_selects_the_plan_responses() -> None:
    for path in sorted(ROOT.glob("endpoints*.yml")):
        config = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert config["nlg"] == {
            "type": "member_health_rasa.ops.plan_responses.PlanResponses"
        }, path.name
