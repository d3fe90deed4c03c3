"""Two questions in one message: where a member's message asks more than one question.

"what is osteosarcoma and how is it treated?" asks two questions; the classifier answers one
topic. ``question_spans`` finds the questions' spans so that the NLU side can look for the other
topic; ``other_topics`` chooses which topics the first answer did not cover. Conservative: when
unsure it does not split, so a one-question message (one "and" inside it: "what are the signs
and symptoms", "pain and swelling", "chest pain and can't breathe") stays one question.
Pure: text in, character spans out.
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from member_health.text import looks_like_question, tidy

Span = tuple[int, int]  # [start, end) in the member's text

# Where one sentence ends and the next begins ("...? and what are...", "... . How ...").
_SENTENCE_END = re.compile(r"[?!.]+\s+")
# A joining word between two questions of one sentence: "and", "and also", "also", "plus",
# "and then", after an optional comma or semicolon.
_JOIN = re.compile(r"\s*[,;]?\s+(?:and\s+also|and\s+then|and|also|plus)\s+", re.I)
# A joining word at the start of a sentence that follows a question ("? And how ...").
_LEADING_JOIN = re.compile(r"^(?:and\s+also|and\s+then|and|also|plus)[,\s]+", re.I)
_WORD = re.compile(r"[\w']+")
# What a second question starts with: "what" or "how" with anything after them; another question
# word only with a verb after it ("when is", "where does": "when I walk" is no question); a
# verb with a subject after it ("is it", "does my", "can they"; "can't breathe" is no question).
_OPENER = re.compile(
    r"(?:what|what's|whats|how|how's)\s+\S"
    r"|(?:when|where|why|who|which)\s+(?:is|are|was|were|do|does|did|can|could|should|will|would"
    r"|has|have)\b"
    r"|(?:is|are|was|were|do|does|did|can|could|should|will|would|has|have)\s+"
    r"(?:it|its|it's|there|i|i'm|my|the|this|that|these|those|they|he|she|you|we|your|his|her"
    r"|our|their|a|an|bone|cancer)\b",
    re.I,
)
# A question asked as a request: "I'd like to know what chordoma is and how it is found".
_REQUEST = re.compile(
    r"(?:please )?(?:i (?:want|need) to know|i(?:'d| would) like to know|i wonder|describe)\b"
)
MIN_WORDS = 2  # a shorter piece ("symptoms?") is not read as a question of its own


def _words(text: str) -> int:
    return len(_WORD.findall(text))


def _is_question(text: str) -> bool:
    """Asked as a question, also after an opening clause ("hold on, what is chordoma")."""
    return any(
        looks_like_question(part) or bool(_REQUEST.match(tidy(part)))
        for part in (text, text.rsplit(",", 1)[-1])
    )


def _trimmed(text: str, start: int, end: int) -> Span:
    """The span without surrounding spaces and trailing punctuation."""
    while start < end and not text[start].isalnum():
        start += 1
    while end > start and not text[end - 1].isalnum() and text[end - 1] not in "'":
        end -= 1
    return start, end


def _sentences(text: str) -> list[Span]:
    """The message's sentences (a question mark, full stop or exclamation mark ends one)."""
    spans, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        spans.append((start, match.start() + 1))
        start = match.end()
    spans.append((start, len(text)))
    return [span for span in spans if text[span[0] : span[1]].strip()]


def _after_leading_join(text: str, span: Span) -> Span:
    start, end = span
    match = _LEADING_JOIN.match(text[start:end])
    return (start + match.end(), end) if match else span


def _questions_in_sentence(text: str, span: Span) -> list[Span]:
    """A sentence cut where a joining word is followed by a question's first words, provided
    the part before it is a question too; otherwise the sentence whole."""
    start, end = span
    pieces: list[Span] = []
    piece_start = start
    for match in _JOIN.finditer(text, start, end):
        before = text[piece_start : match.start()]
        after = text[match.end() : end]
        if (
            _OPENER.match(after)
            and _words(after) >= MIN_WORDS
            and _words(before) >= MIN_WORDS
            and _is_question(before)
        ):
            pieces.append((piece_start, match.start()))
            piece_start = match.end()
    pieces.append((piece_start, end))
    return pieces


def question_spans(text: str) -> list[Span]:
    """The spans of the questions a message asks, when it asks two or more; else ``[]``.

    Sentences that are statements ("My son has osteosarcoma.") are left out; a message with
    one question (or none) gives ``[]``.
    """
    text = text.replace("\u2019", "'").replace("\u2018", "'")  # same length: same spans
    spans: list[Span] = []
    for sentence in _sentences(text):
        sentence = _after_leading_join(text, sentence)
        for start, end in _questions_in_sentence(text, sentence):
            piece = text[start:end]
            if _words(piece) >= MIN_WORDS and _is_question(piece):
                spans.append(_trimmed(text, start, end))
    return spans if len(spans) >= 2 else []


def other_topics(
    rankings: Sequence[Mapping[str, float]],
    answered: str,
    threshold: float,
    limit: int = 2,
) -> list[tuple[int, str]]:
    """The topics of the questions the answer ``answered`` does not cover, as (question index,
    topic), best first.

    ``rankings`` gives, per question, each topic's probability. The answered question is the
    one most likely about ``answered``; each other question's best topic counts when it is
    another topic, at least ``threshold`` likely, and not counted already.
    """
    if len(rankings) < 2:
        return []
    covered = max(range(len(rankings)), key=lambda i: rankings[i].get(answered, 0.0))
    found: list[tuple[float, int, str]] = []
    for index, ranking in enumerate(rankings):
        if index == covered or not ranking:
            continue
        topic, probability = max(ranking.items(), key=lambda item: item[1])
        if topic != answered and probability >= threshold:
            found.append((probability, index, topic))
    chosen: list[tuple[int, str]] = []
    for _, index, topic in sorted(found, reverse=True):
        if topic not in {t for _, t in chosen}:
            chosen.append((index, topic))
    return chosen[:limit]
