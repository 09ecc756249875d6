"""A run stopped from outside (SIGINT, SIGTERM, ``--max-time``) ends cleanly:
the raw results hold what was gathered and say ``interrupted``, the report
says so on its first line, and the gate never passes it. An adapter's
incidents are recorded, reported, and fail the gate with
``--fail-on-incidents``."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conformance import SpecPack
from conformance._data import SUITE_ROOT
from conformance.adapters import Encoded
from conformance.adapters.subprocess import SubprocessAdapter
from conformance.spec import load_pack
from tests._results import raw_results, run_cli

HOSTILE = SUITE_ROOT / "tests" / "hostile"
#: A long run: the reference, slowed down, against its pack's shipped corpus
#: (a run of many examples would spend its time building a corpus first).
SLOW = "python:tests.slow_reference:SlowReference"
LONG = ["--adapter", SLOW, "--check", "property-roundtrip", "-q"]


@contextlib.contextmanager
def _started(tmp_path: Path, *args: str) -> Iterator[subprocess.Popen[str]]:
    """A run in its own process; killed and reaped whatever the test does, so
    a failure leaves no process (nor its pipes) behind for later tests."""
    env = dict(os.environ, PYTHONPATH=str(SUITE_ROOT))
    with subprocess.Popen(
        [sys.executable, "-m", "conformance", "run", *args, "--output-dir", str(tmp_path)],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    ) as running:  # fmt: skip
        try:
            yield running
        finally:
            if running.poll() is None:
                running.kill()
                running.communicate()


def _raw(tmp_path: Path) -> dict[str, Any]:
    (path,) = (tmp_path / "raw").glob("*.json")
    raw: dict[str, Any] = json.loads(path.read_text())
    return raw


@pytest.mark.sdk
@pytest.mark.parametrize("sent", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signal_ends_the_run_cleanly_and_marks_it(
    tmp_path: Path, sdk_pack: SpecPack, sent: signal.Signals
) -> None:
    version = sdk_pack.version
    report = str(tmp_path / "report")
    with _started(tmp_path, *LONG, "--spec", version, "--report", report) as running:
        time.sleep(20)  # well into the checks, on a loaded machine too
        running.send_signal(sent)
        out, err = running.communicate(timeout=120)
    assert running.returncode == 1, out + err
    raw = _raw(tmp_path)
    assert raw["interrupted"] == sent.name
    assert raw["error"] is None
    assert raw["total"] > 0
    (markdown,) = (p for p in (tmp_path / "report").glob("*.md") if ".summary" not in p.name)
    assert markdown.read_text().startswith(f"# INCOMPLETE RUN ({sent.name}): Gap Analysis")
    assert "incomplete run" in err


@pytest.mark.sdk
def test_a_time_budget_ends_the_run_the_same_way(tmp_path: Path, sdk_pack: SpecPack) -> None:
    version = sdk_pack.version
    with _started(tmp_path, *LONG, "--spec", version, "--max-time", "30") as running:
        out, err = running.communicate(timeout=120)
    assert running.returncode == 1, out + err
    assert _raw(tmp_path)["interrupted"] == "--max-time 30 s"


def test_report_never_passes_an_interrupted_run(tmp_path: Path) -> None:
    results = tmp_path / "r.json"
    results.write_text(json.dumps(raw_results([], interrupted="SIGINT")))
    done = run_cli("report", str(results), "--out-dir", str(tmp_path / "out"))
    assert done.returncode == 1, done.stdout + done.stderr
    assert "gate: FAILED" in done.stdout
    assert "incomplete run (SIGINT)" in done.stderr
    document = json.loads((tmp_path / "out" / "r.json").read_text())
    assert document["gate"]["incomplete"] == "SIGINT"
    assert document["title"].startswith("INCOMPLETE RUN (SIGINT): ")


def test_incidents_are_reported_and_fail_the_gate_only_when_asked(tmp_path: Path) -> None:
    incident = {"kind": "batching-off", "message": "a batch of 4 failed"}
    results = tmp_path / "r.json"
    results.write_text(json.dumps(raw_results([], incidents=[incident])))
    quiet = run_cli("report", str(results), "--out-dir", str(tmp_path / "a"))
    assert quiet.returncode == 0, quiet.stdout + quiet.stderr
    assert "1 adapter incidents (see the report)" in quiet.stderr
    markdown = (tmp_path / "a" / "r.md").read_text()
    assert "### Run incidents" in markdown
    assert "`batching-off`: a batch of 4 failed" in markdown
    strict = run_cli(
        "report", str(results), "--out-dir", str(tmp_path / "b"), "--fail-on-incidents"
    )
    assert strict.returncode == 1, strict.stdout + strict.stderr


def test_a_broken_batch_is_an_incident_in_the_raw_results(tmp_path: Path) -> None:
    adapter = f"subprocess:{sys.executable} {HOSTILE / 'bad_batch.py'} --echo"
    done = run_cli(
        "run", "--adapter", adapter, "--spec", "0.15.0", "--check", "fixture-roundtrip", "-q",
        "--output-dir", str(tmp_path),
    )  # fmt: skip
    assert done.returncode in (0, 1), done.stdout + done.stderr
    kinds = [i["kind"] for i in _raw(tmp_path)["incidents"]]
    assert kinds == ["batching-off"]
    assert "adapter incident (batching-off)" in done.stderr


@pytest.mark.sdk
def test_the_runner_reads_the_stop_reason_between_outcomes(sdk_pack: SpecPack) -> None:
    """Where the signal handler's exception is lost (Python ignores exceptions
    raised in weakref callbacks and ``__del__``), the reason it left still
    ends the run at the next outcome."""
    from conformance.cases import load_type_cases
    from conformance.checks import CheckContext
    from conformance.findings import load_gap_rules
    from conformance.reference.adapter import TinkerSdkAdapter
    from conformance.runner import run

    asked = iter([None, None, "SIGTERM"])
    ctx = CheckContext(
        pack=sdk_pack,
        adapter=TinkerSdkAdapter(sdk_pack),
        cases=load_type_cases(sdk_pack.version),
        rules=load_gap_rules(),
    )
    result = run(ctx, ["strictness", "shape"], stop=lambda: next(asked, "SIGTERM"))
    assert result.interrupted == "SIGTERM"
    assert result.total == 3
    assert set(result.executed) == {"strictness"}


def test_a_duplicate_after_its_result_was_returned_is_an_incident() -> None:
    """The answer to a lone decode comes twice; the second is read while the
    next decode waits: that one is judged on its own answer, and the
    duplicate (whose request's result is already returned) is an incident."""
    program = [sys.executable, str(HOSTILE / "misbehaves.py"), "--mode=duplicates", "--echo"]
    subject = SubprocessAdapter([*program, "Cursor"], load_pack("0.15.0"), timeout=5.0)
    try:
        assert subject.decode("Cursor", {"cursor": "a"}) == Encoded(wire={"cursor": "a"})
        assert subject.decode("Cursor", {"cursor": "b"}) == Encoded(wire={"cursor": "b"})
    finally:
        subject.close()
    assert [i.kind for i in subject.incidents] == ["duplicate"]
    assert "was answered twice" in subject.incidents[0].message


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the keeper is Linux's")
def test_what_an_adapter_started_dies_with_a_killed_runner() -> None:
    """SIGKILL of the runner (no clean-up of its own can run): the keeper
    sees its lifeline end and kills the adapter's child in another session."""
    runner = """
import sys, time
from conformance.adapters._session import Session
child = "import subprocess, sys, time; print(subprocess.Popen([sys.executable, '-c', "
child += "'import time; time.sleep(600)'], start_new_session=True).pid, flush=True); "
child += "time.sleep(600)"
session = Session([sys.executable, "-c", child], {"PATH": ""})
print(session.read_line(time.monotonic() + 60).decode(), flush=True)
time.sleep(600)
"""
    env = dict(os.environ, PYTHONPATH=str(SUITE_ROOT))
    with subprocess.Popen(
        [sys.executable, "-c", runner], env=env, stdout=subprocess.PIPE, text=True
    ) as running:
        assert running.stdout is not None
        orphan = int(running.stdout.readline())
        os.kill(orphan, 0)  # alive while the runner is
        running.kill()
        running.communicate()
    deadline = time.monotonic() + 10
    while _alive(orphan) and time.monotonic() < deadline:
        time.sleep(0.05)
    if _alive(orphan):
        os.kill(orphan, signal.SIGKILL)
        pytest.fail(f"the adapter's child {orphan} outlived the killed runner")


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie waiting for init does not)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stream:
            stat = stream.read()
    except FileNotFoundError:
        return False
    return stat[stat.rfind(b")") + 2 :].split()[0] != b"Z"
