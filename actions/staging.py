"""Stage explainer: the form's slot extraction and validation, and the explanation.

Thin adapters over ``member_health.tumor_details`` (members' words -> slot values) and
``member_health.staging`` (the AJCC table). How Rasa 3.6 drives ``stage_form``:

* On activation (the ``ask_my_stage`` message) the form calls ``validate_stage_form`` once, with
  an ``active_loop`` event after the latest user message. Every ``extract_<slot>`` then runs, so
  the details of that first message are used, and any value left from an earlier stage
  conversation is cleared (the slots are not reset between conversations).
* After each answer, ``extract_<slot>`` reads the text: the requested slot gets the raw answer
  (``validate_<slot>`` reads it, and explains what was wrong with an unusable one), other slots
  only the details the text clearly states. Button payloads (``/inform{"spread": "lungs"}``)
  arrive through the ``from_entity`` mappings and are validated like everything else.
* Emergency and stop messages, and FAQ-style questions, are not read as answers: the form is
  rejected and the rules handle them (data/rules/staging.yml).

Fail safe (issue 15): a detail the member gives while another question is open is kept,
acknowledged ("Got it: high grade, 6 cm.") and not asked again; a detail stated again with
another value ("actually it's 10 cm, not 6") replaces the earlier one. Before a stage is named
in a conversation with questions, ``stage_confirmed`` shows the details used
(``action_ask_stage_confirmed``) and the member can fix one; a first message that gives
every detail is answered at once (the result repeats the details it used).
"""
from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT
from rasa_sdk.types import DomainDict

from actions import plan_contacts
from member_health import staging
from member_health import tumor_details as td
from member_health.channel_format import MAX_BUBBLE_CHARS
from member_health.clarify import faq_topic
from member_health.stage_terms import asked_term
from member_health.text import looks_like_question
from member_health.units import MAX_SIZE_CM

FORM = "stage_form"
# Never read as an answer: the rules answer these ("forget me" ends the form, then confirms).
INTERRUPTION_INTENTS = frozenset({"emergency", "stop", "forget_me"})
# Read as an answer only when the message answers something (and is not a question).
QUESTION_INTENTS = frozenset({"faq", "human_handoff", "bot_challenge"})
UNSURE_INTENT = "unsure"
CONFIRMED = "stage_confirmed"
YES = "yes"
CHANGE = "change"
CHANGE_PREFIX = "change_"
NO_GROUP_LOCATIONS = ("spine", "pelvis")
_CONFIRM_YES = re.compile(
    r"^(?:yes|yeah|yep|yup|yea|y|ok|okay|sure|correct|right|that's right|thats right"
    r"|that is right|that's correct|that is correct|all correct|all good|looks (?:good|right)"
    r"|sounds right|exactly|perfect|confirmed?|affirmative)(?:[ ,.!]+(?:that's|thats|it's|its"
    r"|all|looks|is|right|correct|good|yes|thanks|thank you))*[ .!]*$"
)
_CONFIRM_CHANGE = re.compile(
    r"^(?:no|nope|nah|not (?:quite|really|right)|wrong|that's wrong|change(?: a| the)?"
    r"(?: detail| something| one)?|(?:let me |i (?:want|need) to )?(?:fix|correct|change)"
    r"(?: a| one| the)?(?: detail| something| one)?|something(?:'s| is) wrong"
    r"|one (?:is|of them is) wrong)[ .!]*$"
)
_DETAIL_NAMES = (
    (td.LOCATION, re.compile(r"\b(?:where|location|place|bone)\b")),
    (td.SPREAD, re.compile(r"\bspread\b")),
    (td.GRADE, re.compile(r"\bgrade\b")),
    (td.SIZE, re.compile(r"\b(?:size|big|cm|centimet\w*)\b")),
    (td.SPOTS, re.compile(r"\bspots?\b")),
)


def latest_text(tracker: Tracker) -> str:
    """The latest user message's text ('' if none)."""
    return str(tracker.latest_message.get("text") or "")


def latest_intent(tracker: Tracker) -> str | None:
    """The latest user message's intent name."""
    return (tracker.latest_message.get("intent") or {}).get("name")


def is_payload(text: str) -> bool:
    """``/intent{...}`` messages (buttons, forced payloads) carry values as entities."""
    return text.strip().startswith("/")


def is_form_activation(tracker: Tracker) -> bool:
    """True when this run is the form's activation (``active_loop`` set after the user spoke)."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return False
        if event.get("event") == "active_loop" and event.get("name") == FORM:
            return True
    return False


def previous_user_text(tracker: Tracker) -> str:
    """The text of the user message before the latest one ('' if none)."""
    texts = [e.get("text") or "" for e in tracker.events if e.get("event") == "user"]
    return texts[-2] if len(texts) >= 2 else ""


def payload_value(tracker: Tracker, slot: str) -> Any:
    """The value a ``/intent{...}`` payload gave for ``slot`` (its entity), or None."""
    for entity in tracker.latest_message.get("entities") or []:
        if entity.get("entity") == slot:
            return entity.get("value")
    return None


def needs_confirmation(tracker: Tracker) -> bool:
    """Whether the details are shown for a check before a stage is named.

    Not when the first message gave every detail (the result repeats them), and not for the
    spine or pelvis, which have no stage group to name.
    """
    if is_form_activation(tracker):
        return False
    return tracker.get_slot(td.LOCATION) not in NO_GROUP_LOCATIONS


def confirmation_answer(value: Any, tracker: Tracker) -> str:
    """What an answer to "is that right?" means: yes, change, change_<slot>, changed or
    not_understood ("changed": the message stated other details, already extracted)."""
    if not isinstance(value, str):
        return "not_understood"
    cleaned = value.strip().lower()
    if cleaned in (YES, CHANGE, "changed") or (
        cleaned.startswith(CHANGE_PREFIX) and cleaned[len(CHANGE_PREFIX) :] in td.SLOTS
    ):
        return cleaned
    text = td.normalize(value)
    if (
        _CONFIRM_YES.match(text)
        or latest_intent(tracker) == "affirm"
        and not td.parse_details(text)
    ):
        return YES
    named = [slot for slot, pattern in _DETAIL_NAMES if pattern.search(text)]
    if len(named) == 1 and len(text.split()) <= 6:  # "the grade", "change the size"
        return CHANGE_PREFIX + named[0]
    if _CONFIRM_CHANGE.match(text) or latest_intent(tracker) == "deny":
        return CHANGE
    return "not_understood"


def describe_noted(noted: dict[str, Any], before: dict[str, Any]) -> str:
    """Details just given, a replaced one with what it replaces: "high grade, 10 cm (not 6 cm)"."""
    phrases = []
    for slot, value in noted.items():
        phrase = staging.describe_details({slot: value}, with_location=True)
        if before.get(slot) is not None:
            earlier = staging.describe_details({slot: before[slot]}, with_location=True)
            phrase = f"{phrase} (not {earlier})"
        phrases.append(phrase)
    return ", ".join(phrases)


def stage_details(tracker: Tracker) -> dict[str, Any]:
    """The stage slots' values; anything a slot may not hold counts as not given."""
    values = {slot: tracker.get_slot(slot) for slot in td.SLOTS}
    return {slot: value if td.is_valid(slot, value) else None for slot, value in values.items()}


class ValidateStageForm(FormValidationAction):
    """Fill ``stage_form`` from members' words and reject values the slots may not hold."""

    def name(self) -> str:
        """Name of the validation action of ``stage_form``."""
        return "validate_stage_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        """Slots already filled, plus the missing ones that could still change the answer.

        The check before a stage is named (``stage_confirmed``) comes last; it is left out
        when the first message gave every detail, and for the spine and pelvis (no stage).
        """
        values = {slot: tracker.get_slot(slot) for slot in td.SLOTS}
        to_ask = staging.slots_to_ask(values)
        required = [slot for slot in td.SLOTS if values.get(slot) is not None or slot in to_ask]
        if needs_confirmation(tracker):
            required.append(CONFIRMED)
        return [slot for slot in domain_slots if slot in required]

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Extract, validate and pick the next question; on activation clear every old value.

        Details the latest message gave besides the answer asked for are acknowledged in one
        bubble ("Got it: high grade, 6 cm (not 10 cm)."), so the member knows they are kept.
        """
        activation = is_form_activation(tracker)
        before = stage_details(tracker)
        requested = tracker.get_slot(REQUESTED_SLOT)
        events = await super().run(dispatcher, tracker, domain)
        if activation:  # slots that no longer matter are not validated: clear them here
            named = {event.get("name") for event in events}
            cleared = [*td.SLOTS, CONFIRMED]
            events[:0] = [SlotSet(slot, None) for slot in cleared if slot not in named]
            return events
        after = {e.get("name"): e.get("value") for e in events if e.get("event") == "slot"}
        noted = {
            slot: after[slot]
            for slot in td.SLOTS
            if slot != requested
            and slot in after
            and after[slot] is not None
            and td.is_valid(slot, after[slot])
            and after[slot] != before.get(slot)
        }
        if noted and not is_payload(latest_text(tracker)):
            dispatcher.utter_message(
                response="utter_stage_noted", details=describe_noted(noted, before)
            )
            dispatcher.messages.insert(0, dispatcher.messages.pop())  # before any question
        return events

    async def get_extraction_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """On activation start from a clean slate (and introduce the questions if needed)."""
        if is_form_activation(tracker):
            tracker.slots.update({slot: None for slot in (*td.SLOTS, CONFIRMED)})
            text = latest_text(tracker)
            said_nothing = not any(payload_value(tracker, slot) is not None for slot in td.SLOTS)
            if said_nothing and (is_payload(text) or not td.parse_details(text)):
                dispatcher.utter_message(response="utter_stage_intro")
            return await super().get_extraction_events(dispatcher, tracker, domain)
        before = stage_details(tracker)
        events = await super().get_extraction_events(dispatcher, tracker, domain)
        text = latest_text(tracker)
        if tracker.get_slot(REQUESTED_SLOT) == CONFIRMED and not is_payload(text):
            stated = {
                slot: value
                for slot, value in td.parse_details(text).items()
                if td.is_valid(slot, value)
            }
            if stated:  # details repeated as shown confirm them; other values change them
                same = all(before.get(slot) == value for slot, value in stated.items())
                for event in events:
                    if event.get("name") == CONFIRMED:
                        event["value"] = YES if same else "changed"
        return events

    def _leave_to_rules(self, tracker: Tracker, text: str, requested: str | None) -> bool:
        """True for messages the rules answer (emergency, stop, questions) instead of the form."""
        intent = latest_intent(tracker)
        if intent in INTERRUPTION_INTENTS:
            return True
        if intent not in QUESTION_INTENTS:
            return False
        if looks_like_question(text):
            return True
        answers = requested in td.SLOTS and td.read_answer(requested, text).value is not None
        return not (answers or td.parse_details(text))

    def _extract(self, slot: str, tracker: Tracker) -> dict[str, Any]:
        text = latest_text(tracker)
        if is_form_activation(tracker):
            value = payload_value(tracker, slot)
            if value is None and not is_payload(text):
                value = td.parse_details(text).get(slot)
                if value is None and slot == td.SIZE and td.size_problem(text):
                    value = text  # "about 8 cm": validate_tumor_size_cm explains and asks
            return {slot: value}  # None clears a value left from an earlier conversation
        requested = tracker.get_slot(REQUESTED_SLOT)
        if is_payload(text) or self._leave_to_rules(tracker, text, requested):
            return {}
        if slot == requested:
            return {slot: text}  # read (and explained if unusable) by validate_<slot>
        stated = td.parse_details(text).get(slot)
        if stated is None and slot == td.SIZE and td.size_problem(text):
            return {slot: text}  # "about 8 cm" volunteered: explained and asked
        if stated is not None and stated != tracker.get_slot(slot):
            return {slot: stated}  # new, or a correction: the latest statement counts
        return {}

    async def extract_tumor_location(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Where the tumor is, from the latest message."""
        return self._extract(td.LOCATION, tracker)

    async def extract_spread(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Whether and where the cancer has spread, from the latest message."""
        return self._extract(td.SPREAD, tracker)

    async def extract_tumor_grade(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Low or high grade, from the latest message."""
        return self._extract(td.GRADE, tracker)

    async def extract_tumor_size_cm(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """The size in cm, from the latest message."""
        return self._extract(td.SIZE, tracker)

    async def extract_multiple_spots(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Whether the tumor is in more than one spot in the bone, from the latest message."""
        return self._extract(td.SPOTS, tracker)

    async def extract_stage_confirmed(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """The answer to "is that right?" (buttons arrive through the from_entity mapping)."""
        text = latest_text(tracker)
        if tracker.get_slot(REQUESTED_SLOT) != CONFIRMED or is_form_activation(tracker):
            return {}
        if is_payload(text) or self._leave_to_rules(tracker, text, CONFIRMED):
            return {}
        return {CONFIRMED: text}

    def validate_stage_confirmed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """ "yes" ends the form; "change" (or a detail's name) reopens a detail's question.

        A message that states details changes them (the extraction already set them): the
        details are shown again. One that only repeats details as shown confirms them.
        """
        answer = confirmation_answer(value, tracker)
        if answer == YES:
            return {CONFIRMED: YES}
        if answer.startswith(CHANGE_PREFIX) and answer[len(CHANGE_PREFIX) :] in td.SLOTS:
            return {CONFIRMED: None, answer[len(CHANGE_PREFIX) :]: None}
        if answer == "not_understood":
            dispatcher.utter_message(response="utter_stage_problem_confirm")
        return {CONFIRMED: None}

    def _validate(
        self, slot: str, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any]:
        reading = td.check_value(slot, value)
        text = latest_text(tracker)
        answering = (
            slot == tracker.get_slot(REQUESTED_SLOT)
            and not is_payload(text)
            and not is_form_activation(tracker)
        )
        if answering and reading.problem == td.NOT_UNDERSTOOD:
            if latest_intent(tracker) == UNSURE_INTENT:  # "not sure" in words the parser lacks
                reading = td.Reading(td.UNKNOWN)
        if (
            answering
            and slot == td.SPREAD
            and reading.value == td.UNKNOWN
            and td.mentions_spread_without_site(previous_user_text(tracker))
        ):
            reading = td.Reading(td.UNKNOWN_SITE)  # "it has spread" ... "not sure where"
        if reading.problem is None:
            return {slot: reading.value}
        other_details = not is_payload(text) and (
            set(td.parse_details(text)) - {slot} or (slot != td.SIZE and td.size_problem(text))
        )
        if not (reading.problem == td.NOT_UNDERSTOOD and other_details):
            dispatcher.utter_message(
                response=f"utter_stage_problem_{reading.problem}", max_size_cm=f"{MAX_SIZE_CM:g}"
            )
        return {slot: None}

    def validate_tumor_location(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """limb_trunk_skull, spine, pelvis or unknown."""
        return self._validate(td.LOCATION, value, dispatcher, tracker)

    def validate_spread(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """none, lungs, lymph_nodes, other, unknown_site or unknown."""
        return self._validate(td.SPREAD, value, dispatcher, tracker)

    def validate_tumor_grade(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """low, high or unknown ("grade 9" and "fast growing" are rejected)."""
        return self._validate(td.GRADE, value, dispatcher, tracker)

    def validate_tumor_size_cm(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A size in cm above 0 and at most MAX_SIZE_CM, or unknown."""
        return self._validate(td.SIZE, value, dispatcher, tracker)

    def validate_multiple_spots(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """yes, no or unknown."""
        return self._validate(td.SPOTS, value, dispatcher, tracker)


class ActionAskStageConfirmed(Action):
    """Before a stage is named: the details it will use, with a way to fix one."""

    def name(self) -> str:
        """Name of the action in the domain (stage_form's question for stage_confirmed)."""
        return "action_ask_stage_confirmed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Ask which detail to change after "Change a detail", else show the details."""
        text = latest_text(tracker)
        value = payload_value(tracker, CONFIRMED) if is_payload(text) else text
        if confirmation_answer(value, tracker) == CHANGE:
            dispatcher.utter_message(response="utter_stage_which_detail")
            return []
        details = {k: v for k, v in stage_details(tracker).items() if v is not None}
        said = staging.describe_details(details, with_location=True)
        dispatcher.utter_message(response="utter_stage_confirm", details=said)
        return []


class ActionAnswerStageQuestion(Action):
    """A question in the middle of the stage form: a form term's meaning, else the FAQ answer."""

    def name(self) -> str:
        """Name of the action in the domain (data/rules/staging.yml)."""
        return "action_answer_stage_question"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """``utter_stage_term_<term>`` for "what does grade mean?"; otherwise the FAQ topic's
        answer, as Rasa's ``utter_faq`` would send it."""
        term = asked_term(latest_text(tracker))
        if term:
            dispatcher.utter_message(response=f"utter_stage_term_{term}")
            return []
        topic = faq_topic((tracker.latest_message or {}).get("response_selector"))
        dispatcher.utter_message(response=f"utter_{topic}" if topic else "utter_ask_rephrase")
        return []


def condition_bubbles(result: staging.StageResult) -> list[str]:
    """The "what decides" lines, split so that no bubble is over the length limit."""
    header = len("What decides between them:\n")
    bubbles: list[list[str]] = [[]]
    for line in (f"- {staging.describe_condition(c)}" for c in result.conditions):
        limit = MAX_BUBBLE_CHARS - (header if len(bubbles) == 1 else 0) - 10
        if bubbles[-1] and len("\n".join(bubbles[-1] + [line])) > limit:
            bubbles.append([])
        bubbles[-1].append(line)
    return ["\n".join(lines) for lines in bubbles]


class ActionExplainStage(Action):
    """Explain the stage group(s) the collected details match, in the seed's plain words."""

    def name(self) -> str:
        """Name of the action in the domain."""
        return "action_explain_stage"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Send the result, its meaning, the care-team sentence and related topics."""
        details = stage_details(tracker)
        result = staging.stage_group(
            details[td.LOCATION],
            details[td.GRADE],
            details[td.SIZE],
            details[td.SPOTS],
            details[td.SPREAD],
        )
        said = staging.describe_details(details)
        # Location not known: the groups hold only for the arms, legs, trunk, skull and face.
        unknown_place = "_location_unknown" if details[td.LOCATION] == td.UNKNOWN else ""
        if not result.has_ajcc_group:
            self._explain_spine_pelvis(dispatcher, details)
        elif result.definite:
            stage = result.groups[0]
            dispatcher.utter_message(
                response=f"utter_stage_result{unknown_place}", stage=stage, details=said
            )
            dispatcher.utter_message(response=f"utter_stage_meaning_{stage}")
        else:
            groups = staging.describe_groups(result.groups)
            dispatcher.utter_message(
                response=f"utter_stage_possible{unknown_place}", groups=groups, details=said
            )
            if details[td.SPREAD] == td.UNKNOWN and td.SPREAD in result.deciding:
                dispatcher.utter_message(response="utter_stage_spread_pending")
            for index, bubble in enumerate(condition_bubbles(result)):
                name = "utter_stage_deciding" if index == 0 else "utter_stage_deciding_more"
                dispatcher.utter_message(response=name, conditions=bubble)
            dispatcher.utter_message(response="utter_stage_plain_words")
        if result.has_ajcc_group and details[td.LOCATION] is None:
            dispatcher.utter_message(response="utter_stage_location_note")
        self._care_team(dispatcher)
        dispatcher.utter_message(response="utter_stage_offer_topics")
        return []

    @staticmethod
    def _explain_spine_pelvis(dispatcher: CollectingDispatcher, details: dict[str, Any]) -> None:
        dispatcher.utter_message(response="utter_stage_spine_pelvis", location=details[td.LOCATION])
        dispatcher.utter_message(response="utter_stage_localized_vs_metastatic")
        spread = details[td.SPREAD]
        said = staging.describe_details({td.SPREAD: spread})
        if spread == "none":
            dispatcher.utter_message(response="utter_stage_described_localized", details=said)
        elif spread not in (None, td.UNKNOWN):
            dispatcher.utter_message(response="utter_stage_described_metastatic", details=said)

    @staticmethod
    def _care_team(dispatcher: CollectingDispatcher) -> None:
        contacts = plan_contacts(instead="care-team sentence without contacts")
        if contacts is None:
            dispatcher.utter_message(response="utter_stage_care_team_without_contacts")
            return
        dispatcher.utter_message(response="utter_stage_care_team", **contacts)
