"""The hostile matrix (issue 12): one JSON file per case in tests/hostile/cases/.

A case either runs ``tinker-conformance run`` for real, in a sandbox, against
a hostile adapter program (``run``), or names the test elsewhere that covers
it (``covered_by``: the mock server's limits, pack errors, the proxy). A run
case states its bound on time, the exit codes it may end with, the finding
category it must produce, and what must not appear in any output. Every run
case also checks, whatever it states: raw results and the report exist, no
traceback, no file written outside the output folder, and no secret of the
runner's environment (nor its reverse, which redaction by value cannot catch)
in any output. Cases add to this what their kind needs: a second run at
once into the same report folder (``alongside``), a run before whose report
set must survive (``previous``), a report folder too small (``disk``).

The matrix must hold every case the issue names (``ISSUE_CASES``), each run
or covered for real: there is no way to mark one as expected to fail.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shlex
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from conformance._paths import write_set
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
    return [
        pytest.param(path.stem, json.loads(path.read_text(encoding="utf-8")), id=path.stem)
        for path in sorted(CASES.glob("*.json"))
    ]


def test_the_matrix_holds_every_case_of_the_issue() -> None:
    present = {path.stem for path in CASES.glob("*.json")}
    assert sorted(set(ISSUE_CASES) - present) == []


#: What a case file may say (a key the harness does not read is a mistake).
CASE_KEYS = {
    "description", "run", "covered_by", "seconds", "exit", "category", "raw", "raw_present",
    "blamed", "forbidden", "absent", "console_plain",
}  # fmt: skip
RUN_KEYS = {
    "program", "mode", "hello", "mib", "trigger", "timeout", "args", "signal", "alongside",
    "previous", "disk",
}  # fmt: skip


def test_every_case_says_what_it_proves_and_how() -> None:
    for path in sorted(CASES.glob("*.json")):
        case = json.loads(path.read_text(encoding="utf-8"))
        assert set(case) <= CASE_KEYS, (path, set(case) - CASE_KEYS)
        assert set(case.get("run", {})) <= RUN_KEYS, (path, set(case["run"]) - RUN_KEYS)
        assert isinstance(case.get("description"), str), path
        ways = [key for key in ("run", "covered_by") if key in case]
        assert len(ways) == 1, path
        if "run" in case:
            assert isinstance(case.get("seconds"), int | float), path
            assert "category" in case, path  # null: the run must find no gap


def test_two_sets_moved_into_one_folder_at_once_never_mix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The lock of ``write_set``, with the race forced: run A stops after its
    first rename until run B has moved its whole set (or 1 s has passed,
    which is what happens when the lock keeps B waiting). Without the lock
    the folder would hold B's first file and A's others."""
    names = [f"set.{i}" for i in range(5)]
    first_moved, b_done = threading.Event(), threading.Event()
    replace = Path.replace

    def replace_then_wait(self: Path, target: Path) -> Path:
        moved = replace(self, target)
        if threading.current_thread().name == "A" and not first_moved.is_set():
            first_moved.set()
            b_done.wait(1.0)
        return moved

    monkeypatch.setattr(Path, "replace", replace_then_wait)
    a = threading.Thread(target=write_set, args=(tmp_path, dict.fromkeys(names, "A")), name="A")
    a.start()
    assert first_moved.wait(10)
    write_set(tmp_path, dict.fromkeys(names, "B"))
    b_done.set()
    a.join(10)
    assert {p.read_text() for p in tmp_path.iterdir()} == {"B"}
    assert sorted(p.name for p in tmp_path.iterdir()) == names  # nothing staged is left


@pytest.mark.parametrize(("name", "case"), _cases())
def test_hostile_case(
    name: str,
    case: dict[str, Any],
    tmp_path: Path,
    request: pytest.FixtureRequest,
) -> None:
    """One case; what its run ended with (exit code, finding categories)
    goes into the test's ``user_properties`` (the JUnit XML's properties),
    for the matrix's table. (Not ``record_property``: it refuses the default
    JUnit family.)"""

    def record(name: str, value: object) -> None:
        request.node.user_properties.append((name, value))

    if "covered_by" in case:
        _covered(case["covered_by"])
        record("covered_by", case["covered_by"])
    else:
        _run_case(case, tmp_path, record)


def _covered(test: str) -> None:
    """The named test exists: ``tests/<file>.py::<function>``."""
    file, _, function = test.partition("::")
    text = (ROOT / file).read_text(encoding="utf-8")
    assert re.search(rf"^def {re.escape(function)}\(", text, re.MULTILINE), test


def _command(run: dict[str, Any], out: Path, report: Path) -> list[str]:
    """``tinker-conformance run`` of the adapter program ``run`` describes."""
    program = [sys.executable, str(HOSTILE / run.get("program", "misbehaves.py"))]
    if "mode" in run:
        program.append(f"--mode={run['mode']}")
    if "hello" in run:
        program.append(f"--hello={json.dumps(run['hello'])}")
    if "mib" in run:
        program.append(f"--mib={run['mib']}")
    program += ["--echo", run.get("trigger", "Cursor")]
    return [
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


@contextlib.contextmanager
def _small_disk(disk: dict[str, int] | None, folder: Path) -> Iterator[list[str]]:
    """``folder`` on room for one report set but not two (``disk``; None:
    as it is): a tmpfs of ``tmpfs_kib`` where the tests run as root and may
    mount (a full disk, ENOSPC), else a cap of ``fsize_kib`` on each file the
    run writes (``RLIMIT_FSIZE``, EFBIG: the same failed write). Yields what
    goes before the run's command: the program that sets the cap, or nothing."""
    if disk is None:
        yield []
        return
    folder.mkdir(parents=True)
    size = f"size={disk['tmpfs_kib']}k"
    if os.geteuid() == 0:
        mount = ["mount", "-t", "tmpfs", "-o", size, "tmpfs", str(folder)]
        if subprocess.run(mount, capture_output=True, check=False).returncode == 0:
            try:
                yield []
            finally:
                subprocess.run(["umount", "-l", str(folder)], check=True)
            return
    cap = disk["fsize_kib"] * 1024
    capped = f"import os, resource, sys; resource.setrlimit(resource.RLIMIT_FSIZE, ({cap}, {cap}))"
    yield [sys.executable, "-c", f"{capped}; os.execv(sys.argv[1], sys.argv[1:])"]


def _passed(path: Path) -> bool:
    """Whether a report file says the gate passed, in its format's way."""
    text = path.read_text(encoding="utf-8")
    if path.name.endswith(".json"):
        return bool(json.loads(text)["gate"]["passed"])
    if path.name.endswith(".junit.xml"):
        return re.search(r'<testsuites [^>]*failures="0"', text) is not None
    if path.name.endswith(".badge.svg"):
        return "gate failed" not in text
    return "FAILED" not in text


def _run_case(case: dict[str, Any], sandbox: Path, record: Callable[[str, object], None]) -> None:
    run = case["run"]
    out, cwd, home, tmp = (sandbox / d for d in ("out", "cwd", "home", "tmp"))
    for folder in (cwd, home, tmp):
        folder.mkdir()
    report = out / "report"
    command = _command(run, out, report)
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
    with _small_disk(run.get("disk"), report) as cap:
        before = None
        if "previous" in run:  # a run before this one: its report set must stay as it was
            earlier = _command({**run, **run["previous"]}, out, report)
            done = subprocess.run(earlier, cwd=cwd, env=env, capture_output=True, check=False)
            assert done.returncode in (0, 1), done.stderr[-2000:]
            before = {p.name: p.read_bytes() for p in report.iterdir()}
        alongside = None
        if "alongside" in run:  # started at the same time, into the same report folder
            second = _command({**run, **run["alongside"]}, out / "alongside", report)
            alongside = subprocess.Popen(
                second, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
            )
        _judge(
            case,
            [*cap, *command],
            env=env,
            cwd=cwd,
            sandbox=sandbox,
            before=before,
            alongside=alongside,
            record=record,
        )


def _judge(
    case: dict[str, Any],
    command: list[str],
    *,
    env: dict[str, str],
    cwd: Path,
    sandbox: Path,
    before: dict[str, bytes] | None,
    alongside: subprocess.Popen[bytes] | None,
    record: Callable[[str, object], None],
) -> None:
    """Run ``command`` (with ``alongside`` already started) and check what
    it leaves against ``case``."""
    run = case["run"]
    out = sandbox / "out"
    report = out / "report"
    started = time.monotonic()
    process = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    if "signal" in run:
        time.sleep(run["signal"]["after"])
        process.send_signal(getattr(signal, run["signal"]["name"]))
    try:
        stdout, stderr = process.communicate(timeout=case["seconds"])
        if alongside is not None:
            other = alongside.communicate(timeout=case["seconds"])
            assert alongside.returncode in (0, 1), other[1][-3000:]
    except subprocess.TimeoutExpired:
        for running in (process, alongside):
            if running is not None:
                running.kill()
                running.communicate()
        pytest.fail(f"the run did not end within its bound of {case['seconds']} s")
    elapsed = time.monotonic() - started
    record("exit", process.returncode)
    record("seconds", round(elapsed, 1))
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
    if before is not None:  # the previous set, byte for byte
        assert {p.name: p.read_bytes() for p in report.iterdir()} == before
    if alongside is not None:  # one run's set: every file says the same of the gate
        assert len({_passed(p) for p in report.iterdir()}) == 1
    categories = {f["category"] for f in results["findings"] if not f["enhancement"]}
    record("categories", " ".join(sorted(categories)))
    record("interrupted", results.get("interrupted"))
    record("incidents", " ".join(sorted({i["kind"] for i in results.get("incidents", [])})))
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
