"""What the commands share: exit codes, the output folder, the gate's
options, and the one path from raw results to reports and the exit code.

Its own module so that command modules (``_cli``, ``_cli_serve``) import
it, never each other.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from conformance.report import Tally
    from conformance.results import RawResults
    from conformance.spec import SpecPack

__all__ = [
    "EXIT_ERROR",
    "EXIT_FINDINGS",
    "EXIT_INTERNAL",
    "EXIT_OK",
    "FORMAT",
    "GAP_RULES",
    "OUTPUT_DIR",
    "TIMEOUT",
    "gate_options",
    "report",
]

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR, EXIT_INTERNAL = 0, 1, 2, 3

#: Where outputs go by default: one folder under the current directory.
OUTPUT_DIR = Path("conformance-results")


TIMEOUT = click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=10.0,
    show_default=True,
    help="Seconds a subprocess adapter has to answer each message (a batch is one message).",
)


GAP_RULES = click.option(
    "--gap-rules",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="A project's rules layered over schemas/gap-rules.json (severity overrides).",
)


def gate_options(func: Any) -> Any:
    """--baseline, --strict-baseline, --fail-on-incidents, --fail-on,
    --require-op and --gap-rules: the CI gate."""
    options = [
        click.option(
            "--baseline",
            type=click.Path(exists=True, dir_okay=False, path_type=Path),
            default=None,
            help="Accepted gap ids (`baseline write` makes one): only other gaps fail.",
        ),
        click.option(
            "--strict-baseline",
            is_flag=True,
            help="Also fail when a baseline entry no longer occurs (stale).",
        ),
        click.option(
            "--fail-on-incidents",
            is_flag=True,
            help="Also fail when the adapter had incidents (a batch answered only one request "
            "at a time, a restart between requests): the run's incidents section lists them.",
        ),
        click.option(
            "--fail-on",
            default="low",
            show_default=True,
            help="Lowest severity that fails the gate, one of the gap rules' severities "
            "(critical, high, medium, low); lower gaps are reported only.",
        ),
        click.option(
            "--require-op",
            "require_ops",
            multiple=True,
            help="Fail when the adapter does not support this op (repeatable), e.g. request. "
            "Without it a missing op is coverage (its subjects not checked), never a gap.",
        ),
        GAP_RULES,
    ]
    for option in reversed(options):
        func = option(func)
    return func


class _FormatChoice(click.ParamType):  # type: ignore[type-arg]  # generic only from click 8.3
    """The report formats, read from ``conformance.report.FORMATS`` when
    needed (help or a value), so that the renderers load only then."""

    name = "format"

    @staticmethod
    def _names() -> list[str]:
        from conformance.report import FORMATS

        return list(FORMATS)

    def get_metavar(self, param: click.Parameter, ctx: click.Context) -> str:
        return "[" + "|".join(self._names()) + "]"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        names = self._names()
        if value not in names:
            self.fail(f"{value!r} is not one of {', '.join(names)}", param, ctx)
        return str(value)


FORMAT = click.option(
    "--format",
    "formats",
    type=_FormatChoice(),
    multiple=True,
    help="Report format (repeatable) [default: every format].",
)


def report(
    raw: RawResults,
    *,
    pack: SpecPack | None = None,
    out_dir: Path | None,
    stem: str,
    formats: tuple[str, ...],
    baseline: Path | None,
    strict_baseline: bool,
    fail_on: str,
    gap_rules: Path | None,
    fail_on_incidents: bool = False,
    require_ops: tuple[str, ...] = (),
    date: str | None = None,
    show: Callable[[Tally], None] | None = None,
) -> int:
    """Group findings into gaps, write the reports (when out_dir is given),
    print the gate's verdict; returns the exit code. ``show`` prints what
    comes before the verdict (run's table) with the same numbers."""
    from conformance.findings import load_gap_rules
    from conformance.gaps import load_baseline, load_gap_ids
    from conformance.report import FORMATS, coverage_line, tally, write_reports
    from conformance.spec import load_pack

    outputs = write_reports(
        raw,
        pack=pack or load_pack(raw.spec_version),
        out_dir=out_dir or Path("."),
        stem=stem,
        formats=(formats or tuple(FORMATS)) if out_dir else (),
        rules=load_gap_rules(layer=gap_rules),
        ids=load_gap_ids(),
        baseline=load_baseline(baseline) if baseline else None,
        fail_on=fail_on,
        strict=strict_baseline,
        fail_on_incidents=fail_on_incidents,
        required_ops=require_ops,
        date=date,
    )
    for path in outputs.written:
        click.echo(f"report: {path}")
    verdict = outputs.verdict
    numbers = tally(outputs.document)
    if show is not None:
        show(numbers)
    click.echo(
        f"gate: {'PASSED' if verdict.passed else 'FAILED'} "
        f"(completeness {outputs.document['summary']['completeness']}%, {numbers.line()}; "
        f"fail on {fail_on}+: {len(verdict.new)} new, {len(verdict.accepted)} accepted, "
        f"{len(verdict.stale)} stale, {len(verdict.below_threshold)} below threshold)"
    )
    if verdict.incomplete is not None:
        click.echo(f"incomplete run ({verdict.incomplete}): the gate never passes it", err=True)
    if verdict.incidents:
        what = "failing (--fail-on-incidents)" if fail_on_incidents else "see the report"
        click.echo(f"{verdict.incidents} adapter incidents ({what})", err=True)
    for line in outputs.document["coverage"]:
        click.echo(coverage_line(line) + (" (required: failing)" if line["required"] else ""))
    if verdict.new:
        more = (
            f" and {len(verdict.new) - 20} more (see the report)" if len(verdict.new) > 20 else ""
        )
        click.echo(f"new gaps: {', '.join(verdict.new[:20])}{more}", err=True)
    if verdict.stale:
        what = "failing (--strict-baseline)" if strict_baseline else "remove them from the baseline"
        click.echo(f"stale baseline entries ({what}): {', '.join(verdict.stale)}", err=True)
    return EXIT_OK if verdict.passed else EXIT_FINDINGS
