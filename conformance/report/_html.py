"""The HTML gap report: one self-contained page rendered from the report document.

Why a separate page: the Markdown report reads well in a repository, but a
reviewer outside it wants something to open in a browser, attach to a ticket
or archive with a release. This page tells the same story as the Markdown
(same document, same sections) and is fully self-contained: inline CSS, an
inline SVG chart, no fonts, scripts or images fetched from anywhere, so it
reads the same offline and years later. Nothing from the document is trusted:
implementation strings (messages, stderr, payloads, names) may contain markup,
and Jinja2's autoescape escapes every one of them; the template never marks
document data ``|safe``.

Large values (reproducing payloads, expected/actual values, stderr) are cut
at ``TRUNCATE_AT`` characters (stderr keeps its tail) with a note that the
JSON report has the rest. Gaps are grouped per area as in the Markdown report.

Stable hooks for machines (tests, dashboards, scrapers); each element's text
is what a reader sees, ``data-value`` the number as written in the document:

=================================  ==============================================
``#completeness``                  overall completeness (``data-value`` a number,
                                   or ``null`` when nothing was checked)
``#gaps-total``                    number of gaps (enhancements not included)
``#gaps-<severity>``               gaps per severity: ``#gaps-critical``,
                                   ``#gaps-high``, ``#gaps-medium``,
                                   ``#gaps-low`` always, others when present
``#gaps-wrong-total``,              gaps of what is implemented but wrong, and of
``#gaps-not-implemented-total``    what is not implemented (missing subjects)
``#coverage``                      the list of ops the adapter does not
                                   support, one item per op and check (only
                                   when there is one)
``#enhancements-total``            implementation-only additions
``#<group>-<status>``              subject counts, ``<group>`` one of ``types``,
                                   ``endpoints``, ``helpers``; ``<status>`` one
                                   of ``total``, ``complete``, ``partial``,
                                   ``missing``, ``unchecked`` (so
                                   ``#types-complete``, ``#types-missing``, ...)
``#<group>-completeness``          completeness of the group (as ``#completeness``)
``#gate-verdict``                  text ``PASSED`` or ``FAILED``
``#gate-new``, ``#gate-accepted``, number of gap ids in each list of the gate
``#gate-stale``,
``#gate-below-threshold``
``#domain-chart``                  the SVG chart; in it one
                                   ``rect.bar[data-domain][data-value]`` per
                                   entry of ``document.domains``, in order,
                                   ``width`` = ``data-value`` / 100 *
                                   ``data-max-width`` of the SVG
                                   (``data-value="null"``, width 0, for a domain
                                   not checked)
``#GAP-...``                       each gap and enhancement, by its id
``#type-<Name>``                   the field-level table of a partial type
``dd.source``                      in a gap: ``code.reference-source`` (the
                                   reference's file:line), ``code.port-source``
                                   (the port's, from its hello's ``sources``)
``ol.work-order``                  the suggested order of work: one
                                   ``li[data-subject][data-kind]`` per step
``#trend-chart``                   with ``--history``: the SVG line chart of
                                   completeness per run, ``data-runs`` the
                                   history's lines; one
                                   ``circle.point[data-date][data-value]`` per
                                   run with a completeness, in file order
=================================  ==============================================
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, Template

from conformance.report._badge import completeness_level
from conformance.report._document import STATUSES, gaps_by_area
from conformance.report._values import TRUNCATE_AT, coverage_line, percent, pretty

__all__ = ["TRUNCATE_AT", "environment", "level", "render_html"]

_GROUPS = ("types", "endpoints", "helpers")
#: Chart geometry (SVG user units).
_LABEL_WIDTH, _BAR_MAX, _ROW, _BAR_HEIGHT = 230, 520, 26, 18
#: Longest chart label shown whole (at 13px, about what ``_LABEL_WIDTH`` holds).
_LABEL_CHARS = 32


def render_html(document: Mapping[str, Any]) -> str:
    """The page for one report document (already checked against the schema)."""
    return _template().render(doc=document, view=_view(document))


@functools.cache
def _template() -> Template:
    return environment().get_template("report.html.j2")


@functools.cache
def environment() -> Environment:
    """The templates' one environment (autoescape, strict), shared by every page."""
    env = Environment(
        loader=PackageLoader("conformance.report", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["number"] = _number
    env.filters["percent"] = percent
    return env


def _number(value: Any) -> str:
    """A document number as written for ``data-value`` (``null`` for None)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return repr(float(value))


def _view(doc: Mapping[str, Any]) -> dict[str, Any]:
    """What the template needs beyond the document: groupings, the chart's
    geometry, pretty and truncated values, which ids have an anchor."""
    gaps: Sequence[Mapping[str, Any]] = doc["gaps"]
    enhancements: Sequence[Mapping[str, Any]] = doc["enhancements"]
    by_severity: Mapping[str, int] = doc["summary"]["gaps"]["by_severity"]
    return {
        # every severity of the gap rules, most severe first, each with a hook and a row
        "severities": list(by_severity.items()),
        "parts": [
            ("wrong", "Implemented but wrong", doc["summary"]["gaps"]["wrong"]),
            ("not-implemented", "Not implemented", doc["summary"]["gaps"]["not_implemented"]),
        ],
        "coverage": [coverage_line(line) for line in doc["coverage"]],
        "groups": [(g, doc["summary"][g]) for g in _GROUPS],
        "statuses": STATUSES,
        "chart": _chart(doc["domains"]),
        "trend": _trend(doc.get("history", ())),
        "type_tables": _type_tables(doc),
        "field_types": {str(t["type"]) for t in doc["fields"]},
        "gap_groups": gaps_by_area(doc),
        "details": {str(g["id"]): _details(g) for g in gaps},
        "anchors": {str(g["id"]) for g in [*gaps, *enhancements]},
        "recommendations": sorted(doc["recommendations"], key=lambda r: int(r["priority"])),
        "gate_lists": [
            ("new", "New (at or above fail-on, not in the baseline)", doc["gate"]["new"]),
            ("accepted", "Accepted by the baseline", doc["gate"]["accepted"]),
            ("stale", "Stale (in the baseline, no longer found)", doc["gate"]["stale"]),
            ("below-threshold", "Below the fail-on threshold", doc["gate"]["below_threshold"]),
        ],
        "run_checks": [
            (
                check,
                doc["run"]["executed"].get(check, 0),
                doc["run"]["passed"].get(check, 0),
                doc["run"]["skipped"].get(check, 0),
            )
            for check in doc["run"]["checks"]
        ],
    }


def _chart(domains: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    bars = []
    for i, d in enumerate(domains):
        value = d["completeness"]
        width = 0.0 if value is None else round(_BAR_MAX * float(value) / 100, 2)
        y = 8 + i * _ROW
        bars.append(
            {
                "name": d["name"],
                "label": _short(str(d["name"])),
                "code": d["code"],
                "subjects": d["subjects"],
                "value": value,
                "width": width,
                "y": y,
                "text_y": y + _BAR_HEIGHT - 5,
                "level": level(value),
            }
        )
    return {
        "bars": bars,
        "label_width": _LABEL_WIDTH,
        "bar_x": _LABEL_WIDTH + 10,
        "bar_max": _BAR_MAX,
        "bar_height": _BAR_HEIGHT,
        "value_x": _LABEL_WIDTH + 10 + _BAR_MAX + 8,
        "width": _LABEL_WIDTH + 10 + _BAR_MAX + 110,
        "height": 16 + len(bars) * _ROW,
    }


#: Trend chart geometry (SVG user units): plot area and margins.
_TREND_WIDTH, _TREND_HEIGHT, _TREND_LEFT, _TREND_TOP = 560, 160, 48, 12


def _trend(history: Sequence[Mapping[str, Any]]) -> dict[str, Any] | None:
    """The history as a line chart of completeness (0 to 100 %, bottom to
    top), one point per run in file order; None without a history. A run
    with nothing checked has no point."""
    if not history:
        return None
    step = _TREND_WIDTH / max(len(history) - 1, 1)
    points = []
    for i, line in enumerate(history):
        value = line["completeness"]
        if value is None:
            continue
        points.append(
            {
                "x": round(_TREND_LEFT + i * step, 2),
                "y": round(_TREND_TOP + _TREND_HEIGHT * (1 - float(value) / 100), 2),
                "value": value,
                "date": line["date"],
                "name": f"{line['implementation']['name']} {line['implementation']['version']}",
                "passed": line["passed"],
            }
        )
    return {
        "points": points,
        "polyline": " ".join(f"{p['x']},{p['y']}" for p in points),
        "left": _TREND_LEFT,
        "top": _TREND_TOP,
        "bottom": _TREND_TOP + _TREND_HEIGHT,
        "right": _TREND_LEFT + _TREND_WIDTH,
        "width": _TREND_LEFT + _TREND_WIDTH + 16,
        "height": _TREND_TOP + _TREND_HEIGHT + 24,
        "runs": len(history),
    }


def _short(label: str) -> str:
    """Fits the label column of the chart; the full name is in the bar's
    tooltip, its ``data-domain`` and the table under the chart."""
    return label if len(label) <= _LABEL_CHARS else label[: _LABEL_CHARS - 1] + "\u2026"


def level(value: Any) -> str:
    """The colour class of a completeness (good, fair, poor, unchecked): its
    level in schemas/report/badge.json, as the badge's."""
    return str(completeness_level(value)["name"])


def _type_tables(doc: Mapping[str, Any]) -> list[tuple[Mapping[str, Any] | None, list[Any]]]:
    """Types grouped per domain, in the order of ``document.domains``."""
    rows: dict[str, list[Any]] = {}
    for t in doc["types"]:
        rows.setdefault(str(t["domain"]), []).append(t)
    tables: list[tuple[Mapping[str, Any] | None, list[Any]]] = []
    for d in doc["domains"]:
        if d["subjects"] == "types" and d["name"] in rows:
            tables.append((d, rows.pop(d["name"])))
    tables.extend((None, members) for members in rows.values())
    return tables


def _details(gap: Mapping[str, Any]) -> dict[str, Any]:
    shown = gap["expected"] is not None or gap["actual"] is not None
    stderr = str(gap["stderr"])
    return {
        "expected": _cut(pretty(gap["expected"])) if shown else None,
        "actual": _cut(pretty(gap["actual"])) if shown else None,
        "payload": None if gap["payload"] is None else _cut(pretty(gap["payload"])),
        # the end of stderr says what went wrong: keep the tail
        "stderr": _cut(stderr, tail=True) if stderr else None,
    }


def _cut(text: str, *, tail: bool = False) -> dict[str, Any]:
    """At most ``TRUNCATE_AT`` characters: the head, or the tail for logs."""
    shown = text[-TRUNCATE_AT:] if tail else text[:TRUNCATE_AT]
    return {"text": shown, "truncated": len(text) > TRUNCATE_AT, "length": len(text), "tail": tail}
