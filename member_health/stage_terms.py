"""The stage form's own words explained mid-form: "what does grade mean?" while it asks.

The stage questions use three terms a member may not know: a tumor's grade, its spread and the
spots in the bone. Asked what one means in the middle of the form, the member gets that term's
meaning from the seed's staging section (data/responses/staging.yml, ``utter_stage_term_<term>``)
and the form asks its question again, instead of the general staging answer. Pure.
"""
from __future__ import annotations

import re

from member_health.text import tidy

GRADE, SPREAD, SPOTS = "grade", "spread", "spots"
_TERMS = (
    (GRADE, re.compile(r"\b(?:grade|grades|graded|grading|high[- ]grade|low[- ]grade)\b")),
    (SPREAD, re.compile(r"\b(?:spread|spreads|spreading|metastas[ie]s|metastatic)\b")),
    (SPOTS, re.compile(r"\b(?:spot|spots)\b")),
)
# A question about the word itself, not about the member's tumor: "what does X mean", "what do
# you mean by X", "the meaning of X", "explain X", "define X" anywhere; "what is (a) X" or
# "what's X" as the whole question.
_ABOUT_THE_WORD = re.compile(
    r"\bwhat (?:do|does|did) .{0,30}\bmean\b|\bwhat [\w-]+(?: \w+)? means\b|\bmean by\b"
    r"|\bmeaning\b|\bexplain\b|\bdefine\b|\bdefinition\b"
    r"|^(?:wait,? )?(?:what|whats|what's)(?: is| are)?(?: a| an| the)? \w+(?:[- ]\w+)?$"
)


def asked_term(text: str) -> str | None:
    """The stage-form term whose meaning ``text`` asks about (grade, spread, spots), or None.

    Only a question about the word itself counts: "what stage is it if it has spread?" is a
    staging question, not a question about what "spread" means. Two terms at once: None (the
    general staging answer covers both).
    """
    lowered = tidy(text).rstrip("?. ")
    if not _ABOUT_THE_WORD.search(lowered):
        return None
    found = [term for term, pattern in _TERMS if pattern.search(lowered)]
    return found[0] if len(found) == 1 else None
