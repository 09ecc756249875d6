"""The hostile namespace of types (see the package's docstring)."""

from __future__ import annotations

from typing import Any

from hostile_impl._hostile import hostile, hostile_class


def __getattr__(name: str) -> Any:
    if name.startswith("__"):
        raise AttributeError(name)
    if name.startswith("M"):
        hostile(f"attribute access hostile_impl.types.{name}")
    if name.startswith("S"):
        raise AttributeError(name)  # look further: hostile_impl.unimportable
    return hostile_class(name)
