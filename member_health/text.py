"""Small readings of a member's message shared by the feature modules; pure, no Rasa imports."""
from __future__ import annotations

import re

# A question's first words. "wait, what is chordoma?" counts; "what's" and "who's" count, "can't"
# ("can't feel my legs") does not: a statement, which the red-flag reader must still read.
_QUESTION_START = re.compile(
    r"^(?:wait,? )?(?:what|whats|how|why|when|where|which|who|is|are|does|do|can|could|should"
    r"|will|would|tell me|explain)(?!'t(?![\w']))(?:'[a-z]+)?(?![\w'])"
)
_DOUBLE_QUOTES = re.compile('["\u201c\u201d]')


def tidy(text: str) -> str:
    """Lower case, one kind of apostrophe, no double quotes, single spaces, trimmed."""
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    return re.sub(r"\s+", " ", _DOUBLE_QUOTES.sub(" ", text)).strip()


def looks_like_question(text: str) -> bool:
    """A question rather than an answer: it ends with "?" or starts like one ("wait, what is
    chordoma", "is numbness a bad sign", "tell me about grades")."""
    tidied = tidy(text)
    return tidied.endswith("?") or bool(_QUESTION_START.match(tidied))
