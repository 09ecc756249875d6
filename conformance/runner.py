"""Run checks against an adapter and hand every outcome to event handlers.

Handlers follow the ``start / handle / finish`` shape of Schemathesis and
Bowtie reporters: ``finish`` runs even when a check blows up, so whatever
was gathered is written out.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from conformance.adapters import Hello, Incident
from conformance.checks import CHECKS, CheckContext, Outcome, Passed, Skipped
from conformance.findings import Finding

__all__ = ["Handler", "RunResult", "record", "run"]


@dataclass
class RunResult:
    """Everything a run observed; findings de-duplicated by key.

    ``covered`` counts outcomes per check and subject (type, helper or
    endpoint), so a report can tell "checked and clean" from "never checked".
    """

    hello: Hello
    spec_version: str
    checks: list[str]
    executed: Counter[str] = field(default_factory=Counter)  # outcomes per check
    passed: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)
    findings: dict[str, Finding] = field(default_factory=dict)
    occurrences: Counter[str] = field(default_factory=Counter)
    covered: dict[str, Counter[str]] = field(default_factory=dict)  # check -> subject -> n
    seconds: float = 0.0
    error: str | None = None
    #: Why the run stopped before its end (SIGINT, SIGTERM, --max-time); None: it ran to its end.
    interrupted: str | None = None
    #: What the adapter did that is no op's result (a batch retried alone, a restart).
    incidents: list[Incident] = field(default_factory=list)
    #: Severities most severe first (the gap rules'), the order of the findings.
    severities: tuple[str, ...] = ()

    @property
    def total(self) -> int:
        return sum(self.executed.values())

    @property
    def gaps(self) -> list[Finding]:
        return [f for f in self.findings.values() if not f.enhancement]

    def _order(self, f: Finding) -> tuple[int, str, str, str]:
        rank = self.severities
        sev = rank.index(f.severity) if f.severity in rank else len(rank)
        return (sev, f.type_name or "", f.category, f.field)

    def _type_map(self) -> dict[str, Any]:
        """The map file an in-process audit looked types up with, and its entries used."""
        found = self.hello.type_map
        if found is None:
            return {}
        return {"type_map": {"file": found.file, "used": dict(found.used)}}

    def to_json(self) -> dict[str, Any]:
        return {
            "implementation": {
                "name": self.hello.name,
                "language": self.hello.language,
                "version": self.hello.version,
                "targets": self.hello.spec_version,
                **self._type_map(),
                **({"sources": dict(self.hello.sources)} if self.hello.sources else {}),
            },
            "spec_version": self.spec_version,
            "checks": self.checks,
            "subjects": {name: CHECKS[name].subject for name in self.checks},
            "executed": dict(self.executed),
            "passed": dict(self.passed),
            "skipped": dict(self.skipped),
            "total": self.total,
            "seconds": round(self.seconds, 3),
            "error": self.error,
            "interrupted": self.interrupted,
            "incidents": [{"kind": i.kind, "message": i.message} for i in self.incidents],
            "covered": {check: dict(sorted(n.items())) for check, n in self.covered.items()},
            "findings": [
                dict(f.to_json(), occurrences=self.occurrences[k])
                for k, f in sorted(self.findings.items(), key=lambda kv: self._order(kv[1]))
            ],
        }


class Handler(Protocol):
    def start(self, result: RunResult) -> None: ...
    def handle(self, outcome: Outcome) -> None: ...
    def finish(self, result: RunResult) -> None: ...


def record(
    result: RunResult, name: str, outcome: Outcome, handlers: Sequence[Handler] = ()
) -> None:
    """Count one outcome of check ``name`` into ``result`` and hand it to the
    handlers: what ``run`` does for each, and what a judge of outcomes made
    elsewhere (``judge-http``) does to get the same raw results."""
    result.executed[name] += 1
    # what the check's own subjects met: an op the adapter lacks is not one,
    # nor is a type a helper or endpoint needed (its finding names the type)
    registered = CHECKS.get(name)
    foreign = isinstance(outcome, Finding) and (
        outcome.subject in ("op", "adapter")
        or (registered is not None and outcome.subject != registered.subject)
    )
    if outcome.type_name and not foreign:
        result.covered.setdefault(name, Counter())[outcome.type_name] += 1
    if isinstance(outcome, Passed):
        result.passed[name] += 1
    elif isinstance(outcome, Skipped):
        result.skipped[name] += 1
    else:
        result.occurrences[outcome.key] += 1
        result.findings.setdefault(outcome.key, outcome)
    for h in handlers:
        h.handle(outcome)


def _never() -> str | None:
    return None


def run(
    ctx: CheckContext,
    names: Sequence[str] | None = None,
    handlers: Iterable[Handler] = (),
    stop: Callable[[], str | None] = _never,
) -> RunResult:
    """Run the named checks (all by default) and return what they found.

    An interruption (SIGINT's KeyboardInterrupt, or ``Interrupted`` raised by
    the command's handlers of SIGTERM and of its time budget) ends the run
    cleanly: the result says so (``interrupted``) and holds what was gathered.
    ``stop`` is asked after every outcome too: an exception raised by a signal
    handler is lost where it lands in a callback Python ignores exceptions of
    (a weakref's, a ``__del__``), the reason it gives is not. Any other
    exception is a bug: the handlers still finish (the raw results say
    ``error``), and it propagates."""
    selected = list(names or CHECKS)
    unknown = [n for n in selected if n not in CHECKS]
    if unknown:
        msg = f"unknown checks {unknown}; known: {sorted(CHECKS)}"
        raise ValueError(msg)
    handlers = list(handlers)
    result = RunResult(
        hello=ctx.adapter.hello(),
        spec_version=ctx.pack.version,
        checks=selected,
        severities=tuple(ctx.rules.data["severities"]),
    )
    started = time.perf_counter()
    for h in handlers:
        h.start(result)
    try:
        for name in selected:
            for outcome in CHECKS[name].run(ctx):
                record(result, name, outcome, handlers)
                result.interrupted = stop()
                if result.interrupted is not None:
                    break
            if result.interrupted is not None:
                break
    except KeyboardInterrupt as why:  # the run ends cleanly: what it gathered is its result
        result.interrupted = str(why) or "SIGINT"
    except Exception as exc:
        result.error = f"{type(exc).__name__}: {exc}"
        raise
    finally:
        result.seconds = time.perf_counter() - started
        # the adapter stops (and its process group goes) before the results
        # are written, so what it did on the way out is in them
        ctx.adapter.close()
        result.incidents = list(getattr(ctx.adapter, "incidents", ()))
        for h in handlers:
            h.finish(result)
    return result
