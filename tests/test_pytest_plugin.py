"""The suite runs inside a user's pytest (the plugin is registered by the
package's pytest11 entry point): one item per check, failing with the
findings; nothing is collected without --tinker-adapter."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytestmark = pytest.mark.sdk

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _importable_mutants(monkeypatch: pytest.MonkeyPatch) -> None:
    """Runs are subprocesses (the SDK must be imported afresh); they find
    ``tests.mutants`` through PYTHONPATH."""
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))


def test_without_the_option_nothing_is_added(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_ok():\n    assert True\n")
    result = pytester.runpytest_subprocess()
    result.assert_outcomes(passed=1)


def test_a_broken_implementation_fails_the_right_check(
    pytester: pytest.Pytester, sdk_pack: object
) -> None:
    result = pytester.runpytest_subprocess(
        "--tinker-adapter",
        "python:tests.mutants:StringifiesIntegers",
        "--tinker-spec",
        sdk_pack.version,
        "--tinker-check",
        "fixture-roundtrip",
        "--tinker-check",
        "strictness",
    )
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*type-changed Cursor/offset*"])


def test_the_reference_passes(pytester: pytest.Pytester, sdk_pack: object) -> None:
    version = sdk_pack.version
    result = pytester.runpytest_subprocess(
        "--tinker-adapter",
        "tinker",
        "--tinker-spec",
        version,
        "--tinker-examples",
        "2",
    )
    from conformance.checks import CHECKS

    result.assert_outcomes(passed=len(CHECKS))
