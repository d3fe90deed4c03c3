"""scripts/select_stories.py: which test stories `make stories INTENT=...` runs."""
from __future__ import annotations

from pathlib import Path

import pytest
import select_stories
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet
from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader

STORIES = """version: "3.1"

stories:
  - story: FAQ osteosarcoma
    steps:
      - user: |
          what's osteosarcoma
        intent: faq/osteosarcoma
      - action: utter_faq/osteosarcoma

  - story: FAQ chordoma inside the screen
    steps:
      - intent: start_back_pain_program
      - action: back_pain_screen_form
      - active_loop: back_pain_screen_form
      - or:
          - intent: faq/chordoma
          - intent: faq/osteosarcoma_extra
      - action: utter_faq/chordoma
      - slot_was_set:
          - multiple_spots: yes

  - story: greeting
    steps:
      - intent: greet
      - action: utter_welcome
"""

DOMAIN = """version: "3.1"
intents: [faq, greet, start_back_pain_program]
slots:
  multiple_spots:
    type: categorical
    values: ["yes", "no", "unknown"]
    mappings: [{type: custom}]
responses:
  utter_welcome: [{text: hi}]
  utter_faq/osteosarcoma: [{text: o}]
  utter_faq/chordoma: [{text: c}]
actions: [back_pain_screen_form]
forms:
  back_pain_screen_form: {required_slots: []}
"""


@pytest.fixture
def stories_dir(tmp_path: Path) -> Path:
    """A tests/stories folder with one file (and a non-test file that is ignored)."""
    folder = tmp_path / "stories"
    folder.mkdir()
    (folder / "test_faq.yml").write_text(STORIES, encoding="utf-8")
    (folder / "notes.yml").write_text(STORIES, encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    ("intent", "names"),
    [
        ("faq/osteosarcoma", ["FAQ osteosarcoma"]),  # not faq/osteosarcoma_extra's story
        ("faq/chordoma", ["FAQ chordoma inside the screen"]),  # found inside an `or:` step
        ("faq", ["FAQ osteosarcoma", "FAQ chordoma inside the screen"]),  # every sub-intent
        ("greet", ["greeting"]),
        ("emergency", []),
    ],
)
def test_selects_the_stories_using_the_intent(
    stories_dir: Path, intent: str, names: list[str]
) -> None:
    files = sorted(stories_dir.glob("test_*.yml"))
    selected = select_stories.select_stories(files, intent)
    assert [story["story"] for story in selected] == names


def test_writes_a_test_file_rasa_reads_unchanged(stories_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "selected" / "test_chordoma.yml"
    own = ["faq/chordoma", "--stories", str(stories_dir), "--out", str(out), "--no-run"]
    code = select_stories.main([*own, "--", "--model", "models/m.tar.gz"])
    assert code == 0
    domain = Domain.from_yaml(DOMAIN)
    steps = YAMLStoryReader(domain).read_from_file(out)
    assert [step.block_name for step in steps] == ["FAQ chordoma inside the screen"] * len(steps)
    slots = [event for step in steps for event in step.events if isinstance(event, SlotSet)]
    assert [(slot.key, slot.value) for slot in slots] == [("multiple_spots", "yes")]


def test_no_matching_story_fails_with_a_message(
    stories_dir: Path, capsys: pytest.CaptureFixture
) -> None:
    assert select_stories.main(["emergency", "--stories", str(stories_dir), "--no-run"]) == 1
    assert "no test story" in capsys.readouterr().err


def test_runs_rasa_test_core_on_the_selection_only(tmp_path: Path) -> None:
    command = select_stories.rasa_command(tmp_path / "test_x.yml", ["--model", "models/m.tar.gz"])
    assert command[1:] == [
        "test",
        "core",
        "--stories",
        str(tmp_path / "test_x.yml"),
        "--fail-on-prediction-errors",
        "--model",
        "models/m.tar.gz",
    ]
    assert Path(command[0]).name == "rasa"
