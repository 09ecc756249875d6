"""The checked-in cross-version audits (`nox -s reports`: each reference
version, driven through the subprocess protocol, against the other version's
pack) name real differences between the versions. A few are pinned here, each
checked against the two packs so the pin cannot drift from the data."""

from __future__ import annotations

import json
from typing import Any

import pytest

from conformance._data import SCHEMAS_ROOT
from conformance.spec import load_pack

RAW = SCHEMAS_ROOT.parent / "reports" / "raw"
OLD, NEW = load_pack("0.15.0"), load_pack("0.38.0")


def _findings(name: str) -> list[dict[str, Any]]:
    report = json.loads((RAW / f"{name}.json").read_text())
    assert report["total"] > 1000
    findings: list[dict[str, Any]] = report["findings"]
    return findings


def _has(findings: list[dict[str, Any]], category: str, type_name: str, field: str = "") -> bool:
    return any(
        f["category"] == category and f["type"] == type_name and f["field"].startswith(field)
        for f in findings
    )


OLD_ON_NEW = _findings("tinker-0.15.0-spec-0.38.0")
NEW_ON_OLD = _findings("tinker-0.38.0-spec-0.15.0")


@pytest.mark.parametrize("type_name", ["DmelChunk", "JoinSamplingSessionRequest", "WhoamiResponse"])
def test_types_added_in_0_38_0_are_missing_from_0_15_0(type_name: str) -> None:
    assert type_name in NEW.types
    assert type_name not in OLD.types
    assert _has(OLD_ON_NEW, "missing-type", type_name)


def test_the_archive_url_type_removed_in_0_38_0_is_missing_there() -> None:
    assert "CheckpointArchiveUrlResponse" not in NEW.types
    assert _has(NEW_ON_OLD, "missing-type", "CheckpointArchiveUrlResponse")


@pytest.mark.parametrize(
    ("findings", "endpoint"),
    [
        (NEW_ON_OLD, "models.unload"),
        (NEW_ON_OLD, "weights.get_checkpoint_archive_url"),
        (OLD_ON_NEW, "service.join_sampling_session"),
    ],
)
def test_endpoints_one_version_lacks(findings: list[dict[str, Any]], endpoint: str) -> None:
    assert _has(findings, "missing-endpoint", endpoint)


def test_fields_added_in_0_38_0_are_lost_by_0_15_0() -> None:
    assert "max_context_length" in NEW.schemas["SupportedModel"]["properties"]
    assert "max_context_length" not in OLD.schemas["SupportedModel"]["properties"]
    assert _has(OLD_ON_NEW, "data-loss", "SupportedModel", "/max_context_length")
    assert _has(OLD_ON_NEW, "data-loss", "TelemetryBatch", "/process_uuid")


def test_0_38_0_tensor_data_no_longer_carries_data_on_the_0_15_0_wire() -> None:
    assert _has(NEW_ON_OLD, "data-loss", "TensorData", "/data")


def test_helpers_added_in_0_38_0_are_missing_from_0_15_0() -> None:
    assert _has(OLD_ON_NEW, "missing-helper", "DmelChunk.length")
