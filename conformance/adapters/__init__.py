"""Adapters drive implementations: in-process Python, or any language over
the JSON-lines subprocess protocol (docs/PROTOCOL.md)."""

from conformance.adapters._load import load_adapter
from conformance.adapters._protocol import Adapter
from conformance.adapters._results import (
    Crashed,
    Encoded,
    Errored,
    Hello,
    Inspected,
    OpResult,
    Rejected,
    TimedOut,
    Unsupported,
)

__all__ = [
    "Adapter",
    "Crashed",
    "Encoded",
    "Errored",
    "Hello",
    "Inspected",
    "OpResult",
    "Rejected",
    "TimedOut",
    "Unsupported",
    "load_adapter",
]
