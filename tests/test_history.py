"""``--history``: one line per run appended, checked when read, drawn as a
trend in the HTML report (issue 15, item 7)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conformance._data import SCHEMAS_ROOT, check_data
from conformance.report import HISTORY_SCHEMA
from tests._results import run_cli
from tests.test_report_html import rendered_dom

RAW = SCHEMAS_ROOT.parent / "reports" / "raw"
#: Two checked-in runs of one pack: the JS port (9.7 %) and the reference (100 %).
RUNS = ("tinker-js-example-0.1.0-spec-0.15.0.json", "tinker-0.15.0-spec-0.15.0.json")


def _report(raw: str, out: Path, history: Path, date: str) -> None:
    done = run_cli(
        "report", str(RAW / raw), "--out-dir", str(out), "--format", "html",
        "--format", "json", "--history", str(history), "--date", date,
    )  # fmt: skip
    assert done.returncode in (0, 1), done.stderr
    assert "Traceback" not in done.stderr


@pytest.fixture(scope="module")
def trend(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The history file and the last run's report folder after two runs."""
    root = tmp_path_factory.mktemp("trend")
    history = root / "history.jsonl"
    for i, raw in enumerate(RUNS):
        _report(raw, root / f"run{i}", history, f"2026-12-0{i + 1}")
    return history, root / "run1"


def test_each_run_appends_its_line(trend: tuple[Path, Path]) -> None:
    history, _ = trend
    lines = [json.loads(t) for t in history.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == len(RUNS)
    for line, raw in zip(lines, RUNS, strict=True):
        check_data(line, HISTORY_SCHEMA, history)
        document = json.loads((RAW.parent / raw).read_text(encoding="utf-8"))
        assert line["implementation"]["name"] == document["implementation"]["name"]
        assert line["completeness"] == document["summary"]["completeness"]
        assert line["gaps"] == document["summary"]["gaps"]["by_severity"]
        assert line["passed"] == document["gate"]["passed"]
    assert [line["date"] for line in lines] == ["2026-12-01", "2026-12-02"]


def test_the_report_draws_the_whole_history(trend: tuple[Path, Path], tmp_path: Path) -> None:
    history, out = trend
    (page,) = out.glob("*.html")
    dom = rendered_dom(page.read_text(encoding="utf-8"), tmp_path)
    chart = dom.by_id("trend-chart")
    assert chart.attrs["data-runs"] == str(len(RUNS))
    points = dom.all("circle", "point")
    lines = [json.loads(t) for t in history.read_text(encoding="utf-8").splitlines()]
    assert [p.attrs["data-date"] for p in points] == [line["date"] for line in lines]
    assert [float(p.attrs["data-value"]) for p in points] == [
        line["completeness"] for line in lines
    ]
    # higher completeness is drawn higher (a smaller y)
    ys = [float(p.attrs["cy"]) for p in points]
    assert ys[1] < ys[0]


def test_a_bad_history_line_is_bad_input_before_anything_is_written(tmp_path: Path) -> None:
    history = tmp_path / "history.jsonl"
    history.write_text('{"date": "2026-12-01"}\n', encoding="utf-8")
    out = tmp_path / "out"
    done = run_cli("report", str(RAW / RUNS[0]), "--out-dir", str(out), "--history", str(history))
    assert done.returncode == 2, done.stderr
    assert str(history) in done.stderr
    assert "line 1" in done.stderr
    assert not out.exists()
    assert history.read_text(encoding="utf-8") == '{"date": "2026-12-01"}\n'
