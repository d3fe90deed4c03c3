"""Rasa 3.6 server hot spots, replaced by faster equivalents (found by profiling ``make bench``).

Nothing here changes Rasa when imported: each function builds a replacement, and
``member_health_rasa.ops.extensions`` installs it on the server's start. Each replacement gives
the same results as Rasa's own function (tests/unit/test_speedups.py); what it gains is measured
by ``python -m member_health_rasa.bench.patches`` (ours vs Rasa's, same run).

- **Action server replies**: ``RemoteAction._validate_action_result`` calls
  ``jsonschema.validate``, which re-checks the (large, constant) events schema against the
  meta-schema on every custom action call: 36 % of the server's busy time at 5 members. The
  validator is now built once; the reply is still validated and a bad one raises the same
  ``ValidationError``. Each event is then checked against the one schema of its own type (the
  events' ``oneOf`` is keyed by a distinct ``event`` constant, so no other can match) instead of
  against all 20-odd: a reply that fails that check is validated again in full, so the error
  raised is Rasa's own.

The SQLite tracker file's connection pool and WAL journal are not a patch: they are part of
``member_health_rasa.ops.tracker_store.PrivacySQLTrackerStore`` (a supported store class).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rasa.core.actions.action import RemoteAction

# Rasa's own method, kept for the equivalence tests and the benchmark.
ORIGINAL_VALIDATE_ACTION_RESULT = RemoteAction._validate_action_result


def cached_validator() -> Callable[[RemoteAction, dict[str, Any]], bool]:
    """``RemoteAction._validate_action_result`` with the schema checked and compiled once."""
    import jsonschema
    from rasa.shared.constants import DOCS_BASE_URL

    schema = RemoteAction.action_response_format_spec()
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema)
    quick = by_event_type(schema, validator_class)

    def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
        if quick is not None and quick(result):
            return True
        # jsonschema.validate raises best_match(iter_errors()): the same error, message included
        error = jsonschema.exceptions.best_match(validator.iter_errors(result))
        if error is not None:
            error.message += (
                ". Failed to validate Action server response from API, make sure your "
                "response from the Action endpoint is valid. For more information about the "
                f"format visit {DOCS_BASE_URL}/custom-actions"
            )
            raise error
        return True

    _validate_action_result.member_health = True  # type: ignore[attr-defined]
    return _validate_action_result


def by_event_type(schema: dict[str, Any], validator_class: Any) -> Callable[[Any], bool] | None:
    """A check that is true exactly when ``schema`` (Rasa's action reply format) accepts a reply,
    checking each event against the ``oneOf`` branch of its own type only; None when the branches
    are not keyed by distinct ``event`` constants (then only the full check is right)."""
    events = schema.get("properties", {}).get("events", {})
    items = events.get("items", {})
    branches = items.get("oneOf")
    if not isinstance(branches, list) or "event" not in items.get("required", []):
        return None
    keys = [branch.get("properties", {}).get("event", {}).get("const") for branch in branches]
    if not all(isinstance(key, str) for key in keys) or len(set(keys)) != len(keys):
        return None
    without_one_of = {key: value for key, value in items.items() if key != "oneOf"}
    outer = validator_class(
        {
            **schema,
            "properties": {
                **schema["properties"],
                "events": {**events, "items": without_one_of},
            },
        }
    )
    by_type = {key: validator_class(branch) for key, branch in zip(keys, branches, strict=True)}

    def valid(result: Any) -> bool:
        if not outer.is_valid(result):
            return False
        for event in result.get("events", []):  # a list of objects with a string "event" now
            branch = by_type.get(event["event"])
            if branch is None or not branch.is_valid(event):
                return False
        return True

    return valid


def install_cached_validator() -> None:
    """Replace ``RemoteAction._validate_action_result`` (once per process)."""
    if not getattr(RemoteAction._validate_action_result, "member_health", False):
        # Private patch: Rasa re-checks its constant schema on every reply (no setting to cache).
        RemoteAction._validate_action_result = cached_validator()
