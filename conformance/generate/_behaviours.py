"""Behaviour vectors, recorded from the reference SDK (``gen-*.json``).

A port must reproduce more than the wire types: the helpers users call
(``ModelInput.from_ints``/``append_int``, ``Datum``'s key-based dtype
inference, ``ParsedCheckpointTinkerPath.from_tinker_path``, ...). Each
vector is one call with the reference's answer, one per file under
``fixtures/<version>/behaviours/<Helper>/`` (format:
``schemas/meta/behaviour-case.schema.json``).

- **Inputs are curated data**: ``fixtures/<version>/behaviours/inputs.json``
  lists, per case, the helper, the arguments (JSON; ``self`` and other
  struct arguments as wire JSON of their pack type), a description of what
  the case proves and the outcome the reviewer expects (``returns`` or an
  error kind). Every enum of the pack gets an ``<Enum>.values`` case on top,
  derived from index.json.
- **Outputs are always recorded** from the installed reference by
  :func:`reference_call`; an outcome the reference contradicts stops the
  generator, so no description claims what the reference does not do.

Helper names are ``Type.member`` as the reference names them, plus two
conventions for what Python spells without a member name: ``<Type>.new`` is
the type's constructor (``Datum(...)``, ``AdamParams()``), and
``<Enum>.values`` is the sorted list of the values a literal set allows.

Errors are neutral kinds, from the exception the reference raised:
``ValueError`` (pydantic's ``ValidationError`` is one) is ``invalid-value``,
``KeyError`` ``unknown-key``, ``TypeError`` ``invalid-type``,
``NotImplementedError`` ``unsupported``. Messages are recorded for people
(pydantic's without its documentation links), never compared.

The generator owns ``gen-*.json`` only; stale ones are deleted, other files
(curated ``edge-*.json``) are never touched. Runs where the pack's SDK
version is installed; output is deterministic.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import types
import typing
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conformance._errors import ConformanceError, SpecError
from conformance._sdk import installed_version, native_class, twin_map
from conformance.behaviours import ERROR_KINDS, INPUTS_FILE, behaviours_dir
from conformance.generate._fixtures import GENERATED_PREFIX, render_case
from conformance.generate._samples import to_wire
from conformance.spec import SpecPack, load_checked

__all__ = [
    "HELPERS",
    "HelperMissing",
    "HelperSpec",
    "Missing",
    "behaviour_inputs",
    "error_kind",
    "generate_behaviour_vectors",
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
    """One call: the pack it is read with, the helper's owner type, the args."""

    pack: SpecPack
    owner: str
    args: Mapping[str, Any]

    def owner_class(self) -> Any:
        return _sdk_object(self.pack, self.owner)

    def decode(self, type_name: str, wire: Any) -> Any:
        return _decode(self.pack, type_name, wire)

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


def _sdk_object(pack: SpecPack, type_name: str) -> Any:
    if type_name not in pack.types:
        raise HelperMissing(f"no type {type_name!r} in pack {pack.version}")
    try:
        return native_class(pack, type_name)
    except (ImportError, AttributeError) as exc:
        raise HelperMissing(f"{type_name} is not in this SDK: {exc}") from None


def _decode(pack: SpecPack, type_name: str, wire: Any) -> Any:
    """The native (user-facing) value of ``wire`` read as ``type_name``: a
    pydantic model by ``model_validate``, a union or alias by pydantic's
    ``TypeAdapter``, a stdlib dataclass (0.38.0's ``TensorData``) by its
    constructor with the wire keys as keywords, as users build one."""
    cls = _sdk_object(pack, type_name)
    if isinstance(cls, type) and dataclasses.is_dataclass(cls):
        if not isinstance(wire, Mapping):
            msg = f"{type_name} must be an object, not {type(wire).__name__}"
            raise TypeError(msg)
        return cls(**{str(k): v for k, v in wire.items()})
    if hasattr(cls, "model_validate"):
        return cls.model_validate(wire)
    from pydantic import TypeAdapter

    adapter: Any = TypeAdapter(cls)
    return adapter.validate_python(wire)


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
    pack: SpecPack, helper: str, args: Mapping[str, Any]
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
    call = _Invocation(pack, owner, args)
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
    twins = _twins(pack)
    out: dict[str, Any] = {"returned": to_wire(value, {}, twins)}
    if spec.receiver:
        out["self"] = to_wire(receiver, {}, twins)
    return out


def _twins(pack: SpecPack) -> Mapping[str, type]:
    """The pydantic twins that encode the SDK's dataclasses: the pack's, and
    where the installed SDK is newer than the pack (an audit across
    versions), the installed version's own, so its values still encode as
    the SDK sends them."""
    return {**_installed_twins(), **twin_map(pack)}


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


# --- generating the vectors ----------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class _Input:
    helper: str
    case: str
    description: str
    args: Mapping[str, Any]
    outcome: str
    seed: str | None = None
    index: int | None = None  # position in inputs.json; None: derived from the pack


def behaviour_inputs(pack: SpecPack, out_root: Path) -> list[_Input]:
    """The curated inputs of ``out_root/<version>/behaviours/inputs.json`` and
    an ``<Enum>.values`` case for every enum of the pack."""
    path = behaviours_dir(out_root, pack.version) / INPUTS_FILE
    data = load_checked(path, "behaviour-inputs.schema.json")
    inputs = [
        _Input(
            helper=c["helper"],
            case=c["case"],
            description=c["description"],
            args=c["args"],
            outcome=c["outcome"],
            seed=c.get("seed"),
            index=i,
        )
        for i, c in enumerate(data["cases"])
    ]
    for name in sorted(pack.types):
        if pack.types[name]["kind"] == "enum":
            inputs.append(
                _Input(
                    helper=f"{name}.values",
                    case="values",
                    description=(
                        f"the literal set {name}: the sorted list of every value the "
                        "reference allows"
                    ),
                    args={},
                    outcome="returns",
                )
            )
    seen: dict[tuple[str, str], int] = {}
    for i, item in enumerate(inputs):
        key = (item.helper, item.case)
        if key in seen:
            raise SpecError(
                f"case {item.case!r} of {item.helper} is listed twice",
                file=path,
                pointer=f"/cases/{i}",
            )
        seen[key] = i
    return inputs


def _vector(pack: SpecPack, item: _Input, file: Path) -> dict[str, Any]:
    """The vector document of one input, recorded from the reference."""
    answer = reference_call(pack, item.helper, item.args)
    where = f"/cases/{item.index}" if item.index is not None else ""
    if isinstance(answer, Missing):
        raise SpecError(
            f"the reference has no helper {item.helper!r}: {answer.reason}",
            file=file,
            pointer=where,
        )
    got = answer["error"]["kind"] if "error" in answer else "returns"
    if got != item.outcome:
        detail = answer["error"]["message"] if "error" in answer else repr(answer["returned"])
        raise SpecError(
            f"{item.helper} case {item.case!r}: inputs.json says the reference "
            f"{_said(item.outcome)}, but it {_said(got)} ({detail}); fix the input or "
            "its description",
            file=file,
            pointer=where,
        )
    doc: dict[str, Any] = {
        "description": item.description,
        "helper": item.helper,
        "args": item.args,
    }
    spec = helper_spec(pack, item.helper)
    if spec is not None and spec.returns is not None:
        doc["returns"] = spec.returns
    doc["expect"] = answer
    doc["source"] = "generated"
    if item.seed is not None:
        doc["seed"] = item.seed
    return doc


def _said(outcome: str) -> str:
    return "returns a value" if outcome == "returns" else f"raises {outcome}"


def generate_behaviour_vectors(pack: SpecPack, out_root: Path) -> list[Path]:
    """Write a ``gen-<case>.json`` vector for every input of ``pack`` under
    ``out_root/<version>/behaviours/<Helper>/``; return the paths written.

    Needs the pack's SDK version installed. Stale ``gen-`` files (and helper
    folders left empty) are removed; other files are never touched.
    """
    installed = installed_version()
    if installed != pack.version:
        msg = f"pack {pack.version} needs tinker=={pack.version} installed, found {installed!r}"
        raise ConformanceError(msg)
    base = behaviours_dir(out_root, pack.version)
    keep: set[Path] = set()
    for item in behaviour_inputs(pack, out_root):
        doc = _vector(pack, item, base / INPUTS_FILE)
        path = base / item.helper / f"{GENERATED_PREFIX}{item.case}.json"
        _write(path, render_case(doc))
        keep.add(path)
    for stale in sorted(base.glob(f"*/{GENERATED_PREFIX}*.json")):
        if stale not in keep:
            stale.unlink()
    for folder in sorted(p for p in base.iterdir() if p.is_dir()):
        if not any(folder.iterdir()):
            folder.rmdir()
    return sorted(keep)


def _write(path: Path, text: str) -> None:
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
