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

from conformance._paths import write_atomically
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
from conformance.report._document import build_document, check_document
from conformance.report._html import render_html
from conformance.report._junit import render_junit
from conformance.report._markdown import render_markdown
from conformance.report._summary import render_summary
from conformance.results import RawResults
from conformance.spec import SpecPack

__all__ = ["FORMATS", "Outputs", "write_reports"]


def _render_json(document: Mapping[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False, default=repr) + "\n"


#: format -> (file suffix, renderer of the report document)
FORMATS: dict[str, tuple[str, Callable[[Mapping[str, Any]], str]]] = {
    "md": (".md", render_markdown),
    "html": (".html", render_html),
    "json": (".json", _render_json),
    "junit": (".junit.xml", render_junit),
    "summary": (".summary.md", render_summary),
}


@dataclass(frozen=True)
class Outputs:
    verdict: Verdict
    gaps: list[Gap]
    document: dict[str, Any]
    written: list[Path]


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
) -> Outputs:
    """Group, judge, check the document against its schema, then write."""
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
    document = build_document(
        raw,
        pack,
        gaps,
        rules,
        verdict,
        date=date or datetime.date.today().isoformat(),
        lacking=lacking,
    )
    check_document(document, out_dir / f"{stem}.json")
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name in formats:
        suffix, render = FORMATS[name]
        target = out_dir / f"{stem}{suffix}"
        write_atomically(target, render(document))
        written.append(target)
    return Outputs(verdict, gaps, document, written)
