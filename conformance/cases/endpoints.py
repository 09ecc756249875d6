"""Endpoint vectors (``fixtures/<version>/endpoints/<endpoint id>/<case>.json``):
one API call, the canned responses the mock server serves for it, and what
the reference sent and returned."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conformance.cases._load import CaseKind, load

__all__ = ["EndpointCase", "load_endpoint_cases"]


@dataclass(frozen=True, kw_only=True)
class EndpointCase:
    """One endpoint vector."""

    id: str  # path relative to fixtures/, e.g. 0.15.0/endpoints/models.get_info/ok.json
    endpoint: str
    description: str
    args: dict[str, Any]
    responses: list[dict[str, Any]]
    expect: dict[str, Any]
    source: str = "generated"
    seed: str | None = None


def _build(case_id: str, data: Mapping[str, Any]) -> EndpointCase:
    return EndpointCase(
        id=case_id,
        endpoint=data["endpoint"],
        description=data["description"],
        args=data["args"],
        responses=data["responses"],
        expect=data["expect"],
        source=data["source"],
        seed=data.get("seed"),
    )


ENDPOINTS = CaseKind(
    folder="endpoints", meta="endpoint-case.schema.json", subject_key="endpoint", build=_build
)


def load_endpoint_cases(version: str, root: Path | None = None) -> list[EndpointCase]:
    """Every endpoint vector of a version, sorted by id; each file is checked
    against ``schemas/meta/endpoint-case.schema.json``."""
    return load(ENDPOINTS, version, root)
