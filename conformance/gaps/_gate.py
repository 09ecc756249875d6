"""The CI gate: new gaps fail, accepted ones (a baseline file) pass.

A baseline lists the gap ids a project has accepted for now. The gate fails
on a gap at or above ``fail_on`` that the baseline does not list; a baseline
entry no run finds any more is *stale*, reported always and failing only
with ``strict`` (so fixing a gap never breaks a build by itself).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conformance._data import load_checked
from conformance.findings import GapRules
from conformance.gaps._model import Gap, Uncovered

__all__ = ["DEFAULT_FAIL_ON", "Baseline", "Verdict", "judge", "load_baseline", "write_baseline"]

BASELINE_SCHEMA = "../report/baseline.schema.json"  # relative to schemas/meta/
BASELINE_ID = "urn:tinker-conformance:report:baseline"
#: The gate's threshold unless one is asked for: every gap that is not an enhancement.
DEFAULT_FAIL_ON = "low"


@dataclass(frozen=True)
class Baseline:
    source: Path
    accepted: dict[str, dict[str, Any]]  # id -> what it was when accepted


@dataclass(frozen=True)
class Verdict:
    fail_on: str
    baseline: str | None
    strict: bool
    new: tuple[str, ...]
    accepted: tuple[str, ...]
    stale: tuple[str, ...]
    below_threshold: tuple[str, ...]
    #: Why the run is incomplete (interrupted); an incomplete run never passes.
    incomplete: str | None = None
    incidents: int = 0
    fail_on_incidents: bool = False
    #: Ops a project requires (``--require-op``), and those of them the adapter lacks.
    required_ops: tuple[str, ...] = ()
    missing_ops: tuple[str, ...] = ()

    @property
    def passed(self) -> bool:
        return (
            not self.new
            and not (self.strict and self.stale)
            and self.incomplete is None
            and not (self.fail_on_incidents and self.incidents)
            and not self.missing_ops
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "fail_on": self.fail_on,
            "baseline": self.baseline,
            "strict_baseline": self.strict,
            "new": list(self.new),
            "accepted": list(self.accepted),
            "stale": list(self.stale),
            "below_threshold": list(self.below_threshold),
            "incomplete": self.incomplete,
            "incidents": self.incidents,
            "fail_on_incidents": self.fail_on_incidents,
            "required_ops": list(self.required_ops),
            "missing_ops": list(self.missing_ops),
        }


def judge(
    gaps: Iterable[Gap],
    rules: GapRules,
    *,
    fail_on: str = DEFAULT_FAIL_ON,
    baseline: Baseline | None = None,
    strict: bool = False,
    incomplete: str | None = None,
    incidents: int = 0,
    fail_on_incidents: bool = False,
    required_ops: Iterable[str] = (),
    lacking: Iterable[Uncovered] = (),
) -> Verdict:
    """The verdict on ``gaps``; ``lacking`` (the ops the adapter does not
    support) fails it only for the ops in ``required_ops``."""
    rules.check_threshold(fail_on)
    required = tuple(sorted(set(required_ops)))
    absent = {u.op for u in lacking}
    real = [g for g in gaps if not g.enhancement]
    listed = baseline.accepted if baseline else {}
    at_or_above = [g for g in real if rules.rank(g.severity) <= rules.rank(fail_on)]
    present = {g.id for g in real}
    return Verdict(
        fail_on=fail_on,
        baseline=str(baseline.source) if baseline else None,
        strict=strict,
        new=tuple(g.id for g in at_or_above if g.id not in listed),
        accepted=tuple(g.id for g in real if g.id in listed),
        stale=tuple(sorted(i for i in listed if i not in present)),
        below_threshold=tuple(g.id for g in real if g not in at_or_above and g.id not in listed),
        incomplete=incomplete,
        incidents=incidents,
        fail_on_incidents=fail_on_incidents,
        required_ops=required,
        missing_ops=tuple(op for op in required if op in absent),
    )


def load_baseline(path: Path) -> Baseline:
    document = load_checked(path, BASELINE_SCHEMA)
    return Baseline(path, {entry["id"]: entry for entry in document["accepted"]})


def write_baseline(
    path: Path, gaps: Sequence[Gap], *, implementation: str, spec_version: str
) -> int:
    """Accept every current gap (not enhancements); returns how many."""
    accepted = [
        {"id": g.id, "severity": g.severity, "category": g.category, "title": g.title}
        for g in gaps
        if not g.enhancement
    ]
    document = {
        "$schema": BASELINE_ID,
        "implementation": implementation,
        "spec_version": spec_version,
        "accepted": sorted(accepted, key=lambda e: e["id"]),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False) + "\n", encoding="utf-8"
    )
    return len(accepted)
