"""The pattern files' word lists: YAML where only true/false are booleans, the plain phrase
syntax, and reading a file into its pydantic model with one-line errors for editors.

PyYAML's safe loader reads ``no``, ``yes``, ``on`` and ``off`` as booleans, so a phrase list
with ``- no`` would hold ``False``. ``WordLoader`` keeps them words. Pure module.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

_OPTION = re.compile(r"[a-z0-9'\-]+\*?")
Model = TypeVar("Model", bound=BaseModel)


class WordLoader(yaml.SafeLoader):
    """YAML loader where only true/false are booleans: "no", "on", "yes" stay words."""


WordLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.copy().items()
}
WordLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def load_words_yaml(text: str) -> Any:
    """``text`` parsed with ``WordLoader`` (raises ``yaml.YAMLError``)."""
    return yaml.load(text, Loader=WordLoader)  # noqa: S506 (a SafeLoader)


def check_phrase(phrase: str) -> str:
    """``phrase`` if it is written as the files' headers say (words, ``a|b`` alternatives,
    ``word*`` prefixes), else ValueError."""
    if not phrase.split():
        raise ValueError(f"empty phrase {phrase!r}")
    for word in phrase.split():
        for option in word.split("|"):
            if not _OPTION.fullmatch(option):
                raise ValueError(f"bad word {option!r} in phrase {phrase!r}")
    return phrase


def entry_path(loc: tuple[Any, ...]) -> str:
    """``('keep', 0)`` -> ``keep[0]`` (the form the content lint turns into a line number)."""
    section, *rest = loc
    return f"{section}[{rest[0]}]" if rest and isinstance(rest[0], int) else str(section)


def read_word_file(path: Path, model: type[Model], error: type[ValueError], what: str) -> Model:
    """``path`` read with ``WordLoader`` and checked by ``model``; any problem raises ``error``
    naming the file and every bad entry on one line (``what`` names the file for editors)."""
    try:
        return model.parse_obj(load_words_yaml(path.read_text(encoding="utf-8")))
    except OSError as problem:
        raise error(f"{path}: cannot read the {what} file ({problem})") from problem
    except yaml.YAMLError as problem:
        raise error(f"{path}: not valid YAML ({problem})") from problem
    except ValidationError as problem:
        problems = "; ".join(f"{entry_path(e['loc'])}: {e['msg']}" for e in problem.errors())
        raise error(f"{path}: {problems}") from problem
