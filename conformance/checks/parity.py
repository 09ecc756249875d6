"""Type parity: the implementation's native shape (``inspect``) against the
shape the pack's schema implies. This is where a datetime kept as a string,
a structure flattened to its name or a typed cursor kept as a bare map
shows, though the wire looks the same."""

from __future__ import annotations

from collections.abc import Iterator

from conformance.adapters import Call, Inspected, Rejected
from conformance.checks._common import answers, failure_finding
from conformance.checks._registry import CheckContext, Outcome, Passed, check

__all__: list[str] = []

#: Shape difference categories (docs/SHAPES.md) -> gap categories (schemas/gap-rules.json).
_GAP = {
    "missing-field": "data-loss",
    "optional-differs": "required-differs",
}


@check("type-parity", "native types match the reference's (inspect)")
def type_parity(ctx: CheckContext) -> Iterator[Outcome]:
    from conformance.shapes import compare_shapes, expected_shape

    full = {c.type_name: c for c in ctx.cases if c.valid and c.id.endswith("/gen-full.json")}
    asked = answers(ctx.adapter, sorted(full.items()), lambda t: Call.inspect(t[0], t[1].payload))
    for (type_name, case), result in asked:
        failure = failure_finding(
            ctx,
            result,
            check="type-parity",
            type_name=type_name,
            case=case.id,
            payload=case.payload,
        )
        if failure is not None:
            yield failure
            continue
        if isinstance(result, Rejected):
            yield ctx.finding(
                check="type-parity",
                category="rejects-valid",
                type_name=type_name,
                message=f"could not decode the full fixture to inspect it: {result.message}",
                case=case.id,
                instance=case.payload,
            )
            continue
        if not isinstance(result, Inspected):
            continue
        expected = expected_shape(ctx.pack, type_name)
        differences = compare_shapes(expected, result.shape)
        for diff in differences:
            literal = str(expected.get("fields", {}).get(diff.field, "")).startswith("literal:")
            category = _GAP.get(diff.category, diff.category)
            yield ctx.finding(
                check="type-parity",
                category="literal-missing" if literal and category == "data-loss" else category,
                type_name=type_name,
                field=f"/{diff.field}" if diff.field else "",
                message=diff.message,
                case=case.id,
                expected=diff.expected,
                actual=diff.actual,
            )
        if not differences:
            yield Passed(check="type-parity", type_name=type_name, case=case.id)
