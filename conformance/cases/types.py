"""Golden type cases (``fixtures/<version>/types/<Type>/<case>.json``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conformance.cases._load import CaseKind, load

__all__ = ["TypeCase", "load_type_cases"]


@dataclass(frozen=True, kw_only=True)
class TypeCase:
    """One golden case for one wire type."""

    id: str  # path relative to fixtures/, e.g. 0.15.0/types/LoraConfig/gen-minimal.json
    type_name: str
    description: str
    valid: bool
    payload: Any
    canonical: Any = None
    error: str | None = None
    source: str = "generated"
    seed: str | None = None


def _build(case_id: str, data: Mapping[str, Any]) -> TypeCase:
    return TypeCase(
        id=case_id,
        type_name=data["type"],
        description=data["description"],
        valid=data["valid"],
        payload=data["payload"],
        canonical=data.get("canonical"),
        error=data.get("error"),
        source=data["source"],
        seed=data.get("seed"),
    )


TYPES = CaseKind(folder="types", meta="type-case.schema.json", subject_key="type", build=_build)


def load_type_cases(version: str, root: Path | None = None) -> list[TypeCase]:
    """Every type case of a version, sorted by id."""
    return load(TYPES, version, root)
