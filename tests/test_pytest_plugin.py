"""The suite runs inside a user's pytest (the plugin is registered by the
package's pytest11 entry point): one item for the run and one per gap, named
by the gap's id and judged as `tinker-conformance run`'s gate judges it;
nothing is collected without --tinker-adapter."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from conformance.findings import load_gap_rules
from conformance.gaps import gap_key, load_gap_ids
from conformance.spec import SpecPack
from tests._results import run_cli

pytestmark = pytest.mark.sdk

ROOT = Path(__file__).resolve().parents[1]
#: Every check that asks for the heartbeat types the mutant lacks.
TYPE_CHECKS = ("fixture-roundtrip", "strictness", "shape", "type-parity")


@pytest.fixture(autouse=True)
def _importable_mutants(monkeypatch: pytest.MonkeyPatch) -> None:
    """Runs are subprocesses (the SDK must be imported afresh); they find
    ``tests.mutants`` through PYTHONPATH."""
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))


def _suite(pytester: pytest.Pytester, adapter: str, version: str, *args: str) -> pytest.RunResult:
    return pytester.runpytest_subprocess(
        "-v", "-rx", "--tinker-adapter", adapter, "--tinker-spec", version, *args
    )


def _checks(*names: str) -> list[str]:
    return [arg for name in names for arg in ("--tinker-check", name)]


def _items(result: pytest.RunResult) -> list[tuple[str, str]]:
    """(node id, outcome) of every item of the suite, from the -v lines."""
    lines = (
        re.match(r"(tinker-conformance::.*) (PASSED|FAILED|XFAIL)\b", line)
        for line in result.outlines
    )
    return [(m.group(1), m.group(2)) for m in lines if m]


def _missing_type_id(type_name: str) -> str:
    """The registered id of the whole-type gap (`gaps register --universe`)."""
    key = gap_key("type", type_name, "", "missing-type")
    gap_id, registered = load_gap_ids().lookup(key, "unused")
    assert registered, f"{type_name} missing is not in schemas/gap-ids.json"
    return gap_id


def test_without_the_option_nothing_is_added(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_ok():\n    assert True\n")
    result = pytester.runpytest_subprocess()
    result.assert_outcomes(passed=1)


def test_one_failing_item_per_gap_named_by_its_id(
    pytester: pytest.Pytester, sdk_pack: SpecPack
) -> None:
    """Four checks meet each missing heartbeat type: one item each, not four.
    Without --tinker-seed/--tinker-examples the run is `run`'s ci profile."""
    result = _suite(
        pytester,
        "python:tests.mutants:LacksHeartbeatTypes",
        sdk_pack.version,
        *_checks(*TYPE_CHECKS),
    )
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines(["*collected 3 items"])  # counted as collected, like any item
    for type_name in ("SessionHeartbeatRequest", "SessionHeartbeatResponse"):
        gap_id = _missing_type_id(type_name)
        assert [item for item in _items(result) if type_name in item[0]] == [
            (f"tinker-conformance::{gap_id}[{type_name} missing-type]", "FAILED")
        ]
        result.stdout.fnmatch_lines([f"{gap_id} [[]critical[]] {type_name} - MISSING (new*"])
    result.stdout.fnmatch_lines(
        [
            "tinker-conformance::run PASSED*",
            "tinker-conformance: * checks (fixture-roundtrip, strictness, shape, type-parity) "
            "of lacks-heartbeat-types * 25 examples per type, seed 0",
            "gate: FAILED (fail on low+: 2 new, 0 accepted, 0 below threshold, 0 enhancements)",
        ]
    )


@dataclass(frozen=True)
class GateCase:
    """A mutant's one literal-missing gap (severity low) under gate options."""

    id: str
    args: tuple[str, ...]
    failed: int
    xfailed: int
    line: str  # fnmatch pattern of a line of the output
    files: tuple[tuple[str, str], ...] = ()  # (name, text) written beside the run


_INFO_LITERAL = {
    "category": "literal-missing",
    "type": "CreateSessionResponse",
    "severity": "info",
    "reason": "the port reads the literal from the endpoint",
}

GATE_CASES = [
    GateCase(
        "default-threshold-fails", (), 1, 0, "*CreateSessionResponse `/type`: literal missing*"
    ),
    GateCase("at-the-threshold-fails", ("--tinker-fail-on", "low"), 1, 0, "*(new*"),
    GateCase(
        "below-the-threshold-xfails",
        ("--tinker-fail-on", "medium"),
        0,
        1,
        "XFAIL*GAP-* is low, below --tinker-fail-on medium",
    ),
    GateCase(
        "a-rules-layer-lowers-it",
        ("--tinker-gap-rules", "rules.json"),
        0,
        1,
        "XFAIL*GAP-* is info, below --tinker-fail-on low",
        (("rules.json", json.dumps({"overrides": [_INFO_LITERAL]})),),
    ),
]


@pytest.mark.parametrize("case", GATE_CASES, ids=[c.id for c in GATE_CASES])
def test_the_gate_decides_each_item(
    pytester: pytest.Pytester, sdk_pack: SpecPack, case: GateCase
) -> None:
    for name, text in case.files:
        (pytester.path / name).write_text(text, encoding="utf-8")
    result = _suite(
        pytester,
        "python:tests.mutants:DropsResponseLiteral",
        sdk_pack.version,
        *_checks("type-parity"),
        *case.args,
    )
    result.assert_outcomes(passed=1, failed=case.failed, xfailed=case.xfailed)
    result.stdout.fnmatch_lines(
        ["tinker-conformance::GAP-*[[]CreateSessionResponse/type literal-missing[]]*"]
    )
    result.stdout.fnmatch_lines([case.line])


def test_a_written_baseline_makes_the_mutant_pass(
    pytester: pytest.Pytester, sdk_pack: SpecPack
) -> None:
    """`baseline write` on a CLI run's results accepts the gaps the plugin
    then finds: they xfail, and the run passes."""
    adapter, checks = "python:tests.mutants:LacksHeartbeatTypes", ("fixture-roundtrip", "shape")
    results, baseline = pytester.path / "results.json", pytester.path / "baseline.json"
    run = run_cli(
        "run", "--adapter", adapter, "--spec", sdk_pack.version, "--profile", "ci", "-q",
        "--results", str(results), *[arg for c in checks for arg in ("--check", c)],
    )  # fmt: skip
    assert run.returncode == 1, run.stderr
    written = run_cli("baseline", "write", str(results), "--out", str(baseline))
    assert written.returncode == 0, written.stderr
    fixed = _missing_type_id("LoraConfig")  # accepted once, gone now: stale, reported only
    document = json.loads(baseline.read_text(encoding="utf-8"))
    document["accepted"].append(
        {"id": fixed, "severity": "critical", "category": "missing-type", "title": "LoraConfig"}
    )
    baseline.write_text(json.dumps(document), encoding="utf-8")
    result = _suite(
        pytester, adapter, sdk_pack.version, *_checks(*checks), "--tinker-baseline", baseline.name
    )
    result.assert_outcomes(passed=1, xfailed=2)
    result.stdout.fnmatch_lines(
        [
            "gate: PASSED (fail on low+: 0 new, 2 accepted, 0 below threshold, 0 enhancements)",
            f"stale baseline entries (remove them): {fixed}",
        ]
    )
    gap_id = _missing_type_id("SessionHeartbeatRequest")
    result.stdout.fnmatch_lines([f"XFAIL*{gap_id} accepted by the baseline baseline.json"])


def _severities() -> str:
    return ", ".join(load_gap_rules().data["severities"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--tinker-fail-on", "bogus"), f"*'bogus': expected one of {_severities()}"),
        (("--tinker-baseline", "no-such-baseline.json"), "*no-such-baseline.json*file is missing*"),
        (("--tinker-check", "nope"), "*--tinker-check [[]'nope'[]]: known checks*"),
        (("--tinker-gap-rules", "no-such-rules.json"), "*no-such-rules.json*file is missing*"),
        (("--tinker-packs", "no-such-packs"), "*no spec pack for version * (packs here: none)"),
    ],
    ids=["fail-on", "baseline", "check", "gap-rules", "packs"],
)
def test_bad_input_is_a_usage_error_before_the_run(
    pytester: pytest.Pytester, sdk_pack: SpecPack, args: tuple[str, ...], message: str
) -> None:
    result = _suite(pytester, "tinker", sdk_pack.version, *args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"ERROR: tinker-conformance{message}"])
    assert "checks (" not in result.stdout.str()  # nothing ran


#: In-process implementations that end the run early: (module text, the run
#: item's outcomes, lines of the output in order).
ENDED_EARLY = {
    "broken-hello": (
        "    def hello(self):\n        raise RuntimeError('hello blew up')\n",
        {"failed": 1},
        [
            "tinker-conformance::run FAILED*",
            "*RuntimeError: hello blew up",
            "tinker-conformance: the run broke off: hello blew up",
        ],
    ),
    "interrupted": (
        "    def decode(self, type_name, payload):\n        raise KeyboardInterrupt\n",
        {"failed": 1},
        [
            "tinker-conformance::run FAILED*",
            "*incomplete run (SIGINT): its gaps are a part",
            "gate: FAILED *",
            "incomplete run: SIGINT",
        ],
    ),
}


@pytest.mark.parametrize("case", list(ENDED_EARLY))
def test_a_run_that_ends_early_fails_its_run_item(
    pytester: pytest.Pytester, sdk_pack: SpecPack, case: str
) -> None:
    body, outcomes, lines = ENDED_EARLY[case]
    pytester.makepyfile(ended=f"from tests.mutants import Mutant\n\nclass Ended(Mutant):\n{body}")
    result = _suite(pytester, "python:ended:Ended", sdk_pack.version, *_checks("strictness"))
    result.assert_outcomes(**outcomes)
    result.stdout.fnmatch_lines(lines)


def test_the_reference_passes(pytester: pytest.Pytester, sdk_pack: SpecPack) -> None:
    """No gap: the run item alone passes, and the summary says what ran."""
    result = _suite(
        pytester, "tinker", sdk_pack.version, "--tinker-examples", "2", "--tinker-seed", "7"
    )
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(
        [
            "tinker-conformance::run PASSED*",
            "tinker-conformance: * checks (*) of tinker * 2 examples per type, seed 7",
            "gate: PASSED (fail on low+: 0 new, 0 accepted, 0 below threshold, 0 enhancements)",
        ]
    )
