"""The ``serve`` and ``judge-http`` commands (docs/SERVE.md).

Kept apart from ``conformance._cli`` (which registers them) because they run
a server for a port's own test suite rather than drive an adapter.

Exit codes: 0 served / gate passed, 1 gate failed, 2 bad input, 3 internal error.
"""

from __future__ import annotations

import signal
import sys
import threading
from pathlib import Path
from typing import Any

import click

from conformance._cli_common import FORMAT, gate_options
from conformance._paths import write_atomically

__all__ = ["judge_http", "serve"]


@click.command("serve")
@click.option("--spec", "spec_version", required=True, help="Spec pack version, e.g. 0.15.0.")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=0,
    show_default=True,
    help="Port on 127.0.0.1; 0 picks a free one (read it from stdout or --url-file).",
)
@click.option(
    "--scenario",
    default="default",
    show_default=True,
    help="fixtures/<spec>/scenarios/<NAME>.json: which vectors answer which calls.",
)
@click.option(
    "--record",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write every request as JSON lines (schemas/serve/recording.schema.json) for judge-http.",
)
@click.option(
    "--url-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write the base URL to this file (atomically, once listening).",
)
@click.option(
    "--max-time",
    type=click.FloatRange(min=0, min_open=True),
    default=3600.0,
    show_default=True,
    help="Stop after this many seconds at the latest (SIGTERM or Ctrl-C stop it before).",
)
def serve(
    spec_version: str,
    port: int,
    scenario: str,
    record: Path | None,
    url_file: Path | None,
    max_time: float,
) -> None:
    """Serve every endpoint of a spec pack on loopback for a port's own tests.

    Answers come from the pack's endpoint vectors as the scenario scripts them;
    every request is recorded (credentials redacted) for `judge-http`. Prints
    the base URL on the first line of stdout. Exit 0 when stopped by a signal or
    --max-time, 2 on bad input (unknown pack or scenario, port in use), 3 on an
    internal error.
    """
    from conformance.mock_server import MockTinkerServer
    from conformance.serve import ServeApp, load_scenario
    from conformance.spec import load_pack

    pack = load_pack(spec_version)
    chosen = load_scenario(pack, scenario)
    handle = record.open("w", encoding="utf-8") if record is not None else None
    try:
        app = ServeApp(pack, chosen, handle)
        server = MockTinkerServer(port=port, answer=app.answer)
        try:
            server.start()
        except OSError as exc:
            raise click.UsageError(f"cannot listen on 127.0.0.1:{port}: {exc}") from None
        stop = threading.Event()
        reason = {"why": "max-time"}

        def on_signal(signum: int, frame: Any) -> None:
            reason["why"] = "signal"
            stop.set()

        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, on_signal)
        app.start(server.base_url)
        click.echo(server.base_url)
        click.echo(
            f"serve: tinker {pack.version} pack, scenario {chosen.name}: {chosen.description}",
            err=True,
        )
        for rule in chosen.must:
            click.echo(f"  a conforming client must {rule}", err=True)
        if url_file is not None:
            write_atomically(url_file, server.base_url + "\n")
        stop.wait(max_time)
        server.stop()
        app.end(reason["why"], list(server.rejected))
        click.echo(
            f"serve: stopped ({reason['why']}); {app.seq} requests"
            + (f" recorded in {record}" if record else "")
            + (f", {len(server.rejected)} refused" if server.rejected else ""),
            err=True,
        )
    finally:
        if handle is not None:
            handle.close()


@click.command("judge-http")
@click.argument("recording", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--spec", "spec_version", default=None, help="Must be the recording's [default: it].")
@click.option("--scenario", default=None, help="Must be the recording's [default: it].")
@click.option(
    "--report",
    "report_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Write the gap report (as `report` does) into this folder.",
)
@click.option(
    "--results",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Raw results JSON [default: conformance-results/raw/http-<scenario>-spec-<spec>.json].",
)
@click.option("--name", default="http-client", show_default=True, help="The client's name.")
@click.option("--version", "impl_version", default="unknown", show_default=True)
@FORMAT
@gate_options
def judge_http(
    recording: Path,
    spec_version: str | None,
    scenario: str | None,
    report_dir: Path | None,
    results: Path | None,
    name: str,
    impl_version: str,
    formats: tuple[str, ...],
    baseline: Path | None,
    strict_baseline: bool,
    fail_on_incidents: bool,
    fail_on: str,
    require_ops: tuple[str, ...],
    gap_rules: Path | None,
) -> None:
    """Judge what a client sent to `serve`: endpoint findings with the
    categories and ids of the `endpoints` check, raw results, the gap report
    and the gate (endpoints never called are "not checked", not gaps).

    Exit 0 when the gate passes, 1 when it fails, 2 on bad input, 3 on an
    internal error.
    """
    from conformance._cli_common import OUTPUT_DIR, report
    from conformance._paths import inside, slug
    from conformance.adapters import Hello
    from conformance.checks import CheckContext
    from conformance.findings import load_gap_rules
    from conformance.report import RawResultsWriter
    from conformance.results import RawResults
    from conformance.runner import RunResult, record
    from conformance.serve import RecordingClient, judge_recording, load_recording, load_scenario
    from conformance.spec import load_pack

    rec = load_recording(recording)
    for option, given, recorded in (
        ("--spec", spec_version, rec.start["spec"]),
        ("--scenario", scenario, rec.start["scenario"]),
    ):
        if given is not None and given != recorded:
            raise click.UsageError(f"{option} {given}: the recording was made with {recorded}")
    pack = load_pack(str(rec.start["spec"]))
    chosen = load_scenario(pack, str(rec.start["scenario"]))
    hello = Hello(
        name=name, language="http", version=impl_version, spec_version=pack.version, ops=()
    )
    ctx = CheckContext(
        pack=pack,
        adapter=RecordingClient(hello),
        cases=[],
        rules=load_gap_rules(layer=gap_rules),
    )
    stem = f"http-{slug(chosen.name)}-spec-{pack.version}"
    target = results or inside(OUTPUT_DIR / "raw", f"{stem}.json")
    writer = RawResultsWriter(target)
    result = RunResult(
        hello=hello,
        spec_version=pack.version,
        checks=["endpoints"],
        severities=tuple(ctx.rules.data["severities"]),
    )
    writer.start(result)
    try:
        for outcome in judge_recording(ctx, rec, chosen):
            record(result, "endpoints", outcome, [writer])
    finally:
        writer.finish(result)
    exercised = set(result.covered.get("endpoints", {}))
    idle = sorted(str(e["id"]) for e in pack.endpoints if str(e["id"]) not in exercised)
    click.echo(
        f"judge-http: {len(rec.requests)} requests, {len(exercised)} of "
        f"{len(pack.endpoints)} endpoints exercised, {len(result.findings)} findings"
        + ("" if rec.end else " (the recording has no end line: serve was killed?)")
    )
    if idle:
        click.echo(f"not exercised (not checked): {', '.join(idle)}")
    for refused in rec.rejected:
        click.echo(f"refused by serve: {refused['status']} {refused['reason']}", err=True)
    for finding in result.findings.values():
        click.echo(str(finding))
    click.echo(f"raw results: {target}")
    sys.exit(
        report(
            RawResults.from_json(result.to_json(), target),
            pack=pack,
            out_dir=report_dir,
            stem=stem,
            formats=formats,
            baseline=baseline,
            strict_baseline=strict_baseline,
            fail_on_incidents=fail_on_incidents,
            fail_on=fail_on,
            require_ops=require_ops,
            gap_rules=gap_rules,
        )
    )
