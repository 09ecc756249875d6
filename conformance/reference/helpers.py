"""The reference SDK's helper behaviours: the table of helpers, running one,
and the answer to the ``call`` op.

A port must reproduce more than the wire types: the helpers users call
(``ModelInput.from_ints``/``append_int``, ``Datum``'s key-based dtype
inference, ``ParsedCheckpointTinkerPath.from_tinker_path``, ...).
:func:`reference_call` runs one of the installed ``tinker`` (the generator
records behaviour vectors with it); :func:`call` is the in-process adapter's
``call`` op, an op result and never an exception:

- ``Returned(value={"returned": ..., "self": ...})``: the returned value as
  wire JSON and, for instance helpers, the receiver after the call;
- ``Rejected(kind=..., message=...)``: the SDK raised an error of a neutral
  kind (``invalid-value``, ``unknown-key``, ``invalid-type``, ``unsupported``);
- ``Unsupported(what="helper", name=helper)``: this SDK version lacks it;
- ``Errored``: anything else the SDK (or the helper table) raised.

Helper names are ``Type.member`` as the reference names them, plus two
conventions for what Python spells without a member name: ``<Type>.new`` is
the type's constructor (``Datum(...)``, ``AdamParams()``), and
``<Enum>.values`` is the sorted list of the values a literal set allows.

Errors are neutral kinds, from the exception the reference raised:
``ValueError`` (pydantic's ``ValidationError`` is one) is ``invalid-value``,
``KeyError`` ``unknown-key``, ``TypeError`` ``invalid-type``,
``NotImplementedError`` ``unsupported``. Messages are recorded for people
(pydantic's without its documentation links), never compared.
"""

from __future__ import annotations

import enum
import functools
import traceback
import types
import typing
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from conformance.adapters._results import Errored, OpResult, Rejected, Returned, Unsupported
from conformance.cases import ERROR_KINDS
from conformance.reference._classes import Classes, installed_version, twin_map
from conformance.reference._read import Reader
from conformance.reference._wire import to_wire
from conformance.spec import SpecPack

__all__ = [
    "HELPERS",
    "HelperMissing",
    "HelperSpec",
    "Missing",
    "call",
    "error_kind",
    "helper_spec",
    "reference_call",
]

#: Python exceptions as neutral error kinds, most specific first.
_KINDS: tuple[tuple[type[BaseException], str], ...] = (
    (KeyError, "unknown-key"),
    (NotImplementedError, "unsupported"),
    (TypeError, "invalid-type"),
    (ValueError, "invalid-value"),
)
assert {kind for _, kind in _KINDS} == set(ERROR_KINDS)


class HelperMissing(Exception):
    """The installed SDK lacks the helper (or the type it belongs to)."""


@dataclass(frozen=True)
class Missing:
    """What :func:`reference_call` answers for a helper this SDK lacks."""

    helper: str
    reason: str


@dataclass(frozen=True)
class _Invocation:
    """One call: the classes of the implementation (and the pack they are
    read with), the helper's owner type, the args."""

    classes: Classes
    owner: str
    args: Mapping[str, Any]

    def owner_class(self) -> Any:
        return _sdk_object(self.classes, self.owner)

    def decode(self, type_name: str, wire: Any) -> Any:
        return _decode(self.classes.pack, type_name, wire, self.classes)

    def kwargs(self, types: Mapping[str, str]) -> dict[str, Any]:
        """The arguments other than ``self``, struct-typed ones decoded."""
        return {
            str(name): self.decode(types[name], value) if name in types else value
            for name, value in self.args.items()
            if name != "self"
        }


@dataclass(frozen=True)
class HelperSpec:
    """One helper of the reference: how to run it and what it gives back.

    ``run`` gets the call and the decoded receiver (None for class-level
    helpers) and returns the SDK's value; ``returns`` names its pack type
    where it is one (the check compares it in canonical form), ``receiver``
    says the helper is an instance method or property, called on ``self``.
    """

    run: Callable[[_Invocation, Any], Any]
    returns: str | None = None
    receiver: bool = False


def _sdk_object(classes: Classes, type_name: str) -> Any:
    pack = classes.pack
    if type_name not in pack.types:
        raise HelperMissing(f"no type {type_name!r} in pack {pack.version}")
    try:
        return classes.native(type_name)
    except (ImportError, AttributeError) as exc:
        raise HelperMissing(f"{type_name} is not in this SDK: {exc}") from None


def _decode(pack: SpecPack, type_name: str, wire: Any, classes: Classes | None = None) -> Any:
    """The native (user-facing) value of ``wire`` read as ``type_name``, by
    the suite's one reader; its refusals raise as the SDK raised them."""
    classes = classes or Classes(pack)
    _sdk_object(classes, type_name)  # a type this SDK lacks: the helper is missing
    return Reader(pack, classes).native(type_name, wire)


def _member(cls: Any, owner: str, member: str) -> Any:
    found = getattr(cls, member, None)
    if found is None:
        raise HelperMissing(f"{owner} has no member {member!r} in this SDK")
    return found


def _classmethod(
    owner: str, member: str, *, returns: str | None = None, types: Mapping[str, str] | None = None
) -> HelperSpec:
    def run(call: _Invocation, _receiver: Any) -> Any:
        function = _member(call.owner_class(), owner, member)
        return function(**call.kwargs(types or {}))

    return HelperSpec(run, returns=returns)


def _method(
    owner: str, member: str, *, returns: str | None = None, types: Mapping[str, str] | None = None
) -> HelperSpec:
    def run(call: _Invocation, receiver: Any) -> Any:
        return getattr(receiver, member)(**call.kwargs(types or {}))

    return HelperSpec(run, returns=returns, receiver=True)


def _property(owner: str, member: str, *, returns: str | None = None) -> HelperSpec:
    def run(call: _Invocation, receiver: Any) -> Any:
        extra = [name for name in call.args if name != "self"]
        if extra:
            msg = f"{owner}.{member} is a property: it takes no arguments, got {extra}"
            raise TypeError(msg)
        return getattr(receiver, member)

    return HelperSpec(run, returns=returns, receiver=True)


def _constructor(
    owner: str, *, returns: str | None = None, types: Mapping[str, str] | None = None
) -> HelperSpec:
    def run(call: _Invocation, _receiver: Any) -> Any:
        return call.owner_class()(**call.kwargs(types or {}))

    return HelperSpec(run, returns=returns)


def _datum_new(call: _Invocation, _receiver: Any) -> Any:
    """``Datum(model_input=..., loss_fn_inputs=...)`` as users write it:
    ``loss_fn_inputs`` values that are JSON arrays stay plain lists (the
    constructor infers their dtype from the key), objects are ``TensorData``
    built by the SDK; ``loss_fn_inputs`` left out is left out."""
    cls = call.owner_class()
    kwargs: dict[str, Any] = {}
    for name, value in call.args.items():
        if name == "model_input":
            kwargs[name] = call.decode("ModelInput", value)
        elif name == "loss_fn_inputs" and isinstance(value, Mapping):
            kwargs[name] = {
                str(key): call.decode("TensorData", item) if isinstance(item, Mapping) else item
                for key, item in value.items()
            }
        else:
            kwargs[str(name)] = value
    return cls(**kwargs)


def _enum_values(call: _Invocation, _receiver: Any) -> list[Any]:
    """Every value of a literal set, sorted (numbers before strings)."""
    target = call.owner_class()
    if isinstance(target, type) and issubclass(target, enum.Enum):
        values = [member.value for member in target]
    else:
        values = list(_literal_values(target))
    return sorted(values, key=lambda v: (isinstance(v, str), v))


def _literal_values(annotation: Any) -> list[Any]:
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return _literal_values(args[0])
    if origin is typing.Literal:
        return [a.value if isinstance(a, enum.Enum) else a for a in args]
    if origin in (typing.Union, types.UnionType):
        return [v for a in args for v in _literal_values(a)]
    msg = f"not a literal set: {annotation!r}"
    raise HelperMissing(msg)


#: The helpers a port must reproduce, by name, as the reference runs them.
#: ``<Enum>.values`` of every enum of the pack is added by :func:`helper_spec`.
HELPERS: dict[str, HelperSpec] = {
    # ModelInput (seeds/003 GAP-TRAIN-004)
    "ModelInput.from_ints": _classmethod("ModelInput", "from_ints", returns="ModelInput"),
    "ModelInput.empty": _classmethod("ModelInput", "empty", returns="ModelInput"),
    "ModelInput.to_ints": _method("ModelInput", "to_ints"),
    "ModelInput.length": _property("ModelInput", "length"),
    "ModelInput.append": _method(
        "ModelInput", "append", returns="ModelInput", types={"chunk": "ModelInputChunk"}
    ),
    "ModelInput.append_int": _method("ModelInput", "append_int", returns="ModelInput"),
    # chunk lengths, which ModelInput.length sums
    "EncodedTextChunk.length": _property("EncodedTextChunk", "length"),
    "ImageChunk.length": _property("ImageChunk", "length"),
    "ImageAssetPointerChunk.length": _property("ImageAssetPointerChunk", "length"),
    "DmelChunk.length": _property("DmelChunk", "length"),
    # Datum's key-based dtype inference (seeds/003 GAP-TRAIN-003)
    "Datum.new": HelperSpec(_datum_new, returns="Datum"),
    # TensorData (seeds/004 GAP-CKPT-008)
    "TensorData.new": _constructor("TensorData", returns="TensorData"),
    "TensorData.tolist": _method("TensorData", "tolist"),
    # tinker paths (seeds/004 GAP-CKPT-004)
    "ParsedCheckpointTinkerPath.from_tinker_path": _classmethod(
        "ParsedCheckpointTinkerPath", "from_tinker_path", returns="ParsedCheckpointTinkerPath"
    ),
    "SaveWeightsResponse.get_console_url": _method("SaveWeightsResponse", "get_console_url"),
    "SaveWeightsForSamplerResponse.get_console_url": _method(
        "SaveWeightsForSamplerResponse", "get_console_url"
    ),
    "SaveWeightsForSamplerResponse.get_playground_url": _method(
        "SaveWeightsForSamplerResponse", "get_playground_url"
    ),
    # constructors whose defaults and checks a port must share; no ``returns``
    # where the defaults are the point (the canonical form would fill them in)
    "Cursor.new": _constructor("Cursor", returns="Cursor"),
    "AdamParams.new": _constructor("AdamParams"),
    "PromptProvenanceSpan.new": _constructor("PromptProvenanceSpan"),
    "SampledProvenanceSpan.new": _constructor("SampledProvenanceSpan"),
}

_ENUM_VALUES = HelperSpec(_enum_values)


def helper_spec(pack: SpecPack, helper: str) -> HelperSpec | None:
    """The reference's helper ``helper`` for ``pack``, or None where it is unknown."""
    found = HELPERS.get(helper)
    if found is not None:
        return found
    owner, _, member = helper.partition(".")
    entry = pack.types.get(owner)
    if member == "values" and entry is not None and entry["kind"] == "enum":
        return _ENUM_VALUES
    return None


def error_kind(exc: BaseException) -> str | None:
    """The neutral kind of an exception the reference raised, or None."""
    for cls, kind in _KINDS:
        if isinstance(exc, cls):
            return kind
    return None


def _message(exc: BaseException) -> str:
    """The exception's text, without pydantic's version-specific links."""
    errors = getattr(exc, "errors", None)
    title = getattr(exc, "title", None)
    if callable(errors) and isinstance(title, str):  # pydantic.ValidationError
        details = errors(include_url=False, include_context=False, include_input=False)
        parts = [f"{'.'.join(map(str, e['loc'])) or title}: {e['msg']}" for e in details]
        return f"{len(details)} validation error(s) for {title}: " + "; ".join(parts)
    if isinstance(exc, KeyError) and len(exc.args) == 1:
        return f"{exc.args[0]!r}"
    return str(exc)


def reference_call(
    pack: SpecPack, helper: str, args: Mapping[str, Any], classes: Classes | None = None
) -> dict[str, Any] | Missing:
    """Run ``helper`` of the installed reference with ``args`` (JSON).

    Returns ``{"returned": ..., "self": ...}`` (``self``: the receiver after
    the call, instance helpers only), ``{"error": {"kind", "message"}}`` for
    an error the reference raised (see :func:`error_kind`), or a
    :class:`Missing` for a helper this SDK version lacks. Any other
    exception is a bug of the SDK or of this table, and propagates.
    """
    spec = helper_spec(pack, helper)
    if spec is None:
        return Missing(helper, f"{helper} is not a helper of the reference")
    owner = helper.partition(".")[0]
    if not isinstance(typing.cast(object, args), Mapping):
        return _error(TypeError(f"arguments must be an object, not {type(args).__name__}"))
    classes = classes or Classes(pack)
    call = _Invocation(classes, owner, args)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # numpy casts warn; the value is the answer
            receiver = None
            if spec.receiver:
                _member(call.owner_class(), owner, helper.partition(".")[2])
                if "self" not in args:
                    raise TypeError(f"{helper} is called on a receiver: `self` is missing")
                receiver = call.decode(owner, args["self"])
            value = spec.run(call, receiver)
    except HelperMissing as exc:
        return Missing(helper, str(exc))
    except Exception as exc:
        if error_kind(exc) is None:
            raise
        return _error(exc)
    twins = _twins(classes)
    out: dict[str, Any] = {"returned": to_wire(value, {}, twins)}
    if spec.receiver:
        out["self"] = to_wire(receiver, {}, twins)
    return out


def _twins(classes: Classes) -> Mapping[str, type]:
    """The pydantic twins that encode the SDK's dataclasses: the pack's, and
    where the installed SDK is newer than the pack (an audit across
    versions), the installed version's own, so its values still encode as
    the SDK sends them. A lookup that does not read the reference's module
    paths has none of the reference's."""
    if "module" not in classes.lookup.order:
        return {}
    return {**_installed_twins(), **classes.twins()}


@functools.cache
def _installed_twins() -> Mapping[str, type]:
    from conformance.spec import available_versions, load_pack

    version = installed_version()
    if version is None or version not in available_versions():
        return {}
    return twin_map(load_pack(version))


def _error(exc: BaseException) -> dict[str, Any]:
    kind = error_kind(exc)
    assert kind is not None
    return {"error": {"kind": kind, "message": _message(exc)}}


def call(
    pack: SpecPack, helper: str, args: Mapping[str, Any], classes: Classes | None = None
) -> OpResult:
    """The result of ``helper(args)`` of the implementation ``classes`` finds
    (by default the installed reference), read with ``pack``."""
    try:
        answer = reference_call(pack, helper, args, classes)
    except Exception as exc:  # the SDK misbehaved: a result, not a crash
        return Errored(
            message=f"{type(exc).__name__} in the SDK: {exc}",
            stderr="".join(traceback.format_exception(exc)),
        )
    if isinstance(answer, Missing):
        return Unsupported(what="helper", name=helper, message=answer.reason)
    error = answer.get("error")
    if error is not None:
        return Rejected(kind=error["kind"], message=error["message"])
    return Returned(value=answer)
