"""Round trips: golden fixtures and property-generated payloads are decoded by
the implementation, encoded back, and compared with the reference in
canonical form (docs/CANONICAL.md)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from conformance.adapters import Call, Encoded, OpResult, Rejected
from conformance.checks._common import answers, ask, failure_finding
from conformance.checks._registry import CheckContext, Outcome, Passed, Skipped, check
from conformance.checks._shrink import Judge, shrink
from conformance.corpus import Answer, Expected, Refused, answer_of, case_id, payloads
from conformance.findings import Finding
from conformance.gaps import field_pattern

__all__ = ["judge_generated"]


def _judge(
    ctx: CheckContext,
    name: str,
    result: OpResult,
    *,
    type_name: str,
    case: str,
    payload: Any,
    expected: Any,
) -> Iterator[Outcome]:
    """The outcomes of one decode ``result`` of ``payload``."""
    from conformance.canonical import Given, compare

    failure = failure_finding(
        ctx, result, check=name, type_name=type_name, case=case, payload=payload
    )
    if failure is not None:
        yield failure
        return
    if isinstance(result, Rejected):
        yield ctx.finding(
            check=name,
            category="rejects-valid",
            type_name=type_name,
            message=f"rejected a payload the reference accepts: {result.message}",
            case=case,
            instance=payload,
        )
        return
    if not isinstance(result, Encoded):
        return
    differences = compare(
        ctx.pack, type_name, expected, result.wire, given=Given(payload, type_name)
    )
    for diff in differences:
        yield ctx.finding(
            check=name,
            category=diff.category,
            type_name=type_name,
            field=diff.path,
            message=diff.message,
            case=case,
            expected=diff.expected,
            actual=diff.actual,
            instance=payload,
        )
    if not differences:
        yield Passed(check=name, type_name=type_name, case=case)


@check("fixture-roundtrip", "every valid golden fixture survives decode and encode")
def fixture_roundtrip(ctx: CheckContext) -> Iterator[Outcome]:
    valid = (case for case in ctx.cases if case.valid)
    for case, result in answers(ctx.adapter, valid, lambda c: Call.decode(c.type_name, c.payload)):
        yield from _judge(
            ctx,
            "fixture-roundtrip",
            result,
            type_name=case.type_name,
            case=case.id,
            payload=case.payload,
            expected=case.canonical,
        )


@check(
    "property-roundtrip",
    "payloads generated from each schema survive decode and encode",
    generated=True,
)
def property_roundtrip(ctx: CheckContext) -> Iterator[Outcome]:
    """The expected result of a generated payload is the reference's own
    round trip of it (float32 tensors, for one, come back rounded); a payload
    the reference refuses is skipped: the schema is looser than the SDK there."""
    for type_name in ctx.pack.types:
        yield from _judge_examples(ctx, type_name, _examples(ctx, type_name))


def _examples(ctx: CheckContext, type_name: str) -> list[tuple[str, Any, Answer | None]]:
    """A type's generated examples: from the corpus, with its recorded
    answers, else drawn here (answered by whichever oracle the run has)."""
    if ctx.corpus is not None:
        found = ctx.corpus.examples.get(type_name, ())
        return [(e.case, e.payload, e.answer) for e in found]
    drawn = payloads(ctx.pack, type_name, ctx.examples, ctx.seed)
    return [
        (case_id(ctx.pack.version, type_name, ctx.seed, i), payload, None)
        for i, payload in enumerate(drawn)
    ]


def judge_generated(
    ctx: CheckContext, type_name: str, case: str, payload: Any
) -> Iterator[Outcome]:
    """One generated example, judged against the reference's round trip of
    it (also what ``tinker-conformance replay`` runs)."""
    return _judge_examples(ctx, type_name, [(case, payload, None)])


def _judge_examples(
    ctx: CheckContext, type_name: str, examples: Sequence[tuple[str, Any, Answer | None]]
) -> Iterator[Outcome]:
    """Generated examples of one type: the reference's answers first (asked
    live when the run has the reference, else recorded, else the payload
    itself), then the implementation's decode of every example the reference
    round-trips."""
    calls = [Call.decode(type_name, payload) for _, payload, _ in examples]
    if ctx.reference is not None:
        oracles = [answer_of(result) for result in ask(ctx.reference, calls)]
    else:
        oracles = [
            recorded if recorded is not None else Expected(wire=payload)
            for _, payload, recorded in examples
        ]
    judged = [i for i, oracle in enumerate(oracles) if isinstance(oracle, Expected)]
    results = dict(zip(judged, ask(ctx.adapter, [calls[i] for i in judged]), strict=True))
    #: per gap of this type (category, gap field): its finding, shrunk once
    shrunk: dict[tuple[str, str], Finding] = {}
    for i, ((case, payload, _), oracle) in enumerate(zip(examples, oracles, strict=True)):
        if isinstance(oracle, Refused):
            yield Skipped(
                check="property-roundtrip",
                type_name=type_name,
                case=case,
                reason=f"the reference does not round-trip it: {oracle.reason}",
            )
            continue
        for outcome in _judge(
            ctx,
            "property-roundtrip",
            results[i],
            type_name=type_name,
            case=case,
            payload=payload,
            expected=oracle.wire,
        ):
            if not isinstance(outcome, Finding) or outcome.instance is None:
                yield outcome
                continue
            # every occurrence of a gap of the type is told by its one shrunk example
            gap = (outcome.category, field_pattern(ctx.pack, "type", type_name, outcome.field))
            if gap not in shrunk:
                shrunk[gap] = shrink(ctx, type_name, outcome, _judge_one(ctx, type_name, case))
            yield shrunk[gap]


def _judge_one(ctx: CheckContext, type_name: str, case: str) -> Judge:
    """How a shrink candidate of the example ``case`` is judged: as the example was."""

    def judge(payload: Any, oracle: Expected, result: OpResult) -> Iterator[Outcome]:
        return _judge(
            ctx,
            "property-roundtrip",
            result,
            type_name=type_name,
            case=case,
            payload=payload,
            expected=oracle.wire,
        )

    return judge
