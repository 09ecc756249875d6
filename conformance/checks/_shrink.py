"""Minimal reproducers: a failing generated example shrunk while its finding holds.

A drawn example that fails is often kilobytes of random data around one
wrong field. Before the finding reaches the report and failures/, the
example is made smaller, step by step: a key dropped, a list or string
halved, a number brought to 0, a value replaced by its first list item. A
smaller candidate is kept when it is still a valid payload that the
reference round-trips and the same finding (same category, same gap field,
``gaps.field_pattern``) still comes of it. Candidates are asked in batches
of ``BATCH`` and at most ``BUDGET`` of them per finding, so the adapter
calls a shrink costs are bounded whatever the example.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from itertools import islice
from typing import Any, Literal

from conformance.adapters import Adapter, Call, OpResult
from conformance.checks._common import ask
from conformance.checks._registry import CheckContext, Outcome
from conformance.corpus import Expected, answer_of
from conformance.findings import Finding
from conformance.gaps import field_pattern

__all__ = ["BATCH", "BUDGET", "Judge", "shrink", "size"]

#: Candidates asked of the reference and the implementation in one batch.
BATCH = 16
#: Most candidates tried for one finding.
BUDGET = 160

#: Judges one example: (its payload, the reference's round trip, the
#: implementation's result) to its outcomes.
Judge = Callable[[Any, Expected, OpResult], Iterator[Outcome]]


def size(value: Any) -> int:
    """Characters of the compact JSON of ``value``: what "smaller" means here."""
    return len(json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=repr))


def shrink(ctx: CheckContext, type_name: str, finding: Finding, judge: Judge) -> Finding:
    """``finding`` with the smallest payload found that still gives it
    (``original_size`` set), or ``finding`` itself when nothing smaller does."""
    oracle = _oracle(ctx)
    if oracle is False:
        return finding
    target = _target(ctx, type_name, finding)
    current, best = finding.instance, finding
    tried = 0
    while tried < BUDGET:
        limit = size(current)
        # validated a batch at a time: a batch mostly holds a smaller example
        # that still fails, and validating a large payload costs milliseconds
        valid = (
            c for c in _smaller(current) if size(c) < limit and ctx.pack.is_valid(type_name, c)
        )
        found = None
        while tried < BUDGET and (batch := list(islice(valid, min(BATCH, BUDGET - tried)))):
            tried += len(batch)
            found = _first_reproducing(ctx, type_name, batch, target, judge, oracle=oracle)
            if found is not None:
                break
        if found is None:
            break
        current, best = found
    if best is finding:
        return finding
    return replace(best, original_size=size(finding.instance))


def _target(ctx: CheckContext, type_name: str, finding: Finding) -> tuple[str, str]:
    return finding.category, field_pattern(ctx.pack, "type", type_name, finding.field)


def _oracle(ctx: CheckContext) -> Adapter | Literal[False] | None:
    """What answers a candidate as the reference would: the run's reference,
    else the shrinker's; None where the run has no oracle but the payload
    itself (no corpus, no reference: a payload must come back as it went);
    False where there is no way to judge a candidate as the run judged the
    drawn example (recorded answers, the reference not installed)."""
    if ctx.reference is not None:
        return ctx.reference
    if ctx.corpus is None:
        return None
    shrinker = ctx.shrinker() if ctx.shrinker is not None else None
    return shrinker if shrinker is not None else False


def _first_reproducing(
    ctx: CheckContext,
    type_name: str,
    batch: Sequence[Any],
    target: tuple[str, str],
    judge: Judge,
    *,
    oracle: Adapter | None,
) -> tuple[Any, Finding] | None:
    calls = [Call.decode(type_name, c) for c in batch]
    answers = (
        [answer_of(r) for r in ask(oracle, calls)]
        if oracle is not None
        else [Expected(wire=c) for c in batch]
    )
    kept = [(i, a) for i, a in enumerate(answers) if isinstance(a, Expected)]
    results = ask(ctx.adapter, [calls[i] for i, _ in kept])
    for (i, answer), result in zip(kept, results, strict=True):
        for outcome in judge(batch[i], answer, result):
            if isinstance(outcome, Finding) and _target(ctx, type_name, outcome) == target:
                return batch[i], outcome
    return None


def _smaller(value: Any) -> Iterator[Any]:
    """One-step reductions of ``value``, the largest first: at the top, then
    inside each member."""
    if isinstance(value, dict):
        for key in value:
            yield {k: v for k, v in value.items() if k != key}
        for key, member in value.items():
            for reduced in _smaller(member):
                yield {**value, key: reduced}
    elif isinstance(value, list):
        if len(value) > 1:
            yield value[: len(value) // 2]
            yield value[len(value) // 2 :]
        for i in range(len(value)):
            yield value[:i] + value[i + 1 :]
        for i, member in enumerate(value):
            for reduced in _smaller(member):
                yield [*value[:i], reduced, *value[i + 1 :]]
    elif isinstance(value, str):
        if value:
            yield ""
            yield value[: len(value) // 2]
    elif isinstance(value, bool):
        return
    elif isinstance(value, int | float) and value != 0:
        yield type(value)(0)
        if isinstance(value, int) and abs(value) > 1:
            yield value // 2
