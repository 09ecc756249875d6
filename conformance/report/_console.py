"""Terminal output: a progress bar on long runs, a summary table at the end."""

from __future__ import annotations

from collections import Counter

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from conformance.checks import SUPPORT_CHECK, Outcome, Passed, Skipped
from conformance.runner import RunResult

__all__ = ["ProgressHandler", "summary_table"]


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
            description=f"checking {outcome.type_name or ''}"[:40],
            found=self._found,
        )

    def finish(self, result: RunResult) -> None:
        self._progress.stop()


def summary_table(result: RunResult) -> Table:
    """Per check: outcomes, passed, findings; then the totals."""
    by_check: Counter[str] = Counter(f.check for f in result.findings.values())
    table = Table(
        title=(
            f"{result.hello.name} {result.hello.version} ({result.hello.language}) "
            f"against spec {result.spec_version}"
        )
    )
    for column in ("check", "executed", "passed", "skipped", "distinct findings"):
        table.add_column(column, justify="left" if column == "check" else "right")
    for name in result.checks:
        table.add_row(
            name,
            str(result.executed[name]),
            str(result.passed[name]),
            str(result.skipped[name]),
            str(by_check[name]),
        )
    if by_check[SUPPORT_CHECK]:
        table.add_row(SUPPORT_CHECK, "-", "-", "-", str(by_check[SUPPORT_CHECK]))
    severity = Counter(f.severity for f in result.gaps)
    table.caption = (
        f"{result.total} checks in {result.seconds:.1f}s; "
        f"{len(result.gaps)} gaps "
        + (", ".join(f"{n} {s}" for s, n in severity.most_common()) or "")
        + f"; {len(result.findings) - len(result.gaps)} enhancements"
    )
    return table
