"""Each topic button's question (data/responses/faq.yml metadata) reaches its topic, surely."""
from __future__ import annotations

import pytest

from member_health_rasa.project import merged_domain
from member_health_rasa.tools.nlu_eval import asked_about_topic, predicted_label

pytestmark = pytest.mark.model

BUTTONS = sorted(
    (key.split("/", 1)[1], variations[0]["metadata"]["question"])
    for key, variations in merged_domain().responses.items()
    if key.startswith("utter_faq/")
)


@pytest.mark.parametrize(("topic", "question"), BUTTONS)
async def test_the_button_question_answers_its_topic(agent, topic: str, question: str) -> None:  # type: ignore[no-untyped-def]
    parse = await agent.parse_message(question)
    assert predicted_label(parse) == f"faq/{topic}"
    assert not asked_about_topic(parse), "a tapped button must be answered, not asked about"
