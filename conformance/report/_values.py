"""How values read in every human format of the report (Markdown, HTML)."""

from __future__ import annotations

import json
from typing import Any

__all__ = ["TRUNCATE_AT", "percent", "pretty"]

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
