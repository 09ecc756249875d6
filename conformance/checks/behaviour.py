"""Behaviour: every helper vector gives the reference's answer.

For each vector of ``fixtures/<version>/behaviours/`` the implementation's
helper is called through the adapter op ``call``; its answer must be the
reference's: the same returned value (in canonical form when the vector's
``returns`` names a pack type, each difference classified as in
docs/CANONICAL.md; else as JSON with ``1 == 1.0``, a difference being
``value-changed``), the same kind of error where the reference raises
(``value-changed`` otherwise), and the receiver left as it was
(``value-changed`` at ``/self``). A helper the implementation lacks is
``missing-helper``. Error messages are never compared: they are for people.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from conformance._json import json_equal, short
from conformance.adapters import Call, OpResult, Rejected, Returned, Unsupported
from conformance.cases import BehaviourCase, load_behaviour_cases
from conformance.checks._common import answers, failure_finding, lacks_op
from conformance.checks._registry import CheckContext, Outcome, Passed, check

__all__ = ["judge_behaviour"]

CHECK = "behaviour"


@check(
    CHECK,
    "every helper behaviour vector returns (or raises) what the reference does "
    "and leaves its receiver unchanged",
    subject="helper",
)
def behaviour(ctx: CheckContext) -> Iterator[Outcome]:
    vectors = ctx.behaviours
    if vectors is None:
        vectors = load_behaviour_cases(ctx.pack.version)
    for vector, result in answers(
        ctx.adapter, vectors, lambda v: Call.call(v.helper, dict(v.args))
    ):
        yield from judge_behaviour(ctx, vector, result)
        if lacks_op(result):
            return


def judge_behaviour(
    ctx: CheckContext, vector: BehaviourCase, result: OpResult
) -> Iterator[Outcome]:
    """The outcomes of one ``call`` result for ``vector``."""
    helper = vector.helper
    facts: dict[str, Any] = {"case": vector.id, "instance": dict(vector.args)}
    if isinstance(result, Unsupported) and result.what == "helper":
        yield ctx.finding(
            check=CHECK,
            category="missing-helper",
            type_name=helper,
            message=f"{helper} is not implemented",
            **facts,
        )
        return
    named = helper
    if isinstance(result, Unsupported) and result.what in ("type", "decoder"):
        named = result.name  # the type's own finding (missing, decoder-missing)
    if isinstance(result, Unsupported) and result.what == "type":
        # the helper is as missing as its type: filed under the helper too,
        # so its row says missing, as JUnit does (the type's own finding follows)
        yield ctx.finding(
            check=CHECK,
            category="missing-helper",
            type_name=helper,
            message=f"{helper} is not implemented: its type {named} is missing",
            **facts,
        )
    failure = failure_finding(
        ctx,
        result,
        check=CHECK,
        type_name=named,
        case=vector.id,
        payload=dict(vector.args),
    )
    if failure is not None:
        yield failure
        return
    expected_error = vector.error
    if isinstance(result, Rejected):
        kind, message = result.kind, result.message
        shown = f"{kind or 'an error of no known kind'} ({message})"
        if expected_error is None:
            yield ctx.finding(
                check=CHECK,
                category="value-changed",
                type_name=helper,
                field="/returned",
                message=f"{helper} raised {shown} where the reference returns a value",
                expected=vector.expect.get("returned"),
                actual={"error": {"kind": kind, "message": message}},
                **facts,
            )
        elif kind != expected_error["kind"]:
            yield ctx.finding(
                check=CHECK,
                category="value-changed",
                type_name=helper,
                field="/error/kind",
                message=(
                    f"{helper} raised {shown} where the reference raises "
                    f"{expected_error['kind']} ({expected_error['message']})"
                ),
                expected=expected_error["kind"],
                actual=kind,
                **facts,
            )
        else:
            yield Passed(check=CHECK, type_name=helper, case=vector.id)
        return
    if not isinstance(result, Returned):
        return
    wire = result.value
    if not isinstance(wire, Mapping) or "returned" not in wire:
        yield ctx.finding(
            check=CHECK,
            category="adapter-error",
            type_name=helper,
            message="the adapter answered call without a 'returned' value",
            actual=wire,
            **facts,
        )
        return
    if expected_error is not None:
        yield ctx.finding(
            check=CHECK,
            category="value-changed",
            type_name=helper,
            field="/error",
            message=(
                f"{helper} returned {short(wire['returned'])} where the reference raises "
                f"{expected_error['kind']} ({expected_error['message']})"
            ),
            expected={"error": dict(expected_error)},
            actual=wire["returned"],
            **facts,
        )
        return
    findings = [
        *_returned_findings(ctx, vector, wire["returned"], facts),
        *_self_findings(ctx, vector, wire, facts),
    ]
    yield from findings
    if not findings:
        yield Passed(check=CHECK, type_name=helper, case=vector.id)


def _returned_findings(
    ctx: CheckContext, vector: BehaviourCase, actual: Any, facts: Mapping[str, Any]
) -> Iterator[Outcome]:
    expected = vector.expect["returned"]
    helper = vector.helper
    if vector.returns is not None and vector.returns in ctx.pack.types:
        from conformance.canonical import Given, compare

        given = Given(vector.args)  # a value the helper derives is not lost when missing
        for diff in compare(ctx.pack, vector.returns, expected, actual, given=given):
            yield ctx.finding(
                check=CHECK,
                category=diff.category,  # value-changed, data-loss, added-field, ...
                type_name=helper,
                field="/returned" + diff.path,
                message=f"{helper} returned a different {vector.returns}: {diff.message}",
                expected=diff.expected,
                actual=diff.actual,
                **facts,
            )
    elif not json_equal(expected, actual):
        yield ctx.finding(
            check=CHECK,
            category="value-changed",
            type_name=helper,
            field="/returned",
            message=f"{helper} returned {short(actual)} where the reference returns "
            f"{short(expected)}",
            expected=expected,
            actual=actual,
            **facts,
        )


def _self_findings(
    ctx: CheckContext, vector: BehaviourCase, wire: Mapping[str, Any], facts: Mapping[str, Any]
) -> Iterator[Outcome]:
    if "self" not in vector.expect:
        return
    helper = vector.helper
    if "self" not in wire:
        yield ctx.finding(
            check=CHECK,
            category="adapter-error",
            type_name=helper,
            field="/self",
            message="the adapter did not report the receiver after the call, so it cannot "
            "be shown unchanged",
            **facts,
        )
        return
    expected, actual = vector.expect["self"], wire["self"]
    given = vector.args.get("self")
    # unchanged: as the reference holds it after the call, or exactly as given
    # (a receiver read differently, e.g. float32 data kept as doubles, is a
    # difference of reading that other vectors show, not a modification)
    if _same(ctx, vector.owner, expected, actual) or _same(ctx, vector.owner, given, actual):
        return
    if vector.owner in ctx.pack.types:
        from conformance.canonical import canonicalize

        expected = canonicalize(ctx.pack, vector.owner, expected)
        actual = canonicalize(ctx.pack, vector.owner, actual)
    yield ctx.finding(
        check=CHECK,
        category="value-changed",
        type_name=helper,
        field="/self",
        message="the receiver was modified",
        expected=expected,
        actual=actual,
        **facts,
    )


def _same(ctx: CheckContext, type_name: str, expected: Any, actual: Any) -> bool:
    """Canonically equal as ``type_name`` (a field the pack does not know,
    added as null, does not count), or equal JSON where it is no pack type."""
    if type_name not in ctx.pack.types:
        return json_equal(expected, actual)
    from conformance.canonical import ADDED_FIELD, compare

    diffs = compare(ctx.pack, type_name, expected, actual)
    return all(d.category == ADDED_FIELD and d.actual is None for d in diffs)
