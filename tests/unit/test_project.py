"""The layout Rasa finds by default: domain.yml (structure) + data/responses/<feature>.yml
(what the assistant says), merged by Rasa's importer as member_health_rasa.project does."""
from __future__ import annotations

from pathlib import Path

import yaml

from member_health_rasa.project import feature_responses, merged_domain

ROOT = Path(__file__).resolve().parents[2]
RESPONSE_FILES = sorted((ROOT / "data" / "responses").glob("*.yml"))


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def test_the_domain_is_one_file_at_rasas_default_path_and_says_nothing() -> None:
    assert (ROOT / "domain.yml").is_file() and not (ROOT / "domain").exists()
    assert "responses" not in load(ROOT / "domain.yml")


def test_each_feature_file_holds_responses_only() -> None:
    assert {path.stem for path in RESPONSE_FILES} >= {
        "core",
        "faq",
        "back_pain",
        "staging",
        "emergency",
        "privacy",
    }
    for path in RESPONSE_FILES:
        assert set(load(path)) == {"version", "responses"}, path.name


def test_the_merged_domain_has_every_response_once_and_the_structure_of_domain_yml() -> None:
    domain = merged_domain()
    names = [name for path in RESPONSE_FILES for name in load(path)["responses"]]
    assert len(names) == len(set(names)), "a response is written in two files"
    assert set(domain.responses) == set(names)
    for path in RESPONSE_FILES:
        assert feature_responses(path.stem) == {
            name: domain.responses[name] for name in load(path)["responses"]
        }
    structure = load(ROOT / "domain.yml")
    assert set(domain.form_names) == set(structure["forms"])
    assert {slot.name for slot in domain.slots} >= set(structure["slots"])
    assert "utter_faq" in domain.action_names_or_texts  # the retrieval action, from faq/<key>
