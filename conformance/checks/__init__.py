"""The checks of the suite. Importing this package registers them all."""

from conformance.checks import behaviour, endpoints, parity, roundtrip, shape, strictness
from conformance.checks._registry import (
    CHECKS,
    SUPPORT_CHECK,
    Check,
    CheckContext,
    Outcome,
    Passed,
    Skipped,
    check,
)

__all__ = [
    "CHECKS",
    "SUPPORT_CHECK",
    "Check",
    "CheckContext",
    "Outcome",
    "Passed",
    "Skipped",
    "check",
]

del behaviour, endpoints, parity, roundtrip, shape, strictness
