"""Whatever an implementation printed reaches the reports as text, never as
markup: each hostile string of tests/escape_cases.json is put in a finding's
subject field, message, values, payload and stderr, and every format is
rendered and parsed back (Markdown through a CommonMark renderer)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from markdown_it import MarkdownIt

from conformance.findings import load_gap_rules
from conformance.gaps import load_gap_ids
from conformance.report import FORMATS, write_reports
from conformance.results import RawResults
from conformance.spec import load_pack
from tests._results import finding, raw_results

CASES = json.loads((Path(__file__).parent / "escape_cases.json").read_text())


class _Elements(HTMLParser):
    """Tags, dangerous attributes and text of an HTML document."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.hrefs: list[str] = []
        self.handlers: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            if name == "href" and value:
                self.hrefs.append(value)
            if name.startswith("on"):
                self.handlers.append(name)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(html: str) -> _Elements:
    parser = _Elements()
    parser.feed(html)
    return parser


def _raw(text: str) -> dict[str, Any]:
    """The text everywhere an implementation can put it."""
    hostile = finding(
        category="value-changed",
        severity="high",
        message=f"LoraConfig: rank: {text}",
        actual=text,
        instance={"rank": text},
        stderr=f"Traceback: {text}",
    )
    return raw_results([hostile], name=text, version=text, error=text)


def _render(text: str, folder: Path) -> dict[str, str]:
    outputs = write_reports(
        RawResults.from_json(_raw(text), folder / "r.json"),
        pack=load_pack("0.15.0"),
        out_dir=folder,
        stem="r",
        formats=list(FORMATS),
        rules=load_gap_rules(),
        ids=load_gap_ids(),
        date="2026-01-01",
    )
    return {path.name: path.read_text(encoding="utf-8") for path in outputs.written}


@pytest.fixture(scope="module")
def benign(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return _render("plain", tmp_path_factory.mktemp("benign"))


@pytest.mark.parametrize("case", CASES, ids=[c["description"] for c in CASES])
def test_hostile_text_stays_text(
    case: dict[str, str], benign: dict[str, str], tmp_path: Path
) -> None:
    text = case["text"]
    files = _render(text, tmp_path)

    # Markdown, as a CommonMark renderer (html enabled, like GitHub) shows it.
    markdown = MarkdownIt("commonmark").render(files["r.md"])
    shown, plain = _parse(markdown), _parse(MarkdownIt("commonmark").render(benign["r.md"]))
    ours = {"br"}  # a newline in a cell is shown as <br> on purpose
    for tag in (set(shown.tags) | set(plain.tags)) - ours:
        assert shown.tags.count(tag) == plain.tags.count(tag), f"<{tag}> came from the data"
    assert not [h for h in shown.hrefs if not h.startswith("#")], shown.hrefs
    assert not shown.handlers
    visible = "".join(shown.text)
    for line in text.splitlines():
        if line.strip() and "\x01" not in line:
            assert line.strip() in visible, f"{line!r} is not shown as text"

    # HTML: the same elements as for a benign run, no handler, the text literal.
    page, page_plain = _parse(files["r.html"]), _parse(benign["r.html"])
    assert page.tags.count("script") == page_plain.tags.count("script")
    assert page.tags.count("img") == page_plain.tags.count("img") == 0
    assert not page.handlers
    assert text.splitlines()[0].strip() in "".join(page.text)

    # JUnit: well-formed XML whatever the bytes, the message kept.
    root = ET.fromstring(files["r.junit.xml"])
    failure = root.find(".//failure")
    assert failure is not None
    assert failure.text is not None
    assert "LoraConfig: rank:" in failure.text

    # JSON: the exact string, round-tripped.
    document = json.loads(files["r.json"])
    assert document["gaps"][0]["actual"] == text
