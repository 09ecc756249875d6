"""The gap report as JUnit XML, for CI systems that show test results.

One ``<testsuite>`` per check, one ``<testcase>`` per subject (type, helper
or endpoint) the check reached. A test case fails exactly when the gate
fails on one of its gaps (a new gap at or above ``--fail-on``); accepted and
below-threshold gaps are told in ``<system-out>``, so the XML is red when
the exit code is and never otherwise. A first suite, ``summary``, runs no
test: its ``<properties>`` give the run's numbers (gaps, enhancements,
subjects) as the console, the gate and every report count them (``tally``).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from typing import Any

from conformance.checks import SUPPORT_CHECK
from conformance.report._document import tally

__all__ = ["render_junit"]

#: Characters XML 1.0 cannot carry (an implementation's stderr may hold any).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def render_junit(doc: Mapping[str, Any]) -> str:
    run, gate = doc["run"], doc["gate"]
    failing = set(gate["new"])
    gaps = [*doc["gaps"]]
    root = ET.Element(
        "testsuites",
        name=_xml(f"tinker-conformance: {doc['title']}"),
        time=f"{run['seconds']:.3f}",
    )
    totals = {"tests": 0, "failures": 0}
    numbers = tally(doc)
    summary = ET.SubElement(root, "testsuite", name="summary", tests="0", failures="0")
    properties = ET.SubElement(summary, "properties")
    for name, value in (
        ("gaps", numbers.gaps),
        *((f"gaps.{s}", n) for s, n in numbers.by_severity.items()),
        ("gaps.wrong", numbers.wrong),
        ("gaps.not_implemented", numbers.not_implemented),
        ("enhancements", numbers.enhancements),
        ("subjects", numbers.subjects),
        ("subjects.checked", numbers.subjects_checked),
    ):
        ET.SubElement(properties, "property", name=name, value=str(value))
    for check in run["checks"]:
        subjects = set(run["covered"].get(check, {}))
        mine = [g for g in gaps if check in g["checks"] or SUPPORT_CHECK in g["checks"]]
        subjects |= {g["subject"] for g in gaps if check in g["checks"]}
        suite = ET.SubElement(root, "testsuite", name=check)
        counts = {"tests": 0, "failures": 0}
        for subject in sorted(subjects):
            counts["tests"] += 1
            case = ET.SubElement(suite, "testcase", classname=check, name=_xml(subject))
            on_subject = [g for g in mine if g["subject"] == subject]
            fails = [g for g in on_subject if g["id"] in failing]
            if fails:
                counts["failures"] += 1
                failure = ET.SubElement(
                    case,
                    "failure",
                    message=_xml(
                        "; ".join(f"{g['id']} [{g['severity']}] {g['title']}" for g in fails)
                    ),
                    type=",".join(sorted({g["category"] for g in fails})),
                )
                failure.text = _xml("\n\n".join(_detail(g) for g in fails))
            others = [g for g in on_subject if g["id"] not in failing]
            if others:
                ET.SubElement(case, "system-out").text = _xml(
                    "\n".join(
                        f"{g['id']} [{g['severity']}] {g['title']} (not gating)" for g in others
                    )
                )
        for key, n in counts.items():
            suite.set(key, str(n))
            totals[key] += n
    for key, n in totals.items():
        root.set(key, str(n))
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def _detail(gap: Mapping[str, Any]) -> str:
    lines = [
        f"{gap['id']}: {gap['title']}",
        f"severity: {gap['severity']}; category: {gap['category_title']}",
        f"what: {gap['message']}",
        f"impact: {gap['impact']}",
        f"fix: {gap['recommendation']}",
    ]
    if gap["cases"]:
        lines.append("cases: " + ", ".join(gap["cases"][:3]))
    if gap["stderr"]:
        lines.append("stderr (tail):\n" + gap["stderr"][-1000:])
    return "\n".join(lines)


def _xml(value: str) -> str:
    return _NOT_XML.sub("\ufffd", value)
