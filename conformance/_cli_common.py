"""What the commands share: exit codes, the output folder, the gate's
options, and the one path from raw results to reports and the exit code.

Its own module so that command modules (``_cli``, ``_cli_serve``) import
it, never each other.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from conformance.report import Tally
    from conformance.results import RawResults
    from conformance.spec import SpecPack

__all__ = [
    "DEFAULT_PROFILE",
    "EXIT_ERROR",
    "EXIT_FINDINGS",
    "EXIT_INTERNAL",
    "EXIT_OK",
    "FORMAT",
    "GAP_RULES",
    "HISTORY",
    "OUTPUT_DIR",
    "PROFILES",
    "SPLIT",
    "TIMEOUT",
    "History",
    "gate_options",
    "generation",
    "report",
]

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR, EXIT_INTERNAL = 0, 1, 2, 3

#: Where outputs go by default: one folder under the current directory.
OUTPUT_DIR = Path("conformance-results")


#: Generated examples by profile: (examples per type, seed); a None seed is
#: a fresh one each run. The default is the shipped seed, so that a run's
#: examples and finding ids are the same on every run and every machine.
PROFILES: dict[str, tuple[int, int | None]] = {"ci": (25, 0), "local": (100, None)}
DEFAULT_PROFILE = "ci"


def generation(
    profile: str, *, examples: int | None, seed: int | None, explore: bool
) -> tuple[int, int | None]:
    """(examples per type, seed) of a run; a None seed is to be drawn afresh."""
    if explore and seed is not None:
        raise click.UsageError("--explore draws a fresh seed: give --seed or --explore, not both")
    count, profile_seed = PROFILES[profile]
    if seed is not None:
        return examples or count, seed
    return examples or count, None if explore else profile_seed


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


SPLIT = click.option(
    "--split",
    type=click.Choice(["domains"]),
    default=None,
    help="Write the md and html reports as an index (<stem>.md, <stem>.html) and one "
    "document per domain (<stem>.<domain>.md, ...), each with its own summary, tables, "
    "gaps and recommendations [default: one document].",
)


@dataclass(frozen=True)
class History:
    """A ``--history`` file and the lines it held when the command started."""

    path: Path
    lines: tuple[dict[str, Any], ...]


def _history(ctx: click.Context, param: click.Parameter, value: Path | None) -> History | None:
    """Read and check the file while the options are parsed: a bad line is
    bad input before any run starts."""
    if value is None:
        return None
    from conformance.report import read_history

    return History(value, tuple(read_history(value)))


HISTORY = click.option(
    "--history",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    callback=_history,
    help="Append this run to a history file (JSON lines, schemas/report/history.schema.json; "
    "created if missing) and draw the whole history as a trend in the HTML report.",
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
    split: str | None = None,
    history: History | None = None,
    show: Callable[[Tally], None] | None = None,
) -> int:
    """Group findings into gaps, write the reports (when out_dir is given),
    print the gate's verdict; returns the exit code: ``EXIT_INTERNAL`` when
    the reports cannot be written (a full disk), the previous set intact.
    ``show`` prints what comes before the verdict (the run's table) with the
    same numbers."""
    from conformance.findings import load_gap_rules
    from conformance.gaps import load_baseline, load_gap_ids
    from conformance.report import FORMATS, append_history, coverage_line, tally, write_reports
    from conformance.spec import load_pack

    try:
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
            date=date,
            split=split,
            required_ops=require_ops,
            history=None if history is None else history.lines,
        )
        if history is not None:
            append_history(history.path, history.lines, outputs.document["history"][-1])
    except OSError as exc:  # a full disk, a folder gone: the machine's fault, not the input's
        click.echo(
            f"error: the report set could not be written into {out_dir}: "
            f"{exc.strerror or exc}; any previous report there is as it was",
            err=True,
        )
        return EXIT_INTERNAL
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
