"""Strictness: what the reference rejects, the implementation must reject."""

from __future__ import annotations

from collections.abc import Iterator

from conformance.adapters import Call, Encoded, Rejected
from conformance.checks._common import answers, failure_finding
from conformance.checks._registry import CheckContext, Outcome, Passed, check

__all__: list[str] = []


@check("strictness", "every invalid golden fixture is rejected")
def strictness(ctx: CheckContext) -> Iterator[Outcome]:
    invalid = (case for case in ctx.cases if not case.valid)
    for case, result in answers(
        ctx.adapter, invalid, lambda c: Call.decode(c.type_name, c.payload)
    ):
        failure = failure_finding(
            ctx,
            result,
            check="strictness",
            type_name=case.type_name,
            case=case.id,
            payload=case.payload,
        )
        if failure is not None:
            yield failure
        elif isinstance(result, Rejected):
            yield Passed(check="strictness", type_name=case.type_name, case=case.id)
        elif isinstance(result, Encoded):
            category = (
                "required-differs"
                if case.error == "missing-required"
                else ("literal-missing" if case.error == "wrong-literal" else "strictness-differs")
            )
            yield ctx.finding(
                check="strictness",
                category=category,
                type_name=case.type_name,
                message=(
                    f"accepted a payload the reference rejects ({case.error}): {case.description}"
                ),
                case=case.id,
                instance=case.payload,
                actual=result.wire,
            )
