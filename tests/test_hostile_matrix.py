"""The hostile matrix (issue 12): one JSON file per case in tests/hostile/cases/.

A case either runs ``tinker-conformance run`` for real, in a sandbox, against
a hostile adapter program (``run``), or names the test elsewhere that covers
it (``covered_by``: the mock server's limits, pack errors, the proxy). A run
case states its bound on time, the exit codes it may end with, the finding
category it must produce, and what must not appear in any output. Every run
case also checks, whatever it states: raw results and the report exist, no
traceback, no file written outside the output folder, and no secret of the
runner's environment (nor its reverse, which redaction by value cannot catch)
in any output. A case that waits for work not on this branch carries
``pending`` (why) and is a strict xfail: it must fail until that work lands.

The matrix must hold every case the issue names (``ISSUE_CASES``).
"""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from conformance.report import FORMATS

HOSTILE = Path(__file__).parent / "hostile"
CASES = HOSTILE / "cases"
ROOT = Path(__file__).parents[1]

#: Every case issue 12 names (its "Observed" section): each needs a file.
ISSUE_CASES = (
    # handled well before the issue, kept so
    "long-line",
    "nan",
    "invalid-utf8",
    "wrong-ids",
    "exits",
    "closed-stdout",
    "child-holds-stdout",
    "ignores-sigterm",
    "stderr-flood",
    "memory-hog",
    "slow-hello",
    "corrupt-pack",
    "html-markdown-injection",
    # 1. path traversal through hello
    "path-traversal-name",
    "overwrite-example",
    # 2. credentials
    "credential-names",
    "reads-runner-environ",
    # 3. proxy
    "proxy",
    # 4. one answer aborts the run
    "deep-answer",
    "markup-name",
    "long-name",
    "nul-name",
    # 5. results that look complete
    "sigint",
    "sigterm",
    "max-time",
    "batch-incident",
    # 6. smaller defects
    "infinity",
    "duplicated-answer",
    "two-runs-one-folder",
    "full-disk",
    "results-inside-report",
    "ref-outside-pack",
    "unwritable-report",
    "ansi-stderr",
    "setsid-orphan",
    "mock-slowloris",
    "mock-huge-body",
    "mock-negative-length",
    "mock-huge-length",
    "mock-tracebacks",
)

#: The runner's secrets in every run: the names the issue found passed on,
#: and a URL whose password is the secret. None may reach any output.
SECRETS = {
    "TINKER_API_KEY": "tml-matrixsecret0000000000000001",
    "SYSTEM_ACCESSTOKEN": "matrixsecret-accesstoken-0002",
    "CI_JOB_JWT": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJtYXRyaXgifQ.matrixsecret0003",
    "SLACK_WEBHOOK_URL": "https://hooks.slack.example/services/matrixsecret0004",
    "REDIS_URL": "redis://:matrixsecret0005@cache.example:6379/0",
    "MYAPIKEY": "matrixsecret0006",
    "BEARER": "matrixsecret0007",
    "GITHUBTOKEN": "ghp_matrixsecret00000000000000000000008",
    "HONEYCOMB_WRITEKEY": "matrixsecret0009",
}
#: What of each secret must never show: the value, and the part that is
#: secret where the value is a URL.
SECRET_TEXTS = [*SECRETS.values(), "matrixsecret0005"]

_ESCAPE = re.compile(r"[\x1b\x9b]")


def _cases() -> list[Any]:
    params = []
    for path in sorted(CASES.glob("*.json")):
        case = json.loads(path.read_text(encoding="utf-8"))
        marks = []
        if "pending" in case:
            marks.append(pytest.mark.xfail(strict=True, reason=case["pending"]))
        params.append(pytest.param(path.stem, case, marks=marks, id=path.stem))
    return params


def test_the_matrix_holds_every_case_of_the_issue() -> None:
    present = {path.stem for path in CASES.glob("*.json")}
    assert sorted(set(ISSUE_CASES) - present) == []


def test_every_case_says_what_it_proves_and_how() -> None:
    for path in sorted(CASES.glob("*.json")):
        case = json.loads(path.read_text(encoding="utf-8"))
        assert isinstance(case.get("description"), str), path
        ways = [key for key in ("run", "covered_by", "design") if key in case]
        assert len(ways) == 1, path
        assert "design" not in case or "pending" in case, path
        if "run" in case:
            assert isinstance(case.get("seconds"), int | float), path
            assert "category" in case, path  # null: the run must find no gap


@pytest.mark.parametrize(("name", "case"), _cases())
def test_hostile_case(name: str, case: dict[str, Any], tmp_path: Path) -> None:
    if "covered_by" in case:
        _covered(case["covered_by"])
    elif "run" in case:
        _run_case(case, tmp_path)
    else:  # a pending case whose run cannot be written before its work exists
        pytest.fail(f"no runnable definition yet: {case['design']}")


def _covered(test: str) -> None:
    """The named test exists: ``tests/<file>.py::<function>``."""
    file, _, function = test.partition("::")
    text = (ROOT / file).read_text(encoding="utf-8")
    assert re.search(rf"^def {re.escape(function)}\(", text, re.MULTILINE), test


def _run_case(case: dict[str, Any], sandbox: Path) -> None:
    run = case["run"]
    out, cwd, home, tmp = (sandbox / d for d in ("out", "cwd", "home", "tmp"))
    for folder in (cwd, home, tmp):
        folder.mkdir()
    program = [sys.executable, str(HOSTILE / run.get("program", "misbehaves.py"))]
    if "mode" in run:
        program.append(f"--mode={run['mode']}")
    if "hello" in run:
        program.append(f"--hello={json.dumps(run['hello'])}")
    if "mib" in run:
        program.append(f"--mib={run['mib']}")
    program += ["--echo", run.get("trigger", "Cursor")]
    report = out / "report"
    command = [
        sys.executable,
        "-m",
        "conformance",
        "run",
        "--adapter",
        "subprocess:" + shlex.join(program),
        "--spec",
        "0.15.0",
        "--output-dir",
        str(out),
        "--report",
        str(report),
        "--timeout",
        str(run.get("timeout", 2)),
        "-q",
        *(a.replace("{out}", str(out)) for a in run.get("args", ["--check", "fixture-roundtrip"])),
    ]
    env = {
        "PATH": os.environ.get("PATH", ""),
        "LANG": "C.UTF-8",
        "HOME": str(home),
        "TMPDIR": str(tmp),
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(HOSTILE)]),
        "PYTHONDONTWRITEBYTECODE": "1",
        "TINKER_CONFORMANCE_SDK": os.environ.get("TINKER_CONFORMANCE_SDK", ""),
        **SECRETS,
    }
    started = time.monotonic()
    process = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    if "signal" in run:
        time.sleep(run["signal"]["after"])
        process.send_signal(getattr(signal, run["signal"]["name"]))
    try:
        stdout, stderr = process.communicate(timeout=case["seconds"])
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        pytest.fail(f"the run did not end within its bound of {case['seconds']} s")
    elapsed = time.monotonic() - started
    said = (stdout + stderr).decode("utf-8", "replace")
    assert process.returncode in case.get("exit", [0, 1]), said[-3000:]
    assert "Traceback" not in said, said[-3000:]
    assert elapsed <= case["seconds"]
    if process.returncode == 2:  # bad input, refused before the run: nothing written
        assert not out.exists() or not any(p.is_file() for p in out.rglob("*"))
        return

    raw = sorted((out / "raw").glob("*.json"))
    assert len(raw) == 1, said[-2000:]
    results = json.loads(raw[0].read_text(encoding="utf-8"))
    formats = sorted(Path(f"report{suffix}").suffix for suffix, _render in FORMATS.values())
    assert sorted(p.suffix for p in report.iterdir()) == formats
    categories = {f["category"] for f in results["findings"] if not f["enhancement"]}
    if case["category"] is None:  # no gap (the echo adapter's enhancements are none)
        assert categories == set(), categories
    else:
        assert case["category"] in categories, categories
    for key, value in case.get("raw", {}).items():
        assert results.get(key) == value, key
    for key in case.get("raw_present", []):
        assert results.get(key), key
    if "blamed" in case:  # the case the finding must name
        blamed = {f["case"] for f in results["findings"] if f["category"] == case["category"]}
        assert blamed == {case["blamed"]}, blamed
    for pid in map(int, re.findall(r"orphan pid (\d+)", raw[0].read_text(encoding="utf-8"))):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            continue
        os.kill(pid, signal.SIGKILL)
        pytest.fail(f"the adapter's child {pid} outlived the run")

    # nothing outside the output folder
    outside = [p for p in sandbox.rglob("*") if p.is_file() and out not in p.parents]
    assert outside == []
    for path in case.get("forbidden", []):
        assert not Path(path).exists(), path

    # no secret anywhere, nor its reverse; no raw terminal escape on the console
    outputs = {"console": said}
    for path in out.rglob("*"):
        if path.is_file():
            outputs[str(path)] = path.read_bytes().decode("utf-8", "replace")
    for where, text in outputs.items():
        for secret in SECRET_TEXTS:
            assert secret not in text, (where, secret)
            assert secret[::-1] not in text, (where, f"{secret} reversed")
    for pattern, texts in case.get("absent", {}).items():
        for where, text in outputs.items():
            if where == pattern or Path(where).match(pattern):
                for absent in texts:
                    assert absent not in text, (where, absent)
    if case.get("console_plain"):
        assert not _ESCAPE.search(said), said[-2000:]
