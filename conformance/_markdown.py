"""Markdown cells and tables that survive any content.

Every string an implementation printed (messages, values, stderr) reaches a
report through these helpers, so a hostile string cannot open a link, inject
HTML or break a table row. Used by the wire changelog and the gap report.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["code", "fence", "table", "text"]

_MARKUP = re.compile(r"([\\|`*_\[\]~#!])")


def table(header: list[str], rows: list[list[str]]) -> list[str]:
    """A pipe table whose cells are already escaped; ``_None._`` when empty."""
    if not rows:
        return ["_None._"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(row) + " |" for row in rows]


def code(value: Any) -> str:
    """A code span that survives any content: a fence longer than any backtick
    run inside, ``|`` escaped for the table, newlines shown as ``\\n``."""
    if value is None:
        return "—"
    body = str(value).replace("\r\n", "\n").replace("\n", "\\n").replace("|", "\\|")
    runs = [len(r) for r in re.findall(r"`+", body)]
    ticks = "`" * (max(runs, default=0) + 1)
    pad = " " if body.startswith("`") or body.endswith("`") else ""
    return f"{ticks}{pad}{body}{pad}{ticks}"


def text(value: Any) -> str:
    """Plain cell text: HTML-significant characters, Markdown markup (links,
    emphasis, code, headings), ``|`` and newlines escaped so the row stays one
    row and shows what it holds."""
    if value is None:
        return "—"
    body = re.sub(r"&(?=#?\w+;)", "&amp;", str(value))  # a bare "&" shows as is
    body = body.replace("<", "&lt;").replace(">", "&gt;")
    body = _MARKUP.sub(r"\\\1", body)
    return body.replace("\r\n", "\n").replace("\n", "<br>")


def fence(body: str, info: str = "") -> list[str]:
    """A fenced block longer than any backtick run in ``body``: content of an
    implementation (payloads, stderr) stays literal whatever it holds."""
    runs = [len(r) for r in re.findall(r"`{3,}", body)]
    ticks = "`" * max(3, max(runs, default=0) + 1)
    return [f"{ticks}{info}", *body.replace("\r\n", "\n").splitlines(), ticks]
