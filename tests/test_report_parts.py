"""Reports people act on: ``--split domains``, the badge, where to fix (the
reference's file and the port's) and the suggested order of work.

The end to end tests read the outputs of a real mutant's run
(``LacksHeartbeatTypesSaysWhere``: the heartbeat types missing, from a port
whose hello names its files); the badge's and the order's tests build
documents from the small raw results of ``tests._results``.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from conformance._data import load_json
from conformance.findings import load_gap_rules
from conformance.gaps import load_gap_ids
from conformance.report import write_reports
from conformance.report._badge import BADGE_FILE
from conformance.report._document import check_document
from conformance.report._order import TIERS, work_order
from conformance.results import RawResults, load_results
from conformance.spec import SpecPack, load_pack
from tests._results import audit, finding, raw_results, run_cli
from tests.mutants import LacksHeartbeatTypesSaysWhere
from tests.test_report_examples import SEED_SECTIONS
from tests.test_report_html import Dom, rendered_dom

SVG = "{http://www.w3.org/2000/svg}"
BADGE = load_json(BADGE_FILE)


@pytest.fixture(scope="module")
def says_where(tmp_path_factory: pytest.TempPathFactory) -> Path:
    results = tmp_path_factory.mktemp("where") / "port.json"
    done = audit("python:tests.mutants:LacksHeartbeatTypesSaysWhere", results)
    assert done.returncode == 1, done.stdout + done.stderr
    return results


def _write(raw: RawResults, out: Path, **options: Any) -> Any:
    return write_reports(
        raw,
        pack=load_pack(raw.spec_version),
        out_dir=out,
        stem="r",
        formats=["md", "html", "json", "badge"],
        rules=load_gap_rules(),
        ids=load_gap_ids(),
        date="2026-01-01",
        **options,
    )


# -- --split domains ------------------------------------------------------------


@pytest.mark.sdk
def test_split_writes_one_seed_shaped_document_per_domain(says_where: Path, tmp_path: Path) -> None:
    outputs = _write(load_results(says_where), tmp_path, split="domains")
    whole = outputs.document
    assert json.loads((tmp_path / "r.json").read_text()) == whole, "json stays whole"
    type_domains = [d["name"] for d in whole["domains"] if d["subjects"] == "types"]
    assert [p.name for p in outputs.parts] == [*type_domains, "API endpoints"]
    index = (tmp_path / "r.md").read_text()
    seen: list[str] = []
    for part in outputs.parts:
        check_document(part.document, tmp_path / f"r.{part.slug}.json")
        markdown = (tmp_path / f"r.{part.slug}.md").read_text()
        assert f"]({f'r.{part.slug}.md'})" in index, part.name
        positions = [markdown.find(s) for s in SEED_SECTIONS]
        assert -1 not in positions, part.name
        assert positions == sorted(positions), part.name
        assert markdown.startswith(f"# {whole['title']}: ")
        row = next(d for d in whole["domains"] if d["name"] == part.name)
        assert part.document["summary"]["completeness"] == row["completeness"], part.name
        types = {t["name"] for t in part.document["types"]}
        assert all(
            whole_row["domain"] == part.name
            for whole_row in whole["types"]
            if whole_row["name"] in types
        )
        ids = re.findall(r"^#### (GAP-[A-Z0-9a-f-]+): ", markdown, re.M)
        assert ids == [g["id"] for g in part.document["gaps"]]
        seen += ids
    elsewhere = re.findall(r"^- `(GAP-[A-Z0-9a-f-]+)`", index, re.M)
    assert sorted(seen + elsewhere) == sorted(g["id"] for g in whole["gaps"]), "a partition"
    assert len(set(seen)) == len(seen)
    session = next(p for p in outputs.parts if p.name == "session & service")
    assert {g["subject"] for g in session.document["gaps"]} >= {"SessionHeartbeatRequest"}


@pytest.mark.sdk
def test_the_split_html_index_in_a_browser(says_where: Path, tmp_path: Path) -> None:
    outputs = _write(load_results(says_where), tmp_path, split="domains")
    browser = tmp_path / "browser"
    browser.mkdir()
    dom = rendered_dom((tmp_path / "r.html").read_text(), browser)
    assert dom.by_id("completeness").attrs["data-value"] == str(
        outputs.document["summary"]["completeness"]
    )
    assert dom.by_id("gate-verdict").text == "FAILED"
    rows = [e for e in dom.all("tr") if "data-part" in e.attrs]
    assert [r.attrs["data-part"] for r in rows] == [p.name for p in outputs.parts]
    links = [a.attrs["href"] for a in dom.all("a", "part")]
    assert links == [f"r.{p.slug}.html" for p in outputs.parts]
    for link in links:
        part = Dom.parse((tmp_path / link).read_text())
        assert part.by_id("title").text.startswith(outputs.document["title"] + ": ")


def test_split_from_the_command_line(tmp_path: Path) -> None:
    """`report --split domains` and `run --split` offer exactly the splits
    the report knows; the files are the index and one per domain."""
    from conformance._cli import cli
    from conformance.report._split import SPLITS

    for command in ("report", "run"):
        (option,) = [p for p in cli.commands[command].params if p.name == "split"]
        assert list(option.type.choices) == list(SPLITS)  # type: ignore[attr-defined]
        assert run_cli(command, "--help").returncode == 0
    results = tmp_path / "raw.json"
    results.write_text(json.dumps(raw_results([finding()])))
    out = tmp_path / "out"
    done = run_cli(
        "report", str(results), "--out-dir", str(out), "--format", "md", "--split", "domains"
    )
    assert done.returncode == 1, done.stderr
    whole = load_pack("0.15.0")
    domains = {e["domain"] for e in whole.types.values()}
    names = sorted(p.name for p in out.iterdir())
    assert len(names) == 1 + len(domains) + 1, names  # the index, each domain, the endpoints
    assert "raw.md" in names
    assert "raw.api-endpoints.md" in names
    assert "raw.training-optimization.md" in names
    lora = (out / "raw.models.md").read_text()
    assert "LoraConfig" in lora
    done = run_cli("report", str(results), "--out-dir", str(out), "--split", "types")
    assert done.returncode == 2


def test_single_document_stays_the_default(tmp_path: Path) -> None:
    raw = RawResults.from_json(raw_results([finding()]), tmp_path / "raw.json")
    outputs = _write(raw, tmp_path)
    assert outputs.parts == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.badge.svg", "r.html", "r.json", "r.md"]


# -- where to fix -----------------------------------------------------------------


@pytest.mark.sdk
def test_every_type_of_the_pack_names_its_source_line(sdk_pack: SpecPack) -> None:
    """The generator's ``source``: the file under the installed package, and
    the line of the statement that defines the name."""
    import tinker

    root = Path(tinker.__file__).resolve().parents[1]
    for name, entry in sdk_pack.types.items():
        source = entry["source"]
        line = (root / source["file"]).read_text().splitlines()[source["line"] - 1]
        assert re.match(rf"(class {name}\b|{name}\s*[:=])", line), (name, source, line)


@pytest.mark.sdk
def test_gaps_name_the_reference_file_and_the_ports(says_where: Path, tmp_path: Path) -> None:
    raw = load_results(says_where)
    sources = LacksHeartbeatTypesSaysWhere.sources
    assert raw.implementation["sources"] == sources, "hello's sources reach the raw results"
    outputs = _write(raw, tmp_path)
    pack = load_pack(raw.spec_version)
    (gap,) = [g for g in outputs.document["gaps"] if g["subject"] == "SessionHeartbeatRequest"]
    entry = pack.types["SessionHeartbeatRequest"]["source"]
    reference = f"{entry['file']}:{entry['line']}"
    assert reference.startswith("tinker/types/session_heartbeat_request.py:")
    assert gap["source"] == {"reference": reference, "port": "port/session.py:7"}
    (other,) = [g for g in outputs.document["gaps"] if g["subject"] == "SessionHeartbeatResponse"]
    assert other["source"]["port"] is None
    markdown = (tmp_path / "r.md").read_text()
    assert f"- **File:** reference `{reference}`; port `port/session.py:7`" in markdown
    dom = Dom.parse((tmp_path / "r.html").read_text())
    assert reference in [e.text for e in dom.all("code", "reference-source")]
    assert [e.text for e in dom.all("code", "port-source")] == ["port/session.py:7"]


@pytest.mark.parametrize(
    "sources",
    [["LoraConfig"], {"LoraConfig": 3}, "lora.py"],
    ids=["a list", "a number", "a string"],
)
def test_hello_sources_must_map_subjects_to_strings(sources: Any) -> None:
    """A malformed ``sources`` is the adapter's protocol error, named, not a
    report that crashes later."""
    from conformance.adapters._messages import ProtocolViolation, hello_of

    hello = {
        "name": "p",
        "language": "x",
        "version": "1",
        "spec_version": "0.15.0",
        "ops": ["hello", "stop"],
        "protocol": "1",
    }
    assert hello_of({"ok": True, "hello": hello}).sources == {}
    named = hello_of({"ok": True, "hello": {**hello, "sources": {"LoraConfig": "lora.py:3"}}})
    assert named.sources == {"LoraConfig": "lora.py:3"}
    with pytest.raises(ProtocolViolation, match="'sources'"):
        hello_of({"ok": True, "hello": {**hello, "sources": sources}})


# -- the order of work ------------------------------------------------------------


def _everything_missing(pack: SpecPack) -> dict[str, Any]:
    """A document whose every type is missing, at one severity."""
    return {
        "types": [
            {"name": n, "kind": e["kind"], "status": "missing", "worst": "critical", "gaps": []}
            for n, e in sorted(pack.types.items())
        ],
        "endpoints": [],
        "helpers": [],
        "summary": {"gaps": {"by_severity": {"critical": 0}}},
    }


def test_order_of_work_puts_what_endpoints_need_first(any_pack: SpecPack) -> None:
    steps = work_order(_everything_missing(any_pack), any_pack)
    assert sorted(s["subject"] for s in steps) == sorted(any_pack.types)
    assert [s["step"] for s in steps] == list(range(1, len(steps) + 1))
    endpoint_types = {
        ep[k] for ep in any_pack.endpoints for k in ("request_type", "response_type") if ep[k]
    }
    kinds = {n: e["kind"] for n, e in any_pack.types.items()}
    tiers = [TIERS.index(s["tier"]) for s in steps]
    assert tiers == sorted(tiers), [(s["subject"], s["tier"]) for s in steps]
    for step in steps:
        first = step["subject"] in endpoint_types and kinds[step["subject"]] not in (
            "event",
            "alias",
        )
        assert (step["tier"] == "endpoint type") == first, step
        if kinds[step["subject"]] in ("event", "alias"):
            assert step["tier"] == "event or alias", step
    assert steps[0]["tier"] == "endpoint type"
    assert steps[-1]["tier"] == "event or alias"
    placed = set()
    for step in steps:
        if step["reason"].startswith("nested in "):
            parent = step["reason"].removeprefix("nested in ")
            assert parent in placed, f"{step['subject']} before {parent}, which nests it"
        placed.add(step["subject"])
    by_name = {s["subject"]: s for s in steps}
    assert by_name["LoraConfig"]["reason"] == "nested in CreateModelRequest"
    assert (
        by_name["SessionHeartbeatRequest"]["reason"]
        == "sent or received by service.session_heartbeat"
    )


@pytest.mark.sdk
def test_the_order_of_a_real_run(says_where: Path, tmp_path: Path) -> None:
    outputs = _write(load_results(says_where), tmp_path)
    steps = outputs.document["work_order"]
    assert [s["subject"] for s in steps] == ["SessionHeartbeatRequest", "SessionHeartbeatResponse"]
    markdown = (tmp_path / "r.md").read_text()
    assert "### Implementation Order (Suggested)" in markdown
    assert "1. `SessionHeartbeatRequest` (type, missing): sent or received by" in markdown


# -- the badge --------------------------------------------------------------------


def _badge(tmp_path: Path, findings: list[dict[str, Any]]) -> tuple[ET.Element, dict[str, Any]]:
    raw = RawResults.from_json(raw_results(findings), tmp_path / "raw.json")
    outputs = _write(raw, tmp_path)
    return ET.parse(tmp_path / "r.badge.svg").getroot(), outputs.document


def _parts(svg: ET.Element) -> tuple[list[str], str]:
    texts = [t.text or "" for t in svg.iter(f"{SVG}text")]
    (message,) = [r for r in svg.iter(f"{SVG}rect") if r.get("class") == "message"]
    return texts, str(message.get("fill"))


@pytest.mark.parametrize(
    ("findings", "text", "level"),
    [
        ([], "100.0% | gate passed", "good"),
        ([finding()], "50.0% | gate failed", "fair"),
        ([finding(category="missing-type", field="")], "0.0% | gate failed", "poor"),
    ],
    ids=["complete", "partial", "missing"],
)
def test_the_badge_says_completeness_and_gate_in_its_level_colour(
    tmp_path: Path, findings: list[dict[str, Any]], text: str, level: str
) -> None:
    svg, _document = _badge(tmp_path, findings)
    texts, fill = _parts(svg)
    assert texts == [BADGE["label"], text]
    assert fill == next(lv["colour"] for lv in BADGE["levels"] if lv["name"] == level)
    body = (tmp_path / "r.badge.svg").read_text()
    assert "href" not in body, "self-contained"
    assert "<image" not in body, "self-contained"


@pytest.mark.parametrize("level", BADGE["levels"], ids=[lv["name"] for lv in BADGE["levels"]])
def test_the_badge_thresholds_are_the_data(tmp_path: Path, level: dict[str, Any]) -> None:
    """At a level's lower bound the badge takes its colour; just under it,
    the next level's."""
    from conformance.report._badge import render_badge

    _svg, document = _badge(tmp_path, [])
    at = {**document, "summary": {**document["summary"], "completeness": level["at_least"]}}
    assert _parts(ET.fromstring(render_badge(at)))[1] == level["colour"]
    levels = BADGE["levels"]
    lower = levels.index(level) + 1
    if lower < len(levels):
        under = {**at, "summary": {**at["summary"], "completeness": level["at_least"] - 0.1}}
        assert _parts(ET.fromstring(render_badge(under)))[1] == levels[lower]["colour"]
