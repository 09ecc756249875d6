"""Build instances of SDK types through the SDK's own constructors.

Used to hold the schemas to the SDK (every instance the SDK builds must
validate) and to seed golden fixtures. Values are derived from the field
annotations: a *minimal* instance passes only required arguments, a *full*
one passes every argument with a non-null value.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import sys
import types
import typing
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["build_instance", "to_wire"]

_MOMENT = dt.datetime(2025, 11, 26, 12, 30, 15, 250000, tzinfo=dt.UTC)


def build_instance(cls: type, *, full: bool, modules: Mapping[str, str]) -> Any:
    """An instance of ``cls`` made by calling it with synthesized arguments.

    ``modules`` maps type names to their defining module (index.json's
    ``module``): the SDK rewrites ``__module__`` of exported classes, so a
    dataclass's string annotations only resolve in the module named there.
    """
    return cls(**_arguments(cls, full=full, modules=modules))


def _arguments(cls: type, *, full: bool, modules: Mapping[str, str]) -> dict[str, Any]:
    fields = getattr(cls, "model_fields", None)
    if fields is not None:
        return {
            name: _value(info.annotation, full, modules)
            for name, info in fields.items()
            if full or info.is_required()
        }
    if dataclasses.is_dataclass(cls):
        module = modules.get(cls.__name__)
        namespace = vars(sys.modules[module]) if module else None
        hints = typing.get_type_hints(cls, globalns=namespace)
        return {
            f.name: _value(hints[f.name], full, modules)
            for f in dataclasses.fields(cls)
            if f.init
            and not f.name.startswith("_")
            and (
                full
                or (f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING)
            )
        }
    msg = f"cannot build {cls!r}: neither a pydantic model nor a dataclass"
    raise TypeError(msg)


def _value(annotation: Any, full: bool, modules: Mapping[str, str]) -> Any:
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if annotation is type(None):
        return None
    if origin is typing.Annotated:
        return _value(args[0], full, modules)
    if origin is typing.Literal:
        return args[0]
    if origin in (typing.Union, types.UnionType):
        return _value(next(a for a in args if a is not type(None)), full, modules)
    if origin in (list, Sequence, typing.List):  # noqa: UP006 - the SDK's annotations
        return [_value(args[0], full, modules) if args else "item"]
    if origin is tuple:
        return tuple(_value(a, full, modules) for a in args)
    if origin in (dict, Mapping, typing.Dict):  # noqa: UP006
        return {"key": _value(args[1], full, modules) if args else "value"}
    return _scalar(annotation, full, modules)


def _scalar(annotation: Any, full: bool, modules: Mapping[str, str]) -> Any:
    if annotation is typing.Any or annotation is object:
        return {"note": "any"}
    if isinstance(annotation, type):
        if annotation.__module__ == "pydantic.types" and annotation.__name__.endswith("Datetime"):
            return _MOMENT  # AwareDatetime and kin: annotations, not datetime subclasses
        if annotation is bool:
            return True
        if annotation is int:
            return 7
        if annotation is float:
            return 0.5
        if annotation is str:
            return "text"
        if annotation is bytes:
            return b"\x89PNG\r\n"
        if issubclass(annotation, dt.datetime):
            return _MOMENT
        if issubclass(annotation, enum.Enum):
            return next(iter(annotation))
        if annotation.__module__ == "numpy" and annotation.__name__ == "ndarray":
            import numpy as np

            return np.array([1.5, 2.5], dtype=np.float32)
        if hasattr(annotation, "model_fields") or dataclasses.is_dataclass(annotation):
            return build_instance(annotation, full=full, modules=modules)
    msg = f"no sample value for annotation {annotation!r}"
    raise TypeError(msg)


def to_wire(
    value: Any,
    dump_options: Mapping[str, Any] | None = None,
    twins: Mapping[str, type] | None = None,
) -> Any:
    """The JSON the SDK puts on the wire for ``value``.

    Pydantic models use ``model_dump(mode="json", **dump_options)``, as the
    SDK's resources do. A dataclass with a pydantic twin (index.json's
    ``json_model``) speaks JSON through the twin, fed from its attributes;
    one without a twin has no JSON encoder in the SDK: its JSON shape is its
    public fields, arrays as lists.
    """
    options = dict(dump_options or {})
    twins = twins or {}
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json", **options)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        twin = twins.get(type(value).__name__)
        if twin is not None:
            fields = twin.model_fields  # type: ignore[attr-defined]
            converted = twin(**{f: _plain(getattr(value, f), twins) for f in fields})
            return to_wire(converted, options, twins)
        out = {}
        for f in dataclasses.fields(value):
            if f.name.startswith("_"):
                continue
            item = getattr(value, f.name)
            if item is None and options.get("exclude_none"):
                continue
            out[f.name] = to_wire(item, options, twins)
        return out
    if isinstance(value, Mapping):
        return {str(k): to_wire(v, options, twins) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_wire(v, options, twins) for v in value]
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return value


def _plain(value: Any, twins: Mapping[str, type]) -> Any:
    """A dataclass attribute as the twin's constructor takes it."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return to_wire(value, {}, twins)
    if isinstance(value, list):
        return [_plain(v, twins) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v, twins) for k, v in value.items()}
    return value
