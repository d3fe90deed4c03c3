"""The emergency pattern file (``data/patterns/emergency.yml``): read, check, compile.

The clinical content team edits the file (its header explains the phrase syntax). This module
checks it with pydantic (``PatternFile``) and reports every mistake on one line, naming the
file and the entry: ``<file>: patterns[3] (id 'x'): 'category' is 'urgent', must be one of
...``; the content lint turns ``key[index]`` into the entry's line. A file that passes is
compiled into spaCy ``Matcher`` token patterns on NORM (``load_patterns``); the detector that
uses them is ``member_health.emergency``. Pure module: no Rasa imports.
"""
from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Literal, get_args

import spacy
import yaml
from pydantic import (
    BaseModel,
    ConstrainedInt,
    ConstrainedStr,
    Extra,
    Field,
    ValidationError,
    root_validator,
    validator,
)
from pydantic.error_wrappers import ErrorWrapper
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc

from member_health.paths import ROOT
from member_health.word_yaml import load_words_yaml

DEFAULT_PATTERNS_PATH = ROOT / "data" / "patterns" / "emergency.yml"

# The reply depends on the category (data/responses/emergency.yml), so the set is closed.
# Listed in priority order: when several alarms fire, the first category wins.
Category = Literal["self_harm", "harm_others", "labor", "medical", "unspecified"]
Kind = Literal["alarm", "mention"]
Effect = Literal["negated", "resolved", "hypothetical", "historical"]
Direction = Literal["following", "preceding"]
CATEGORIES: tuple[str, ...] = get_args(Category)
KINDS: tuple[str, ...] = get_args(Kind)
EFFECTS: tuple[str, ...] = get_args(Effect)
DIRECTIONS: tuple[str, ...] = get_args(Direction)
GAP_LENGTH = 3  # "..." in a phrase: up to this many words
MAX_WINDOW = 20

# Matcher labels besides the pattern and cue group ids.
PSEUDO = "__pseudo__"
TERMINATOR = "__terminator__"
EXCEPT = "__except__"  # suffix: "<pattern id>__except__"

# Every "can't" in a phrase also matches these (members write all of them).
_SAME_AS_CANT = (("unable", "to"), ("not", "able", "to"), ("could", "not"))

TokenPattern = list[dict[str, Any]]


class PatternFileError(ValueError):
    """The emergency pattern file is malformed; the message names the file and the entry."""


# -- the file's schema -------------------------------------------------------------------
# A field's ``description`` completes "'<key>' must ..." when a value has the wrong shape;
# validators raise ``ValueError`` with the whole message when they know better.


def check_phrase(phrase: str) -> str:
    """``phrase`` if its syntax is right (see the pattern file's header), else ValueError."""
    items = phrase.split()
    if not items:
        raise ValueError("empty phrase")
    if items[0] == "..." or items[-1] == "...":
        raise ValueError(f"{phrase!r} must not start or end with '...'")
    for item in items:
        if item.startswith("re:"):
            try:
                re.compile(item[3:])
            except re.error as exc:
                raise ValueError(f"bad regular expression {item[3:]!r} ({exc})") from exc
        elif item != "..." and "" in _alternatives(item):
            raise ValueError(f"{phrase!r} has an empty alternative in {item!r}")
    if all(item == "..." or _optional(item) for item in items):
        raise ValueError(f"{phrase!r} has no required word")
    return phrase


def _optional(item: str) -> bool:
    return not item.startswith("re:") and len(item) > 1 and item.endswith("?")


def _alternatives(item: str) -> list[str]:
    return (item[:-1] if _optional(item) else item).split("|")


class Text(str):
    """Non-empty text (a bare number such as 911 is text too)."""

    @classmethod
    def __get_validators__(cls) -> Iterator[Callable[[Any], str]]:
        yield cls.text

    @staticmethod
    def text(value: Any) -> str:
        """``value`` as text; TypeError (the field's description) if it is not text."""
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not value.strip():
            raise TypeError("not a non-empty text phrase")
        return value


class Phrase(Text):
    """A phrase in the pattern file's syntax."""

    @classmethod
    def __get_validators__(cls) -> Iterator[Callable[[Any], str]]:
        yield cls.text
        yield check_phrase


class Id(ConstrainedStr):
    """A pattern or cue group id: it is recorded as the reason of a decision."""

    strict = True
    regex = re.compile(r"^[a-z][a-z0-9_]*$")


class Window(ConstrainedInt):
    """How many words may stand between a cue and a match (true/false are not numbers)."""

    strict = True
    ge = 0
    le = MAX_WINDOW


_PHRASES = "be a list of non-empty text phrases"
_WORDS = "be a list of single lowercase words"
_ID = "be lowercase letters, digits and _"


def _or_empty(value: Any) -> Any:
    """An optional list left empty or null ("phrases:") is an empty list."""
    return value or []


def _single_words(value: list[str], field: Any) -> list[str]:
    bad = [w for w in value if len(w.split()) != 1 or w != w.lower()]
    if bad:
        raise ValueError(f"'{field.alias}' must be single lowercase words, not {bad}")
    return value


class _Entry(BaseModel, extra=Extra.forbid):
    """A mapping in one of the file's lists (a pattern or a cue group)."""

    noun: ClassVar[str] = "entry"

    @classmethod
    def validate(cls: type[Any], value: Any) -> Any:
        """Only a mapping (pydantic would also turn a list of pairs into one)."""
        if not isinstance(value, dict):
            raise ValueError(f"each {cls.noun} must be a mapping")
        return super().validate(value)


class ContextEntry(_Entry):
    """One NegEx-style cue group (``context:``)."""

    noun: ClassVar[str] = "cue group"

    id: Id = Field(..., description=_ID)
    effect: Effect = Field(..., description="be one of " + ", ".join(get_args(Effect)))
    applies_to: Direction = Field(..., description="be one of " + ", ".join(get_args(Direction)))
    window: Window = Field(5, description=f"be a whole number 0..{MAX_WINDOW}")
    stop_words: list[Text] = Field([], description=_WORDS)
    unless_preceded_by: list[Text] = Field([], description=_WORDS)
    cues: list[Phrase] = Field(..., description=_PHRASES)

    _optional_lists = validator("stop_words", "unless_preceded_by", pre=True, allow_reuse=True)(
        _or_empty
    )
    _words = validator("stop_words", "unless_preceded_by", allow_reuse=True)(_single_words)

    @validator("cues")
    def _some_cues(cls, cues: list[str]) -> list[str]:  # noqa: N805 (pydantic validators take cls)
        if not cues:
            raise ValueError("'cues' must not be empty")
        return cues


class PatternEntry(_Entry):
    """One emergency phrase group (``patterns:``)."""

    noun: ClassVar[str] = "pattern"

    id: Id = Field(..., description=_ID)
    category: Category = Field(..., description="be one of " + ", ".join(get_args(Category)))
    kind: Kind = Field("alarm", description="be one of " + ", ".join(get_args(Kind)))
    phrases: list[Phrase] = Field([], description=_PHRASES)
    tokens: list[list[dict[Any, Any]]] = Field([], description="be a list of spaCy token patterns")
    except_: list[Phrase] = Field([], alias="except", description=_PHRASES)

    _optional_lists = validator("phrases", "except_", pre=True, allow_reuse=True)(_or_empty)

    @validator("tokens", pre=True)
    def _token_patterns(cls, tokens: Any) -> Any:  # noqa: N805
        tokens = tokens or []
        if not isinstance(tokens, list) or not all(
            isinstance(p, list) and p and all(isinstance(t, dict) for t in p) for p in tokens
        ):
            raise TypeError("not a list of token patterns")
        return tokens

    @root_validator(skip_on_failure=True)
    def _phrases_or_tokens(cls, values: dict[str, Any]) -> dict[str, Any]:  # noqa: N805
        if not values.get("phrases") and not values.get("tokens"):
            raise ValueError("needs 'phrases' or 'tokens'")
        return values


def _unique_ids(entries: list[Any]) -> list[Any]:
    """Each id once per list (the error names the entry that repeats one)."""
    seen: set[str] = set()
    errors = []
    for index, entry in enumerate(entries):
        if entry.id in seen:
            errors.append(ErrorWrapper(ValueError(f"duplicate id {entry.id!r}"), (index, "id")))
        seen.add(entry.id)
    if errors:
        raise ValidationError(errors, PatternFile)
    return entries


class PatternFile(BaseModel, extra=Extra.forbid):
    """The whole file, in the order it is checked."""

    version: Any = None
    spellings: dict[str, str] = Field({}, description="map a word to its spelling")
    gap_excludes: list[Text] = Field([], description=_WORDS)
    terminators: list[Phrase] = Field([], description=_PHRASES)
    pseudo_cues: list[Phrase] = Field([], description=_PHRASES)
    context: list[ContextEntry] = Field([], description="be a list of cue groups")
    patterns: list[PatternEntry] = Field(..., min_items=1, description="be a non-empty list")

    _optional = validator(
        "gap_excludes", "terminators", "pseudo_cues", "context", pre=True, allow_reuse=True
    )(_or_empty)
    _words = validator("gap_excludes", allow_reuse=True)(_single_words)
    _ids = validator("context", "patterns", allow_reuse=True)(_unique_ids)

    @validator("spellings", pre=True)
    def _spellings(cls, value: Any) -> Any:  # noqa: N805
        value = value or {}
        if not isinstance(value, dict):
            raise TypeError("not a mapping")
        for key, fixed in value.items():
            ok = all(
                isinstance(v, str) and len(v.split()) == 1 and v == v.lower() for v in (key, fixed)
            )
            if not ok:
                raise ValueError(
                    f"spellings entry {key!r}: {fixed!r} must be single lowercase words"
                )
        return value


_DESCRIPTIONS = {
    f.alias: f.field_info.description
    for model in (PatternFile, ContextEntry, PatternEntry)
    for f in model.__fields__.values()
    if f.field_info.description
}
_ENTRY_LISTS = ("context", "patterns")


def _label(loc: tuple[Any, ...], data: Any) -> str:
    """``('patterns', 3, 'phrases', 0, 'x')`` -> ``patterns[3] (id 'x'): phrases[0]``."""
    parts = []
    for i, key in enumerate(loc[:-1]):
        index = loc[i + 1]
        if not isinstance(key, str) or not isinstance(index, int):
            continue
        part = f"{key}[{index}]"
        entries = data.get(key) if i == 0 and key in _ENTRY_LISTS else None
        if isinstance(entries, list) and isinstance(entries[index], dict):
            part += f" (id {entries[index].get('id')!r})"
        parts.append(part)
    return ": ".join(parts)


def _problems(error: ValidationError, data: dict[str, Any]) -> list[str]:
    """Every mistake as ``<entry>: <what is wrong>`` (unknown or missing keys: one per entry)."""
    found: list[tuple[str, str, list[str]]] = []  # (label, message, keys)
    key_lists: dict[tuple[str, str], list[str]] = {}
    for e in error.errors():
        loc = tuple(k for k in e["loc"] if k != "__root__")
        label = _label(loc, data)
        key = next((k for k in reversed(loc) if isinstance(k, str)), "")
        if e["type"] in ("value_error.extra", "value_error.missing"):
            if e["type"] == "value_error.missing":
                what = "missing key(s)"
            else:
                what = "unknown top-level key(s)" if len(loc) == 1 else "unknown key(s)"
            if (label, what) not in key_lists:
                key_lists[(label, what)] = []
                found.append((label, what, key_lists[(label, what)]))
            key_lists[(label, what)].append(key)
            continue
        if e["type"] == "value_error":  # a validator's own message
            message = e["msg"]
        elif e["type"] == "value_error.const":
            permitted = ", ".join(e["ctx"]["permitted"])
            message = f"{key!r} is {e['ctx']['given']!r}, must be one of {permitted}"
        elif key in _DESCRIPTIONS:
            message = f"{key!r} must {_DESCRIPTIONS[key]}"
        else:  # pragma: no cover - every field has a description
            message = f"{key!r}: {e['msg']}"
        found.append((label, message, []))
    lines = []
    for label, message, keys in found:
        if keys:
            message = f"{message}: {', '.join(sorted(keys))}"
        lines.append(f"{label}: {message}" if label else message)
    return lines


def read_pattern_file(path: str | Path) -> PatternFile:
    """Read and check ``path``; ``PatternFileError`` lists every mistake on one line."""
    path = Path(path)
    data = _read_yaml(path)
    try:
        return PatternFile.parse_obj(data)
    except ValidationError as error:
        raise PatternFileError(f"{path}: " + "; ".join(_problems(error, data))) from error


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = load_words_yaml(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PatternFileError(f"{path}: cannot read the emergency pattern file ({exc})") from exc
    except yaml.YAMLError as exc:
        raise PatternFileError(f"{path}: not valid YAML ({exc})") from exc
    if not isinstance(data, dict):
        raise PatternFileError(f"{path}: the file must be a mapping with a 'patterns' list")
    return data


# -- compiling ------------------------------------------------------------------------------
@dataclass(frozen=True)
class ContextGroup:
    """A cue group, compiled: its cues are in ``CompiledPatterns.cues`` under ``id``."""

    id: str
    effect: str
    direction: str
    window: int
    stop_words: frozenset[str]
    unless_preceded_by: frozenset[str]


@dataclass
class CompiledPatterns:
    """One pattern file, ready to match: the tokenizer and two spaCy matchers."""

    nlp: Language
    spellings: dict[str, str]
    patterns: Matcher  # pattern ids (and "<id>__except__")
    cues: Matcher  # cue group ids, PSEUDO and TERMINATOR
    info: dict[str, tuple[str, str]] = field(default_factory=dict)  # id -> (category, kind)
    groups: list[ContextGroup] = field(default_factory=list)


def apply_spellings(doc: Doc, spellings: dict[str, str]) -> None:
    """Set each listed misspelling's NORM to its spelling (phrases and messages alike)."""
    for token in doc:
        fixed = spellings.get(token.norm_)
        if fixed:
            token.norm_ = fixed


def load_patterns(path: str | Path = DEFAULT_PATTERNS_PATH) -> CompiledPatterns:
    """Read, check and compile ``path`` (raises ``PatternFileError`` on a bad file)."""
    return compile_patterns(read_pattern_file(path), Path(path))


def compile_patterns(spec: PatternFile, path: Path) -> CompiledPatterns:
    """The matchers for a checked pattern file (``path`` only names it in errors)."""
    nlp = spacy.blank("en")
    compiler = _PhraseCompiler(nlp, spec.spellings, spec.gap_excludes)
    out = CompiledPatterns(
        nlp=nlp,
        spellings=spec.spellings,
        patterns=Matcher(nlp.vocab, validate=True),
        cues=Matcher(nlp.vocab, validate=True),
    )
    where = str(path)
    for i, phrase in enumerate(spec.terminators):
        compiler.add(out.cues, TERMINATOR, phrase, f"{where}: terminators[{i}]")
    for i, phrase in enumerate(spec.pseudo_cues):
        compiler.add(out.cues, PSEUDO, phrase, f"{where}: pseudo_cues[{i}]")
    for i, group in enumerate(spec.context):
        label = f"{where}: context[{i}] (id {group.id!r})"
        for j, phrase in enumerate(group.cues):
            compiler.add(out.cues, group.id, phrase, f"{label}: cues[{j}]")
        out.groups.append(
            ContextGroup(
                id=group.id,
                effect=group.effect,
                direction=group.applies_to,
                window=group.window,
                stop_words=frozenset(group.stop_words),
                unless_preceded_by=frozenset(group.unless_preceded_by),
            )
        )
    for i, entry in enumerate(spec.patterns):
        label = f"{where}: patterns[{i}] (id {entry.id!r})"
        for j, phrase in enumerate(entry.phrases):
            compiler.add(out.patterns, entry.id, phrase, f"{label}: phrases[{j}]")
        for j, pattern in enumerate(entry.tokens):
            try:
                out.patterns.add(entry.id, [pattern], greedy="LONGEST")
            except (ValueError, KeyError, TypeError) as exc:
                raise PatternFileError(
                    f"{label}: tokens[{j}] is not a valid spaCy pattern: {exc}"
                ) from exc
        for j, phrase in enumerate(entry.except_):
            compiler.add(out.patterns, entry.id + EXCEPT, phrase, f"{label}: except[{j}]")
        out.info[entry.id] = (entry.category, entry.kind)
    return out


class _PhraseCompiler:
    """Turns the file's phrase syntax into spaCy Matcher token patterns on NORM."""

    def __init__(
        self, nlp: Language, spellings: dict[str, str], gap_excludes: Sequence[str]
    ) -> None:
        self.nlp = nlp
        self.spellings = spellings
        self.gap_token = {"IS_PUNCT": False, "NORM": {"NOT_IN": list(gap_excludes)}, "OP": "?"}

    def add(self, matcher: Matcher, label: str, phrase: str, where: str) -> None:
        """Compile ``phrase`` (checked by ``check_phrase``) and add it under ``label``."""
        try:
            matcher.add(label, self.compile(phrase), greedy="LONGEST")
        except (ValueError, KeyError, TypeError) as exc:  # pragma: no cover - defensive
            raise PatternFileError(f"{where}: {phrase!r} is not a valid pattern: {exc}") from exc

    def compile(self, phrase: str) -> list[TokenPattern]:
        """All token patterns for one phrase (alternatives of different length expand)."""
        options = [self._item(item) for item in phrase.split()]
        patterns = []
        for combo in itertools.product(*options):
            pattern = [token for part in combo for token in part]
            if any(t.get("OP") != "?" for t in pattern):
                patterns.append(pattern)
        return patterns

    def _item(self, item: str) -> list[TokenPattern]:
        if item == "...":
            return [[dict(self.gap_token) for _ in range(GAP_LENGTH)]]
        if item.startswith("re:"):
            return [[{"NORM": {"REGEX": item[3:]}}]]
        singles: list[str] = []
        multi: list[TokenPattern] = []
        for alt in _alternatives(item):
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
        if _optional(item):
            options.append([])
        return options

    def norms(self, words: str) -> list[str]:
        """Normalised tokens of ``words``, exactly as message text is normalised."""
        doc = self.nlp.make_doc(words)
        apply_spellings(doc, self.spellings)
        return [t.norm_ for t in doc]
