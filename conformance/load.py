"""Turn an ``--adapter`` string into an adapter."""

from __future__ import annotations

import importlib
import os
import re
import shlex
import typing
from pathlib import Path
from typing import Any

from conformance._data import load_checked, pointer
from conformance._errors import ConformanceError, SpecError
from conformance.adapters._batch import ANSWERS, OPTIONAL_OPS
from conformance.adapters._protocol import Adapter
from conformance.spec import SpecPack

if typing.TYPE_CHECKING:
    from conformance.reference._classes import Lookup

__all__ = ["ADAPTER_HELP", "load_adapter", "python_lookup", "subprocess_command"]

ADAPTER_HELP = (
    "The implementation: 'tinker' (the installed reference SDK, in process), "
    "'python-package[:ns,...][:map=FILE][:order=map,public,module]' (any Python "
    "implementation in process, its types found by public name: docs/PYTHON.md), "
    "'python:module:factory' (factory(pack) returns an adapter), or "
    "'subprocess:<command line>' (a program speaking docs/PROTOCOL.md)."
)

_PYTHON_PACKAGE = "python-package"
_DOTTED = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*")
#: The map file's own meta-schema, under schemas/meta/.
TYPE_MAP_SCHEMA = "type-map.schema.json"


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
    ``python-package[:ns,...][:map=FILE][:order=...]``: any Python
    implementation, in process (``python_lookup``; docs/PYTHON.md).
    ``python:package.module:factory``: ``factory(pack)`` returns an adapter
    (how tests plug in deliberately broken implementations).
    ``subprocess:<command line>``: a program of any language speaking
    protocol 1; ``timeout`` (seconds per message) and ``validate`` (check
    every message against schemas/protocol/) apply to it only."""
    if spec == "tinker" or spec.partition(":")[0] == _PYTHON_PACKAGE:
        from conformance.reference.adapter import TinkerSdkAdapter

        return TinkerSdkAdapter(pack, python_lookup(spec, pack))
    command = subprocess_command(spec)
    if command is not None:
        from conformance.adapters.subprocess import SubprocessAdapter

        return SubprocessAdapter(command, pack, timeout=timeout, validate=validate)
    if spec.startswith("python:"):
        module, _, attr = spec.removeprefix("python:").partition(":")
        if not module or not attr:
            msg = f"--adapter {spec!r}: expected python:package.module:factory"
            raise ConformanceError(msg)
        try:
            factory: Any = getattr(importlib.import_module(module), attr)
            adapter = factory(pack)
        except Exception as exc:  # the factory's code is not the suite's: bad input
            msg = f"--adapter {spec!r}: loading {module}:{attr} raised {type(exc).__name__}: {exc}"
            raise ConformanceError(msg) from exc
        if not all(callable(getattr(adapter, op, None)) for op in _REQUIRED_OPS):
            msg = (
                f"--adapter {spec!r}: {attr}(pack) returned {adapter!r}, not an adapter "
                "(one with hello, decode, construct, inspect, batch and close; "
                "conformance.adapters.SequentialBatch gives a batch)"
            )
            raise ConformanceError(msg)
        return typing.cast(Adapter, adapter)
    msg = (
        f"--adapter {spec!r}: expected 'tinker', 'python-package[:ns,...]', "
        "'python:module:factory' or 'subprocess:<command line>'"
    )
    raise ConformanceError(msg)


def python_lookup(spec: str, pack: SpecPack) -> Lookup:
    """How an in-process audit finds the types, from ``tinker`` or
    ``python-package[:ns,...][:map=FILE][:order=...]``.

    ``tinker`` and ``python-package`` alone: the pack's exporting namespaces
    (``sdk.exports``), then the reference's module paths (a drop-in that
    installs its own ``tinker``). Namespaces given (``python-package:mypkg.types``):
    only those, never the reference's module paths, which would find the
    reference where it is installed too. ``map=FILE``: a type map
    (``schemas/meta/type-map.schema.json``), tried first, its keys checked
    against the pack before the run. ``order``: the sources, from
    ``map``, ``public``, ``module``."""
    from conformance.reference._classes import SOURCES, Lookup

    if spec == "tinker":
        return Lookup()
    fields = spec.removeprefix(_PYTHON_PACKAGE).removeprefix(":").split(":")
    names = fields.pop(0) if fields and "=" not in fields[0] else ""
    namespaces = tuple(n.strip() for n in names.split(",") if n.strip())
    bad = [n for n in namespaces if not _DOTTED.fullmatch(n)]
    if bad:
        msg = f"--adapter {spec!r}: not a dotted module name: {', '.join(bad)}"
        raise ConformanceError(msg)
    options = {}
    for item in fields:
        key, eq, value = item.partition("=")
        if not eq or key not in ("map", "order") or key in options:
            msg = (
                f"--adapter {spec!r}: after the namespaces, expected map=FILE and "
                f"order=source,... once each, got {item!r}"
            )
            raise ConformanceError(msg)
        options[key] = value
    if "order" in options:
        order = tuple(options["order"].split(","))
        if set(order) - set(SOURCES) or len(set(order)) < len(order):
            msg = f"--adapter {spec!r}: order takes distinct sources of {', '.join(SOURCES)}"
            raise ConformanceError(msg)
    else:
        order = ("map", "public") if namespaces else SOURCES
    type_map: dict[str, str] = {}
    map_file = options.get("map")
    if map_file is not None:
        if "map" not in order:
            msg = f"--adapter {spec!r}: a map is given but the order has no 'map'"
            raise ConformanceError(msg)
        type_map = _type_map(Path(map_file), pack)
    return Lookup(namespaces=namespaces or None, order=order, type_map=type_map, map_file=map_file)


def _type_map(path: Path, pack: SpecPack) -> dict[str, str]:
    """A type map file, checked: its meta-schema, then every key a type of ``pack``."""
    data = load_checked(path, TYPE_MAP_SCHEMA)
    entries = {k: v for k, v in data.items() if k not in ("$schema", "description")}
    for name in entries:
        if name not in pack.types:
            raise SpecError(
                f"{name!r} is not a type of pack {pack.version}",
                file=path,
                pointer=pointer([name]),
                type_name=name,
            )
    return entries
