"""Shape: required-ness, defaults and literals as the implementation really has
them, seen through its native constructor (the ``construct`` op).

Probes start from each type's minimal golden fixture: built with its
required arguments only, the value must encode to the reference's canonical form
(a different default, or a literal that comes null or with another value,
shows there; an absent literal is filled in like any default, so only
type-parity and the wrong-literal fixtures see a type without one); built
with one required argument left out, it must be refused.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from conformance.adapters import Call, Encoded, OpResult, Rejected
from conformance.cases import TypeCase
from conformance.checks._common import CHUNK, ask, failure_finding
from conformance.checks._registry import CheckContext, Outcome, Passed, check
from conformance.spec import STRUCT_KINDS

__all__: list[str] = []

#: Types per pair of batches (constructors, then probes): about CHUNK calls each.
_TYPES_PER_BATCH = CHUNK // 4


@check("shape", "constructors have the reference's defaults, literals and required fields")
def shape(ctx: CheckContext) -> Iterator[Outcome]:
    minimal = {
        c.type_name: c
        for c in ctx.cases
        if c.valid and c.id.endswith("/gen-minimal.json") and isinstance(c.payload, dict)
    }
    structs = [
        (type_name, case, _required_args(ctx.pack.schemas[type_name], case.payload))
        for type_name, case in sorted(minimal.items())
        if ctx.pack.types[type_name]["kind"] in STRUCT_KINDS
    ]
    # Per group of types: every constructor with the required arguments, then
    # the probes of the types whose constructor answered (a refusal ends a type).
    for start in range(0, len(structs), _TYPES_PER_BATCH):
        group = structs[start : start + _TYPES_PER_BATCH]
        built = ask(ctx.adapter, [Call.construct(t, args) for t, _, args in group])
        judged = [
            _judge_required(ctx, t, case, args, result)
            for (t, case, args), result in zip(group, built, strict=True)
        ]
        probes = [
            (t, case.id, field, partial)
            for (t, case, args), (_, probe) in zip(group, judged, strict=True)
            if probe
            for field, partial in _without_each_required(ctx, t, args)
        ]
        probed = ask(ctx.adapter, [Call.construct(t, partial) for t, _, _, partial in probes])
        by_type: dict[str, list[Outcome]] = {}
        for probe, result in zip(probes, probed, strict=True):
            by_type.setdefault(probe[0], []).extend(_judge_probe(ctx, probe, result))
        for (type_name, _, _), (outcomes, _) in zip(group, judged, strict=True):
            yield from outcomes
            yield from by_type.get(type_name, [])


def _judge_required(
    ctx: CheckContext, type_name: str, case: TypeCase, args: dict[str, Any], result: OpResult
) -> tuple[list[Outcome], bool]:
    """The outcomes of building ``type_name`` from its required arguments,
    and whether to go on probing each required argument."""
    from conformance.canonical import Given, compare

    failure = failure_finding(
        ctx, result, check="shape", type_name=type_name, case=case.id, payload=args
    )
    if failure is not None:
        return [failure], False
    if isinstance(result, Rejected):
        refused = ctx.finding(
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
        return [refused], False
    outcomes: list[Outcome] = []
    if isinstance(result, Encoded):
        differences = compare(
            ctx.pack, type_name, case.canonical, result.wire, given=Given(args, type_name)
        )
        outcomes.extend(
            ctx.finding(
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
            for diff in differences
        )
        if not differences:
            outcomes.append(Passed(check="shape", type_name=type_name, case=case.id))
    return outcomes, True


def _required_args(schema: Mapping[str, Any], payload: Mapping[str, Any]) -> dict[str, Any]:
    """The payload's required fields; where any one of several spellings is
    required (``anyOf: [{required: [a]}, {required: [b]}]``), the first given."""
    required = list(schema.get("required", []))
    for group in schema.get("anyOf", []):
        names = [n for n in group.get("required", []) if n in payload]
        if names and not any(n in required for n in group.get("required", [])):
            required.append(names[0])
    return {k: v for k, v in payload.items() if k in required}


def _without_each_required(
    ctx: CheckContext, type_name: str, args: dict[str, Any]
) -> Iterator[tuple[str, dict[str, Any]]]:
    """Each required field given in ``args``, with ``args`` less that field."""
    for field in ctx.pack.schemas[type_name].get("required", []):
        if field in args:
            yield field, {k: v for k, v in args.items() if k != field}


def _judge_probe(
    ctx: CheckContext, probe: tuple[str, str, str, dict[str, Any]], result: OpResult
) -> Iterator[Outcome]:
    """Building without one required field must be refused; ``probe`` is
    (type, case, field, the arguments without the field)."""
    type_name, case, field, partial = probe
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
