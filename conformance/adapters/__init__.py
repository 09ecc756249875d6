"""Adapters drive implementations: in-process Python, or any language over
the JSON-lines subprocess protocol (docs/PROTOCOL.md)."""

from conformance.adapters._batch import Call, SequentialBatch
from conformance.adapters._protocol import Adapter
from conformance.adapters._results import (
    Crashed,
    Encoded,
    Errored,
    Hello,
    Incident,
    Inspected,
    OpResult,
    ProtocolError,
    Rejected,
    Returned,
    TimedOut,
    Unsupported,
)

__all__ = [
    "Adapter",
    "Call",
    "Crashed",
    "Encoded",
    "Errored",
    "Hello",
    "Incident",
    "Inspected",
    "OpResult",
    "ProtocolError",
    "Rejected",
    "Returned",
    "SequentialBatch",
    "TimedOut",
    "Unsupported",
]
