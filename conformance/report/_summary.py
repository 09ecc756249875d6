"""The short summary: a CI page's few lines of Markdown (``$GITHUB_STEP_SUMMARY``).

At most ``MAX_LINES`` lines whatever the run: the gate's verdict first, the
counts, completeness per domain, and the ten most severe gaps of what is
implemented but wrong (a missing type, helper or endpoint is counted, not
listed: the full report lists it).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from conformance._markdown import code, table, text
from conformance.report._values import coverage_line, percent

__all__ = ["MAX_LINES", "TOP", "render_summary"]

MAX_LINES = 60
TOP = 10


def render_summary(doc: Mapping[str, Any]) -> str:
    summary, gate = doc["summary"], doc["gate"]
    verdict = "PASSED" if gate["passed"] else "FAILED"
    gaps = summary["gaps"]
    wrong = [g for g in doc["gaps"] if not g["missing"]]
    lines = [
        f"### {text(doc['title'])}: gate {verdict}",
        "",
        f"- **Completeness:** {percent(summary['completeness'])}",
        f"- **Gaps:** {_counted(gaps)}",
        f"- **Not implemented:** {_counted(gaps['not_implemented'])}; "
        f"**implemented but wrong:** {_counted(gaps['wrong'])}; "
        f"enhancements: {summary['enhancements']}",
        f"- **Gate:** {verdict} (fail on {gate['fail_on']}+: {len(gate['new'])} new, "
        f"{len(gate.get('accepted', []))} accepted, {len(gate.get('stale', []))} stale)",
        *(f"- **Not checked:** {text(coverage_line(line))}" for line in doc["coverage"]),
        "",
        *table(
            ["Domain", "Complete", "Completeness"],
            [
                [text(d["name"]), f"{d['complete']} of {d['total']}", percent(d["completeness"])]
                for d in doc["domains"]
            ],
        ),
    ]
    if wrong:
        lines += ["", f"**Implemented but wrong** (the {min(TOP, len(wrong))} most severe):", ""]
        lines += [_line(g) for g in wrong[:TOP]]
    return "\n".join(lines[:MAX_LINES]) + "\n"


def _line(gap: Mapping[str, Any]) -> str:
    where = text(gap["subject"]) + (f" {code(gap['field'])}" if gap["field"] else "")
    return f"- {code(gap['id'])} {gap['severity']}: {where}: {text(gap['category_title'])}"


def _counted(counts: Mapping[str, Any]) -> str:
    """A total with its severities: "36 (34 critical, 2 high)"."""
    severities = ", ".join(f"{n} {s}" for s, n in counts["by_severity"].items() if n)
    return f"{counts['total']}" + (f" ({severities})" if severities else "")
