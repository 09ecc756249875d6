"""Turn an ``--adapter`` string into an adapter."""

from __future__ import annotations

import importlib
from typing import Any

from conformance._errors import ConformanceError
from conformance.adapters._protocol import Adapter
from conformance.spec import SpecPack

__all__ = ["load_adapter"]


def load_adapter(spec: str, pack: SpecPack) -> Adapter:
    """``tinker``: the installed reference SDK, in process.
    ``python:package.module:factory``: ``factory(pack)`` returns an adapter
    (how tests plug in deliberately broken implementations)."""
    if spec == "tinker":
        from conformance.adapters.tinker_sdk import TinkerSdkAdapter

        return TinkerSdkAdapter(pack)
    if spec.startswith("python:"):
        module, _, attr = spec.removeprefix("python:").partition(":")
        if not module or not attr:
            msg = f"--adapter {spec!r}: expected python:package.module:factory"
            raise ConformanceError(msg)
        factory: Any = getattr(importlib.import_module(module), attr)
        adapter = factory(pack)
        if not isinstance(adapter, Adapter):
            msg = f"--adapter {spec!r}: {attr}(pack) returned {adapter!r}, not an adapter"
            raise ConformanceError(msg)
        return adapter
    msg = f"--adapter {spec!r}: expected 'tinker' or 'python:module:factory'"
    raise ConformanceError(msg)
