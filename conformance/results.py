"""The raw results file: the typed link between ``run`` and everything that
reads a run afterwards (``report``, ``baseline write``, ``gaps register``,
the gate).

``RunResult.to_json`` writes it; :func:`load_results` reads it back, checked
against ``schemas/report/results.schema.json`` first, so a malformed file is
a bad input naming the file and the JSON pointer (exit 2), never a crash
half-way through a report.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from conformance._data import check_data, load_json

__all__ = ["RESULTS_SCHEMA", "RawResults", "load_results"]

RESULTS_SCHEMA = "../report/results.schema.json"  # relative to schemas/meta/


@dataclass(frozen=True, kw_only=True)
class RawResults:
    """A run's raw results, as read back from its file."""

    #: name, language, version, targets (strings); type_map (file, used) and
    #: sources (subject -> file[:line]) when given
    implementation: Mapping[str, Any]
    spec_version: str
    checks: tuple[str, ...]
    #: Per check, the kind of subject its outcomes name (type, helper, endpoint).
    subjects: Mapping[str, str]
    covered: Mapping[str, Mapping[str, int]]
    findings: tuple[Mapping[str, Any], ...]
    #: What stopped the run before its end; None: it ran to its end.
    interrupted: str | None
    #: The adapter's incidents: ``{"kind", "message"}`` each.
    incidents: tuple[Mapping[str, str], ...]
    #: The whole document, for the run statistics a report shows.
    data: Mapping[str, Any] = field(repr=False)

    @classmethod
    def from_json(cls, data: Any, source: Path) -> RawResults:
        """``data`` checked against the published schema; ``source`` names it in errors."""
        check_data(data, RESULTS_SCHEMA, source)
        return cls(
            implementation=data["implementation"],
            spec_version=data["spec_version"],
            checks=tuple(data["checks"]),
            subjects=data["subjects"],
            covered=data["covered"],
            findings=tuple(data["findings"]),
            interrupted=data["interrupted"],
            incidents=tuple(data["incidents"]),
            data=data,
        )

    def checked_subjects(self, kind: str) -> dict[str, int]:
        """Outcomes per subject of the checks that judge ``kind`` subjects."""
        counts: dict[str, int] = {}
        for check, subjects in self.covered.items():
            if self.subjects.get(check, "type") == kind:
                for name, n in subjects.items():
                    counts[name] = counts.get(name, 0) + n
        return counts


def load_results(path: Path) -> RawResults:
    """Read and check a raw results file."""
    return RawResults.from_json(load_json(path), path)
