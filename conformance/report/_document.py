"""The report document: one JSON value every output format renders.

Built from a raw results file (``run --results``), the pack it ran against,
the gap rules and the gap-id registry; checked against the published
``schemas/report/report.schema.json`` before anything is written, so the
Markdown, HTML, JSON and JUnit outputs always tell the same story.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conformance._data import check_data
from conformance.cases import load_behaviour_cases
from conformance.findings import GapRules
from conformance.gaps import Gap, Uncovered, Verdict
from conformance.results import RawResults
from conformance.spec import SpecPack
from conformance.spec.diff import describe

__all__ = [
    "REPORT_SCHEMA",
    "REPORT_SCHEMA_ID",
    "STATUSES",
    "Tally",
    "build_document",
    "check_document",
    "gaps_by_area",
    "tally",
]

REPORT_SCHEMA = "../report/report.schema.json"  # relative to schemas/meta/
REPORT_SCHEMA_ID = "urn:tinker-conformance:report:report"
FORMAT = 1

#: How far a subject is implemented, best first (report.schema.json ``status``).
STATUSES = ("complete", "partial", "missing", "unchecked")


def build_document(
    raw: RawResults,
    pack: SpecPack,
    gaps: Sequence[Gap],
    rules: GapRules,
    verdict: Verdict,
    *,
    date: str,
    keep: Callable[[str, str], bool] | None = None,
    lacking: Sequence[Uncovered] = (),
) -> dict[str, Any]:
    """``keep(kind, name)`` limits the document to some subjects (one
    domain's, for ``--split``); None: every subject of the pack and run.
    ``lacking``: the ops the adapter does not support (``gaps.uncovered``),
    told as coverage, one line per op and check, never as gaps."""
    if keep is not None:
        gaps = [g for g in gaps if keep(g.kind, g.subject)]
    # implemented but wrong first, then not implemented; each most severe first
    real = sorted(
        (g for g in gaps if not g.enhancement), key=lambda g: (g.missing, rules.rank(g.severity))
    )
    covered = raw.covered
    type_runs = raw.checked_subjects("type")
    endpoint_runs = raw.checked_subjects("endpoint")
    helper_runs = raw.checked_subjects("helper")

    types = [
        _type_row(name, pack, real, type_runs.get(name, 0))
        for name in sorted(pack.types)
        if keep is None or keep("type", name)
    ]
    endpoints = [
        _subject_row(
            "endpoint",
            str(ep["id"]),
            real,
            endpoint_runs.get(str(ep["id"]), 0),
            method=ep["method"],
            path=ep["path"],
        )
        for ep in sorted(pack.endpoints, key=lambda e: str(e["id"]))
        if keep is None or keep("endpoint", str(ep["id"]))
    ]
    # The reference's helpers are those its behaviour vectors call: listed
    # whether or not this run reached them.
    reference_helpers = {c.helper for c in load_behaviour_cases(pack.version)}
    helper_names = (
        reference_helpers | set(helper_runs) | {g.subject for g in gaps if g.kind == "helper"}
    )
    helpers = [
        _subject_row("helper", name, real, helper_runs.get(name, 0))
        for name in sorted(helper_names)
        if keep is None or keep("helper", name)
    ]
    domains = _domains(types, endpoints, helpers, rules)
    implementation = dict(raw.implementation)
    return {
        "$schema": REPORT_SCHEMA_ID,
        "format": FORMAT,
        # an interrupted run says so first, in every format's first line
        "title": (
            (f"INCOMPLETE RUN ({raw.interrupted}): " if raw.interrupted else "")
            + f"Gap Analysis: {implementation['name']} {implementation['version']} "
            f"vs tinker {raw.spec_version}"
        ),
        "date": date,
        "implementation": implementation,
        "reference": {"sdk": "tinker", "version": raw.spec_version},
        "run": {
            **{
                key: raw.data.get(key)
                for key in ("checks", "executed", "passed", "skipped", "total", "seconds", "error")
            },
            "interrupted": raw.interrupted,
            "incidents": [dict(i) for i in raw.incidents],
            "covered": {check: dict(subjects) for check, subjects in covered.items()},
        },
        "summary": {
            "completeness": _percent([*types, *endpoints, *helpers]),
            "types": _counts(types),
            "endpoints": _counts(endpoints),
            "helpers": _counts(helpers),
            "gaps": {
                **_gap_counts(real, rules),
                "not_implemented": _gap_counts([g for g in real if g.missing], rules),
                "wrong": _gap_counts([g for g in real if not g.missing], rules),
            },
            "enhancements": len(gaps) - len(real),
            "key_findings": _key_findings(domains, real, rules),
        },
        "domains": domains,
        "types": types,
        "fields": [
            _field_table(row["name"], pack, real) for row in types if row["status"] == "partial"
        ],
        "endpoints": endpoints,
        "helpers": helpers,
        "gaps": [_gap(g, rules) for g in real],
        "enhancements": [_gap(g, rules) for g in gaps if g.enhancement],
        "recommendations": _recommendations(real, rules),
        "coverage": _coverage(
            lacking, raw, {"type": types, "endpoint": endpoints, "helper": helpers}, verdict
        ),
        "gate": verdict.to_json(),
    }


def _gap_counts(gaps: Sequence[Gap], rules: GapRules) -> dict[str, Any]:
    by_severity = Counter(g.severity for g in gaps)
    return {
        "total": len(gaps),
        "by_severity": {s: by_severity[s] for s in rules.data["severities"] if s != "info"},
    }


@dataclass(frozen=True)
class Tally:
    """The numbers of a run, read from its report document only: what the
    console, the gate's line, JUnit and every report format print, so they
    never disagree."""

    gaps: int
    by_severity: Mapping[str, int]
    not_implemented: int
    wrong: int
    enhancements: int
    subjects: int
    subjects_checked: int
    #: Gaps (enhancements not included) per check that saw them.
    per_check: Mapping[str, int]

    def line(self) -> str:
        severities = ", ".join(f"{n} {s}" for s, n in self.by_severity.items() if n)
        return (
            f"{self.gaps} gaps"
            + (f" ({severities})" if severities else "")
            + f": {self.wrong} implemented but wrong, {self.not_implemented} not implemented; "
            f"{self.enhancements} enhancements; "
            f"{self.subjects_checked} of {self.subjects} subjects checked"
        )


def tally(document: Mapping[str, Any]) -> Tally:
    summary = document["summary"]
    groups = [summary[key] for key in ("types", "endpoints", "helpers")]
    per_check: Counter[str] = Counter()
    for gap in document["gaps"]:
        per_check.update(gap["checks"])
    return Tally(
        gaps=int(summary["gaps"]["total"]),
        by_severity=dict(summary["gaps"]["by_severity"]),
        not_implemented=int(summary["gaps"]["not_implemented"]["total"]),
        wrong=int(summary["gaps"]["wrong"]["total"]),
        enhancements=int(summary["enhancements"]),
        subjects=sum(int(g["total"]) for g in groups),
        subjects_checked=sum(int(g["total"]) - int(g["unchecked"]) for g in groups),
        per_check=dict(per_check),
    )


def check_document(document: Mapping[str, Any], source: Path) -> None:
    """Validate against the published schema (a SpecError names the pointer)."""
    check_data(document, REPORT_SCHEMA, source)


def gaps_by_area(document: Mapping[str, Any]) -> list[tuple[str, list[Mapping[str, Any]]]]:
    """The detailed gaps in sections, as every readable format shows them:
    what is implemented but wrong first, then what is not implemented; each
    per type domain, helpers per owner's domain, endpoints, the adapter."""
    groups: dict[tuple[bool, str], list[Mapping[str, Any]]] = {}
    for gap in document["gaps"]:
        if gap["kind"] in ("endpoint", "op", "adapter"):
            area = {"endpoint": "API endpoints", "op": "The adapter", "adapter": "The adapter"}[
                gap["kind"]
            ]
        else:
            prefix = "Helpers of " if gap["kind"] == "helper" else ""
            area = prefix + str(gap["domain"] or "other").title()
        groups.setdefault((bool(gap["missing"]), area), []).append(gap)
    return [
        (("Not implemented: " if missing else "Implemented but wrong: ") + area, members)
        for (missing, area), members in sorted(groups.items())
    ]


def _status(subject_gaps: Sequence[Gap], runs: int) -> str:
    """missing, partial, complete, or unchecked: never reached (an op the
    adapter lacks reaches nothing: it is coverage, not a gap)."""
    if any(g.missing for g in subject_gaps):
        return "missing"
    if subject_gaps:
        return "partial"
    return "complete" if runs else "unchecked"


def _coverage(
    lacking: Sequence[Uncovered],
    raw: RawResults,
    rows: Mapping[str, Sequence[Mapping[str, Any]]],
    verdict: Verdict,
) -> list[dict[str, Any]]:
    """One line per op the adapter lacks and check that needed it: how many
    subjects of the check's kind that check did not reach."""
    lines = []
    for item in lacking:
        kind = raw.subjects.get(item.check, "type")
        reached = raw.covered.get(item.check, {})
        names = [str(r["name"]) for r in rows.get(kind, ())]
        lines.append(
            {
                "op": item.op,
                "check": item.check,
                "kind": kind,
                "not_checked": sum(1 for n in names if not reached.get(n)),
                "required": item.op in verdict.required_ops,
                "reason": item.reason,
            }
        )
    return lines


def _type_row(name: str, pack: SpecPack, gaps: Sequence[Gap], runs: int) -> dict[str, Any]:
    entry = pack.types[name]
    mine = [g for g in gaps if g.kind == "type" and g.subject == name]
    properties = pack.schemas[name].get("properties", {})
    return {
        "name": name,
        "domain": entry["domain"],
        "kind": entry["kind"],
        "fields": len(properties) if isinstance(properties, Mapping) else 0,
        "status": _status(mine, runs),
        "checks": runs,
        "gaps": [g.id for g in mine],
        "worst": mine[0].severity if mine else None,
    }


def _subject_row(
    kind: str, name: str, gaps: Sequence[Gap], runs: int, **extra: Any
) -> dict[str, Any]:
    mine = [g for g in gaps if g.kind == kind and g.subject == name]
    return {
        "name": name,
        **extra,
        "status": _status(mine, runs),
        "checks": runs,
        "gaps": [g.id for g in mine],
        "worst": mine[0].severity if mine else None,
    }


def _counts(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    counts = Counter(str(r["status"]) for r in rows)
    return {"total": len(rows), **{s: counts[s] for s in STATUSES}, "completeness": _percent(rows)}


def _percent(rows: Sequence[Mapping[str, Any]]) -> float | None:
    """Complete counts 1, partial 1/2, missing 0; unchecked rows are left out."""
    checked = [r for r in rows if r["status"] != "unchecked"]
    if not checked:
        return None
    score = sum({"complete": 1.0, "partial": 0.5}.get(str(r["status"]), 0.0) for r in checked)
    return round(100 * score / len(checked), 1)


def _domains(
    types: Sequence[Mapping[str, Any]],
    endpoints: Sequence[Mapping[str, Any]],
    helpers: Sequence[Mapping[str, Any]],
    rules: GapRules,
) -> list[dict[str, Any]]:
    rows = []
    for domain in sorted({str(t["domain"]) for t in types}):
        members = [t for t in types if t["domain"] == domain]
        rows.append(
            {
                "name": domain,
                "code": rules.code(domain=domain),
                "subjects": "types",
                **_counts(members),
            }
        )
    rows.append(
        {
            "name": "API endpoints",
            "code": rules.code(subject="endpoint"),
            "subjects": "endpoints",
            **_counts(endpoints),
        }
    )
    rows.append(
        {
            "name": "helper methods",
            "code": rules.code(subject="helper"),
            "subjects": "helpers",
            **_counts(helpers),
        }
    )
    return rows


def _key_findings(
    domains: Sequence[Mapping[str, Any]], gaps: Sequence[Gap], rules: GapRules
) -> list[str]:
    """Plain sentences, most telling first: what is missing per area, then
    the largest gap categories at the top severities."""
    lines = []
    for row in sorted(domains, key=lambda r: (r["completeness"] is None, r["completeness"] or 0)):
        if row["missing"] or row["partial"]:
            lines.append(
                f"{row['name']}: {row['complete']} of {row['total']} {row['subjects']} complete, "
                f"{row['partial']} partial, {row['missing']} missing"
            )
        elif row["total"] and row["unchecked"] == row["total"]:
            lines.append(
                f"{row['name']}: none of {row['total']} {row['subjects']} checked in this run"
            )
    categories = Counter((g.severity, g.category) for g in gaps if not g.missing)
    for (severity, category), n in sorted(
        categories.items(), key=lambda kv: (rules.rank(kv[0][0]), -kv[1])
    ):
        examples = [
            f"{g.subject} {g.field}".strip()
            for g in gaps
            if (g.severity, g.category) == (severity, category)
        ]
        more = f" and {len(examples) - 3} more" if len(examples) > 3 else ""
        title = rules.describe(category)["title"]
        lines.append(f"{n} {severity} gap(s): {title} ({', '.join(examples[:3])}{more})")
    return lines


def _field_table(name: str, pack: SpecPack, gaps: Sequence[Gap]) -> dict[str, Any]:
    schema = pack.schemas[name]
    properties: Mapping[str, Any] = schema.get("properties", {})
    required = set(schema.get("required", []))
    mine = [g for g in gaps if g.kind == "type" and g.subject == name]
    rows = []
    for prop, sub in properties.items():
        hits = [g for g in mine if g.field == f"/{prop}" or g.field.startswith(f"/{prop}/")]
        rows.append(_field_row(prop, describe(sub), _default(sub, prop in required), hits))
    listed = {f"/{p}" for p in properties}
    for g in mine:
        top = "/" + g.field.split("/")[1] if g.field else ""
        if top not in listed:
            rows.append(_field_row(g.field or "(whole type)", None, None, [g]))
    return {"type": name, "domain": pack.types[name]["domain"], "rows": rows}


def _field_row(
    field: str, ref_type: str | None, default: str | None, hits: Sequence[Gap]
) -> dict[str, Any]:
    return {
        "field": field,
        "reference_type": ref_type,
        "reference_default": default,
        "match": not hits,
        "observed": "; ".join(sorted({g.category.replace("-", " ") for g in hits}))
        or "as reference",
        "gaps": [g.id for g in hits],
    }


def _default(schema: Any, required: bool) -> str:
    if required:
        return "(required)"
    if isinstance(schema, Mapping) and "default" in schema:
        return json.dumps(schema["default"], ensure_ascii=False, allow_nan=False)
    return "(optional)"


def _gap(g: Gap, rules: GapRules) -> dict[str, Any]:
    about = rules.describe(g.category)
    # the reproducer shown: a shrunk example first, then any with a payload
    first = min(
        g.findings,
        key=lambda f: (f.get("instance") is None, f.get("original_size") is None),
    )
    stderr = next((str(f["stderr"]) for f in g.findings if f.get("stderr")), "")
    return {
        "id": g.id,
        "key": g.key,
        "registered": g.registered,
        "title": g.title,
        "severity": g.severity,
        "category": g.category,
        "category_title": about["title"],
        "kind": g.kind,
        "subject": g.subject,
        "field": g.field,
        "domain": g.domain,
        "message": str(first.get("message", "")),
        "impact": about["impact"],
        "recommendation": about["recommendation"],
        "checks": sorted({str(f["check"]) for f in g.findings}),
        "occurrences": g.occurrences,
        "cases": sorted({str(f["case"]) for f in g.findings if f.get("case")}),
        "expected": first.get("expected"),
        "actual": first.get("actual"),
        "payload": first.get("instance"),
        "original_size": first.get("original_size"),
        "stderr": stderr,
        "missing": g.missing,
    }


def _recommendations(gaps: Sequence[Gap], rules: GapRules) -> list[dict[str, Any]]:
    """One action per severity and category, most severe first: what the
    rules recommend, on which subjects, closing which gaps."""
    groups: dict[tuple[str, str], list[Gap]] = {}
    for g in gaps:
        groups.setdefault((g.severity, g.category), []).append(g)
    ordered = sorted(groups.items(), key=lambda kv: (rules.rank(kv[0][0]), -len(kv[1]), kv[0][1]))
    return [
        {
            "priority": number,
            "severity": severity,
            "category": category,
            "action": rules.describe(category)["recommendation"],
            "subjects": sorted({g.subject + (f" {g.field}" if g.field else "") for g in members}),
            "gaps": [g.id for g in members],
        }
        for number, ((severity, category), members) in enumerate(ordered, 1)
    ]
