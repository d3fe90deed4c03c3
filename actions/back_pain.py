"""Back pain program: the red-flag screen form (``back_pain_screen_form``) and the program start.

Thin adapters over ``member_health.red_flags``: the form's answers are read from free text,
the outcome is computed there, and the program link comes from ``member_health.settings``.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT
from rasa_sdk.types import DomainDict

from actions import plan_contacts
from member_health import red_flags
from member_health.text import looks_like_question

OUTCOME_SLOT = "screening_outcome"
FAILED_ATTEMPTS_SLOT = "screen_failed_attempts"
# Fail safe: an unclear answer is confirmed once (Yes / No / Not sure buttons); a second unclear
# answer in a row counts as not sure. It is never read as a no.
UNSURE_AFTER_FAILURES = 2

# Never an answer: the emergency rules take over, or "forget me" ends the form and asks to
# confirm (data/rules/privacy.yml); read as an unclear answer, its confirming "yes" used to
# answer the red-flag question instead.
NEVER_ANSWERS = frozenset({"emergency", "forget_me"})
# Handled by rules during the form (answer the question, stop, give contacts); such a message
# counts as an answer only when it is plainly one ("no" misread as stop, "I had breast cancer"
# misread as an FAQ).
HANDLED_BY_RULES = frozenset({"faq", "stop", "human_handoff"})
# Payloads like "/affirm" carry no text to read.
INTENT_ANSWERS: dict[str, str] = {
    "affirm": red_flags.YES,
    "deny": red_flags.NO,
    "unsure": red_flags.UNSURE,
}


def _plan_template(dispatcher: CollectingDispatcher) -> dict[str, str] | None:
    """The plan's contacts and links, or ``None`` (and an apology sent) if they are broken."""
    template = plan_contacts(instead="utter_action_unavailable instead of the program link")
    if template is None:
        dispatcher.utter_message(response="utter_action_unavailable")
    return template


def _is_answer_turn(intent: str | None, text: str, answer: str | None) -> bool:
    """Whether the latest message is for the form rather than for the rules."""
    if intent in NEVER_ANSWERS:
        return False
    if intent in HANDLED_BY_RULES:
        if answer is None:
            return False
        return red_flags.is_plain_answer(text) or (
            intent == "faq" and not looks_like_question(text)
        )
    return True


class YesNoFormValidationAction(FormValidationAction, ABC):
    """Reads yes / no / not sure answers, in free text, for the slot the form asked about.

    Subclasses implement ``classify`` and one ``extract_<slot>`` per slot that returns
    ``self.extract_answer(slot, ...)``. An unclear answer is confirmed once with
    ``confirm_response`` (the form then asks again with its buttons); a second unclear answer
    in a row is recorded as ``unsure``. Subclasses may implement ``volunteered`` to record a yes
    for a slot the form did not ask about. Abstract, so the action server does not register it.
    """

    failed_attempts_slot = FAILED_ATTEMPTS_SLOT
    confirm_response = "utter_screen_confirm"

    @abstractmethod
    def classify(self, text: str, slot: str) -> str | None:
        """``yes`` / ``no`` / ``unsure`` for ``text`` as an answer about ``slot``, else ``None``."""

    def volunteered(self, text: str) -> set[str]:
        """Slots the member answered yes to without being asked (none by default)."""
        return set()

    def extract_answer(
        self, slot: str, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any]:
        """Slot events for the latest message: its answer, or a volunteered yes."""
        text = tracker.latest_message.get("text") or ""
        if tracker.get_slot(REQUESTED_SLOT) != slot:
            # A question ("is numbness a sign of cancer?") is answered by the rules, not read.
            if (
                not text.startswith("/")
                and not looks_like_question(text)
                and (slot in self.volunteered(text))
            ):
                return {slot: red_flags.YES}
            return {}
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        answer: str | None
        if text.startswith("/"):
            answer = INTENT_ANSWERS.get(intent or "")
        else:
            answer = self.classify(text, slot)
        if not _is_answer_turn(intent, text, answer):
            return {}
        if answer is not None:
            return {slot: answer, self.failed_attempts_slot: 0}
        failures = int(tracker.get_slot(self.failed_attempts_slot) or 0) + 1
        if failures >= UNSURE_AFTER_FAILURES:
            return {slot: red_flags.UNSURE, self.failed_attempts_slot: 0}
        dispatcher.utter_message(response=self.confirm_response)
        return {self.failed_attempts_slot: failures}

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """The extracted answers are valid as they are: return them with the attempt counter.

        (The SDK's default would drop the counter, which is not one of the form's slots.)
        """
        keep = {*self.domain_slots(domain), self.failed_attempts_slot}
        return [
            SlotSet(name, value)
            for name, value in tracker.slots_to_validate().items()
            if name in keep
        ]


class ValidateBackPainScreenForm(YesNoFormValidationAction):
    """Fills the four red-flag slots of ``back_pain_screen_form`` from the member's answers."""

    def name(self) -> str:
        """Name of the action in the domain."""
        return "validate_back_pain_screen_form"

    def classify(self, text: str, slot: str) -> str | None:
        """Read the answer with the red flag's own symptom words."""
        return red_flags.classify_answer(text, slot)

    def volunteered(self, text: str) -> set[str]:
        """Red flags the member's own words affirm, whichever question was asked."""
        return red_flags.volunteered_flags(text)

    def extract_leg_symptoms(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Severe pain, weakness or tingling in the leg(s)."""
        return self.extract_answer("leg_symptoms", dispatcher, tracker)

    def extract_bladder_bowel(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Difficulty stopping urination or loss of control of bladder or bowels."""
        return self.extract_answer("bladder_bowel", dispatcher, tracker)

    def extract_fever_nausea(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Unexplained fever, nausea or vomiting."""
        return self.extract_answer("fever_nausea", dispatcher, tracker)

    def extract_cancer_history(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A history of cancer or unexplained weight loss."""
        return self.extract_answer("cancer_history", dispatcher, tracker)


class ActionStartScreen(Action):
    """Start a fresh screen: forget earlier answers, but never an earlier ``see_doctor``."""

    def name(self) -> str:
        """Name of the action in the domain."""
        return "action_start_screen"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Reset the screen's slots; the rule then utters the intro and runs the form.

        A ``see_doctor`` outcome stays: only ``cleared_by_doctor`` lifts it.
        """
        resets = [SlotSet(flag, None) for flag in red_flags.RED_FLAGS]
        if tracker.get_slot(OUTCOME_SLOT) != red_flags.SEE_DOCTOR:
            resets.append(SlotSet(OUTCOME_SLOT, None))
        return [*resets, SlotSet(FAILED_ATTEMPTS_SLOT, 0)]


class ActionScreeningOutcome(Action):
    """After the screen: record ``screening_outcome`` and tell the member what comes next."""

    def name(self) -> str:
        """Name of the action in the domain."""
        return "action_screening_outcome"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """See your doctor first (any yes or not sure), or the program's first step."""
        answers = {flag: tracker.get_slot(flag) for flag in red_flags.RED_FLAGS}
        outcome = red_flags.screening_outcome(answers, tracker.get_slot(OUTCOME_SLOT))
        if outcome == red_flags.SEE_DOCTOR:
            dispatcher.utter_message(response="utter_see_doctor")
            dispatcher.utter_message(response="utter_come_back_when_cleared")
        else:
            template = _plan_template(dispatcher)
            if template is not None:
                dispatcher.utter_message(response="utter_program_start", **template)
        return [SlotSet(OUTCOME_SLOT, outcome)]


class ActionStartProgram(Action):
    """The member is cleared (by the screen, or by their doctor after ``see_doctor``): start.

    The rules run this for ``cleared_by_doctor`` only when this conversation has a screening
    outcome; without one the member is screened first. If it runs without one anyway, it offers
    the screen instead of starting the program.
    """

    def name(self) -> str:
        """Name of the action in the domain."""
        return "action_start_program"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Send the program's first step, with its link from the plan configuration."""
        if tracker.get_slot(OUTCOME_SLOT) not in (red_flags.CLEAR, red_flags.SEE_DOCTOR):
            dispatcher.utter_message(response="utter_screen_again_first")
            dispatcher.utter_message(response="utter_offer_screen")
            return []
        template = _plan_template(dispatcher)
        if template is not None:
            dispatcher.utter_message(response="utter_program_start", **template)
        return []


class ActionRecordRedFlag(Action):
    """A red flag mentioned outside the screen: record that the member should see their doctor.

    The rule then recommends the doctor and offers the screen; a later ``cleared_by_doctor``
    in this conversation starts the program without a screen.
    """

    def name(self) -> str:
        """Name of the action in the domain."""
        return "action_record_red_flag"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Set ``screening_outcome`` to ``see_doctor``."""
        return [SlotSet(OUTCOME_SLOT, red_flags.SEE_DOCTOR)]
