"""The checked-in example reports (`nox -s reports`): valid documents, every
format rendered from the same document, the sections of the seed audits,
and the real differences of each audit pinned."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from conformance._data import SCHEMAS_ROOT
from conformance.report import FORMATS
from conformance.report._document import check_document

REPORTS = SCHEMAS_ROOT.parent / "reports"
DOCUMENTS = sorted(p for p in REPORTS.glob("*.json"))
SEED_SECTIONS = [
    "## 1. Executive Summary",
    "### Completeness Assessment",
    "### Summary Statistics",
    "### Key Findings",
    "## 2. Type-by-Type Comparison",
    "## 3. Field-Level Comparison",
    "## 4. Detailed Gap Analysis",
    "## 5. API Endpoint Coverage",
    "## 6. Helper Coverage",
    "## 7. Enhancements",
    "## 8. Recommendations",
]


def _load(stem: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((REPORTS / f"{stem}.json").read_text())
    return document


def test_every_example_is_there() -> None:
    stems = {p.stem for p in DOCUMENTS}
    assert stems == {
        "tinker-0.15.0-spec-0.15.0",
        "tinker-0.38.0-spec-0.38.0",
        "tinker-0.15.0-spec-0.38.0",
        "tinker-0.38.0-spec-0.15.0",
        "tinker-js-example-0.1.0-spec-0.15.0",
    }
    for stem in stems:
        for suffix, _render in FORMATS.values():
            assert (REPORTS / f"{stem}{suffix}").is_file(), f"{stem}{suffix}"


@pytest.mark.parametrize("path", DOCUMENTS, ids=[p.stem for p in DOCUMENTS])
def test_every_format_renders_the_same_document(path: Path) -> None:
    document = json.loads(path.read_text())
    check_document(document, path)
    stem = path.stem
    for suffix, render in FORMATS.values():
        on_disk = (REPORTS / f"{stem}{suffix}").read_text(encoding="utf-8")
        assert render(document) == on_disk, f"{stem}{suffix} is stale: run `nox -s reports`"


@pytest.mark.parametrize("path", DOCUMENTS, ids=[p.stem for p in DOCUMENTS])
def test_markdown_has_the_sections_of_the_seeds(path: Path) -> None:
    markdown = path.with_suffix(".md").read_text(encoding="utf-8")
    positions = [markdown.find(s) for s in SEED_SECTIONS]
    assert -1 not in positions, [s for s, p in zip(SEED_SECTIONS, positions, strict=False) if p < 0]
    assert positions == sorted(positions)
    document = json.loads(path.read_text())
    shown = re.search(r"\*\*Overall Completeness:\*\* ([\d.]+)%", markdown)
    assert shown
    assert float(shown.group(1)) == document["summary"]["completeness"]
    for gap in document["gaps"]:
        assert f"#### {gap['id']}: " in markdown


@pytest.mark.parametrize("version", ["0.15.0", "0.38.0"])
def test_self_audits_are_clean(version: str) -> None:
    document = _load(f"tinker-{version}-spec-{version}")
    summary = document["summary"]
    assert summary["gaps"]["total"] == 0
    assert summary["enhancements"] == 0
    assert summary["completeness"] == 100.0
    assert summary["types"]["unchecked"] == 0
    assert summary["types"]["complete"] == summary["types"]["total"]
    assert summary["endpoints"]["complete"] == summary["endpoints"]["total"] > 0
    assert document["gate"]["passed"]


def _gap(document: dict[str, Any], subject: str, category: str, field: str = "") -> dict[str, Any]:
    for gap in document["gaps"]:
        if (gap["subject"], gap["category"], gap["field"]) == (subject, category, field):
            return gap  # type: ignore[no-any-return]
    raise AssertionError(f"no {category} gap on {subject}{field}")


def test_old_sdk_against_the_newest_pack() -> None:
    document = _load("tinker-0.15.0-spec-0.38.0")
    assert not document["gate"]["passed"]
    assert _gap(document, "DmelChunk", "missing-type")["severity"] == "high"
    assert (
        _gap(document, "service.join_sampling_session", "missing-endpoint")["severity"]
        == "critical"
    )
    assert _gap(document, "SaveWeightsResponse.get_console_url", "missing-helper")
    rows = {r["name"]: r["status"] for r in document["types"]}
    assert rows["DmelChunk"] == "missing"
    assert rows["LoraConfig"] == "complete"
    assert 0 < document["summary"]["completeness"] < 100


def test_newest_sdk_against_the_old_pack() -> None:
    document = _load("tinker-0.38.0-spec-0.15.0")
    assert _gap(document, "models.unload", "missing-endpoint")["id"].startswith("GAP-API-")
    assert _gap(document, "weights.get_checkpoint_archive_url", "missing-endpoint")
    assert document["enhancements"], "0.38.0 adds fields the old pack lacks"


def test_the_javascript_port() -> None:
    document = _load("tinker-js-example-0.1.0-spec-0.15.0")
    assert document["implementation"]["language"] == "javascript"
    statuses = {r["name"]: r["status"] for r in document["types"]}
    assert statuses["SessionHeartbeatRequest"] == "missing"
    assert "complete" in statuses.values()
    assert (
        document["summary"]["endpoints"]["unchecked"] == document["summary"]["endpoints"]["total"]
    )
