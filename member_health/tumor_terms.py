"""The stage explainer's vocabulary (``data/patterns/tumor_terms.yml``): read, check, compile.

Editors' word lists (bone names, places cancer spreads to, words for spread, for a grade that
is not one, for a correction, members' misspellings) live in the data file; how a message is
read (``member_health.tumor_details``) stays in code. ``load_terms`` checks the file with
pydantic and raises ``TumorTermsError`` naming the file and the entry (``spine[2]: ...``, the
form the content lint turns into a line); ``alternation`` turns a list into a regex. Pure.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Extra, Field, StrictStr, validator

from member_health.paths import ROOT
from member_health.word_yaml import check_phrase, read_word_file

DEFAULT_TERMS_PATH = ROOT / "data" / "patterns" / "tumor_terms.yml"

_PLAIN = re.compile(r"[a-z0-9'\-]+")


class TumorTermsError(ValueError):
    """The tumor terms file is missing or malformed (the message names the file and entry)."""


Phrases = list[StrictStr]


class TumorTerms(BaseModel, extra=Extra.forbid):
    """The file's lists, in file order (the header says what each is for)."""

    version: str
    spine: Phrases = Field(..., min_items=1)
    pelvis: Phrases = Field(..., min_items=1)
    hip: Phrases = Field(..., min_items=1)
    limb_trunk_skull: Phrases = Field(..., min_items=1)
    lungs: Phrases = Field(..., min_items=1)
    lymph_nodes: Phrases = Field(..., min_items=1)
    organs: Phrases = Field(..., min_items=1)
    places_after_spread: Phrases = Field(..., min_items=1)
    more_site_words: Phrases = Field(..., min_items=1)
    spread_words: Phrases = Field(..., min_items=1)
    not_a_grade: Phrases = Field(..., min_items=1)
    unsure_grade: Phrases = Field(..., min_items=1)
    unsure_size: Phrases = Field(..., min_items=1)
    unsure_spots: Phrases = Field(..., min_items=1)
    unsure_spread: Phrases = Field(..., min_items=1)
    where_words: Phrases = Field(..., min_items=1)
    anywhere: Phrases = Field(..., min_items=1)
    maybe_words: Phrases = Field(..., min_items=1)
    corrections: Phrases = Field(..., min_items=1)
    misspellings: list[dict[StrictStr, Phrases]] = Field(..., min_items=1)

    @validator("*", each_item=True)
    def _phrase(cls, entry: Any, field: Any) -> Any:  # noqa: N805 (pydantic validators take cls)
        return check_phrase(entry) if isinstance(entry, str) and field.name != "version" else entry

    @validator("misspellings", each_item=True)
    def _misspelling(cls, entry: dict[str, list[str]]) -> dict[str, list[str]]:  # noqa: N805
        if len(entry) != 1:
            raise ValueError("write one right spelling per entry: '- right: [wrong, ...]'")
        (right, wrongs), *_ = entry.items()
        if not right.split() or not all(_PLAIN.fullmatch(word) for word in right.split()):
            raise ValueError(f"the right spelling {right!r} must be plain lowercase words")
        if not wrongs:
            raise ValueError(f"no misspellings listed for {right!r}")
        for wrong in wrongs:
            check_phrase(wrong)
        return entry


def load_terms(path: str | Path = DEFAULT_TERMS_PATH) -> TumorTerms:
    """Reads and checks ``path`` (raises ``TumorTermsError`` naming the file and the entry)."""
    return read_word_file(Path(path), TumorTerms, TumorTermsError, "tumor terms")


def _word(word: str) -> str:
    options = [
        re.escape(o[:-1]) + r"\w*" if o.endswith("*") else re.escape(o) for o in word.split("|")
    ]
    return options[0] if len(options) == 1 else "(?:" + "|".join(options) + ")"


def alternation(phrases: list[str]) -> str:
    """The phrases as one regex alternation, in list order (words apart by one space).

    The caller adds the whole-word boundaries; the text it searches is normalised (lowercase,
    single spaces). When two phrases fit at the same place the first listed is used.
    """
    return "|".join(" ".join(_word(w) for w in p.split()) for p in phrases)
