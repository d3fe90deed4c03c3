"""The emergency classifier's extra training examples (data/patterns/emergency_examples.yml).

A mapping ``emergency`` / ``calm`` -> {category: [texts]}: the categories are free names for
editors, only the two top-level keys decide the label. Read at ``rasa train`` by
member_health_rasa/nlu/emergency_classifier.py and checked by the content lint (file:line).
"""
from __future__ import annotations

from pathlib import Path

import yaml

LABELS = {"emergency": 1, "calm": 0}


class ExamplesFileError(ValueError):
    """The examples file is missing or malformed (the message names the file)."""


def load_examples(path: Path) -> list[tuple[str, int]]:
    """``(text, 1 = emergency / 0 = calm)`` for every example in the file."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise ExamplesFileError(f"{path}: cannot read the emergency examples ({error})") from error
    if not isinstance(data, dict) or not set(data) <= {"version", *LABELS}:
        raise ExamplesFileError(f"{path}: top-level keys must be 'emergency' and 'calm'")
    out = []
    for label, value in LABELS.items():
        categories = data.get(label) or {}
        if not isinstance(categories, dict):
            raise ExamplesFileError(f"{path}: '{label}' must map categories to lists of texts")
        for category, texts in categories.items():
            if not isinstance(texts, list) or not all(isinstance(t, str) and t for t in texts):
                raise ExamplesFileError(f"{path}: '{label}.{category}' must be a list of texts")
            out += [(text, value) for text in texts]
    return out
