"""Deterministic emergency safety net: spaCy patterns plus NegEx-style context.

``detect(text)`` finds emergency phrases ("I can't breathe", "my wife won't wake up") with a
spaCy ``Matcher`` over a blank English tokenizer, then discounts matches that are negated
("no chest pain"), hypothetical or educational ("what are the signs of a stroke?") or
historical ("a heart attack years ago"). The phrases and cues live in
``data/patterns/emergency.yml``, which the clinical content team edits; reading, checking
and compiling that file is ``member_health.emergency_patterns``'s job.

The decision fires when at least one *alarm* pattern is affirmed. Matching works on each
token's NORM (lowercased; contractions and listed typos normalised), so "cant breath",
"can't breathe" and "cannot breathe" are the same to the net. Pure module: no Rasa imports.
"""
from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from spacy.tokens import Doc

from member_health.emergency_patterns import (
    CATEGORIES,
    DEFAULT_PATTERNS_PATH,
    EXCEPT,
    PSEUDO,
    TERMINATOR,
    ContextGroup,
    PatternFileError,
    apply_spellings,
    load_patterns,
)

# What other modules import from here (the pattern file's names are re-exported).
__all__ = [
    "AFFIRMED",
    "CATEGORIES",
    "DEFAULT_PATTERNS_PATH",
    "Decision",
    "EmergencyDetector",
    "Match",
    "PatternFileError",
    "detect",
    "load_detector",
]

AFFIRMED = "affirmed"
RECENT_DECISIONS = 64  # per detector: enough for the messages in flight on one server
# After a denial these words introduce what the member does report ("pregnant, no contractions,
# but I have a terrible headache"): the denial no longer speaks for the whole message.
CONTRAST = frozenset({"but", "however", "although", "though", "yet", "except", "besides"})


@dataclass(frozen=True)
class Match:
    """One emergency phrase found in the text (character offsets, no text copied)."""

    pattern_id: str
    category: str
    kind: str
    start: int
    end: int
    status: str = AFFIRMED  # affirmed | negated | hypothetical | historical
    cue: str | None = None  # the context group that discounted it

    @property
    def affirmed(self) -> bool:
        """True when no context cue discounts this match."""
        return self.status == AFFIRMED


@dataclass(frozen=True)
class Decision:
    """The safety net's verdict on one message."""

    fired: bool
    category: str | None = None
    reason: str | None = None  # id of the pattern that decided
    span: tuple[int, int] | None = None  # character span of the deciding match
    matches: tuple[Match, ...] = ()
    contrast_after: int | None = None  # offset of a CONTRAST word after the first match

    def _ids(self, status: str) -> tuple[str, ...]:
        return tuple(m.pattern_id for m in self.matches if m.status == status)

    @property
    def negated(self) -> tuple[str, ...]:
        """Ids of matches discounted by a negation cue."""
        return self._ids("negated")

    @property
    def resolved(self) -> tuple[str, ...]:
        """Ids of matches the member says are over ("the chest pain is gone")."""
        return self._ids("resolved")

    @property
    def hypothetical(self) -> tuple[str, ...]:
        """Ids of matches discounted as hypothetical or educational."""
        return self._ids("hypothetical")

    @property
    def historical(self) -> tuple[str, ...]:
        """Ids of matches discounted as past history."""
        return self._ids("historical")

    @property
    def dismissed(self) -> bool:
        """The member explicitly negates every emergency phrase in the text ("no chest pain").

        Used to overrule a classifier's ``emergency`` guess ("I'm not suicidal, just
        asking"). FAIL-SAFE RULE: an emergency raised by another layer is withdrawn only by the
        member's explicit negation of the very phrase matched. Hypothetical, past or
        "resolved" context ("stopped", "gone", "better") silences only the net's own match,
        never the classifier's. False when nothing emergency-related was found at all, and
        when the member goes on after the denial with "but ..." ("no contractions, but a
        terrible headache"): the classifier may have read what follows.
        """
        return (
            not self.fired
            and bool(self.matches)
            and all(_dismisses(m) for m in self.matches)
            and self.contrast_after is None
        )

    @property
    def affirmed_match(self) -> Match | None:
        """The highest-priority affirmed match of any kind (alarm or mention), if any."""
        affirmed = [m for m in self.matches if m.affirmed]
        return _by_priority(affirmed)[0] if affirmed else None


def _dismisses(match: Match) -> bool:
    return match.status == "negated"


def _by_priority(matches: Sequence[Match]) -> list[Match]:
    return sorted(matches, key=lambda m: (CATEGORIES.index(m.category), m.start))


class EmergencyDetector:
    """Emergency patterns loaded from one pattern file; use ``detect``."""

    def __init__(self, path: str | Path) -> None:
        """Load and validate ``path``; raises ``PatternFileError`` on a bad file."""
        self.path = Path(path)
        self._c = load_patterns(self.path)
        # The last few decisions by text: the server reads each message twice (before the rate
        # limits and in the NLU pipeline), and a Decision is immutable.
        self._recent: OrderedDict[str, Decision] = OrderedDict()

    def detect(self, text: str) -> Decision:
        """Decide whether ``text`` describes an emergency happening now."""
        decision = self._recent.get(text)
        if decision is None:
            decision = self._detect(text)
            self._recent[text] = decision
            if len(self._recent) > RECENT_DECISIONS:
                self._recent.popitem(last=False)
        return decision

    def _detect(self, text: str) -> Decision:
        if not text or not text.strip():
            return Decision(fired=False)
        doc = self._doc(text)
        raw = self._pattern_spans(doc)
        cues = self._cue_spans(doc)
        matches = [self._classify(doc, pid, s, e, cues) for pid, s, e in raw]
        # A mention inside an alarm phrase ("stroke" in "having a stroke") shares its fate.
        alarms = [m for m in matches if m.kind == "alarm"]
        matches = [
            m
            for m in matches
            if m.kind == "alarm"
            or not any(_overlaps((m.start, m.end), (a.start, a.end)) for a in alarms)
        ]
        matches.sort(key=lambda m: (m.start, m.end, m.pattern_id))
        alarms = _by_priority([m for m in matches if m.kind == "alarm" and m.affirmed])
        if not alarms:
            return Decision(
                fired=False, matches=tuple(matches), contrast_after=_contrast_after(doc, matches)
            )
        top = alarms[0]
        return Decision(
            fired=True,
            category=top.category,
            reason=top.pattern_id,
            span=(top.start, top.end),
            matches=tuple(matches),
        )

    # -- internals ---------------------------------------------------------------------
    def _doc(self, text: str) -> Doc:
        # Lowercase first so tokenizer exceptions apply to "I CANT BREATHE" as well; only
        # when that keeps every character offset (a few Unicode letters change length).
        lowered = text.lower()
        doc = self._c.nlp.make_doc(lowered if len(lowered) == len(text) else text)
        apply_spellings(doc, self._c.spellings)
        return doc

    def _pattern_spans(self, doc: Doc) -> list[tuple[str, int, int]]:
        strings = doc.vocab.strings
        found: dict[str, list[tuple[int, int]]] = {}
        for key, start, end in self._c.patterns(doc):
            found.setdefault(strings[key], []).append((start, end))
        spans: list[tuple[str, int, int]] = []
        for label, ranges in found.items():
            if label.endswith(EXCEPT):
                continue
            vetoes = found.get(label + EXCEPT, [])
            for start, end in _maximal(ranges):
                if not any(_overlaps((start, end), veto) for veto in vetoes):
                    spans.append((label, start, end))
        return spans

    def _cue_spans(self, doc: Doc) -> dict[str, list[tuple[int, int]]]:
        strings = doc.vocab.strings
        cues: dict[str, list[tuple[int, int]]] = {}
        if not len(self._c.cues):  # a file without cues: spaCy warns on an empty Matcher
            return {}
        for key, start, end in self._c.cues(doc):
            cues.setdefault(strings[key], []).append((start, end))
        return {label: _maximal(ranges) for label, ranges in cues.items()}

    def _classify(
        self,
        doc: Doc,
        pattern_id: str,
        start: int,
        end: int,
        cues: dict[str, list[tuple[int, int]]],
    ) -> Match:
        category, kind = self._c.info[pattern_id]
        status, cue_id = AFFIRMED, None
        pseudo = cues.get(PSEUDO, [])
        terminators = cues.get(TERMINATOR, [])
        for group in self._c.groups:
            for cue in cues.get(group.id, []):
                if _overlaps(cue, (start, end)) or any(_overlaps(cue, p) for p in pseudo):
                    continue
                if _in_reach(doc, group, cue, (start, end), terminators):
                    status, cue_id = group.effect, group.id
                    break
            if cue_id:
                break
        return Match(
            pattern_id=pattern_id,
            category=category,
            kind=kind,
            start=doc[start].idx,
            end=doc[end - 1].idx + len(doc[end - 1].text),
            status=status,
            cue=cue_id,
        )


def _in_reach(
    doc: Doc,
    group: ContextGroup,
    cue: tuple[int, int],
    match: tuple[int, int],
    terminators: list[tuple[int, int]],
) -> bool:
    if group.direction == "following":
        gap = (cue[1], match[0])
    else:
        gap = (match[1], cue[0])
    if gap[0] > gap[1] or gap[1] - gap[0] > group.window:
        return False
    if match[0] > 0 and doc[match[0] - 1].norm_ in group.unless_preceded_by:
        return False
    if any(gap[0] <= t[0] < gap[1] for t in terminators):
        return False
    return not any(doc[i].norm_ in group.stop_words for i in range(*gap))


def _contrast_after(doc: Doc, matches: Sequence[Match]) -> int | None:
    """Offset of the first CONTRAST word after the first match, followed by more words."""
    if not matches:
        return None
    first_end = min(m.end for m in matches)
    words = [t for t in doc if t.idx >= first_end and not t.is_punct]
    for token in words[:-1]:
        if token.norm_ in CONTRAST:
            return int(token.idx)
    return None


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _maximal(ranges: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Drop duplicate ranges and ranges contained in a longer range."""
    unique = sorted(set(ranges), key=lambda r: (r[0], -(r[1] - r[0])))
    kept: list[tuple[int, int]] = []
    for start, end in unique:
        if not any(k[0] <= start and end <= k[1] for k in kept):
            kept.append((start, end))
    return kept


@lru_cache(maxsize=8)
def _cached_detector(resolved: str) -> EmergencyDetector:
    return EmergencyDetector(resolved)


def load_detector(path: str | Path = DEFAULT_PATTERNS_PATH) -> EmergencyDetector:
    """The detector for ``path``, loaded once per pattern file and process."""
    return _cached_detector(str(Path(path).resolve()))


def detect(text: str, path: str | Path = DEFAULT_PATTERNS_PATH) -> Decision:
    """Decide whether ``text`` describes an emergency now (see the module docstring)."""
    return load_detector(path).detect(text)
