"""Findings a port author can act on and a gate can trust (issue 13).

- A failing generated example reaches the report shrunk, and still reproduces.
- One count: the console, the gate's line, every report format and JUnit
  give the same numbers of gaps, enhancements and subjects.
- An op the adapter lacks is coverage ("not checked"), not a gap; only
  ``--require-op`` makes it fail the gate.
- A helper whose type is missing is missing, in the report and in JUnit.
- The summary tells "not implemented" from "implemented but wrong", and the
  detailed gaps list the wrong ones first.
"""

from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from rich.console import Console

from conformance import SpecPack
from conformance._cli import cli
from conformance.adapters import Adapter, OpResult, Unsupported
from conformance.cases import load_behaviour_cases, load_type_cases
from conformance.checks import CheckContext
from conformance.checks._shrink import size
from conformance.checks.roundtrip import judge_generated
from conformance.findings import Finding, load_gap_rules
from conformance.gaps import load_gap_ids
from conformance.load import load_adapter
from conformance.reference.adapter import TinkerSdkAdapter
from conformance.report import FORMATS, summary_table, tally, write_reports
from conformance.results import RawResults
from conformance.runner import RunResult, run
from tests._packs import narrowed
from tests.mutants import DropsCheckpointTime, MarksMetadataValues, Mutant, _edit_wire
from tests.test_js_adapter import SCRIPT, TYPES, _node

pytestmark = pytest.mark.sdk

RULES = load_gap_rules()


class LacksRequestOp(Mutant):
    """The reference without the ``request`` op: its endpoints cannot be checked."""

    name = "lacks-request-op"

    def request(self, endpoint: str, args: dict[str, Any], base_url: str) -> OpResult:
        return Unsupported(what="op", name="request")


class LacksCursorType(Mutant):
    """The reference without the Cursor type, so without its helpers."""

    name = "lacks-cursor-type"

    def _gone(self, type_name: str) -> OpResult | None:
        return Unsupported(what="type", name="Cursor") if type_name == "Cursor" else None

    def decode(self, type_name: str, payload: Any) -> OpResult:
        return self._gone(type_name) or self.inner.decode(type_name, payload)

    def construct(self, type_name: str, args: dict[str, Any]) -> OpResult:
        return self._gone(type_name) or self.inner.construct(type_name, args)

    def inspect(self, type_name: str, payload: Any) -> OpResult:
        return self._gone(type_name) or self.inner.inspect(type_name, payload)

    def call(self, helper: str, args: dict[str, Any]) -> OpResult:
        if helper.split(".", 1)[0] == "Cursor":
            return Unsupported(what="type", name="Cursor")
        return self.inner.call(helper, args)


def _ctx(pack: SpecPack, adapter: Adapter, examples: int = 10) -> CheckContext:
    return CheckContext(
        pack=pack,
        adapter=adapter,
        cases=[c for c in load_type_cases(pack.version) if c.type_name in pack.types],
        rules=RULES,
        examples=examples,
        reference=TinkerSdkAdapter(pack),
    )


def _run(pack: SpecPack, adapter: Adapter, checks: list[str]) -> RunResult:
    return run(_ctx(pack, adapter), checks)


def _outputs(result: RunResult, pack: SpecPack, tmp_path: Path, **gate: Any) -> Any:
    raw = RawResults.from_json(result.to_json(), tmp_path / "results.json")
    return write_reports(
        raw,
        pack=pack,
        out_dir=tmp_path,
        stem="run",
        formats=list(FORMATS),
        rules=RULES,
        ids=load_gap_ids(),
        date="2026-01-01",
        **gate,
    )


# -- minimal reproducers ----------------------------------------------------


def test_a_failing_generated_example_is_shrunk_and_still_reproduces(sdk_pack: SpecPack) -> None:
    pack = narrowed(sdk_pack, ["CreateSessionRequest"])
    mutant = MarksMetadataValues(pack)
    result = _run(pack, mutant, ["property-roundtrip"])
    findings = [f for f in result.findings.values() if f.category == "value-changed"]
    assert findings
    for finding in findings:
        assert finding.original_size is not None, "not shrunk"
        assert size(finding.instance) < finding.original_size
        # the smallest example: one metadata entry, no optional field but it
        assert finding.instance["user_metadata"] == {
            next(iter(finding.instance["user_metadata"])): ""
        }
        again = list(
            judge_generated(
                _ctx(pack, mutant), "CreateSessionRequest", finding.case, finding.instance
            )
        )
        assert any(isinstance(o, Finding) and o.category == "value-changed" for o in again)


def test_the_report_shows_the_shrunk_payload_and_the_drawn_size(
    sdk_pack: SpecPack, tmp_path: Path
) -> None:
    pack = narrowed(sdk_pack, ["CreateSessionRequest"])
    outputs = _outputs(
        _run(pack, MarksMetadataValues(pack), ["property-roundtrip"]), pack, tmp_path
    )
    (gap,) = outputs.document["gaps"]
    assert gap["field"] == "/user_metadata/{key}"
    assert gap["original_size"] > size(gap["payload"])
    assert f"shrunk from {gap['original_size']} characters" in (tmp_path / "run.md").read_text()


# -- one count --------------------------------------------------------------


def _js(pack: SpecPack) -> Adapter:
    return load_adapter(f"subprocess:{_node()} {SCRIPT}", pack)


RUNS = {
    "clean": (TinkerSdkAdapter, None),
    "mutant": (DropsCheckpointTime, None),
    "js-port": (_js, TYPES),
}


def _numbers_in(text: str, label: str) -> int:
    match = re.search(rf"{label}\D*(\d+)", text)
    assert match, f"{label!r} not in {text[:400]!r}"
    return int(match.group(1))


@pytest.mark.parametrize("name", list(RUNS))
def test_every_format_gives_the_same_numbers(sdk_pack: SpecPack, tmp_path: Path, name: str) -> None:
    make, types = RUNS[name]
    pack = narrowed(sdk_pack, types or ["Checkpoint", "Cursor"])
    result = _run(pack, make(pack), ["fixture-roundtrip", "property-roundtrip"])
    raw_path = tmp_path / "raw.json"
    raw_path.write_text(json.dumps(result.to_json()), encoding="utf-8")
    outputs = _outputs(result, pack, tmp_path)
    doc = outputs.document
    numbers = tally(doc)
    expected = (numbers.gaps, numbers.enhancements, numbers.subjects_checked)
    assert numbers.gaps == len(doc["gaps"]) == len([g for g in outputs.gaps if not g.enhancement])

    console = io.StringIO()
    Console(file=console, width=400).print(summary_table(result, numbers))
    caption = " ".join(console.getvalue().split())  # the caption wraps at the table's width
    markdown = (tmp_path / "run.md").read_text()
    summary = (tmp_path / "run.summary.md").read_text()
    html = (tmp_path / "run.html").read_text()
    junit = {
        p.get("name"): int(p.get("value", "-1"))
        for p in ET.parse(tmp_path / "run.junit.xml").iter("property")
    }
    gate = CliRunner().invoke(cli, ["report", str(raw_path), "--out-dir", str(tmp_path / "again")])
    assert gate.exit_code in (0, 1), gate.output

    told = {
        "console": (
            _numbers_in(caption, r"checks in [\d.]+s;"),
            _numbers_in(caption, r"not implemented;"),
            _numbers_in(caption, r"enhancements;"),
        ),
        "gate": (
            _numbers_in(gate.output, r"completeness [\d.Noe]+%,"),
            _numbers_in(gate.output, r"not implemented;"),
            _numbers_in(gate.output, r"enhancements;"),
        ),
        "junit": (junit["gaps"], junit["enhancements"], junit["subjects.checked"]),
        "markdown": (
            _numbers_in(markdown, r"\*\*Gaps:\*\*"),
            _numbers_in(markdown, r"\*\*Enhancements \(implementation-only additions\):\*\*"),
            expected[2],
        ),
        "summary": (
            _numbers_in(summary, r"\*\*Gaps:\*\*"),
            _numbers_in(summary, "enhancements:"),
            expected[2],
        ),
        "html": (
            _numbers_in(html, 'id="gaps-total" data-value="'),
            _numbers_in(html, 'id="enhancements-total" data-value="'),
            expected[2],
        ),
    }
    # the console and the gate: "N gaps (...): W implemented but wrong, M not
    # implemented; E enhancements; S of T subjects checked"
    assert told == dict.fromkeys(told, expected)


# -- coverage is not a gap --------------------------------------------------


def test_a_missing_op_is_coverage_not_a_gap(sdk_pack: SpecPack, tmp_path: Path) -> None:
    result = _run(sdk_pack, LacksRequestOp(sdk_pack), ["endpoints"])
    outputs = _outputs(result, sdk_pack, tmp_path)
    doc = outputs.document
    assert doc["gaps"] == []
    assert doc["summary"]["gaps"]["total"] == 0
    assert outputs.verdict.passed
    (line,) = doc["coverage"]
    assert (line["op"], line["kind"], line["not_checked"]) == (
        "request",
        "endpoint",
        len(sdk_pack.endpoints),
    )
    assert doc["summary"]["endpoints"]["unchecked"] == len(sdk_pack.endpoints)
    shown = f"request not supported: {len(sdk_pack.endpoints)} endpoints not checked"
    for suffix in (".md", ".summary.md", ".html"):
        assert shown in (tmp_path / f"run{suffix}").read_text(), suffix


def test_require_op_makes_a_missing_op_fail_the_gate(sdk_pack: SpecPack, tmp_path: Path) -> None:
    result = _run(sdk_pack, LacksRequestOp(sdk_pack), ["endpoints"])
    outputs = _outputs(result, sdk_pack, tmp_path, required_ops=("request",))
    assert not outputs.verdict.passed
    assert outputs.document["gate"]["missing_ops"] == ["request"]
    assert outputs.document["coverage"][0]["required"] is True
    assert outputs.document["gaps"] == []


# -- helper coverage --------------------------------------------------------


def test_a_helper_of_a_missing_type_is_missing_in_the_report_and_junit(
    sdk_pack: SpecPack, tmp_path: Path
) -> None:
    helpers = sorted({c.helper for c in load_behaviour_cases(sdk_pack.version)})
    cursor = [h for h in helpers if h.split(".", 1)[0] == "Cursor"]
    assert cursor
    result = _run(sdk_pack, LacksCursorType(sdk_pack), ["behaviour"])
    outputs = _outputs(result, sdk_pack, tmp_path)
    rows = {r["name"]: r for r in outputs.document["helpers"]}
    assert set(rows) == set(helpers), "a type name listed as a helper"
    for helper in cursor:
        assert rows[helper]["status"] == "missing", rows[helper]
    others = [h for h in helpers if h not in cursor]
    assert all(rows[h]["status"] == "complete" for h in others)
    suite = next(
        s
        for s in ET.parse(tmp_path / "run.junit.xml").iter("testsuite")
        if s.get("name") == "behaviour"
    )
    failing = {c.get("name") for c in suite.iter("testcase") if c.find("failure") is not None}
    assert failing == set(cursor)


# -- not implemented vs implemented but wrong -------------------------------


class LacksCursorDropsTime(LacksCursorType):
    """A missing type and a dropped field: one of each part of the summary."""

    def decode(self, type_name: str, payload: Any) -> OpResult:
        result = super().decode(type_name, payload)
        if type_name == "Checkpoint":
            return _edit_wire(result, lambda w: w.pop("time", None))
        return result


def test_the_summary_tells_not_implemented_from_wrong_and_lists_wrong_first(
    sdk_pack: SpecPack, tmp_path: Path
) -> None:
    pack = narrowed(sdk_pack, ["Cursor", "Checkpoint", "TrainingRunsResponse"])
    result = _run(pack, LacksCursorDropsTime(pack), ["fixture-roundtrip"])
    doc = _outputs(result, pack, tmp_path).document
    parts = doc["summary"]["gaps"]
    assert parts["not_implemented"]["total"] >= 1
    assert parts["wrong"]["total"] >= 1
    assert parts["not_implemented"]["total"] + parts["wrong"]["total"] == parts["total"]
    missing = [g["missing"] for g in doc["gaps"]]
    assert missing == sorted(missing), "a missing subject listed before a wrong one"
    markdown = (tmp_path / "run.md").read_text()
    assert markdown.index("Implemented but wrong: ") < markdown.index("Not implemented: ")
    assert "**Implemented but wrong:** " in markdown
    assert "**Not implemented:** " in markdown


def test_the_seeds_severity_order_holds() -> None:
    """A missing core request type and a dropped field are critical, a
    weakened type medium: the rules' data, in their order."""
    request = RULES.severity("missing-type", type_name="CreateModelRequest", kind="request")
    dropped = RULES.severity("data-loss", type_name="Checkpoint", kind="response")
    weakened = RULES.severity("type-weakened", type_name="Checkpoint", kind="response")
    assert (request, dropped, weakened) == ("critical", "critical", "medium")
    assert RULES.rank(request) < RULES.rank(weakened)
