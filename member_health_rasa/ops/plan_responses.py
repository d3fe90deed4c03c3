"""Responses with the plan's settings filled in, whichever action sends them.

Rasa fills a response's ``{name}`` from the conversation's slots and from the values a custom
action passes; a plain response (an ``utter_...`` in a rule, or ``utter_faq/<key>`` picked by
the FAQ retrieval action) would otherwise reach members with ``{nurse_line}`` in braces.
``PlanResponses`` is Rasa's own templated generator with the plan's settings
(``member_health.settings``: ``plan.yml`` overridden by ``PLAN_*`` variables) as defaults, so
``{plan_name}``, ``{nurse_line}``, ``{member_services}`` and ``{back_pain_program_url}`` are
filled in every response. Slots and an action's own values take precedence.

Selected in ``endpoints.yml`` (Rasa's supported extension point for response generation)::

    nlg:
      type: member_health_rasa.ops.plan_responses.PlanResponses

It runs inside the Rasa server, so it works when the action server is down.
"""
from __future__ import annotations

from typing import Any

from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.utils.endpoints import EndpointConfig

from member_health.settings import plan


class PlanResponses(TemplatedNaturalLanguageGenerator):
    """Rasa's templated responses, with the plan's settings as default template variables."""

    def __init__(
        self, endpoint_config: EndpointConfig | None = None, domain: Domain | None = None
    ) -> None:
        """Read the plan once (a broken ``plan.yml`` stops the server at start, not mid-chat)."""
        super().__init__(domain.responses if domain else {})
        self.plan_values: dict[str, str] = plan().as_template()

    def generate_from_slots(
        self,
        utter_action: str,
        filled_slots: dict[str, Any],
        output_channel: str,
        **kwargs: Any,
    ) -> dict[str, Any] | None:
        """The response, its ``{placeholders}`` filled from kwargs, then slots, then the plan."""
        values = {**self.plan_values, **(filled_slots or {})}
        return super().generate_from_slots(utter_action, values, output_channel, **kwargs)
