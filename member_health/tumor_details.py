"""A bone tumor's details in members' words -> the stage explainer's slot values.

Two readings of a message:

* :func:`parse_details` - every detail a free-text message states ("high-grade osteosarcoma in
  his femur, 10 cm, only one spot, no spread"); used for the first message and for each answer.
* :func:`read_answer` - a message answering the question about one detail: short answers count
  too ("no", "lungs", "not sure"), and an answer that cannot be used gets a reason
  (``problem``) so the member can be asked again clearly.

:func:`check_value` validates a value from any source (a parsed answer, a button or a forced
``/intent{...}`` payload). Nothing is guessed: "fast growing" is not a grade, "the size of a
golf ball" is not a size, "grade 2" is not read as low or high (its meaning depends on the
grading system), and "I don't know" is a valid answer: ``unknown``.

Fail-safe rule (a wrong stage can mislead a member; an extra question costs little):

* Sizes keep their comparators (``member_health.units``): "over 8 cm" is ``units.OVER_8``,
  "up to 8 cm" ``units.AT_MOST_8``; "about 8 cm" is a problem to ask about.
* Possible or pending spread ("might have spread to the lungs", "waiting on the biopsy",
  "they're checking his lungs") is ``unknown``, never a place.
* A tumor in another bone is distant spread (``other``, M1b), not a second spot in the same
  bone; "the lungs, nowhere else" is the lungs.

The words (bone names, places cancer spreads to, spread words, corrections, misspellings) are
editors' lists in ``data/patterns/tumor_terms.yml`` (``member_health.tumor_terms``); how they
are read stays here. Pure module: no Rasa imports.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from member_health import units
from member_health.tumor_terms import alternation, load_terms

LOCATION = "tumor_location"
GRADE = "tumor_grade"
SIZE = "tumor_size_cm"
SPOTS = "multiple_spots"
SPREAD = "spread"
# The order the stage form asks in (location and spread first: they can make the rest moot).
SLOTS = (LOCATION, SPREAD, GRADE, SIZE, SPOTS)

UNKNOWN = "unknown"
# Spread with the place not known: IVA or IVB (an addition to the contract's values).
UNKNOWN_SITE = "unknown_site"
ALLOWED = {
    LOCATION: ("limb_trunk_skull", "spine", "pelvis", UNKNOWN),
    GRADE: ("low", "high", UNKNOWN),
    SPOTS: ("yes", "no", UNKNOWN),
    SPREAD: ("none", "lungs", "lymph_nodes", "other", UNKNOWN, UNKNOWN_SITE),
}

# Problems (response ``utter_stage_problem_<problem>``); size problems are ``size_<...>``.
NOT_UNDERSTOOD = "not_understood"
GRADE_NOT_A_GRADE = "grade_not_a_grade"
GRADE_NUMBER_UNCLEAR = "grade_number_unclear"
GRADE_OUT_OF_RANGE = "grade_out_of_range"
LOCATION_HIP = "location_hip"
SPREAD_NEEDS_SITE = "spread_needs_site"
PROBLEMS = (
    NOT_UNDERSTOOD,
    GRADE_NOT_A_GRADE,
    GRADE_NUMBER_UNCLEAR,
    GRADE_OUT_OF_RANGE,
    LOCATION_HIP,
    SPREAD_NEEDS_SITE,
) + tuple(
    f"size_{problem}"
    for problem in (
        units.NO_UNIT,
        units.STRADDLES,
        units.NOT_ONE_SIZE,
        units.NO_MEASUREMENT,
        units.NOT_POSITIVE,
        units.TOO_LARGE,
    )
)


@dataclass(frozen=True)
class Reading:
    """A usable slot value, or the reason (``problem``) an answer could not be used."""

    value: Any = None
    problem: str | None = None


def _words(pattern: str) -> re.Pattern[str]:
    """Whole words only, around every alternative of ``pattern`` (not just the first/last)."""
    return re.compile(rf"(?<![\w'])(?:{pattern})(?![\w'])")


# The editors' word lists (data/patterns/tumor_terms.yml, checked once, at import).
_TERMS = load_terms()


def _terms(*lists: list[str]) -> re.Pattern[str]:
    """Whole-word regex for the phrases of one or more word lists, in file order."""
    return _words(alternation([phrase for phrases in lists for phrase in phrases]))


_UNSURE = _words(
    r"(?:not (?:really |quite |totally |100% )?sure|unsure|(?:do ?n'?t|do not|doesn'?t) know"
    r"|dunno|idk|no idea|not certain|uncertain|no clue|(?:can'?t|cannot|do ?n'?t|do not) remember"
    r"|forg[eo]t|(?:was ?n'?t|were ?n'?t|have ?n'?t been|has ?n'?t been|not been|never) told"
    r"|(?:did ?n'?t|did not|have ?n'?t|has ?n'?t) (?:say|said|tell|told|mention\w*)"
    r"|unknown|not known|(?:no ?one|nobody) knows|not yet|still (?:waiting|checking)|waiting"
    r"|(?:have ?n'?t|not|has ?n'?t) (?:been )?(?:checked|tested|found out)"
    r"|no (?:results?|answer) yet|ask (?:the|his|her|my) doctor|not told)"
)
_KEYWORDS = {
    GRADE: _terms(_TERMS.unsure_grade),
    SIZE: _terms(_TERMS.unsure_size),
    SPOTS: _terms(_TERMS.unsure_spots),
    SPREAD: _terms(_TERMS.unsure_spread),
}
# "I don't know what stage it is" is the question, not an unknown detail.
_UNSURE_OF_STAGE = re.compile(_UNSURE.pattern + r"(?: \w+){0,2}? (?:what|which) stage")
_WHERE = _terms(_TERMS.where_words)
_SPREAD_WORD = _terms(_TERMS.spread_words)
_SITE_UNKNOWN = re.compile(
    r"(?:spread\w*|metasta\w*)\b.{0,40}?(?:not sure|unsure|do ?n'?t know|do not know|no idea"
    r"|not told|unknown) (?:to )?where"
    r"|(?:not sure|unsure|do ?n'?t know|do not know|no idea) (?:to )?where (?:it|the cancer"
    r"|the tumou?r|the sarcoma)? ?(?:has |had |did |was )?(?:spread|went|gone|moved|metasta)"
)

# Bone names (the file explains the sacrum, the hip and the rest).
_SPINE = _terms(_TERMS.spine)
_PELVIS = _terms(_TERMS.pelvis)
_HIP = _terms(_TERMS.hip)
_LIMB_TRUNK_SKULL = _terms(_TERMS.limb_trunk_skull)
_LOCATIONS = (("spine", _SPINE), ("pelvis", _PELVIS), ("limb_trunk_skull", _LIMB_TRUNK_SKULL))

# A roman numeral grade, but not "grade i think".
_ROMAN_END = r"(?![\w])(?! (?:think|guess|believe|am|was|heard|know|mean|read|said|do|did))"
_HIGH = _words(
    rf"(?:hi(?:gh)? ?grade|grade (?:3|three)(?!\.?\d)|grade iii{_ROMAN_END}|g3"
    r"|poorly differentiated)"
)
_LOW = _words(
    rf"(?:low ?grade|grade (?:1|one)(?!\.?\d)|grade i{_ROMAN_END}|g1|well differentiated)"
)
_GRADE_NUMBER = _words(
    rf"(?:grade|g) ?(?P<number>-?\d+(?:\.\d+)?|[ivx]+{_ROMAN_END}"
    r"|two|four|five|six|seven|eight|nine|ten)"
)
_NOT_A_GRADE = _terms(_TERMS.not_a_grade)
_NEGATED_BEFORE = re.compile(r"(?:\bnot|n't|\bno|\bnever)(?: (?:a|an|the|really|very))? $")

_ADJECTIVE = r"(?:(?:small|smaller|big|bigger|large|main|primary|separate|different) )?"
_SPOTS_YES = _words(
    r"(?<!grade )(?<!stage )(?:more than (?:one|1)|several|multiple|many|two|2|three|3|four|4"
    r"|a few|few"
    rf"|(?:a )?couple(?: of)?|some) {_ADJECTIVE}(?:spots|places|tumou?rs|lesions|areas"
    rf"|sites|masses|lumps|growths)|more than (?:one|1) {_ADJECTIVE}(?:spot|place|tumou?r"
    r"|lesion|area|site|mass|lump|growth)|skip (?:lesions?|metasta\w*|mets)|discontinuous"
    rf"|(?:another|a second) {_ADJECTIVE}(?:spot|tumou?r|lesion|area|growth)"
    r"|(?:another|a second|one more)(?: one)? (?:in|on) the same bone"
)
# Skip lesions/metastases are more spots in the same bone (AJCC T3), not spread.
_SKIP_LESIONS = _words(r"skip (?:lesions?|metasta\w*|mets)")
_SPOTS_NO = _words(
    r"(?<!grade )(?<!stage )(?:(?:only|just) (?:one|1|a single|the one)|a single|single|one|1) "
    rf"{_ADJECTIVE}(?:spot|place|tumou?r|lesion|area|site|mass|lump|growth)"
    r"|no other (?:spots?|tumou?rs?|lesions?|areas?|places?)|(?:just|only) the one"
    r"|(?:just|only) (?:one|1)(?= ?(?:[,.;!?]|$|and\b|no\b|not\b|has\b|hasn))"
)
_SPOTS_NO_ANSWER = _words(r"(?:only|just) (?:one|1)|one|1|single|just the one|the one")
_SPOTS_YES_ANSWER = _words(r"(?:two|2|three|3|several|multiple|many|a few|more than (?:one|1))")

_SPREAD_NONE = re.compile(
    r"(?<![\w'])(?:no|not|never|has ?n'?t|has not|had ?n'?t|had not|did ?n'?t|did not|is ?n'?t"
    r"|is not|was ?n'?t|was not|without|zero|nothing)(?: \w+){0,3}? (?:spread\w*|metasta\w*|mets"
    r"|gone anywhere|anywhere else)(?![\w'])"
    r"|(?<![\w'])(?:localized|localised|non ?metastatic|contained|confined to (?:the|one|his|her"
    r"|my) bone|nowhere else)(?![\w'])"
)
_ANYWHERE = _terms(_TERMS.anywhere)
_LUNGS = _terms(_TERMS.lungs)
_NODES = _terms(_TERMS.lymph_nodes)
_ORGANS = _terms(_TERMS.organs)
# Only after "spread" (or answering "where has it spread?").
_ORGANS_AFTER_SPREAD = _terms(_TERMS.places_after_spread)
# Without "spread", a place counts when the cancer is said to be in/on it ("spots on his
# lungs", "in the liver too", "lung nodules"), not "a CT of his lungs".
_IN_PLACE = re.compile(
    r"(?:\bin|\bon|\bto|\binto|\binside|\bthroughout|\bwithin)"
    r"(?: (?:the|his|her|my|their|both|one|some|other|several|a|an))* $"
)
_PLACE_FINDING = re.compile(
    r"^ (?:nodules?|spots?|tumou?rs?|mets|metasta\w*|lesions?" r"|involvement|masses)\b"
)
_SITE_NEGATED_BEFORE = re.compile(r"(?:\bno|\bnot|\bnothing|n't|\bwithout|\bclear)(?: \w+){0,3} $")
_SITE_NEGATED_AFTER = re.compile(r"^(?: \w+){0,2} (?:clear|free|negative|fine|ok|okay|normal)\b")
# A tumor in another bone is distant spread (M1b), not a second spot in the same bone.
_OTHER_BONE = _words(
    r"(?:another|a different|different|a second|second|a separate|separate|other|two|2|three"
    r"|several|multiple|more than one|both|many|some) (?:\w+ )?bones"
    r"|(?:another|a different|a second|a separate|one other|the other|his other|her other"
    r"|my other|their other) (?:\w+ )?bone"
    r"|(?:his|her|my|their|the) other (?:arm|leg|femur|thigh ?bone|tibia|shin ?bone|fibula"
    r"|humerus|knee|shoulder|hip|foot|hand|wrist|ankle|side)(?:'s)?"
    r"|(?:another|a different|a second|a separate) (?:\w+ )?(?:ribs?|femur|tibia|fibula|humerus"
    r"|radius|ulna|vertebra|scapula|clavicle|collar ?bone|shoulder ?blade|thigh ?bone"
    r"|shin ?bone|sternum|skull|jaw ?bone)"
    r"|both (?:arms|legs|femurs|femora|knees|shoulders|tibias|tibiae|hips|feet|hands)"
    r"|(?:in|on) (?:each|either) (?:arm|leg|femur|thigh|tibia|shin|humerus|knee|shoulder|hip"
    r"|foot|hand|side)"
)
# "Nowhere else" after a place means only there; without a place, no spread at all.
_EXCLUSIVE = _words(
    r"(?:nowhere|no ?where|not anywhere|not elsewhere|nothing|none) else"
    r"|(?:no|not|n't|never|without)(?: \w+){0,4} (?:anywhere|any ?where|elsewhere) else"
    r"|(?:no|not|n't|never|without)(?: \w+){0,4} (?:else|elsewhere)"
    r"|no other (?:places?|organs?|sites?|areas?|parts?|spread|metasta\w*|mets)"
)
_EXCEPT = re.compile(
    r"(?<![\w'])(?:except|besides|other than|apart from|aside from|but|only|just)" r"(?![\w'])"
)
# Spread that is possible or waiting on results is not known: the results decide.
_PENDING_NEAR_SPREAD = _terms(_TERMS.maybe_words)
_PENDING = _words(
    r"(?:waiting|await\w*|wait (?:on|for)|pending|inconclusive|unconfirmed|not confirmed"
    r"|checking|testing|looking (?:at|into)|rule out|ruling out|watch(?:ing)?|monitoring"
    r"|keep\w* an eye on|under (?:observation|surveillance)"
    r"|(?:more|further|another|other|new|follow ?up) (?:tests?|scans?|biops(?:y|ies)|imaging)"
    r"|(?:is|are|has|have|was|were) (?:still )?(?:being |been )?(?:checked|tested|biopsied"
    r"|scanned|looked at)"
    r"|(?:scans?|biops(?:y|ies)|results?|tests?|pet|ct|mri)(?: \w+){0,2} (?:next|scheduled"
    r"|coming|tomorrow|soon|later|pending|not (?:back|in)(?: yet)?)"
    r"|(?:not|are ?n'?t|is ?n'?t|have ?n'?t|has ?n'?t|had ?n'?t|did ?n'?t|yet to)(?: \w+){0,2}"
    r" (?:back|in|results?|know|heard|had|got|gotten)(?: \w+){0,2} yet"
    r"|(?:results?|biops(?:y|ies)|scans?|tests?) (?:are|is) ?n'?t (?:back|in|done|ready)"
    r"|too (?:early|soon) to (?:tell|say|know)|do ?n'?t know yet|not known yet|not sure yet)"
)
_SENTENCES = re.compile(r"[.!?;\n]+(?!\d)")
_SITE_WORD = _terms(_TERMS.lungs, _TERMS.more_site_words, _TERMS.lymph_nodes, _TERMS.organs)
_YES = re.compile(
    r"^(?:yes|yeah|yep|yup|yea|y|correct|right|it has|it did|there are|i think so"
    r"|affirmative|sadly yes|unfortunately yes)(?![\w'])"
)
_NO = re.compile(
    r"^(?:no|nope|nah|n|not really|it has ?n'?t|it did ?n'?t|there is ?n'?t"
    r"|there are ?n'?t|none|i do ?n'?t think so|i don't believe so)(?![\w'])"
)


_PLACE_BEFORE_METS = re.compile(
    r"(?<![\w'])(lungs?|liver|brain|lymph nodes?|nodes?|adrenals?|kidneys?) "
    r"(mets|metastas[ie]s|metastatic disease)(?![\w'])"
)
_FINDING = r"(?:it|spots?|tumou?rs?|lesions?|cancer|more spots?|one|another one)"
# ("...in his other femur too" is read by _OTHER_BONE, which keeps the femur as the location.)
_NOT_OTHER = r"(?!(?:his |her |my |their |the )?other )"
_ALSO_FOUND = re.compile(
    rf"(?<![\w'])(?:also (?:found|saw|seen|see) {_FINDING}|(?:{_FINDING} )?also (?:showed|shows"
    rf"|turned|turns|popped|pops) up|(?:{_FINDING} )?also (?:appeared|appears|is|was)"
    rf"|(?:{_FINDING} )?(?:showed|shows|turned|turns|popped|pops) up) (?:in|on)(?![\w'])"
    rf" {_NOT_OTHER}"
)
_FOUND_TOO = re.compile(
    rf"(?<![\w'])(?:found|saw|seen|see) {_FINDING} (?:in|on) {_NOT_OTHER}([^,.;]*?)"
    r" (?:too|as well)(?![\w'])"
)
_GRADE_THEN_COUNT = re.compile(
    r"(?<![\w'])(high|low) grade ((?:\d+|two|three|four|several) (?:spots?|tumou?rs?|lesions?"
    r"|places|areas|sites|masses|lumps|growths))(?![\w'])"
)
# Members' common misspellings of the words the readers look for.
_MISSPELLED = [
    (_terms(wrongs), right) for entry in _TERMS.misspellings for right, wrongs in entry.items()
]


def normalize(text: str) -> str:
    """Lower-case and tidy a message: "high-grade" -> "high grade", one kind of apostrophe."""
    text = units.normalize_size_text(text)
    for wrong, right in _MISSPELLED:
        text = wrong.sub(right, text)
    # "high grade 2 spots": the number counts the spots, it is not a grade number.
    text = _GRADE_THEN_COUNT.sub(r"\1 grade , \2", text)
    # "lung mets" -> "mets to lungs": the place is read after the spread word.
    text = _PLACE_BEFORE_METS.sub(r"\2 to \1", text)
    # "they also found spots in his ribs", "found it in my pelvis too": it has spread there.
    text = _ALSO_FOUND.sub("spread to ", text)
    text = _FOUND_TOO.sub(r"spread to \1", text)
    text = re.sub(r"(?<=[a-z])-(?=[a-z])", " ", text)
    text = text.replace("\u2014", " , ").replace('"', " ")
    return re.sub(r"\s+", " ", text).strip()


def _clauses(text: str) -> list[str]:
    """Split into clauses at punctuation (not decimal points), "but" and a spaced dash."""
    parts = re.split(r"[.](?!\d)|[;!?,\n:()]|\bbut\b|\bhowever\b|\balthough\b| - ", text)
    return [part.strip() for part in parts if part.strip()]


def _unsure(text: str) -> bool:
    return bool(_UNSURE.search(text))


def _not_negated(text: str, match: re.Match[str]) -> bool:
    return not _NEGATED_BEFORE.search(text[: match.start()])


def _location(text: str) -> str | None:
    """limb_trunk_skull / spine / pelvis, or None when absent or ambiguous (several kinds)."""
    found = {name for name, pattern in _LOCATIONS if pattern.search(text)}
    return found.pop() if len(found) == 1 else None


def _grade(text: str) -> str | None:
    high = any(_not_negated(text, m) for m in _HIGH.finditer(text))
    low = any(_not_negated(text, m) for m in _LOW.finditer(text))
    if high != low:
        return "high" if high else "low"
    return None


def _spots(text: str) -> str | None:
    if _OTHER_BONE.search(text):  # "two spots, one in each leg": other bones, not one bone
        return None
    if _SPOTS_YES.search(text):
        return None if _SPOTS_NO.search(_SPOTS_YES.sub(" ", text)) else "yes"
    return "no" if _SPOTS_NO.search(text) else None


def _sites(text: str, spread_context: bool) -> set[str]:
    """Places the cancer has spread to, named (and not negated) in the text.

    ``spread_context``: the text follows "spread"/"went" or answers "where has it spread?";
    then any place counts, bones included. Otherwise only "in/on the <organ>" counts.
    """
    sites = set()
    for match in _OTHER_BONE.finditer(text):
        before, after = text[: match.start()], text[match.end() :]
        if not (_SITE_NEGATED_BEFORE.search(before) or _SITE_NEGATED_AFTER.match(after)):
            sites.add("other")
    patterns = [("lungs", _LUNGS), ("lymph_nodes", _NODES), ("other", _ORGANS)]
    if spread_context:
        patterns += [("other", pattern) for _, pattern in _LOCATIONS]
        patterns += [("other", _HIP), ("other", _ORGANS_AFTER_SPREAD)]
    for name, pattern in patterns:
        for match in pattern.finditer(text):
            before, after = text[: match.start()], text[match.end() :]
            if _SITE_NEGATED_BEFORE.search(before) or _SITE_NEGATED_AFTER.match(after):
                continue
            if spread_context or _IN_PLACE.search(before) or _PLACE_FINDING.match(after):
                sites.add(name)
    return sites


def _organ_sites(text: str) -> set[str]:
    """Organs named (and not negated) anywhere in the text, bones left out."""
    sites = set()
    for name, pattern in (("lungs", _LUNGS), ("lymph_nodes", _NODES), ("other", _ORGANS)):
        for match in pattern.finditer(text):
            before, after = text[: match.start()], text[match.end() :]
            if not (_SITE_NEGATED_BEFORE.search(before) or _SITE_NEGATED_AFTER.match(after)):
                sites.add(name)
    return sites


def _spread_value(sites: set[str]) -> str:
    """Lymph nodes, or other bones or organs, make it IVB whatever else: name those first."""
    for site in ("lymph_nodes", "other", "lungs"):
        if site in sites:
            return site
    raise ValueError("no site")


def _spread_reading(clauses: list[str], answer: bool) -> Reading:
    """Spread from the clauses: a value, SPREAD_NEEDS_SITE, or nothing.

    "Nowhere else" (and "no other organs", "hasn't spread anywhere else") names no place: with
    a place named ("the lungs, nowhere else", "no spread except the lungs") it means only
    there; alone it means no spread.
    """
    none = positive = exclusive = False
    sites: set[str] = set()
    for clause in clauses:
        verb = _SPREAD_WORD.search(clause)
        negative = _SPREAD_NONE.search(clause)
        only = _EXCLUSIVE.search(clause)
        if only or (negative and _EXCEPT.search(clause[negative.end() :])):
            kept = _EXCEPT.search(clause)
            if kept:  # "no spread except the lungs": the lungs
                after = clause[kept.end() :]
                # "only in my femur, nowhere else": where the tumor is, not where it went
                in_context = (
                    answer or bool(verb) or bool(negative and negative.start() < kept.start())
                )
                sites |= _sites(after, spread_context=True) if in_context else _organ_sites(after)
            before = clause[: only.start()] if only else ""
            if verb and verb.start() < len(before):  # "spread to the lungs and nowhere else"
                sites |= _sites(before[verb.start() :], spread_context=True)
            else:  # "the lymph nodes and nowhere else"
                sites |= _sites(before, True) if answer else _organ_sites(before)
            exclusive = True
            continue
        if negative:
            rest = clause[negative.end() :]
            if _sites(rest, spread_context=True) and not _ANYWHERE.search(rest):
                continue  # "hasn't spread to the lungs": says nothing about elsewhere
            none = True
            continue
        target = clause[verb.start() :] if verb else clause
        if verb or answer or not any(_EXCLUSIVE.search(c) for c in clauses):
            clause_sites = _sites(target, spread_context=bool(verb) or answer)
        else:  # "the lungs, nowhere else": organs named count, bones are where the tumor is
            clause_sites = _organ_sites(target)
        sites |= clause_sites
        positive = positive or bool(verb) or bool(clause_sites)
    if exclusive and not sites:
        none = True
    if sites and not none:
        return Reading(_spread_value(sites))
    if none and not positive:
        return Reading("none")
    if positive and not none:
        return Reading(problem=SPREAD_NEEDS_SITE)
    return Reading()


def _sentence_pending(sentence: str) -> bool:
    """True when a sentence says spread is possible or waiting on results."""
    if not (_SPREAD_WORD.search(sentence) or _SITE_WORD.search(sentence)):
        return False
    if _PENDING.search(sentence):
        return True
    return any(
        (_SPREAD_WORD.search(clause) or _SITE_WORD.search(clause))
        and _PENDING_NEAR_SPREAD.search(clause)
        for clause in _clauses(sentence)
    )


def spread_is_pending(text: str) -> bool:
    """True when spread is said to be possible or waiting on results ("might have spread to
    the lungs", "a spot on his lung, we're waiting on the biopsy", "they're checking my lungs").
    """
    return any(_sentence_pending(sentence) for sentence in _SENTENCES.split(normalize(text)))


def _pending_spread(text: str) -> str:
    """Spread when part of it is pending: what other sentences confirm, else ``unknown``.

    "It spread to his lungs. The liver is still being checked." is IVA or IVB
    (``unknown_site``); confirmed lymph nodes or other organs are IVB whatever is pending.
    """
    sure = [s for s in _SENTENCES.split(text) if s.strip() and not _sentence_pending(s)]
    clauses = [c for sentence in sure for c in _clauses(sentence) if not _unsure(c)]
    confirmed = _spread_reading(clauses, answer=False).value if clauses else None
    if confirmed in ("lymph_nodes", "other"):
        return str(confirmed)
    return UNKNOWN_SITE if confirmed == "lungs" else UNKNOWN


def parse_details(text: str) -> dict[str, Any]:
    """Every detail the text states, as slot values; details it does not state are left out.

    "Not sure about the grade" states the grade as ``unknown``. Places named after "spread"
    are where the cancer went, not where the tumor is ("in his femur, spread to his spine").
    A correction replaces what it corrects: "6 cm, sorry I mean 10 cm" is 10 cm; "spread to
    the lungs, oh sorry, they said lymph nodes" is the lymph nodes.
    """
    text = normalize(text)
    details = _parse_details(text)
    segments = _CORRECTION.split(text)
    if len(segments) == 1:
        return details
    corrected: dict[str, Any] = {}
    for segment in segments:
        stated = _parse_details(segment)
        if SPREAD in corrected and SPREAD not in stated:  # "they said lymph nodes not lungs"
            reading = _spread_reading(_clauses(segment), answer=True)
            if reading.value:
                stated[SPREAD] = reading.value
        corrected.update(stated)
    return {**details, **corrected}


# Words that start a correction of what was just said.
_CORRECTION = _terms(_TERMS.corrections)


def _parse_details(text: str) -> dict[str, Any]:
    """``parse_details`` for a normalised text without corrections."""
    details: dict[str, Any] = {}
    if spread_is_pending(text):
        details[SPREAD] = _pending_spread(text)
    if _SITE_UNKNOWN.search(text):
        details[SPREAD] = UNKNOWN_SITE
        text = _SITE_UNKNOWN.sub(" , ", text)
    text = _UNSURE_OF_STAGE.sub(" what stage", text)
    known_clauses: list[str] = []
    for clause in _clauses(text):
        if not _unsure(clause):
            known_clauses.append(clause)
            continue
        # An unsure clause says nothing for sure: only which details are unknown.
        for slot, keyword in _KEYWORDS.items():
            if keyword.search(clause):
                details.setdefault(slot, UNKNOWN)
        if _WHERE.search(clause) and not _SPREAD_WORD.search(clause):
            details.setdefault(LOCATION, UNKNOWN)
    known = " , ".join(known_clauses)

    location_text = " , ".join(
        clause[: verb.start()] if (verb := _SPREAD_WORD.search(clause)) else clause
        for clause in known_clauses
    )
    readings: dict[str, Any] = {
        LOCATION: _location(location_text),
        GRADE: _grade(known),
        SPOTS: _spots(known),
        SPREAD: _spread_reading(_clauses(_SKIP_LESIONS.sub(" ", known)), answer=False).value,
    }
    size = units.parse_size(known)
    readings[SIZE] = (size.cm if size.cm is not None else size.bound) if size else None
    for slot, value in readings.items():
        if value is not None:
            details.setdefault(slot, value)
    return details


def size_problem(text: str) -> str | None:
    """The problem with a size the text states ("about 8 cm": ``size_straddles``), or None."""
    size = units.parse_size(normalize(text))
    return f"size_{size.problem}" if size and size.problem else None


def mentions_spread_without_site(text: str) -> bool:
    """True for "yes, it has spread" with no place named (IVA or IVB still open)."""
    clauses = _clauses(normalize(text))
    if _YES.match(normalize(text)):
        clauses = clauses + ["spread"]
    return _spread_reading(clauses, answer=True).problem == SPREAD_NEEDS_SITE


def _answer_problem(slot: str, text: str) -> Reading | None:
    """A usable short answer for ``slot``, or the reason the answer cannot be used."""
    if slot == SIZE:
        size = units.parse_size(text, answer=True)
        if size is None:
            return None
        if size.problem:
            return Reading(problem=f"size_{size.problem}")
        return Reading(size.cm if size.cm is not None else size.bound)
    if slot == GRADE:
        number = _GRADE_NUMBER.search(text)
        if number:
            value = number.group("number")
            if value in ("2", "ii", "two", "4", "iv", "four"):
                return Reading(problem=GRADE_NUMBER_UNCLEAR)
            return Reading(problem=GRADE_OUT_OF_RANGE)
        if _NOT_A_GRADE.search(text):
            return Reading(problem=GRADE_NOT_A_GRADE)
        return None
    if slot == LOCATION:
        return Reading(problem=LOCATION_HIP) if _HIP.search(text) else None
    if slot == SPOTS:
        if _SPOTS_YES_ANSWER.search(text) or _YES.match(text):
            return Reading("yes")
        if _SPOTS_NO_ANSWER.search(text) or _NO.match(text):
            return Reading("no")
        return None
    if slot == SPREAD:
        if _NO.match(text):
            return Reading("none")
        clauses = _clauses(text) + (["spread"] if _YES.match(text) else [])
        reading = _spread_reading(clauses, answer=True)
        return reading if (reading.value or reading.problem) else None
    return None


def read_answer(slot: str, text: str) -> Reading:
    """Read ``text`` as the answer to the question about ``slot``.

    Order: a detail the text states; "not sure" -> ``unknown``; a short answer ("no",
    "lungs", "one spot"); else the reason it cannot be used (``problem``).
    """
    if slot not in SLOTS:
        raise ValueError(f"not a stage detail: {slot!r}")
    details = parse_details(text)
    if slot in details:
        return Reading(details[slot])
    normalized = normalize(text)
    if _unsure(normalized):
        if slot == SPREAD and _YES.match(normalized) and _WHERE.search(normalized):
            return Reading(UNKNOWN_SITE)  # "yes, but I don't know where"
        return Reading(UNKNOWN)
    reading = _answer_problem(slot, normalized)
    return reading if reading is not None else Reading(problem=NOT_UNDERSTOOD)


def check_value(slot: str, value: Any) -> Reading:
    """Validate a candidate value from any source; free text is read as an answer.

    Numbers are accepted for the size only (in cm, above 0, at most ``units.MAX_SIZE_CM``).
    Anything else that is not one of the slot's values is rejected with a problem.
    """
    if slot not in SLOTS:
        raise ValueError(f"not a stage detail: {slot!r}")
    if value is None:
        return Reading()
    if isinstance(value, str):
        cleaned = value.strip().lower()
        if cleaned == UNKNOWN or cleaned in ALLOWED.get(slot, ()):
            return Reading(cleaned)
        if slot == SIZE and units.is_bound(cleaned):  # "8cm_or_less" / "over_8cm" buttons
            return Reading(cleaned)
        return read_answer(slot, value)
    if slot == SIZE and isinstance(value, (int, float)) and not isinstance(value, bool):
        problem = units.check_size_cm(float(value))
        return Reading(problem=f"size_{problem}") if problem else Reading(float(value))
    return Reading(problem=NOT_UNDERSTOOD)


def is_valid(slot: str, value: Any) -> bool:
    """True for a value the slot may hold (``None`` = not asked yet is valid too)."""
    if value is None:
        return True
    if slot == SIZE:
        if value == UNKNOWN or units.is_bound(value):
            return True
        return (
            isinstance(value, (int, float))
            and not isinstance(value, bool)
            and math.isfinite(value)
            and units.check_size_cm(float(value)) is None
        )
    return value in ALLOWED[slot]
