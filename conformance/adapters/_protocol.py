"""The adapter contract of docs/PROTOCOL.md as a typed Python protocol."""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from conformance.adapters._results import Hello, OpResult

__all__ = ["Adapter"]


@runtime_checkable
class Adapter(Protocol):
    """Drives one implementation. Ops never raise for what the implementation
    does; they return a result (conformance.adapters._results)."""

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

    def close(self) -> None: ...
