"""Turn an ``--adapter`` string into an adapter."""

from __future__ import annotations

import importlib
import os
import shlex
import typing
from typing import Any

from conformance._errors import ConformanceError
from conformance.adapters._batch import ANSWERS, OPTIONAL_OPS
from conformance.adapters._protocol import Adapter
from conformance.spec import SpecPack

__all__ = ["ADAPTER_HELP", "load_adapter", "subprocess_command"]

ADAPTER_HELP = (
    "The implementation: 'tinker' (the installed reference SDK, in process), "
    "'python:module:factory' (factory(pack) returns an adapter), or "
    "'subprocess:<command line>' (a program speaking docs/PROTOCOL.md)."
)


def subprocess_command(spec: str) -> list[str] | None:
    """The command of a ``subprocess:<command line>`` spec (shell-style
    quoting, no shell involved), or None for another kind of spec."""
    if not spec.startswith("subprocess:"):
        return None
    line = spec.removeprefix("subprocess:")
    try:
        command = shlex.split(line, posix=os.name != "nt")
    except ValueError as exc:
        msg = f"--adapter {spec!r}: cannot split the command line: {exc}"
        raise ConformanceError(msg) from None
    if not command:
        msg = f"--adapter {spec!r}: expected subprocess:<command line>, e.g. subprocess:'node a.js'"
        raise ConformanceError(msg)
    return command


#: What an adapter object must have; the ``OPTIONAL_OPS`` may be absent
#: (an adapter without them answers those ops as unsupported).
_REQUIRED_OPS = ("hello", *(op for op in ANSWERS if op not in OPTIONAL_OPS), "batch", "close")


def load_adapter(
    spec: str, pack: SpecPack, *, timeout: float = 10.0, validate: bool = False
) -> Adapter:
    """``tinker``: the installed reference SDK, in process.
    ``python:package.module:factory``: ``factory(pack)`` returns an adapter
    (how tests plug in deliberately broken implementations).
    ``subprocess:<command line>``: a program of any language speaking
    protocol 1; ``timeout`` (seconds per message) and ``validate`` (check
    every message against schemas/protocol/) apply to it only."""
    if spec == "tinker":
        from conformance.reference.adapter import TinkerSdkAdapter

        return TinkerSdkAdapter(pack)
    command = subprocess_command(spec)
    if command is not None:
        from conformance.adapters.subprocess import SubprocessAdapter

        return SubprocessAdapter(command, pack, timeout=timeout, validate=validate)
    if spec.startswith("python:"):
        module, _, attr = spec.removeprefix("python:").partition(":")
        if not module or not attr:
            msg = f"--adapter {spec!r}: expected python:package.module:factory"
            raise ConformanceError(msg)
        factory: Any = getattr(importlib.import_module(module), attr)
        adapter = factory(pack)
        if not all(callable(getattr(adapter, op, None)) for op in _REQUIRED_OPS):
            msg = (
                f"--adapter {spec!r}: {attr}(pack) returned {adapter!r}, not an adapter "
                "(one with hello, decode, construct, inspect, batch and close; "
                "conformance.adapters.SequentialBatch gives a batch)"
            )
            raise ConformanceError(msg)
        return typing.cast(Adapter, adapter)
    msg = (
        f"--adapter {spec!r}: expected 'tinker', 'python:module:factory' or "
        "'subprocess:<command line>'"
    )
    raise ConformanceError(msg)
