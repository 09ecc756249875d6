"""The command line: help everywhere, documented exit codes, clear errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conformance._sdk import installed_version
from conformance.spec import SCHEMAS_ROOT


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "conformance", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


@pytest.mark.parametrize("args", [(), ("schemas",), ("schemas", "generate"), ("schemas", "diff")])
def test_help_everywhere(args: tuple[str, ...]) -> None:
    done = _run(*args, "--help")
    assert done.returncode == 0
    assert "Usage:" in done.stdout


def test_schemas_diff_writes_the_changelog(tmp_path: Path) -> None:
    out = tmp_path / "changelog.md"
    done = _run("schemas", "diff", "0.15.0", "0.38.0", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert (
        out.read_text()
        == (SCHEMAS_ROOT.parent / "reports/changelog-0.15.0-to-0.38.0.md").read_text()
    )


def test_unknown_pack_is_exit_2_with_the_path(tmp_path: Path) -> None:
    done = _run("schemas", "diff", "0.15.0", "9.9.9", "--out", str(tmp_path / "x.md"))
    assert done.returncode == 2
    assert "no spec pack for version '9.9.9'" in done.stderr


@pytest.mark.sdk
def test_generate_refuses_another_sdk_version() -> None:
    done = _run("schemas", "generate", "--sdk-version", "0.0.1", "--check")
    assert done.returncode == 2
    assert f"tinker=={installed_version()} is installed here" in done.stderr


@pytest.mark.sdk
def test_generate_check_reports_no_drift() -> None:
    version = installed_version()
    assert version is not None
    done = _run("schemas", "generate", "--sdk-version", version, "--check")
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"pack {version}: no drift" in done.stdout
