"""YAML read the way Rasa reads it, with the 1-based line of every key, item and text.

ruamel.yaml (Rasa's own YAML library, version 1.2, a key given twice is an error) keeps where
each key and item of a mapping or list starts (``.lc``); loaded strings are plain ``str``, so
a string's line is asked of the mapping or list that holds it. Used by the content lint to
report ``file:line: message``.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarstring import LiteralScalarString

__all__ = ["YAMLError", "Text", "error_line", "key_line", "line", "load", "text", "texts"]


def load(text: str, duplicate_keys: bool = False) -> Any:
    """Parse ``text``; raises :class:`YAMLError` (its ``problem`` and marks say what and where).

    A key given twice in one mapping is an error, as for Rasa, unless ``duplicate_keys`` (then
    the first one counts).
    """
    yaml = YAML(typ="rt", pure=True)
    yaml.version = (1, 2)  # type: ignore[assignment]  # as rasa.shared.utils.io.read_yaml
    yaml.allow_duplicate_keys = duplicate_keys
    return yaml.load(text)


def error_line(error: YAMLError) -> int:
    """The line a syntax error points at (1 if YAML does not say)."""
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    return mark.line + 1 if mark else 1


def key_line(mapping: Any, key: Any) -> int:
    """Line of ``key`` in a loaded mapping (0 if unknown, e.g. not loaded by :func:`load`)."""
    try:
        return mapping.lc.key(key)[0] + 1
    except (AttributeError, KeyError):
        return 0


def line(node: Any, key: Any) -> int:
    """Line where ``node[key]`` starts: a mapping's value or a list's item (0 if unknown).

    A mapping or list starts at its first key or item; a ``|`` block at its ``|``.
    """
    positions: Any = getattr(node, "lc", None)  # ruamel.yaml's LineCol, None if not loaded here
    try:
        position = positions.item(key) if isinstance(node, list) else positions.value(key)
    except (AttributeError, KeyError, IndexError):
        return 0
    return position[0] + 1


@dataclass(frozen=True)
class Text:
    """A string from the file and the line it starts on (for a ``|`` block: the ``|`` line)."""

    value: str
    line: int

    @property
    def block(self) -> bool:
        """Written as a ``|`` block: each line of the text is a line of the file."""
        return isinstance(self.value, LiteralScalarString)

    def line_at(self, index: int) -> int:
        """Line of ``value[index]``: exact in ``|`` blocks, else the line the text starts on."""
        if self.block:
            return self.line + 1 + self.value[:index].count("\n")
        return self.line


def text(node: Any, key: Any) -> Text | None:
    """``node[key]`` (a mapping's value or a list's item) with its line, if it is a string."""
    if isinstance(node, dict):
        value = node.get(key)
    elif isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node):
        value = node[key]
    else:
        return None
    return Text(value, line(node, key)) if isinstance(value, str) else None


def texts(node: Any, key: Any, skip: frozenset[str] = frozenset()) -> Iterator[Text]:
    """Every string in ``node[key]`` (itself, if it is one) in file order: values and items, not
    keys, and nothing under a mapping key in ``skip``."""
    found = text(node, key)
    if found:
        yield found
        return
    child = node[key]
    if isinstance(child, dict):
        keys: Iterable[Any] = [name for name in child if name not in skip]
    else:
        keys = range(len(child)) if isinstance(child, list) else ()
    for name in keys:
        yield from texts(child, name, skip)
