"""Many ops in one go: ``Call`` names one op, ``Adapter.batch`` answers a list.

A subprocess adapter sends a list of calls as one ``batch`` message, which
saves a round trip per op. An in-process adapter gains nothing from that, so
it inherits ``SequentialBatch``: the one loop that asks its own ops in turn.
"""

from __future__ import annotations

import traceback
from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from typing import Any, Protocol, cast

from conformance._json import json_problem
from conformance._redact import redact
from conformance.adapters._results import (
    Crashed,
    Encoded,
    Errored,
    Inspected,
    OpResult,
    ProtocolError,
    Rejected,
    Returned,
    TimedOut,
    Unsupported,
)

__all__ = [
    "ANSWERS",
    "OPTIONAL_OPS",
    "TYPE_OPS",
    "Call",
    "SequentialBatch",
    "answer_of",
    "run_call",
]

#: The ops a check asks, and the result each answers on success
#: (docs/PROTOCOL.md); any op may also answer a refusal or a failure.
ANSWERS: dict[str, type[OpResult]] = {
    "decode": Encoded,
    "construct": Encoded,
    "inspect": Inspected,
    "call": Returned,
    "request": Returned,
}
#: Ops an adapter may lack: each of their calls is then ``Unsupported(what="op")``.
OPTIONAL_OPS = ("call", "request")
#: Ops whose ``Call.name`` is a type of the pack.
TYPE_OPS = ("decode", "construct", "inspect")
_ALWAYS = (Rejected, Unsupported, Errored, ProtocolError, Crashed, TimedOut)


@dataclass(frozen=True, kw_only=True)
class Call:
    """One op to run, as checks hand it to ``Adapter.batch``."""

    op: str  # decode | construct | inspect | call | request
    name: str  # the type (decode, construct, inspect), helper (call) or endpoint (request)
    data: Any  # the payload (decode, inspect) or the arguments (construct, call, request)
    base_url: str | None = None  # request only: the loopback mock server

    @classmethod
    def decode(cls, type_name: str, payload: Any) -> Call:
        return cls(op="decode", name=type_name, data=payload)

    @classmethod
    def construct(cls, type_name: str, args: dict[str, Any]) -> Call:
        return cls(op="construct", name=type_name, data=args)

    @classmethod
    def inspect(cls, type_name: str, payload: Any) -> Call:
        return cls(op="inspect", name=type_name, data=payload)

    @classmethod
    def call(cls, helper: str, args: dict[str, Any]) -> Call:
        return cls(op="call", name=helper, data=args)

    @classmethod
    def request(cls, endpoint: str, args: dict[str, Any], base_url: str) -> Call:
        return cls(op="request", name=endpoint, data=args, base_url=base_url)


def answer_of(call: Call, result: OpResult) -> OpResult:
    """``result`` where ``call``'s op may answer it, its texts redacted
    (``conformance._redact``: what an implementation says reaches reports),
    else a protocol error: an in-process adapter that answers ``decode``
    with a shape, or with a value too deep or not finite to judge
    (``json_problem``), broke the contract as surely as a program that
    sends garbage."""
    if not isinstance(result, (ANSWERS[call.op], *_ALWAYS)):
        return ProtocolError(
            message=f"{call.op} {call.name!r} was answered with {type(result).__name__}, "
            f"not {ANSWERS[call.op].__name__}"
        )
    if isinstance(result, Encoded | Returned | Inspected):
        problem = json_problem(_answer(result))
        if problem is not None:
            return ProtocolError(message=f"{call.op} {call.name!r} was answered with {problem}")
        return result
    texts = {
        f.name: redact(value)
        for f in fields(result)
        if isinstance(value := getattr(result, f.name), str)
    }
    redacted: OpResult = replace(cast(Any, result), **texts)  # any of _ALWAYS
    return redacted


def _answer(result: Encoded | Returned | Inspected) -> Any:
    if isinstance(result, Encoded):
        return result.wire
    return result.value if isinstance(result, Returned) else result.shape


class _Ops(Protocol):
    def decode(self, type_name: str, payload: Any) -> OpResult: ...
    def construct(self, type_name: str, args: dict[str, Any]) -> OpResult: ...
    def inspect(self, type_name: str, payload: Any) -> OpResult: ...


def run_call(adapter: _Ops, call: Call) -> OpResult:
    """``call`` asked of an in-process adapter through its op methods; ``call``
    and ``request`` are optional methods (``call(helper, args)``,
    ``request(endpoint, args, base_url)``), unsupported where absent."""
    if call.op == "decode":
        return adapter.decode(call.name, call.data)
    if call.op == "construct":
        return adapter.construct(call.name, call.data)
    if call.op == "inspect":
        return adapter.inspect(call.name, call.data)
    method = getattr(adapter, call.op, None) if call.op in OPTIONAL_OPS else None
    if method is None:
        message = f"op {call.op!r} is not available in process"
        return Unsupported(what="op", name=call.op, message=message)
    extra = (call.base_url,) if call.op == "request" else ()
    result: OpResult = method(call.name, call.data, *extra)
    return result


class SequentialBatch:
    """``batch`` for adapters without a cheaper way: each call in turn. An op
    that raises (an in-process implementation's exception, whatever it is)
    is an ``Errored`` for that call alone: the run goes on."""

    def batch(self: _Ops, calls: Sequence[Call]) -> list[OpResult]:
        results: list[OpResult] = []
        for call in calls:
            try:
                results.append(run_call(self, call))
            except Exception as exc:
                results.append(
                    Errored(
                        message=f"{call.op} {call.name!r} raised {type(exc).__name__}: {exc}",
                        stderr="".join(traceback.format_exception(exc)),
                    )
                )
        return results
