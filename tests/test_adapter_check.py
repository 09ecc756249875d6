"""``adapter-check`` passes a well-behaved adapter program and explains each
violation of a sloppy one; ``run`` drives programs with --timeout and
--validate-protocol."""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from conformance._cli import cli
from conformance.spec import SpecPack

HOSTILE = Path(__file__).parent / "hostile"


def _adapter(script: str, *args: str) -> str:
    return "subprocess:" + shlex.join([sys.executable, str(HOSTILE / f"{script}.py"), *args])


def _verdicts(output: str) -> dict[str, str]:
    """Probe name -> PASS or FAIL, from the output lines."""
    return {
        line.split()[1]: line.split()[0]
        for line in output.splitlines()
        if line.startswith(("PASS ", "FAIL "))
    }


def test_a_well_behaved_adapter_passes_every_probe() -> None:
    done = CliRunner().invoke(
        cli,
        ["adapter-check", "--adapter", _adapter("good_adapter", "--echo"), "--spec", "0.15.0"],
    )
    assert done.exit_code == 0, done.output
    verdicts = _verdicts(done.output)
    assert set(verdicts.values()) == {"PASS"}
    assert len(verdicts) == 10
    assert done.output.rstrip().endswith("adapter-check: ok")


def test_each_violation_is_a_failed_probe_with_its_fix() -> None:
    done = CliRunner().invoke(
        cli,
        [
            "adapter-check",
            "--adapter",
            _adapter("sloppy", "--echo"),
            "--spec",
            "0.15.0",
            "--timeout",
            "0.5",
        ],
    )
    assert done.exit_code == 1, done.output
    failed = {name for name, verdict in _verdicts(done.output).items() if verdict == "FAIL"}
    assert failed == {
        "hello",  # 'stop' missing from ops
        "unknown-op",  # answered as internal
        "declared-ops",  # a decode answer with both wire and shape
        "batch",  # answers sorted by id
        "stop",  # still running after stop
        "end-of-input",  # still running at the end of stdin
    }
    lines = done.output.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("FAIL "):
            assert lines[i + 1].split()[0] == "fix:", lines[i : i + 2]
    assert "'ops' must list 'stop'" in done.output
    assert "expected ok: false with error kind 'unsupported'" in done.output
    assert "response.schema.json" in done.output
    assert "the requests, in order" in done.output
    assert done.output.rstrip().endswith("6 probes failed")


def test_adapter_check_needs_a_program() -> None:
    done = CliRunner().invoke(cli, ["adapter-check", "--adapter", "tinker", "--spec", "0.15.0"])
    assert done.exit_code == 2
    assert "use subprocess:<command line>" in done.output


def test_a_program_without_hello_fails_the_first_probe_only() -> None:
    adapter = "subprocess:" + shlex.join([sys.executable, "-c", "import sys; sys.exit(7)"])
    done = CliRunner().invoke(cli, ["adapter-check", "--adapter", adapter, "--spec", "0.15.0"])
    assert done.exit_code == 1
    assert _verdicts(done.output) == {"hello": "FAIL"}
    assert "exited (code 7)" in done.output


@pytest.mark.sdk
def test_run_reports_a_crashing_program_and_keeps_the_rest(
    sdk_pack: SpecPack, tmp_path: Path
) -> None:
    results = tmp_path / "raw.json"
    done = CliRunner().invoke(
        cli,
        [
            "run",
            "--adapter",
            _adapter("crashes", "Cursor"),
            "--spec",
            sdk_pack.version,
            "--check",
            "fixture-roundtrip",
            "--timeout",
            "5",
            "--validate-protocol",
            "--results",
            str(results),
            "-q",
        ],
    )
    assert done.exit_code == 1, done.output
    raw = json.loads(results.read_text())
    (finding,) = raw["findings"]
    assert (finding["category"], finding["type"]) == ("adapter-error", "Cursor")
    assert "crashing on purpose on Cursor" in finding["stderr"]
    assert raw["passed"]["fixture-roundtrip"] == raw["total"] - finding["occurrences"]
