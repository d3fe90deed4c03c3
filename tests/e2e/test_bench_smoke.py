"""Smoke runs of ``make bench`` and ``make nlu-report`` (seconds, tiny load) so they cannot rot.

The benchmark runs against real servers started as ``make bench`` starts them, with the rate
limits off (one simulated member sends faster than a member may: the limits would measure
themselves; the session's ``servers`` keep them on for tests/security), with a 12-turn growth
conversation; the NLU report
cross-validates a tiny pipeline on a few examples per label. Speed is not asserted: that both
commands measure, count what they were given (examples counted here from the data files) and
write their reports, and that the tiny pipeline's predictions beat chance.
"""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from member_health_rasa.bench.__main__ import LOAD_TEST_ENV
from member_health_rasa.bench.__main__ import main as bench_main
from member_health_rasa.tools import nlu_report

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
TINY_PIPELINE = """\
recipe: default.v1
assistant_id: nlu-report-smoke
language: en
pipeline:
  - name: WhitespaceTokenizer
  - name: CountVectorsFeaturizer
  - name: LogisticRegressionClassifier
policies: []
"""


def label_counts(directory: Path) -> Counter[str]:
    """Examples per label (``faq/<key>`` for FAQ topics) in a folder of NLU files."""
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

    counts: Counter[str] = Counter()
    for path in sorted(directory.glob("*.yml")):
        for message in RasaYAMLReader().read(path).intent_examples:
            counts[message.get_full_intent()] += 1
    return counts


@pytest.fixture(scope="module")
def bench_servers(start_servers):  # type: ignore[no-untyped-def]
    """The action and Rasa servers as the bench runs them: rate limits off."""
    with start_servers("bench_servers", dict(LOAD_TEST_ENV)) as running:
        yield running


def test_bench_measures_the_running_servers(bench_servers, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    servers = bench_servers
    pids = [f"{name}={process.pid}" for name, process in servers.processes.items()]
    result = bench_main(
        [
            "--url",
            servers.url,
            "--levels",
            "1,3",
            "--duration",
            "2",
            "--warmup",
            "0.5",
            "--growth-turns",
            "12",
            "--out",
            str(tmp_path),
            *[arg for pid in pids for arg in ("--pid", pid)],
        ]
    )
    levels = result["runs"]["running"]["levels"]
    assert [level.members for level in levels] == [1, 3]
    for level in levels:
        assert level.messages > 0 and level.errors == 0, level
        assert 0 < level.p50_ms <= level.p95_ms <= level.p99_ms
        assert level.peak_rss_mb["rasa"] > 100 and level.peak_rss_mb["actions"] > 20
    growth = result["runs"]["running"]["growth"]
    assert (growth.turns, growth.errors, growth.empty_replies) == (12, 0, 0), growth
    assert [point.turn for point in growth.points] == [1, 4, 12]
    assert all(point.messages == 10 and point.median_ms > 0 for point in growth.points), growth
    assert growth.ratio_last_to_first > 0
    assert growth.fresh_first_ms > 0 and growth.ratio_last_to_fresh > 0, growth
    written = json.loads((tmp_path / "bench-latest.json").read_text())
    assert written["runs"]["running"]["levels"][1]["members"] == 3
    summary = written["growth"]["running"]
    assert set(summary) == {
        "turn_1_ms",
        "turn_4_ms",
        "turn_12_ms",
        "turn_12_over_turn_1",
        "fresh_turn_1_ms",
        "turn_12_over_fresh_turn_1",
    }
    assert all(value > 0 for value in summary.values()), summary
    assert len(written["runs"]["running"]["growth"]["latencies_ms"]) == 12
    assert (tmp_path / "bench.png").read_bytes().startswith(PNG_MAGIC)


def test_nlu_report_cross_validates_and_writes_its_reports(tmp_path: Path) -> None:
    config = tmp_path / "tiny.yml"
    config.write_text(TINY_PIPELINE)
    result = nlu_report.main(
        [
            "--pipeline",
            f"tiny={config}",
            "--folds",
            "2",
            "--limit-per-label",
            "4",
            "--out",
            str(tmp_path / "reports"),
        ]
    )
    tiny = result["pipelines"]["tiny"]
    dev, train = label_counts(ROOT / "tests" / "nlu_dev"), label_counts(ROOT / "data" / "nlu")
    # At most 4 examples a label, counted here from the files as Rasa reads them.
    assert tiny["dev_set"]["examples"] == sum(min(4, n) for n in dev.values())
    assert tiny["dev_set"]["emergency"]["emergencies"] == min(4, dev["emergency"]) == 4
    cv = tiny["cross_validation"]
    assert len(cv["per_fold"]) == 2
    assert cv["examples"] == sum(min(4, n) for n in train.values())
    emergency = cv["emergency"]
    assert emergency["emergencies"] == min(4, train["emergency"]) == 4
    assert emergency["recall"] == round(1 - emergency["missed"] / 4, 4)
    # Even two examples a label beat chance by far; predictions scored against the wrong
    # examples would not (about one label in len(train) right).
    assert cv["accuracy"] > 3 / len(train) and cv["macro_f1"] > 3 / len(train), cv
    written = json.loads((tmp_path / "reports" / "nlu-report.json").read_text())
    assert written["pipelines"]["tiny"]["cross_validation"]["folds"] == 2
    assert (tmp_path / "reports" / "nlu-confusion.png").read_bytes().startswith(PNG_MAGIC)
