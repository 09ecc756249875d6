"""Raw results files and the command line, as the report and gate tests use them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from conformance._data import SCHEMAS_ROOT
from conformance.reference._classes import installed_version


def run_cli(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """`tinker-conformance ARGS` in a subprocess that can import tests.mutants."""
    env = dict(os.environ, PYTHONPATH=str(SCHEMAS_ROOT.parent))
    return subprocess.run(
        [sys.executable, "-m", "conformance", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
        env=env,
    )


def audit(adapter: str, results: Path) -> subprocess.CompletedProcess[str]:
    """A quick real run of the installed SDK's pack (two checks, ci profile)
    writing its raw results to ``results``."""
    version = installed_version()
    assert version is not None
    return run_cli(
        "run", "--adapter", adapter, "--spec", version, "--check", "fixture-roundtrip",
        "--check", "shape", "--profile", "ci", "--quiet", "--results", str(results),
    )  # fmt: skip


def finding(**changes: Any) -> dict[str, Any]:
    """A finding of a raw results file: a dropped LoraConfig field unless changed."""
    return {
        "key": "0" * 12,
        "check": "fixture-roundtrip",
        "category": "data-loss",
        "severity": "critical",
        "type": "LoraConfig",
        "subject": "type",
        "field": "/rank",
        "case": "0.15.0/types/LoraConfig/gen-full.json",
        "message": "LoraConfig: rank: expected a number, came nothing (field dropped)",
        "expected": 32,
        "actual": None,
        "instance": {"rank": 32},
        "stderr": "",
        "enhancement": False,
        "occurrences": 1,
        **changes,
    }


def raw_results(
    findings: list[dict[str, Any]],
    *,
    name: str = "x",
    version: str = "1",
    error: str | None = None,
    interrupted: str | None = None,
    incidents: list[dict[str, str]] | None = None,
) -> dict[str, Any]:
    """A minimal raw results file of the 0.15.0 pack that checked LoraConfig once."""
    return {
        "implementation": {"name": name, "language": "x", "version": version, "targets": "0.15.0"},
        "spec_version": "0.15.0",
        "checks": ["fixture-roundtrip"],
        "subjects": {"fixture-roundtrip": "type"},
        "executed": {"fixture-roundtrip": 1},
        "passed": {"fixture-roundtrip": 0},
        "skipped": {},
        "total": 1,
        "seconds": 0.1,
        "error": error,
        "interrupted": interrupted,
        "incidents": incidents or [],
        "covered": {"fixture-roundtrip": {"LoraConfig": 1}},
        "findings": findings,
    }
