"""The in-process adapter for a Python implementation: by default the
installed reference SDK (``tinker`` on PyPI), or any package whose types
``conformance.reference._classes.Classes`` finds by public name, type map or
module path (``--adapter python-package:...``, docs/PYTHON.md).

Drives whatever version is importable, against the pack given: hello,
decode, construct, inspect, call and request. Every op answers with a result
of ``conformance.adapters._results``; nothing the implementation does (at
import, at attribute access, inside a call) escapes as an exception.

How each op reads the SDK:

- ``decode`` parses wire JSON with the class that speaks JSON
  (``conformance.reference._classes.json_class``): ``model_validate`` for pydantic models,
  ``TypeAdapter(...).validate_python`` for aliases, unions and enums, then
  encodes the value back with ``to_wire`` (a full dump: the canonical
  comparison fills defaults and drops nulls later).
- 0.38.0's stdlib dataclasses without a pydantic twin (``SampleResponse``,
  ``SampledSequence``, ...) have no JSON decoder in the SDK (they travel as
  protobuf). The adapter reads them the way a JSON port would: the payload's
  keys become constructor keywords, nested values are built from the
  constructor's annotations (nested dataclasses the same way, pydantic models
  by ``model_validate``, numpy arrays from lists). The dataclass constructor
  does not check value types, so a wrong value type there is accepted; a
  missing or unknown key is rejected, as the constructor rejects it.
- A union the SDK never validates as a whole (``union.strategy``
  ``expected-type``: 0.38.0's ``FutureRetrieveResponse``) is read by the
  markers the SDK's future reader checks (``type: try_again``, an ``error``
  key); anything else the SDK parses as the awaited request's expected type,
  which a payload alone does not name: the adapter keeps the variant that
  reads the most of the payload's keys (``_read_by_markers``).
- ``construct`` calls the native (user-facing) constructor with only the
  given arguments and encodes with the pack's request serialization
  (``request_serialization.model_dump``), so defaults show as the SDK sends them.
- ``inspect`` decodes, then describes the declared Python types of the
  value's class fields in the vocabulary of ``conformance.shapes``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import functools
import types
import typing
from collections.abc import Callable, Mapping
from typing import Any

from conformance.adapters._batch import SequentialBatch
from conformance.adapters._results import (
    Encoded,
    Hello,
    Inspected,
    OpResult,
    Rejected,
    TypeMap,
    Unsupported,
)
from conformance.reference._classes import Classes, Lookup, distribution
from conformance.reference._read import (
    MAPPINGS,
    SEQUENCES,
    Answer,
    Reader,
    errored,
    is_ndarray,
    wire_name,
)
from conformance.reference._wire import to_wire
from conformance.shapes import Shape
from conformance.spec import STRUCT_KINDS, SpecPack

__all__ = ["TinkerSdkAdapter"]

_OPS = ("hello", "decode", "construct", "inspect", "call", "request")


def _guarded(op: Callable[..., OpResult]) -> Callable[..., OpResult]:
    """An op whose every exception is a result: the code under audit may be
    any Python package, and raise anything anywhere (at import, at attribute
    access, inside a call), the run goes on with an ``Errored`` for the subject."""

    @functools.wraps(op)
    def run(self: TinkerSdkAdapter, *args: Any) -> OpResult:
        try:
            return op(self, *args)
        except Answer as answer:
            return answer.result
        except (Exception, SystemExit) as exc:  # SystemExit: code calling sys.exit() in an op
            return errored(exc, f"in {op.__name__}")

    return run


class TinkerSdkAdapter(Reader, SequentialBatch):
    """Drives a Python implementation in process, against ``pack``: the
    installed ``tinker`` by default, or whatever ``lookup`` finds
    (``conformance.reference._classes``)."""

    def __init__(self, pack: SpecPack, lookup: Lookup | None = None) -> None:
        super().__init__(pack, Classes(pack, lookup))
        self._twins: Mapping[str, type] | None = None
        self._named: list[tuple[Any, str, str]] | None = None

    # -- ops ---------------------------------------------------------------------

    def hello(self) -> Hello:
        """Who the implementation is (the distribution that provides its
        package) and the types the lookup finds; every type is looked up
        here, so the map entries used are known from the start."""
        decodable = []
        for name in self.pack.types:
            try:
                self.classes.json(name)
            except Exception:  # a type the implementation lacks is not claimed
                continue
            decodable.append(name)
        try:
            found = distribution(self.classes.namespaces[0])
        except Exception:  # broken metadata of the environment: the package's name stands
            found = None
        name, version = found or (self.classes.root, "unknown")
        lookup = self.classes.lookup
        return Hello(
            name=name,
            language="python",
            version=version,
            spec_version=self.pack.version,
            ops=_OPS,
            types=tuple(decodable),
            type_map=None
            if lookup.map_file is None
            else TypeMap(file=lookup.map_file, used=tuple(sorted(self.classes.used.items()))),
        )

    @_guarded
    def decode(self, type_name: str, payload: Any) -> OpResult:
        try:
            value = self.value(type_name, payload)
            return self._encode(value, {})
        except Answer as answer:
            return answer.result

    @_guarded
    def construct(self, type_name: str, args: dict[str, Any]) -> OpResult:
        try:
            entry = self.entry(type_name)
            if entry["kind"] not in STRUCT_KINDS:
                return Unsupported(
                    what="type",
                    name=type_name,
                    message=f"{type_name} is not a struct (kind {entry['kind']}): no constructor",
                )
            # A dataclass with a pydantic twin (0.38.0's Datum, TensorData) speaks
            # JSON through the twin, whose required fields the pack records.
            twin = "json_model" in entry
            cls = self.json_class(type_name) if twin else self.native_class(type_name)
            if not isinstance(typing.cast(object, args), Mapping):
                return Rejected(message=f"constructor arguments must be an object, not {args!r}")
            value = self.sdk_call(lambda: self.build(cls, dict(args), construct=True))
            options = {
                k: v
                for k, v in self.pack.index["request_serialization"]["model_dump"].items()
                if k != "mode"
            }
            return self._encode(value, options)
        except Answer as answer:
            return answer.result

    @_guarded
    def inspect(self, type_name: str, payload: Any) -> OpResult:
        try:
            value = self.value(type_name, payload)
            struct = self.pack.types[type_name]["kind"] in STRUCT_KINDS
            declared = None if struct else self.native_class(type_name)
        except Answer as answer:
            return answer.result
        try:
            if declared is None:
                cls = type(value)
                fields = self._field_shapes(cls)
                return Inspected(shape={"type": f"struct:{cls.__name__}", "fields": fields})
            return Inspected(shape={"type": str(self.annotation_shape(declared, top=type_name))})
        except Exception as exc:  # annotations the adapter cannot describe
            return errored(exc, "describing the native type")

    @_guarded
    def call(self, helper: str, args: dict[str, Any]) -> OpResult:
        from conformance.reference import helpers

        return helpers.call(self.pack, helper, args, self.classes)

    @_guarded
    def request(self, endpoint: str, args: dict[str, Any], base_url: str) -> OpResult:
        from conformance.reference import endpoints

        return endpoints.request(self.pack, endpoint, args, base_url, self.classes)

    def close(self) -> None:
        return None

    # -- reading -----------------------------------------------------------------

    def _encode(self, value: Any, options: Mapping[str, Any]) -> OpResult:
        try:
            return Encoded(wire=to_wire(value, options, self._twin_map()))
        except Exception as exc:
            return errored(exc, "encoding")

    def _twin_map(self) -> Mapping[str, type]:
        if self._twins is None:
            try:
                self._twins = self.classes.twins()
            except Exception:  # a twin that fails to import encodes nothing
                self._twins = {}
        return self._twins

    # -- shapes of native types --------------------------------------------------

    def _field_shapes(self, cls: type) -> dict[str, str]:
        model_fields = getattr(cls, "model_fields", None)
        if model_fields is not None:
            return {
                wire_name(name, info): str(self.annotation_shape(info.annotation))
                for name, info in model_fields.items()
            }
        if dataclasses.is_dataclass(cls):
            hints = typing.get_type_hints(cls, globalns=self.namespace(cls))
            return {
                f.name: str(self.annotation_shape(hints[f.name]))
                for f in dataclasses.fields(cls)
                if not f.name.startswith("_")
            }
        msg = f"{cls!r} is neither a pydantic model nor a dataclass"
        raise TypeError(msg)

    def _named_aliases(self) -> list[tuple[Any, str, str]]:
        """(object, name, kind) for every enum and union of the pack, as the
        SDK spells it and with Stainless ``Annotated`` metadata stripped."""
        if self._named is None:
            found: list[tuple[Any, str, str]] = []
            for name, entry in self.pack.types.items():
                if entry["kind"] not in ("enum", "union"):
                    continue
                objects = []
                for loader in (self.classes.native, self.classes.json):
                    try:
                        objects.append(loader(name))
                    except Exception:  # absent from this SDK
                        continue
                for obj in objects:
                    found.append((obj, name, entry["kind"]))
                    if typing.get_origin(obj) is typing.Annotated:
                        found.append((typing.get_args(obj)[0], name, entry["kind"]))
            self._named = found
        return self._named

    def _recognise(self, annotation: Any, top: str | None) -> Shape | None:
        matches: dict[str, str] = {}
        for obj, name, kind in self._named_aliases():
            try:
                same = bool(obj == annotation)
            except Exception:
                same = False
            if same:
                matches[name] = kind
        if top is not None and top in matches:
            name = top
        elif len(matches) == 1:
            name = next(iter(matches))
        else:
            return None  # unnamed, or equal to several aliases: no single name applies
        return Shape.named_enum(name) if matches[name] == "enum" else Shape.named_union(name)

    def annotation_shape(self, annotation: Any, top: str | None = None) -> Shape:
        """The shape of a Python annotation of the SDK. ``top`` names the pack
        type being described, so an alias equal to others still gets its name."""
        named = self._recognise(annotation, top)
        if named is not None:
            return named
        origin = typing.get_origin(annotation)
        args = typing.get_args(annotation)
        if origin is typing.Annotated:
            return self.annotation_shape(args[0])
        if annotation is type(None) or annotation is None:
            return Shape("null")
        if annotation is typing.Any or annotation is object:
            return Shape("any")
        if origin is typing.Literal:
            return Shape.literals(a.value if isinstance(a, enum.Enum) else a for a in args)
        if origin in (typing.Union, types.UnionType):
            present = [a for a in args if a is not type(None)]
            if len(present) > 1 and len(present) < len(args):
                # Optional[Alias] of a bare Union alias flattens into one Union
                named = self._recognise(typing.Union[tuple(present)], None)  # noqa: UP007
                if named is not None:
                    return Shape.optional(named)
            return Shape.union_of(self.annotation_shape(a) for a in args)
        if origin is tuple:
            if not args or args[-1] is Ellipsis:
                return Shape.list_of(self.annotation_shape(args[0]) if args else Shape("any"))
            return Shape.tuple_of(self.annotation_shape(a) for a in args)
        if origin in SEQUENCES or annotation in SEQUENCES:
            return Shape.list_of(self.annotation_shape(args[0]) if args else Shape("any"))
        if origin in MAPPINGS or annotation in MAPPINGS:
            if len(args) == 2:
                return Shape.map_of(self.annotation_shape(args[1]), self.annotation_shape(args[0]))
            return Shape.map_of(Shape("any"))
        if is_ndarray(annotation):
            return Shape.list_of(Shape("number"))
        supertype = getattr(annotation, "__supertype__", None)
        if supertype is not None:  # typing.NewType
            return self.annotation_shape(supertype)
        if isinstance(annotation, type):
            return self._class_shape(annotation)
        msg = f"no shape for annotation {annotation!r}"
        raise TypeError(msg)

    def _class_shape(self, cls: type) -> Shape:
        if cls is bool:
            return Shape("boolean")
        if issubclass(cls, enum.Enum):
            entry = self.pack.types.get(cls.__name__)
            if entry is not None and entry["kind"] == "enum":
                return Shape.named_enum(cls.__name__)
            return Shape.literals(m.value for m in cls)
        if issubclass(cls, str):
            return Shape("string")
        if issubclass(cls, int):
            return Shape("integer")
        if issubclass(cls, float):
            return Shape("number")
        if issubclass(cls, bytes | bytearray):
            return Shape("bytes")
        if issubclass(cls, dt.datetime) or (
            cls.__module__ == "pydantic.types" and cls.__name__.endswith("Datetime")
        ):
            return Shape("datetime")  # AwareDatetime and kin annotate, never subclass
        if hasattr(cls, "model_fields") or dataclasses.is_dataclass(cls):
            return Shape.struct(cls.__name__)
        msg = f"no shape for class {cls!r}"
        raise TypeError(msg)
