"""Nothing a Python implementation raises escapes an in-process audit (issue 14).

``tests/inprocess/hostile_impl`` raises in every op, at import and at
attribute access (its docstring says where). The audit of it must run to its
end and write its report, every failure a result of the subject that met it:
an ``adapter-error`` finding for a type (whichever way its lookup or its
class raised), its endpoints not checked with the reason, no traceback.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conformance import SpecPack

HERE = Path(__file__).parent / "inprocess"
NAMESPACES = "hostile_impl.types,hostile_impl.unimportable"
ADAPTER = f"python-package:{NAMESPACES}:map={HERE / 'hostile-map.json'}"

pytestmark = pytest.mark.sdk


@pytest.fixture(scope="module")
def audit(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from conformance.reference._classes import installed_version

    out = tmp_path_factory.mktemp("hostile")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE), *sys.path])}
    done = subprocess.run(
        [
            sys.executable, "-m", "conformance", "run", "--adapter", ADAPTER,
            "--spec", str(installed_version()), "--output-dir", str(out),
            "--report", str(out), "--format", "json", "--quiet", "--examples", "2",
        ],
        capture_output=True, text=True, check=False, env=env, timeout=900,
    )  # fmt: skip
    (raw,) = (out / "raw").glob("*.json")
    (report,) = out.glob("*.json")
    return {
        "done": done,
        "raw": json.loads(raw.read_text(encoding="utf-8")),
        "doc": json.loads(report.read_text(encoding="utf-8")),
    }


def test_the_run_ends_with_its_report_and_no_traceback(audit: dict[str, Any]) -> None:
    done = audit["done"]
    assert done.returncode == 1, done.stdout + done.stderr  # gaps, not a crash (3)
    assert "Traceback" not in done.stdout + done.stderr
    assert audit["raw"]["error"] is None
    assert audit["raw"]["interrupted"] is None
    assert audit["doc"]["implementation"]["name"] == "hostile_impl"
    assert audit["doc"]["implementation"]["version"] == "unknown"


def _errors(raw: dict[str, Any], name: str) -> list[dict[str, Any]]:
    return [f for f in raw["findings"] if f["type"] == name and f["category"] == "adapter-error"]


@pytest.mark.parametrize(
    ("type_name", "raised"),
    [
        ("ModelInput", "attribute access hostile_impl.types.ModelInput"),
        ("SamplingParams", "import of hostile_impl.unimportable"),
        ("Cursor", "import of hostile_impl.broken"),
        ("Datum", "Datum.model_validate"),
        ("LoraConfig", "LoraConfig.model_validate"),
    ],
)
def test_every_way_of_raising_is_an_error_of_its_subject(
    audit: dict[str, Any], type_name: str, raised: str
) -> None:
    errors = _errors(audit["raw"], type_name)
    assert errors, f"no adapter-error for {type_name}"
    assert any(raised in f["message"] for f in errors), [f["message"] for f in errors]


def test_every_type_met_is_an_error_not_a_missing_type(
    audit: dict[str, Any], sdk_pack: SpecPack
) -> None:
    categories = {f["category"] for f in audit["raw"]["findings"] if f["subject"] == "type"}
    assert "missing-type" not in categories
    assert {f["type"] for f in audit["raw"]["findings"] if f["subject"] == "type"} == set(
        sdk_pack.types
    )


def test_helpers_raising_are_errors_of_the_helper(audit: dict[str, Any]) -> None:
    helpers = [f for f in audit["raw"]["findings"] if f["subject"] == "helper"]
    assert helpers
    assert {f["category"] for f in helpers} <= {"adapter-error", "missing-helper"}
    assert any("hostile" in f["message"] for f in helpers)


def test_endpoints_are_not_checked_with_the_reason(audit: dict[str, Any]) -> None:
    (op,) = [f for f in audit["raw"]["findings"] if f["subject"] == "op"]
    assert op["type"] == "request"
    assert "endpoints not checked" in op["message"]
    assert "import of hostile_impl._client" in op["message"]
    assert {row["status"] for row in audit["doc"]["endpoints"]} == {"unchecked"}
