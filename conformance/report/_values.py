"""How values read in every human format of the report (Markdown, HTML)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

__all__ = ["TRUNCATE_AT", "coverage_line", "percent", "pretty"]

#: Longest pretty-printed value (a reproducing payload, ...) shown inline; the
#: JSON report always has the whole of it.
TRUNCATE_AT = 4000


def percent(value: float | None) -> str:
    """A completeness; None means nothing of the kind was checked."""
    return "not checked" if value is None else f"{float(value):.1f}%"


def pretty(value: Any) -> str:
    """A JSON value as people read it: indented, keys sorted."""
    return json.dumps(
        value, indent=2, ensure_ascii=False, sort_keys=True, allow_nan=False, default=repr
    )


#: A subject kind as a plural noun, in coverage lines.
_PLURAL = {"type": "types", "helper": "helpers", "endpoint": "endpoints"}


def coverage_line(line: Mapping[str, Any]) -> str:
    """One entry of the report's ``coverage``, as every format tells it:
    "request not supported: 30 endpoints not checked (endpoints)". Plain
    text: the op's name is the adapter's, each format escapes it."""
    told = (
        f"{line['op']} not supported: {line['not_checked']} "
        f"{_PLURAL.get(str(line['kind']), str(line['kind']))} not checked ({line['check']})"
    )
    return f"{told}: {line['reason']}" if line.get("reason") else told
