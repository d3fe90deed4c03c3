"""What the simulated members say: realistic conversations, the same for every model.

A conversation is a greeting, two or three FAQ questions, the back pain red-flag screen (the
start and four answers), a stage question (in one message, or the question and five answers in
the stage form's order) and a goodbye. Every choice comes from a ``random.Random`` seeded per
member, and no choice depends on the bot's replies, so two models get exactly the same load.
"""
from __future__ import annotations

import random
from collections.abc import Iterator

GREETINGS = [
    "hi",
    "hello there",
    "good morning",
    "hey, I have a few questions",
    "hi, I'm a member",
]
FAQ_QUESTIONS = [
    "what is bone cancer?",
    "what's the difference between primary and secondary bone cancer",
    "what are the symptoms of bone cancer",
    "what types of bone cancer are there",
    "what is osteosarcoma",
    "who gets chondrosarcoma",
    "what is ewing sarcoma",
    "what causes bone cancer, am I at risk?",
    "how do they diagnose bone cancer",
    "why would I need a biopsy",
    "how is bone cancer treated",
    "what happens at follow-up visits after treatment",
    "will the side effects of treatment go away",
    "is multiple myeloma a bone cancer?",
    "where does breast cancer spread in the bones",
    "what can I do to stay healthy after treatment",
]
SCREEN_START = [
    "I want to start the back pain program",
    "how do I join the back pain program?",
    "sign me up for the back pain program",
]
SCREEN_ANSWERS = [
    "no",
    "nope",
    "not that I know of",
    "no, none of that",
    "yes",
    "not sure",
]
ONE_SHOT_STAGE = [
    "high-grade osteosarcoma in his femur, 10 cm, only one spot, no spread - what stage is that?",
    "my tumor is low grade, 5 cm, in my arm, one spot and it hasn't spread. what stage is it?",
]
STAGE_QUESTIONS = [
    "can you help me understand what stage my bone tumor is?",
    "what stage is my tumor",
]
# The stage form's questions in order: location, spread, grade, size, more than one spot. With
# no spread every one of them decides the group, so the form asks all five.
STAGE_ANSWERS = [
    ["it's in his thigh bone", "in my upper arm", "in the shin"],
    ["no, it hasn't spread anywhere", "no spread"],
    ["the doctor said high grade", "it's low grade"],
    ["about 10 centimeters", "5 cm", "roughly 3 inches"],
    ["just one spot", "only one"],
]
GOODBYES = ["thanks, bye", "thank you", "bye"]


def conversation(rng: random.Random) -> list[str]:
    """One member's conversation, message by message."""
    messages = [rng.choice(GREETINGS)]
    messages += rng.sample(FAQ_QUESTIONS, rng.choice([2, 3]))
    messages.append(rng.choice(SCREEN_START))
    messages += [rng.choice(SCREEN_ANSWERS) for _ in range(4)]
    if rng.random() < 0.5:
        messages.append(rng.choice(ONE_SHOT_STAGE))
    else:
        messages.append(rng.choice(STAGE_QUESTIONS))
        messages += [rng.choice(options) for options in STAGE_ANSWERS]
    messages.append(rng.choice(GOODBYES))
    return messages


def member_conversations(seed: int, member: int) -> Iterator[list[str]]:
    """The endless, reproducible sequence of conversations of one simulated member."""
    rng = random.Random(f"{seed}/{member}")
    while True:
        yield conversation(rng)


# ``make bench``'s growth measurement: ONE member's long conversation, this cycle over and over.
# FAQ questions and small talk only: no form starts, so every turn costs the same but for the
# conversation's length (a retrieval answer or a one-step rule each). A window of
# len(GROWTH_CYCLE) consecutive turns holds each message once, wherever it starts.
GROWTH_CYCLE = [
    "hi",
    "what is bone cancer?",
    "thanks",
    "what are the symptoms of bone cancer",
    "how is bone cancer treated",
    "are you a bot?",
    "what is osteosarcoma",
    "thank you so much",
    "how do they diagnose bone cancer",
    "what happens at follow-up visits after treatment",
]


def growth_messages(turns: int) -> list[str]:
    """The ``turns`` messages of the growth conversation: GROWTH_CYCLE repeated."""
    return [GROWTH_CYCLE[turn % len(GROWTH_CYCLE)] for turn in range(turns)]
