"""The command line: help everywhere, documented exit codes, clear errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conformance._cli import DEFAULT_PROFILE, generation
from conformance._data import SCHEMAS_ROOT
from conformance.reference._classes import installed_version
from tests._results import run_cli


@pytest.mark.parametrize(
    "args",
    [
        (),
        ("schemas",),
        ("schemas", "generate"),
        ("schemas", "diff"),
        ("report",),
        ("baseline", "write"),
        ("gaps", "register"),
        ("run",),
    ],
)
def test_help_everywhere(args: tuple[str, ...]) -> None:
    done = run_cli(*args, "--help")
    assert done.returncode == 0
    assert "Usage:" in done.stdout


#: Imported only by the commands that need them, so that `--help`, every CLI
#: subprocess and every adapter start stay light.
HEAVY_MODULES = ("hypothesis", "tinker", "deepdiff", "jinja2")


def test_the_command_line_imports_no_heavy_module() -> None:
    code = (
        "import sys, conformance._cli;"
        f"print(sorted(m for m in {HEAVY_MODULES!r} if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({}, (25, 0)),
        ({"profile": "ci"}, (25, 0)),
        ({"profile": "local"}, (100, None)),
        ({"explore": True}, (25, None)),
        ({"profile": "local", "seed": 7}, (100, 7)),
        ({"seed": 7}, (25, 7)),
        ({"examples": 3}, (3, 0)),
        ({"profile": "local", "examples": 3, "explore": True}, (3, None)),
    ],
)
def test_examples_and_seed_by_profile(options: dict[str, Any], expected: tuple[Any, ...]) -> None:
    """The default is deterministic; a fresh seed (None) only when asked for."""
    given: dict[str, Any] = {"examples": None, "seed": None, "explore": False} | options
    assert generation(given.pop("profile", DEFAULT_PROFILE), **given) == expected


def test_explore_and_seed_together_are_a_usage_error() -> None:
    done = run_cli("run", "--adapter", "tinker", "--spec", "0.15.0", "--explore", "--seed", "1")
    assert done.returncode == 2
    assert "give --seed or --explore, not both" in done.stderr


def test_run_help_says_how_to_get_a_fresh_seed() -> None:
    text = " ".join(run_cli("run", "--help").stdout.split())
    assert "--explore" in text
    assert "[default: ci]" in text
    assert "shipped seed 0" in text


def test_schemas_diff_writes_the_changelog(tmp_path: Path) -> None:
    out = tmp_path / "changelog.md"
    done = run_cli("schemas", "diff", "0.15.0", "0.38.0", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert (
        out.read_text()
        == (SCHEMAS_ROOT.parent / "reports/changelog-0.15.0-to-0.38.0.md").read_text()
    )


def test_unknown_pack_is_exit_2_with_the_path(tmp_path: Path) -> None:
    done = run_cli("schemas", "diff", "0.15.0", "9.9.9", "--out", str(tmp_path / "x.md"))
    assert done.returncode == 2
    assert "no spec pack for version '9.9.9'" in done.stderr


@pytest.mark.sdk
def test_generate_refuses_another_sdk_version() -> None:
    done = run_cli("schemas", "generate", "--sdk-version", "0.0.1", "--check")
    assert done.returncode == 2
    assert f"tinker=={installed_version()} is installed here" in done.stderr


@pytest.mark.sdk
def test_generate_check_reports_no_drift() -> None:
    version = installed_version()
    assert version is not None
    done = run_cli("schemas", "generate", "--sdk-version", version, "--check")
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"pack {version}: no drift" in done.stdout


@pytest.mark.sdk
def test_a_failing_generated_case_is_written_and_replays(tmp_path: Path) -> None:
    version = installed_version()
    assert version is not None
    mutant = "python:tests.mutants:StringifiesIntegers"
    results = tmp_path / "raw" / "run.json"
    done = run_cli(
        "run",
        "--adapter",
        mutant,
        "--spec",
        version,
        "--check",
        "property-roundtrip",
        "--profile",
        "ci",
        "--examples",
        "3",
        "--results",
        str(results),
        "--output-dir",
        str(tmp_path),
    )
    assert done.returncode == 1, done.stdout + done.stderr
    files = sorted((tmp_path / "failures").glob("*/property-roundtrip-Cursor-*.json"))
    assert files, done.stdout
    assert "failing generated examples in" in done.stdout
    assert "replay one with: tinker-conformance replay " in done.stdout
    document = json.loads(files[0].read_text())
    assert document["replay"] == f"tinker-conformance replay {files[0]} --adapter {mutant}"
    still = run_cli("replay", str(files[0]), "--adapter", mutant)
    assert still.returncode == 1
    assert "type-changed Cursor/offset" in still.stdout
    fixed = run_cli("replay", str(files[0]), "--adapter", "tinker")
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert "passes now" in fixed.stdout


@pytest.mark.sdk
def test_run_on_the_reference_is_clean_and_counts_its_checks(tmp_path: Path) -> None:
    version = installed_version()
    assert version is not None
    results = tmp_path / "ref.json"
    done = run_cli(
        "run",
        "--adapter",
        "tinker",
        "--spec",
        version,
        "--examples",
        "6",
        "--results",
        str(results),
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "(profile ci, seed 0)" in done.stdout  # the default: the shipped seed
    raw = json.loads(results.read_text())
    assert raw["findings"] == []
    assert raw["total"] > 1000


@pytest.mark.sdk
def test_checked_in_fixtures_match_a_regeneration() -> None:
    version = installed_version()
    assert version is not None
    done = run_cli("fixtures", "generate", "--sdk-version", version, "--check")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr
    assert f"fixtures {version}: no drift" in done.stdout
