"""From a raw results file to every report format and the gate's verdict.

``report`` and ``run --report`` both come through here, so the files a CI job
reads and the exit code it gets are decided in one place.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conformance._paths import write_set
from conformance.findings import GapRules
from conformance.gaps import (
    DEFAULT_FAIL_ON,
    Baseline,
    Gap,
    GapIds,
    Verdict,
    group,
    judge,
    uncovered,
)
from conformance.report._badge import render_badge
from conformance.report._document import build_document, check_document
from conformance.report._history import history_entry
from conformance.report._html import render_html
from conformance.report._index import render_index_html, render_index_markdown
from conformance.report._junit import render_junit
from conformance.report._markdown import render_markdown
from conformance.report._order import work_order
from conformance.report._split import SPLITS, Part, index_document, part_filters, part_stem, scoped
from conformance.report._summary import render_summary
from conformance.report._where import with_sources
from conformance.results import RawResults
from conformance.spec import SpecPack

__all__ = ["FORMATS", "SPLITS", "SPLIT_FORMATS", "Outputs", "write_reports"]


def _render_json(document: Mapping[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False, default=repr) + "\n"


#: format -> (file suffix, renderer of the report document)
FORMATS: dict[str, tuple[str, Callable[[Mapping[str, Any]], str]]] = {
    "md": (".md", render_markdown),
    "html": (".html", render_html),
    "json": (".json", _render_json),
    "junit": (".junit.xml", render_junit),
    "summary": (".summary.md", render_summary),
    "badge": (".badge.svg", render_badge),
}
#: The formats ``--split`` writes as an index (in ``<stem><suffix>``) and
#: one document per part (``<stem>.<part><suffix>``); the others stay whole.
SPLIT_FORMATS: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "md": render_index_markdown,
    "html": render_index_html,
}


@dataclass(frozen=True)
class Outputs:
    verdict: Verdict
    gaps: list[Gap]
    document: dict[str, Any]
    written: list[Path]
    parts: list[Part]


def write_reports(
    raw: RawResults,
    *,
    pack: SpecPack,
    out_dir: Path,
    stem: str,
    formats: Sequence[str],
    rules: GapRules,
    ids: GapIds,
    baseline: Baseline | None = None,
    fail_on: str = DEFAULT_FAIL_ON,
    strict: bool = False,
    fail_on_incidents: bool = False,
    required_ops: Sequence[str] = (),
    date: str | None = None,
    split: str | None = None,
    history: Sequence[Mapping[str, Any]] | None = None,
) -> Outputs:
    """Group, judge, check the document against its schema, then write the
    formats as one set (``write_set``: staged, then moved in; a failed write
    leaves the previous set as it was); ``split="domains"`` writes
    ``SPLIT_FORMATS`` as an index and one document per domain (each checked
    as the whole one is); ``history`` (the lines of ``--history``) puts the
    trend, this run last, into the document. Raises ``OSError`` when the set cannot be written."""
    gaps = group(raw.findings, pack, rules, ids)
    lacking = uncovered(raw.findings, rules)
    verdict = judge(
        gaps,
        rules,
        fail_on=fail_on,
        baseline=baseline,
        strict=strict,
        incomplete=raw.interrupted,
        incidents=len(raw.incidents),
        fail_on_incidents=fail_on_incidents,
        required_ops=required_ops,
        lacking=lacking,
    )
    day = date or datetime.date.today().isoformat()

    def build(keep: Callable[[str, str], bool] | None = None) -> dict[str, Any]:
        built = build_document(
            raw, pack, gaps, rules, verdict, date=day, keep=keep, lacking=lacking
        )
        built = with_sources(built, pack)
        return {**built, "work_order": work_order(built, pack)}

    document = build()
    if history is not None:  # the runs before, then this one: the trend
        document["history"] = [*history, history_entry(document)]
    check_document(document, out_dir / f"{stem}.json")
    parts = []
    if split is not None:
        domain_of_type = {name: str(entry["domain"]) for name, entry in pack.types.items()}
        for name, keep in part_filters(document, domain_of_type):
            part = scoped(name, build(keep))
            check_document(part.document, out_dir / f"{part_stem(stem, part)}.json")
            parts.append(part)
    rendered = {}
    for name in formats:
        suffix, render = FORMATS[name]
        if parts and name in SPLIT_FORMATS:
            index = index_document(document, parts, stem)
            rendered[f"{stem}{suffix}"] = SPLIT_FORMATS[name](index)
            for p in parts:
                rendered[f"{part_stem(stem, p)}{suffix}"] = render(p.document)
        else:
            rendered[f"{stem}{suffix}"] = render(document)
    written = write_set(out_dir, rendered) if rendered else []
    return Outputs(verdict, gaps, document, written, parts)
