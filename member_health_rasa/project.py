"""The project as Rasa reads it: ``domain.yml`` with the responses of ``data/`` merged in.

``domain.yml`` holds the structure (intents, entities, slots, forms, actions); what the assistant
says lives in the training data, one file per feature (``data/responses/<feature>.yml``). Rasa
merges the two when it trains, validates or tests (``TrainingDataImporter`` and its
``ResponsesSyncImporter``): :func:`merged_domain` does the same, so tests and tools see the
domain a trained model has, never a copy of some files of it.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from member_health.paths import ROOT

if TYPE_CHECKING:
    from rasa.shared.core.domain import Domain

CONFIG_FILE = "config.yml"
DOMAIN_FILE = "domain.yml"
DATA_DIR = "data"
RESPONSES_DIR = "data/responses"


@lru_cache(maxsize=4)
def merged_domain(root: Path = ROOT) -> Domain:
    """The domain Rasa trains with: ``domain.yml`` plus every ``responses:`` under ``data/``.

    Cached: treat the result as read-only.
    """
    from rasa.shared.importers.importer import TrainingDataImporter

    importer = TrainingDataImporter.load_from_config(
        config_path=str(root / CONFIG_FILE),
        domain_path=str(root / DOMAIN_FILE),
        training_data_paths=[str(root / DATA_DIR)],
    )
    return importer.get_domain()


def feature_responses(feature: str, root: Path = ROOT) -> dict[str, list[dict[str, Any]]]:
    """The responses of one feature (``data/responses/<feature>.yml``), as the domain has them."""
    path = root / RESPONSES_DIR / f"{feature}.yml"
    names = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("responses") or {}
    responses = merged_domain(root).responses
    return {name: responses[name] for name in names}
