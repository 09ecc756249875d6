"""The adapter contract of docs/PROTOCOL.md as a typed Python protocol."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, runtime_checkable

from conformance.adapters._batch import Call
from conformance.adapters._results import Hello, OpResult

__all__ = ["Adapter"]


@runtime_checkable
class Adapter(Protocol):
    """Drives one implementation. Ops never raise for what the implementation
    does; they return a result (conformance.adapters._results).

    Checks reach an adapter only through ``batch`` (``checks._common.ask``).
    The ops ``OPTIONAL_OPS`` (``call(helper, args)``: a helper behaviour,
    answered ``Returned({"returned", "self"?})``; ``request(endpoint, args,
    base_url)``: one API call against the loopback mock server, answered
    ``Returned(value)``) are optional methods: ``SequentialBatch`` answers
    ``Unsupported(what="op")`` for an adapter that lacks them."""

    def hello(self) -> Hello: ...

    def decode(self, type_name: str, payload: Any) -> OpResult:
        """Parse wire JSON into the native type and encode it back."""
        ...

    def construct(self, type_name: str, args: dict[str, Any]) -> OpResult:
        """Build through the native constructor with only ``args``; encode."""
        ...

    def inspect(self, type_name: str, payload: Any) -> OpResult:
        """The native shape of the decoded value, in the neutral vocabulary."""
        ...

    def batch(self, calls: Sequence[Call]) -> list[OpResult]:
        """One result per call, in order (``SequentialBatch`` asks each op in
        turn; a subprocess adapter sends them as one message)."""
        ...

    def close(self) -> None: ...
