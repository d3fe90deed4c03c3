"""member_health_rasa/tools/content_lint.py: each rule, broken in a small repository, gives its
documented message; the worked example of docs/CONTENT.md, applied as written, passes the lint."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from member_health_rasa.tools import content_lint

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "CONTENT.md"


def nlu_block(intent: str, examples: list[str]) -> str:
    """One ``- intent:`` entry as the repository writes it."""
    lines = "".join(f"      - {example}\n" for example in examples)
    return f"  - intent: {intent}\n    examples: |\n{lines}"


OSTEO = [f"osteosarcoma question {n}" for n in range(20)]
DISCLAIMER = [f"disclaimer question {n}" for n in range(20)]
GREETINGS = [f"greeting {n}" for n in range(17)]

FILES = {
    "plan.yml": 'plan_name: "Test Plan"\nnurse_line: "1-800-555-0100"\n'
    'member_services: "1-800-555-0199"\nback_pain_program_url: "https://example.org/bp"\n',
    "domain.yml": """version: "3.1"
intents:
  - greet
  - faq
""",
    "data/responses/core.yml": """version: "3.1"
responses:
  utter_welcome:
    - text: |-
        Hi! I'm an automated assistant.

        If you have an emergency medical condition, call 911 or go to the nearest hospital.
      buttons:
        - title: "Osteosarcoma"
          payload: "Osteosarcoma question 0?"
  utter_emergency_self_harm:
    - text: "Call 911 or go to the nearest hospital. You can also call or text 988."
  utter_handoff:
    - text: "Call the nurse line at {nurse_line}."
""",
    "data/responses/faq.yml": """version: "3.1"
responses:
  utter_faq/osteosarcoma:
    - text: |-
        Osteosarcoma is the most common type of bone cancer.

        Most people diagnosed with this cancer are younger than age 20.
      metadata:
        source: "Types of primary bone cancer"
  utter_faq/disclaimer:
    - text: |-
        This information is not intended to diagnose health problems.

        If you have an emergency medical condition, call 911 or go to the nearest hospital.
      metadata:
        source: "Emergency notice and disclaimer"
""",
    "data/nlu/faq_types.yml": 'version: "3.1"\nnlu:\n' + nlu_block("faq/osteosarcoma", OSTEO),
    "data/nlu/faq_care.yml": 'version: "3.1"\nnlu:\n' + nlu_block("faq/disclaimer", DISCLAIMER),
    "data/nlu/core.yml": 'version: "3.1"\nnlu:\n'
    + nlu_block("greet", ["hi", "hello", "[good morning](time)", *GREETINGS]),
    "data/rules/faq.yml": """version: "3.1"
rules:
  - rule: Answer a bone cancer FAQ question
    steps:
      - intent: faq
      - action: utter_faq
""",
    "tests/stories/test_faq.yml": """version: "3.1"
stories:
  - story: FAQ osteosarcoma
    steps:
      - user: |
          what's osteosarcoma
        intent: faq/osteosarcoma
      - action: utter_faq/osteosarcoma
  - story: FAQ disclaimer
    steps:
      - or:
          - intent: greet
          - intent: faq/disclaimer
      - action: utter_faq/disclaimer
""",
    "tests/nlu_dev/faq.yml": 'version: "3.1"\nnlu:\n'
    + nlu_block("faq/osteosarcoma", ["tell me about osteosarcoma please"]),
    "data/patterns/example_terms.yml": "# a pattern file without a loader\nterms:\n  - femur\n",
}


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A small repository that passes every rule."""
    for name, text in FILES.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def problems(root: Path) -> list[str]:
    """The lint's output lines for ``root``."""
    found, _ = content_lint.lint(root)
    return [str(problem) for problem in found]


def line_of(root: Path, name: str, needle: str) -> int:
    """1-based line of the first line of ``name`` containing ``needle``."""
    lines = (root / name).read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, 1) if needle in line)


def edit(root: Path, name: str, old: str, new: str) -> None:
    """Replace ``old`` (which must be there) by ``new`` in ``name``."""
    path = root / name
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_small_repository_passes(repo: Path, capsys: pytest.CaptureFixture) -> None:
    assert problems(repo) == []
    assert content_lint.main(["--root", str(repo)]) == 0
    assert capsys.readouterr().out == (
        "content lint OK: 2 FAQ topics, 3 intents, 60 examples, 5 responses, 1 pattern files\n"
    )


LONG = "Osteosarcoma is the most common type of bone cancer. " * 8  # 8 * 53 = 424
PADDED_HANDOFF = "Call the nurse line at {nurse_line}." + " x" * 206  # 448 + 2 from the number

# (case, file, old, new, [(file, needle for the line, message)], phrase in docs/CONTENT.md)
CASES = [
    (
        "faq topic without an answer",
        "data/responses/faq.yml",
        "utter_faq/osteosarcoma:",
        "utter_faq/osteosarcomaa:",
        [
            (
                "data/nlu/faq_types.yml",
                "intent: faq/osteosarcoma",
                'faq/osteosarcoma has no answer: add a response "utter_faq/osteosarcoma" '
                "to data/responses/faq.yml; did you mean utter_faq/osteosarcomaa "
                "(data/responses/faq.yml:3)? The two keys must be the same",
            ),
            (
                "data/responses/faq.yml",
                "utter_faq/osteosarcomaa:",
                "utter_faq/osteosarcomaa answers a topic nobody can ask: did you mean "
                "utter_faq/osteosarcoma? (the topic faq/osteosarcoma is at "
                "data/nlu/faq_types.yml:3; the two keys must be the same)",
            ),
        ],
        "did you mean utter_faq/",
    ),
    (
        "faq answer with no topic and no near miss",
        "data/responses/faq.yml",
        "utter_faq/osteosarcoma:",
        "utter_faq/osteosarcoma:\n    - text: x\n      metadata: {source: s}\n  utter_faq/paget:",
        [
            (
                "data/responses/faq.yml",
                "utter_faq/paget:",
                "utter_faq/paget answers a topic nobody can ask: add examples "
                '"- intent: faq/paget" to a data/nlu/faq_*.yml file',
            ),
        ],
        "answers a topic nobody can ask: add examples",
    ),
    (
        "a test story with a topic nobody trained",
        "tests/stories/test_faq.yml",
        "intent: faq/osteosarcoma\n",
        "intent: faq/osteosarcomma\n",
        [
            (
                "tests/stories/test_faq.yml",
                "faq/osteosarcomma",
                "faq/osteosarcomma has no examples, so nobody can ask it; did you mean "
                "faq/osteosarcoma?",
            ),
            (
                "data/nlu/faq_types.yml",
                "intent: faq/osteosarcoma",
                "faq/osteosarcoma has no test story",
            ),
        ],
        "has no examples, so nobody can ask it",
    ),
    (
        "a new intent with no examples",
        "data/rules/faq.yml",
        "      - action: utter_faq\n",
        "      - action: utter_faq\n  - rule: bye\n    steps:\n      - intent: goodbye\n"
        "      - action: utter_welcome\n",
        [
            (
                "data/rules/faq.yml",
                "intent: goodbye",
                "intent goodbye has no examples, so the assistant never recognises it: add at "
                "least 20 to a data/nlu/*.yml file",
            )
        ],
        "has no examples, so the assistant never recognises it",
    ),
    (
        "a new intent listed in domain.yml with no examples",
        "domain.yml",
        "  - faq\n",
        "  - faq\n  - ask_capabilities\n",
        [
            (
                "domain.yml",
                "- ask_capabilities",
                "intent ask_capabilities has no examples, so the assistant never recognises it: "
                "add at least 20 to a data/nlu/*.yml file",
            )
        ],
        "has no examples, so the assistant never recognises it",
    ),
    (
        "an intent with a typo in a rule",
        "data/rules/faq.yml",
        "      - action: utter_faq\n",
        "      - action: utter_faq\n  - rule: hi\n    steps:\n      - intent: greeet\n"
        "      - action: utter_welcome\n",
        [
            (
                "data/rules/faq.yml",
                "intent: greeet",
                "intent greeet has no examples, so the assistant never recognises it: did you "
                "mean greet? Otherwise add at least 20",
            )
        ],
        "Otherwise add at least 20",
    ),
    (
        "an intent with too few examples",
        "data/nlu/core.yml",
        "      - greeting 16\n",
        "",
        [("data/nlu/core.yml", "intent: greet", "greet has 19 examples, it needs at least 20")],
        "has N examples, it needs at least 20",
    ),
    (
        "faq topic with 19 examples",
        "data/nlu/faq_types.yml",
        "      - osteosarcoma question 19\n",
        "",
        [
            (
                "data/nlu/faq_types.yml",
                "intent: faq/osteosarcoma",
                "faq/osteosarcoma has 19 examples, it needs at least 20",
            )
        ],
        "it needs at least 20",
    ),
    (
        "faq topic without a test story",
        "tests/stories/test_faq.yml",
        "intent: faq/osteosarcoma",
        "intent: greet",
        [
            (
                "data/nlu/faq_types.yml",
                "intent: faq/osteosarcoma",
                'faq/osteosarcoma has no test story: add one with "- intent: faq/osteosarcoma" '
                "to tests/stories/test_faq.yml",
            )
        ],
        "has no test story",
    ),
    (
        "an example under two intents (markup, case and end punctuation ignored)",
        "data/nlu/faq_types.yml",
        "- osteosarcoma question 7\n",
        "- [Disclaimer](topic) question 3?\n",
        [
            (
                "data/nlu/faq_types.yml",
                "[Disclaimer](topic) question 3?",
                'example "[Disclaimer](topic) question 3?" of faq/osteosarcoma is also an '
                "example of faq/disclaimer (data/nlu/faq_care.yml:8); "
                "keep it under one intent only",
            )
        ],
        "keep it under one intent only",
    ),
    (
        "a held-out example that is also a training example",
        "tests/nlu_dev/faq.yml",
        "tell me about osteosarcoma please",
        "Osteosarcoma question 2",
        [
            (
                "tests/nlu_dev/faq.yml",
                "Osteosarcoma question 2",
                'held-out example "Osteosarcoma question 2" of faq/osteosarcoma is also a '
                "training example (data/nlu/faq_types.yml:7); "
                "held-out examples must never be in data/nlu",
            )
        ],
        "is also a training example",
    ),
    (
        "a bubble over 450 characters",
        "data/responses/faq.yml",
        "Most people diagnosed with this cancer are younger than age 20.",
        LONG + "Most people diagnosed with this cancer are younger than age 20!!!!",
        [
            (
                "data/responses/faq.yml",
                "Most people diagnosed",
                "utter_faq/osteosarcoma: bubble 2 has 490 characters, the limit is 450; "
                "shorten it or split it with a blank line",
            )
        ],
        "the limit is 450",
    ),
    (
        "a bubble of exactly 450 characters once the plan's number is filled in is fine",
        "data/responses/core.yml",
        '"Call the nurse line at {nurse_line}."',
        f'"{PADDED_HANDOFF}"',
        [],
        "the limit is 450",
    ),
    (
        "a bubble over 450 characters once the plan's number is filled in",
        "data/responses/core.yml",
        '"Call the nurse line at {nurse_line}."',
        f'"{PADDED_HANDOFF}x"',
        [
            (
                "data/responses/core.yml",
                "Call the nurse line",
                "utter_handoff: bubble 1 has 451 characters, the limit is 450; "
                "shorten it or split it with a blank line",
            )
        ],
        "the limit is 450",
    ),
    (
        "a faq answer without a source",
        "data/responses/faq.yml",
        '      metadata:\n        source: "Types of primary bone cancer"\n',
        "",
        [
            (
                "data/responses/faq.yml",
                "    - text: |-",
                'utter_faq/osteosarcoma: no source; add metadata: {source: "<seed section>"} '
                "naming the part of the seed text this answer comes from",
            )
        ],
        "no source; add metadata",
    ),
    (
        "a faq answer with an empty source",
        "data/responses/faq.yml",
        'source: "Types of primary bone cancer"',
        'source: "  "',
        [
            (
                "data/responses/faq.yml",
                "    - text: |-",
                'utter_faq/osteosarcoma: no source; add metadata: {source: "<seed section>"} '
                "naming the part of the seed text this answer comes from",
            )
        ],
        "no source; add metadata",
    ),
    (
        "911 in an ordinary answer",
        "data/responses/faq.yml",
        "younger than age 20.",
        "younger than age 20. In an emergency, call 911.",
        [
            (
                "data/responses/faq.yml",
                "call 911.",
                "utter_faq/osteosarcoma: mentions 911; only utter_emergency*, utter_welcome "
                "and utter_faq/disclaimer may (members with an emergency are answered by "
                "utter_emergency)",
            )
        ],
        "mentions 911",
    ),
    (
        "a pattern file that is not YAML",
        "data/patterns/example_terms.yml",
        "  - femur\n",
        "  - femur\n\t- tibia\n",
        [("data/patterns/example_terms.yml", "tibia", "a tab character: indent with spaces")],
        "a tab character",
    ),
    (
        "a training data file that is not YAML",
        "data/nlu/core.yml",
        "  - intent: greet\n",
        "  - intent: greet\n  examples: [\n",
        [("data/nlu/core.yml", "examples: [", "this line is indented differently")],
        "this line is indented differently",
    ),
    (
        "a responses file indentation slip reports only the slip",
        "data/responses/faq.yml",
        '      metadata:\n        source: "Types',
        '      metadata:\n     source: "Types',
        [("data/responses/faq.yml", 'source: "Types', "this line is indented differently")],
        "this line is indented differently",
    ),
    (
        "a response pasted without its indentation",
        "data/responses/faq.yml",
        "  utter_faq/disclaimer:",
        "utter_faq/disclaimer:",
        [
            (
                "data/responses/faq.yml",
                "utter_faq/disclaimer:",
                '"utter_faq/disclaimer" is not one of',
            ),
        ],  # and not "faq/disclaimer has no answer", which is only its consequence
        "is not one of the sections Rasa reads here",
    ),
    *[
        (
            f"{what} in an answer",
            "data/responses/faq.yml",
            "younger than age 20.",
            f"younger than age 20. {written}.",
            [
                (
                    "data/responses/faq.yml",
                    "younger than",
                    f'utter_faq/osteosarcoma: "{shown}" is {kind}',
                )
            ],
            f"is {kind}; write {{plan_name}}",
        )
        for what, written, shown, kind in [
            ("a phone number", "Call 1-800-555-0100", "1-800-555-0100", "a phone number"),
            ("a local number", "Call (800) 555 0100", "(800) 555 0100", "a phone number"),
            ("a link", "See https://example.org/bone", "https://example.org/bone.", "a link"),
            ("a bare address", "See plan.example.org", "plan.example.org", "a link"),
        ]
    ],
    *[
        (
            f"911 spelled {written}",
            "data/responses/faq.yml",
            "younger than age 20.",
            f"younger than age 20. Call {written}.",
            [("data/responses/faq.yml", "younger than", "utter_faq/osteosarcoma: mentions 911")],
            "mentions 911",
        )
        for written in ["9-1-1", "9 1 1", "nine-one-one", "911"]
    ],
    (
        "a placeholder nobody fills",
        "data/responses/faq.yml",
        "younger than age 20.",
        "younger than age 20. Ask {plan} or {doctor_name}.",
        [
            (
                "data/responses/faq.yml",
                "younger than",
                "utter_faq/osteosarcoma: {plan} would reach members as it is, in braces: did "
                "you mean {plan_name}?",
            ),
            (
                "data/responses/faq.yml",
                "younger than",
                "utter_faq/osteosarcoma: {doctor_name} would reach members as it is, in braces: "
                "use one of {back_pain_program_url}, {member_services}, {nurse_line}, {plan_name}",
            ),
        ],
        "would reach members as it is, in braces",
    ),
]


@pytest.mark.parametrize(
    ("file", "old", "new", "expected", "documented"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_each_broken_rule_gives_its_documented_message(
    repo: Path,
    file: str,
    old: str,
    new: str,
    expected: list[tuple[str, str, str]],
    documented: str,
) -> None:
    edit(repo, file, old, new)
    found = problems(repo)
    wanted = [
        f"{name}:{line_of(repo, name, needle)}: {message}" for name, needle, message in expected
    ]
    assert len(found) == len(wanted), found
    for line in wanted:
        assert any(problem.startswith(line) for problem in found), (line, found)
    assert documented in GUIDE.read_text(encoding="utf-8")


EMERGENCY_PATTERNS = """version: "3.1"
patterns:
  - id: chest_pain
    category: medical
    phrases:
      - chest pain|pressure
"""


def test_pattern_files_are_checked_by_their_loader(repo: Path) -> None:
    """data/patterns/emergency.yml goes through member_health.emergency_patterns' own validation."""
    (repo / "data/patterns/emergency.yml").write_text(EMERGENCY_PATTERNS, encoding="utf-8")
    assert problems(repo) == []

    edit(repo, "data/patterns/emergency.yml", "category: medical", "category: urgent")
    found = problems(repo)
    assert len(found) == 1
    prefix = "data/patterns/emergency.yml:4: the pattern file is not valid: patterns[0]"
    assert found[0].startswith(prefix), found
    assert "'category'" in found[0] and str(repo) not in found[0]
    assert "the pattern file is not valid" in GUIDE.read_text(encoding="utf-8")


def test_a_name_given_twice_is_reported_as_rasa_would_refuse_it(repo: Path) -> None:
    """Rasa's YAML refuses a key given twice (the lint's too); pattern files' loaders do not."""
    edit(
        repo,
        "data/responses/core.yml",
        "  utter_handoff:",
        "  utter_welcome:\n    - text: Hi\n  utter_handoff:",
    )
    lines = (repo / "data/responses/core.yml").read_text(encoding="utf-8").splitlines()
    line = [n for n, text in enumerate(lines, 1) if "utter_welcome:" in text][1]  # the second
    assert problems(repo) == [
        f"data/responses/core.yml:{line}: a name given twice in the same section (Rasa refuses "
        'the file): keep one, or rename the other (YAML says: found duplicate key "utter_welcome")'
    ]
    edit(repo, "data/responses/core.yml", "  utter_welcome:\n    - text: Hi\n", "")
    edit(repo, "data/patterns/example_terms.yml", "terms:", "kind: terms\nkind: terms\nterms:")
    assert problems(repo) == []


def test_cli_prints_file_and_line_and_fails(repo: Path, capsys: pytest.CaptureFixture) -> None:
    edit(repo, "data/nlu/faq_types.yml", "      - osteosarcoma question 19\n", "")
    assert content_lint.main(["--root", str(repo)]) == 1
    captured = capsys.readouterr()
    assert captured.out == (
        "data/nlu/faq_types.yml:3: faq/osteosarcoma has 19 examples, it needs at least 20\n"
    )
    assert "see docs/CONTENT.md" in captured.err


# --------------------------------------------------------------------------- the worked example

WORKED = re.compile(r"<!-- worked-example: (\S+) (\w+) -->\s*```yaml\n(.*?)```", re.DOTALL)


def worked_example() -> list[tuple[str, str, str]]:
    """``(file, section, block)`` for each step of the guide's worked example."""
    steps = WORKED.findall(GUIDE.read_text(encoding="utf-8"))
    assert [file for file, _, _ in steps] == [
        "data/nlu/faq_types.yml",
        "data/responses/faq.yml",
        "tests/stories/test_faq.yml",
        "tests/nlu_dev/faq.yml",
    ]
    return steps


def add_at_end_of_section(path: Path, section: str, block: str) -> None:
    """What the guide tells the editor: paste the block at the end of ``section:``."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f'version: "3.1"\n\n{section}:\n', encoding="utf-8")
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.rstrip() == f"{section}:")
    end = next(
        (i for i in range(start + 1, len(lines)) if re.match(r"[A-Za-z_]", lines[i])), len(lines)
    )
    while end > start + 1 and not lines[end - 1].strip():
        end -= 1
    if lines and not lines[end - 1].endswith("\n"):
        lines[end - 1] += "\n"
    lines[end:end] = ["\n", block]
    path.write_text("".join(lines), encoding="utf-8")


def apply_worked_example(root: Path) -> None:
    """Make the guide's four edits in ``root``."""
    for file, section, block in worked_example():
        add_at_end_of_section(root / file, section, block)


def test_adding_a_topic_the_documented_way_passes(repo: Path) -> None:
    apply_worked_example(repo)
    found, content = content_lint.lint(repo)
    assert [str(problem) for problem in found] == []
    assert len(content.examples["faq/paget_disease"]) >= content_lint.MIN_EXAMPLES
    assert "utter_faq/paget_disease" in content.responses
    assert "faq/paget_disease" in content.tested_intents
    assert content_lint.summary(content).startswith("content lint OK: 3 FAQ topics")


def test_the_documented_topic_without_its_answer_is_caught(repo: Path) -> None:
    steps = [step for step in worked_example() if step[0] != "data/responses/faq.yml"]
    for file, section, block in steps:
        add_at_end_of_section(repo / file, section, block)
    assert [problem.message for problem in content_lint.lint(repo)[0]] == [
        'faq/paget_disease has no answer: add a response "utter_faq/paget_disease" '
        "to data/responses/faq.yml"
    ]


def test_adding_the_topic_to_a_copy_of_this_repository_adds_no_problem(tmp_path: Path) -> None:
    """On the real content (other features may still be in progress): no new problem."""
    for name in ("data", "tests/stories", "tests/nlu_dev"):
        if (ROOT / name).exists():
            shutil.copytree(ROOT / name, tmp_path / name)
    shutil.copy(ROOT / "domain.yml", tmp_path / "domain.yml")
    shutil.copy(ROOT / "plan.yml", tmp_path / "plan.yml")
    before = {problem.message for problem in content_lint.lint(tmp_path)[0]}
    apply_worked_example(tmp_path)
    after, content = content_lint.lint(tmp_path)
    assert {problem.message for problem in after} == before
    assert len(content.examples["faq/paget_disease"]) >= content_lint.MIN_EXAMPLES


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("What is [osteosarcoma](bone_term)?", "what is osteosarcoma"),
        ('my [10 cm]{"entity": "size"} tumor', "my 10 cm tumor"),
        ("  Hello   THERE!! ", "hello there"),
    ],
)
def test_examples_are_compared_as_the_classifier_sees_them(text: str, expected: str) -> None:
    assert content_lint.normalise_example(text) == expected


@pytest.mark.parametrize(
    ("response", "allowed"),
    [
        ("utter_emergency", True),
        ("utter_emergency_self_harm", True),
        ("utter_welcome", True),
        ("utter_faq/disclaimer", True),
        ("utter_faq/symptoms", False),
        ("utter_welcome_back", False),
        ("utter_handoff", False),
    ],
)
def test_who_may_mention_911(response: str, allowed: bool) -> None:
    assert content_lint.may_mention_911(response) is allowed
