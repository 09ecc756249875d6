"""The in-process audit of a fake drop-in implementation (issue 14).

Run by ``nox -s dropin`` only, in a virtualenv holding the fake
(tests/dropin/, distribution ``tinker-dropin-fake``) beside the vendor SDK
it re-exports; not a ``test_*`` file, so the ``tests`` sessions, whose
virtualenvs lack the fake, never collect it. The audit is the command a
user runs; what it must report is data (tests/dropin/expected.json).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conformance._markdown import text

HERE = Path(__file__).parent
EXPECTED: dict[str, Any] = json.loads((HERE / "expected.json").read_text(encoding="utf-8"))
TYPE_MAP = HERE / "type-map.json"
ADAPTER = f"python-package:tinker_dropin.types:map={TYPE_MAP}"


@pytest.fixture(scope="module")
def audit(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The report document (JSON) and the Markdown of one full audit."""
    out = tmp_path_factory.mktemp("dropin")
    done = subprocess.run(
        [
            sys.executable, "-m", "conformance", "run", "--adapter", ADAPTER,
            "--spec", EXPECTED["spec"], "--output-dir", str(out), "--report", str(out),
            "--format", "json", "--format", "md", "--quiet",
        ],
        capture_output=True, text=True, check=False, timeout=1800,
    )  # fmt: skip
    assert done.returncode == 1, done.stdout + done.stderr  # gaps: the gate fails
    assert "Traceback" not in done.stderr, done.stderr
    (report,) = out.glob("*.json")
    (markdown,) = out.glob("*.md")
    return {
        "doc": json.loads(report.read_text(encoding="utf-8")),
        "md": markdown.read_text(encoding="utf-8"),
    }


def test_the_implementation_is_the_distribution_providing_the_package(
    audit: dict[str, Any],
) -> None:
    implementation = audit["doc"]["implementation"]
    assert implementation["name"] == EXPECTED["implementation"]["name"]
    assert implementation["version"] == EXPECTED["implementation"]["version"]


def test_exactly_the_deliberate_gaps(audit: dict[str, Any]) -> None:
    gaps = audit["doc"]["gaps"]
    assert sorted(g["subject"] for g in gaps) == EXPECTED["missing_types"], gaps
    assert {g["category"] for g in gaps} == {"missing-type"}


def test_endpoints_are_not_checked_with_the_reason(audit: dict[str, Any]) -> None:
    endpoints = audit["doc"]["endpoints"]
    assert endpoints
    assert {row["status"] for row in endpoints} == {"unchecked"}
    (line,) = [c for c in audit["doc"]["coverage"] if c["op"] == EXPECTED["not_checked"]["op"]]
    assert line["not_checked"] == len(endpoints)
    assert EXPECTED["not_checked"]["reason"] in line["reason"]


def test_every_other_type_is_present(audit: dict[str, Any]) -> None:
    status = {row["name"]: row["status"] for row in audit["doc"]["types"]}
    present = {name for name, s in status.items() if s == "complete"}
    assert present == set(status) - set(EXPECTED["missing_types"])
    assert set(EXPECTED["mapped"]) <= present


def test_the_map_and_its_entries_are_named_in_the_report(audit: dict[str, Any]) -> None:
    type_map = audit["doc"]["implementation"]["type_map"]
    assert type_map == {"file": str(TYPE_MAP), "used": EXPECTED["mapped"]}
    assert f"**Type map:** {text(str(TYPE_MAP))}" in audit["md"]
    for name, path in EXPECTED["mapped"].items():
        assert f"{text(name)} as {text(path)}" in audit["md"]
