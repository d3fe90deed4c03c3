"""Table-driven tests for the pure emergency safety net (member_health/emergency.py)."""
from __future__ import annotations

from pathlib import Path

import pytest

from member_health.emergency import (
    CATEGORIES,
    DEFAULT_PATTERNS_PATH,
    Decision,
    EmergencyDetector,
    PatternFileError,
    detect,
    load_detector,
)

NO = None  # expected: the net does not fire

# (text, expected category when the net fires, or NO)
EMERGENCIES = [
    # breathing
    ("I can't breathe", "medical"),
    ("i cant breath", "medical"),
    ("I can not breathe properly", "medical"),
    ("cannot breathe help", "medical"),
    ("I can barely breathe", "medical"),
    ("my son can't breathe", "medical"),
    ("she is not breathing", "medical"),
    ("he isnt breathing!!", "medical"),
    ("my baby stopped breathing", "medical"),
    ("I'm struggling to breathe", "medical"),
    ("it's really hard to breathe right now", "medical"),
    ("i'm having trouble breathing", "medical"),
    ("having a little trouble breathing tbh", "medical"),
    ("i can't catch my breath", "medical"),
    ("he's gasping for air", "medical"),
    ("my dad is choking", "medical"),
    ("her lips are turning blue", "medical"),
    ("I CANT BREATHE", "medical"),
    ("I cant brethe and my chest hurts", "medical"),
    # chest / heart
    ("I have chest pain", "medical"),
    ("crushing chest pain", "medical"),
    ("my chest feels crushed and it goes down my arm", "medical"),
    ("my chest hurts so bad", "medical"),
    ("my chest feels weird and my left arm is numb", "medical"),
    ("chest feels a bit tight", "medical"),
    ("there's a lot of pressure in my chest", "medical"),
    ("I think I'm having a heart attack", "medical"),
    ("my husband is having a heart attack", "medical"),
    ("hart attack i think", "medical"),
    ("i think im having a heart atack", "medical"),
    ("my chest is killing me", "medical"),
    ("my left arm is numb and tingling", "medical"),
    ("my husband's heart stopped", "medical"),
    ("my chest has been hurting since this morning", "medical"),
    ("could this be a heart attack?", "medical"),
    ("should I go to the ER for chest pain?", "medical"),
    ("if I have chest pain right now should I call 911?", "medical"),
    ("is my chest pain a sign of a heart attack?", "medical"),
    # stroke
    ("I think my mom is having a stroke", "medical"),
    ("uh i think my wife is having a stroke", "medical"),
    ("his face is drooping on one side", "medical"),
    ("my dad's speech is slurred", "medical"),
    ("she's slurring her words", "medical"),
    ("one side of my body is numb", "medical"),
    ("sudden weakness in my arm", "medical"),
    ("I suddenly can't speak", "medical"),
    ("worst headache of my life", "medical"),
    ("what are the signs of a stroke? my dad's face is drooping", "medical"),
    ("I'm not sure if I'm having a stroke", "medical"),
    # fainting / unresponsive
    ("I fainted", "medical"),
    ("my wife just passed out", "medical"),
    ("my grandpa collapsed", "medical"),
    ("he is unconscious", "medical"),
    ("my wife won't wake up", "medical"),
    ("my husband wont wake up", "medical"),
    ("I can't wake him up", "medical"),
    ("she's not responding", "medical"),
    ("I feel like I'm going to pass out", "medical"),
    ("i feel faint", "medical"),
    ("something's wrong with my heart, it's racing and I feel faint", "medical"),
    # bleeding
    ("bleeding after a tooth pull, soaking the gauze every few min", "medical"),
    ("im soaking a pad every hour and feel dizzy", "medical"),
    ("I'm bleeding a lot", "medical"),
    ("I'm bleeding from my head", "medical"),
    ("my son is drowning in the pool", "medical"),
    ("i cant stop the bleeding", "medical"),
    ("the bleeding won't stop", "medical"),
    ("there's blood everywhere", "medical"),
    ("i'm coughing up blood", "medical"),
    ("he's vomiting blood", "medical"),
    ("my cut is bleeding heavily", "medical"),
    # pain
    ("I'm in the worst pain of my life", "medical"),
    ("my pain is a 10/10", "medical"),
    ("pain is 10 out of 10", "medical"),
    # injury, poisoning, other
    ("I fell and hit my head", "medical"),
    ("my mom fell and can't get up", "medical"),
    ("grandma had a bad fall", "medical"),
    ("I fell down the stairs", "medical"),
    ("the bone is sticking out of my leg", "medical"),
    ("we were in a car accident", "medical"),
    ("my friend got shot", "medical"),
    ("he's having a seizure", "medical"),
    ("my daughter is seizing", "medical"),
    ("I think I overdosed", "medical"),
    ("my toddler swallowed bleach", "medical"),
    ("my throat is closing up", "medical"),
    ("my tongue is swelling", "medical"),
    ("I'm having a severe allergic reaction", "medical"),
    # stated outright
    ("this is an emergency", "unspecified"),
    ("please call an ambulance", "unspecified"),
    ("I think I'm dying", "unspecified"),
    ("it's an emergency please help", "unspecified"),
    # labor
    ("my water just broke", "labor"),
    ("my wife's water broke", "labor"),
    ("I think I'm in labor", "labor"),
    ("she's in labour", "labor"),
    ("I'm having contractions", "labor"),
    ("contractions are 3 minutes apart", "labor"),
    ("the baby is coming now", "labor"),
    ("I think I'm going into labor", "labor"),
    ("i need to push", "labor"),
    ("contractions every 3 minutes", "labor"),
    # self-harm
    ("I want to kill myself", "self_harm"),
    ("im going to kill myself", "self_harm"),
    ("i dont want to be here anymore", "self_harm"),
    ("I don't want to live anymore", "self_harm"),
    ("I'm suicidal", "self_harm"),
    ("feeling suicidal tonight", "self_harm"),
    ("i've been having suicidal thoughts", "self_harm"),
    # "not" inside a struggle against the urge affirms it
    ("i need to not kill myself tonight", "self_harm"),
    ("im trying not to hurt myself rn", "self_harm"),
    ("I want to end my life", "self_harm"),
    ("thinking about ending my life", "self_harm"),
    ("i want to die", "self_harm"),
    ("i just wanna die", "self_harm"),
    ("everyone would be better off without me", "self_harm"),
    ("I'd be better off dead", "self_harm"),
    ("I have no reason to live", "self_harm"),
    ("i've been cutting myself", "self_harm"),
    ("I took a whole bottle of pills", "self_harm"),
    ("thinking about suicide", "self_harm"),
    ("I wish I was dead", "self_harm"),
    ("I can't go on like this", "self_harm"),
    ("i want to hurt myself", "self_harm"),
    ("i'm going to end it all", "self_harm"),
    ("my back hurts so much I want to die", "self_harm"),
    ("im not ok i want to die", "self_harm"),
    ("no one cares, i want to kill myself", "self_harm"),
    ("I'm not sure, but I think I want to die", "self_harm"),
    ("my son said he wants to kill himself", "self_harm"),
    ("I'm not saying I want to kill myself but I think about it", "self_harm"),
    ("i'm suicidle", "self_harm"),
    ("i'm going to jump off a bridge", "self_harm"),
    ("i feel like ending it", "self_harm"),
    ("i'm going to end it tonight", "self_harm"),
    # harming others (and priority: self-harm wins when both are present)
    ("I want to kill my husband", "harm_others"),
    ("I'm going to hurt someone", "harm_others"),
    ("i feel like i'm going to hurt somebody", "harm_others"),
    ("I'm having thoughts of hurting people", "harm_others"),
    ("i'll kill him", "harm_others"),
    ("I have the urge to hurt someone", "harm_others"),
    ("I want to hurt someone and then kill myself", "self_harm"),
    # a negated mention does not hide a real one
    ("no chest pain but I can't breathe", "medical"),
    ("my chest pain is better but I still can't breathe", "medical"),
    ("I don't have a fever, I'm bleeding heavily", "medical"),
    ("no, my husband isn't breathing", "medical"),
    ("no i cant breathe", "medical"),
    # tail phrasings (issue 15)
    ("a grape is stuck in my toddlers throat and he cant breathe", "medical"),
    ("she cant cry or cough", "medical"),
    ("scalded by boiling water, the skin on my hand is blistering", "medical"),
    ("he took way too many xanax at the party", "medical"),
    ("my wrist looks bent weird after the fall", "medical"),
    ("my knee is bent the wrong way", "medical"),
    ("gonna beat him to death when he gets home", "harm_others"),
    ("grandpa is on the floor and won't respond", "medical"),
    ("my words keep coming out jumbled and my hand is numb", "medical"),
    ("i was clean for a year but i relapsed and cut again", "self_harm"),
    ("if he touches me again i might really hurt him", "harm_others"),
    # Phrases whose a|b lists once hid a two-word alternative ("got into|drank" needed "got"
    # first, "vomiting|throwing up" needed "up" after): each form matches on its own now.
    ("my toddler drank some bleach", "medical"),
    ("she swallowed a bit of detergent", "medical"),
    ("my son drank stuff from under the sink", "medical"),
    ("the baby got into the drain cleaner", "medical"),
    ("unsure if my husband is having a stroke", "medical"),
    ("i cant stop vomiting", "medical"),
    ("he is on the floor jerking", "medical"),
    ("she is on the floor and not moving", "medical"),
    ("my skin is peeling from the burn", "medical"),
    ("got burned and now the skin is coming off", "medical"),
    ("i'm so dizzy i can hardly stand", "medical"),
    ("she's lightheaded and can't walk", "medical"),
    # from the denial red-team set's kinds (session 10), in other words
    ("my dad's arm is bent backwards after he fell off the ladder", "medical"),
    ("our baby is turned sideways at 36 weeks, what does that mean", NO),  # no limb named
    ("I bent backwards in yoga and now my back is stiff", NO),
    ("she's gonna stab her sister, she said so twice", "harm_others"),
    ("he is going to shoot the neighbor, he just went outside", "harm_others"),
    ("she's going to stab herself with the scissors", "self_harm"),  # 988, not harm_others
    ("he's gonna shoot himself, he has the gun", "self_harm"),
    ("i was cutting my arm again and it won't stop bleeding", "self_harm"),
    ("i just want to be gone, i took all my pills", "self_harm"),
    ("my friend is cutting her wrists in the bathroom", "self_harm"),
    ("both my wrists are cut and it won't stop", "self_harm"),
]

NEGATED = [
    ("no chest pain", NO),
    ("I don't have chest pain", NO),
    ("I'm not having any trouble breathing", NO),
    ("no trouble breathing, just back pain", NO),
    ("I'm not suicidal, just asking", NO),
    ("I'm not suicidal, just asking about bone cancer", NO),
    ("I would never kill myself", NO),
    ("I don't want to die, I want to get better", NO),
    ("I haven't fainted", NO),
    ("i have no bleeding", NO),
    ("the chest pain is gone", NO),
    ("my chest pain went away", NO),
    ("I didn't pass out", NO),
    ("no seizures", NO),
    ("i'm not in labor yet", NO),
    ("no shortness of breath and no chest pain", NO),
    ("denies chest pain", NO),
    ("without any chest pain", NO),
    ("never had a seizure", NO),
    ("I'm not having a heart attack, I just have questions about bone cancer", NO),
    ("I don't think it's a heart attack", NO),
    ("my water hasn't broken", NO),
    ("I am not bleeding heavily", NO),
    ("NO CHEST PAIN", NO),
    ("I'm not thinking about suicide", NO),
    ("I'm not going to hurt myself", NO),
    ("the bleeding has stopped", NO),
]

EDUCATIONAL = [
    ("what are the signs of a stroke?", NO),
    ("what are the warning signs of a heart attack", NO),
    ("can bone cancer cause severe pain?", NO),
    ("what does a chest CT look for?", NO),
    ("what is a heart attack", NO),
    ("what's a seizure", NO),
    ("if someone is having a stroke what should I do", NO),
    ("what should I do if someone stops breathing", NO),
    ("in case of heavy bleeding what do you do", NO),
    ("how do doctors treat a heart attack", NO),
    ("symptoms of labor", NO),
    ("how long do contractions last", NO),
    ("tell me about suicide prevention", NO),
    ("is there a risk of heavy bleeding after a biopsy", NO),
    ("does chemo cause bleeding?", NO),
    ("can radiation therapy cause chest pain?", NO),
    ("how can I prevent a heart attack", NO),
    ("what are the chances of a heart attack during surgery", NO),
    ("what happens if you overdose on tylenol", NO),
    ("what counts as an emergency?", NO),
    ("is chest pain a symptom of bone cancer?", NO),
    ("is heavy bleeding a side effect of chemo?", NO),
    ("what is the difference between a heart attack and a stroke", NO),
    ("does a chest x-ray hurt?", NO),
    ("this class is gonna bore me to death", NO),
    ("can a heart attack feel like back pain?", NO),
    ("do stroke patients qualify for the back pain program?", NO),
    ("what does it mean when someone is suicidal", NO),
]

HISTORICAL = [
    ("my dad had a stroke years ago, can he join the back pain program?", NO),
    ("I had a heart attack in 2019", NO),
    ("family history of heart attacks", NO),
    ("my mother died of a heart attack", NO),
    ("after my heart attack can I do the back pain program", NO),
    ("I used to be suicidal", NO),
    ("I attempted suicide years ago", NO),
    ("I fainted last year", NO),
    ("I was in a car accident 10 years ago", NO),
    ("I had a bad fall last month and my back still hurts", NO),
    ("I was in labor for 30 hours with my first kid", NO),
    # a strong past marker anywhere in the clause, either side
    ("took too many pills on purpose in high school, how do i find a counselor", NO),
    ("two years ago i had a stroke out of nowhere, am i covered for rehab", NO),
    ("my contractions started on the freeway 6 years ago, funny story", NO),
    ("my uncle had a heart attack at 45, should i get my heart checked", NO),
    ("went to the hospital in june for chest pain, it was a pulled muscle", NO),
    ("if my dad ever has a seizure at home what should i do", NO),
    ("if someone at work ever says they want to end their life who do i tell", NO),
    # ...never a danger said in the present in the same clause
    ("2 years ago he had a stroke and he's slurring his words now", "medical"),
    ("my dad had a stroke years ago he's slurring his words right now", "medical"),
    ("i had seizures as a kid, im having a seizure right now", "medical"),
    ("last year i had a heart attack and my chest is crushing again", "medical"),
]

ORDINARY = [
    ("hi", NO),
    # soaking that is not blood, arm pain with no chest named (session 13 review)
    ("soaking a towel in hot water helps my back", NO),
    ("i use a heating pad and soak in the tub", NO),
    ("the ache going into my left arm is from my tennis elbow", NO),
    ("i can't stand being dizzy every morning", NO),  # "can't stand" = dislike, before dizzy
    ("hello there", NO),
    ("what is osteosarcoma?", NO),
    ("how is bone cancer staged", NO),
    ("my tumor is high grade, 10 cm, no spread", NO),
    ("I want to start the back pain program", NO),
    ("I have severe pain in my legs", NO),
    ("I lost control of my bladder", NO),
    ("I have unexplained fever and vomiting", NO),
    ("I have a history of cancer", NO),
    ("my doctor cleared me", NO),
    ("can I talk to a nurse", NO),
    ("thanks", NO),
    ("what is a biopsy", NO),
    ("does radiation therapy have side effects", NO),
    ("my back is killing me", NO),
    ("this pain is killing me", NO),
    ("I'm dying to try the program", NO),
    ("i'm exhausted", NO),
    ("I broke my phone", NO),
    ("the water pipe broke", NO),
    ("what are your hours on labor day?", NO),
    ("tell me about chondrosarcoma", NO),
    ("my tumor spread to my lungs", NO),
    ("I feel tired after chemo", NO),
    ("I take blood thinners", NO),
    ("I'm short of breath when I climb stairs", NO),
    ("chemo will kill the cancer cells", NO),
    ("the chemo is going to kill them", NO),
    ("my pain is 7 out of 10", NO),
    ("I have back pain", NO),
    ("my legs keep tingling", NO),
    ("I'm so stressed about my scan", NO),
    ("can I do the program if I had a stroke", NO),
    ("my back pain is unbearable", NO),
    ("I'd give it 10 out of 10", NO),
    ("when should I call 911?", NO),
    ("I feel like I'm drowning in paperwork", NO),
    ("I'm ready to end it with this program", NO),
    ("my water bottle broke", NO),
    ("I fell behind on my exercises", NO),
    ("my kid is killing me with questions lol", NO),
    ("I want to end my membership", NO),
    ("I can feel a faint lump", NO),
    ("did he do that on purpose?", NO),
    ("nobody wants to die of cancer", NO),
    ("", NO),
    ("   ", NO),
]

TABLE = EMERGENCIES + NEGATED + EDUCATIONAL + HISTORICAL + ORDINARY


def test_table_is_large_enough() -> None:
    assert len(TABLE) >= 150
    assert len({text for text, _ in TABLE}) == len(TABLE), "duplicate phrasings"


@pytest.mark.parametrize("text, category", TABLE)
def test_detect(text: str, category: str | None) -> None:
    decision = detect(text)
    assert decision.fired is (category is not None), decision
    assert decision.category == category
    if decision.fired:
        assert decision.reason and decision.span
        start, end = decision.span
        assert 0 <= start < end <= len(text)


# Every mention discounted. Only the member's explicit negation ("negated") may overrule a
# classifier's `emergency` (`dismissed`); resolved, hypothetical or past context silences only
# the net's own match (the fail-safe rule in member_health/emergency.py).
@pytest.mark.parametrize(
    "text, status",
    [
        ("no chest pain", "negated"),
        ("I'm not suicidal, just asking about bone cancer", "negated"),
        ("the chest pain is gone", "resolved"),
        ("what are the signs of a stroke?", "hypothetical"),
        ("can bone cancer cause severe pain?", "hypothetical"),
        ("what does a chest CT look for?", "hypothetical"),
        ("if someone is having a stroke what should I do", "hypothetical"),
        ("my dad had a stroke years ago, can he join the back pain program?", "historical"),
        ("I had a heart attack in 2019", "historical"),
        ("last month I passed out at the gym", "historical"),
        # the member's own denial of an injury, a faint or harming others (mentions)
        ("I didn't pass out, I only got woozy at the dentist", "negated"),
        ("she did not hit her head when she tripped, only scraped her hands", "negated"),
        ("I would never hurt anybody, I just yell at the tv", "negated"),
        ("no one was hurt, just asking how to file the claim", "negated"),
    ],
)
def test_discounted(text: str, status: str) -> None:
    decision = detect(text)
    assert not decision.fired
    assert decision.matches and all(m.status == status for m in decision.matches)
    assert getattr(decision, status)  # e.g. decision.negated lists the pattern ids
    assert decision.dismissed is (status == "negated")


@pytest.mark.parametrize(
    "text",
    [
        "what is the suicide hotline number?",  # self-harm talk: only a negation dismisses
        "I attempted suicide years ago",
        "hi",  # nothing found at all
        "I have severe pain in my legs",  # an affirmed mention: let the classifier decide
        "I can't breathe",  # fired
        "no chest pain but I can't breathe",  # one negated, one affirmed
        # a denial followed by "but ...": what follows may be what the classifier read
        "pregnant, no contractions, but my head is pounding and my hands swelled up",
        "I'm not suicidal but everything feels pointless",
        "no chest pain, though my left arm is heavy",
        # a denied injury or faint beside something the member affirms
        "nobody was injured but my wife is confused and can't find her words",
        # "nobody got hurt" opens crash and fire reports: it withdraws nothing
        "nobody got hurt, the house is on fire and my kid is still inside",
        "I didn't faint, I just can't stop shaking and my lips are blue",
        "I'm not going to faint, I want to hurt somebody",
        # a denial that does not play the message down may open a report of another danger
        "i didnt faint, the house is on fire and my kid is still inside",
        "didn't hit my head, we are trapped in the car and I smell gas",
        "i dont want to hurt anyone, there is smoke everywhere and we cant get out",
        "nobody got hurt, just the car is smoking and my wife is stuck inside",
        "my leg isn't numb, just gave out completely and I can't hold my pee",
        # a weapon beside a denial: the denial does not cover everything said
        "he's not suicidal, he's just sitting in his truck with the rifle",
        "I'm not going to kill myself, I just keep holding the knife",
        # "just" followed by anything but a few calm words (asking, bruised, lightheaded...)
        "I don't want to hurt others, just myself",
        "I didn't faint, I only took all my pills",
        "I don't want to hurt anyone, I just want them all dead",
        "nobody was hurt, just smoke everywhere and we can't get out",
        "i didn't hit my head, just can't remember anything and keep vomiting",
    ],
)
def test_not_dismissed(text: str) -> None:
    assert not detect(text).dismissed


def test_decision_records_reason_span_and_discounted_matches() -> None:
    text = "no chest pain but I can't breathe"
    decision = detect(text)
    assert decision.reason == "cannot_breathe"
    assert text[decision.span[0] : decision.span[1]] == "can't breathe"
    assert "chest_pain" in decision.negated
    assert decision.affirmed_match and decision.affirmed_match.pattern_id == "cannot_breathe"


def test_self_harm_outranks_medical() -> None:
    decision = detect("I can't breathe and I want to kill myself")
    assert decision.category == "self_harm"
    assert decision.reason == "suicidal"


def test_loader_is_cached_per_file() -> None:
    assert load_detector() is load_detector(str(DEFAULT_PATTERNS_PATH))


def test_every_category_is_used_by_an_alarm() -> None:
    detector = load_detector()
    used = {category for category, kind in detector._c.info.values() if kind == "alarm"}
    assert used == set(CATEGORIES)


def test_huge_message_is_handled() -> None:
    text = "tell me about bone cancer. " * 3000 + "I can't breathe"
    assert detect(text).fired


# -- pattern file validation --------------------------------------------------------------
MINIMAL = """
version: "3.1"
patterns:
  - id: chest_pain
    category: medical
    phrases: [chest pain]
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "emergency.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_minimal_file_loads_and_matches(tmp_path: Path) -> None:
    detector = EmergencyDetector(_write(tmp_path, MINIMAL))
    assert detector.detect("chest pain").fired
    assert detector.detect("no chest pain").fired  # this file defines no negation cues


def test_yaml_no_is_a_word_not_false(tmp_path: Path) -> None:
    text = (
        MINIMAL
        + """
context:
  - id: neg
    effect: negated
    applies_to: following
    window: 2
    cues: [no]
"""
    )
    detector = EmergencyDetector(_write(tmp_path, text))
    assert not detector.detect("no chest pain").fired
    assert detector.detect("chest pain").fired


def test_raw_token_patterns(tmp_path: Path) -> None:
    text = (
        MINIMAL
        + """
  - id: pain_ten
    category: medical
    tokens:
      - [{NORM: pain}, {NORM: {REGEX: "^10$"}}]
"""
    )
    detector = EmergencyDetector(_write(tmp_path, text))
    assert detector.detect("pain 10").reason == "pain_ten"


@pytest.mark.parametrize(
    "body, message",
    [
        ("- just a list", "must be a mapping"),
        ("patterns: []", "'patterns' must be a non-empty list"),
        (
            "patterns:\n  - id: x\n    phrases: [a]",
            "patterns[0] (id 'x'): missing key(s): category",
        ),
        (
            "patterns:\n  - id: x\n    category: cardiac\n    phrases: [a]",
            "patterns[0] (id 'x'): 'category' is 'cardiac'",
        ),
        ("patterns:\n  - id: x\n    category: medical", "patterns[0] (id 'x'): needs 'phrases'"),
        (
            "patterns:\n  - id: Bad-Id\n    category: medical\n    phrases: [a]",
            "'id' must be lowercase",
        ),
        (
            "patterns:\n  - {id: x, category: medical, phrases: [a]}\n"
            "  - {id: x, category: medical, phrases: [b]}",
            "patterns[1] (id 'x'): duplicate id 'x'",
        ),
        (
            "patterns:\n  - {id: x, category: medical, phrase: [a]}",
            "patterns[0] (id 'x'): unknown key(s): phrase",
        ),
        (
            "patterns:\n  - {id: x, category: medical, kind: maybe, phrases: [a]}",
            "'kind' is 'maybe'",
        ),
        (
            "patterns:\n  - {id: x, category: medical, phrases: ['... pain']}",
            "patterns[0] (id 'x'): phrases[0]: '... pain' must not start or end",
        ),
        (
            "patterns:\n  - {id: x, category: medical, phrases: ['pain a||b']}",
            "empty alternative",
        ),
        (
            "patterns:\n  - {id: x, category: medical, phrases: ['re:(unclosed']}",
            "bad regular expression",
        ),
        (
            "patterns:\n  - {id: x, category: medical, phrases: ['a? b?']}",
            "has no required word",
        ),
        (
            "patterns:\n  - {id: x, category: medical, tokens: [[{NORM: {BOGUS: 1}}]]}",
            "tokens[0] is not a valid spaCy pattern",
        ),
        (
            "patterns:\n  - {id: x, category: medical, phrases: [{a: b}]}",
            "'phrases' must be a list of non-empty text phrases",
        ),
        ("colour: blue\n" + MINIMAL, "unknown top-level key(s): colour"),
        ("spellings: {Breath: breathe}\n" + MINIMAL, "spellings entry 'Breath'"),
        (
            "context:\n  - {id: n, effect: denied, applies_to: following, cues: [no]}\n" + MINIMAL,
            "context[0] (id 'n'): 'effect' is 'denied'",
        ),
        (
            "context:\n  - {id: n, effect: negated, applies_to: after, cues: [no]}\n" + MINIMAL,
            "'applies_to' is 'after'",
        ),
        (
            "context:\n  - {id: n, effect: negated, applies_to: following, window: 99, "
            "cues: [no]}\n" + MINIMAL,
            "'window' must be a whole number",
        ),
        (
            "context:\n  - {id: n, effect: negated, applies_to: following, cues: []}\n" + MINIMAL,
            "'cues' must not be empty",
        ),
        (
            "context:\n  - {id: n, effect: negated, applies_to: following, cues: [no], "
            "stop_words: [my wife]}\n" + MINIMAL,
            "'stop_words' must be single lowercase words",
        ),
        ("patterns: [\n", "not valid YAML"),
    ],
)
def test_bad_pattern_file_names_file_and_entry(tmp_path: Path, body: str, message: str) -> None:
    path = _write(tmp_path, body)
    with pytest.raises(PatternFileError) as error:
        EmergencyDetector(path)
    assert str(path) in str(error.value)
    assert message in str(error.value)


def test_missing_pattern_file(tmp_path: Path) -> None:
    with pytest.raises(PatternFileError, match="cannot read"):
        EmergencyDetector(tmp_path / "nope.yml")


def test_empty_decision_defaults() -> None:
    decision = Decision(fired=False)
    assert not decision.dismissed and decision.affirmed_match is None


def test_every_mistake_is_reported_on_one_line(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "patterns:\n  - {id: x, category: cardiac, phrases: [a]}\n  - just text\n"
        "  - {id: y, category: medical, phrases: [b], colour: red}\n",
    )
    with pytest.raises(PatternFileError) as error:
        EmergencyDetector(path)
    message = str(error.value)
    assert "\n" not in message
    assert "patterns[0] (id 'x'): 'category' is 'cardiac'" in message
    assert "patterns[1]: each pattern must be a mapping" in message
    assert "patterns[2] (id 'y'): unknown key(s): colour" in message


def test_recent_decisions_are_remembered_by_text_and_bounded() -> None:
    from member_health.emergency import RECENT_DECISIONS

    detector = EmergencyDetector(DEFAULT_PATTERNS_PATH)
    first = detector.detect("I can't breathe")
    assert first.fired and detector.detect("I can't breathe") is first  # the server's 2nd read
    for number in range(RECENT_DECISIONS + 5):
        detector.detect(f"message {number}")
    assert len(detector._recent) == RECENT_DECISIONS
    again = detector.detect("I can't breathe")
    assert again == first  # decided anew once forgotten, the same way
