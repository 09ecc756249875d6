"""The index of a split report (``--split domains``), Markdown and HTML:
the run's overall numbers and one row per domain document, linking it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from conformance._markdown import code, table, text
from conformance.report._html import environment, level
from conformance.report._values import percent

__all__ = ["render_index_html", "render_index_markdown"]


def render_index_markdown(index: Mapping[str, Any]) -> str:
    summary, gate = index["summary"], index["gate"]
    impl = index["implementation"]
    verdict = "PASSED" if gate["passed"] else "FAILED"
    severities = ", ".join(f"{n} {s}" for s, n in summary["gaps"]["by_severity"].items())
    lines = [
        f"# {text(index['title'])}",
        "",
        f"**Date:** {text(index['date'])}",
        f"**Implementation:** {text(impl['name'])} {text(impl['version'])} "
        f"({text(impl['language'])})",
        f"**Reference:** tinker {text(index['reference']['version'])}",
        "",
        "## Overall",
        "",
        f"- **Overall Completeness:** {percent(summary['completeness'])}",
        f"- **Gaps:** {summary['gaps']['total']} ({severities}); "
        f"enhancements: {summary['enhancements']}",
        f"- **Gate:** {verdict} (fail on {gate['fail_on']} and above; {len(gate['new'])} new, "
        f"{len(gate['accepted'])} accepted, {len(gate['stale'])} stale)",
        "",
        "## Documents",
        "",
        *table(
            ["Domain", "Completeness", "Complete", "Partial", "Missing", "Gaps"],
            [
                [
                    f"[{text(p['name'])}]({p['stem']}.md)",
                    percent(p["completeness"]),
                    f"{p['complete']} of {p['subjects']}",
                    str(p["partial"]),
                    str(p["missing"]),
                    str(p["gaps"]),
                ]
                for p in index["parts"]
            ],
        ),
    ]
    if index["elsewhere"]:
        lines += ["", "## Gaps in no domain document (the adapter's own)", ""]
        lines += [
            f"- {code(g['id'])} {g['severity']}: {code(g['subject'])}: {text(g['message'])}"
            for g in index["elsewhere"]
        ]
    return "\n".join(lines) + "\n"


def render_index_html(index: Mapping[str, Any]) -> str:
    levels = {p["stem"]: level(p["completeness"]) for p in index["parts"]}
    return environment().get_template("index.html.j2").render(index=index, levels=levels)
