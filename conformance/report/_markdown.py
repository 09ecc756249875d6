"""The gap report as Markdown, in the shape of the hand-written audits
(../shared/seeds/): executive summary, type-by-type tables per domain,
field-level tables, detailed gaps, endpoint and helper coverage,
enhancements, recommendations. Every string that came from an
implementation goes through ``conformance._markdown`` escaping."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from conformance._markdown import code, fence, table, text
from conformance.report._document import gaps_by_area
from conformance.report._values import TRUNCATE_AT, coverage_line, percent, pretty

__all__ = ["render_markdown"]

_STATUS = {
    "complete": "✅ **Complete**",
    "partial": "⚠️ **Partial**",
    "missing": "❌ **Missing**",
    "unchecked": "⬜ Not checked",
}
_MATCH = {True: "✅", False: "❌"}


def render_markdown(doc: Mapping[str, Any]) -> str:
    sections = [
        _header(doc),
        _summary(doc),
        _types(doc),
        _fields(doc),
        _gaps(doc),
        _coverage(doc, "endpoints", "5. API Endpoint Coverage"),
        _coverage(doc, "helpers", "6. Helper Coverage"),
        _enhancements(doc),
        _recommendations(doc),
        _appendix(doc),
    ]
    return "\n\n---\n\n".join("\n".join(lines) for lines in sections) + "\n"


def _header(doc: Mapping[str, Any]) -> list[str]:
    impl = doc["implementation"]
    return [
        f"# {text(doc['title'])}",
        "",
        f"**Date:** {text(doc['date'])}",
        f"**Implementation:** {text(impl['name'])} {text(impl['version'])} "
        f"({text(impl['language'])}; targets {text(impl.get('targets'))})",
        f"**Reference:** tinker {text(doc['reference']['version'])} (spec pack "
        f"`schemas/{text(doc['reference']['version'])}/`)",
        f"**Checks:** {text(', '.join(doc['run']['checks']))}",
        *_type_map(impl),
        "**Analyzer:** tinker-conformance",
    ]


def _type_map(impl: Mapping[str, Any]) -> list[str]:
    """The map file the types were looked up with, and each entry used."""
    found = impl.get("type_map")
    if not found:
        return []
    used = ", ".join(f"{text(k)} as {text(v)}" for k, v in found["used"].items()) or "none"
    return [f"**Type map:** {text(found['file'])} (entries used: {used})"]


def _summary(doc: Mapping[str, Any]) -> list[str]:
    summary = doc["summary"]
    gaps = summary["gaps"]
    lines = [
        "## 1. Executive Summary",
        "",
        "### Completeness Assessment",
        f"- **Overall Completeness:** {percent(summary['completeness'])} "
        "(complete counts 1, partial 1/2, missing 0; over everything checked)",
    ]
    lines += [f"- **Gaps:** {gaps['total']}"]
    for label, key in (("Implemented but wrong", "wrong"), ("Not implemented", "not_implemented")):
        part = gaps[key]
        severities = ", ".join(f"{n} {s}" for s, n in part["by_severity"].items() if n)
        lines.append(f"- **{label}:** {part['total']}" + (f" ({severities})" if severities else ""))
    lines += [f"- **{severity.title()} Gaps:** {n}" for severity, n in gaps["by_severity"].items()]
    lines += [f"- **Enhancements (implementation-only additions):** {summary['enhancements']}"]
    lines += [f"- **Not checked:** {text(coverage_line(line))}" for line in doc["coverage"]]
    lines += ["", "### Summary Statistics"]
    for label, key in (("Types", "types"), ("Endpoints", "endpoints"), ("Helpers", "helpers")):
        counts = summary[key]
        total = counts["total"] or 1
        lines.append(
            f"- **{label}:** {counts['total']} in the reference; "
            f"complete {counts['complete']} ({100 * counts['complete'] / total:.1f}%), "
            f"partial {counts['partial']} ({100 * counts['partial'] / total:.1f}%), "
            f"missing {counts['missing']} ({100 * counts['missing'] / total:.1f}%), "
            f"not checked {counts['unchecked']}; completeness {percent(counts['completeness'])}"
        )
    gate = doc["gate"]
    verdict = "PASSED" if gate["passed"] else "FAILED"
    lines += [
        f"- **Gate:** {verdict} (fail on {gate['fail_on']} and above; "
        f"{len(gate['new'])} new, {len(gate['accepted'])} accepted, {len(gate['stale'])} stale)",
        "",
        "### Key Findings",
    ]
    findings = summary["key_findings"] or ["No gaps: the implementation matches the reference."]
    lines += [f"{n}. {text(line)}" for n, line in enumerate(findings, 1)]
    return lines


def _by_domain(rows: Sequence[Mapping[str, Any]]) -> dict[str, list[Mapping[str, Any]]]:
    grouped: dict[str, list[Mapping[str, Any]]] = {}
    for row in rows:
        grouped.setdefault(str(row["domain"]), []).append(row)
    return grouped


def _links(ids: Sequence[str]) -> str:
    return ", ".join(f"[{i}](#{i.lower()})" for i in ids) or "—"


def _types(doc: Mapping[str, Any]) -> list[str]:
    lines = ["## 2. Type-by-Type Comparison"]
    completeness = {d["name"]: d for d in doc["domains"]}
    for number, (domain, rows) in enumerate(sorted(_by_domain(doc["types"]).items()), 1):
        counts = completeness[domain]
        lines += [
            "",
            f"### 2.{number} {text(domain.title())} ({percent(counts['completeness'])}: "
            f"{counts['complete']} complete, {counts['partial']} partial, "
            f"{counts['missing']} missing)",
            "",
        ]
        lines += table(
            ["Reference Type", "Kind", "Fields", "Gap Status", "Gaps"],
            [
                [
                    code(r["name"]),
                    text(r["kind"]),
                    str(r["fields"]),
                    _STATUS[r["status"]],
                    _links(r["gaps"]),
                ]
                for r in rows
            ],
        )
    lines += [
        "",
        "**Legend:**",
        "- ✅ **Complete**: every check passed on the type",
        "- ⚠️ **Partial**: implemented, with gaps in fields or behaviour",
        "- ❌ **Missing**: not implemented at all",
        "- ⬜ Not checked: no check reached the type in this run",
    ]
    return lines


def _fields(doc: Mapping[str, Any]) -> list[str]:
    lines = ["## 3. Field-Level Comparison"]
    if not doc["fields"]:
        lines += ["", "_No partially implemented types._"]
    for number, entry in enumerate(doc["fields"], 1):
        bad = sum(not r["match"] for r in entry["rows"])
        lines += ["", f"### 3.{number} {code(entry['type'])} ({text(entry['domain'])})", ""]
        lines += table(
            ["Field", "Reference Type", "Reference Default", "Implementation", "Match", "Gaps"],
            [
                [
                    code(r["field"]),
                    code(r["reference_type"]),
                    code(r["reference_default"]),
                    text(r["observed"]),
                    _MATCH[r["match"]],
                    _links(r["gaps"]),
                ]
                for r in entry["rows"]
            ],
        )
        lines += ["", f"**Status:** ⚠️ **Partially Compatible** - {bad} field(s) differ"]
    return lines


def _gaps(doc: Mapping[str, Any]) -> list[str]:
    lines = ["## 4. Detailed Gap Analysis"]
    if not doc["gaps"]:
        lines += ["", "_No gaps._"]
    for number, (area, gaps) in enumerate(gaps_by_area(doc), 1):
        lines += ["", f"### 4.{number} {text(area)}"]
        for gap in gaps:
            lines += ["", *_gap(gap)]
    return lines


def _gap(gap: Mapping[str, Any]) -> list[str]:
    lines = [
        f'<a id="{gap["id"].lower()}"></a>',
        f"#### {gap['id']}: {text(gap['title'])}",
        f"- **Severity:** {gap['severity'].title()}",
        f"- **Category:** {text(gap['category_title'])} (`{gap['category']}`)",
        f"- **Reference {text(gap['kind'])}:** {code(gap['subject'])}"
        + (f", field {code(gap['field'])}" if gap["field"] else ""),
        f"- **What's Missing:** {text(gap['message'])}",
    ]
    lines += _where(gap.get("source"))
    if gap["expected"] is not None or gap["actual"] is not None:
        expected, actual = code(_json(gap["expected"])), code(_json(gap["actual"]))
        lines.append(f"- **Expected:** {expected} **Observed:** {actual}")
    lines += [
        f"- **Impact:** {text(gap['impact'])}",
        f"- **Recommendation:** {text(gap['recommendation'])}",
        f"- **Seen by:** {text(', '.join(gap['checks']))} ({gap['occurrences']} occurrence(s))",
    ]
    if gap["cases"]:
        shown = ", ".join(code("fixtures/" + c) for c in gap["cases"][:3])
        more = f" and {len(gap['cases']) - 3} more" if len(gap["cases"]) > 3 else ""
        lines.append(f"- **Cases:** {shown}{more}")
    if gap["payload"] is not None:
        body = pretty(gap["payload"])
        note = ""
        if len(body) > TRUNCATE_AT:
            body, note = (
                body[:TRUNCATE_AT],
                "_(truncated; the full payload is in the JSON report)_",
            )
        shrunk = gap.get("original_size")
        told = f" (shrunk from {shrunk} characters)" if shrunk is not None else ""
        lines += [f"- **Reproducing payload{told}:**", "", *fence(body, "json")]
        if note:
            lines.append(note)
    if gap["stderr"]:
        lines += ["- **Implementation stderr (tail):**", "", *fence(gap["stderr"][-2000:])]
    return lines


def _where(source: Mapping[str, Any] | None) -> list[str]:
    """The files to fix: the reference's, and the port's where its hello named one."""
    if not source or not (source["reference"] or source["port"]):
        return []
    where = [f"reference {code(source['reference'])}"] if source["reference"] else []
    where += [f"port {code(source['port'])}"] if source["port"] else []
    return [f"- **File:** {'; '.join(where)}"]


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, allow_nan=False)


def _coverage(doc: Mapping[str, Any], key: str, title: str) -> list[str]:
    rows = doc[key]
    counts = doc["summary"][key]
    lines = [
        f"## {title}",
        "",
        f"{counts['complete']} complete, {counts['partial']} partial, {counts['missing']} missing, "
        f"{counts['unchecked']} not checked, of {counts['total']}.",
        "",
    ]
    if key == "endpoints":
        lines += table(
            ["Endpoint", "Method", "Path", "Vectors", "Status", "Gaps"],
            [
                [
                    code(r["name"]),
                    text(r["method"]),
                    code(r["path"]),
                    str(r["checks"]),
                    _STATUS[r["status"]],
                    _links(r["gaps"]),
                ]
                for r in rows
            ],
        )
    else:
        lines += table(
            ["Helper", "Vectors", "Status", "Gaps"],
            [
                [code(r["name"]), str(r["checks"]), _STATUS[r["status"]], _links(r["gaps"])]
                for r in rows
            ],
        )
    return lines


def _enhancements(doc: Mapping[str, Any]) -> list[str]:
    lines = [
        "## 7. Enhancements (implementation-only additions)",
        "",
        "Not gaps: what the implementation has that the reference does not.",
        "",
    ]
    lines += table(
        ["Id", "Subject", "Field", "Observed", "Seen by"],
        [
            [
                e["id"],
                code(e["subject"]),
                code(e["field"] or None),
                text(e["message"]),
                text(", ".join(e["checks"])),
            ]
            for e in doc["enhancements"]
        ],
    )
    return lines


def _recommendations(doc: Mapping[str, Any]) -> list[str]:
    lines = ["## 8. Recommendations"]
    if not doc["recommendations"]:
        lines += ["", "_Nothing to do: no gaps._"]
    current = None
    for rec in doc["recommendations"]:
        if rec["severity"] != current:
            current = rec["severity"]
            lines += ["", f"### {current.title()} priority"]
        subjects = ", ".join(code(s) for s in rec["subjects"][:8])
        more = f" and {len(rec['subjects']) - 8} more" if len(rec["subjects"]) > 8 else ""
        lines += [
            "",
            f"{rec['priority']}. **{text(rec['action'])}** ({text(rec['category'])}, "
            f"{len(rec['gaps'])} gap(s))",
            f"   - Subjects: {subjects}{more}",
            f"   - Closes: {_links(rec['gaps'])}",
        ]
    return lines + _work_order(doc.get("work_order") or [])


def _work_order(steps: Sequence[Mapping[str, Any]]) -> list[str]:
    """The suggested order (computed from the pack's index), as the seeds' 6.5."""
    if not steps:
        return []
    lines = ["", "### Implementation Order (Suggested)", ""]
    lines += [
        f"{s['step']}. {code(s['subject'])} ({text(s['kind'])}, {text(s['status'])}): "
        f"{text(s['reason'])}; closes {_links(s['gaps'])}"
        for s in steps
    ]
    return lines


def _appendix(doc: Mapping[str, Any]) -> list[str]:
    run = doc["run"]
    gate = doc["gate"]
    lines = ["## 9. Appendix: Run and Gate", ""]
    lines += table(
        ["Check", "Executed", "Passed", "Skipped"],
        [
            [
                text(c),
                str(run["executed"].get(c, 0)),
                str(run["passed"].get(c, 0)),
                str(run["skipped"].get(c, 0)),
            ]
            for c in run["checks"]
        ],
    )
    lines += [
        "",
        f"{run['total']} outcomes in {run['seconds']:.1f}s."
        + (f" The run stopped early: {text(run['error'])}" if run["error"] else ""),
        "",
        f"**Gate:** {'PASSED' if gate['passed'] else 'FAILED'}; fail on: {gate['fail_on']}; "
        f"baseline: {code(gate['baseline'])}; strict: {gate['strict_baseline']}",
        f"- New: {_links(gate['new'])}",
        f"- Accepted by the baseline: {_links(gate['accepted'])}",
        f"- Stale baseline entries: {', '.join(gate['stale']) or '—'}",
        f"- Below the threshold: {_links(gate['below_threshold'])}",
    ]
    if gate["incomplete"] is not None:
        lines += [f"- **Incomplete run** ({text(gate['incomplete'])}): it never passes the gate"]
    lines += ["", "### Run incidents", ""]
    if not run["incidents"]:
        lines += ["_None._"]
    lines += [f"- {code(i['kind'])}: {text(i['message'])}" for i in run["incidents"]]
    if run["incidents"]:
        fails = "fail the gate" if gate["fail_on_incidents"] else "do not fail the gate"
        lines += ["", f"{len(run['incidents'])} incidents; they {fails} (--fail-on-incidents)."]
    return lines
