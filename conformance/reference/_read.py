"""The one reader from wire JSON to the reference SDK's values.

The in-process adapter decodes with it, the endpoint caller reads request
arguments and future bodies with it, the generator asks it which variant a
union picked, and the helper table decodes receivers with it: so a payload
means the same to every part of the suite that speaks for the reference.

How it reads (``TinkerSdkAdapter`` documents the whys):

- pydantic models by ``model_validate``; aliases, unions and enums by
  ``TypeAdapter(...).validate_python``;
- stdlib dataclasses by their constructor, the payload's keys as keywords and
  nested values built from the constructor's annotations;
- a union the SDK never validates as a whole (``union.strategy``
  ``expected-type``) by the markers of the SDK's future reader
  (:func:`marked_variant`), else as the variant that reads the most keys.

Every refusal travels as an :class:`Answer` carrying the op result
(``Rejected``, ``Unsupported`` or ``Errored``), never as a bare exception.
"""

from __future__ import annotations

import dataclasses
import enum
import sys
import traceback
import types
import typing
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

from conformance.adapters._results import Errored, OpResult, Rejected, Unsupported
from conformance.reference._classes import Classes, Unreadable
from conformance.spec import SpecPack

__all__ = [
    "MAPPINGS",
    "SEQUENCES",
    "Answer",
    "Reader",
    "errored",
    "is_ndarray",
    "marked_variant",
    "wire_name",
]

SEQUENCES: tuple[Any, ...] = (list, set, frozenset, Sequence, typing.List, typing.Sequence)  # noqa: UP006
MAPPINGS: tuple[Any, ...] = (dict, Mapping, typing.Dict, typing.Mapping)  # noqa: UP006

#: What the SDK's future reader recognises in a body before it reads the
#: awaited request's type: ``type: try_again``, and an ``error`` key.
_MARKERS: tuple[tuple[str, str, Any], ...] = (
    ("TryAgainResponse", "type", "try_again"),
    ("RequestFailedResponse", "error", None),
)


def marked_variant(payload: Any, variants: Sequence[str]) -> str | None:
    """The variant of ``variants`` a body's marker names, or None."""
    if not isinstance(payload, Mapping):
        return None
    for variant, key, value in _MARKERS:
        if variant in variants and key in payload and (value is None or payload[key] == value):
            return variant
    return None


class Answer(Exception):  # a result travelling up, not an error
    """Carries a finished result out of the helpers."""

    def __init__(self, result: OpResult) -> None:
        super().__init__(repr(result))
        self.result = result


class Reader:
    """Reads wire JSON as the implementation under audit does (``classes``;
    by default the installed ``tinker``, found as users find it), against ``pack``."""

    def __init__(self, pack: SpecPack, classes: Classes | None = None) -> None:
        self.pack = pack
        self.classes = classes or Classes(pack)

    def entry(self, type_name: str) -> Mapping[str, Any]:
        entry = self.pack.types.get(type_name)
        if entry is None:
            raise Answer(
                Unsupported(
                    what="type",
                    name=type_name,
                    message=f"no type {type_name!r} in pack {self.pack.version}",
                )
            )
        return typing.cast(Mapping[str, Any], entry)

    def json_class(self, type_name: str) -> Any:
        return self._sdk_class(type_name, self.classes.json)

    def native_class(self, type_name: str) -> Any:
        return self._sdk_class(type_name, self.classes.native)

    def _sdk_class(self, type_name: str, find: typing.Callable[[str], Any]) -> Any:
        """``find`` the implementation's class for a pack type; a type it
        lacks is an unsupported answer, one whose lookup raised an error."""
        self.entry(type_name)
        try:
            return find(type_name)
        except (ImportError, AttributeError) as exc:
            raise Answer(
                Unsupported(what="type", name=type_name, message=f"not in the SDK: {exc}")
            ) from None
        except Unreadable as exc:
            raise Answer(errored(exc.__cause__ or exc, f"while {exc}")) from None

    def read(self, type_name: str, payload: Any, *, expect: str | None = None) -> Any:
        """The SDK's native value for ``payload``, as ``decode`` reads it.

        For generators and the endpoint caller, which need the native value
        itself (which variant a union picked); raises ``ValueError`` where the
        SDK refuses the payload and ``TypeError`` for anything else that is
        not a value. ``expect`` names the variant the awaited request expects,
        for a union the SDK reads by hand (``expected-type``): its markers
        still win.
        """
        union = self.pack.types.get(type_name, {}).get("union")
        if (
            expect is not None
            and union is not None
            and union["strategy"] == "expected-type"
            and marked_variant(payload, union["variants"]) is None
        ):
            type_name = expect
        try:
            return self.value(type_name, payload)
        except Answer as answer:
            result = answer.result
        if isinstance(result, Rejected):
            raise ValueError(result.message)
        raise TypeError(str(result))

    def native(self, type_name: str, payload: Any) -> Any:
        """``payload`` read with the user-facing class of ``type_name`` (where
        a dataclass has a pydantic twin, the dataclass), as users build one.
        The SDK's exceptions propagate: the helper table classifies them."""
        return self._read(self.native_class(type_name), payload)

    def value(self, type_name: str, payload: Any) -> Any:
        """``payload`` read as ``type_name``; a refusal is an :class:`Answer`."""
        entry = self.entry(type_name)
        cls = self.json_class(type_name)
        union = entry.get("union")
        if union is not None and union["strategy"] == "expected-type":
            return self._read_by_markers(type_name, union["variants"], payload)
        return self.sdk_call(lambda: self._read(cls, payload))

    def _read(self, cls: Any, payload: Any) -> Any:
        if hasattr(cls, "model_validate"):
            return cls.model_validate(payload)
        if isinstance(cls, type) and dataclasses.is_dataclass(cls):
            return self.build(cls, payload)
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
            raise Answer(Rejected(message=f"{type_name} must be an object, not {payload!r}"))
        marked = marked_variant(payload, variants)
        if marked is not None:
            return self.value(marked, payload)
        best: tuple[int, Any] | None = None
        refusals = []
        for variant in variants:
            try:
                value = self.value(variant, payload)
            except Answer as answer:
                refusals.append(f"{variant}: {getattr(answer.result, 'message', answer.result)}")
                continue
            used = len(set(payload) & _field_names(type(value)))
            if best is None or used > best[0]:
                best = (used, value)
        if best is None:
            raise Answer(
                Rejected(message=f"no variant of {type_name} reads it: " + "; ".join(refusals))
            )
        return best[1]

    def sdk_call(self, call: typing.Callable[[], Any]) -> Any:
        """Run SDK code; its refusals become Rejected, anything else Errored.
        Warnings the SDK emits (numpy overflow on casts) are not answers: silenced."""
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return call()
        except Answer:
            raise
        except (TypeError, ValueError) as exc:  # pydantic.ValidationError is a ValueError
            raise Answer(Rejected(message=f"{type(exc).__name__}: {exc}")) from None
        except Exception as exc:  # the SDK misbehaved: a result, not a crash
            raise Answer(errored(exc, "in the SDK")) from None

    def namespace(self, cls: type) -> dict[str, Any] | None:
        """Where the string annotations of ``cls`` resolve: for a pack's native
        class the module index.json names where it holds that class (the SDK
        rewrites ``__module__`` of exported classes to ``tinker``), else the
        class's own module (twins, and another implementation's classes)."""
        entry = self.pack.types.get(cls.__name__)
        if entry is not None:
            module = sys.modules.get(entry["module"])
            if module is not None and getattr(module, cls.__name__, None) is cls:
                return vars(module)
        module = sys.modules.get(cls.__module__)
        return vars(module) if module is not None else None

    def build(self, cls: type, args: Any, *, construct: bool = False) -> Any:
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
        hints = typing.get_type_hints(init, globalns=self.namespace(cls))
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
        if origin in SEQUENCES or origin is tuple:
            if not isinstance(value, list | tuple):
                msg = f"expected an array for {annotation!r}, got {value!r}"
                raise TypeError(msg)
            if origin is tuple and args and args[-1] is not Ellipsis:
                return tuple(self._from_json(a, v) for a, v in zip(args, value, strict=False))
            item = args[0] if args else Any
            return [self._from_json(item, v) for v in value]
        if origin in MAPPINGS:
            if not isinstance(value, Mapping):
                msg = f"expected an object for {annotation!r}, got {value!r}"
                raise TypeError(msg)
            item = args[1] if len(args) == 2 else Any
            return {k: self._from_json(item, v) for k, v in value.items()}
        if is_ndarray(annotation):
            import numpy as np

            return np.asarray(value)
        if isinstance(annotation, type):
            if hasattr(annotation, "model_validate") or dataclasses.is_dataclass(annotation):
                return self.build(annotation, value)
            if issubclass(annotation, enum.Enum):
                return annotation(value)
        return value  # scalars and literals: the dataclass constructor takes them as they are


def _field_names(cls: type) -> set[str]:
    """The wire names of the fields of a model or dataclass."""
    model_fields = getattr(cls, "model_fields", None)
    if model_fields is not None:
        return {wire_name(name, info) for name, info in model_fields.items()}
    if dataclasses.is_dataclass(cls):
        return {f.name for f in dataclasses.fields(cls) if not f.name.startswith("_")}
    return set()


def errored(exc: BaseException, where: str) -> Errored:
    return Errored(
        message=f"{type(exc).__name__} {where}: {exc}",
        stderr="".join(traceback.format_exception(exc)),
    )


def is_ndarray(annotation: Any) -> bool:
    target = typing.get_origin(annotation) or annotation
    return (
        isinstance(target, type) and target.__module__ == "numpy" and target.__name__ == "ndarray"
    )


def wire_name(name: str, info: Any) -> str:
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
