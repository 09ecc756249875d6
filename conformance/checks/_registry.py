"""Checks register here, with one documented signature.

A check is a generator ``(ctx: CheckContext) -> Iterator[Outcome]``: it
yields a ``Passed`` for every case or example that matched the reference and
a ``Finding`` for every difference. Everything it judges by comes from
``ctx`` (pack schemas, fixtures, gap rules): no expectations in code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from conformance.adapters import Adapter
from conformance.cases import BehaviourCase, EndpointCase, TypeCase
from conformance.corpus import Corpus
from conformance.findings import Finding, GapRules
from conformance.spec import SpecPack

__all__ = [
    "CHECKS",
    "SUPPORT_CHECK",
    "Check",
    "CheckContext",
    "Outcome",
    "Passed",
    "Skipped",
    "check",
]

#: The pseudo-check a missing type is filed under, whichever check met it:
#: so every check yields the same key and the run keeps it once.
SUPPORT_CHECK = "support"


@dataclass(frozen=True, kw_only=True)
class Passed:
    check: str
    type_name: str | None
    case: str


@dataclass(frozen=True, kw_only=True)
class Skipped:
    """A generated example the reference itself does not round-trip (the
    schema is looser than the SDK there): no verdict, but counted."""

    check: str
    type_name: str | None
    case: str
    reason: str


Outcome = Passed | Skipped | Finding


@dataclass(frozen=True, kw_only=True)
class CheckContext:
    """What a check may read: the pack, the golden cases, the rules and the
    adapter driving the implementation under test."""

    pack: SpecPack
    adapter: Adapter
    cases: list[TypeCase]
    rules: GapRules
    #: The behaviour and endpoint vectors; None: the pack's own, from fixtures/.
    behaviours: Sequence[BehaviourCase] | None = None
    endpoints: Sequence[EndpointCase] | None = None
    examples: int = 25  # property-based examples per type
    seed: int = 0
    #: The reference SDK in process, the oracle of generated examples; None
    #: where it is not installed or not asked (``--oracle recorded``).
    reference: Adapter | None = None
    #: The generated examples of ``examples`` and ``seed`` with the
    #: reference's recorded answers; None: drawn here. A ``reference`` given
    #: too is asked instead of the recorded answers (``--oracle live``);
    #: with neither, a payload must come back as it went.
    corpus: Corpus | None = None
    #: The reference a failing recorded example is shrunk with (started on
    #: the first need) when ``reference`` is None; None, or a call giving
    #: None: the reference is not installed, so such an example is reported
    #: as drawn (a shrunk candidate has no recorded answer to judge it by).
    shrinker: Callable[[], Adapter | None] | None = None

    def finding(
        self,
        *,
        check: str,
        category: str,
        type_name: str | None,
        message: str,
        subject: str | None = None,
        **facts: Any,
    ) -> Finding:
        """A finding with severity from the gap rules, never from the check.
        ``subject`` is the kind of what ``type_name`` names; by default the
        check's own (a type, for the support pseudo-check), or the adapter
        where nothing is named."""
        entry = self.pack.types.get(type_name) if type_name is not None else None
        kind = entry["kind"] if entry is not None else None
        if subject is None:
            registered = CHECKS.get(check)
            subject = registered.subject if registered is not None else "type"
        return Finding(
            check=check,
            category=category,
            subject=subject if type_name is not None else "adapter",
            severity=self.rules.severity(category, type_name=type_name, kind=kind),
            type_name=type_name,
            message=message,
            enhancement=self.rules.is_enhancement(category),
            **facts,
        )


CheckFn = Callable[[CheckContext], Iterator[Outcome]]


@dataclass(frozen=True)
class Check:
    """A registered check: what it judges (``subject``: the kind of subject
    its outcomes name, type, helper or endpoint) and whether its cases are
    generated (its failures get replay files)."""

    name: str
    description: str
    run: CheckFn
    subject: str = "type"
    generated: bool = False


CHECKS: dict[str, Check] = {}


def check(
    name: str, description: str, *, subject: str = "type", generated: bool = False
) -> Callable[[CheckFn], CheckFn]:
    """Register a check under ``name`` (decorator)."""

    def register(fn: CheckFn) -> CheckFn:
        if name in CHECKS:
            msg = f"check {name!r} registered twice"
            raise ValueError(msg)
        CHECKS[name] = Check(
            name, description, _bounded(name, fn), subject=subject, generated=generated
        )
        return fn

    return register


def _bounded(name: str, fn: CheckFn) -> CheckFn:
    """``fn`` whose ``RecursionError`` is a finding, not the end of the run.

    Answers are depth-checked where they enter (``conformance._json.
    json_problem``), so this is the last line: whatever else nests too deep
    for the judging ends this check with an ``adapter-error`` finding that
    says its later cases were not judged; the run goes on with the next check.
    """

    def run(ctx: CheckContext) -> Iterator[Outcome]:
        try:
            yield from fn(ctx)
        except RecursionError:
            yield ctx.finding(
                check=name,
                category="adapter-error",
                type_name=None,
                message=(
                    f"judging exceeded Python's recursion limit (a value nested too deep); "
                    f"the rest of check {name} was not judged"
                ),
            )

    return run
