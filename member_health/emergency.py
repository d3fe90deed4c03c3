"""Deterministic emergency safety net: spaCy patterns plus NegEx-style context.

``detect(text)`` finds emergency phrases ("I can't breathe", "my wife won't wake up") with a
spaCy ``Matcher`` over a blank English tokenizer, then discounts matches that are negated
("no chest pain"), hypothetical or educational ("what are the signs of a stroke?") or
historical ("a heart attack years ago"). The phrases and cues live in
``data/patterns/emergency.yml``, which the clinical content team edits; the file is
validated on load and every mistake is reported with the file and the entry.

The decision fires when at least one *alarm* pattern is affirmed. Matching works on each
token's NORM (lowercased; contractions and listed typos normalised), so "cant breath",
"can't breathe" and "cannot breathe" are the same to the net. Pure module: no Rasa imports.
"""
from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import spacy
import yaml
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc

from member_health.paths import ROOT

DEFAULT_PATTERNS_PATH = ROOT / "data" / "patterns" / "emergency.yml"

# The reply depends on the category (data/responses/emergency.yml), so the set is closed.
# Listed in priority order: when several alarms fire, the first category wins.
CATEGORIES = ("self_harm", "harm_others", "labor", "medical", "unspecified")
KINDS = ("alarm", "mention")
EFFECTS = ("negated", "resolved", "hypothetical", "historical")
DIRECTIONS = ("following", "preceding")
AFFIRMED = "affirmed"
GAP_LENGTH = 3  # "..." in a phrase: up to this many words
MAX_WINDOW = 20

_ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_TOP_KEYS = {
    "version",
    "spellings",
    "gap_excludes",
    "terminators",
    "pseudo_cues",
    "context",
    "patterns",
}
_PATTERN_KEYS = {"id", "category", "kind", "phrases", "tokens", "except"}
_CONTEXT_KEYS = {
    "id",
    "effect",
    "applies_to",
    "window",
    "stop_words",
    "unless_preceded_by",
    "cues",
}
# Every "can't" in a phrase also matches these (members write all of them).
_SAME_AS_CANT = (("unable", "to"), ("not", "able", "to"), ("could", "not"))
_PSEUDO = "__pseudo__"
_TERMINATOR = "__terminator__"
_EXCEPT = "__except__"

TokenPattern = list[dict[str, Any]]


class _Loader(yaml.SafeLoader):
    """YAML loader where only true/false are booleans: "no", "on", "yes" stay words."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.copy().items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


class PatternFileError(ValueError):
    """The emergency pattern file is malformed; the message names the file and the entry."""


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
        never the classifier's. False when nothing emergency-related was found at all.
        """
        return not self.fired and bool(self.matches) and all(_dismisses(m) for m in self.matches)

    @property
    def affirmed_match(self) -> Match | None:
        """The highest-priority affirmed match of any kind (alarm or mention), if any."""
        affirmed = [m for m in self.matches if m.affirmed]
        return _by_priority(affirmed)[0] if affirmed else None


@dataclass(frozen=True)
class _ContextGroup:
    id: str
    effect: str
    direction: str
    window: int
    stop_words: frozenset
    unless_preceded_by: frozenset


@dataclass
class _Compiled:
    nlp: Language
    spellings: dict[str, str]
    patterns: Matcher
    cues: Matcher
    info: dict[str, tuple[str, str]] = field(default_factory=dict)  # id -> (category, kind)
    groups: list[_ContextGroup] = field(default_factory=list)


def _dismisses(match: Match) -> bool:
    return match.status == "negated"


def _by_priority(matches: Sequence[Match]) -> list[Match]:
    return sorted(matches, key=lambda m: (CATEGORIES.index(m.category), m.start))


class EmergencyDetector:
    """Emergency patterns loaded from one pattern file; use ``detect``."""

    def __init__(self, path: str | Path) -> None:
        """Load and validate ``path``; raises ``PatternFileError`` on a bad file."""
        self.path = Path(path)
        self._c = _load(self.path)

    def detect(self, text: str) -> Decision:
        """Decide whether ``text`` describes an emergency happening now."""
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
            return Decision(fired=False, matches=tuple(matches))
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
        _apply_spellings(doc, self._c.spellings)
        return doc

    def _pattern_spans(self, doc: Doc) -> list[tuple[str, int, int]]:
        strings = doc.vocab.strings
        found: dict[str, list[tuple[int, int]]] = {}
        for key, start, end in self._c.patterns(doc):
            found.setdefault(strings[key], []).append((start, end))
        spans: list[tuple[str, int, int]] = []
        for label, ranges in found.items():
            if label.endswith(_EXCEPT):
                continue
            vetoes = found.get(label + _EXCEPT, [])
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
        pseudo = cues.get(_PSEUDO, [])
        terminators = cues.get(_TERMINATOR, [])
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
    group: _ContextGroup,
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


def _apply_spellings(doc: Doc, spellings: dict[str, str]) -> None:
    for token in doc:
        fixed = spellings.get(token.norm_)
        if fixed:
            token.norm_ = fixed


# -- loading and validation ------------------------------------------------------------
def _load(path: Path) -> _Compiled:
    where = str(path)
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)  # noqa: S506
    except OSError as exc:
        raise PatternFileError(f"{where}: cannot read the emergency pattern file ({exc})") from exc
    except yaml.YAMLError as exc:
        raise PatternFileError(f"{where}: not valid YAML ({exc})") from exc
    if not isinstance(data, dict):
        raise PatternFileError(f"{where}: the file must be a mapping with a 'patterns' list")
    unknown = set(data) - _TOP_KEYS
    if unknown:
        raise PatternFileError(f"{where}: unknown top-level key(s): {', '.join(sorted(unknown))}")

    nlp = spacy.blank("en")
    spellings = _spellings(where, data.get("spellings") or {})
    gap_excludes = _words(where, "gap_excludes", data.get("gap_excludes") or [])
    compiler = _PhraseCompiler(nlp, spellings, gap_excludes)
    compiled = _Compiled(
        nlp=nlp,
        spellings=spellings,
        patterns=Matcher(nlp.vocab, validate=True),
        cues=Matcher(nlp.vocab, validate=True),
    )
    for i, phrase in enumerate(_strings(where, "terminators", data.get("terminators") or [])):
        compiler.add(compiled.cues, _TERMINATOR, phrase, f"{where}: terminators[{i}]")
    for i, phrase in enumerate(_strings(where, "pseudo_cues", data.get("pseudo_cues") or [])):
        compiler.add(compiled.cues, _PSEUDO, phrase, f"{where}: pseudo_cues[{i}]")
    _load_context(where, data.get("context") or [], compiler, compiled)
    _load_patterns(where, data.get("patterns"), compiler, compiled)
    return compiled


def _load_context(where: str, groups: Any, compiler: _PhraseCompiler, out: _Compiled) -> None:
    if not isinstance(groups, list):
        raise PatternFileError(f"{where}: 'context' must be a list of cue groups")
    seen: set[str] = set()
    for i, group in enumerate(groups):
        label = f"{where}: context[{i}]"
        if not isinstance(group, dict):
            raise PatternFileError(f"{label}: each cue group must be a mapping")
        gid = group.get("id")
        label = f"{label} (id {gid!r})"
        _check_keys(label, group, _CONTEXT_KEYS, required={"id", "effect", "applies_to", "cues"})
        gid = _check_id(label, gid, seen)
        _check_choice(label, "effect", group["effect"], EFFECTS)
        _check_choice(label, "applies_to", group["applies_to"], DIRECTIONS)
        window = group.get("window", 5)
        if not isinstance(window, int) or isinstance(window, bool) or not 0 <= window <= MAX_WINDOW:
            raise PatternFileError(f"{label}: 'window' must be a whole number 0..{MAX_WINDOW}")
        stop_words = _words(label, "stop_words", group.get("stop_words") or [])
        unless = _words(label, "unless_preceded_by", group.get("unless_preceded_by") or [])
        cues = _strings(label, "cues", group["cues"])
        if not cues:
            raise PatternFileError(f"{label}: 'cues' must not be empty")
        for j, phrase in enumerate(cues):
            compiler.add(out.cues, gid, phrase, f"{label}: cues[{j}]")
        out.groups.append(
            _ContextGroup(
                id=gid,
                effect=group["effect"],
                direction=group["applies_to"],
                window=window,
                stop_words=frozenset(stop_words),
                unless_preceded_by=frozenset(unless),
            )
        )


def _load_patterns(where: str, patterns: Any, compiler: _PhraseCompiler, out: _Compiled) -> None:
    if not isinstance(patterns, list) or not patterns:
        raise PatternFileError(f"{where}: 'patterns' must be a non-empty list")
    seen: set[str] = set()
    for i, entry in enumerate(patterns):
        label = f"{where}: patterns[{i}]"
        if not isinstance(entry, dict):
            raise PatternFileError(f"{label}: each pattern must be a mapping")
        pid = entry.get("id")
        label = f"{label} (id {pid!r})"
        _check_keys(label, entry, _PATTERN_KEYS, required={"id", "category"})
        pid = _check_id(label, pid, seen)
        _check_choice(label, "category", entry["category"], CATEGORIES)
        kind = entry.get("kind", "alarm")
        _check_choice(label, "kind", kind, KINDS)
        phrases = _strings(label, "phrases", entry.get("phrases") or [])
        tokens = entry.get("tokens") or []
        if not phrases and not tokens:
            raise PatternFileError(f"{label}: needs 'phrases' or 'tokens'")
        for j, phrase in enumerate(phrases):
            compiler.add(out.patterns, pid, phrase, f"{label}: phrases[{j}]")
        _add_token_patterns(label, out.patterns, pid, tokens)
        for j, phrase in enumerate(_strings(label, "except", entry.get("except") or [])):
            compiler.add(out.patterns, pid + _EXCEPT, phrase, f"{label}: except[{j}]")
        out.info[pid] = (entry["category"], kind)


def _add_token_patterns(label: str, matcher: Matcher, pid: str, tokens: Any) -> None:
    if not isinstance(tokens, list) or not all(
        isinstance(p, list) and p and all(isinstance(t, dict) for t in p) for p in tokens
    ):
        raise PatternFileError(f"{label}: 'tokens' must be a list of spaCy token patterns")
    for j, pattern in enumerate(tokens):
        try:
            matcher.add(pid, [pattern], greedy="LONGEST")
        except (ValueError, KeyError, TypeError) as exc:
            raise PatternFileError(
                f"{label}: tokens[{j}] is not a valid spaCy pattern: {exc}"
            ) from exc


class _PhraseCompiler:
    """Turns the file's phrase syntax into spaCy Matcher token patterns on NORM."""

    def __init__(self, nlp: Language, spellings: dict[str, str], gap_excludes: list[str]) -> None:
        self.nlp = nlp
        self.spellings = spellings
        self.gap_token = {"IS_PUNCT": False, "NORM": {"NOT_IN": gap_excludes}, "OP": "?"}

    def add(self, matcher: Matcher, label: str, phrase: str, where: str) -> None:
        """Compile ``phrase`` and add it to ``matcher`` under ``label``."""
        patterns = self.compile(phrase, where)
        try:
            matcher.add(label, patterns, greedy="LONGEST")
        except (ValueError, KeyError, TypeError) as exc:  # pragma: no cover - defensive
            raise PatternFileError(f"{where}: {phrase!r} is not a valid pattern: {exc}") from exc

    def compile(self, phrase: str, where: str) -> list[TokenPattern]:
        """All token patterns for one phrase (alternatives of different length expand)."""
        items = phrase.split()
        if not items:
            raise PatternFileError(f"{where}: empty phrase")
        if items[0] == "..." or items[-1] == "...":
            raise PatternFileError(f"{where}: {phrase!r} must not start or end with '...'")
        options = [self._item(item, phrase, where) for item in items]
        if all([] in option or item == "..." for option, item in zip(options, items, strict=True)):
            raise PatternFileError(f"{where}: {phrase!r} has no required word")
        patterns = []
        for combo in itertools.product(*options):
            pattern = [token for part in combo for token in part]
            if any(t.get("OP") != "?" for t in pattern):
                patterns.append(pattern)
        return patterns

    def _item(self, item: str, phrase: str, where: str) -> list[TokenPattern]:
        if item == "...":
            return [[dict(self.gap_token) for _ in range(GAP_LENGTH)]]
        if item.startswith("re:"):
            regex = item[3:]
            try:
                re.compile(regex)
            except re.error as exc:
                raise PatternFileError(
                    f"{where}: bad regular expression {regex!r} ({exc})"
                ) from exc
            return [[{"NORM": {"REGEX": regex}}]]
        optional = len(item) > 1 and item.endswith("?")
        alternatives = (item[:-1] if optional else item).split("|")
        if any(not alt for alt in alternatives):
            raise PatternFileError(f"{where}: {phrase!r} has an empty alternative in {item!r}")
        singles: list[str] = []
        multi: list[TokenPattern] = []
        for alt in alternatives:
            norms = self.norms(alt)
            if len(norms) == 1:
                singles.append(norms[0])
            else:
                multi.append([{"NORM": n} for n in norms])
            if norms == ["can", "not"]:  # "unable to breathe", "not able to", "couldn't"
                multi += [[{"NORM": n} for n in same] for same in _SAME_AS_CANT]
        options: list[TokenPattern] = list(multi)
        if len(singles) == 1:
            options.insert(0, [{"NORM": singles[0]}])
        elif singles:
            options.insert(0, [{"NORM": {"IN": sorted(set(singles))}}])
        if optional:
            options.append([])
        return options

    def norms(self, words: str) -> list[str]:
        """Normalised tokens of ``words``, exactly as message text is normalised."""
        doc = self.nlp.make_doc(words)
        _apply_spellings(doc, self.spellings)
        return [t.norm_ for t in doc]


def _check_keys(label: str, entry: dict[str, Any], allowed: set[str], required: set[str]) -> None:
    unknown = set(entry) - allowed
    if unknown:
        raise PatternFileError(f"{label}: unknown key(s): {', '.join(sorted(unknown))}")
    missing = required - set(entry)
    if missing:
        raise PatternFileError(f"{label}: missing key(s): {', '.join(sorted(missing))}")


def _check_id(label: str, value: Any, seen: set[str]) -> str:
    """``value`` if it is a new, well-formed id (then remembered in ``seen``)."""
    if not isinstance(value, str) or not _ID_RE.match(value):
        raise PatternFileError(f"{label}: 'id' must be lowercase letters, digits and _")
    if value in seen:
        raise PatternFileError(f"{label}: duplicate id {value!r}")
    seen.add(value)
    return value


def _check_choice(label: str, key: str, value: Any, choices: Sequence[str]) -> None:
    if value not in choices:
        raise PatternFileError(
            f"{label}: {key!r} is {value!r}, must be one of {', '.join(choices)}"
        )


def _strings(label: str, key: str, value: Any) -> list[str]:
    if isinstance(value, list):  # a bare number such as 911 is a word too
        value = [
            str(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v for v in value
        ]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise PatternFileError(f"{label}: '{key}' must be a list of non-empty text phrases")
    return value


def _words(label: str, key: str, value: Any) -> list[str]:
    words = _strings(label, key, value)
    bad = [w for w in words if len(w.split()) != 1 or w != w.lower()]
    if bad:
        raise PatternFileError(f"{label}: '{key}' must be single lowercase words, not {bad}")
    return words


def _spellings(where: str, value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        raise PatternFileError(f"{where}: 'spellings' must map a word to its spelling")
    out: dict[str, str] = {}
    for key, fixed in value.items():
        ok = all(
            isinstance(v, str) and len(v.split()) == 1 and v == v.lower() for v in (key, fixed)
        )
        if not ok:
            raise PatternFileError(
                f"{where}: spellings entry {key!r}: {fixed!r} must be single lowercase words"
            )
        out[key] = fixed
    return out


@lru_cache(maxsize=8)
def _cached_detector(resolved: str) -> EmergencyDetector:
    return EmergencyDetector(resolved)


def load_detector(path: str | Path = DEFAULT_PATTERNS_PATH) -> EmergencyDetector:
    """The detector for ``path``, loaded once per pattern file and process."""
    return _cached_detector(str(Path(path).resolve()))


def detect(text: str, path: str | Path = DEFAULT_PATTERNS_PATH) -> Decision:
    """Decide whether ``text`` describes an emergency now (see the module docstring)."""
    return load_detector(path).detect(text)
