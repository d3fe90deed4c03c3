"""Custom actions, one module per feature; each action is a thin adapter over ``member_health``.

Loading this package (the action server's start) checks the plan configuration: example
contacts (plan.yml's placeholders) are named in a WARNING, keys only; with
``MEMBER_HEALTH_PRODUCTION`` on, the action server refuses to start with them.
"""
from __future__ import annotations

import logging

from member_health.settings import (
    PLAN_ERRORS,
    ExampleContactsError,
    check_plan,
    plan,
    production_mode,
)

logger = logging.getLogger(__name__)


def plan_contacts(instead: str) -> dict[str, str] | None:
    """The plan's contacts and links as response values, or None if the configuration is broken.

    The one place the actions load them: on None the action answers without them (``instead``
    says how, for the log) rather than fail. The Rasa server fills the same values into every
    response (``member_health_rasa.ops.plan_responses``); passing them keeps an action's reply
    complete on its own.
    """
    try:
        return plan().as_template()
    except PLAN_ERRORS:
        logger.exception("Plan configuration unavailable; %s.", instead)
        return None


def check_plan_at_start() -> list[str]:
    """Warn about example plan values (keys only); exit in production mode."""
    try:
        keys = check_plan(plan(), production_mode())
    except ExampleContactsError as error:
        logger.error("%s", error)
        raise SystemExit(f"actions: {error}") from None
    except PLAN_ERRORS as error:  # the actions answer without contacts (plan_contacts)
        logger.error("Plan configuration unusable: %s", error)
        return []
    if keys:
        logger.warning(
            "Example plan values in use for %s (plan.yml): members would see placeholder "
            "contacts. Set the real ones; MEMBER_HEALTH_PRODUCTION=1 refuses to start with them.",
            ", ".join(keys),
        )
    return keys


check_plan_at_start()
