"""What every check shares: asking the adapter in batches, and turning
results that are not a plain answer into findings."""

from __future__ import annotations

import traceback
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice
from typing import Any, TypeVar

from conformance.adapters import (
    Adapter,
    Call,
    Crashed,
    Errored,
    OpResult,
    ProtocolError,
    TimedOut,
    Unsupported,
)
from conformance.adapters._batch import answer_of
from conformance.checks._registry import SUPPORT_CHECK, CheckContext
from conformance.findings import Finding

__all__ = ["CHUNK", "answers", "ask", "failure_finding", "lacks_op"]

#: Calls per ``Adapter.batch``: checks judge one chunk while the next is unasked,
#: so outcomes stream and a subprocess adapter saves a round trip per call.
CHUNK = 64

T = TypeVar("T")


def ask(adapter: Adapter, calls: Sequence[Call]) -> list[OpResult]:
    """The adapter's results for ``calls``, in order, asked ``CHUNK`` at a time.

    The one way every check reaches the adapter: an adapter that raises, or
    answers a batch with the wrong number of results or an op with a result
    it cannot give (``answer_of``), gets that as its results; the run goes on.
    """
    results: list[OpResult] = []
    for start in range(0, len(calls), CHUNK):
        chunk = calls[start : start + CHUNK]
        try:
            answered = list(adapter.batch(chunk))
        except Exception as exc:  # an adapter must answer, not raise: report it, go on
            failed = Errored(
                message=f"the adapter raised {type(exc).__name__}: {exc}",
                stderr="".join(traceback.format_exception(exc)),
            )
            answered = [failed] * len(chunk)
        if len(answered) != len(chunk):
            miscount = ProtocolError(
                message=f"a batch of {len(chunk)} calls was answered with {len(answered)} results"
            )
            answered = [miscount] * len(chunk)
        results.extend(answer_of(c, r) for c, r in zip(chunk, answered, strict=True))
    return results


def answers(
    adapter: Adapter, items: Iterable[T], call: Callable[[T], Call]
) -> Iterator[tuple[T, OpResult]]:
    """Each item with the adapter's result for ``call(item)``, asked a chunk
    at a time as the items are consumed."""
    it = iter(items)
    while chunk := list(islice(it, CHUNK)):
        yield from zip(chunk, ask(adapter, [call(item) for item in chunk]), strict=True)


def failure_finding(
    ctx: CheckContext, result: OpResult, *, check: str, type_name: str, case: str, payload: Any
) -> Finding | None:
    """The finding for an unsupported type/op or a misbehaving implementation,
    or None when the result is an ordinary answer the check must judge.

    A missing type is reported under ``SUPPORT_CHECK`` so that every check
    that meets it yields the same key, and the run keeps it once. An
    adapter that broke the protocol (``ProtocolError``) is told apart from
    an implementation that failed (crash, hang, internal error).
    """
    if isinstance(result, Unsupported):
        if result.what == "type":
            return ctx.finding(
                check=SUPPORT_CHECK,
                category="missing-type",
                type_name=type_name,
                message=f"{type_name} is not implemented",
                case=case,
            )
        if result.what == "decoder":
            # One gap for the type, whichever check decoded it; its other
            # ops (construct, inspect) are asked and judged as usual.
            return ctx.finding(
                check=SUPPORT_CHECK,
                category="decoder-missing",
                type_name=type_name,
                message=f"{type_name} has no decoder: it is built and sent, never read",
                case=case,
            )
        # A missing op is the adapter's, whatever subject asked it: one finding
        # (one key) per op, however many subjects met it.
        op = result.what == "op"
        return ctx.finding(
            check=check,
            category="op-unsupported",
            type_name=result.name if op else type_name,
            subject="op" if op else None,
            message=f"the adapter does not support {result.what} {result.name!r}"
            + (f": {result.message}" if result.message else ""),
            actual=result.message or None,  # the adapter's reason, for the coverage line
            case=case,
        )
    if isinstance(result, ProtocolError):
        return ctx.finding(
            check=check,
            category="protocol-error",
            type_name=type_name,
            message=f"the adapter broke the protocol: {result.message}",
            case=case,
            instance=payload,
            stderr=result.stderr,
        )
    if isinstance(result, Errored | Crashed | TimedOut):
        what = {
            Errored: "raised an internal error",
            Crashed: "crashed",
            TimedOut: "did not answer in time",
        }[type(result)]
        detail = result.message
        return ctx.finding(
            check=check,
            category="adapter-error",
            type_name=type_name,
            message=f"the implementation {what}" + (f": {detail}" if detail else ""),
            case=case,
            instance=payload,
            stderr=result.stderr,
        )
    return None


def lacks_op(result: OpResult) -> bool:
    """The adapter answered that it lacks the op itself: asking it again for
    the next subject would only repeat that."""
    return isinstance(result, Unsupported) and result.what == "op"
