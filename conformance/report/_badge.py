"""The badge: a flat two-part SVG of completeness and the gate's verdict.

A README or a CI page shows it; it is written with the report (``badge``
format, ``<stem>.badge.svg``). Self-contained: no fonts, images or links
fetched; every text it shows is escaped. Its colours follow the
completeness, by the levels of ``schemas/report/badge.json`` (the HTML
report's bars use the same levels), so a project changes them in data.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from conformance._data import SCHEMAS_ROOT, load_checked
from conformance.report._values import percent

__all__ = ["BADGE_FILE", "completeness_level", "render_badge"]

BADGE_FILE = SCHEMAS_ROOT / "report" / "badge.json"
#: Width of a character at 11px Verdana, about; and each part's padding.
_CHAR, _PAD, _HEIGHT = 7, 6, 20


@functools.cache
def _levels() -> Mapping[str, Any]:
    data: Mapping[str, Any] = load_checked(BADGE_FILE, "badge.schema.json")
    return data


def completeness_level(value: float | None) -> Mapping[str, Any]:
    """The level (name, colour) of a completeness; None: nothing checked."""
    data = _levels()
    if value is None:
        level: Mapping[str, Any] = data["unchecked"]
        return level
    for level in data["levels"]:
        if value >= level["at_least"]:
            return level
    last: Mapping[str, Any] = data["levels"][-1]
    return last


def render_badge(doc: Mapping[str, Any]) -> str:
    completeness = doc["summary"]["completeness"]
    label = str(_levels()["label"])
    gate = "passed" if doc["gate"]["passed"] else "failed"
    message = f"{percent(completeness)} | gate {gate}"
    colour = str(completeness_level(completeness)["colour"])
    left = len(label) * _CHAR + 2 * _PAD
    right = len(message) * _CHAR + 2 * _PAD
    width = left + right
    title = f"{label}: {message}"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{_HEIGHT}" '
        f'role="img" aria-label={quoteattr(title)}>\n'
        f"<title>{escape(title)}</title>\n"
        f'<rect class="label" width="{left}" height="{_HEIGHT}" '
        f'fill="{_levels()["label_colour"]}"/>\n'
        f'<rect class="message" x="{left}" width="{right}" height="{_HEIGHT}" fill="{colour}"/>\n'
        '<g fill="#fff" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11" '
        'text-anchor="middle">\n'
        f'<text class="label" x="{left / 2:g}" y="14">{escape(label)}</text>\n'
        f'<text class="message" x="{left + right / 2:g}" y="14">{escape(message)}</text>\n'
        "</g>\n</svg>\n"
    )
