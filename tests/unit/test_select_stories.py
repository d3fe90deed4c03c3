"""member_health_rasa/tools/select_stories.py: which test stories `make stories INTENT=...` runs."""
from __future__ import annotations

from pathlib import Path

import pytest
from rasa.__main__ import create_argument_parser
from rasa.core.test import EvaluationStore, WronglyClassifiedUserUtterance, _log_stories
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader

from member_health_rasa.tools import select_stories

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


def test_runs_rasa_test_core_through_nlu_on_the_selection_only(tmp_path: Path) -> None:
    stories, results = tmp_path / "test_x.yml", tmp_path / "results"
    command = select_stories.rasa_command(stories, results, ["--model", "models/m.tar.gz"])
    args = create_argument_parser().parse_args(command[1:])
    assert args.func.__module__ == "rasa.cli.test"
    assert args.e2e is True  # member text goes through the model: a wrong topic fails
    assert (args.stories, args.out) == (str(stories), str(results))
    assert args.model == ["models/m.tar.gz"]
    assert Path(command[0]).name == "rasa"


def wrong_topic(story: str, text: str, labelled: str, predicted: str) -> DialogueStateTracker:
    """A test conversation as Rasa's evaluation keeps it when the model chose another topic."""
    said = UserUttered(text, {"name": labelled})
    store = EvaluationStore(intent_predictions=[predicted], intent_targets=[labelled])
    events = [ActionExecuted("action_listen"), WronglyClassifiedUserUtterance(said, store)]
    tracker = DialogueStateTracker.from_events(story, [*events, ActionExecuted("utter_faq")])
    tracker.sender_source = "tests/stories/test_faq.yml"
    return tracker


def rasa_results(tmp_path: Path, failed: list[DialogueStateTracker]) -> Path:
    """A results folder with the failed-stories file written by Rasa's own evaluation code."""
    results = tmp_path / "results"
    results.mkdir()
    message = "None of the test stories failed - all good!"  # rasa.core.test's wording
    _log_stories(failed, str(results / select_stories.FAILED_FILE), message)
    return results


def test_a_clean_run_ends_with_one_pass_line(tmp_path: Path) -> None:
    code, lines = select_stories.verdict("faq", 3, rasa_results(tmp_path, []), 0)
    assert (code, lines) == (0, ["PASS: all 3 stories using faq went as written"])


def test_a_wrong_topic_fails_naming_the_story_the_prediction_and_the_file(tmp_path: Path) -> None:
    failed = [wrong_topic("FAQ paget", "what is paget?", "faq/paget", "faq/risk_factors")]
    results = rasa_results(tmp_path, failed)
    code, lines = select_stories.verdict("faq/paget", 2, results, 0)
    assert code == 1
    assert lines[0] == "FAIL: 1 of 2 stories using faq/paget went differently:"
    assert lines[1].splitlines()[0] == "  FAQ paget"
    assert "predicted: faq/risk_factors: what is paget?" in lines[1]
    assert lines[2].startswith(f"details: {results / 'failed_test_stories.yml'} ")


def test_rasa_stopping_early_is_an_error_not_a_pass(tmp_path: Path) -> None:
    code, lines = select_stories.verdict("faq", 1, tmp_path, 1)
    assert code == 1 and lines[0].startswith("ERROR: rasa test did not finish (exit 1)")
