"""The in-process adapter for the installed reference SDK (``tinker`` on PyPI).

Drives whatever ``tinker`` version is importable, against the pack of the
same version: hello, decode, construct and inspect. Every op answers with a
result of ``conformance.adapters._results``; nothing the SDK does escapes as
an exception.

How each op reads the SDK:

- ``decode`` parses wire JSON with the class that speaks JSON
  (``conformance._sdk.json_class``): ``model_validate`` for pydantic models,
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
import sys
import traceback
import types
import typing
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

from conformance._sdk import installed_version, json_class, module_map, native_class, twin_map
from conformance.adapters._batch import SequentialBatch
from conformance.adapters._results import (
    Encoded,
    Errored,
    Hello,
    Inspected,
    OpResult,
    Rejected,
    Unsupported,
)
from conformance.generate._samples import to_wire
from conformance.shapes import STRUCT_KINDS, Shape
from conformance.spec import SpecPack

__all__ = ["TinkerSdkAdapter"]

_OPS = ("hello", "decode", "construct", "inspect", "call", "request")

_SEQUENCES: tuple[Any, ...] = (list, set, frozenset, Sequence, typing.List, typing.Sequence)  # noqa: UP006
_MAPPINGS: tuple[Any, ...] = (dict, Mapping, typing.Dict, typing.Mapping)  # noqa: UP006


class _Answer(Exception):  # a result travelling up, not an error
    """Carries a finished result out of the helpers."""

    def __init__(self, result: OpResult) -> None:
        super().__init__(repr(result))
        self.result = result


class TinkerSdkAdapter(SequentialBatch):
    """Drives the installed ``tinker`` in-process, against ``pack``."""

    def __init__(self, pack: SpecPack) -> None:
        self.pack = pack
        self._twins: Mapping[str, type] | None = None
        self._modules = module_map(pack)
        self._named: list[tuple[Any, str, str]] | None = None

    # -- ops ---------------------------------------------------------------------

    def hello(self) -> Hello:
        decodable = []
        for name in self.pack.types:
            try:
                json_class(self.pack, name)
            except Exception:  # a type the SDK lacks is not claimed
                continue
            decodable.append(name)
        return Hello(
            name="tinker",
            language="python",
            version=installed_version() or "unknown",
            spec_version=self.pack.version,
            ops=_OPS,
            types=tuple(decodable),
        )

    def decode(self, type_name: str, payload: Any) -> OpResult:
        try:
            value = self._guard_read(type_name, payload)
            return self._encode(value, {})
        except _Answer as answer:
            return answer.result

    def construct(self, type_name: str, args: dict[str, Any]) -> OpResult:
        try:
            entry = self._entry(type_name)
            if entry["kind"] not in STRUCT_KINDS:
                return Unsupported(
                    what="type",
                    name=type_name,
                    message=f"{type_name} is not a struct (kind {entry['kind']}): no constructor",
                )
            # A dataclass with a pydantic twin (0.38.0's Datum, TensorData) speaks
            # JSON through the twin, whose required fields the pack records.
            twin = "json_model" in entry
            cls = self._json(type_name) if twin else self._native(type_name)
            if not isinstance(typing.cast(object, args), Mapping):
                return Rejected(message=f"constructor arguments must be an object, not {args!r}")
            value = self._sdk_call(lambda: self._build(cls, dict(args), construct=True))
            options = {
                k: v
                for k, v in self.pack.index["request_serialization"]["model_dump"].items()
                if k != "mode"
            }
            return self._encode(value, options)
        except _Answer as answer:
            return answer.result

    def inspect(self, type_name: str, payload: Any) -> OpResult:
        try:
            value = self._guard_read(type_name, payload)
            struct = self.pack.types[type_name]["kind"] in STRUCT_KINDS
            declared = None if struct else self._native(type_name)
        except _Answer as answer:
            return answer.result
        try:
            if declared is None:
                cls = type(value)
                fields = self._field_shapes(cls)
                return Inspected(shape={"type": f"struct:{cls.__name__}", "fields": fields})
            return Inspected(shape={"type": str(self.annotation_shape(declared, top=type_name))})
        except Exception as exc:  # annotations the adapter cannot describe
            return _errored(exc, "describing the native type")

    def call(self, helper: str, args: dict[str, Any]) -> OpResult:
        from conformance.adapters import tinker_helpers

        return tinker_helpers.call(self.pack, helper, args)

    def request(self, endpoint: str, args: dict[str, Any], base_url: str) -> OpResult:
        from conformance.adapters import tinker_endpoints

        return tinker_endpoints.request(self.pack, endpoint, args, base_url)

    def close(self) -> None:
        return None

    # -- reading -----------------------------------------------------------------

    def _entry(self, type_name: str) -> Mapping[str, Any]:
        entry = self.pack.types.get(type_name)
        if entry is None:
            raise _Answer(
                Unsupported(
                    what="type",
                    name=type_name,
                    message=f"no type {type_name!r} in pack {self.pack.version}",
                )
            )
        return typing.cast(Mapping[str, Any], entry)

    def _json(self, type_name: str) -> Any:
        return self._sdk_class(type_name, json_class)

    def _native(self, type_name: str) -> Any:
        return self._sdk_class(type_name, native_class)

    def _sdk_class(self, type_name: str, find: typing.Callable[[SpecPack, str], Any]) -> Any:
        """``find`` the SDK's class for a pack type; a type the installed SDK
        lacks is an unsupported answer."""
        self._entry(type_name)
        try:
            return find(self.pack, type_name)
        except (ImportError, AttributeError) as exc:
            raise _Answer(
                Unsupported(what="type", name=type_name, message=f"not in the SDK: {exc}")
            ) from None

    def read(self, type_name: str, payload: Any) -> Any:
        """The SDK's native value for ``payload``, as ``decode`` reads it.

        For generators that need the native value itself (which variant a
        union picked); raises ``ValueError`` where the SDK refuses the
        payload and ``TypeError`` for anything else that is not a value.
        """
        try:
            return self._guard_read(type_name, payload)
        except _Answer as answer:
            result = answer.result
        if isinstance(result, Rejected):
            raise ValueError(result.message)
        raise TypeError(str(result))

    def _guard_read(self, type_name: str, payload: Any) -> Any:
        entry = self._entry(type_name)
        cls = self._json(type_name)
        union = entry.get("union")
        if union is not None and union["strategy"] == "expected-type":
            return self._read_by_markers(type_name, union["variants"], payload)
        return self._sdk_call(lambda: self._read(cls, payload))

    def _read(self, cls: Any, payload: Any) -> Any:
        if hasattr(cls, "model_validate"):
            return cls.model_validate(payload)
        if isinstance(cls, type) and dataclasses.is_dataclass(cls):
            return self._build(cls, payload)
        from pydantic import TypeAdapter
        from pydantic.errors import PydanticUserError

        try:
            adapter: Any = TypeAdapter(cls)
            return adapter.validate_python(payload)
        except PydanticUserError:
            # pydantic cannot build a validator (an alias over stdlib
            # dataclasses it cannot resolve): read as the constructors would
            return self._from_json(cls, payload)

    def _read_by_markers(self, type_name: str, variants: Sequence[str], payload: Any) -> Any:
        """0.38.0's future reader: ``type: try_again`` and an ``error`` key are
        recognised from the payload; anything else is parsed as the type the
        awaited request expects. A payload alone does not name that type, so
        the adapter stands in for every awaited request at once: it reads the
        payload as each variant and keeps the reading that declares the most
        of the payload's keys (ties: the earliest variant), the variant whose
        request would have produced it. No variant accepting it is a refusal."""
        if not isinstance(payload, Mapping):
            raise _Answer(Rejected(message=f"{type_name} must be an object, not {payload!r}"))
        if payload.get("type") == "try_again" and "TryAgainResponse" in variants:
            return self._guard_read("TryAgainResponse", payload)
        if "error" in payload and "RequestFailedResponse" in variants:
            return self._guard_read("RequestFailedResponse", payload)
        best: tuple[int, Any] | None = None
        refusals = []
        for variant in variants:
            try:
                value = self._guard_read(variant, payload)
            except _Answer as answer:
                refusals.append(f"{variant}: {getattr(answer.result, 'message', answer.result)}")
                continue
            used = len(set(payload) & _field_names(type(value)))
            if best is None or used > best[0]:
                best = (used, value)
        if best is None:
            raise _Answer(
                Rejected(message=f"no variant of {type_name} reads it: " + "; ".join(refusals))
            )
        return best[1]

    def _sdk_call(self, call: typing.Callable[[], Any]) -> Any:
        """Run SDK code; its refusals become Rejected, anything else Errored.
        Warnings the SDK emits (numpy overflow on casts) are not answers: silenced."""
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return call()
        except _Answer:
            raise
        except (TypeError, ValueError) as exc:  # pydantic.ValidationError is a ValueError
            raise _Answer(Rejected(message=f"{type(exc).__name__}: {exc}")) from None
        except Exception as exc:  # the SDK misbehaved: a result, not a crash
            raise _Answer(_errored(exc, "in the SDK")) from None

    def _encode(self, value: Any, options: Mapping[str, Any]) -> OpResult:
        try:
            return Encoded(wire=to_wire(value, options, self._twin_map()))
        except Exception as exc:
            return _errored(exc, "encoding")

    def _twin_map(self) -> Mapping[str, type]:
        if self._twins is None:
            self._twins = twin_map(self.pack)
        return self._twins

    def _namespace(self, cls: type) -> dict[str, Any] | None:
        """Where the string annotations of ``cls`` resolve: for a pack's native
        class the module index.json names (the SDK rewrites ``__module__`` of
        exported classes to ``tinker``), else the class's own module (twins)."""
        module_name = cls.__module__
        if cls.__name__ in self.pack.types:
            try:
                if native_class(self.pack, cls.__name__) is cls:
                    module_name = self._modules[cls.__name__]
            except Exception:  # absent from this SDK: keep the class's own module
                pass
        module = sys.modules.get(module_name)
        return vars(module) if module is not None else None

    def _build(self, cls: type, args: Any, *, construct: bool = False) -> Any:
        """A pydantic model by ``model_validate`` (by its constructor when
        ``construct``), a dataclass by its constructor with nested values
        built from its annotations."""
        if not isinstance(args, Mapping):
            msg = f"{cls.__name__} takes an object, not {type(args).__name__}"
            raise TypeError(msg)
        if hasattr(cls, "model_validate"):
            if construct:
                return cls(**{str(k): v for k, v in args.items()})
            return typing.cast(Any, cls).model_validate(args)
        init = typing.cast(Any, cls).__init__
        hints = typing.get_type_hints(init, globalns=self._namespace(cls))
        kwargs = {str(k): self._from_json(hints.get(str(k), Any), v) for k, v in args.items()}
        return cls(**kwargs)

    def _from_json(self, annotation: Any, value: Any) -> Any:
        """``value`` (JSON) as the native type ``annotation`` declares."""
        origin = typing.get_origin(annotation)
        args = typing.get_args(annotation)
        if origin is typing.Annotated:
            return self._from_json(args[0], value)
        if value is None:
            return None
        if origin in (typing.Union, types.UnionType):
            members = [a for a in args if a is not type(None)]
            errors = []
            for member in members:
                try:
                    return self._from_json(member, value)
                except (TypeError, ValueError) as exc:
                    errors.append(f"{member!r}: {exc}")
            msg = f"{value!r} matches no member of {annotation!r}: " + "; ".join(errors)
            raise ValueError(msg)
        if origin in _SEQUENCES or origin is tuple:
            if not isinstance(value, list | tuple):
                msg = f"expected an array for {annotation!r}, got {value!r}"
                raise TypeError(msg)
            if origin is tuple and args and args[-1] is not Ellipsis:
                return tuple(self._from_json(a, v) for a, v in zip(args, value, strict=False))
            item = args[0] if args else Any
            return [self._from_json(item, v) for v in value]
        if origin in _MAPPINGS:
            if not isinstance(value, Mapping):
                msg = f"expected an object for {annotation!r}, got {value!r}"
                raise TypeError(msg)
            item = args[1] if len(args) == 2 else Any
            return {k: self._from_json(item, v) for k, v in value.items()}
        if _is_ndarray(annotation):
            import numpy as np

            return np.asarray(value)
        if isinstance(annotation, type):
            if hasattr(annotation, "model_validate") or dataclasses.is_dataclass(annotation):
                return self._build(annotation, value)
            if issubclass(annotation, enum.Enum):
                return annotation(value)
        return value  # scalars and literals: the dataclass constructor takes them as they are

    # -- shapes of native types --------------------------------------------------

    def _field_shapes(self, cls: type) -> dict[str, str]:
        model_fields = getattr(cls, "model_fields", None)
        if model_fields is not None:
            return {
                _wire_name(name, info): str(self.annotation_shape(info.annotation))
                for name, info in model_fields.items()
            }
        if dataclasses.is_dataclass(cls):
            hints = typing.get_type_hints(cls, globalns=self._namespace(cls))
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
                for loader in (native_class, json_class):
                    try:
                        objects.append(loader(self.pack, name))
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
        if origin in _SEQUENCES or annotation in _SEQUENCES:
            return Shape.list_of(self.annotation_shape(args[0]) if args else Shape("any"))
        if origin in _MAPPINGS or annotation in _MAPPINGS:
            if len(args) == 2:
                return Shape.map_of(self.annotation_shape(args[1]), self.annotation_shape(args[0]))
            return Shape.map_of(Shape("any"))
        if _is_ndarray(annotation):
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


def _is_ndarray(annotation: Any) -> bool:
    target = typing.get_origin(annotation) or annotation
    return (
        isinstance(target, type) and target.__module__ == "numpy" and target.__name__ == "ndarray"
    )


def _field_names(cls: type) -> set[str]:
    """The wire names of the fields of a model or dataclass."""
    model_fields = getattr(cls, "model_fields", None)
    if model_fields is not None:
        return {_wire_name(name, info) for name, info in model_fields.items()}
    if dataclasses.is_dataclass(cls):
        return {f.name for f in dataclasses.fields(cls) if not f.name.startswith("_")}
    return set()


def _wire_name(name: str, info: Any) -> str:
    """The key pydantic validates a field from: its validation alias (the
    first choice of ``AliasChoices``), else its alias, else its name."""
    alias = info.validation_alias
    if isinstance(alias, str):
        return alias
    choices = getattr(alias, "choices", None)
    if choices:
        first = next((c for c in choices if isinstance(c, str)), None)
        if first is not None:
            return first
    return info.alias if isinstance(info.alias, str) else name


def _errored(exc: BaseException, where: str) -> Errored:
    return Errored(
        message=f"{type(exc).__name__} {where}: {exc}",
        stderr="".join(traceback.format_exception(exc)),
    )
