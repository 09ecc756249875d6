"""The GitHub Action's steps (action/gate.sh), run here as a job would run
them: a failing gate exits 1 and says so in the step summary, a baseline of
today's gaps makes the same run pass, and only this run's summary is
appended."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conformance._data import SUITE_ROOT
from conformance.reference._classes import installed_version
from tests._results import run_cli

GATE = SUITE_ROOT / "action" / "gate.sh"
MUTANT = "python:tests.mutants:FlattensSupportedModels"


def _gate(tmp_path: Path, summary: Path, **inputs: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PYTHON": sys.executable,
        "PYTHONPATH": str(SUITE_ROOT),  # the mutants live in tests/
        "INPUT_SUITE": "",  # the suite under test is installed already
        "INPUT_REPORT_DIR": str(tmp_path / "report"),
        "INPUT_ARGS": "--check fixture-roundtrip",
        "GITHUB_STEP_SUMMARY": str(summary),
        **{f"INPUT_{k.upper()}": v for k, v in inputs.items()},
    }
    return subprocess.run(
        ["bash", str(GATE)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_the_action_declares_the_inputs_of_its_script() -> None:
    action = (SUITE_ROOT / "action.yml").read_text(encoding="utf-8")
    script = GATE.read_text(encoding="utf-8")
    for name in ("spec", "adapter", "baseline", "fail-on", "report-dir", "args", "suite"):
        assert f"\n  {name}:\n" in action, name
        variable = "INPUT_" + name.upper().replace("-", "_")
        assert f"{variable}: ${{{{ inputs.{name} }}}}" in action, variable
        assert variable in script, variable


@pytest.mark.sdk
def test_a_failing_gate_fails_the_step_and_a_baseline_passes_it(tmp_path: Path) -> None:
    version = installed_version()
    assert version is not None
    summary = tmp_path / "summary.md"
    failed = _gate(tmp_path, summary, spec=version, adapter=MUTANT)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    first = summary.read_text(encoding="utf-8")
    assert "gate FAILED" in first
    assert first.count("\n") <= 60

    (raw,) = (tmp_path / "conformance-results" / "raw").glob("*.json")
    baseline = tmp_path / "baseline.json"
    assert run_cli("baseline", "write", str(raw), "--out", str(baseline)).returncode == 0
    passed = _gate(tmp_path, summary, spec=version, adapter=MUTANT, baseline=str(baseline))
    assert passed.returncode == 0, passed.stdout + passed.stderr
    second = summary.read_text(encoding="utf-8").removeprefix(first)
    assert "gate PASSED" in second
    assert "gate FAILED" not in second  # the earlier run's summary is not appended again


def test_bad_input_is_exit_2_and_no_summary_is_invented(tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    done = _gate(tmp_path, summary, spec="9.9.9", adapter="tinker")
    assert done.returncode == 2, done.stdout + done.stderr
    assert "no spec pack for version '9.9.9'" in done.stderr
    assert summary.read_text(encoding="utf-8") == (
        "tinker-conformance: no report was written (exit 2)\n"
    )
