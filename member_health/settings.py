"""Plan configuration (name, phone numbers, links) read from ``plan.yml`` and the environment.

Responses never hard-code these values: actions pass them to responses as template
variables, e.g. ``dispatcher.utter_message(response="utter_handoff", **plan().as_template())``.
"""
from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

import yaml

PLAN_FILE = Path(os.environ.get("PLAN_CONFIG", Path(__file__).resolve().parent.parent / "plan.yml"))

_ENV = {
    "plan_name": "PLAN_NAME",
    "nurse_line": "PLAN_NURSE_LINE",
    "member_services": "PLAN_MEMBER_SERVICES",
    "back_pain_program_url": "PLAN_BACK_PAIN_PROGRAM_URL",
}


@dataclass(frozen=True)
class Plan:
    """The health plan's contacts and links."""

    plan_name: str
    nurse_line: str
    member_services: str
    back_pain_program_url: str

    def as_template(self) -> dict[str, str]:
        """Values for ``{placeholders}`` in responses."""
        return asdict(self)


@lru_cache(maxsize=1)
def plan() -> Plan:
    """Load the plan configuration once; the environment overrides the file."""
    data = yaml.safe_load(PLAN_FILE.read_text(encoding="utf-8")) or {}
    values = {key: os.environ.get(env, data.get(key)) for key, env in _ENV.items()}
    missing = [key for key, value in values.items() if not value]
    if missing:
        raise ValueError(f"{PLAN_FILE}: missing plan settings: {', '.join(missing)}")
    return Plan(**{key: str(value) for key, value in values.items()})
