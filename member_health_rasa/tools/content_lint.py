"""Content lint: checks an editor can act on, reported as ``file:line: message``.

Usage: ``python -m member_health_rasa.tools.content_lint [--root DIR]`` (default: this checkout).
Exit code 0 and a one-line summary when everything is fine, 1 and one line per problem otherwise.
A file that cannot be read as YAML is reported alone, first (the other rules would only report
its consequences); warnings (``file:line: warning: ...``) never fail the lint.

Rules (docs/CONTENT.md explains each message):
  * every FAQ topic ``faq/<key>`` has an answer ``utter_faq/<key>``, at least 20 examples and a
    test story in ``tests/stories/test_*.yml``; a key that nearly matches another gets
    "did you mean ...?";
  * every intent (listed in the domain, used in a rule, story or test story) has at least 20
    examples;
  * the domain's and the training data's top-level sections are ones Rasa knows;
  * no phone number, link or 911 (in any spelling) written out in a response, except 911 in the
    responses named below: contacts are written as plan placeholders;
  * every ``{placeholder}`` in a response is filled: a plan setting (plan.yml), a slot, or, in a
    response a custom action sends, a value the action passes;
  * warning: an FAQ topic that no button offers (its payload one of the topic's examples);
  * no example appears under two intents, and no held-out example (``tests/nlu_dev``) is
    also a training example;
  * no chat bubble (a part of a response text between blank lines) is over 450 characters;
  * every ``utter_faq/...`` response names its seed section in ``metadata: {source: "..."}``;
  * the pattern files ``data/patterns/*.yml`` can be read (and pass their loader's checks);
  * "911" appears only in ``utter_emergency*``, ``utter_welcome`` and ``utter_faq/disclaimer``.

Pure Python + ruamel.yaml (``yaml_lines``: Rasa's files read as Rasa reads them, with the line
of every key, item and text): no Rasa import (pattern loaders bring spaCy), so it runs in seconds.
"""
from __future__ import annotations

import argparse
import importlib
import os
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from member_health.channel_format import MAX_BUBBLE_CHARS
from member_health.paths import ROOT as REPO_ROOT
from member_health_rasa.tools import yaml_lines
from member_health_rasa.tools.content_text import (
    EMERGENCY_NUMBER,
    PLACEHOLDER,
    action_responses,
    contact_details,
    did_you_mean,
    yaml_advice,
)
from member_health_rasa.tools.yaml_lines import Text

MIN_EXAMPLES = 20

FAQ_INTENT = "faq"
FAQ_RESPONSE_PREFIX = "utter_faq/"
# Rasa's default domain file (structure only) and where the FAQ answers live.
DOMAIN_FILE = "domain.yml"
FAQ_RESPONSES_FILE = "data/responses/faq.yml"
BUBBLE_SEPARATOR = re.compile(r"\n[ \t]*\n")
ENTITY_MARKUP = re.compile(r"\[([^\]]*)\](?:\([^)]*\)|\{[^}]*\})")


def may_mention_911(response: str) -> bool:
    """Only the emergency, welcome and disclaimer responses may carry the 911 instruction."""
    return response.startswith("utter_emergency") or response in {
        "utter_welcome",
        "utter_faq/disclaimer",
    }


# --------------------------------------------------------------------------- problems


@dataclass(frozen=True, order=True)
class Problem:
    """One thing an editor must fix."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass
class Content:
    """Everything the rules look at, collected from the repository's YAML files."""

    root: Path
    problems: list[Problem] = field(default_factory=list)
    # intent -> [(example, file, line)]
    examples: dict[str, list[tuple[str, str, int]]] = field(default_factory=dict)
    intent_lines: dict[str, tuple[str, int]] = field(default_factory=dict)
    # response name -> (variations, file, line)
    responses: dict[str, tuple[list[Any], str, int]] = field(default_factory=dict)
    dev_examples: dict[str, list[tuple[str, str, int]]] = field(default_factory=dict)
    tested_intents: set[str] = field(default_factory=set)
    # intent -> where it is first declared or used (domain intents:, rules, stories, tests)
    used_intents: dict[str, tuple[str, int]] = field(default_factory=dict)
    slots: set[str] = field(default_factory=set)
    pattern_files: int = 0
    warnings: list[Problem] = field(default_factory=list)
    rules_ran: bool = False

    def report(self, path: Path, line: int, message: str) -> None:
        """Record a problem at ``path:line``."""
        self.problems.append(Problem(self.relative(path), line, message))

    def relative(self, path: Path) -> str:
        """``path`` relative to the root, as editors see it."""
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return path.as_posix()


def load_yaml(content: Content, path: Path, duplicate_keys: bool = False) -> Any | None:
    """Parse one file; a syntax error becomes a problem at the line YAML complains about.

    A key given twice is one, as Rasa reads its files; pattern files allow it (``duplicate_keys``)
    as their own loaders do.
    """
    try:
        return yaml_lines.load(path.read_text(encoding="utf-8"), duplicate_keys)
    except yaml_lines.YAMLError as error:
        reason = getattr(error, "problem", None) or str(error)
        content.report(path, yaml_lines.error_line(error), yaml_advice(reason))
    except (OSError, UnicodeDecodeError) as error:
        content.report(path, 1, f"cannot be read: {error}")
    return None


def yaml_files(folder: Path, pattern: str = "*.yml") -> list[Path]:
    """YAML files under ``folder`` (``.yml`` and ``.yaml``), sorted."""
    if folder.is_file():
        return [folder]
    if not folder.is_dir():
        return []
    found = set(folder.rglob(pattern)) | set(folder.rglob(pattern.replace(".yml", ".yaml")))
    return sorted(found)


# --------------------------------------------------------------------------- collecting


def example_texts(item: dict) -> Iterator[tuple[str, int]]:
    """``(example, line)`` pairs from an item's ``examples:`` block or list of ``text:`` items."""
    examples = item.get("examples")
    block = yaml_lines.text(item, "examples")
    if block:
        for index, raw in enumerate(block.value.splitlines()):
            example = raw.strip()
            if example.startswith("-"):
                yield example[1:].strip(), block.line + (index + 1 if block.block else 0)
    elif isinstance(examples, list):
        for index, entry in enumerate(examples):
            where, key = (entry, "text") if isinstance(entry, dict) else (examples, index)
            found = yaml_lines.text(where, key)
            if found:
                yield found.value.strip(), found.line


def collect_nlu(content: Content, path: Path, items: Any, held_out: bool = False) -> None:
    """Examples per intent (``synonym``/``regex``/``lookup`` entries are not intents)."""
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict) or "intent" not in item:
            continue
        intent = str(item["intent"])
        if not held_out:
            where = (content.relative(path), yaml_lines.line(item, "intent"))
            content.intent_lines.setdefault(intent, where)
        examples = content.dev_examples if held_out else content.examples
        bucket = examples.setdefault(intent, [])
        for example, where_line in example_texts(item):
            bucket.append((example, content.relative(path), where_line))


def collect_responses(content: Content, path: Path, responses: Any) -> None:
    """Responses from ``data/responses/<feature>.yml`` (or any data file, or the domain)."""
    for name, variations in (responses or {}).items() if isinstance(responses, dict) else []:
        listed = variations if isinstance(variations, list) else []
        content.responses[str(name)] = (
            listed,
            content.relative(path),
            yaml_lines.key_line(responses, name),
        )


def collect_story_intents(
    content: Content, path: Path, steps_holders: Any, tests: bool = True
) -> None:
    """Intents used in (test) stories and rules, including inside ``or:`` steps."""
    for holder in steps_holders if isinstance(steps_holders, list) else []:
        steps = holder.get("steps") if isinstance(holder, dict) else None
        for step in steps if isinstance(steps, list) else []:
            if not isinstance(step, dict):
                continue
            either = step.get("or")
            for alternative in either if isinstance(either, list) else [step]:
                if isinstance(alternative, dict) and alternative.get("intent"):
                    intent = str(alternative["intent"])
                    where = (content.relative(path), yaml_lines.line(alternative, "intent"))
                    content.used_intents.setdefault(intent, where)
                    if tests:
                        content.tested_intents.add(intent)


def collect(root: Path) -> Content:
    """Read the domain, the training data (responses included) and the test stories."""
    content = Content(root=root)
    patterns = root / "data" / "patterns"
    for path in yaml_files(root / DOMAIN_FILE):
        data = load_yaml(content, path)
        if isinstance(data, dict):
            check_sections(content, path, data, DOMAIN_SECTIONS)
            collect_responses(content, path, data.get("responses"))
            collect_domain_names(content, path, data)
    for path in yaml_files(root / "data"):
        if patterns in path.parents:
            continue
        data = load_yaml(content, path)
        if isinstance(data, dict):
            check_sections(content, path, data, DATA_SECTIONS)
            collect_nlu(content, path, data.get("nlu"))
            collect_responses(content, path, data.get("responses"))
            collect_story_intents(content, path, data.get("stories"), tests=False)
            collect_story_intents(content, path, data.get("rules"), tests=False)
    for path in yaml_files(root / "tests" / "nlu_dev"):
        data = load_yaml(content, path)
        if isinstance(data, dict):
            collect_nlu(content, path, data.get("nlu"), held_out=True)
    for path in yaml_files(root / "tests" / "stories", "test_*.yml"):
        data = load_yaml(content, path)
        if isinstance(data, dict):
            collect_story_intents(content, path, data.get("stories"))
            collect_story_intents(content, path, data.get("rules"))
    return content


DOMAIN_SECTIONS = {
    "version",
    "intents",
    "entities",
    "slots",
    "forms",
    "responses",
    "actions",
    "session_config",
    "e2e_actions",
    "config",
}
DATA_SECTIONS = {"version", "nlu", "rules", "stories", "responses"}


def check_sections(content: Content, path: Path, data: dict, known: set[str]) -> None:
    """A top-level key Rasa does not know is usually a block pasted without its indentation."""
    for key in data:
        if str(key) not in known:
            content.report(
                path,
                yaml_lines.key_line(data, key),
                f'"{key}" is not one of the sections Rasa reads here ({", ".join(sorted(known))})'
                ": if it belongs inside the section above, indent it like its neighbours",
            )


def collect_domain_names(content: Content, path: Path, data: dict) -> None:
    """The domain's intents (with their lines) and slot names."""
    intents = data.get("intents") or []
    for index, item in enumerate(intents):
        name = next(iter(item)) if isinstance(item, dict) and item else item
        if isinstance(name, str):
            content.used_intents.setdefault(
                name, (content.relative(path), yaml_lines.line(intents, index))
            )
    slots = data.get("slots")
    content.slots.update(str(name) for name in (slots if isinstance(slots, dict) else {}))


# --------------------------------------------------------------------------- rules


def check_faq_topics(content: Content) -> None:
    """Each FAQ topic has an answer, enough examples and a test story."""
    prefix = FAQ_INTENT + "/"
    intents = {name[len(prefix) :] for name in content.examples if name.startswith(prefix)}
    answers = {
        name[len(FAQ_RESPONSE_PREFIX) :]
        for name in content.responses
        if name.startswith(FAQ_RESPONSE_PREFIX)
    }
    for key in sorted(intents):
        intent = prefix + key
        path, line = content.intent_lines[intent]
        count = len(content.examples[intent])
        if key not in answers:
            near = did_you_mean(key, answers - intents)
            hint = (
                f"; did you mean utter_faq/{near} ({where_response(content, near)})? "
                "The two keys must be the same"
                if near
                else ""
            )
            content.problems.append(
                Problem(
                    path,
                    line,
                    f'{intent} has no answer: add a response "utter_faq/{key}" '
                    f"to {FAQ_RESPONSES_FILE}{hint}",
                )
            )
        if count < MIN_EXAMPLES:
            content.problems.append(
                Problem(
                    path,
                    line,
                    f"{intent} has {count} examples, it needs at least {MIN_EXAMPLES}",
                )
            )
        if intent not in content.tested_intents:
            content.problems.append(
                Problem(
                    path,
                    line,
                    f"{intent} has no test story: add one with "
                    f'"- intent: {intent}" to tests/stories/test_faq.yml',
                )
            )
    for key in sorted(answers - intents):
        _, path, line = content.responses[FAQ_RESPONSE_PREFIX + key]
        near = did_you_mean(key, intents - answers)
        advice = (
            f"did you mean utter_faq/{near}? (the topic faq/{near} is at "
            f"{':'.join(map(str, content.intent_lines[prefix + near]))}; the two keys must "
            "be the same)"
            if near
            else f'add examples "- intent: faq/{key}" to a data/nlu/faq_*.yml file'
        )
        content.problems.append(
            Problem(path, line, f"utter_faq/{key} answers a topic nobody can ask: {advice}")
        )


def where_response(content: Content, key: str) -> str:
    """``file:line`` of ``utter_faq/<key>``."""
    _, path, line = content.responses[FAQ_RESPONSE_PREFIX + key]
    return f"{path}:{line}"


# Rasa's own intents: they need no examples (Rasa or a rule sets them).
RASA_INTENTS = {"nlu_fallback", "restart", "back", "session_start", "out_of_scope"}


def check_intent_examples(content: Content) -> None:
    """Every intent a rule, story, test or the domain names can be recognised: 20 examples.

    (FAQ topics are counted by ``check_faq_topics``; the retrieval intent ``faq`` itself has
    its examples under its topics.)
    """
    parents = {name.split("/")[0] for name in content.examples if "/" in name}
    for intent, (path, line) in sorted(content.used_intents.items()):
        if "/" in intent or intent in parents:
            if "/" in intent and intent not in content.examples:
                near = did_you_mean(intent, [name for name in content.examples if "/" in name])
                hint = f"; did you mean {near}?" if near else ""
                content.problems.append(
                    Problem(path, line, f"{intent} has no examples, so nobody can ask it{hint}")
                )
            continue
        count = len(content.examples.get(intent, []))
        if count >= MIN_EXAMPLES or (count == 0 and intent in RASA_INTENTS):
            continue
        if count == 0:
            near = did_you_mean(intent, content.examples)
            advice = f"add at least {MIN_EXAMPLES} to a data/nlu/*.yml file"
            advice = f"did you mean {near}? Otherwise {advice}" if near else advice
            message = (
                f"intent {intent} has no examples, so the assistant never recognises it: " + advice
            )
        else:
            path, line = content.intent_lines[intent]
            message = f"{intent} has {count} examples, it needs at least {MIN_EXAMPLES}"
        content.problems.append(Problem(path, line, message))


def normalise_example(text: str) -> str:
    """What the classifier sees: no entity markup, case, extra spaces or end punctuation."""
    plain = ENTITY_MARKUP.sub(r"\1", text).lower()
    return " ".join(plain.split()).strip(" .!?,;:")


def check_duplicate_examples(content: Content) -> None:
    """The same example under two intents confuses the classifier; dev examples stay out."""
    first_seen: dict[str, tuple[str, str, int]] = {}
    for intent, examples in content.examples.items():  # file order: the first one stays
        for text, path, line in examples:
            key = normalise_example(text)
            if not key:
                continue
            if key not in first_seen:
                first_seen[key] = (intent, path, line)
                continue
            other_intent, other_path, other_line = first_seen[key]
            if other_intent != intent:
                content.problems.append(
                    Problem(
                        path,
                        line,
                        f'example "{text}" of {intent} is also an example of {other_intent} '
                        f"({other_path}:{other_line}); keep it under one intent only",
                    )
                )
    for intent, examples in content.dev_examples.items():
        for text, path, line in examples:
            if normalise_example(text) in first_seen:
                _, train_path, train_line = first_seen[normalise_example(text)]
                content.problems.append(
                    Problem(
                        path,
                        line,
                        f'held-out example "{text}" of {intent} is also a training example '
                        f"({train_path}:{train_line}); held-out examples must never be "
                        "in data/nlu",
                    )
                )


def response_texts(variations: list[Any]) -> Iterator[Text]:
    """The ``text`` of every variation of a response."""
    for variation in variations:
        found = yaml_lines.text(variation, "text")
        if found:
            yield found


def plan_values(root: Path) -> dict[str, str]:
    """Plan settings (``{nurse_line}`` etc.) so bubbles are measured as members see them.

    Read with PyYAML, as ``member_health.settings`` reads ``plan.yml`` for the assistant.
    """
    for path in (root / "plan.yml", REPO_ROOT / "plan.yml"):
        if path.is_file():
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            return {str(key): str(value) for key, value in data.items()}
    return {}


def bubbles(text: Text) -> Iterator[tuple[int, str, int]]:
    """``(number, bubble, line)`` for each part of ``text`` between blank lines."""
    number, start, value = 0, 0, text.value
    ends = [(match.start(), match.end()) for match in BUBBLE_SEPARATOR.finditer(value)]
    for end, next_start in ends + [(len(value), len(value))]:
        raw = value[start:end]
        if raw.strip():
            number += 1
            yield number, raw.strip(), text.line_at(start + len(raw) - len(raw.lstrip()))
        start = next_start


def check_bubbles(content: Content) -> None:
    """No bubble over the limit, with plan placeholders filled in."""
    values = plan_values(content.root)
    for name, (variations, path, _) in sorted(content.responses.items()):
        for text in response_texts(variations):
            for number, part, line in bubbles(text):
                shown = part
                for key, value in values.items():
                    shown = shown.replace("{" + key + "}", value)
                if len(shown) > MAX_BUBBLE_CHARS:
                    content.problems.append(
                        Problem(
                            path,
                            line,
                            f"{name}: bubble {number} has {len(shown)} characters, the limit "
                            f"is {MAX_BUBBLE_CHARS}; shorten it or split it with a blank line",
                        )
                    )


def check_faq_sources(content: Content) -> None:
    """Every FAQ answer says which seed section it comes from."""
    for name, (variations, path, line) in sorted(content.responses.items()):
        if not name.startswith(FAQ_RESPONSE_PREFIX):
            continue
        for index, variation in enumerate(variations or [None]):
            metadata = variation.get("metadata") if isinstance(variation, dict) else None
            source = metadata.get("source") if isinstance(metadata, dict) else None
            if not (isinstance(source, str) and source.strip()):
                where = yaml_lines.line(variations, index) if isinstance(variation, dict) else line
                content.problems.append(
                    Problem(
                        path,
                        where or line,
                        f'{name}: no source; add metadata: {{source: "<seed section>"}} '
                        "naming the part of the seed text this answer comes from",
                    )
                )


NOT_SHOWN = frozenset({"metadata"})


def shown_texts(variations: list[Any], index: int) -> Iterator[Text]:
    """Every string of a response's variation ``index`` that members may read (not metadata)."""
    return yaml_lines.texts(variations, index, skip=NOT_SHOWN)


def check_emergency_number(content: Content) -> None:
    """A warning that is everywhere is read nowhere: 911 (any spelling) only where it belongs."""
    for name, (variations, path, line) in sorted(content.responses.items()):
        if may_mention_911(name):
            continue
        for index in range(len(variations)):
            hits = [
                (text, match)
                for text in shown_texts(variations, index)
                for match in [EMERGENCY_NUMBER.search(text.value)]
                if match
            ]
            if hits:  # once per variation, where it first says it
                text, match = hits[0]
                content.problems.append(
                    Problem(
                        path,
                        text.line_at(match.start()) or line,
                        f"{name}: mentions 911; only utter_emergency*, utter_welcome and "
                        "utter_faq/disclaimer may (members with an emergency are answered "
                        "by utter_emergency)",
                    )
                )


def check_contact_details(content: Content) -> None:
    """No phone number or link written out: plan placeholders, so a change is made once."""
    for name, (variations, path, line) in sorted(content.responses.items()):
        for index in range(len(variations)):
            for text in shown_texts(variations, index):
                for start, kind, what in contact_details(text.value):
                    content.problems.append(
                        Problem(
                            path,
                            text.line_at(start) or line,
                            f'{name}: "{what}" is {kind}; write {{plan_name}}, {{nurse_line}}, '
                            "{member_services} or {back_pain_program_url} instead (the values "
                            "live in plan.yml)",
                        )
                    )


def check_placeholders(content: Content) -> None:
    """Every ``{name}`` is filled before a member sees it, or it reaches them in braces."""
    plan_keys = set(plan_values(content.root))
    sent, prefixes = action_responses(content.root / "actions")
    for name, (variations, path, line) in sorted(content.responses.items()):
        if name in sent or any(name.startswith(prefix) for prefix in prefixes):
            continue  # a custom action sends it, with its own values (tests/actions check)
        known = plan_keys | content.slots
        for index in range(len(variations)):
            for text in shown_texts(variations, index):
                for match in PLACEHOLDER.finditer(text.value):
                    if match.group(1) in known:
                        continue
                    near = did_you_mean(match.group(1), known, cutoff=0.6)
                    fix = (
                        f"did you mean {{{near}}}?"
                        if near
                        else "use one of " + ", ".join(f"{{{key}}}" for key in sorted(plan_keys))
                    )
                    content.problems.append(
                        Problem(
                            path,
                            text.line_at(match.start()) or line,
                            f"{name}: {match.group(0)} would reach members as it is, in braces: "
                            + fix,
                        )
                    )


# Topics members reach by asking, with no button by design: the disclaimer (its notice is
# already in the welcome every member sees).
ASKED_ONLY = {"faq/disclaimer"}


def warn_unoffered_topics(content: Content) -> None:
    """Warning: an FAQ topic no button offers is found only by members who ask for it."""
    labels = {
        normalise_example(text): intent
        for intent, examples in content.examples.items()
        for text, _, _ in examples
    }
    offered = {
        labels.get(normalise_example(str(button.get("payload", ""))))
        for variations, _, _ in content.responses.values()
        for variation in variations
        if isinstance(variation, dict)
        for button in variation.get("buttons") or []
        if isinstance(button, dict)
    }
    for intent, (path, line) in sorted(content.intent_lines.items()):
        if intent.startswith(FAQ_INTENT + "/") and intent not in offered | ASKED_ONLY:
            content.warnings.append(
                Problem(
                    path,
                    line,
                    f"warning: no button offers {intent}; members find it only by asking. "
                    "Consider a button on a related answer, its payload one of these examples",
                )
            )


# data/patterns/<stem>.yml -> "module:callable" that loads the file and raises on a mistake.
# A pattern file without an entry here is checked by ``member_health.<stem>:load_patterns``
# if that exists, otherwise only parsed as YAML.
PATTERN_LOADERS = {
    "emergency": "member_health.emergency_patterns:load_patterns",
    "emergency_examples": "member_health.emergency_examples:load_examples",
    "scope": "member_health.scope:load_vocabulary",
    "tumor_terms": "member_health.tumor_terms:load_terms",
}
ENTRY_INDEX = re.compile(r"(\w+)\[(\d+)\]")
QUOTED_KEY = re.compile(r"['\"](\w+)['\"]")


def pattern_validator(stem: str) -> Callable[[Path], Any] | None:
    """The loader that validates ``data/patterns/<stem>.yml``, if there is one."""
    module_name, name = PATTERN_LOADERS.get(stem, f"member_health.{stem}:load_patterns").split(":")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # spaCy may import TensorFlow: quiet
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if error.name and module_name.startswith(error.name):
            return None  # no loader for this file
        raise
    loader = getattr(module, name, None)
    return loader if callable(loader) else None


def entry_line(data: Any, message: str) -> int:
    """Line of the entry a loader's message names, e.g. ``patterns[3] (id 'x'): 'category' ...``."""
    node, line = data, 1
    rest = message
    for match in ENTRY_INDEX.finditer(message):
        key, index = match.group(1), int(match.group(2))
        items = node.get(key) if isinstance(node, dict) else None
        if not isinstance(items, list) or index >= len(items):
            break
        node, rest = items[index], message[match.end() :]
        line = yaml_lines.line(items, index) or line
    if isinstance(node, dict):
        for key in QUOTED_KEY.findall(rest):
            if key in node:
                return yaml_lines.key_line(node, key) or line
    return line


def check_pattern_files(content: Content) -> None:
    """Pattern files parse, and their loader (if any) accepts them."""
    for path in yaml_files(content.root / "data" / "patterns"):
        content.pattern_files += 1
        known = len(content.problems)
        data = load_yaml(content, path, duplicate_keys=True)
        if len(content.problems) > known:
            continue
        validator = pattern_validator(path.stem)
        if validator is None:
            continue
        try:
            validator(path)
        except Exception as error:  # any loader error is the editor's to fix
            message = str(error)
            for prefix in (str(path), str(path.resolve()), content.relative(path)):
                message = message.replace(prefix + ": ", "")
            mark = getattr(error, "problem_mark", None)
            line = mark.line + 1 if mark else entry_line(data, message)
            content.report(path, line, f"the pattern file is not valid: {message}")


RULES: Sequence[Callable[[Content], None]] = (
    check_faq_topics,
    check_intent_examples,
    check_duplicate_examples,
    check_bubbles,
    check_faq_sources,
    check_emergency_number,
    check_contact_details,
    check_placeholders,
    check_pattern_files,
    warn_unoffered_topics,
)


def lint(root: Path) -> tuple[list[Problem], Content]:
    """All problems under ``root`` (sorted by file and line), and what was checked.

    When a file cannot be read (YAML), only that is reported: every other rule would report
    its consequences (a domain file that cannot be read has no answers, for instance).
    """
    content = collect(root)
    content.rules_ran = not content.problems
    if content.rules_ran:
        for rule in RULES:
            rule(content)
    return sorted(set(content.problems)), content


def summary(content: Content) -> str:
    """One line for a clean run."""
    topics = sum(1 for name in content.examples if name.startswith(FAQ_INTENT + "/"))
    examples = sum(len(items) for items in content.examples.values())
    return (
        f"content lint OK: {topics} FAQ topics, {len(content.examples)} intents, "
        f"{examples} examples, {len(content.responses)} responses, "
        f"{content.pattern_files} pattern files"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """CLI entry point; returns the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--root", type=Path, default=REPO_ROOT, help="repository to check")
    args = parser.parse_args(argv)
    root = args.root.resolve()
    problems, content = lint(root)
    for problem in problems + sorted(content.warnings):
        print(problem)
    if problems:
        later = "" if content.rules_ran else "the other checks run once every file can be read; "
        print(
            f"content lint: {len(problems)} problem(s); {later}see docs/CONTENT.md", file=sys.stderr
        )
        return 1
    print(summary(content))
    return 0


if __name__ == "__main__":
    # spaCy (used by pattern loaders) imports TensorFlow when it is installed, which takes
    # seconds and is never needed here; in this stand-alone process, make it unavailable.
    sys.modules.setdefault("tensorflow", None)  # type: ignore[arg-type]
    sys.exit(main())
