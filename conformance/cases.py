"""Golden fixtures (``fixtures/<version>/types/<Type>/<case>.json``) as objects.

One case per file, the JSON-Schema-Test-Suite way: the runner globs them and
the path is the case's id. Every file is checked against its meta-schema on
load; a malformed one is an error naming the file and the JSON pointer.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conformance._errors import SpecError
from conformance.spec import SCHEMAS_ROOT, load_checked

__all__ = ["FIXTURES_ROOT", "TypeCase", "case_files", "load_type_cases"]

FIXTURES_ROOT = SCHEMAS_ROOT.parent / "fixtures"


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


def load_type_cases(version: str, root: Path = FIXTURES_ROOT) -> list[TypeCase]:
    """Every type case of a version, sorted by id."""
    base = root / version / "types"
    cases = []
    for path, data in case_files(base, "type-case.schema.json", "type"):
        cases.append(
            TypeCase(
                id=path.relative_to(root).as_posix(),
                type_name=data["type"],
                description=data["description"],
                valid=data["valid"],
                payload=data["payload"],
                canonical=data.get("canonical"),
                error=data.get("error"),
                source=data["source"],
                seed=data.get("seed"),
            )
        )
    return cases


def case_files(folder: Path, meta: str, key: str) -> Iterator[tuple[Path, Any]]:
    """Every ``<folder>/<name>/<case>.json``, checked against
    ``schemas/meta/<meta>``, whose ``key`` must name the folder it is in."""
    for path in sorted(folder.glob("*/*.json")):
        data = load_checked(path, meta)
        if data[key] != path.parent.name:
            raise SpecError(
                f"case is for {key} {data[key]!r} but lives in folder {path.parent.name!r}",
                file=path,
                pointer=f"/{key}",
            )
        yield path, data
