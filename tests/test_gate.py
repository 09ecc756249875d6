"""The CI gate: new gaps fail, accepted gaps pass, stale entries are told.

Unit cases are data (tests/gate_cases/*.json, one case per file); the end
to end tests run real mutated implementations (tests/mutants.py) through
`run`, `baseline write` and `report`, as a CI job would.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from conformance._errors import SpecError
from conformance.findings import load_gap_rules
from conformance.gaps import Baseline, Gap, judge
from conformance.reference._classes import installed_version
from conformance.report import FORMATS
from tests._results import audit, finding, raw_results, run_cli

CASES = sorted((Path(__file__).parent / "gate_cases").glob("*.json"))


def _gap(spec: dict[str, Any]) -> Gap:
    return Gap(
        id=spec["id"],
        key="0" * 12,
        registered=True,
        kind="type",
        subject="X",
        field="",
        category="added-field" if spec.get("enhancement") else "missing-type",
        severity=spec["severity"],
        domain=None,
        enhancement=bool(spec.get("enhancement")),
        findings=(),
    )


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_gate_case(path: Path) -> None:
    case = json.loads(path.read_text())
    assert case["description"]
    baseline = (
        Baseline(Path("baseline.json"), {i: {"id": i} for i in case["baseline"]})
        if case["baseline"] is not None
        else None
    )
    verdict = judge(
        [_gap(g) for g in case["gaps"]],
        load_gap_rules(),
        fail_on=case["fail_on"],
        baseline=baseline,
        strict=case["strict"],
    )
    got = verdict.to_json()
    for key, value in case["expect"].items():
        assert got[key] == value, f"{path.name}: {key}: expected {value}, came {got[key]}"


def test_an_unknown_threshold_is_refused() -> None:
    with pytest.raises(SpecError, match="expected one of critical, high"):
        judge([], load_gap_rules(), fail_on="severe")


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Raw results of the reference and of two differently broken mutants."""
    folder = tmp_path_factory.mktemp("gate")
    found = {}
    for name, adapter in (
        ("reference", "tinker"),
        ("flatten", "python:tests.mutants:FlattensSupportedModels"),
        ("heartbeat", "python:tests.mutants:LacksHeartbeatTypes"),
        ("rank", "python:tests.mutants:DefaultsLoraRank"),
    ):
        done = audit(adapter, folder / f"{name}.json")
        assert done.returncode == (0 if name == "reference" else 1), done.stdout + done.stderr
        found[name] = folder / f"{name}.json"
    return found


def _report(results: Path, out: Path, *extra: str) -> tuple[int, dict[str, Any]]:
    """Exit code and gate of `report`; its JUnit XML must agree with both."""
    done = run_cli(
        "report", str(results), "--out-dir", str(out), "--format", "json", "--format", "junit",
        *extra,
    )  # fmt: skip
    assert done.returncode in (0, 1), done.stdout + done.stderr
    gate: dict[str, Any] = json.loads((out / f"{results.stem}.json").read_text())["gate"]
    junit = ET.parse(out / f"{results.stem}.junit.xml").getroot()
    failed = {
        gap_id.split(" ")[0]
        for failure in junit.iter("failure")
        for gap_id in failure.get("message", "").split("; ")
    }
    assert failed == set(gate["new"]), "JUnit must fail exactly on the gate's new gaps"
    assert (int(junit.get("failures", "0")) > 0) == (done.returncode == 1) or gate["stale"]
    return done.returncode, gate


@pytest.mark.sdk
def test_gate_end_to_end(runs: dict[str, Path], tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"
    done = run_cli("baseline", "write", str(runs["flatten"]), "--out", str(baseline))
    assert done.returncode == 0, done.stderr
    accepted = [e["id"] for e in json.loads(baseline.read_text())["accepted"]]
    assert accepted, "the mutant's gaps must be in the baseline"

    # The same implementation again: every gap accepted, the gate passes.
    code, gate = _report(runs["flatten"], tmp_path / "a", "--baseline", str(baseline))
    assert (code, gate["passed"], gate["new"]) == (0, True, [])
    assert sorted(gate["accepted"]) == sorted(accepted)

    # A different regression: its gaps are new and fail; the fixed ones are stale.
    code, gate = _report(runs["heartbeat"], tmp_path / "b", "--baseline", str(baseline))
    assert code == 1
    assert not gate["passed"]
    assert gate["new"]
    assert not set(gate["new"]) & set(accepted)
    assert sorted(gate["stale"]) == sorted(accepted)

    # The reference fixes everything: stale entries pass, unless strict.
    code, gate = _report(runs["reference"], tmp_path / "c", "--baseline", str(baseline))
    assert (code, gate["stale"]) == (0, sorted(accepted))
    code, gate = _report(
        runs["reference"], tmp_path / "d", "--baseline", str(baseline), "--strict-baseline"
    )
    assert (code, gate["passed"]) == (1, False)


@pytest.mark.sdk
def test_fail_on_sets_the_threshold(runs: dict[str, Path], tmp_path: Path) -> None:
    raw = json.loads(runs["rank"].read_text())
    severities = {f["severity"] for f in raw["findings"] if not f["enhancement"]}
    assert severities, "the mutant must have gaps"
    assert severities <= {"medium", "low"}, severities
    code, gate = _report(runs["rank"], tmp_path / "low", "--fail-on", "low")
    assert code == 1
    assert gate["new"]
    code, gate = _report(runs["rank"], tmp_path / "high", "--fail-on", "high")
    assert code == 0
    assert gate["below_threshold"]
    assert not gate["new"]


@pytest.mark.sdk
def test_run_applies_the_gate_and_writes_every_format(
    runs: dict[str, Path], tmp_path: Path
) -> None:
    baseline = tmp_path / "baseline.json"
    assert (
        run_cli("baseline", "write", str(runs["flatten"]), "--out", str(baseline)).returncode == 0
    )
    version = installed_version()
    assert version is not None
    done = run_cli(
        "run", "--adapter", "python:tests.mutants:FlattensSupportedModels", "--spec", version,
        "--check", "fixture-roundtrip", "--check", "shape", "--profile", "ci", "--quiet",
        "--results", str(tmp_path / "raw" / "again.json"), "--report", str(tmp_path / "out"),
        "--baseline", str(baseline),
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "gate: PASSED" in done.stdout
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == sorted(f"again{suffix}" for suffix, _render in FORMATS.values())


def test_a_corrupt_baseline_names_file_and_pointer(tmp_path: Path) -> None:
    results = tmp_path / "r.json"
    results.write_text(json.dumps(raw_results([])))
    baseline = tmp_path / "baseline.json"
    baseline.write_text(json.dumps({"accepted": [{"id": "not-an-id"}]}))
    done = run_cli("report", str(results), "--out-dir", str(tmp_path), "--baseline", str(baseline))
    assert done.returncode == 2
    assert str(baseline) in done.stderr
    assert "/accepted/0/id" in done.stderr


def test_a_project_layer_overrides_a_severity(tmp_path: Path) -> None:
    layer = tmp_path / "rules.json"
    layer.write_text(
        json.dumps(
            {
                "overrides": [
                    {
                        "category": "missing-type",
                        "type": "LoraConfig",
                        "severity": "low",
                        "reason": "this port configures LoRA elsewhere",
                    }
                ]
            }
        )
    )
    finding_ = finding(
        check="support",
        category="missing-type",
        field="",
        message="LoraConfig is not implemented",
        expected=None,
        instance=None,
    )
    results = tmp_path / "r.json"
    results.write_text(json.dumps(raw_results([finding_])))
    code, gate = _report(results, tmp_path / "default", "--fail-on", "medium")
    assert code == 1
    assert gate["new"]
    code, gate = _report(
        results, tmp_path / "layered", "--fail-on", "medium", "--gap-rules", str(layer)
    )
    assert code == 0
    assert gate["below_threshold"]
