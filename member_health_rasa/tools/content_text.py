"""What the content lint looks for in text: contact details, 911, placeholders, near-miss names,
and YAML's error messages said the way an editor can act on them. Pure functions, no Rasa."""
from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

# 911 in any spelling members would read as the number: 911, 9-1-1, 9.1.1, 9 1 1, nine-one-one.
EMERGENCY_NUMBER = re.compile(
    r"(?<![\w-])9[ .\-]?1[ .\-]?1(?![\w-])|\bnine[ \-]+one[ \-]+one\b", re.IGNORECASE
)
# A phone number: 10 digits with optional separators and country code, 7-digit local numbers,
# and vanity toll-free numbers (1-800-NURSE-NOW).
PHONE_NUMBER = re.compile(
    r"(?<![\w-])(?:\+?1[ .\-]?)?(?:\(\d{3}\)|\d{3})[ .\-]?\d{3}[ .\-]?\d{4}(?![\w-])"
    r"|(?<![\w-])\d{3}[ .\-]\d{4}(?![\w-])"
    r"|(?<![\w-])(?:1[ .\-]?)?8(?:00|33|44|55|66|77|88)[ .\-][A-Z0-9]{3,}(?:[ .\-][A-Z0-9]{2,})?\b"
)
# A link: a URL, www., an e-mail address or a bare web address (plan.org).
LINK = re.compile(
    r"\b(?:https?|ftp)://\S+|\bwww\.\S+|\b[\w.+-]+@[\w-]+\.[\w.]+"
    r"|\b[\w-]+(?:\.[\w-]+)*\.(?:com|org|net|gov|edu|health|info|us|io)\b(?:/\S*)?",
    re.IGNORECASE,
)
# {name}, but not the {{ }} escapes of button payloads such as /inform{{"x": "y"}}.
PLACEHOLDER = re.compile(r"(?<!\{)\{(\w+)\}(?!\})")
# A response name an action sends: "utter_x", or the fixed start of f"utter_x_{...}".
ACTION_RESPONSE = re.compile(r"""["'](utter_[\w/]*)(\{)?""")


def without_placeholders(text: str) -> str:
    """``text`` with every ``{placeholder}`` blanked out (its value is not the editor's text)."""
    return PLACEHOLDER.sub(" ", text)


def contact_details(text: str) -> Iterator[tuple[int, str, str]]:
    """``(index, kind, what)`` for each phone number or link written out in ``text``."""
    plain = without_placeholders(text)
    for kind, pattern in (("a phone number", PHONE_NUMBER), ("a link", LINK)):
        for match in pattern.finditer(plain):
            yield match.start(), kind, match.group(0)


def did_you_mean(name: str, candidates: Iterable[str], cutoff: float = 0.75) -> str | None:
    """The one candidate ``name`` is most likely a typo of, if any is close."""
    close = difflib.get_close_matches(name, sorted(set(candidates) - {name}), n=1, cutoff=cutoff)
    return close[0] if close else None


def action_responses(actions_dir: Path) -> tuple[set[str], set[str]]:
    """Response names the custom actions send: exact names, and prefixes of computed names."""
    names: set[str] = set()
    prefixes: set[str] = set()
    for path in sorted(actions_dir.rglob("*.py")) if actions_dir.is_dir() else []:
        for match in ACTION_RESPONSE.finditer(path.read_text(encoding="utf-8")):
            (prefixes if match.group(2) else names).add(match.group(1))
    return names, prefixes


# PyYAML's words for a syntax error -> what an editor should look at.
YAML_ADVICE = (
    ("found character '\\t'", "a tab character: indent with spaces only"),
    (
        "mapping values are not allowed",
        "a ':' YAML did not expect: this line is indented differently from the lines above "
        "it (two spaces per level), or a text with ': ' in it needs quotes",
    ),
    (
        "expected <block end>",
        "this line is indented differently from the lines above it: line it up with its "
        "neighbours (two spaces per level)",
    ),
    (
        "could not find expected ':'",
        "a line without ':' among settings: check its indentation, and that list items "
        "start with '- '",
    ),
    ("found unexpected end of stream", "a quote or bracket is opened but never closed"),
    ("while scanning a quoted scalar", "a quote is opened but never closed"),
    ("found undefined alias", "a '*' at the start of a text: put the text in quotes"),
    (
        "found duplicate key",
        "a name given twice in the same section (Rasa refuses the file): keep one, or rename "
        "the other",
    ),
)


def yaml_advice(reason: str) -> str:
    """YAML's complaint in an editor's words, keeping YAML's own for an engineer."""
    if reason.startswith("found duplicate key"):
        reason = reason.split(" with value ", 1)[0]  # the key, not its (whole) value
    for needle, advice in YAML_ADVICE:
        if needle in reason:
            return f"{advice} (YAML says: {reason})"
    return f"cannot be read as YAML: {reason}"
