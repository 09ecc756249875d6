"""Find the reference SDK's classes for a pack's types (where the SDK is installed)."""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from conformance.spec import SpecPack

__all__ = ["installed_version", "json_class", "module_map", "native_class", "twin_map"]


def installed_version() -> str | None:
    """The installed ``tinker`` version, or None where the SDK is absent."""
    try:
        return version("tinker")
    except PackageNotFoundError:
        return None


def _load(dotted: str) -> Any:
    module, _, name = dotted.rpartition(".")
    return getattr(importlib.import_module(module), name)


def native_class(pack: SpecPack, name: str) -> Any:
    """The object users of the SDK see for ``name`` (class, alias or enum)."""
    return _load(f"{pack.types[name]['module']}.{name}")


def json_class(pack: SpecPack, name: str) -> Any:
    """The class that speaks JSON for ``name``: its pydantic twin if it has
    one, else (and where an older SDK lacks the twin) the class itself."""
    entry = pack.types[name]
    if "json_model" in entry:
        try:
            return _load(entry["json_model"])
        except (ImportError, AttributeError):
            pass
    return native_class(pack, name)


def module_map(pack: SpecPack) -> Mapping[str, str]:
    return {name: entry["module"] for name, entry in pack.types.items()}


def twin_map(pack: SpecPack) -> Mapping[str, type]:
    """Pydantic twins of the pack's dataclasses that the installed SDK has
    (an older SDK audited against a newer pack has none of them)."""
    twins = {}
    for name, entry in pack.types.items():
        if "json_model" in entry:
            try:
                twins[name] = _load(entry["json_model"])
            except (ImportError, AttributeError):
                continue
    return twins
