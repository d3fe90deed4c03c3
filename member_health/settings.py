"""Plan configuration (name, phone numbers, links) read from ``plan.yml`` and the environment.

Responses never hard-code these values. The Rasa server fills them into every response
(``member_health_rasa.ops.plan_responses``); the actions that send contacts also pass them, and
answer without them when the configuration is broken (``actions.plan_contacts``).

``plan.yml`` ships example values (a 555-01xx nurse line, example.org links). ``example_keys``
names the settings that still hold one; ``check_plan`` refuses them when
``MEMBER_HEALTH_PRODUCTION`` is on, so example contacts never reach members unnoticed.
"""
from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from member_health.paths import ROOT

PLAN_FILE = Path(os.environ.get("PLAN_CONFIG", ROOT / "plan.yml"))

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


def load_plan(env: Mapping[str, str] | None = None, path: Path | None = None) -> Plan:
    """The plan configuration from ``path`` (default ``PLAN_FILE``), overridden by ``env``."""
    env = os.environ if env is None else env
    path = PLAN_FILE if path is None else path
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    values = {key: env.get(name, data.get(key)) for key, name in _ENV.items()}
    missing = [key for key, value in values.items() if not value]
    if missing:
        raise ValueError(f"{path}: missing plan settings: {', '.join(missing)}")
    return Plan(**{key: str(value) for key, value in values.items()})


# What loading a broken plan configuration raises (unreadable file, bad YAML, missing setting).
PLAN_ERRORS = (OSError, ValueError, yaml.YAMLError)


@lru_cache(maxsize=1)
def plan() -> Plan:
    """Load the plan configuration once; the environment overrides the file."""
    return load_plan()


PRODUCTION_ENV = "MEMBER_HEALTH_PRODUCTION"
_TRUE = {"1", "true", "yes", "on"}
# NANP numbers 555-0100 to 555-0199 are reserved for fiction: never a real plan's line.
_FICTIONAL_PHONE = re.compile(r"^1?\d{3}55501\d{2}$")
# RFC 2606 / 6761: names reserved for documentation and tests.
_EXAMPLE_DOMAINS = ("example.com", "example.org", "example.net")
_EXAMPLE_TLDS = ("example", "test", "invalid", "localhost")
_EXAMPLE_WORD = re.compile(r"\b(example|placeholder|sample|changeme)\b", re.IGNORECASE)


class ExampleContactsError(ValueError):
    """Production mode, but the plan configuration still holds example values."""


def production_mode(env: Mapping[str, str] | None = None) -> bool:
    """Is ``MEMBER_HEALTH_PRODUCTION`` on (1, true, yes, on)?"""
    env = os.environ if env is None else env
    return env.get(PRODUCTION_ENV, "").strip().lower() in _TRUE


def is_example_value(value: str) -> bool:
    """A value plan.yml ships as an example: fictional 555-01xx number, reserved domain, or a
    word such as "example" or "placeholder"."""
    text = value.strip()
    if "://" not in text and _EXAMPLE_WORD.search(text):
        return True
    digits = re.sub(r"\D", "", text)
    if re.fullmatch(r"[\d\s().+-]+", text) and _FICTIONAL_PHONE.match(digits):
        return True
    host = (urlsplit(text if "://" in text else f"//{text}").hostname or "").lower().rstrip(".")
    if not host:
        return False
    return (
        host in _EXAMPLE_DOMAINS
        or host.endswith(tuple(f".{name}" for name in _EXAMPLE_DOMAINS))
        or host.rsplit(".", 1)[-1] in _EXAMPLE_TLDS
    )


def example_keys(configured: Plan) -> list[str]:
    """The plan settings (keys, never values) that still hold an example value."""
    return [
        item.name for item in fields(configured) if is_example_value(getattr(configured, item.name))
    ]


def check_plan(configured: Plan, production: bool) -> list[str]:
    """The keys holding example values; in production, refuse them.

    Raises ``ExampleContactsError`` (one line naming the keys and their variables) when
    ``production`` is on and any key holds an example value.
    """
    keys = example_keys(configured)
    if production and keys:
        names = ", ".join(f"{key} ({_ENV[key]})" for key in keys)
        raise ExampleContactsError(
            f"{PRODUCTION_ENV} is on but the plan configuration still has example values: "
            f"{names}; set the real ones in plan.yml or the environment"
        )
    return keys
