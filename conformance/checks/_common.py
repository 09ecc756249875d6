"""Turning adapter results that are not a plain success into findings."""

from __future__ import annotations

from typing import Any

from conformance.adapters import Crashed, Errored, OpResult, TimedOut, Unsupported
from conformance.checks._registry import CheckContext
from conformance.findings import Finding

__all__ = ["failure_finding"]


def failure_finding(
    ctx: CheckContext, result: OpResult, *, check: str, type_name: str, case: str, payload: Any
) -> Finding | None:
    """The finding for an unsupported type/op or a misbehaving implementation,
    or None when the result is an ordinary answer the check must judge.

    A missing type is reported under the check name ``support`` so that every
    check that meets it yields the same key, and the run keeps it once.
    """
    if isinstance(result, Unsupported):
        if result.what == "type":
            return ctx.finding(
                check="support",
                category="missing-type",
                type_name=type_name,
                message=f"{type_name} is not implemented",
                case=case,
            )
        return ctx.finding(
            check=check,
            category="op-unsupported",
            type_name=type_name,
            message=f"the adapter does not support {result.what} {result.name!r}",
            case=case,
        )
    if isinstance(result, Errored | Crashed | TimedOut):
        what = {
            Errored: "raised an internal error",
            Crashed: "crashed",
            TimedOut: "did not answer in time",
        }[type(result)]
        detail = getattr(result, "message", "")
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
