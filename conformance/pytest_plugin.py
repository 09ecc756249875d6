"""The suite inside a user's own pytest run: ``pytest --tinker-adapter ...``.

The suite runs once, at collection, because its items are the gaps it finds
(docs/REPORTS.md), which no one knows before the run:

- ``tinker-conformance::run`` passes when the run completed and fails with
  the error when it broke off (or when it was interrupted), so a clean run
  (no gap, no other item) still has a test that says it ran; the terminal
  summary says how many checks, and the adapter's incidents.
- One item per gap, named by its stable id (``GAP-SESS-006[...]``), so
  ``-k``, ``--lf`` and a CI's test history follow a gap across runs; a
  missing type is one gap, whichever checks saw it. The item is judged as
  ``tinker-conformance run`` judges it (``conformance.gaps.judge``): it fails
  when the gate would fail on it (new, at or above ``--tinker-fail-on``), and
  xfails when ``--tinker-baseline`` accepts it or it is below the threshold.
  Enhancements are no gaps and get no item.

Generated examples use the seed and count of ``run``'s ci profile (the
defaults of ``CheckContext``), so the same implementation gives the same
items on every run. Nothing is collected without ``--tinker-adapter``, so
installing the package changes no one's test run.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from conformance.checks import CheckContext
    from conformance.gaps import Baseline, Gap, Verdict
    from conformance.runner import RunResult

__all__ = ["TinkerGapItem", "TinkerRunItem", "TinkerSuite"]

_SUITE = pytest.StashKey["_Suite"]()
#: The node id of the suite, the first part of each of its items' node ids.
_ROOT = "tinker-conformance"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("tinker-conformance")
    group.addoption(
        "--tinker-adapter",
        default=None,
        help="Run the conformance suite against this implementation "
        "('tinker', 'python:module:factory' or 'subprocess:<command line>').",
    )
    group.addoption("--tinker-spec", default=None, help="Spec pack version (default: newest).")
    group.addoption(
        "--tinker-packs",
        type=Path,
        default=None,
        metavar="DIR",
        help="Read packs and fixtures from DIR/schemas and DIR/fixtures "
        "(as `tinker-conformance --packs`).",
    )
    group.addoption(
        "--tinker-examples",
        type=int,
        default=None,
        help="Property-based examples per type (default: 25, as `run --profile ci`).",
    )
    group.addoption(
        "--tinker-seed",
        type=int,
        default=None,
        help="Seed of generated examples (default: 0, as `run --profile ci`).",
    )
    group.addoption(
        "--tinker-check", action="append", default=[], help="Only this check (repeatable)."
    )
    group.addoption(
        "--tinker-baseline",
        type=Path,
        default=None,
        metavar="FILE",
        help="Accepted gap ids (`tinker-conformance baseline write`): their items xfail.",
    )
    group.addoption(
        "--tinker-fail-on",
        default=None,
        metavar="SEVERITY",
        help="Lowest severity whose new gaps fail, one of the gap rules' severities "
        "(default: as `tinker-conformance run`); lower gaps xfail.",
    )
    group.addoption(
        "--tinker-gap-rules",
        type=Path,
        default=None,
        metavar="FILE",
        help="A project's rules layered over the suite's (severity overrides), as `--gap-rules`.",
    )


@dataclass
class _Suite:
    """One run of the suite and the gate's verdict on it."""

    ctx: CheckContext
    checks: list[str] | None
    baseline: Baseline | None
    fail_on: str
    result: RunResult | None = None
    error: Exception | None = None
    gaps: tuple[Gap, ...] = ()
    verdict: Verdict | None = None

    def run(self) -> None:
        """Run the checks, group the findings into gaps and judge them; an
        error is kept for the run item to fail with, not a collection error."""
        from conformance.gaps import group, judge, load_gap_ids
        from conformance.runner import run

        try:
            self.result = run(self.ctx, self.checks)
        except Exception as exc:
            self.error = exc
            return
        finally:
            self.ctx.adapter.close()
            if self.ctx.reference is not None:
                self.ctx.reference.close()
        findings = self.result.to_json()["findings"]
        self.gaps = tuple(group(findings, self.ctx.pack, self.ctx.rules, load_gap_ids()))
        self.verdict = judge(
            self.gaps,
            self.ctx.rules,
            fail_on=self.fail_on,
            baseline=self.baseline,
            incomplete=self.result.interrupted,
            incidents=len(self.result.incidents),
        )

    def summary(self) -> list[str]:
        """The lines of the terminal summary: what ran, and the gate."""
        if self.result is None or self.verdict is None:
            return [f"tinker-conformance: the run broke off: {self.error}"]
        result, verdict = self.result, self.verdict
        lines = [
            f"tinker-conformance: {result.total} checks ({', '.join(result.checks)}) of "
            f"{result.hello.name} {result.hello.version} against spec {result.spec_version}, "
            f"{self.ctx.examples} examples per type, seed {self.ctx.seed}",
            f"gate: {'PASSED' if verdict.passed else 'FAILED'} "
            f"(fail on {verdict.fail_on}+: {len(verdict.new)} new, "
            f"{len(verdict.accepted)} accepted, {len(verdict.below_threshold)} below threshold, "
            f"{sum(g.enhancement for g in self.gaps)} enhancements)",
        ]
        if verdict.stale:
            lines.append(f"stale baseline entries (remove them): {', '.join(verdict.stale)}")
        if verdict.incomplete:
            lines.append(f"incomplete run: {verdict.incomplete}")
        lines.extend(f"adapter incident: {i.kind}: {i.message}" for i in result.incidents)
        return lines


def _suite(config: pytest.Config) -> _Suite:
    """The suite as the options ask for it; every bad input (packs, gap rules,
    threshold, baseline, adapter, check names) is a usage error before the run."""
    from conformance._data import packs_origin, use_packs
    from conformance._errors import ConformanceError
    from conformance.cases import load_type_cases
    from conformance.checks import CHECKS, CheckContext
    from conformance.findings import load_gap_rules
    from conformance.gaps import DEFAULT_FAIL_ON, load_baseline
    from conformance.load import load_adapter
    from conformance.reference._classes import installed_version
    from conformance.spec import available_versions, load_pack

    checks: list[str] = config.getoption("--tinker-check")
    unknown = [name for name in checks if name not in CHECKS]
    if unknown:
        raise pytest.UsageError(
            f"tinker-conformance: --tinker-check {unknown}: known checks {sorted(CHECKS)}"
        )
    generated = {
        key: value
        for key, value in (
            ("examples", config.getoption("--tinker-examples")),
            ("seed", config.getoption("--tinker-seed")),
        )
        if value is not None
    }
    use_packs(config.getoption("--tinker-packs"))
    versions = available_versions()
    version = config.getoption("--tinker-spec") or (versions[-1] if versions else None)
    if version is None:
        raise pytest.UsageError(
            f"tinker-conformance: no spec pack in the packs of {packs_origin()}"
        )
    try:
        pack = load_pack(version)
        rules = load_gap_rules(layer=config.getoption("--tinker-gap-rules"))
        fail_on = config.getoption("--tinker-fail-on") or DEFAULT_FAIL_ON
        rules.check_threshold(fail_on)
        path = config.getoption("--tinker-baseline")
        baseline = load_baseline(path) if path is not None else None
        cases = load_type_cases(version)
        adapter = load_adapter(config.getoption("--tinker-adapter"), pack)  # last: it starts
    except ConformanceError as exc:
        raise pytest.UsageError(f"tinker-conformance: {exc}") from None
    reference = load_adapter("tinker", pack) if installed_version() == version else None
    ctx = CheckContext(
        pack=pack,
        adapter=adapter,
        cases=cases,
        rules=rules,
        reference=reference,
        **generated,
    )
    return _Suite(ctx, checks or None, baseline, fail_on)


class _GapFailed(Exception):
    """A gap the gate fails on; its text is the failure shown."""


class TinkerRunItem(pytest.Item):
    """The run itself: passes when every check ran to the end; an
    interrupted run fails here, as the gate never passes one."""

    def runtest(self) -> None:
        suite = self.config.stash[_SUITE]
        if suite.error is not None:
            raise suite.error
        if suite.verdict is not None and suite.verdict.incomplete:
            pytest.fail(f"incomplete run ({suite.verdict.incomplete}): its gaps are a part")

    def reportinfo(self) -> tuple[str, int | None, str]:
        return ("tinker-conformance", None, "the conformance run")


class TinkerGapItem(pytest.Item):
    """One gap, judged as the gate judges it."""

    def __init__(self, *, gap: Gap, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.gap = gap

    def runtest(self) -> None:
        suite = self.config.stash[_SUITE]
        verdict, gap = suite.verdict, self.gap
        assert verdict is not None  # gap items exist only for a judged run
        if gap.id in verdict.new:
            raise _GapFailed(self._describe(f"new; the gate fails on {verdict.fail_on}+"))
        pytest.xfail(
            f"{gap.id} accepted by the baseline {verdict.baseline}"
            if gap.id in verdict.accepted
            else f"{gap.id} is {gap.severity}, below --tinker-fail-on {verdict.fail_on}"
        )

    def _describe(self, why: str) -> str:
        gap = self.gap
        lines = [f"{gap.id} [{gap.severity}] {gap.title} ({why})"]
        for finding in gap.findings:
            where = f" {finding['case']}" if finding.get("case") else ""
            lines.append(f"  {finding['check']}{where}: {finding['message']}")
        return "\n".join(lines)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, _GapFailed):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[str, int | None, str]:
        return ("tinker-conformance", None, f"{self.gap.id}: {self.gap.title}")


def _gap_name(gap: Gap) -> str:
    """The item's name: the id, then what it is about (the title has spaces
    and backticks, which a node id keeps awkwardly)."""
    return f"{gap.id}[{gap.subject}{gap.field} {gap.category}]"


class TinkerSuite(pytest.Collector):
    """The suite's items, under the node id ``tinker-conformance``: the run
    item, then one item per gap (enhancements are no gaps)."""

    def collect(self) -> list[pytest.Item]:
        suite = self.config.stash[_SUITE]
        items: list[pytest.Item] = [TinkerRunItem.from_parent(self, name="run")]
        items.extend(
            TinkerGapItem.from_parent(self, name=_gap_name(gap), gap=gap)
            for gap in suite.gaps
            if not gap.enhancement
        )
        return items


@pytest.hookimpl(tryfirst=True)  # before -k and --deselect look at the items
def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    """Runs the suite and collects its items through the collection hooks,
    so that pytest counts them as collected (and -k deselects them) like
    any other; there is no file to collect them from."""
    if config.getoption("--tinker-adapter") is None:
        return
    suite = config.stash[_SUITE] = _suite(config)
    suite.run()
    node = TinkerSuite.from_parent(session, name=_ROOT, nodeid=_ROOT)
    session.ihook.pytest_collectstart(collector=node)
    report = session.ihook.pytest_make_collect_report(collector=node)
    session.ihook.pytest_collectreport(report=report)
    items.extend(item for item in report.result if isinstance(item, pytest.Item))


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    suite = config.stash.get(_SUITE, None)
    if suite is not None:
        terminalreporter.section("tinker-conformance")
        for line in suite.summary():
            terminalreporter.write_line(line)
