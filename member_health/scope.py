"""What the assistant does not cover: another cancer or condition, or the plan's coverage and bills.

The seed content answers bone-cancer questions only. A question about breast-cancer heredity, a
diabetes diet or whether a scan is covered looks enough like a bone-cancer FAQ that the trained
model often answers it with one: a confident wrong answer. ``out_of_scope_reason`` reads the
vocabulary in ``data/patterns/scope.yml`` (editors' words, see its header) and says why a
message is out of scope, or ``None``:

* ``plan_admin``: coverage, costs, billing, enrollment (never in the seed, whatever else the
  message says);
* ``other_cancer`` / ``other_condition``: another cancer or condition is named and nothing else
  in the message ties it to bone ("does breast cancer spread to the bones?" is the seed's own
  topic; "rehab after a hip replacement" is not, as "hip" is part of the other topic's name).

Pure: no Rasa import. The Rasa component applies it to FAQ predictions only; it never touches an
emergency, a red flag or the back pain program.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, Extra, validator

from member_health.word_yaml import check_phrase, read_word_file

PLAN_ADMIN = "plan_admin"
OTHER_CANCER = "other_cancer"
OTHER_CONDITION = "other_condition"


class ScopeFileError(ValueError):
    """The scope vocabulary file is missing or malformed (the message names the file)."""


class _ScopeFile(BaseModel, extra=Extra.forbid):
    version: str
    plan_admin: list[str]
    other_cancers: list[str]
    other_conditions: list[str]
    keep: list[str]

    _phrase = validator(
        "plan_admin", "other_cancers", "other_conditions", "keep", each_item=True, allow_reuse=True
    )(check_phrase)


def _word(word: str) -> str:
    options = [
        re.escape(o[:-1]) + r"[\w'-]*" if o.endswith("*") else re.escape(o) for o in word.split("|")
    ]
    return "(?:" + "|".join(options) + ")"


def _compile(phrases: list[str]) -> re.Pattern[str]:
    """One regex for a list of phrases (whole words, case-insensitive)."""
    alternatives = [r"\s+".join(_word(w) for w in phrase.split()) for phrase in phrases]
    return re.compile(r"(?<![\w'-])(?:" + "|".join(alternatives) + r")(?![\w'-])", re.I)


@dataclass(frozen=True)
class ScopeVocabulary:
    """The compiled vocabulary of one scope file."""

    plan_admin: re.Pattern[str]
    other_cancers: re.Pattern[str]
    other_conditions: re.Pattern[str]
    keep: re.Pattern[str]

    def reason(self, text: str) -> str | None:
        """Why ``text`` is out of scope (``plan_admin`` / ``other_cancer`` /
        ``other_condition``), or ``None``."""
        if self.plan_admin.search(text):
            return PLAN_ADMIN
        found = [
            (reason, match.span())
            for reason, pattern in (
                (OTHER_CANCER, self.other_cancers),
                (OTHER_CONDITION, self.other_conditions),
            )
            for match in pattern.finditer(text)
        ]
        if not found:
            return None
        # A bone word inside the other topic's own name ("hip replacement", "funny bone") ties
        # nothing to the seed: only the words around the matches are searched for `keep`.
        rest = list(text)
        for _, (start, end) in found:
            rest[start:end] = " " * (end - start)
        return None if self.keep.search("".join(rest)) else found[0][0]


@lru_cache(maxsize=4)
def load_vocabulary(path: str | Path) -> ScopeVocabulary:
    """Reads and checks ``path`` (raises ``ScopeFileError`` naming the file and the entry)."""
    data = read_word_file(Path(path), _ScopeFile, ScopeFileError, "scope")
    return ScopeVocabulary(
        _compile(data.plan_admin),
        _compile(data.other_cancers),
        _compile(data.other_conditions),
        _compile(data.keep),
    )
