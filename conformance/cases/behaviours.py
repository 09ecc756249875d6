"""Behaviour vectors (``fixtures/<version>/behaviours/<Helper>/<case>.json``) as objects.

One call of a helper a port must reproduce (``ModelInput.append_int``,
``ParsedCheckpointTinkerPath.from_tinker_path``, ``Datum.new``, ...) with the
reference's answer: the value it returned and its receiver afterwards, or the
kind of error it raised. One case per file, checked against
``schemas/meta/behaviour-case.schema.json`` on load; the path is the case's id.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conformance._data import META_DIR, load_json
from conformance.cases._load import CaseKind, load

__all__ = [
    "ERROR_KINDS",
    "INPUTS_FILE",
    "BehaviourCase",
    "behaviours_dir",
    "load_behaviour_cases",
]

#: The neutral error kinds of a helper (Python's ValueError, KeyError,
#: TypeError and NotImplementedError in the reference), as the meta-schema
#: of behaviour vectors lists them.
ERROR_KINDS: tuple[str, ...] = tuple(
    load_json(META_DIR / "behaviour-case.schema.json")["$defs"]["error-kind"]["enum"]
)

#: The curated inputs the vectors are generated from, next to the helper folders.
INPUTS_FILE = "inputs.json"


@dataclass(frozen=True, kw_only=True)
class BehaviourCase:
    """One helper call and the reference's answer."""

    #: path relative to fixtures/: 0.15.0/behaviours/ModelInput.append_int/gen-to-empty.json
    id: str
    helper: str  # Type.member
    description: str
    args: Mapping[str, Any]
    expect: Mapping[str, Any]  # {"returned": ..., "self"?: ...} or {"error": {"kind", "message"}}
    returns: str | None = None  # pack type of the returned value: compared in canonical form
    source: str = "generated"
    seed: str | None = None

    @property
    def owner(self) -> str:
        """The type the helper belongs to (the receiver's type, for methods)."""
        return self.helper.partition(".")[0]

    @property
    def error(self) -> Mapping[str, Any] | None:
        """The error the reference raised, or None where it returned."""
        error: Mapping[str, Any] | None = self.expect.get("error")
        return error


def behaviours_dir(root: Path, version: str) -> Path:
    """``<root>/<version>/behaviours``: the helper folders and ``inputs.json``."""
    return root / version / "behaviours"


def _build(case_id: str, data: Mapping[str, Any]) -> BehaviourCase:
    return BehaviourCase(
        id=case_id,
        helper=data["helper"],
        description=data["description"],
        args=data["args"],
        expect=data["expect"],
        returns=data.get("returns"),
        source=data["source"],
        seed=data.get("seed"),
    )


BEHAVIOURS = CaseKind(
    folder="behaviours", meta="behaviour-case.schema.json", subject_key="helper", build=_build
)


def load_behaviour_cases(version: str, root: Path | None = None) -> list[BehaviourCase]:
    """Every behaviour vector of a version, sorted by id (none: an empty list)."""
    return load(BEHAVIOURS, version, root)
