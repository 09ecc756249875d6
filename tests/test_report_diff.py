"""`tinker-conformance diff OLD NEW`: fixed, new and changed gaps between two
runs, completeness deltas, the exit code that gates a pull request.

Unit cases are data (tests/diff_cases/*.json: the findings of each side as
changes to `tests._results.finding`, and what the diff must say); the end to
end test diffs real runs of a mutant before and after its fix.
"""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from conformance.report._diff import check_diff
from tests._results import audit, finding, raw_results, run_cli

CASES = sorted((Path(__file__).parent / "diff_cases").glob("*.json"))


def _side(tmp_path: Path, name: str, changes: list[dict[str, Any]], spec: str) -> Path:
    raw = raw_results([finding(**c) for c in changes])
    raw["spec_version"] = spec
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(raw))
    return path


def _diff(tmp_path: Path, old: Path, new: Path, *args: str) -> tuple[int, str, dict[str, Any]]:
    out = tmp_path / "diff"
    done = run_cli("diff", str(old), str(new), "--out-dir", str(out), "--name", "d", *args)
    diff = json.loads((out / "d.json").read_text()) if (out / "d.json").exists() else {}
    return done.returncode, done.stdout + done.stderr, diff


def _places(gaps: list[dict[str, Any]]) -> list[list[str]]:
    return [[g["subject"], g["field"], g["category"]] for g in gaps]


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_diff_case(path: Path, tmp_path: Path) -> None:
    case = json.loads(path.read_text())
    assert case["description"]
    old = _side(tmp_path, "old", case["old"], case.get("old_spec", "0.15.0"))
    new = _side(tmp_path, "new", case["new"], case.get("new_spec", "0.15.0"))
    code, said, diff = _diff(tmp_path, old, new, *case.get("args", []))
    expect = case["expect"]
    assert code == expect["exit"], said
    if code == 2:
        assert expect["stderr"] in said
        assert not diff, "a refused diff writes nothing"
        return
    check_diff(diff, path)
    assert _places(diff["fixed"]) == expect["fixed"]
    assert _places(diff["new_gaps"]) == expect["new_gaps"]
    changed = [[c["new"]["subject"], c["new"]["field"], c["what"]] for c in diff["changed"]]
    assert changed == expect["changed"]
    assert diff["unchanged"] == expect["unchanged"]
    assert diff["completeness"]["overall"]["delta"] == expect["delta"]
    assert diff["verdict"]["passed"] == (code == 0)


def test_a_severity_changed_by_the_rules_is_changed(tmp_path: Path) -> None:
    """The same gap judged by other rules (a report JSON written with a
    project's layer) is changed in severity only; worse fails, better passes."""
    raw = _side(tmp_path, "raw", [{"field": "/rank"}], "0.15.0")
    layer = tmp_path / "rules.json"
    layer.write_text(
        json.dumps(
            {
                "overrides": [
                    {
                        "category": "data-loss",
                        "type": "LoraConfig",
                        "severity": "low",
                        "reason": "a project that accepts the loss for now",
                    }
                ]
            }
        )
    )
    done = run_cli(
        "report", str(raw), "--out-dir", str(tmp_path / "lenient"), "--format", "json",
        "--gap-rules", str(layer),
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    lenient = tmp_path / "lenient" / "raw.json"
    code, said, diff = _diff(tmp_path, lenient, raw)
    assert code == 1, said
    ((change,),) = [diff["changed"]]
    assert change["what"] == ["severity"]
    assert (change["old"]["severity"], change["new"]["severity"]) == ("low", "critical")
    assert diff["verdict"]["worse"] == 1
    code, said, diff = _diff(tmp_path, raw, lenient)
    assert code == 0, said


class _Rows(HTMLParser):
    """The data-key of each row of the diff page's tables, by table id."""

    def __init__(self) -> None:
        super().__init__()
        self.table: str | None = None
        self.rows: dict[str, list[str]] = {}
        self.verdict: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "table":
            self.table = found.get("id")
            self.rows.setdefault(str(self.table), [])
        elif tag == "tr" and found.get("data-key") and self.table:
            self.rows[self.table].append(str(found["data-key"]))
        elif found.get("id") == "verdict":
            self.verdict = found.get("data-value")


@pytest.mark.sdk
def test_a_mutant_before_and_after_its_fix(tmp_path: Path) -> None:
    """Before: the heartbeat types missing; after: the reference (fixed).
    The fixed list is exactly the gaps the mutant's own report has; the
    other way round they are all new, and the diff fails."""
    before, after = tmp_path / "before.json", tmp_path / "after.json"
    assert audit("python:tests.mutants:LacksHeartbeatTypes", before).returncode == 1
    assert audit("tinker", after).returncode == 0
    done = run_cli("report", str(before), "--out-dir", str(tmp_path / "r"), "--format", "json")
    mutant_gaps = json.loads((tmp_path / "r" / "before.json").read_text())["gaps"]
    assert {g["subject"] for g in mutant_gaps} == {
        "SessionHeartbeatRequest",
        "SessionHeartbeatResponse",
    }, done.stdout
    code, said, diff = _diff(tmp_path, before, after)
    assert code == 0, said
    assert sorted(g["key"] for g in diff["fixed"]) == sorted(g["key"] for g in mutant_gaps)
    assert diff["new_gaps"] == []
    assert diff["completeness"]["overall"]["new"] == 100.0
    assert diff["completeness"]["overall"]["delta"] > 0
    session = next(d for d in diff["completeness"]["domains"] if d["name"] == "session & service")
    assert session["delta"] > 0
    page = _Rows()
    page.feed((tmp_path / "diff" / "d.html").read_text())
    assert page.rows["fixed"] == [g["key"] for g in diff["fixed"]]
    assert page.verdict == "true"
    markdown = (tmp_path / "diff" / "d.md").read_text()
    assert f"**Fixed:** {len(mutant_gaps)}; **new:** 0" in markdown
    code, said, diff = _diff(tmp_path, after, before)
    assert code == 1, said
    assert sorted(g["key"] for g in diff["new_gaps"]) == sorted(g["key"] for g in mutant_gaps)
    assert "diff: FAILED" in said


def test_help_and_bad_input(tmp_path: Path) -> None:
    assert run_cli("diff", "--help").returncode == 0
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"implementation": {}}))
    good = _side(tmp_path, "good", [], "0.15.0")
    done = run_cli("diff", str(bad), str(good), "--out-dir", str(tmp_path / "o"))
    assert done.returncode == 2
    assert str(bad) in done.stderr
