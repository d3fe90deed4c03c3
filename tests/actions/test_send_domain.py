"""The domain reaches every action that reads it, and only those (selective domain is on).

Rasa sends the domain (every response, ~60 KB of JSON) only to the actions marked ``send_domain:
true`` in domain.yml; any other action gets ``{}``. An action that reads the domain (buttons from
the answers' metadata, a form's slots) without the mark would silently lose them.
"""
from __future__ import annotations

import inspect
import re

import yaml
from rasa_sdk import Action
from rasa_sdk.executor import ActionExecutor
from rasa_sdk.forms import ValidationAction

from member_health.paths import ROOT

# ``domain`` used other than as a parameter being declared ("domain: DomainDict,").
READS_DOMAIN = re.compile(r"\bdomain\b(?!\s*:\s*(DomainDict|dict|Dict)\b)")


def actions() -> dict[str, type[Action]]:
    executor = ActionExecutor()
    executor.register_package("actions")
    # The executor keeps each action's bound ``run``.
    return {name: type(run.__self__) for name, run in executor.actions.items()}


def reads_domain(cls: type[Action]) -> bool:
    """True when the class (or a project base class) uses ``domain`` in its code, or is a slot or
    form validation (rasa-sdk reads the slots from the domain)."""
    if issubclass(cls, ValidationAction):
        return True
    own = [c for c in cls.__mro__ if c.__module__.split(".")[0] in ("actions", "member_health")]
    for klass in own:
        body = [
            line
            for line in inspect.getsource(klass).splitlines()
            if not line.strip().startswith(("def ", "#", '"""'))
        ]
        if any(READS_DOMAIN.search(line) for line in body):
            return True
    return False


def marked() -> set[str]:
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    return {
        name
        for item in domain["actions"]
        if isinstance(item, dict)
        for name, options in item.items()
        if (options or {}).get("send_domain")
    }


def test_selective_domain_is_on_in_both_endpoint_files() -> None:
    for name in ("endpoints.yml", "endpoints.scale.yml"):
        endpoints = yaml.safe_load((ROOT / name).read_text(encoding="utf-8"))
        assert endpoints["action_endpoint"]["enable_selective_domain"] is True, name


def test_every_action_reading_the_domain_is_sent_it() -> None:
    found = actions()
    assert "action_clarify_topic" in found and "validate_stage_form" in found
    readers = {name for name, cls in found.items() if reads_domain(cls)}
    assert readers == marked(), "mark send_domain: true in domain.yml exactly for these"
