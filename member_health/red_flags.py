"""The back pain program's red-flag screen: free-text answers -> yes / no / unsure, and the outcome.

The seed's screen asks "Are you having back pain with any of the following?" about four red
flags, in this order (the slot names are the product contract):

* ``leg_symptoms``: severe pain, weakness or tingling in your leg(s)
* ``bladder_bowel``: difficulty stopping urination or loss of control of bladder or bowels
* ``fever_nausea``: unexplained fever, nausea or vomiting
* ``cancer_history``: a history of cancer or unexplained weight loss

Any yes or not sure means the member should see their doctor first (``see_doctor``); four
no's mean the program can start (``clear``). A missing answer counts as not sure: an
unanswered question is never read as a no.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Literal

Answer = Literal["yes", "no", "unsure"]
Outcome = Literal["clear", "see_doctor"]

YES: Answer = "yes"
NO: Answer = "no"
UNSURE: Answer = "unsure"
CLEAR: Outcome = "clear"
SEE_DOCTOR: Outcome = "see_doctor"

RED_FLAGS = ("leg_symptoms", "bladder_bowel", "fever_nausea", "cancer_history")


def _words(pattern: str) -> re.Pattern[str]:
    return re.compile(rf"\b(?:{pattern})\b")


# Idioms rewritten before reading: their "not"/"without" does not negate the symptom
# ("I can't control my bladder" is a yes, "lost 15 pounds without trying" is unexplained).
_REWRITES = [
    (
        _words(
            r"(?:can ?not|can't|couldn't|unable to|not able to|hard to|trouble|difficulty"
            r"|problems?) (?:control\w*|hold\w*|stop\w*)"
        ),
        "loss of control",
    ),
    (_words(r"(?:can ?not|can't|couldn't) feel"), "numb"),
    (
        _words(r"without (?:trying|meaning to|dieting|a reason|any reason|reason|explanation)"),
        "unexplained",
    ),
    (_words(r"for no (?:\w+ )?reason"), "unexplained"),
    (_words(r"(?:definitely|absolutely|certainly|of course|surely) not"), "no"),
]

# A symptom of the flag being asked about; leg pain needs the leg ("pain" alone is the back).
_SYMPTOMS = {
    "leg_symptoms": _words(
        r"numb\w*|tingl\w*|pins and needles|weak\w*|sciatica|shooting|burning|buckl\w*"
        r"|(?:give|gives|giving|gave) (?:out|way)"
        r"|(?:legs?|thighs?|calf|calves|knees?|foot|feet|toes?|ankles?)\b.*\b(?:pain\w*|hurt\w*"
        r"|ach\w*|cramp\w*|sore)|(?:pain\w*|hurt\w*|ach\w*|cramp\w*|sore)\b.*\b(?:legs?|thighs?"
        r"|calf|calves|knees?|foot|feet|toes?|ankles?)"
    ),
    "bladder_bowel": _words(
        r"bladder|bowels?|urin\w*|pee|pees|peed|peeing|piss\w*|incontinen\w*|leak\w*|accidents?"
        r"|poo|poop\w*|stools?"
        r"|wet\w* (?:myself|my pants|the bed)|loss of control|lost control|losing control"
    ),
    "fever_nausea": _words(
        r"fever\w*|temperature|chills|nause\w*|queasy|vomit\w*|throw\w* up|threw up|puk\w*"
        r"|sick to my stomach|(?:feel|feeling|felt|been|got|getting) sick"
    ),
    "cancer_history": _words(
        r"cancer\w*|tumou?rs?|chemo\w*|radiation|oncolog\w*|leuka?emia|lymphoma|melanoma"
        r"|carcinoma|sarcoma|myeloma|malignan\w*|remission|weight loss"
        r"|weight (?:has )?(?:dropped|gone down)"
        r"|(?:lost|lose|losing|dropped|dropping|drop)\b.{0,25}\b(?:weight|pounds?|lbs?|kilos?"
        r"|kgs?|stone)"
    ),
}

# Body parts that do not affirm a flag on their own but can be said to be fine ("my legs are fine").
_BODY_PARTS = {
    "leg_symptoms": _words(r"legs?|thighs?|calf|calves|knees?|foot|feet|toes?|ankles?"),
    "bladder_bowel": _words(r"bladder|bowels?"),
    "fever_nausea": _words(r"stomach|temperature"),
    "cancer_history": _words(r"weight"),
}
# Before the symptom, these negate it ("no leg pain", "never had cancer").
_NEGATION = _words(r"no|not|never|none|nothing|neither|nor|without|\w+n't")
# Anywhere in the clause, these say the symptom is absent or explained ("my bladder is fine",
# "I lost weight on purpose").
_ABSENT_OR_EXPLAINED = _words(
    r"fine|normal\w*|good|alright|all right|no (?:problems?|issues?)"
    r"|(?:not|n't) (?:a |an )?(?:problem|issue|concern)\w*|on purpose|diet\w*|intentional\w*"
    r"|trying to"
)
# A clause about someone else ("my mom had cancer") does not answer for the member.
_SOMEONE_ELSE = _words(
    r"mom|mother|dad|father|sister|brother|grand\w*|aunt|uncle|cousin|wife|husband|son"
    r"|daughter|family|parents?|friend"
)
_CLAUSE_BREAK = re.compile(r"[,.;:!?]|\b(?:but|however|though|although)\b")

_NO_PHRASES = _words(
    r"not that i(?:'m| am)? (?:know|aware|noticed)\w*|not that i've noticed"
    r"|(?:don't|do not) know of any|not to my knowledge|none that i know\w*"
    r"|(?:don't|do not) think so|not as far as i know|nothing like that|none of (?:those|that)"
    r"|(?:all|i'm|i am) (?:good|fine|ok|okay)|(?:doesn't|does not) apply"
)
_UNSURE_PHRASES = _words(
    r"not (?:\w+ )?sure|unsure|not certain|uncertain|idk|i dunno|dunno|(?:don't|do not) know"
    r"|no idea|no clue|not 100\w*|maybe|possibly|perhaps|might|could be|who knows|i guess"
    r"|(?:can't|cannot|don't|do not) (?:remember|recall|tell|say)|hard to (?:say|tell)"
)
_NO_WORDS = {
    *("no", "nope", "nah", "naw", "nay", "n", "nop", "never", "none", "nothing", "negative"),
    *("neither", "not"),
}
_YES_WORDS = {
    *("yes", "yeah", "yea", "ya", "yah", "yeh", "ye", "yep", "yup", "y", "sure", "aye"),
    *("definitely", "absolutely", "correct", "true", "affirmative", "indeed", "certainly"),
    *("probably", "sometimes", "often", "occasionally", "constantly"),
}
# Yes phrases, unless negated on either side ("I am not", "not a bit").
_YES_PHRASES = re.compile(
    r"(?<!not )(?<!n't )\b(?:i (?:do|did|have|had|am|was)|it is|that's right|uh huh|of course"
    r"|kind of|kinda|sort of|a (?:little|bit|lot)|i think so|all the time|every day)\b"
    r"(?! not\b| never\b| no\b)"
)


def _normalize(text: str) -> str:
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    text = re.sub(r"[^a-z0-9',.;:!?]+", " ", text)
    text = re.sub(r"\b(can|do|does|did|is|are|was|have|has|had|could|would)nt\b", r"\1n't", text)
    text = re.sub(r"\bcant\b", "can't", text)
    text = re.sub(r"\bim\b", "i'm", text)
    text = re.sub(r"\bive\b", "i've", text)
    for pattern, replacement in _REWRITES:
        text = pattern.sub(replacement, text)
    return " ".join(text.split())


def _squeeze(word: str) -> str:
    """``yesss`` -> ``yes``, ``nooo`` -> ``no``: repeated letters in one-word answers."""
    return re.sub(r"(.)\1+", r"\1", word)


_SQUEEZED_NO = {_squeeze(word) for word in _NO_WORDS}
_SQUEEZED_YES = {_squeeze(word) for word in _YES_WORDS}


def _symptom_mentions(text: str, flag: str) -> tuple[bool, bool]:
    """(a clause affirms the flag's symptom, a clause denies it), from the member's own clauses."""
    affirmed = denied = False
    for clause in _CLAUSE_BREAK.split(text):
        if _SOMEONE_ELSE.search(clause):
            continue
        match = _SYMPTOMS[flag].search(clause)
        if not match:
            denied = denied or bool(
                _BODY_PARTS[flag].search(clause) and _ABSENT_OR_EXPLAINED.search(clause)
            )
            continue
        if _NEGATION.search(clause[: match.start()]) or _ABSENT_OR_EXPLAINED.search(clause):
            denied = True
        else:
            affirmed = True
    return affirmed, denied


def classify_answer(text: str, flag: str) -> Answer | None:
    """Read a member's answer to the question about ``flag``; ``None`` if it is not an answer.

    A symptom of that flag mentioned without negation is a yes, even next to other words
    ("no, but my legs tingle"); not sure beats a plain no; yes and no together are not sure.
    """
    if flag not in _SYMPTOMS:
        raise ValueError(f"unknown red flag: {flag!r}")
    normalized = _normalize(text)
    affirmed, denied = _symptom_mentions(normalized, flag)
    if affirmed:
        return YES
    if _NO_PHRASES.search(normalized):
        return NO
    if _UNSURE_PHRASES.search(normalized):
        return UNSURE
    if denied:
        return NO
    words = {_squeeze(word) for word in re.findall(r"[a-z0-9']+", normalized)}
    said_no = bool(words & _SQUEEZED_NO) or any(word.endswith("n't") for word in words)
    said_yes = bool(words & _SQUEEZED_YES) or bool(_YES_PHRASES.search(normalized))
    if said_no and said_yes:
        return UNSURE
    if said_no:
        return NO
    if said_yes:
        return YES
    return None


def screening_outcome(answers: Mapping[str, str | None]) -> Outcome:
    """``clear`` only when all four red flags are answered no; otherwise ``see_doctor``."""
    return CLEAR if all(answers.get(flag) == NO for flag in RED_FLAGS) else SEE_DOCTOR


def looks_like_question(text: str) -> bool:
    """A question rather than an answer ("wait, what is chordoma?", "is numbness bad")."""
    stripped = text.strip().lower()
    return stripped.endswith("?") or bool(
        re.match(
            r"(?:wait,? )?(?:what|why|how|who|when|where|which|is|are|can|could|does|do|"
            r"should|will|would)\b",
            stripped,
        )
    )


_PLAIN_ANSWERS = {"yes", "yeah", "yep", "yup", "y", "no", "nope", "nah", "n", "not sure", "unsure"}


def is_plain_answer(text: str) -> bool:
    """Exactly a button payload or a one-word yes / no / not sure, nothing else."""
    return " ".join(re.sub(r"[^a-z ]+", " ", text.lower()).split()) in _PLAIN_ANSWERS
