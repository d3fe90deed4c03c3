"""The back pain program's red-flag screen: free-text answers -> yes / no / unsure, and the outcome.

The seed's screen asks "Are you having back pain with any of the following?" about four red
flags, in this order (the slot names are the product contract):

* ``leg_symptoms``: severe pain, weakness or tingling in your leg(s)
* ``bladder_bowel``: difficulty stopping urination or loss of control of bladder or bowels
* ``fever_nausea``: unexplained fever, nausea or vomiting
* ``cancer_history``: a history of cancer or unexplained weight loss

Any yes or not sure means the member should see their doctor first (``see_doctor``); four
no's mean the program can start (``clear``).

FAIL-SAFE DESIGN RULE. A false "no" can send a member with a red flag into an exercise
program; an extra "please see your doctor" costs little. So the reader is asymmetric:

* **yes** as soon as the member's own words affirm a symptom of the flag anywhere, even next to
  a denial ("not painful, only a bit weak"), including inability phrased with a negation
  ("I can't hold my pee", "my leg doesn't feel like it can hold me");
* **unsure** for any hedge ("probably not, but I'm not certain");
* **no** only for an unambiguous denial of the whole question: every word is a denial word, a
  word of the question itself, or a filler word, and nothing qualifies it ("just", "only",
  "but", "except": those words are simply not in the denial vocabulary);
* anything else is ``None``: the form confirms once with Yes / No / Not sure buttons, and a
  second unclear answer counts as not sure. A missing answer is never read as a no.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Literal

from member_health.text import looks_like_question

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


_CANT = r"(?:can't|cannot|couldn't|unable to|not able to|hard to|trouble|difficulty|problems?)"
# Idioms rewritten before reading: their negation does not deny the symptom.
_REWRITES = [
    (_words(r"(?:can't|cannot|couldn't) (?:feel|see|find) (?:anything|nothing) wrong"), "fine"),
    (_words(rf"{_CANT} (?:\w+ )?(?:control\w*|hold\w*|stop\w*)"), "loss of control"),
    (
        _words(
            rf"{_CANT} (?:\w+ )?(?:pee|wee|urinate|pass (?:urine|water)|empty (?:my |the )?bladder"
            r"|go (?:to )?(?:the )?(?:bathroom|toilet|loo|restroom)|poop|go number (?:one|two))"
        ),
        "urinary retention",
    ),
    (
        _words(
            r"(?:can't|cannot|couldn't|not able to|unable to) (?:tell|feel|sense|notice) when i"
            r" (?:need|have|want) to (?:pee|go|poop|urinate)"
        ),
        "loss of control",
    ),
    (_words(r"(?:can't|cannot|couldn't|not able to|unable to) feel"), "numb"),
    (
        _words(
            r"(?:can't|cannot|couldn't|unable to|not able to|hard to|trouble|difficulty)"
            r" (?:\w+ )?(?:walk\w*|stand\w*|lift\w*|bear weight|climb\w*"
            r"|move (?:my |his |her |their |the )?(?:legs?|feet|foot))"
            r"|(?:doesn't|don't|won't|can't|cannot|not) (?:\w+ ){0,4}(?:hold|support|carry)"
            r" (?:me|my weight|my body|me up)"
        ),
        "weakness",
    ),
    (
        _words(
            r"(?:without|wasn't|weren't|not|didn't|never|haven't|hasn't) (?:been |even )?"
            r"(?:trying|meaning|intending|dieting|on (?:a )?diet|on purpose|doing anything)"
        ),
        "unexplained",
    ),
    (_words(r"for no (?:\w+ )?reason|no idea why|don't know why|out of nowhere"), "unexplained"),
    (_words(r"(?:definitely|absolutely|certainly|of course|surely) not"), "no"),
]

# Any words within one stretch of speech: no punctuation, no "but" / "just" / "and" between.
_SAME_CLAUSE = r"(?:(?!\b(?:but|just|only|except|though|and)\b)[^,.;:!?])*"
_LEG_PARTS = r"legs?|thighs?|calf|calves|knees?|foot|feet|toes?|ankles?|shins?|hamstrings?"
_PAIN = r"pain\w*|hurt\w*|ach\w*|cramp\w*|sore\w*|agony|killing"
# A symptom of the flag being asked about; leg pain needs the leg ("pain" alone is the back).
_SYMPTOMS = {
    "leg_symptoms": _words(
        r"numb\w*|tingl\w*|pins and needles|weak\w*|sciatica|shooting|burning|buckl\w*"
        r"|(?:give|gives|giving|gave) (?:out|way)|dead leg|heavy legs?|jelly|wobbly|dragg\w*"
        rf"|(?:{_LEG_PARTS})\b{_SAME_CLAUSE}\b(?:{_PAIN})|(?:{_PAIN})\b{_SAME_CLAUSE}\b(?:{_LEG_PARTS})"
    ),
    "bladder_bowel": _words(
        r"bladder|bowels?|urin\w*|pee|pees|peed|peeing|piss\w*|incontinen\w*|leak\w*|accidents?"
        r"|poo|poop\w*|stools?|dribbl\w*|retention"
        r"|wet\w* (?:myself|himself|herself|themselves|my pants|the bed)|soil\w*"
        r"|loss of control|lost control|losing control"
    ),
    "fever_nausea": _words(
        r"fever\w*|feverish|temperature|temp|chills|sweats|nause\w*|queasy|vomit\w*|throw\w* up"
        r"|threw up|puk\w*|barf\w*|sick to my stomach|(?:feel|feeling|felt|been|got|getting) sick"
    ),
    "cancer_history": _words(
        r"cancer\w*|tumou?rs?|chemo\w*|radiation|oncolog\w*|leuka?emia|lymphoma|melanoma"
        r"|carcinoma|sarcoma|myeloma|malignan\w*|remission|survivor|weight loss|unexplained"
        r"|weight (?:has )?(?:dropped|gone down)|weight\b.{0,30}\b(?:los\w*|lost|dropp\w*)"
        r"|(?:lost|lose|losing|dropped|dropping|drop|shed)\b.{0,25}\b(?:weight|pounds?|lbs?"
        r"|kilos?|kgs?|stone|sizes?)"
        r"|clothes (?:are )?(?:loose|baggy|falling off)"
    ),
}
# Said after a symptom in its clause, these deny it ("my legs are fine", "temp is normal").
_ABSENT = _words(
    r"(?:(?:is|are|been|feels?|seems?|stays?|looks?|'s|'re) )?"
    r"(?:totally |completely |perfectly |all )?"
    r"(?:fine|normal|ok|okay|good|alright|all right|steady|stable|healthy|the same)"
    r"|no (?:problems?|issues?)"
)
_CLAUSE_END = re.compile(r"[,.;:!?]|\b(?:but|however|though|although|just|only|except|yet)\b")
# Explained, so not the red flag ("I lost weight on purpose"): neither yes nor a plain no.
_EXPLAINED = _words(r"on purpose|diet\w*|intentional\w*|trying to|exercis\w*|gym|surgery")

# Said before a symptom in the same stretch of words, these deny it ("no leg pain").
_NEGATIONS = {"no", "not", "never", "none", "nothing", "neither", "nor", "without", "nope"}
# These end a denial's reach: what follows is said on its own ("no pain, just weakness").
_SCOPE_BREAKS = {
    *(".", ";", ":", "!", "?"),
    *("but", "however", "though", "although", "except", "just", "only", "yet", "still"),
    *("besides", "other", "apart", "aside", "while", "whereas", "then", "now", "sometimes"),
}
# After a denial, "and"/a comma starts a new stretch ("no pain and weakness" is not a no).
_AMBIGUOUS_BREAKS = {",", "and", "plus", "also", "&"}
# List words that keep a denial going ("no pain, numbness, or tingling"; "no pain or weakness").
_LIST_JOINERS = {"or", "nor", "any", "either"}

# A clause about someone else ("my mom had cancer") does not answer for the member, unless the
# member is in it too ("my mom and I both had cancer").
_SOMEONE_ELSE = _words(
    r"mom|mum|mother|dad|father|sister|brother|grand\w*|aunt|uncle|cousin|wife|husband|son"
    r"|daughter|family|parents?|friend|relatives?|niece|nephew|partner|he|she|they"
)
_FIRST_PERSON = _words(r"i|i'm|i've|i'd|i'll|me|myself|we|us|both|too|also|as well")
# "...and so have I": the member shares what the other clause says about someone else.
_ME_TOO = _words(
    r"so (?:have|did|do|am|was) i|me too|me as well|i (?:have|did|do|had) too"
    r"|same (?:here|with me|for me)|as (?:have|did) i|i also (?:have|had|did)"
)
_CLAUSE_BREAK = re.compile(r"([,.;:!?]|\b(?:but|however|though|although|and|plus|while)\b)")

# Hedges: the member does not know, or does not commit ("not that I'm aware of, maybe").
_UNSURE_PHRASES = _words(
    r"not (?:\w+ )?sure|unsure|not certain|uncertain|idk|i dunno|dunno|(?:don't|do not) know"
    r"|no idea|no clue|not 100\w*|maybe|possibly|perhaps|might|could be|who knows|i guess"
    r"|(?:can't|cannot|don't|do not) (?:remember|recall|tell|say)|hard to (?:say|tell)"
    r"|probably|prob|kind of|kinda|sort of|sorta|somewhat|unclear|not really sure|depends"
    r"|i think|i suppose|not exactly|hmm+|umm*|mixed|on and off|off and on|ish"
)
# Soft denials: close to a no, but hedged; confirmed with buttons rather than read as a no.
_SOFT_DENIALS = _words(
    r"not that i(?:'m| am)? (?:know|aware|noticed)\w*|not that i've noticed|not really"
    r"|(?:don't|do not) think so|not as far as i know|not to my knowledge|none that i know\w*"
    r"|(?:don't|do not) know of any|not much|not (?:too|that) (?:bad|much)|hardly|barely"
    r"|rarely|not usually|not often|not lately|not anymore|not any more|used to"
)

_YES_WORDS = {
    *("yes", "yeah", "yea", "ya", "yah", "yeh", "ye", "yep", "yup", "y", "sure", "aye"),
    *("definitely", "absolutely", "correct", "true", "affirmative", "indeed", "certainly"),
    *("sometimes", "often", "occasionally", "constantly", "always", "lots", "bad", "badly"),
}
_YES_PHRASES = re.compile(
    r"(?<!not )(?<!n't )\b(?:i (?:do|did|have|had|am|was)|it is|that's right|uh huh|of course"
    r"|a (?:little|bit|lot)|all the time|every day)\b(?! not\b| never\b| no\b)"
)

# An unambiguous denial uses only these words, the question's own words and at least one
# denial marker. Anything else ("just", "only", "but", "a bit", a place, a time) is not a no.
_DENIAL_MARKERS = {
    *_NEGATIONS,
    *("nah", "naw", "nay", "n", "nop", "negative", "fine", "normal", "ok", "okay", "good"),
    *("alright", "n't", "clear", "healthy", "nada", "zero", "noo", "nooo"),
}
_DENIAL_FILLER = {
    *("i", "i'm", "im", "i've", "ive", "me", "my", "mine", "am", "is", "are", "was", "were"),
    *("do", "does", "did", "don't", "doesn't", "didn't", "have", "has", "had", "haven't"),
    *("hasn't", "hadn't", "isn't", "aren't", "wasn't", "weren't", "dont", "doesnt", "didnt"),
    *("havent", "hasnt", "isnt", "arent", "wasnt", "any", "anything", "of", "those", "that"),
    *("these", "them", "it", "its", "it's", "at", "all", "the", "a", "an", "or", "nor"),
    *("thanks", "thank", "you", "thx", "ty", "there", "there's", "theres", "with", "in"),
    *("either", "ever", "like", "apply", "applies", "symptoms", "symptom", "issues", "issue"),
    *("problems", "problem", "none", "to", "been", "having", "experienced", "experiencing"),
    *("get", "gotten", "feel", "felt", "noticed", "lately", "recently", "sir", "maam"),
    *("for", "me", "both", "are", "fine", "totally", "completely", "perfectly", "okay"),
    *("yet", "so", "far", "far", "sure", "nothing", "nope", "no", "not", "never", "mam"),
    *("here", "on", "this", "one", "those", "kind", "type"),
    *(".", ",", "!", ";", ":"),
}
_QUESTION_WORDS = {
    "leg_symptoms": {
        *("leg", "legs", "thigh", "thighs", "calf", "calves", "knee", "knees", "foot", "feet"),
        *("toes", "ankle", "ankles", "pain", "painful", "pains", "severe", "weakness", "weak"),
        *("tingling", "tingly", "tingle", "numbness", "numb", "pins", "needles", "sciatica"),
        *("and", "hurt", "hurting", "aches", "either", "one", "side", "sides"),
    },
    "bladder_bowel": {
        *("bladder", "bowel", "bowels", "urine", "urination", "urinating", "pee", "peeing"),
        *("control", "controlling", "stopping", "stop", "difficulty", "trouble", "loss"),
        *("accidents", "leaking", "leaks", "incontinence", "toilet", "bathroom", "and"),
        *("going", "there", "down"),
    },
    "fever_nausea": {
        *("fever", "fevers", "temperature", "temp", "nausea", "nauseous", "nauseated"),
        *("vomiting", "vomit", "throwing", "up", "sick", "chills", "unexplained", "stomach"),
        *("and", "puking"),
    },
    "cancer_history": {
        *("cancer", "cancers", "history", "weight", "loss", "lost", "losing", "pounds"),
        *("unexplained", "tumor", "tumors", "chemo", "radiation", "diagnosed", "had", "stable"),
        *("steady", "same", "and", "personal", "own", "myself", "ever", "been", "lose"),
    },
}


# Misspellings members make of the words the screen reads.
_TYPOS = [
    (re.compile(r"\bsud+en+ly\b|\bsuddently\b"), "suddenly"),
    (re.compile(r"\bhappend\b"), "happened"),
    (re.compile(r"\b(feel|feels|felt|are|is|so|really|very|too) week\b"), r"\1 weak"),
    (re.compile(r"\bkillin\b"), "killing"),
    (re.compile(r"\bnumbnes\b"), "numbness"),
]


def _normalize(text: str) -> str:
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    text = re.sub(r"[^a-z0-9',.;:!?&]+", " ", text)
    text = re.sub(
        r"\b(can|do|does|did|is|are|was|were|have|has|had|could|would|wo)nt\b", r"\1n't", text
    )
    text = re.sub(r"\bcant\b", "can't", text)
    for wrong, right in _TYPOS:
        text = wrong.sub(right, text)
    text = re.sub(r"\bwont\b", "won't", text)
    text = re.sub(r"\bim\b", "i'm", text)
    text = re.sub(r"\bive\b", "i've", text)
    text = re.sub(r"\bnot? (?:sure|certain) (?:if|whether)\b", "not sure", text)
    for pattern, replacement in _REWRITES:
        text = pattern.sub(replacement, text)
    text = re.sub(r"([,.;:!?])", r" \1 ", text)
    return " ".join(text.split())


def _squeeze(word: str) -> str:
    """``yesss`` -> ``yes``, ``nooo`` -> ``no``: repeated letters in one-word answers."""
    return re.sub(r"(.)\1+", r"\1", word)


def _tokens(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+|[,.;:!?&]", text)


def _is_negation(token: str) -> bool:
    return token in _NEGATIONS or token.endswith("n't") or _squeeze(token) == "no"


def _denial_scope(tokens: list[str]) -> list[str]:
    """Each token's standing: ``denied`` (inside a denial), ``ambiguous`` or ``free``.

    A denial reaches forward over list words ("no pain, numbness or tingling") and stops at a
    scope break. After ``and`` or a comma with no new denial, what follows is ``ambiguous``
    ("no pain and weakness") unless it is a list that ends in "or"/"nor".
    """
    status = ["free"] * len(tokens)
    state = "free"
    for i, token in enumerate(tokens):
        if _is_negation(token):
            state = "denied"
        elif token in _SCOPE_BREAKS:
            state = "free"
        elif token in _AMBIGUOUS_BREAKS and state == "denied":
            state = "denied" if _list_continues(tokens, i) else "ambiguous"
        status[i] = state
    return status


def _list_continues(tokens: list[str], i: int) -> bool:
    """A comma or "and" inside a denied list: a later "or"/"nor"/new denial before a break."""
    for token in tokens[i + 1 :]:
        if token in _LIST_JOINERS or _is_negation(token):
            return True
        if token in _SCOPE_BREAKS:
            return False
    return False


def _own_clauses(text: str) -> str:
    """The text with clauses that are only about someone else blanked out (a scope break)."""
    parts = _CLAUSE_BREAK.split(text)
    return "".join(
        " ; "
        if i % 2 == 0 and _SOMEONE_ELSE.search(part) and not _FIRST_PERSON.search(part)
        else part
        for i, part in enumerate(parts)
    )


def _mentions(text: str, flag: str, anyone: bool = False) -> tuple[bool, bool]:
    """(the member affirms a symptom of ``flag``, a mention is ambiguous).

    With ``anyone``, symptoms of someone else count too (an emergency is one whoever has it).
    """
    own = text if anyone or _ME_TOO.search(text) else _own_clauses(text)
    tokens = _tokens(own)
    scope = _denial_scope(tokens)
    # Character offset of each token, to map regex matches back onto the scope.
    offsets, position = [], 0
    for token in tokens:
        position = own.index(token, position)
        offsets.append(position)
        position += len(token)
    affirmed = ambiguous = False
    for match in _SYMPTOMS[flag].finditer(own):
        index = max((i for i, start in enumerate(offsets) if start <= match.start()), default=0)
        standing = scope[index] if tokens else "free"
        rest = _CLAUSE_END.split(own[match.end() :], maxsplit=1)[0]
        clause = own[max(own.rfind(";", 0, match.start()), 0) : own.find(";", match.end())]
        if flag == "cancer_history" and _EXPLAINED.search(clause):
            ambiguous = True
        elif _ABSENT.search(rest) and standing != "ambiguous":
            continue
        elif standing == "free":
            affirmed = True
        elif standing == "ambiguous":
            ambiguous = True
    return affirmed, ambiguous


# The parts of each question: a denial that names one part must name them all ("no fever"
# leaves nausea and vomiting unanswered); a general one ("none of that") covers the question.
_PARTS = {
    "leg_symptoms": (r"pain\w*|hurt\w*|ach\w*|severe", r"weak\w*", r"tingl\w*|numb\w*|pins"),
    "bladder_bowel": (r"bladder|urin\w*|pee\w*|stopping", r"bowels?|poo\w*"),
    "fever_nausea": (r"fevers?|temp\w*|chills", r"nause\w*|sick", r"vomit\w*|throw\w*|puk\w*"),
    "cancer_history": (r"cancers?|tumou?rs?|chemo|radiation|diagnosed", r"weight|pounds|los\w*"),
}


def _covers_the_question(text: str, flag: str) -> bool:
    named = [bool(re.search(rf"\b(?:{part})\b", text)) for part in _PARTS[flag]]
    return all(named) or not any(named)


def _is_denial(text: str, flag: str) -> bool:
    """Every word is a denial word, filler or the question's own word, with a denial marker,
    and the denial covers every part of the question."""
    if not _covers_the_question(text, flag):
        return False
    raw = _tokens(text)
    tokens = [_squeeze(t) if t not in _QUESTION_WORDS[flag] else t for t in raw]
    allowed = _DENIAL_MARKERS | _DENIAL_FILLER | _QUESTION_WORDS[flag]
    return (
        bool(raw)
        and all(t in allowed or r in allowed for t, r in zip(tokens, raw, strict=True))
        and any(t in _DENIAL_MARKERS or _is_negation(r) for t, r in zip(tokens, raw, strict=True))
    )


def _said_yes(text: str) -> bool:
    words = {_squeeze(word) for word in _tokens(text)}
    return bool(words & {_squeeze(w) for w in _YES_WORDS}) or bool(_YES_PHRASES.search(text))


def classify_answer(text: str, flag: str) -> Answer | None:
    """Read a member's answer to the question about ``flag``; ``None`` if it must be confirmed.

    See the module docstring: yes wins, then a hedge, and a no needs an unambiguous denial.
    """
    if flag not in _SYMPTOMS:
        raise ValueError(f"unknown red flag: {flag!r}")
    normalized = _normalize(text)
    if not normalized:
        return None
    affirmed, ambiguous = _mentions(normalized, flag)
    if affirmed:
        return YES
    if _UNSURE_PHRASES.search(normalized):
        return UNSURE
    if ambiguous or _SOFT_DENIALS.search(normalized):
        return None
    said_yes = _said_yes(normalized)
    said_no = any(_is_negation(t) for t in _tokens(normalized))
    if said_yes and said_no:
        return UNSURE
    if said_yes:
        return YES
    if _is_denial(normalized, flag):
        return NO
    return None


def volunteered_flags(text: str) -> set[str]:
    """The red flags whose symptoms the member affirms in ``text``, whatever was asked."""
    normalized = _normalize(text)
    return {flag for flag in RED_FLAGS if _mentions(normalized, flag)[0]}


_BACK_PAIN = _words(
    r"back ?(?:pain|ache|aches|is (?:killing|sore|hurting|bad|aching)|hurts?|hurting|problems?)"
    r"|(?:pain|hurts?|hurting|aches?|aching|sore|stiff) (?:in )?(?:my |the )?(?:lower |upper )?back"
    r"|backache|sciatica|lumbago|slipped dis[ck]|(?:lower|upper) back"
)


def reported_with_back_pain(text: str) -> set[str]:
    """Red flags a member states beside their back pain ("I'm a cancer survivor and my back
    hurts"); empty for a question ("can back pain be a sign of cancer?") or no back pain."""
    if looks_like_question(text):
        return set()
    if not _BACK_PAIN.search(_normalize(text)):
        return set()
    return volunteered_flags(text)


# Acute red flags (the contract): numbness in the groin or saddle area (always), sudden or new
# loss of bladder or bowel control, sudden leg weakness. They meet the seed's definition of an
# emergency medical condition, so they get the emergency response.
_SADDLE_NUMB = _words(
    r"(?:numb\w*|no feeling|can't feel|cannot feel|tingl\w*|dead)\b[^.;!?]{0,40}\b(?:groin|saddle"
    r"|crotch|privates|genitals?|bottom|butt|buttocks|inner thighs?|between (?:my|his|her) legs"
    r"|down there|toilet seat|when i wipe|perineum|bum)"
    r"|(?:groin|saddle|crotch|privates|genitals?|bottom|butt|buttocks|inner thighs?|down there"
    r"|between (?:my|his|her) legs)\b[^.;!?]{0,30}\b(?:numb\w*|no feeling|dead|tingl\w*)"
)
_NEGATED_BEFORE = re.compile(r"(?:\bno|\bnot|n't|\bnever|\bwithout)(?: \w+){0,2} ?$")
_ONSET = _words(
    r"sudden\w*|all of a sudden|out of (?:nowhere|the blue)|just (?:started|happened|now)"
    r"|started (?:today|tonight|this morning|last night|yesterday)|today|tonight|this morning"
    r"|this (?:afternoon|evening)|yesterday|last (?:night|evening)"
    r"|since (?:this|last|yesterday|today|a few|an hour|my back|the fall|i woke)"
    r"|never (?:happened|had) (?:that |this )?before|first time|(?<!nothing )(?<!not )new"
    r"|(?:and|but|right) now|now i|woke up|(?:an?|one|\d+|few|couple of) (?:hours?|minutes?|mins?)"
    r" ago|just (?:gave|went|lost|started|happened|collapsed|wet|peed|pooped|soiled)"
)
_LEG_WEAKNESS = _words(
    r"weak\w*|gave (?:out|way)|give (?:out|way)|giving (?:out|way)|buckl\w*|dragging"
    r"|(?:can't|cannot|couldn't|unable to|not able to) (?:lift|move|stand|walk|feel)"
)


# Loss of control read from a bare "can't stop", "can't hold it" or "lost control": no body
# part named, so it may be about something else ("started cutting again and can't stop").
_CONTROL_ONLY = _words(r"loss of control|lost control|losing control")
UNNAMED = "unnamed"  # acute_flag's answer for such a reading


def acute_flag(text: str) -> str | None:
    """The acute red flag in the member's own words (see above), fail-safe toward one:
    ``saddle``, ``bladder_bowel``, ``leg_weakness``, or ``UNNAMED`` when only a bare "can't
    stop / can't hold it" says loss of control; None when there is none."""
    normalized = _normalize(text)
    if looks_like_question(text) and not _FIRST_PERSON.search(normalized):
        return None  # "is sudden leg weakness a red flag?"
    saddle = _SADDLE_NUMB.search(normalized)
    if saddle and not _NEGATED_BEFORE.search(normalized[: saddle.start()]):
        return "saddle"
    if not _ONSET.search(normalized):
        return None
    if _mentions(normalized, "bladder_bowel", anyone=True)[0]:
        named = _mentions(_CONTROL_ONLY.sub(" ", normalized), "bladder_bowel", anyone=True)[0]
        return "bladder_bowel" if named else UNNAMED
    if _mentions(normalized, "leg_symptoms", anyone=True)[0] and _LEG_WEAKNESS.search(normalized):
        return "leg_weakness"
    return None


def screening_outcome(answers: Mapping[str, str | None], previous: str | None = None) -> Outcome:
    """``clear`` only when all four red flags are answered no and no earlier ``see_doctor``.

    ``see_doctor`` is never overwritten in a conversation by a later screen; only the member's
    doctor clears it (``cleared_by_doctor``).
    """
    if previous == SEE_DOCTOR:
        return SEE_DOCTOR
    return CLEAR if all(answers.get(flag) == NO for flag in RED_FLAGS) else SEE_DOCTOR


_PLAIN_ANSWERS = {"yes", "yeah", "yep", "yup", "y", "no", "nope", "nah", "n", "not sure", "unsure"}


def is_plain_answer(text: str) -> bool:
    """Exactly a button payload or a one-word yes / no / not sure, nothing else."""
    return " ".join(re.sub(r"[^a-z ]+", " ", text.lower()).split()) in _PLAIN_ANSWERS
