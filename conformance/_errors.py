"""The one exception family of the package.

Every error names what it was looking at (file, type, JSON pointer) and says
what was expected and what came, so a user can find the offending spot
without a traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["AdapterError", "ConformanceError", "Interrupted", "SpecError"]


class Interrupted(KeyboardInterrupt):
    """The run was stopped from outside (SIGTERM, ``--max-time``); its text
    says which. A KeyboardInterrupt, because libraries treat that as Ctrl-C:
    no check swallows it, and hypothesis re-raises it from the middle of a
    draw instead of replaying the draw (any other exception there is taken
    for a flaky strategy)."""


class ConformanceError(Exception):
    """Base class of every error raised on purpose by tinker-conformance."""


class AdapterError(ConformanceError):
    """An adapter program could not be started or did not say hello."""


class SpecError(ConformanceError):
    """A spec pack file (schema, index or fixture) is missing or malformed."""

    def __init__(
        self,
        message: str,
        *,
        file: Path | str,
        pointer: str = "",
        type_name: str | None = None,
        instance: Any = None,
        hint: str | None = None,
    ) -> None:
        self.message = message
        self.file = Path(file)
        self.pointer = pointer
        self.type_name = type_name
        self.instance = instance
        self.hint = hint
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.file}#{self.pointer or '/'}"
        parts = [f"{where}: {self.message}"]
        if self.type_name is not None:
            parts.append(f"type={self.type_name!r}")
        if self.instance is not None:
            parts.append(f"instance={_short_repr(self.instance)}")
        if self.hint:
            parts.append(f"hint: {self.hint}")
        return "\n  ".join(parts)


def _short_repr(value: Any, limit: int = 200) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
