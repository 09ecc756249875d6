"""Adapters drive implementations: in-process Python, or any language over
the JSON-lines subprocess protocol (docs/PROTOCOL.md)."""

from conformance.adapters._batch import Call, SequentialBatch
from conformance.adapters._load import load_adapter
from conformance.adapters._protocol import Adapter
from conformance.adapters._results import (
    PROTOCOL_ERROR,
    Crashed,
    Encoded,
    Errored,
    Hello,
    Inspected,
    OpResult,
    Rejected,
    TimedOut,
    Unsupported,
    is_protocol_error,
)

__all__ = [
    "PROTOCOL_ERROR",
    "Adapter",
    "Call",
    "Crashed",
    "Encoded",
    "Errored",
    "Hello",
    "Inspected",
    "OpResult",
    "Rejected",
    "SequentialBatch",
    "TimedOut",
    "Unsupported",
    "is_protocol_error",
    "load_adapter",
]
