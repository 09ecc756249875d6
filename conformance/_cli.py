"""The ``tinker-conformance`` command line.

Exit codes (every command):
  0  passed: nothing found, or the gate passed
  1  the gate failed: gaps (or drift) the check found
  2  usage error or bad input (a missing/corrupt file names itself and the
     JSON pointer), found before a run starts
  3  internal error: a crash of the suite itself; one line says what failed
     and where the traceback was written
"""

from __future__ import annotations

import contextlib
import difflib
import shlex
import signal
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from conformance._cli_common import (
    DEFAULT_PROFILE,
    EXIT_ERROR,
    EXIT_FINDINGS,
    EXIT_INTERNAL,
    EXIT_OK,
    FORMAT,
    GAP_RULES,
    HISTORY,
    OUTPUT_DIR,
    PROFILES,
    SPLIT,
    TIMEOUT,
    History,
    gate_options,
    generation,
    report,
)
from conformance._data import PACKS_ENV, SCHEMAS_ROOT, use_packs
from conformance._errors import ConformanceError, Interrupted
from conformance._paths import inside, slug, writable
from conformance.load import ADAPTER_HELP

if TYPE_CHECKING:
    from conformance.report import FailureWriter
    from conformance.runner import RunResult

__all__ = ["main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="tinker-conformance")
@click.option(
    "--packs",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    envvar=PACKS_ENV,
    help="Read spec packs from DIR/schemas/<version>/ and their fixtures from "
    "DIR/fixtures/<version>/ (a checkout, or a pack you generated) instead of the "
    f"ones shipped with the suite. Also ${PACKS_ENV}.",
)
def cli(packs: Path | None) -> None:
    """Conformance and type-parity suite for clients of the Tinker API.

    Exit codes: 0 passed, 1 gate failed (gaps or drift), 2 usage error or bad
    input, 3 internal error (a crash of the suite; the traceback is written
    to a file named on stderr).
    """
    if packs is not None:
        if not (packs / "schemas").is_dir():
            raise click.BadParameter(
                f"{packs} has no schemas/ folder (expected DIR/schemas/<version>/)",
                param_hint="--packs",
            )
        use_packs(packs)


@cli.command("packs")
def list_packs() -> None:
    """List the spec packs in use and where they come from."""
    from conformance._data import fixtures_dir, packs_dir, packs_origin
    from conformance.spec import available_versions

    versions = available_versions()
    click.echo(f"packs: {packs_origin()}")
    if not versions:
        click.echo(f"no pack under {packs_dir()}", err=True)
        sys.exit(EXIT_ERROR)
    for version in versions:
        fixtures = fixtures_dir() / version
        click.echo(
            f"{version:10} {packs_dir() / version}"
            + (f"  (fixtures: {fixtures})" if fixtures.is_dir() else "  (no fixtures)")
        )


@cli.group()
def schemas() -> None:
    """Generate, check and compare spec packs (schemas/<version>/)."""


@schemas.command("generate")
@click.option(
    "--sdk-version",
    required=True,
    help="Version of the reference SDK to generate from; must be the installed `tinker`.",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=SCHEMAS_ROOT,
    show_default=True,
    help="Root folder of the packs.",
)
@click.option(
    "--check",
    is_flag=True,
    help="Write nothing; exit 1 and print a diff if the checked-in pack differs.",
)
def schemas_generate(sdk_version: str, out: Path, check: bool) -> None:
    """Generate the pack of the installed reference SDK (run by `nox -s schemas -- X`)."""
    from conformance.generate import generate_pack, installed_sdk_version, render_pack

    installed = installed_sdk_version()
    if installed != sdk_version:
        raise click.UsageError(
            f"--sdk-version {sdk_version} asked, but tinker=={installed} is installed here; "
            f"run `nox -s schemas -- {sdk_version}`, which installs it in its own virtualenv"
        )
    if not check:
        target = generate_pack(out)
        click.echo(f"wrote {target} ({len(list(target.glob('*.json')))} files)")
        return
    drift = _drift(render_pack(), out / sdk_version)
    if drift:
        click.echo(drift, nl=False)
        click.echo(
            f"\npack {sdk_version} drifted from the SDK; regenerate with "
            f"`nox -s schemas -- {sdk_version}` and review the diff",
            err=True,
        )
        sys.exit(EXIT_FINDINGS)
    click.echo(f"pack {sdk_version}: no drift")


def _drift(fresh: dict[str, str], folder: Path, *, recursive: bool = False) -> str:
    """A unified diff of files on disk against freshly generated ones."""
    files = folder.rglob("*.json") if recursive else folder.glob("*.json")
    on_disk = {p.relative_to(folder).as_posix(): p.read_text(encoding="utf-8") for p in files}
    out: list[str] = []
    for name in sorted(set(fresh) | set(on_disk)):
        old, new = on_disk.get(name, ""), fresh.get(name, "")
        if old != new:
            out.extend(
                difflib.unified_diff(
                    old.splitlines(keepends=True),
                    new.splitlines(keepends=True),
                    fromfile=f"checked-in/{name}" if name in on_disk else "/dev/null",
                    tofile=f"generated/{name}" if name in fresh else "/dev/null",
                )
            )
    return "".join(out)


@cli.group()
def fixtures() -> None:
    """Golden fixtures (fixtures/<version>/types/)."""


@fixtures.command("generate")
@click.option("--sdk-version", required=True, help="Must be the installed `tinker`.")
@click.option(
    "--check",
    is_flag=True,
    help="Write nothing; exit 1 and list the files that would change.",
)
def fixtures_generate(sdk_version: str, check: bool) -> None:
    """Regenerate the golden data recorded from the installed reference SDK
    (run by `nox -s fixtures -- X`): type cases (gen-*, and the canonical forms
    of curated edge-* cases), behaviour vectors and endpoint vectors. Their
    inputs (curated cases, behaviours/inputs.json, endpoints/inputs.json) are
    never touched."""
    import shutil
    import tempfile

    from conformance._data import FIXTURES_ROOT
    from conformance.generate import installed_sdk_version
    from conformance.generate._fixtures import Note
    from conformance.spec import load_pack

    if installed_sdk_version() != sdk_version:
        raise click.UsageError(f"tinker=={sdk_version} is not the installed SDK")
    pack = load_pack(sdk_version)
    notes: list[Note] = []
    if not check:
        _record_fixtures(pack, FIXTURES_ROOT, notes)
        click.echo(f"fixtures {sdk_version}: written")
        for note in notes:
            click.echo(f"not written: {note}")
        return
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        shutil.copytree(FIXTURES_ROOT / sdk_version, root / sdk_version)
        _record_fixtures(pack, root, notes)
        drift = _drift(
            {
                p.relative_to(root / sdk_version).as_posix(): p.read_text(encoding="utf-8")
                for p in (root / sdk_version).rglob("*.json")
            },
            FIXTURES_ROOT / sdk_version,
            recursive=True,
        )
    if drift:
        click.echo(drift, nl=False)
        click.echo(
            f"fixtures {sdk_version} drifted; run `nox -s fixtures -- {sdk_version}`", err=True
        )
        sys.exit(EXIT_FINDINGS)
    click.echo(f"fixtures {sdk_version}: no drift")


def _record_fixtures(pack: Any, root: Path, notes: list[Any]) -> None:
    from conformance.generate._behaviours import generate_behaviour_vectors
    from conformance.generate._endpoints_vectors import write_vectors
    from conformance.generate._fixtures import generate_type_fixtures, refresh_curated

    generate_type_fixtures(pack, root, notes=notes)
    refresh_curated(pack, root)
    generate_behaviour_vectors(pack, root)
    write_vectors(pack.version, root)


@schemas.command("diff")
@click.argument("old")
@click.argument("new")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help=f"Markdown file to write [default: {OUTPUT_DIR}/changelog-OLD-to-NEW.md].",
)
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Root folder of the packs [default: the packs in use, see `packs`].",
)
def schemas_diff(old: str, new: str, out: Path | None, root: Path | None) -> None:
    """Write a Markdown changelog of wire changes between two packs."""
    from conformance.spec import load_pack
    from conformance.spec.diff import diff_packs, render_changelog

    changes = diff_packs(load_pack(old, root), load_pack(new, root))
    target = out or OUTPUT_DIR / f"changelog-{old}-to-{new}.md"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render_changelog(changes), encoding="utf-8")
    click.echo(f"wrote {target} ({len(changes.entries)} changes)")


@cli.command("run")
@click.option("--adapter", "adapter_spec", required=True, help=ADAPTER_HELP)
@click.option("--spec", "spec_version", required=True, help="Spec pack version, e.g. 0.15.0.")
@click.option(
    "--check",
    "checks",
    multiple=True,
    help="Run only this check (repeatable). Default: all. See `tinker-conformance checks`.",
)
@click.option(
    "--profile",
    type=click.Choice(list(PROFILES)),
    default=DEFAULT_PROFILE,
    show_default=True,
    help="ci: 25 examples per type at the shipped seed 0, the same examples and ids on "
    "every run; local: 100 examples, a fresh seed each run (printed).",
)
@click.option(
    "--explore",
    is_flag=True,
    help="A fresh seed (printed) instead of the profile's: new examples, for finding gaps "
    "the shipped seed misses.",
)
@click.option(
    "--examples", type=click.IntRange(min=1), default=None, help="Examples per type (overrides)."
)
@click.option("--seed", type=int, default=None, help="Seed of generated examples (overrides).")
@click.option(
    "--oracle",
    type=click.Choice(["recorded", "live"]),
    default="recorded",
    show_default=True,
    help="What generated examples are judged against. recorded: the reference's answers "
    "in the corpus (shipped, cached, or built once with the installed reference); needs "
    "no reference SDK when the corpus exists. live: the installed reference asked again "
    "for every example.",
)
@click.option(
    "--output-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=OUTPUT_DIR,
    show_default=True,
    help="Folder of the run's outputs: raw results in raw/, failing generated examples "
    "in failures/.",
)
@click.option(
    "--results",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Raw results JSON [default: OUTPUT_DIR/raw/<name>-<version>-spec-<spec>.json, "
    "name and version made safe for a file name].",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress bar (the default when CI is set).")
@click.option(
    "--max-time",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    help="Seconds the run may take; then it ends as on SIGINT or SIGTERM: what was gathered "
    "is written, marked interrupted, and the gate fails (an incomplete run never passes).",
)
@TIMEOUT
@click.option(
    "--validate-protocol",
    is_flag=True,
    help="Debug a subprocess adapter: check every message both ways against "
    "schemas/protocol/; a violation is a protocol-error finding.",
)
@click.option(
    "--report",
    "report_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Also write the gap report (see `report`) into this folder.",
)
@FORMAT
@SPLIT
@HISTORY
@gate_options
def run_command(
    adapter_spec: str,
    spec_version: str,
    checks: tuple[str, ...],
    profile: str,
    explore: bool,
    examples: int | None,
    seed: int | None,
    oracle: str,
    output_dir: Path,
    results: Path | None,
    quiet: bool,
    max_time: float | None,
    timeout: float,
    validate_protocol: bool,
    report_dir: Path | None,
    formats: tuple[str, ...],
    split: str | None,
    history: History | None,
    baseline: Path | None,
    strict_baseline: bool,
    fail_on_incidents: bool,
    fail_on: str,
    require_ops: tuple[str, ...],
    gap_rules: Path | None,
) -> None:
    """Run the conformance checks against an implementation.

    Every finding on a generated example is also written to
    OUTPUT_DIR/failures/ with its payload and the `replay` command. The gate
    decides the exit: 0 when no gap at or above --fail-on is new (not in
    --baseline; enhancements never count), 1 otherwise, 2 on bad input.
    """
    import os
    import random

    from rich.console import Console

    from conformance._cli_corpus import Shrinker, corpus_for_run, live_reference
    from conformance.cases import load_type_cases
    from conformance.checks import CheckContext
    from conformance.findings import load_gap_rules
    from conformance.gaps import load_baseline
    from conformance.load import load_adapter
    from conformance.report import (
        FailureWriter,
        ProgressHandler,
        RawResultsWriter,
        Tally,
        summary_table,
    )
    from conformance.runner import Handler, run
    from conformance.spec import load_pack

    # SIGTERM and the time budget hold from here to the adapter's close: an
    # interruption during the setup leaves nothing to report, one during the
    # run ends it cleanly; the report is written after, whatever came.
    with _stoppable(max_time) as stop:
        # Bad input is found before the run, not after it: the options, the pack,
        # the rules, the threshold, the baseline and the folders the run will write.
        count, chosen_seed = generation(profile, examples=examples, seed=seed, explore=explore)
        pack = load_pack(spec_version)
        rules = load_gap_rules(layer=gap_rules)
        rules.check_threshold(fail_on)
        if baseline is not None:
            load_baseline(baseline)
        for folder in (output_dir, report_dir, results.parent if results else None):
            if folder is not None:
                writable(folder)
        reference = live_reference(pack, oracle)
        run_seed = chosen_seed if chosen_seed is not None else random.randrange(2**32)
        examples_of = corpus_for_run(pack, checks, run_seed, count, keep=chosen_seed is not None)
        shrinker = Shrinker(pack, reference)
        # Built before the adapter starts: a build forks its workers.
        adapter = load_adapter(adapter_spec, pack, timeout=timeout, validate=validate_protocol)
        try:
            ctx = CheckContext(
                pack=pack,
                adapter=adapter,
                cases=load_type_cases(spec_version),
                rules=rules,
                examples=count,
                seed=run_seed,
                reference=reference,
                corpus=examples_of,
                shrinker=shrinker,
            )
            hello = adapter.hello()
            stem = f"{slug(hello.name, hello.version)}-spec-{spec_version}"
            target = results or inside(output_dir / "raw", f"{stem}.json")
            _check_distinct(target, report_dir, stem, formats)
            console = Console(stderr=True)
            failures = FailureWriter(
                inside(output_dir / "failures", stem), adapter_spec, spec_version
            )
            handlers: list[Handler] = [RawResultsWriter(target), failures]
            if not (quiet or os.environ.get("CI")) and console.is_terminal:
                handlers.append(ProgressHandler(console))
            outcome = run(ctx, list(checks) or None, handlers, stop=stop)
        finally:
            adapter.close()
            shrinker.close()
    _tell(outcome, failures, adapter_spec)
    click.echo(f"raw results: {target} (profile {profile}, seed {ctx.seed})")
    from conformance.results import RawResults

    def show(numbers: Tally) -> None:
        Console().print(summary_table(outcome, numbers))

    sys.exit(
        report(
            RawResults.from_json(outcome.to_json(), target),
            pack=pack,
            out_dir=report_dir,
            stem=target.stem,
            formats=formats,
            baseline=baseline,
            strict_baseline=strict_baseline,
            fail_on_incidents=fail_on_incidents,
            fail_on=fail_on,
            require_ops=require_ops,
            gap_rules=gap_rules,
            split=split,
            history=history,
            show=show,
        )
    )


@cli.command("report")
@click.argument("results", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--out-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=OUTPUT_DIR,
    show_default=True,
    help="Folder of the report files.",
)
@click.option("--name", default=None, help="File stem [default: the results file's stem].")
@click.option("--date", default=None, help="Date in the title, YYYY-MM-DD [default: today].")
@FORMAT
@SPLIT
@HISTORY
@gate_options
def report_command(
    results: Path,
    out_dir: Path,
    name: str | None,
    date: str | None,
    formats: tuple[str, ...],
    split: str | None,
    history: History | None,
    baseline: Path | None,
    strict_baseline: bool,
    fail_on_incidents: bool,
    fail_on: str,
    require_ops: tuple[str, ...],
    gap_rules: Path | None,
) -> None:
    """Write the gap report of a raw results file (`run --results`): Markdown
    and self-contained HTML in the shape of the hand-written audits, JSON
    (schemas/report/report.schema.json) and JUnit XML; then apply the gate.

    Exit 0 when the gate passes, 1 when it fails (a new gap at or above
    --fail-on, or a stale entry with --strict-baseline), 2 on bad input.
    """
    from conformance.results import load_results

    sys.exit(
        report(
            load_results(results),
            out_dir=out_dir,
            stem=name or results.stem,
            formats=formats,
            baseline=baseline,
            strict_baseline=strict_baseline,
            fail_on_incidents=fail_on_incidents,
            fail_on=fail_on,
            require_ops=require_ops,
            gap_rules=gap_rules,
            date=date,
            split=split,
            history=history,
        )
    )


@cli.command("diff")
@click.argument("old", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("new", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--out-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=OUTPUT_DIR,
    show_default=True,
    help="Folder of the diff files.",
)
@click.option("--name", default=None, help="File stem [default: diff-<OLD stem>-to-<NEW stem>].")
@click.option(
    "--format",
    "formats",
    type=click.Choice(["md", "html", "json"]),
    multiple=True,
    help="Diff format (repeatable) [default: every format].",
)
@click.option(
    "--across-specs",
    is_flag=True,
    help="Compare runs against different spec packs (refused otherwise, exit 2).",
)
@GAP_RULES
def diff_command(
    old: Path,
    new: Path,
    out_dir: Path,
    name: str | None,
    formats: tuple[str, ...],
    across_specs: bool,
    gap_rules: Path | None,
) -> None:
    """What changed between two runs: OLD and NEW are raw results files
    (`run --results`) or report JSONs. Lists the gaps fixed, the new ones and
    those whose severity or category changed, and completeness per domain
    before and after (schemas/report/diff.schema.json).

    Exit 0 when NEW has no gap OLD did not (and none became more severe),
    1 otherwise (to gate a pull request against main), 2 on bad input or
    runs of different spec versions without --across-specs.
    """
    from conformance._paths import write_atomically
    from conformance.findings import load_gap_rules
    from conformance.gaps import load_gap_ids
    from conformance.report._diff import DIFF_FORMATS, check_diff, diff_documents, read_side

    rules, ids = load_gap_rules(layer=gap_rules), load_gap_ids()
    sides = read_side(old, rules, ids), read_side(new, rules, ids)
    diff = diff_documents(*sides, rules, sources=(str(old), str(new)), across_specs=across_specs)
    stem = name or f"diff-{old.stem}-to-{new.stem}"
    check_diff(diff, out_dir / f"{stem}.json")
    writable(out_dir)
    for fmt in formats or tuple(DIFF_FORMATS):
        suffix, render = DIFF_FORMATS[fmt]
        target = inside(out_dir, f"{stem}{suffix}")
        write_atomically(target, render(diff))
        click.echo(f"diff: {target}")
    overall = diff["completeness"]["overall"]
    verdict = diff["verdict"]
    click.echo(
        f"diff: {'PASSED' if verdict['passed'] else 'FAILED'} ({len(diff['fixed'])} fixed, "
        f"{len(diff['new_gaps'])} new, {len(diff['changed'])} changed, "
        f"{verdict['worse']} more severe; completeness {overall['old']}% to {overall['new']}%)"
    )
    sys.exit(EXIT_OK if verdict["passed"] else EXIT_FINDINGS)


@cli.group()
def baseline() -> None:
    """Baselines of accepted gaps for the CI gate (--baseline FILE)."""


@baseline.command("write")
@click.argument("results", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The baseline file to create (overwritten).",
)
@GAP_RULES
def baseline_write(results: Path, out: Path, gap_rules: Path | None) -> None:
    """Accept every gap of a raw results file: the gate then fails only on
    gaps that are not in it. Review the file and commit it."""
    from conformance.findings import load_gap_rules
    from conformance.gaps import group, load_gap_ids, write_baseline
    from conformance.results import load_results
    from conformance.spec import load_pack

    raw = load_results(results)
    gaps = group(
        raw.findings,
        load_pack(raw.spec_version),
        load_gap_rules(layer=gap_rules),
        load_gap_ids(),
    )
    impl = raw.implementation
    n = write_baseline(
        out,
        gaps,
        implementation=f"{impl['name']} {impl['version']}",
        spec_version=raw.spec_version,
    )
    click.echo(f"wrote {out} ({n} accepted gaps)")


@cli.group()
def gaps() -> None:
    """The registry of gap ids (schemas/gap-ids.json)."""


@gaps.command("register")
@click.argument("results", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--universe",
    is_flag=True,
    help="Also register the whole-subject gaps every pack allows: each type, endpoint "
    "and helper missing.",
)
def gaps_register(results: tuple[Path, ...], universe: bool) -> None:
    """Give sequential ids (GAP-<DOMAIN>-<NNN>) to gaps that have none yet.

    The registry only grows: an id, once given, is never changed or reused.
    Project maintainers run this on the example audits and commit the file.
    """
    from conformance.gaps import load_gap_ids
    from conformance.gaps._register import register_results, register_universe

    ids = load_gap_ids()
    before = len(ids.entries)
    if universe:
        register_universe(ids)
    for path in results:
        register_results(ids, path)
    ids.save()
    click.echo(f"{ids.source}: {len(ids.entries) - before} new ids, {len(ids.entries)} in all")


@cli.command("replay")
@click.argument("failure", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--adapter", "adapter_spec", required=True, help="The implementation, as for run.")
@TIMEOUT
def replay(failure: Path, adapter_spec: str, timeout: float) -> None:
    """Re-run one generated example from a failures/ file (a run's OUTPUT_DIR/failures/).

    Exit 0 when it now matches the reference, 1 when it still differs.
    """
    from conformance._data import load_json
    from conformance.checks import CheckContext, Passed, Skipped
    from conformance.checks.roundtrip import judge_generated
    from conformance.findings import load_gap_rules
    from conformance.load import load_adapter
    from conformance.reference._classes import installed_version
    from conformance.spec import load_pack

    document = load_json(failure)
    pack = load_pack(document["spec"])
    adapter = load_adapter(adapter_spec, pack, timeout=timeout)
    reference = load_adapter("tinker", pack) if installed_version() == pack.version else None
    ctx = CheckContext(
        pack=pack, adapter=adapter, cases=[], rules=load_gap_rules(), reference=reference
    )
    try:
        outcomes = list(
            judge_generated(ctx, document["type"], document["case"], document["payload"])
        )
    finally:
        adapter.close()
    still = [o for o in outcomes if not isinstance(o, Passed | Skipped)]
    for outcome in outcomes:
        click.echo(str(outcome) if not isinstance(outcome, Passed) else "passes now")
    sys.exit(EXIT_FINDINGS if still else EXIT_OK)


@cli.command("adapter-check")
@click.option(
    "--adapter",
    "adapter_spec",
    required=True,
    help="The adapter program, as 'subprocess:<command line>' (docs/PROTOCOL.md).",
)
@click.option(
    "--spec",
    "spec_version",
    required=True,
    help="Spec pack version: named in hello, its fixtures give the probes' payloads.",
)
@TIMEOUT
def adapter_check(adapter_spec: str, spec_version: str, timeout: float) -> None:
    """Check an adapter program's protocol compliance alone, before a run.

    Probes: hello, id echo, an unknown op and an unknown type answered
    'unsupported', the declared ops, a malformed request and a line that is
    not JSON survived, batch order, stop and end of input. One PASS/FAIL line
    per probe, with the fix for each failure. Exit 0 when all pass, 1 on
    violations, 2 on usage errors.
    """
    from conformance.adapters._probes import probe_adapter
    from conformance.cases import load_type_cases
    from conformance.load import subprocess_command
    from conformance.spec import load_pack

    command = subprocess_command(adapter_spec)
    if command is None:
        raise click.UsageError(
            f"--adapter {adapter_spec!r}: adapter-check speaks to programs; "
            "use subprocess:<command line>"
        )
    load_pack(spec_version)  # a missing pack is exit 2, named
    failed = 0
    for probe in probe_adapter(
        command, spec_version, load_type_cases(spec_version), timeout=timeout
    ):
        click.echo(f"{'PASS' if probe.passed else 'FAIL'} {probe.name:18} {probe.detail}")
        if not probe.passed:
            failed += 1
            click.echo(f"     {'fix:':18} {probe.hint}")
            lines = probe.stderr.strip().splitlines()[-5:]
            for line in lines:
                click.echo(f"     {'stderr:':18} {line}")
    click.echo(f"adapter-check: {'ok' if not failed else f'{failed} probes failed'}")
    sys.exit(EXIT_FINDINGS if failed else EXIT_OK)


@cli.command("checks")
def list_checks() -> None:
    """List the registered checks."""
    from conformance.checks import CHECKS

    for name, item in CHECKS.items():
        click.echo(f"{name:20} {item.description}")


def main() -> None:
    """Run the command line; every way out has its exit code (module docstring)."""
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(EXIT_ERROR)
    except click.exceptions.Abort as exc:
        why = exc.__cause__
        if isinstance(why, KeyboardInterrupt):  # outside a run: nothing gathered to keep
            click.echo(f"interrupted ({why or 'SIGINT'}): incomplete", err=True)
            sys.exit(EXIT_FINDINGS)
        sys.exit(EXIT_ERROR)
    except ConformanceError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_ERROR)
    except Exception as exc:  # a bug of the suite: one line, the traceback in a file
        saved = _save_traceback(exc)
        click.echo(
            f"internal error: {type(exc).__name__}: {exc} (a bug of tinker-conformance; "
            f"traceback in {saved})",
            err=True,
        )
        sys.exit(EXIT_INTERNAL)


def _tell(outcome: RunResult, failures: FailureWriter, adapter_spec: str) -> None:
    """What a person should know of the run beyond its table: incidents, an
    interruption, and how to replay a failing generated example."""
    for incident in outcome.incidents:
        click.echo(f"adapter incident ({incident.kind}): {incident.message}", err=True)
    if outcome.interrupted is not None:
        click.echo(
            f"run interrupted ({outcome.interrupted}) after {outcome.total} outcomes: what was "
            "gathered is written, marked incomplete",
            err=True,
        )
    if failures.written:
        first = shlex.join(
            ["tinker-conformance", "replay", str(failures.written[0]), "--adapter", adapter_spec]
        )
        click.echo(
            f"{len(failures.written)} failing generated examples in {failures.folder}; "
            f"replay one with: {first}"
        )


class _Stop:
    """Why the run must stop, once a signal said so (``run(stop=...)``)."""

    def __init__(self) -> None:
        self.reason: str | None = None

    def __call__(self) -> str | None:
        return self.reason


@contextlib.contextmanager
def _stoppable(max_time: float | None) -> Iterator[_Stop]:
    """SIGINT, SIGTERM (what ``timeout`` and ``docker stop`` send) and the
    ``--max-time`` budget end the run cleanly, marked. The handler raises, to
    break a wait at once, and keeps the reason, which the runner reads between
    outcomes should the exception land where Python ignores it (a weakref
    callback: Python's own SIGINT handler loses its KeyboardInterrupt there)."""
    asked = _Stop()

    def stop(signum: int, _frame: object) -> None:
        why = f"--max-time {max_time:g} s" if signum == _ALARM else signal.Signals(signum).name
        asked.reason = asked.reason or why
        raise Interrupted(why)

    signals = [signal.SIGINT, signal.SIGTERM, *([_ALARM] if _ALARM is not None else [])]
    previous = {sig: signal.signal(sig, stop) for sig in signals}
    if max_time is not None and _ALARM is not None:
        signal.setitimer(signal.ITIMER_REAL, max_time)
    try:
        yield asked
    finally:
        if _ALARM is not None:
            signal.setitimer(signal.ITIMER_REAL, 0)
        for sig, handler in previous.items():
            signal.signal(sig, handler)


#: The timer's signal, where the platform has one (not on Windows).
_ALARM = getattr(signal, "SIGALRM", None)


def _save_traceback(exc: BaseException) -> Path:
    import tempfile
    import traceback

    fd, name = tempfile.mkstemp(prefix="tinker-conformance-", suffix=".traceback.txt")
    with open(fd, "w", encoding="utf-8") as out:
        out.write("".join(traceback.format_exception(exc)))
    return Path(name)


def _check_distinct(
    results: Path, report_dir: Path | None, stem: str, formats: tuple[str, ...]
) -> None:
    """Raw results and report files never share a name (one would overwrite the other)."""
    if report_dir is None:
        return
    from conformance.report import FORMATS

    for name in formats or tuple(FORMATS):
        if (report_dir / f"{stem}{FORMATS[name][0]}").resolve() == results.resolve():
            raise click.BadParameter(
                f"{results} is also the {name} report's file; name another --results",
                param_hint="--results",
            )


def _register_serve() -> None:
    """serve and judge-http live in their own module (conformance._cli_serve),
    corpus in conformance._cli_corpus."""
    from conformance._cli_corpus import corpus
    from conformance._cli_serve import judge_http, serve

    cli.add_command(serve)
    cli.add_command(judge_http)
    cli.add_command(corpus)


_register_serve()
