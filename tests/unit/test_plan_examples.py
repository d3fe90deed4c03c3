"""Example contacts in the plan configuration: named loudly, refused in production (issue 15)."""
from __future__ import annotations

from pathlib import Path

import pytest

from member_health.settings import (
    ExampleContactsError,
    Plan,
    check_plan,
    example_keys,
    is_example_value,
    load_plan,
    production_mode,
)

ROOT = Path(__file__).resolve().parents[2]
REAL = Plan(
    plan_name="Northwind Health",
    nurse_line="1-800-624-1234",
    member_services="(206) 555-2368",  # 555 outside 0100-0199 is assignable
    back_pain_program_url="https://care.northwind-health.com/back-pain",
)


@pytest.mark.parametrize(
    ("value", "example"),
    [
        ("1-800-555-0100", True),
        ("1-800-555-0199", True),
        ("+1 (800) 555-0142", True),
        ("800.555.0100", True),
        ("1-800-555-0200", False),
        ("1-800-624-1234", False),
        ("(206) 555-2368", False),
        ("https://example.org/back-pain-program", True),
        ("https://www.example.com/x", True),
        ("http://example.net", True),
        ("https://plan.example/back", True),
        ("https://plan.test/back", True),
        ("https://localhost:8080/back", True),
        ("https://notexample.org/back", False),
        ("https://care.northwind-health.com/back-pain", False),
        ("https://care.northwind-health.com/examples", False),
        ("Example Health Plan", True),
        ("Placeholder plan", True),
        ("Northwind Health", False),
        ("Samples & Co Health", False),
    ],
)
def test_is_example_value(value: str, example: bool) -> None:
    assert is_example_value(value) is example


@pytest.mark.parametrize(
    ("changes", "keys"),
    [
        ({}, []),
        ({"nurse_line": "1-800-555-0100"}, ["nurse_line"]),
        ({"member_services": "1-800-555-0199"}, ["member_services"]),
        ({"back_pain_program_url": "https://example.org/p"}, ["back_pain_program_url"]),
        ({"plan_name": "Example Health Plan"}, ["plan_name"]),
        (
            {"nurse_line": "1-800-555-0100", "back_pain_program_url": "https://example.org/p"},
            ["nurse_line", "back_pain_program_url"],
        ),
    ],
)
def test_example_keys_names_the_settings(changes: dict[str, str], keys: list[str]) -> None:
    configured = Plan(**{**REAL.as_template(), **changes})
    assert example_keys(configured) == keys
    assert check_plan(configured, production=False) == keys


def test_the_shipped_plan_yml_is_all_examples() -> None:
    shipped = load_plan(env={}, path=ROOT / "plan.yml")
    assert example_keys(shipped) == [
        "plan_name",
        "nurse_line",
        "member_services",
        "back_pain_program_url",
    ]


def test_production_refuses_examples_in_one_line_naming_keys_not_values() -> None:
    shipped = load_plan(env={}, path=ROOT / "plan.yml")
    with pytest.raises(ExampleContactsError) as raised:
        check_plan(shipped, production=True)
    message = str(raised.value)
    assert "\n" not in message
    assert "nurse_line (PLAN_NURSE_LINE)" in message and "MEMBER_HEALTH_PRODUCTION" in message
    assert "555" not in message and "example.org" not in message


def test_production_accepts_real_values_from_the_environment() -> None:
    env = {
        "PLAN_NAME": REAL.plan_name,
        "PLAN_NURSE_LINE": REAL.nurse_line,
        "PLAN_MEMBER_SERVICES": REAL.member_services,
        "PLAN_BACK_PAIN_PROGRAM_URL": REAL.back_pain_program_url,
    }
    assert check_plan(load_plan(env=env, path=ROOT / "plan.yml"), production=True) == []


@pytest.mark.parametrize(
    ("value", "on"),
    [
        ("1", True),
        ("true", True),
        ("YES", True),
        (" on ", True),
        ("0", False),
        ("", False),
        ("false", False),
        (None, False),
    ],
)
def test_production_mode(value: str | None, on: bool) -> None:
    env = {} if value is None else {"MEMBER_HEALTH_PRODUCTION": value}
    assert production_mode(env) is on
