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
from conformance.gaps import missing_subject
from conformance.report._values import percent

__all__ = ["MAX_LINES", "TOP", "render_summary"]

MAX_LINES = 60
TOP = 10


def render_summary(doc: Mapping[str, Any]) -> str:
    summary, gate = doc["summary"], doc["gate"]
    verdict = "PASSED" if gate["passed"] else "FAILED"
    gaps = summary["gaps"]
    severities = ", ".join(f"{n} {s}" for s, n in gaps["by_severity"].items() if n)
    wrong = [g for g in doc["gaps"] if not _not_implemented(g)]
    lines = [
        f"### {text(doc['title'])}: gate {verdict}",
        "",
        f"- **Completeness:** {percent(summary['completeness'])}",
        f"- **Gaps:** {gaps['total']}" + (f" ({severities})" if severities else ""),
        f"- **Not implemented:** {len(doc['gaps']) - len(wrong)}; "
        f"**implemented but wrong:** {len(wrong)}; enhancements: {summary['enhancements']}",
        f"- **Gate:** {verdict} (fail on {gate['fail_on']}+: {len(gate['new'])} new, "
        f"{len(gate.get('accepted', []))} accepted, {len(gate.get('stale', []))} stale)",
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


def _not_implemented(gap: Mapping[str, Any]) -> bool:
    """A whole subject missing (a type, helper or endpoint, as the report's
    statuses read it) or an op the adapter lacks."""
    category = str(gap["category"])
    return missing_subject(category, str(gap["field"])) or category == "op-unsupported"
