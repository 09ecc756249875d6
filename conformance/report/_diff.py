"""``tinker-conformance diff OLD NEW``: what changed between two runs.

A port author who fixed ten gaps wants to see it, and a pull request wants
to fail when it brings a gap main did not have. Both sides are read as report
documents (a raw results file is grouped and judged as ``report`` would; a
report JSON is checked against its schema), and gaps are matched by their
key (kind, subject, field, category: the same in every run and pack), then
by place (kind, subject, field) for a gap whose category changed:

- **fixed**: in OLD, not in NEW;
- **new**: in NEW, not in OLD;
- **changed**: the same place with another severity or category;
- completeness per domain and overall, before and after.

The verdict fails (exit 1) when NEW has a gap OLD did not, or a gap became
more severe. Two runs against different spec packs are refused unless the
caller says ``across_specs``: their subjects and severities differ by pack.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from conformance._data import check_data, load_json
from conformance._errors import ConformanceError
from conformance._markdown import code, table, text
from conformance.findings import GapRules
from conformance.gaps import GapIds
from conformance.report._document import REPORT_SCHEMA_ID, check_document
from conformance.report._html import environment
from conformance.report._outputs import write_reports
from conformance.report._values import percent
from conformance.results import RawResults
from conformance.spec import load_pack

__all__ = [
    "DIFF_FORMATS",
    "DIFF_SCHEMA",
    "SpecsDiffer",
    "check_diff",
    "diff_documents",
    "read_side",
]

DIFF_SCHEMA = "../report/diff.schema.json"  # relative to schemas/meta/
DIFF_SCHEMA_ID = "urn:tinker-conformance:report:diff"
FORMAT = 1
#: What a gap is, in a diff (the rest is in each side's report).
_GAP_FIELDS = ("id", "key", "title", "severity", "category", "kind", "subject", "field")


class SpecsDiffer(ConformanceError):
    """The two sides ran against different spec packs (and the caller did not
    ask for ``--across-specs``): bad input, exit 2."""


def read_side(path: Path, rules: GapRules, ids: GapIds) -> dict[str, Any]:
    """A side of the diff as a report document: a report JSON as it is
    (checked), a raw results file grouped and judged by the default gate."""
    data = load_json(path)
    if isinstance(data, Mapping) and data.get("$schema") == REPORT_SCHEMA_ID:
        check_document(data, path)
        return dict(data)
    raw = RawResults.from_json(data, path)
    outputs = write_reports(
        raw,
        pack=load_pack(raw.spec_version),
        out_dir=path.parent,
        stem=path.stem,
        formats=(),
        rules=rules,
        ids=ids,
    )
    return outputs.document


def diff_documents(
    old: Mapping[str, Any],
    new: Mapping[str, Any],
    rules: GapRules,
    *,
    sources: tuple[str, str],
    across_specs: bool = False,
) -> dict[str, Any]:
    """The diff document (``schemas/report/diff.schema.json``)."""
    specs = (old["reference"]["version"], new["reference"]["version"])
    if specs[0] != specs[1] and not across_specs:
        raise SpecsDiffer(
            f"{sources[0]} ran against tinker {specs[0]} and {sources[1]} against tinker "
            f"{specs[1]}: their subjects, severities and completeness are judged by different "
            "packs; compare runs of one spec, or give --across-specs to compare anyway"
        )
    before = {str(g["key"]): g for g in old["gaps"]}
    after = {str(g["key"]): g for g in new["gaps"]}
    changed = [
        _change(before[k], after[k])
        for k in sorted(before.keys() & after.keys())
        if before[k]["severity"] != after[k]["severity"]
    ]
    gone = [before[k] for k in sorted(before.keys() - after.keys())]
    came = [after[k] for k in sorted(after.keys() - before.keys())]
    fixed, added = [], list(came)
    for g in gone:  # the same place, another category: changed, not fixed and new
        twin = next((n for n in added if _place(n) == _place(g)), None)
        if twin is None:
            fixed.append(g)
        else:
            added.remove(twin)
            changed.append(_change(g, twin))

    def order(gap: Mapping[str, Any]) -> tuple[int, str]:
        return (rules.rank(str(gap["severity"])), str(gap["id"]))

    worse = [
        c for c in changed if rules.rank(c["new"]["severity"]) < rules.rank(c["old"]["severity"])
    ]
    passed = not added and not worse
    return {
        "$schema": DIFF_SCHEMA_ID,
        "format": FORMAT,
        "title": f"Diff: {_who(old)} to {_who(new)} (tinker {specs[1]})",
        "old": _side(old, sources[0]),
        "new": _side(new, sources[1]),
        "across_specs": specs[0] != specs[1],
        "fixed": [_ref(g) for g in sorted(fixed, key=order)],
        "new_gaps": [_ref(g) for g in sorted(added, key=order)],
        "changed": sorted(changed, key=lambda c: order(c["new"])),
        "unchanged": len(before.keys() & after.keys())
        - sum(1 for c in changed if c["old"]["key"] == c["new"]["key"]),
        "completeness": {
            "overall": _delta(old["summary"]["completeness"], new["summary"]["completeness"]),
            "domains": _domains(old["domains"], new["domains"]),
        },
        "verdict": {
            "passed": passed,
            "new": len(added),
            "worse": len(worse),
        },
    }


def check_diff(diff: Mapping[str, Any], source: Path) -> None:
    """Validate against the published schema (a SpecError names the pointer)."""
    check_data(diff, DIFF_SCHEMA, source)


def _who(doc: Mapping[str, Any]) -> str:
    impl = doc["implementation"]
    return f"{impl['name']} {impl['version']}"


def _place(gap: Mapping[str, Any]) -> tuple[str, str, str]:
    return (str(gap["kind"]), str(gap["subject"]), str(gap["field"]))


def _ref(gap: Mapping[str, Any]) -> dict[str, Any]:
    return {key: gap[key] for key in _GAP_FIELDS}


def _change(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    what = [k for k in ("severity", "category") if old[k] != new[k]]
    return {"old": _ref(old), "new": _ref(new), "what": what}


def _side(doc: Mapping[str, Any], source: str) -> dict[str, Any]:
    return {
        "source": source,
        "implementation": {k: doc["implementation"][k] for k in ("name", "language", "version")},
        "spec": doc["reference"]["version"],
        "date": doc["date"],
        "completeness": doc["summary"]["completeness"],
        "gaps": doc["summary"]["gaps"]["total"],
        "gate_passed": doc["gate"]["passed"],
    }


def _delta(old: float | None, new: float | None) -> dict[str, Any]:
    delta = None if old is None or new is None else round(new - old, 1)
    return {"old": old, "new": new, "delta": delta}


def _domains(
    old: Sequence[Mapping[str, Any]], new: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    before = {str(d["name"]): d["completeness"] for d in old}
    after = {str(d["name"]): d["completeness"] for d in new}
    names = [*before, *(n for n in after if n not in before)]
    return [{"name": n, **_delta(before.get(n), after.get(n))} for n in names]


def _signed(delta: float | None) -> str:
    return "n/a" if delta is None else f"{delta:+.1f}"


def render_diff_markdown(diff: Mapping[str, Any]) -> str:
    overall = diff["completeness"]["overall"]
    verdict = "PASSED" if diff["verdict"]["passed"] else "FAILED"
    lines = [
        f"# {text(diff['title'])}",
        "",
        f"- **Old:** {code(diff['old']['source'])} ({text(diff['old']['date'])}, "
        f"tinker {text(diff['old']['spec'])}, {diff['old']['gaps']} gaps)",
        f"- **New:** {code(diff['new']['source'])} ({text(diff['new']['date'])}, "
        f"tinker {text(diff['new']['spec'])}, {diff['new']['gaps']} gaps)",
        f"- **Completeness:** {percent(overall['old'])} to {percent(overall['new'])} "
        f"({_signed(overall['delta'])})",
        f"- **Fixed:** {len(diff['fixed'])}; **new:** {len(diff['new_gaps'])}; "
        f"**changed:** {len(diff['changed'])}; unchanged: {diff['unchanged']}",
        f"- **Verdict:** {verdict} ({diff['verdict']['new']} new, "
        f"{diff['verdict']['worse']} more severe)",
    ]
    if diff["across_specs"]:
        lines.append("- **Across spec versions** (--across-specs): subjects differ by pack")
    lines += ["", "## Completeness per domain", ""]
    lines += table(
        ["Domain", "Old", "New", "Delta"],
        [
            [text(d["name"]), percent(d["old"]), percent(d["new"]), _signed(d["delta"])]
            for d in diff["completeness"]["domains"]
        ],
    )
    for title, key in (("Fixed", "fixed"), ("New", "new_gaps")):
        lines += ["", f"## {title} ({len(diff[key])})", ""]
        lines += table(
            ["Id", "Severity", "Subject", "Field", "Category"], [_row(g) for g in diff[key]]
        )
    lines += ["", f"## Changed ({len(diff['changed'])})", ""]
    lines += table(
        ["Old id", "New id", "Subject", "Field", "Severity", "Category"],
        [
            [
                code(c["old"]["id"]),
                code(c["new"]["id"]),
                code(c["new"]["subject"]),
                code(c["new"]["field"] or None),
                f"{c['old']['severity']} to {c['new']['severity']}",
                f"{code(c['old']['category'])} to {code(c['new']['category'])}",
            ]
            for c in diff["changed"]
        ],
    )
    return "\n".join(lines) + "\n"


def _row(gap: Mapping[str, Any]) -> list[str]:
    return [
        code(gap["id"]),
        str(gap["severity"]),
        code(gap["subject"]),
        code(gap["field"] or None),
        code(gap["category"]),
    ]


def render_diff_html(diff: Mapping[str, Any]) -> str:
    return environment().get_template("diff.html.j2").render(diff=diff)


def _render_diff_json(diff: Mapping[str, Any]) -> str:
    return json.dumps(diff, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


#: format -> (file suffix, renderer of the diff document)
DIFF_FORMATS: dict[str, tuple[str, Callable[[Mapping[str, Any]], str]]] = {
    "md": (".md", render_diff_markdown),
    "html": (".html", render_diff_html),
    "json": (".json", _render_diff_json),
}
