"""Shape: required-ness, defaults and literals as the implementation really has
them, seen through its native constructor (the ``construct`` op).

Probes start from each type's minimal golden fixture: built with its
required arguments only, the value must encode to the reference's canonical form
(a different default or a missing literal shows there); built with one
required argument left out, it must be refused.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from conformance.adapters import Encoded, Rejected
from conformance.checks._common import failure_finding
from conformance.checks._registry import CheckContext, Outcome, Passed, check

__all__: list[str] = []

_STRUCT_KINDS = ("request", "response", "event", "nested")


@check("shape", "constructors have the reference's defaults, literals and required fields")
def shape(ctx: CheckContext) -> Iterator[Outcome]:
    from conformance.canonical import compare

    minimal = {
        c.type_name: c
        for c in ctx.cases
        if c.valid and c.id.endswith("/gen-minimal.json") and isinstance(c.payload, dict)
    }
    for type_name, case in sorted(minimal.items()):
        if ctx.pack.types[type_name]["kind"] not in _STRUCT_KINDS:
            continue
        args = _required_args(ctx.pack.schemas[type_name], case.payload)
        result = ctx.adapter.construct(type_name, args)
        failure = failure_finding(
            ctx, result, check="shape", type_name=type_name, case=case.id, payload=args
        )
        if failure is not None:
            yield failure
            continue
        if isinstance(result, Rejected):
            yield ctx.finding(
                check="shape",
                category="required-differs",
                type_name=type_name,
                message=(
                    "the constructor refuses the reference's required arguments alone; "
                    f"it requires more: {result.message}"
                ),
                case=case.id,
                instance=args,
            )
            continue
        if isinstance(result, Encoded):
            differences = compare(ctx.pack, type_name, case.canonical, result.wire)
            for diff in differences:
                yield ctx.finding(
                    check="shape",
                    category=diff.category,
                    type_name=type_name,
                    field=diff.path,
                    message=f"built from required arguments only: {diff.message}",
                    case=case.id,
                    expected=diff.expected,
                    actual=diff.actual,
                    instance=args,
                )
            if not differences:
                yield Passed(check="shape", type_name=type_name, case=case.id)
        yield from _required_probes(ctx, type_name, case.id, args)


def _required_args(schema: Mapping[str, Any], payload: Mapping[str, Any]) -> dict[str, Any]:
    """The payload's required fields; where any one of several spellings is
    required (``anyOf: [{required: [a]}, {required: [b]}]``), the first given."""
    required = list(schema.get("required", []))
    for group in schema.get("anyOf", []):
        names = [n for n in group.get("required", []) if n in payload]
        if names and not any(n in required for n in group.get("required", [])):
            required.append(names[0])
    return {k: v for k, v in payload.items() if k in required}


def _required_probes(
    ctx: CheckContext, type_name: str, case: str, args: dict[str, object]
) -> Iterator[Outcome]:
    for field in ctx.pack.schemas[type_name].get("required", []):
        if field not in args:
            continue
        partial = {k: v for k, v in args.items() if k != field}
        result = ctx.adapter.construct(type_name, partial)
        failure = failure_finding(
            ctx, result, check="shape", type_name=type_name, case=case, payload=partial
        )
        if failure is not None:
            yield failure
        elif isinstance(result, Encoded):
            yield ctx.finding(
                check="shape",
                category="required-differs",
                type_name=type_name,
                field=f"/{field}",
                message=f"{field} is required by the reference, optional here",
                case=case,
                instance=partial,
                actual=result.wire,
            )
        else:
            yield Passed(check="shape", type_name=type_name, case=f"{case}#without-{field}")
