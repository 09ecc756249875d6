"""Terminal output: a progress bar on long runs, a summary table at the end.

Whatever an adapter said (its hello's name, version and language, names in
its answers, messages, stderr) is shown as plain text, never as Rich markup
(a name ``[/bold]`` would raise ``MarkupError`` and lose the run's report),
and through ``terminal_safe``: an adapter's escape sequences could otherwise
rewrite the terminal (colours, cursor moves, OSC 8 links, the window title,
OSC 52 clipboard writes).
"""

from __future__ import annotations

import re

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from conformance.checks import SUPPORT_CHECK, Outcome, Passed, Skipped
from conformance.report._document import Tally
from conformance.runner import RunResult

__all__ = ["ProgressHandler", "summary_table", "terminal_safe"]

#: Characters a terminal acts on: C0 controls (ESC starts ANSI and OSC
#: sequences; NUL, BEL, backspace, carriage return), DEL, C1 controls (CSI
#: and OSC have one-byte forms), and the bidirectional overrides and isolates
#: that make text read other than it is.
_ACTIVE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
#: Longest text shown for one adapter-given name or line.
SHOWN = 200


def terminal_safe(text: str, limit: int = SHOWN) -> str:
    """``text`` with every character a terminal acts on written as its
    escape (``\\x1b``, ``\\n``, ``\\u202e``), so it is shown and never
    obeyed, on one line, cut at ``limit`` characters (a 10,000-character
    name stays readable)."""
    shown = _ACTIVE.sub(lambda m: repr(m.group())[1:-1], text)
    if len(shown) > limit:
        shown = f"{shown[: limit - 20]}... ({len(text)} chars)"
    return shown


def _plain(text: str, limit: int = SHOWN) -> Text:
    """Adapter-given text as a Rich cell: no markup, nothing a terminal obeys."""
    return Text(terminal_safe(text, limit))


class ProgressHandler:
    """A live count of outcomes per check (stderr; off in CI or with --quiet)."""

    def __init__(self, console: Console) -> None:
        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[found]} findings"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )
        self._task = self._progress.add_task("checking", total=None, found=0)
        self._found = 0

    def start(self, result: RunResult) -> None:
        self._progress.start()

    def handle(self, outcome: Outcome) -> None:
        if not isinstance(outcome, Passed | Skipped):
            self._found += 1
        self._progress.update(
            self._task,
            advance=1,
            # a column's text is markup: escaped, not a Text
            description=escape(terminal_safe(f"checking {outcome.type_name or ''}", 40)),
            found=self._found,
        )

    def finish(self, result: RunResult) -> None:
        self._progress.stop()


def summary_table(result: RunResult, numbers: Tally) -> Table:
    """Per check: outcomes, passed, skipped, gaps it saw; then the totals,
    all counted from the report document (``Tally``), as the report and
    the gate count them."""
    hello = result.hello
    table = Table(
        title=_plain(
            f"{hello.name} {hello.version} ({hello.language}) against spec {result.spec_version}",
            3 * SHOWN,
        )
    )
    for column in ("check", "executed", "passed", "skipped", "gaps"):
        table.add_column(column, justify="left" if column == "check" else "right")
    for name in result.checks:
        table.add_row(
            _plain(name),
            str(result.executed[name]),
            str(result.passed[name]),
            str(result.skipped[name]),
            str(numbers.per_check.get(name, 0)),
        )
    if numbers.per_check.get(SUPPORT_CHECK):
        table.add_row(SUPPORT_CHECK, "-", "-", "-", str(numbers.per_check[SUPPORT_CHECK]))
    table.caption = f"{result.total} checks in {result.seconds:.1f}s; {numbers.line()}"
    return table
