"""tinker-conformance: conformance and type-parity suite for Tinker API clients."""

from conformance._errors import ConformanceError, SpecError
from conformance.spec import SpecPack, load_pack

__all__ = ["ConformanceError", "SpecError", "SpecPack", "load_pack"]
