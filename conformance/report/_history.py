"""A run history: one line per run, for the trend a report draws.

Why a file of its own: a report is one run, but a port author wants to see
completeness climb release after release. ``--history FILE`` appends one
line per run (``schemas/report/history.schema.json``) after the report is
written, and the HTML report of that run draws every line of the file as a
line chart. The file is read and checked before it is extended: a bad line
is bad input (file, line and pointer), never silently dropped.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from conformance._data import load_json_lines
from conformance._paths import write_atomically

__all__ = ["HISTORY_SCHEMA", "append_history", "history_entry", "read_history"]

HISTORY_SCHEMA = "../report/history.schema.json"  # relative to schemas/meta/


def read_history(path: Path) -> list[dict[str, Any]]:
    """The lines of ``path``, checked; none when it does not exist yet."""
    if not path.exists():
        return []
    return [dict(line) for line in load_json_lines(path, HISTORY_SCHEMA)]


def history_entry(document: Mapping[str, Any]) -> dict[str, Any]:
    """The line of one report document."""
    summary = document["summary"]
    return {
        "date": str(document["date"]),
        "implementation": {
            "name": str(document["implementation"]["name"]),
            "version": str(document["implementation"]["version"]),
        },
        "spec": str(document["reference"]["version"]),
        "completeness": summary["completeness"],
        "gaps": dict(summary["gaps"]["by_severity"]),
        "passed": bool(document["gate"]["passed"]),
    }


def append_history(
    path: Path, before: Sequence[Mapping[str, Any]], entry: Mapping[str, Any]
) -> None:
    """``path`` holding ``before`` and then ``entry``, written whole through a
    temporary file (a reader never sees half a line)."""
    lines = [*before, entry]
    write_atomically(path, "".join(json.dumps(line, sort_keys=True) + "\n" for line in lines))
