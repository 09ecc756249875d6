"""A suggested order of work, computed from the pack's index.

The hand audits end with an "Implementation Order (Suggested)": what a port
needs first is what its core calls send and receive. So the missing and
partial subjects are ordered in tiers: the request and response types of
the pack's endpoints, then the types they nest (nearest first), then the
endpoints and helpers themselves, then the other types, then events and
aliases, which nothing waits on; within a tier, worst severity first.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from conformance.spec import SpecPack, type_urn

__all__ = ["TIERS", "work_order"]

#: The tiers in order, each with the reason a step gives.
TIERS = ("endpoint type", "nested type", "API surface", "other type", "event or alias")
#: Type kinds of the last tier.
_LAST_KINDS = frozenset({"event", "alias"})
_TODO = ("missing", "partial")


def work_order(document: Mapping[str, Any], pack: SpecPack) -> list[dict[str, Any]]:
    """One step per missing or partial subject of the document, in order."""
    used_by = _endpoint_types(pack)
    last = {n for n, e in pack.types.items() if e["kind"] in _LAST_KINDS}
    # what the endpoints' types nest, not through events or aliases; what
    # those nest comes with them, after them
    nested = _nested(pack, used_by, stop=last)
    nested_last = _nested(pack, dict.fromkeys(last, ""), stop={*used_by, *nested})
    severities = list(document["summary"]["gaps"]["by_severity"])
    steps: list[tuple[tuple[int, int, int, str], dict[str, Any]]] = []
    for row in document["types"]:
        if row["status"] not in _TODO:
            continue
        name = str(row["name"])
        if name in last:
            tier, depth, reason = 4, 0, f"{row['kind']}: nothing waits on it"
        elif name in used_by:
            tier, depth, reason = 0, 0, f"sent or received by {used_by[name]}"
        elif name in nested or name in nested_last:
            tier = 1 if name in nested else 4
            depth, parent = (nested if name in nested else nested_last)[name]
            reason = f"nested in {parent}"
        else:
            tier, depth, reason = 3, 0, "reached from no endpoint"
        key = (tier, depth, _rank(row, severities), name)
        steps.append((key, _step("type", row, tier, reason)))
    for kind, group in (("endpoint", "endpoints"), ("helper", "helpers")):
        for row in document[group]:
            if row["status"] in _TODO:
                key = (2, 0, _rank(row, severities), str(row["name"]))
                steps.append((key, _step(kind, row, 2, "the API surface over the types above")))
    ordered = [step for _, step in sorted(steps, key=lambda s: s[0])]
    return [{"step": n, **step} for n, step in enumerate(ordered, 1)]


def _step(kind: str, row: Mapping[str, Any], tier: int, reason: str) -> dict[str, Any]:
    return {
        "tier": TIERS[tier],
        "kind": kind,
        "subject": row["name"],
        "status": row["status"],
        "reason": reason,
        "gaps": list(row["gaps"]),
    }


def _rank(row: Mapping[str, Any], severities: Sequence[str]) -> int:
    worst = row["worst"]
    return severities.index(worst) if worst in severities else len(severities)


def _endpoint_types(pack: SpecPack) -> dict[str, str]:
    """Each request or response type of an endpoint, with the first endpoint
    (by id) that uses it."""
    used: dict[str, str] = {}
    for ep in sorted(pack.endpoints, key=lambda e: str(e["id"])):
        for key in ("request_type", "response_type"):
            name = ep.get(key)
            if isinstance(name, str) and name in pack.types:
                used.setdefault(name, str(ep["id"]))
    return used


def _nested(
    pack: SpecPack, roots: Mapping[str, str], *, stop: set[str]
) -> dict[str, tuple[int, str]]:
    """Types reached from the roots through ``$ref``, never into ``stop``:
    (depth, the type that nests it), breadth first so each type gets its
    nearest parent."""
    urns = {type_urn(pack.version, name): name for name in pack.types}
    found: dict[str, tuple[int, str]] = {}
    queue = deque((name, 0) for name in sorted(roots))
    seen = set(roots) | stop
    while queue:
        name, depth = queue.popleft()
        for ref in sorted(set(_refs(pack.schemas[name]))):
            child = urns.get(ref.split("#", 1)[0])
            if child is not None and child not in seen:
                seen.add(child)
                found[child] = (depth + 1, name)
                queue.append((child, depth + 1))
    return found


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, Mapping):
        ref = node.get("$ref")
        if isinstance(ref, str):
            yield ref
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)
