"""YAML for the pattern files' word lists: only true/false are booleans.

PyYAML's safe loader reads ``no``, ``yes``, ``on`` and ``off`` as booleans, so a phrase list
with ``- no`` would hold ``False``. ``WordLoader`` keeps them words. Pure module.
"""
from __future__ import annotations

import re
from typing import Any

import yaml


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
