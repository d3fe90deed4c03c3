"""The emergency safety net as a Rasa component, on real Rasa ``Message`` objects."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from member_health.emergency import DEFAULT_PATTERNS_PATH, PatternFileError
from member_health_rasa.nlu.emergency_net import EmergencySafetyNet

Ranking = list[tuple[str, float]]


def make_net(tmp_path: Path, **config: Any) -> EmergencySafetyNet:
    """The component as Rasa creates it, with the repository's pattern file by default."""
    full = {**EmergencySafetyNet.get_default_config(), "patterns_path": str(DEFAULT_PATTERNS_PATH)}
    full.update(config)
    return EmergencySafetyNet.create(
        full,
        LocalModelStorage(tmp_path),
        Resource("emergency_net"),
        ExecutionContext(GraphSchema({})),
    )


@pytest.fixture(scope="module")
def net(tmp_path_factory: pytest.TempPathFactory) -> EmergencySafetyNet:
    return make_net(tmp_path_factory.mktemp("net"))


def parsed(text: str, ranking: Ranking, entities: list[dict[str, Any]] | None = None) -> Message:
    """A message as the pipeline hands it over: DIET's intent and ranking already set."""
    intents = [{"name": name, "confidence": confidence} for name, confidence in ranking]
    message = Message(data={TEXT: text})
    message.set(INTENT, dict(intents[0]), add_to_output=True)
    message.set(INTENT_RANKING_KEY, intents, add_to_output=True)
    message.set(ENTITIES, entities or [], add_to_output=True)
    return message


def run(net: EmergencySafetyNet, message: Message) -> dict[str, Any]:
    """Processes one message and returns what the parse result would contain."""
    net.process([message])
    return message.as_dict(only_output_properties=True)


def emergency_entities(result: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for e in result.get(ENTITIES, []) if e["entity"] == "emergency_type"]


def test_registered_as_an_intent_classifier() -> None:
    registered = DefaultV1Recipe._from_registry(EmergencySafetyNet.__name__)
    assert registered.clazz is EmergencySafetyNet
    assert DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER in registered.types
    assert registered.is_trainable is False


@pytest.mark.parametrize(
    "text, ranking, category",
    [
        ("I want to kill myself", [("greet", 0.7), ("emergency", 0.2), ("faq", 0.1)], "self_harm"),
        ("my wife won't wake up", [("nlu_fallback", 0.5), ("faq", 0.4)], "medical"),
        ("my water just broke", [("faq", 0.9), ("affirm", 0.1)], "labor"),
        ("i'm going to hurt someone", [("out_of_scope", 0.8)], "harm_others"),
        ("I can't breathe", [("emergency", 0.97), ("faq", 0.03)], "medical"),
    ],
)
def test_fires_over_any_classifier_prediction(
    net: EmergencySafetyNet, text: str, ranking: Ranking, category: str
) -> None:
    result = run(net, parsed(text, ranking))
    assert result[INTENT] == {"name": "emergency", "confidence": 1.0}
    names = [r["name"] for r in result[INTENT_RANKING_KEY]]
    assert names[0] == "emergency" and names.count("emergency") == 1
    assert set(names) == {"emergency"} | {name for name, _ in ranking}
    [entity] = emergency_entities(result)
    assert entity["value"] == category
    assert entity["extractor"] == "EmergencySafetyNet"
    assert text[entity["start"] : entity["end"]]  # the span of the phrase that fired
    assert result["emergency_net"]["fired"] is True
    assert result["emergency_net"]["reason"] == entity["reason"]


def test_entity_span_is_the_phrase_that_fired(net: EmergencySafetyNet) -> None:
    text = "no chest pain but I can't breathe"
    [entity] = emergency_entities(run(net, parsed(text, [("faq", 0.9)])))
    assert text[entity["start"] : entity["end"]] == "can't breathe"
    assert entity["reason"] == "cannot_breathe"


def test_keeps_other_entities(net: EmergencySafetyNet) -> None:
    other = {"entity": "tumor_size", "value": "10", "start": 0, "end": 2, "extractor": "X"}
    result = run(net, parsed("I can't breathe", [("faq", 0.9)], entities=[other]))
    assert other in result[ENTITIES] and len(result[ENTITIES]) == 2


def test_overrules_classifier_emergency_only_on_explicit_negation(net: EmergencySafetyNet) -> None:
    text = "I'm not suicidal, just asking about bone cancer"
    ranking = [("emergency", 0.6), ("faq", 0.3), ("out_of_scope", 0.1)]
    result = run(net, parsed(text, ranking))
    assert result[INTENT]["name"] == "faq"
    assert result[INTENT]["confidence"] == pytest.approx(0.75)  # 0.3 / (0.3 + 0.1)
    assert [r["name"] for r in result[INTENT_RANKING_KEY]] == ["faq", "out_of_scope"]
    assert not emergency_entities(result)
    summary = result["emergency_net"]
    assert summary["demoted_classifier"] is True and summary["fired"] is False
    assert summary["negated"]


@pytest.mark.parametrize(
    "text, status",
    [
        ("what are the signs of a stroke?", "hypothetical"),
        ("can bone cancer cause severe pain?", "hypothetical"),
        ("my dad had a heart attack years ago, can he join the program?", "historical"),
        ("the bleeding has stopped", "resolved"),
    ],
)
def test_never_withdraws_the_classifiers_emergency_for_context(
    net: EmergencySafetyNet, text: str, status: str
) -> None:
    # Fail safe: past, hypothetical or "stopped/gone/better" context silences only the net's
    # own match; the classifier's emergency stands.
    ranking = [("emergency", 0.6), ("faq", 0.3), ("out_of_scope", 0.1)]
    result = run(net, parsed(text, ranking))
    assert result[INTENT]["name"] == "emergency"
    assert result["emergency_net"]["demoted_classifier"] is False
    assert result["emergency_net"][status]


def test_overruled_emergency_falls_back_when_nothing_else_is_likely(
    net: EmergencySafetyNet,
) -> None:
    ranking = [("emergency", 0.5), ("greet", 0.2), ("faq", 0.2), ("deny", 0.1)]
    result = run(net, parsed("no chest pain", ranking))
    assert result[INTENT] == {"name": "nlu_fallback", "confidence": 0.5}
    assert "emergency" not in [r["name"] for r in result[INTENT_RANKING_KEY]]


@pytest.mark.parametrize(
    "text, category",
    [
        ("everything is falling apart and I don't know what to do", "unspecified"),
        ("I have severe pain", "medical"),  # an affirmed mention the net does not fire on
        ("what's the number for the suicide hotline?", "unspecified"),  # never overruled
    ],
)
def test_classifier_emergency_stands_when_the_net_cannot_rule_it_out(
    net: EmergencySafetyNet, text: str, category: str
) -> None:
    result = run(net, parsed(text, [("emergency", 0.8), ("faq", 0.2)]))
    assert result[INTENT] == {"name": "emergency", "confidence": 0.8}
    [entity] = emergency_entities(result)
    assert entity["value"] == category
    assert entity["reason"].startswith("classifier")
    assert result["emergency_net"]["demoted_classifier"] is False


@pytest.mark.parametrize(
    "text, ranking",
    [
        ("what is osteosarcoma?", [("faq", 0.9), ("greet", 0.1)]),
        ("hi there", [("greet", 0.95), ("faq", 0.05)]),
        ("no chest pain", [("deny", 0.9), ("faq", 0.1)]),  # negated, DIET not emergency
        ("asdf qwerty", [("nlu_fallback", 0.5), ("greet", 0.3)]),
    ],
)
def test_classifier_prediction_preserved_when_not_firing(
    net: EmergencySafetyNet, text: str, ranking: Ranking
) -> None:
    message = parsed(text, ranking)
    before = (dict(message.get(INTENT)), list(message.get(INTENT_RANKING_KEY)))
    result = run(net, message)
    assert (result[INTENT], result[INTENT_RANKING_KEY]) == before
    assert not emergency_entities(result)
    assert result["emergency_net"]["fired"] is False


def test_intent_payloads_are_left_alone(net: EmergencySafetyNet) -> None:
    message = parsed("/greet", [("greet", 1.0)])
    result = run(net, message)
    assert result[INTENT]["name"] == "greet" and "emergency_net" not in result


def test_summary_carries_no_message_text(net: EmergencySafetyNet) -> None:
    text = "no chest pain but my husband can't breathe"
    summary = run(net, parsed(text, [("faq", 1.0)]))["emergency_net"]
    dumped = json.dumps(summary)
    assert "husband" not in dumped and "chest pain" not in dumped
    assert summary == {
        "fired": True,
        "category": "medical",
        "reason": "cannot_breathe",
        "negated": ["chest_pain"],
        "resolved": [],
        "hypothetical": [],
        "historical": [],
        "demoted_classifier": False,
    }


def test_reads_the_configured_pattern_file(tmp_path: Path) -> None:
    path = tmp_path / "patterns.yml"
    path.write_text(
        'version: "3.1"\npatterns:\n  - {id: purple, category: medical, phrases: [purple rain]}\n'
    )
    custom = make_net(tmp_path, patterns_path=str(path))
    result = run(custom, parsed("purple rain", [("faq", 1.0)]))
    assert result[INTENT]["name"] == "emergency"
    assert emergency_entities(result)[0]["reason"] == "purple"


def test_a_bad_pattern_file_stops_loading(tmp_path: Path) -> None:
    path = tmp_path / "patterns.yml"
    path.write_text("patterns:\n  - {id: x, category: urgent, phrases: [a]}\n")
    with pytest.raises(PatternFileError, match=r"patterns\[0\] \(id 'x'\): 'category'"):
        make_net(tmp_path, patterns_path=str(path))


def test_default_pattern_path_is_relative_to_the_working_directory() -> None:
    assert EmergencySafetyNet.get_default_config()["patterns_path"] == "data/patterns/emergency.yml"


# -- EmergencyFirstPolicy: the emergency wins over an active form ----------------------------
POLICY_DOMAIN = """
version: "3.1"
intents: [start_screen, deny, emergency]
slots:
  q1:
    type: text
    influence_conversation: false
    mappings:
      - type: from_text
        conditions:
          - active_loop: screen_form
forms:
  screen_form:
    required_slots: [q1]
actions: [action_emergency_escalation]
responses:
  utter_ask_q1:
    - text: "Question 1?"
  utter_emergency:
    - text: "Please call 911 or go to the nearest hospital now."
"""

POLICY_RULES = """
version: "3.1"
rules:
  - rule: start the screen
    steps:
      - intent: start_screen
      - action: screen_form
      - active_loop: screen_form
  - rule: emergency anywhere
    steps:
      - intent: emergency
      - action: utter_emergency
      - action: action_emergency_escalation
  - rule: emergency in the screen
    condition:
      - active_loop: screen_form
    steps:
      - intent: emergency
      - action: utter_emergency
      - action: action_deactivate_loop
      - active_loop: null
      - action: action_emergency_escalation
"""


@pytest.fixture(scope="module")
def dialogue(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """A small domain, a RulePolicy trained on its rules, and the EmergencyFirstPolicy."""
    from rasa.core import training
    from rasa.core.policies.rule_policy import RulePolicy
    from rasa.shared.core.domain import Domain

    from member_health_rasa.nlu.emergency_net import EmergencyFirstPolicy

    tmp = tmp_path_factory.mktemp("policy")
    (tmp / "rules.yml").write_text(POLICY_RULES)
    domain = Domain.from_yaml(POLICY_DOMAIN)
    context = ExecutionContext(GraphSchema({}))
    storage = LocalModelStorage(tmp)
    rules = RulePolicy.create(RulePolicy.get_default_config(), storage, Resource("r"), context)
    rules.train(training.load_data(str(tmp / "rules.yml"), domain, augmentation_factor=0), domain)
    first = EmergencyFirstPolicy.create(
        EmergencyFirstPolicy.get_default_config(), storage, Resource("e"), context
    )
    first.train([], domain)
    return domain, rules, first


def user(intent: str):  # type: ignore[no-untyped-def]
    from rasa.shared.core.events import ActionExecuted, UserUttered

    return [
        ActionExecuted("action_listen"),
        UserUttered(intent, intent={"name": intent, "confidence": 1.0}),
    ]


def in_screen() -> list:
    from rasa.shared.core.events import ActionExecuted, ActiveLoop, SlotSet

    return user("start_screen") + [
        ActionExecuted("screen_form"),
        ActiveLoop("screen_form"),
        SlotSet("requested_slot", "q1"),
    ]


def next_action(dialogue, events: list, with_first: bool = True) -> str:  # type: ignore[no-untyped-def]
    """The action the policy ensemble picks after ``events``."""
    from rasa.core.policies.ensemble import DefaultPolicyPredictionEnsemble
    from rasa.shared.core.trackers import DialogueStateTracker

    domain, rules, first = dialogue
    tracker = DialogueStateTracker.from_events("t", events, slots=domain.slots)
    policies = [rules, first] if with_first else [rules]
    predictions = [p.predict_action_probabilities(tracker, domain) for p in policies]
    best = DefaultPolicyPredictionEnsemble().combine_predictions(predictions, tracker, domain)
    return domain.action_names_or_texts[best.probabilities.index(max(best.probabilities))]


def test_without_the_policy_the_form_runs_first(dialogue) -> None:  # type: ignore[no-untyped-def]
    # The RulePolicy's form prediction wins until the form rejects the message; the form's
    # validation needs the action server, so this is why EmergencyFirstPolicy exists.
    events = in_screen() + user("emergency")
    assert next_action(dialogue, events, with_first=False) == "screen_form"


def test_emergency_in_a_form_is_answered_first_and_ends_the_form(dialogue) -> None:  # type: ignore[no-untyped-def]
    from rasa.shared.core.events import ActionExecuted, ActiveLoop

    events = in_screen() + user("emergency")
    steps = []
    for _ in range(4):
        action = next_action(dialogue, events)
        steps.append(action)
        events.append(ActionExecuted(action))
        if action == "action_deactivate_loop":
            events.append(ActiveLoop(None))
    assert steps == [
        "utter_emergency",
        "action_deactivate_loop",
        "action_emergency_escalation",
        "action_listen",
    ]


def test_emergency_outside_a_form(dialogue) -> None:  # type: ignore[no-untyped-def]
    from rasa.shared.core.events import ActionExecuted

    events = user("emergency")
    assert next_action(dialogue, events) == "utter_emergency"
    events.append(ActionExecuted("utter_emergency"))
    assert next_action(dialogue, events) == "action_emergency_escalation"
    events.append(ActionExecuted("action_emergency_escalation"))  # even if it failed
    assert next_action(dialogue, events) == "action_listen"


def test_other_messages_in_a_form_are_left_to_the_form(dialogue) -> None:  # type: ignore[no-untyped-def]
    domain, _, first = dialogue
    from rasa.shared.core.trackers import DialogueStateTracker

    events = in_screen() + user("deny")
    tracker = DialogueStateTracker.from_events("t", events, slots=domain.slots)
    assert max(first.predict_action_probabilities(tracker, domain).probabilities) == 0.0
    assert next_action(dialogue, events) == "screen_form"


def test_policy_registered_and_outranks_the_rule_policy(dialogue) -> None:  # type: ignore[no-untyped-def]
    from rasa.core.policies.rule_policy import RulePolicy

    from member_health_rasa.nlu.emergency_net import EmergencyFirstPolicy

    _, rules, first = dialogue
    assert first.priority > rules.priority == RulePolicy.get_default_config()["priority"]
    registered = DefaultV1Recipe._from_registry(EmergencyFirstPolicy.__name__)
    assert DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT in registered.types


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("my husband with back pain just wet himself and didn't feel it", "medical"),
        ("since this morning I can't feel anything when I wipe", "medical"),
        ("my legs suddenly gave out and my back is killing me", "medical"),
        # a present acute red flag beside a past one
        ("back in june my leg went weak suddenly, now i cant control my bladder", "medical"),
        ("i had sudden numbness down there last year and it's back since this morning", "medical"),
        # loss of control read from a bare "can't stop / hold it" (fail safe), no bladder or
        # bowel named: it may be self-harm, so the unspecified reply, which adds 988
        ("it all started again tonight and i can't stop", "unspecified"),
        ("since this morning i can't hold it", "unspecified"),
    ],
)
def test_acute_red_flags_read_by_the_screen_reader_are_emergencies(
    net: EmergencySafetyNet, text: str, category: str
) -> None:
    result = run(net, parsed(text, [("report_red_flag", 0.9), ("faq", 0.1)]))
    assert result[INTENT] == {"name": "emergency", "confidence": 1.0}
    [entity] = emergency_entities(result)
    assert entity["value"] == category


@pytest.mark.parametrize(
    "text",
    [
        "back in 2019 my legs suddenly gave out, it was a disc and i'm fine now",
        "if my back pain ever comes with numbness between my legs what do i do",
    ],
)
def test_an_acute_red_flag_the_net_reads_as_past_or_hypothetical_is_left_to_the_model(
    net: EmergencySafetyNet, text: str
) -> None:
    result = run(net, parsed(text, [("out_of_scope", 0.9), ("faq", 0.1)]))
    assert result[INTENT]["name"] == "out_of_scope"


def test_the_component_and_the_rate_limiter_share_one_detector(tmp_path: Path) -> None:
    from member_health.emergency import load_detector

    relative = make_net(tmp_path, patterns_path="data/patterns/emergency.yml")
    assert relative.detector is load_detector()  # the rate limiter's: one read of each message
