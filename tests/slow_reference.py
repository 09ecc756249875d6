"""The reference, slowed down: a run long enough in its checks for the
interrupt tests (tests/test_interrupts.py) to signal it well into them,
whatever the corpus makes fast. Not a mutant: its answers are the reference's."""

from __future__ import annotations

import time
from typing import Any

from conformance.adapters import OpResult
from conformance.reference.adapter import TinkerSdkAdapter

#: Seconds per decode: with the shipped corpus (1,819 examples of 0.15.0,
#: 3,635 of 0.38.0), property-roundtrip takes about a minute or more.
DELAY = 0.03


class SlowReference(TinkerSdkAdapter):
    """The in-process reference, ``DELAY`` seconds slower per decode."""

    def decode(self, type_name: str, payload: Any) -> OpResult:
        time.sleep(DELAY)
        return super().decode(type_name, payload)
