"""The HTML gap report, read back the way a person sees it: rendered by
headless Chromium, then the key numbers taken from the DOM it built and
compared with the report document. Also: nothing from the document (an
implementation's own text) can become markup.

Without Chromium these tests fail when ``CI`` is set (CI installs it, see
.ci/run) and skip otherwise.
"""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import struct
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from conformance.report._document import check_document
from conformance.report._html import TRUNCATE_AT, render_html

DATA = Path(__file__).parent / "data" / "report-document.json"
SEVERITIES = ("critical", "high", "medium", "low")
STATUSES = ("complete", "partial", "missing", "unchecked")
CHROMIUM_TIMEOUT = 120

HOSTILE = (
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "\"quotes' and `ticks`",
    "]]>",
    "</pre></td></tr></table><b>bold</b>",
    "<!-- comment -->",
    "<svg onload=alert(1)>",
    "&amp; &lt;not-an-entity&gt;",
    "{{ 7 * 7 }} {% raw %}",
)
HOSTILE_TEXT = " ".join(HOSTILE)


# -- the document -------------------------------------------------------------


def load_document() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(DATA.read_text(encoding="utf-8"))
    check_document(doc, DATA)
    return doc


@pytest.fixture
def document() -> dict[str, Any]:
    return load_document()


def hostile_document() -> dict[str, Any]:
    """The test document with markup in every string an implementation or a
    pack can put there; still valid against the schema."""
    doc = load_document()
    domain = f"sessions {HOSTILE_TEXT}"
    doc["title"] = f"Gap Analysis: {HOSTILE[0]}"
    doc["implementation"]["name"] = HOSTILE[1]
    doc["run"]["error"] = HOSTILE_TEXT
    doc["summary"]["key_findings"].append(HOSTILE_TEXT)
    doc["gate"]["baseline"] = HOSTILE_TEXT
    for d in doc["domains"]:
        if d["name"] == "sessions":
            d["name"] = domain
    for row in [*doc["types"], *doc["fields"], *doc["gaps"], *doc["enhancements"]]:
        if row.get("domain") == "sessions":
            row["domain"] = domain
    for t in doc["types"]:
        if t["name"] == "TelemetryEvent":
            t["name"] = f"TelemetryEvent{HOSTILE[0]}"
    for g in [*doc["gaps"], *doc["enhancements"]]:
        g["message"] = f"message {HOSTILE_TEXT}"
        g["title"] = f"title {HOSTILE_TEXT}"
        g["subject"] = f"{g['subject']}{HOSTILE[4]}"
        g["stderr"] = f"stderr {HOSTILE_TEXT}\n"
        g["impact"] = HOSTILE[2]
        g["cases"] = [HOSTILE[5]]
        g["payload"] = {HOSTILE[0]: HOSTILE_TEXT, "nested": [HOSTILE[1], {"k": HOSTILE[3]}]}
        g["expected"] = HOSTILE[6]
        g["actual"] = HOSTILE[7]
    for row in doc["fields"][0]["rows"]:
        row["observed"] = HOSTILE_TEXT
    doc["recommendations"][0]["action"] = HOSTILE_TEXT
    doc["recommendations"][0]["subjects"] = [HOSTILE_TEXT]
    check_document(doc, DATA)
    return doc


# -- Chromium -----------------------------------------------------------------


def chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    message = (
        "Chromium is not installed (Debian: apt-get install chromium); "
        "the HTML report is checked in a real browser"
    )
    if os.environ.get("CI"):
        pytest.fail(f"{message}; CI must install it (.ci/run does)")
    pytest.skip(message)


def run_chromium(html: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Open the page from a file (as a reader would) in headless Chromium."""
    binary = chromium()
    page = tmp_path / "report.html"
    page.write_text(html, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    env["HOME"] = str(tmp_path)
    command = [
        binary,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--no-default-browser-check",
        f"--user-data-dir={tmp_path / 'profile'}",
        *args,
        page.as_uri(),
    ]
    done = subprocess.run(
        command,
        capture_output=True,
        text=True,
        env=env,
        timeout=CHROMIUM_TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, f"chromium exited {done.returncode}: {done.stderr[-2000:]}"
    return done


def rendered_dom(html: str, tmp_path: Path) -> Dom:
    dumped = run_chromium(html, tmp_path, "--dump-dom").stdout
    assert "</html>" in dumped, f"no DOM from chromium: {dumped[:500]!r}"
    return Dom.parse(dumped)


# -- reading the DOM ----------------------------------------------------------


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    parts: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(self.parts)

    @property
    def classes(self) -> list[str]:
        return self.attrs.get("class", "").split()


_VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "wbr",
}


class Dom(HTMLParser):
    """Every element with its attributes and its text (descendants included),
    in document order; character references are decoded as a browser does."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self._open: list[Element] = []

    @classmethod
    def parse(cls, html: str) -> Dom:
        dom = cls()
        dom.feed(html)
        dom.close()
        return dom

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs})
        self.elements.append(element)
        if tag not in _VOID:
            self._open.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append(Element(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self._open) - 1, -1, -1):
            if self._open[i].tag == tag:
                del self._open[i:]
                return

    def handle_data(self, data: str) -> None:
        for element in self._open:
            element.parts.append(data)

    # queries

    def by_id(self, id_: str) -> Element:
        found = [e for e in self.elements if e.attrs.get("id") == id_]
        assert len(found) == 1, f"expected one element #{id_}, found {len(found)}"
        return found[0]

    def all(self, tag: str, cls: str | None = None) -> list[Element]:
        return [e for e in self.elements if e.tag == tag and (cls is None or cls in e.classes)]

    @property
    def body_text(self) -> str:
        (body,) = self.all("body")
        return body.text


def number(element: Element) -> float | None:
    raw = element.attrs["data-value"]
    return None if raw == "null" else float(raw)


# -- the tests ----------------------------------------------------------------


def test_key_numbers_in_the_rendered_page(document: dict[str, Any], tmp_path: Path) -> None:
    dom = rendered_dom(render_html(document), tmp_path)
    summary = document["summary"]

    # the numbers of the test document itself, so a wrong fixture is caught too
    assert summary["completeness"] == 57.1
    assert summary["gaps"]["by_severity"] == {"critical": 2, "high": 1, "medium": 3, "low": 0}

    completeness = dom.by_id("completeness")
    assert number(completeness) == summary["completeness"]
    assert completeness.text.strip() == "57.1%"

    assert dom.by_id("gaps-total").text.strip() == str(summary["gaps"]["total"]) == "6"
    assert number(dom.by_id("gaps-total")) == 6
    for severity in SEVERITIES:
        hook = dom.by_id(f"gaps-{severity}")
        expected = summary["gaps"]["by_severity"][severity]
        assert hook.text.strip() == str(expected), severity
        assert number(hook) == expected, severity
    assert dom.by_id("enhancements-total").text.strip() == "1"

    for group in ("types", "endpoints", "helpers"):
        counts = summary[group]
        for status in (*STATUSES, "total"):
            hook = dom.by_id(f"{group}-{status}")
            assert hook.text.strip() == str(counts[status]), f"{group}-{status}"
        assert number(dom.by_id(f"{group}-completeness")) == counts["completeness"]
    assert [dom.by_id(f"types-{s}").text.strip() for s in STATUSES] == ["2", "1", "1", "2"]

    assert dom.by_id("gate-verdict").text.strip() == "FAILED"
    assert dom.by_id("gate-new").text.strip() == "5"
    assert dom.by_id("gate-accepted").text.strip() == "1"
    assert dom.by_id("gate-stale").text.strip() == "1"

    title = dom.all("title")[0].text
    assert title == document["title"]
    assert "tinkex 0.3.1" in dom.by_id("implementation").text
    assert dom.by_id("reference-version").text.strip() == "tinker 0.38.0"
    assert dom.by_id("date").text.strip() == "2026-01-15"


def test_chart_has_one_proportional_bar_per_domain(
    document: dict[str, Any], tmp_path: Path
) -> None:
    dom = rendered_dom(render_html(document), tmp_path)
    chart = dom.by_id("domain-chart")
    assert chart.tag == "svg"
    max_width = float(chart.attrs["data-max-width"])
    assert max_width > 0
    bars = dom.all("rect", "bar")
    assert [b.attrs["data-domain"] for b in bars] == [d["name"] for d in document["domains"]]
    assert [number(b) for b in bars] == [d["completeness"] for d in document["domains"]]
    assert [number(b) for b in bars] == [100.0, 50.0, None, 25.0, 100.0]
    for bar, domain in zip(bars, document["domains"], strict=True):
        expected = (
            0.0 if domain["completeness"] is None else max_width * domain["completeness"] / 100
        )
        assert float(bar.attrs["width"]) == pytest.approx(expected, abs=0.01), domain["name"]
    # proportional: the 50% bar is exactly twice the 25% bar, half the 100% one
    widths = [float(b.attrs["width"]) for b in bars]
    assert widths[1] == pytest.approx(2 * widths[3])
    assert widths[0] == pytest.approx(2 * widths[1])
    texts = [e.text for e in dom.all("text") if "value" in e.classes]
    assert texts == ["100.0%", "50.0%", "not checked", "25.0%", "100.0%"]


def test_tables_gaps_and_links(document: dict[str, Any], tmp_path: Path) -> None:
    dom = rendered_dom(render_html(document), tmp_path)
    for gap in [*document["gaps"], *document["enhancements"]]:
        anchor = dom.by_id(gap["id"])
        assert gap["id"] in anchor.text
        if gap in document["gaps"]:
            assert gap["message"] in anchor.text
    links = {e.attrs["href"] for e in dom.all("a") if e.attrs.get("href", "").startswith("#GAP-")}
    assert links == {f"#{g['id']}" for g in document["gaps"]}
    # a stale baseline id has no anchor: shown, not linked
    assert "#GAP-SESS-9e9e9e" not in links
    assert [e.text for e in dom.all("code", "gap-id") if "9e9e9e" in e.text] == ["GAP-SESS-9e9e9e"]

    type_rows = [e for e in dom.all("table") if "types" in e.classes]
    assert len(type_rows) == 3  # sampling, sessions, telemetry
    assert dom.by_id("type-CreateSessionResponse").tag == "h3"

    # recommendations in priority order
    rec_ids = [
        e.attrs["id"] for e in dom.all("tr") if e.attrs.get("id", "").startswith("recommendation-")
    ]
    assert rec_ids == [f"recommendation-{n}" for n in range(1, 7)]

    # the large payload is cut at TRUNCATE_AT characters with a note
    big = dom.by_id("GAP-API-7c8d9e")
    pretty = json.dumps(
        next(g for g in document["gaps"] if g["id"] == "GAP-API-7c8d9e")["payload"],
        indent=2,
        ensure_ascii=False,
        sort_keys=True,
    )
    assert len(pretty) > TRUNCATE_AT
    pres = [e.text for e in dom.all("pre") if pretty[:200] in e.text]
    assert len(pres) == 1
    assert pres[0] == pretty[:TRUNCATE_AT]
    assert "truncated; the full payload is in the JSON report" in big.text
    small = dom.by_id("GAP-SESS-0a1b2c")
    assert "truncated" not in small.text
    assert json.dumps({"session_id": "s-1", "type": "create_session"}, indent=2) in small.text


def test_gate_passed(document: dict[str, Any], tmp_path: Path) -> None:
    document["gate"].update(passed=True, new=[], accepted=[g["id"] for g in document["gaps"]])
    check_document(document, DATA)
    dom = rendered_dom(render_html(document), tmp_path)
    assert dom.by_id("gate-verdict").text.strip() == "PASSED"
    assert dom.by_id("gate-new").text.strip() == "0"
    assert dom.by_id("gate-accepted").text.strip() == "6"


def test_nothing_checked_reads_not_checked(document: dict[str, Any], tmp_path: Path) -> None:
    document["summary"]["completeness"] = None
    check_document(document, DATA)
    dom = rendered_dom(render_html(document), tmp_path)
    assert dom.by_id("completeness").attrs["data-value"] == "null"
    assert dom.by_id("completeness").text.strip() == "not checked"


def test_screenshot(document: dict[str, Any], tmp_path: Path) -> None:
    shot = tmp_path / "report.png"
    run_chromium(
        render_html(document),
        tmp_path,
        f"--screenshot={shot}",
        "--window-size=1280,2000",
        "--hide-scrollbars",
    )
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1280, 2000)
    # a blank page compresses to a few kilobytes; text, tables and the chart do not
    assert len(data) > 40_000, f"screenshot is {len(data)} bytes: is the page empty?"


def test_page_is_self_contained(document: dict[str, Any]) -> None:
    html = render_html(document)
    assert html.startswith("<!DOCTYPE html>")
    # the only URL is the SVG namespace, which is a name, not a fetch
    lowered = html.lower().replace('xmlns="http://www.w3.org/2000/svg"', "")
    for needle in ("<script", "<link", "<img", "@import", "url(", "src=", "http://", "https://"):
        assert needle not in lowered, needle


# -- escaping -----------------------------------------------------------------


def test_document_strings_are_escaped_in_the_html() -> None:
    html = render_html(hostile_document())
    lowered = html.lower()
    assert "<script" not in lowered
    assert "<img" not in lowered
    assert "<b>" not in lowered
    assert "<!--" not in html
    assert "<svg onload" not in lowered
    assert lowered.count("<svg") == 1  # the chart
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "]]&gt;" in html
    assert "{{ 7 * 7 }}" in html  # data is never rendered as a template


def test_document_strings_never_become_markup(tmp_path: Path) -> None:
    doc = hostile_document()
    html = render_html(doc)

    # the page as the browser built it
    dom = rendered_dom(html, tmp_path)
    tags = {e.tag for e in dom.elements}
    assert not tags & {"script", "img", "b", "iframe", "object"}, tags
    assert len(dom.all("svg")) == 1
    handlers = [(e.tag, k) for e in dom.elements for k in e.attrs if k.startswith("on")]
    assert handlers == []

    # and the text reads literally, where it was put
    text = dom.body_text
    for needle in HOSTILE:
        assert needle in text, needle
    assert f"message {HOSTILE_TEXT}" in text
    assert dom.all("title")[0].text == doc["title"]
    assert dom.by_id("implementation").text.startswith(HOSTILE[1])
    bars = dom.all("rect", "bar")
    assert [b.attrs["data-domain"] for b in bars] == [d["name"] for d in doc["domains"]]
    assert any(HOSTILE_TEXT in b.attrs["data-domain"] for b in bars)
    for gap in doc["gaps"]:
        article = dom.by_id(gap["id"])
        assert gap["message"] in article.text
        assert gap["subject"] in article.text
        assert gap["stderr"] in article.text
        payload = json.dumps(gap["payload"], indent=2, ensure_ascii=False, sort_keys=True)
        assert payload in article.text
    pres = [e.text for e in dom.all("pre")]
    assert any(p == f"stderr {HOSTILE_TEXT}\n" for p in pres)
    # the key numbers are unaffected by the hostile strings
    assert number(dom.by_id("completeness")) == doc["summary"]["completeness"]
    assert dom.by_id("gate-verdict").text.strip() == "FAILED"


def test_template_marks_nothing_safe() -> None:
    template = (
        Path(__file__).parents[1] / "conformance" / "report" / "templates" / "report.html.j2"
    ).read_text(encoding="utf-8")
    code = re.sub(r"\{#.*?#\}", "", template, flags=re.DOTALL).replace(" ", "")
    assert "|safe" not in code
    assert "autoescape" not in code
    assert "Markup" not in code


def test_render_is_deterministic(document: Mapping[str, Any]) -> None:
    before = copy.deepcopy(document)
    assert render_html(document) == render_html(document)
    assert document == before
