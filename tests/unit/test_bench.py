"""The benchmark's and the NLU report's pure parts: conversations, figures, hashes, memory."""
from __future__ import annotations

import itertools
import math
import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import yaml

from member_health_rasa.bench.baseline import baseline_hash, init_config_text, tree_hash
from member_health_rasa.bench.conversations import (
    GOODBYES,
    GREETINGS,
    GROWTH_CYCLE,
    ONE_SHOT_STAGE,
    SCREEN_ANSWERS,
    SCREEN_START,
    STAGE_QUESTIONS,
    conversation,
    growth_messages,
    member_conversations,
)
from member_health_rasa.bench.procs import session_memory_mb
from member_health_rasa.bench.report import growth_table, rolling_medians, target_checks
from member_health_rasa.bench.stats import (
    GROWTH_WINDOW,
    LevelResult,
    Sample,
    growth_figures,
    growth_points,
    growth_ratios,
    percentile,
    ratios,
    summarize,
    window_bounds,
)
from member_health_rasa.tools.nlu_report import figures, macro_f1, predicted_label, stratified_folds

ROOT = Path(__file__).resolve().parents[2]


def level(members: int, msg_s: float, p95: float = 10.0, rss: float = 500.0) -> LevelResult:
    return LevelResult(
        members,
        20.0,
        int(msg_s * 20),
        0,
        0,
        msg_s,
        p95 / 2,
        p95,
        p95 * 1.5,
        {"rasa": rss},
    )


# --- conversations ---------------------------------------------------------------------------


def test_a_member_says_the_same_things_in_every_run() -> None:
    first = list(itertools.islice(member_conversations(7, 3), 5))
    again = list(itertools.islice(member_conversations(7, 3), 5))
    other = list(itertools.islice(member_conversations(7, 4), 5))
    assert first == again
    assert first != other


@pytest.mark.parametrize("seed", range(20))
def test_a_conversation_has_greeting_faq_screen_stage_and_goodbye(seed: int) -> None:
    import random

    messages = conversation(random.Random(seed))
    assert messages[0] in GREETINGS and messages[-1] in GOODBYES
    start = next(i for i, text in enumerate(messages) if text in SCREEN_START)
    assert 3 <= start <= 4  # greeting + 2 or 3 FAQ questions
    assert all(answer in SCREEN_ANSWERS for answer in messages[start + 1 : start + 5])
    stage = messages[start + 5 : -1]
    assert len(stage) in (1, 6) and "stage" in stage[0]


def test_the_growth_conversation_repeats_one_mix_of_faq_and_small_talk() -> None:
    messages = growth_messages(300)
    assert len(messages) == 300 and growth_messages(0) == []
    assert len(GROWTH_CYCLE) == GROWTH_WINDOW
    # Any window of consecutive turns holds each message once: windows are comparable.
    for start in (0, 95, 290, 137):
        assert sorted(messages[start : start + GROWTH_WINDOW]) == sorted(GROWTH_CYCLE)
    # Nothing that starts a form (the red-flag screen, the stage explainer) or ends the talk.
    forms = set(SCREEN_START + STAGE_QUESTIONS + ONE_SHOT_STAGE + SCREEN_ANSWERS + GOODBYES)
    assert not forms & set(GROWTH_CYCLE)
    assert sum("?" in text or text.startswith(("what", "how")) for text in GROWTH_CYCLE) >= 5


# --- figures ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "values, q",
    [
        ([5.0], 50),
        ([1.0, 2.0], 50),
        ([3.0, 1.0, 2.0, 10.0], 95),
        (list(range(101)), 99),
        ([0.1, 7.0, 7.0, 2.5, 9.0, 1.0], 99),
    ],
)
def test_percentile_matches_numpy(values: list[float], q: float) -> None:
    assert percentile(values, q) == pytest.approx(float(np.percentile(values, q)))


def test_percentile_of_nothing_is_nan() -> None:
    assert math.isnan(percentile([], 50))


def test_summary_counts_only_the_measured_window() -> None:
    samples = [
        Sample(0.5, 0.6, True),  # warm-up: ignored
        Sample(1.0, 1.1, True),
        Sample(2.0, 2.3, True, empty=True),
        Sample(3.0, 3.05, False),  # error
        Sample(10.5, 11.5, True),  # answered after the window: not counted
    ]
    result = summarize(4, samples, start=1.0, end=11.0)
    assert (result.messages, result.errors, result.empty_replies) == (2, 1, 1)
    assert result.messages_per_s == pytest.approx(0.2)
    assert result.p50_ms == pytest.approx(200.0)
    assert result.p99_ms == pytest.approx(298.0)


def test_ratios_match_levels_by_member_count() -> None:
    ours = [level(1, 40.0, p95=30.0), level(10, 66.0, p95=150.0)]
    baseline = [level(1, 20.0, p95=60.0), level(10, 22.0, p95=600.0), level(50, 21.0)]
    result = ratios(ours, baseline)
    assert result["saturated_messages_per_s"] == 3.0
    assert result["per_level"]["10"] == {
        "messages_per_s": 3.0,
        "p50_ms": 0.25,
        "p95_ms": 0.25,
    }
    assert set(result["per_level"]) == {"1", "10"}


@pytest.mark.parametrize(
    "ours, ratio, expected",
    [
        (
            [level(1, 30, p95=50), level(10, 60, p95=190), level(50, 60, p95=990)],
            3.1,
            {
                "throughput >= 3x baseline": True,
                "p95 <= 60 ms at 1": True,
                "p95 <= 200 ms at 10": True,
                "p95 <= 1000 ms at 50": True,
                "rasa RSS <= 1200 MB": True,
            },
        ),
        (
            [level(1, 30, p95=61), level(10, 60, p95=201, rss=1300), level(50, 60, p95=1001)],
            2.9,
            {
                "throughput >= 3x baseline": False,
                "p95 <= 60 ms at 1": False,
                "p95 <= 200 ms at 10": False,
                "p95 <= 1000 ms at 50": False,
                "rasa RSS <= 1200 MB": False,
            },
        ),
        ([level(2, 30, p95=500)], math.nan, {"rasa RSS <= 1200 MB": True}),
    ],
)
def test_target_checks(ours: list[LevelResult], ratio: float, expected: dict) -> None:
    assert target_checks(ours, {"saturated_messages_per_s": ratio}) == expected


@pytest.mark.parametrize("last_ms, met", [(60.0, True), (61.0, False)])
def test_growth_target_is_the_last_turn_against_a_new_members_turn_1(
    last_ms: float, met: bool
) -> None:
    growth = growth_figures(turns([10.0] * 290 + [last_ms] * 10), fresh=turns([50.0] * 10))
    checks = target_checks([level(1, 30)], {}, growth)
    assert checks["turn 300 <= 1.2x a new member's turn 1 (alternating)"] is met
    assert "turn 300 <= 1.2x a new member's turn 1 (alternating)" not in target_checks(
        [level(1, 30)], {}, growth_figures(turns([10.0] * 300))  # no new member: no figure
    )


def test_memory_of_a_session() -> None:
    rss, pss = session_memory_mb(os.getsid(0))
    assert rss > 10 and 0 < pss <= rss  # this test process at least
    assert session_memory_mb(-1) == (0.0, 0.0)


# --- the baseline model ----------------------------------------------------------------------


def test_our_hash_is_the_one_of_model_hash_sh() -> None:
    script = subprocess.run(
        ["bash", "scripts/model_hash.sh"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert (
        tree_hash(
            ROOT,
            [
                "config.yml",
                "domain.yml",
                "data",
                "requirements-model.txt",
                "member_health_rasa/nlu",
                "member_health_rasa/policies",
                "member_health/emergency_examples.py",
            ],
        )
        == script.stdout.strip()
    )


def test_baseline_config_is_rasa_init_and_means_the_default_pipeline(
    tmp_path: Path,
) -> None:
    from rasa.engine.recipes.default_recipe import DefaultV1Recipe

    config = yaml.safe_load(init_config_text())
    assert config["pipeline"] is None and config["policies"] is None  # all commented out
    path = tmp_path / "config.yml"
    path.write_text(init_config_text())
    filled, _, auto = DefaultV1Recipe.auto_configure(str(path), config)
    assert auto == {"pipeline", "policies"}
    assert [c["name"] for c in filled["pipeline"]] == [
        "WhitespaceTokenizer",
        "RegexFeaturizer",
        "LexicalSyntacticFeaturizer",
        "CountVectorsFeaturizer",
        "CountVectorsFeaturizer",
        "DIETClassifier",
        "EntitySynonymMapper",
        "ResponseSelector",
        "FallbackClassifier",
    ]
    assert [p["name"] for p in filled["policies"]] == [
        "MemoizationPolicy",
        "RulePolicy",
        "UnexpecTEDIntentPolicy",
        "TEDPolicy",
    ]


def test_baseline_hash_follows_data_not_our_config(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "data", tmp_path / "data")
    shutil.copy(ROOT / "domain.yml", tmp_path / "domain.yml")
    (tmp_path / "config.yml").write_text("pipeline: []\n")
    before = baseline_hash(tmp_path)
    (tmp_path / "config.yml").write_text("pipeline: [{name: WhitespaceTokenizer}]\n")
    assert baseline_hash(tmp_path) == before
    with open(tmp_path / "data" / "nlu" / "extra.yml", "w") as handle:
        handle.write('version: "3.1"\n')
    assert baseline_hash(tmp_path) != before


# --- the NLU report --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "pairs, expected",
    [
        ([("a", "a"), ("b", "b")], 1.0),
        ([("a", "a"), ("a", "b"), ("b", "b")], 2 / 3),  # a: P 1, R .5; b: P .5, R 1
        ([("a", "x"), ("b", "b")], 0.5),  # a never right; "x" is not an expected label
        ([], 0.0),
    ],
)
def test_macro_f1(pairs: list[tuple[str, str]], expected: float) -> None:
    assert macro_f1(pairs) == pytest.approx(expected)


def test_figures_split_intent_retrieval_and_emergency() -> None:
    pairs = [
        ("faq/biopsy", "faq/biopsy"),
        ("faq/biopsy", "faq/diagnosis"),  # right intent, wrong topic
        ("emergency", "emergency"),
        ("emergency", "faq/symptoms"),  # missed emergency
        ("greet", "emergency"),  # false alarm
        ("greet", "greet"),
    ]
    result = figures(pairs, [f"text {i}" for i in range(len(pairs))])
    assert result["accuracy"] == 0.5
    assert result["intent_accuracy"] == round(4 / 6, 4)
    assert result["retrieval_accuracy"] == 0.5
    assert result["emergency"] == {
        "recall": 0.5,
        "missed": 1,
        "emergencies": 2,
        "false_alarm_rate": 0.25,
        "false_alarms": 1,
        "non_emergencies": 4,
        "errors": [
            {"text": "text 3", "expected": "emergency", "predicted": "faq/symptoms"},
            {"text": "text 4", "expected": "greet", "predicted": "emergency"},
        ],
    }
    assert result["top_confusions"]["emergency -> faq/symptoms"] == 1


def test_an_out_of_scope_question_asked_about_is_not_an_answer() -> None:
    pairs = [
        ("out_of_scope", "faq/biopsy"),  # answered with a topic
        ("out_of_scope", "faq/staging"),  # asked about (topic buttons), not answered
        ("out_of_scope", "out_of_scope"),
    ]
    result = figures(pairs, asked=[False, True, False])
    assert result["out_of_scope"] == {
        "questions": 3,
        "answered_with_topic": 1,
        "answered_with_911": 0,
        "answered_with_topic_or_911": 1,
    }
    assert result["asked_instead_of_answering"] == 1
    assert result["accuracy"] == round(1 / 3, 4)  # the best guess still counts as wrong


def test_folds_hold_every_example_once_and_spread_each_label() -> None:
    labels = ["a"] * 10 + ["b"] * 5 + ["faq/c"] * 7
    folds = stratified_folds(labels, 5, seed=42)
    assert sorted(i for fold in folds for i in fold) == list(range(len(labels)))
    assert all(sum(labels[i] == "b" for i in fold) == 1 for fold in folds)
    assert folds == stratified_folds(labels, 5, seed=42)


@pytest.mark.parametrize(
    "parse, label",
    [
        ({"intent": {"name": "greet"}}, "greet"),
        (
            {
                "intent": {"name": "faq"},
                "response_selector": {"faq": {"response": {"intent_response_key": "faq/biopsy"}}},
            },
            "faq/biopsy",
        ),
        # Rasa's default ResponseSelector (no retrieval_intent) answers under "default".
        (
            {
                "intent": {"name": "faq"},
                "response_selector": {
                    "default": {"response": {"intent_response_key": "faq/types"}}
                },
            },
            "faq/types",
        ),
        ({"intent": {"name": "faq"}}, "faq"),
        ({}, ""),
    ],
)
def test_predicted_label_reads_either_response_selector(parse: dict, label: str) -> None:
    assert predicted_label(parse) == label


# --- growth ----------------------------------------------------------------------------------


def turns(latencies_ms: list[float], failed: frozenset[int] = frozenset()) -> list[Sample]:
    """One sample per turn (turn n at index n - 1) with these latencies; ``failed`` turns fail."""
    return [
        Sample(float(n), n + ms / 1000, n + 1 not in failed) for n, ms in enumerate(latencies_ms)
    ]


@pytest.mark.parametrize(
    "count, points", [(300, [1, 100, 300]), (12, [1, 4, 12]), (2, [1, 2]), (1, [1]), (0, [])]
)
def test_growth_points_are_the_first_a_third_and_the_last_turn(
    count: int, points: list[int]
) -> None:
    assert growth_points(count) == points


@pytest.mark.parametrize(
    "point, count, bounds",
    [
        (1, 300, (1, 10)),
        (100, 300, (96, 105)),
        (300, 300, (291, 300)),
        (4, 12, (1, 10)),
        (12, 12, (3, 12)),
        (3, 5, (1, 5)),  # shorter than a window: all of it
    ],
)
def test_window_around_a_turn_stays_in_the_conversation(
    point: int, count: int, bounds: tuple[int, int]
) -> None:
    assert window_bounds(point, count) == bounds


def test_growth_medians_of_windows_and_ratio() -> None:
    result = growth_figures(turns([float(n) for n in range(1, 301)]))  # turn n takes n ms
    assert [(p.turn, p.first_turn, p.last_turn) for p in result.points] == [
        (1, 1, 10),
        (100, 96, 105),
        (300, 291, 300),
    ]
    assert [p.median_ms for p in result.points] == [5.5, 100.5, 295.5]
    assert result.ratio_last_to_first == round(295.5 / 5.5, 2)
    assert result.summary() == {
        "turn_1_ms": 5.5,
        "turn_100_ms": 100.5,
        "turn_300_ms": 295.5,
        "turn_300_over_turn_1": round(295.5 / 5.5, 2),
        "fresh_turn_1_ms": pytest.approx(math.nan, nan_ok=True),
        "turn_300_over_fresh_turn_1": pytest.approx(math.nan, nan_ok=True),
    }
    assert (result.turns, result.window, result.errors) == (300, 10, 0)
    assert result.latencies_ms[0] == 1.0 and result.latencies_ms[-1] == 300.0


def test_growth_leaves_failed_turns_out_of_the_medians_and_counts_them() -> None:
    latencies = [20.0] * 10 + [90.0] * 10
    samples = turns(latencies, failed=frozenset({1, 2, 3, 4, 5, 6}))
    samples[19] = Sample(19.0, 19.05, True, empty=True)
    result = growth_figures(samples)
    assert result.errors == 6 and result.empty_replies == 1
    first, _, last = result.points
    assert (first.messages, first.median_ms) == (4, 20.0)  # turns 7-10 only
    assert (last.first_turn, last.messages, last.median_ms) == (11, 10, 90.0)
    assert result.ratio_last_to_first == 4.5
    assert result.latencies_ms[:7] == [None] * 6 + [20.0]


def test_growth_against_a_new_members_turns_sent_alternately() -> None:
    fresh = turns([200.0] * 9 + [9000.0], failed=frozenset({1}))  # one fails, one is slow
    result = growth_figures(turns([100.0] * 290 + [250.0] * 10), fresh=fresh)
    assert result.fresh_first_ms == 200.0  # the median of the nine that succeeded
    assert result.ratio_last_to_fresh == 1.25 and result.ratio_last_to_first == 2.5
    assert result.errors == 1
    assert result.summary()["turn_300_over_fresh_turn_1"] == 1.25


def test_growth_of_nothing_and_of_all_failed() -> None:
    assert math.isnan(growth_figures([]).ratio_last_to_first)
    result = growth_figures(turns([10.0] * 3, failed=frozenset({1, 2, 3})))
    assert all(math.isnan(p.median_ms) for p in result.points)
    assert math.isnan(result.ratio_last_to_first)


def test_growth_ratios_ours_over_baseline_at_each_turn() -> None:
    ours = growth_figures(turns([10.0] * 20 + [40.0] * 280))
    baseline = growth_figures(turns([20.0] * 300))
    assert growth_ratios(ours, baseline) == {"turn_1": 0.5, "turn_100": 2.0, "turn_300": 2.0}
    assert growth_ratios(ours, growth_figures(turns([20.0] * 12))) == {"turn_1": 0.5}


def test_growth_table_shows_each_model_with_its_ratio() -> None:
    table = growth_table(
        {
            "ours": growth_figures(turns([20.0] * 10 + [50.0] * 290), fresh=turns([25.0] * 10)),
            "baseline": growth_figures(turns([60.0] * 300), fresh=turns([60.0] * 10)),
        }
    )
    header, columns, ours, baseline = table.splitlines()
    assert "300 turns" in header
    assert "turn 1 (1-10)" in columns and "turn 100 (96-105)" in columns
    assert "turn 300/1" in columns and "turn 300/new" in columns
    assert ours.split() == ["ours", "20", "50", "50", "2.50x", "25", "2.00x", "0", "0"]
    assert baseline.split() == ["baseline", "60", "60", "60", "1.00x", "60", "1.00x", "0", "0"]


def test_rolling_medians_skip_failed_turns() -> None:
    assert rolling_medians([1.0, 3.0, None, 5.0], 2) == [1.0, 2.0, 3.0, 5.0]
