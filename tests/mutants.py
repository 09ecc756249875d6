"""Deliberately broken implementations (Bowtie's "miniatures").

Each wraps the reference adapter and breaks exactly one thing, the way the
seed audits found ports broken. The suite must catch every one of them with
the right gap category; none may pass.
"""

from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass
from typing import Any, ClassVar

from conformance.adapters import (
    Adapter,
    Encoded,
    Hello,
    Inspected,
    OpResult,
    Returned,
    SequentialBatch,
    Unsupported,
)
from conformance.reference.adapter import TinkerSdkAdapter
from conformance.spec import SpecPack


class Mutant(SequentialBatch):
    """Delegates everything to the reference; subclasses break one op (their
    ``batch`` asks the broken ops in turn)."""

    name = "mutant"
    encode_only: tuple[str, ...] = ()  # what its hello declares it cannot decode

    def __init__(self, pack: SpecPack) -> None:
        self.inner: Adapter = TinkerSdkAdapter(pack)

    def hello(self) -> Hello:
        base = self.inner.hello()
        return Hello(
            name=self.name,
            language=base.language,
            version=base.version,
            spec_version=base.spec_version,
            ops=base.ops,
            types=base.types,
            encode_only=self.encode_only,
        )

    def decode(self, type_name: str, payload: Any) -> OpResult:
        return self.inner.decode(type_name, payload)

    def construct(self, type_name: str, args: dict[str, Any]) -> OpResult:
        return self.inner.construct(type_name, args)

    def inspect(self, type_name: str, payload: Any) -> OpResult:
        return self.inner.inspect(type_name, payload)

    def call(self, helper: str, args: dict[str, Any]) -> OpResult:
        return self.inner.call(helper, args)

    def request(self, endpoint: str, args: dict[str, Any], base_url: str) -> OpResult:
        return self.inner.request(endpoint, args, base_url)

    def close(self) -> None:
        self.inner.close()


def _edit_wire(result: OpResult, edit: Any) -> OpResult:
    if isinstance(result, Encoded) and isinstance(result.wire, dict):
        wire = copy.deepcopy(result.wire)
        edit(wire)
        return Encoded(wire=wire)
    return result


def _retype_fields(result: OpResult, old: str, new: str) -> OpResult:
    """An inspect answer whose field shapes say ``new`` where they said ``old``."""
    if isinstance(result, Inspected) and isinstance(result.shape, dict):
        shape = copy.deepcopy(result.shape)
        for key, value in shape.get("fields", {}).items():
            shape["fields"][key] = value.replace(old, new)
        return Inspected(shape=shape)
    return result


class DropsArchiveExpiry(Mutant):
    """data-loss: CheckpointArchiveUrlResponse.expires dropped (seeds/001)."""

    name = "drops-archive-expiry"

    def decode(self, type_name: str, payload: Any) -> OpResult:
        result = self.inner.decode(type_name, payload)
        if type_name == "CheckpointArchiveUrlResponse":
            return _edit_wire(result, lambda w: w.pop("expires", None))
        return result


class DropsCheckpointTime(Mutant):
    """data-loss: Checkpoint.time, a required field, dropped on every decode."""

    name = "drops-checkpoint-time"

    def decode(self, type_name: str, payload: Any) -> OpResult:
        result = self.inner.decode(type_name, payload)
        if type_name == "Checkpoint":
            return _edit_wire(result, lambda w: w.pop("time", None))
        return result


class FlattensSupportedModels(Mutant):
    """nesting-flattened: supported_models kept as a list of names (seeds/001)."""

    name = "flattens-supported-models"

    def decode(self, type_name: str, payload: Any) -> OpResult:
        result = self.inner.decode(type_name, payload)
        if type_name != "GetServerCapabilitiesResponse":
            return result

        def flatten(wire: dict[str, Any]) -> None:
            wire["supported_models"] = [m.get("model_name") for m in wire["supported_models"]]

        return _edit_wire(result, flatten)

    def inspect(self, type_name: str, payload: Any) -> OpResult:
        result = self.inner.inspect(type_name, payload)
        if type_name == "GetServerCapabilitiesResponse" and isinstance(result, Inspected):
            shape = copy.deepcopy(result.shape)
            shape["fields"]["supported_models"] = "list<string>"
            return Inspected(shape=shape)
        return result


class LacksHeartbeatTypes(Mutant):
    """missing-type: SessionHeartbeatRequest/Response absent (seeds/000)."""

    name = "lacks-heartbeat-types"
    missing = ("SessionHeartbeatRequest", "SessionHeartbeatResponse")

    def _gone(self, type_name: str) -> OpResult | None:
        if type_name in self.missing:
            return Unsupported(what="type", name=type_name)
        return None

    def decode(self, type_name: str, payload: Any) -> OpResult:
        return self._gone(type_name) or self.inner.decode(type_name, payload)

    def construct(self, type_name: str, args: dict[str, Any]) -> OpResult:
        return self._gone(type_name) or self.inner.construct(type_name, args)

    def inspect(self, type_name: str, payload: Any) -> OpResult:
        return self._gone(type_name) or self.inner.inspect(type_name, payload)


class LacksHeartbeatTypesSaysWhere(LacksHeartbeatTypes):
    """missing-type, as LacksHeartbeatTypes, from a port whose hello names
    its files (``sources``): the report shows them beside the reference's."""

    name = "lacks-heartbeat-types-says-where"
    sources: ClassVar[dict[str, str]] = {
        "SessionHeartbeatRequest": "port/session.py:7",
        "LoraConfig": "port/lora.py",
    }

    def hello(self) -> Hello:
        return dataclasses.replace(super().hello(), sources=self.sources)


class KeepsDatetimesAsStrings(Mutant):
    """type-weakened: datetimes held as strings (seeds/001): same wire, weaker type."""

    name = "keeps-datetimes-as-strings"

    def inspect(self, type_name: str, payload: Any) -> OpResult:
        return _retype_fields(self.inner.inspect(type_name, payload), "datetime", "string")


class DefaultsLoraConfig(Mutant):
    """default-differs: CreateModelRequest.lora_config defaults to a struct (seeds/000)."""

    name = "defaults-lora-config"

    def construct(self, type_name: str, args: dict[str, Any]) -> OpResult:
        if type_name == "CreateModelRequest" and "lora_config" not in args:
            args = dict(args, lora_config={"rank": 32})
        return self.inner.construct(type_name, args)


class DefaultsLoraRank(Mutant):
    """required-differs: LoraConfig.rank optional with default 32 (seeds/000)."""

    name = "defaults-lora-rank"

    def construct(self, type_name: str, args: dict[str, Any]) -> OpResult:
        if type_name == "LoraConfig" and "rank" not in args:
            args = dict(args, rank=32)
        return self.inner.construct(type_name, args)

    def decode(self, type_name: str, payload: Any) -> OpResult:
        if type_name == "LoraConfig" and isinstance(payload, dict) and "rank" not in payload:
            payload = dict(payload, rank=32)
        return self.inner.decode(type_name, payload)


class DropsResponseLiteral(Mutant):
    """literal-missing: CreateSessionResponse has no ``type`` field (seeds/000).

    On the wire that is invisible (the canonical form fills the default
    literal); the native struct shows it."""

    name = "drops-response-literal"

    def inspect(self, type_name: str, payload: Any) -> OpResult:
        result = self.inner.inspect(type_name, payload)
        if type_name == "CreateSessionResponse" and isinstance(result, Inspected):
            shape = copy.deepcopy(result.shape)
            del shape["fields"]["type"]
            return Inspected(shape=shape)
        return result


class AcceptsUnknownRequestFields(Mutant):
    """strictness-differs: strict requests accept (and drop) unknown fields."""

    name = "accepts-unknown-request-fields"

    def decode(self, type_name: str, payload: Any) -> OpResult:
        schema = self.inner_pack.schemas.get(type_name, {})
        if schema.get("additionalProperties") is False and isinstance(payload, dict):
            known = schema.get("properties", {})
            payload = {k: v for k, v in payload.items() if k in known}
        return self.inner.decode(type_name, payload)

    def __init__(self, pack: SpecPack) -> None:
        super().__init__(pack)
        self.inner_pack = pack


class AddsRetryAfter(Mutant):
    """added-field: TryAgainResponse.retry_after_ms, an enhancement (seeds/000)."""

    name = "adds-retry-after"

    def decode(self, type_name: str, payload: Any) -> OpResult:
        result = self.inner.decode(type_name, payload)
        if type_name == "TryAgainResponse":
            return _edit_wire(result, lambda w: w.setdefault("retry_after_ms", 250))
        return result


class CursorAsMap(Mutant):
    """type-weakened: a typed Cursor kept as a bare map (seeds/001)."""

    name = "cursor-as-map"

    def inspect(self, type_name: str, payload: Any) -> OpResult:
        return _retype_fields(
            self.inner.inspect(type_name, payload), "struct:Cursor", "map<string,any>"
        )


class StringifiesIntegers(Mutant):
    """type-changed: integers come back as strings (a JSON-number bug)."""

    name = "stringifies-integers"

    def decode(self, type_name: str, payload: Any) -> OpResult:
        result = self.inner.decode(type_name, payload)
        if type_name == "Cursor":
            return _edit_wire(result, lambda w: w.update(offset=str(w.get("offset"))))
        return result


class MarksMetadataValues(Mutant):
    """value-changed: every string value of a ``user_metadata`` map comes back
    with a mark. The maps' keys are generated, so only a field normalised by the
    schema (``/user_metadata/{key}``) keeps one gap id from seed to seed."""

    name = "marks-metadata-values"

    def decode(self, type_name: str, payload: Any) -> OpResult:
        return _edit_wire(self.inner.decode(type_name, payload), _mark_metadata)


def _mark_metadata(value: Any) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "user_metadata" and isinstance(item, dict):
                for name, text in item.items():
                    if isinstance(text, str):
                        item[name] = f"{text}!"
            else:
                _mark_metadata(item)
    elif isinstance(value, list):
        for item in value:
            _mark_metadata(item)


class AnswersDecodeWithAShape(Mutant):
    """Answers decode of a LoraConfig with an inspect result: the adapter broke
    its contract, as surely as a program printing garbage."""

    name = "answers-decode-with-a-shape"

    def decode(self, type_name: str, payload: Any) -> OpResult:
        if type_name == "LoraConfig":
            return Inspected(shape={"type": "struct:LoraConfig", "fields": {}})
        return self.inner.decode(type_name, payload)


class RaisesOnCursor(Mutant):
    """An in-process implementation whose decoder raises on Cursor (not a
    validation error): that call is an adapter error, the rest goes on."""

    name = "raises-on-cursor"

    def decode(self, type_name: str, payload: Any) -> OpResult:
        if type_name == "Cursor":
            raise RuntimeError("decoder blew up")
        return self.inner.decode(type_name, payload)


class SendsNullableLiteral(Mutant):
    """default-differs: UnloadModelResponse.type, a nullable literal whose
    reference default is null, always sent as the literal (issue 13): the
    port differs from the reference's default; nothing is of another type."""

    name = "sends-nullable-literal"

    def decode(self, type_name: str, payload: Any) -> OpResult:
        result = self.inner.decode(type_name, payload)
        if type_name == "UnloadModelResponse":
            return _edit_wire(result, lambda w: w.update(type="unload_model"))
        return result


class DatetimeOrString(Mutant):
    """type-weakened: datetimes declared ``DateTime | String`` (issue 13): the
    union holds the reference's type, so it is the same weakening (and the
    same gap) as a plain string, not a changed type."""

    name = "datetime-or-string"

    def inspect(self, type_name: str, payload: Any) -> OpResult:
        return _retype_fields(
            self.inner.inspect(type_name, payload), "datetime", "union<datetime|string>"
        )


class WrapsFutureResult(Mutant):
    """value-moved: a future's result sent inside a status wrapper
    (``{"status": "completed", "result": ...}``, issue 13): every value is
    there, under another key; nothing is lost."""

    name = "wraps-future-result"

    def decode(self, type_name: str, payload: Any) -> OpResult:
        result = self.inner.decode(type_name, payload)
        if type_name == "FutureRetrieveResponse" and isinstance(result, Encoded):
            return Encoded(wire={"status": "completed", "result": result.wire})
        return result


def _drop_image_fields(value: Any) -> None:
    """Every image chunk inside ``value`` without its data and format."""
    if isinstance(value, dict):
        if value.get("type") == "image":
            for key in LacksImageChunkFields.gone:
                value.pop(key, None)
        for member in value.values():
            _drop_image_fields(member)
    elif isinstance(value, list):
        for member in value:
            _drop_image_fields(member)


class DropsImageFieldsEverywhere(Mutant):
    """One root cause, one gap (issue 13): an image chunk loses its data and
    format wherever it travels (alone, in a ModelInput, a Datum, a request);
    the gaps are ImageChunk's two fields, not one per containing type."""

    name = "drops-image-fields-everywhere"

    def decode(self, type_name: str, payload: Any) -> OpResult:
        return _edit_wire(self.inner.decode(type_name, payload), _drop_image_fields)


class LacksImageChunkFields(Mutant):
    """One gap per field and category (issue 13): ImageChunk without its
    required ``data`` and ``format``, seen by the round trips, the
    constructor and the native shape, is one gap per field."""

    name = "lacks-image-chunk-fields"
    gone = ("data", "format")

    def decode(self, type_name: str, payload: Any) -> OpResult:
        result = self.inner.decode(type_name, payload)
        if type_name == "ImageChunk":
            return _edit_wire(result, lambda w: [w.pop(k, None) for k in self.gone])
        return result

    def construct(self, type_name: str, args: dict[str, Any]) -> OpResult:
        result = self.inner.construct(type_name, args)
        if type_name == "ImageChunk":
            return _edit_wire(result, lambda w: [w.pop(k, None) for k in self.gone])
        return result

    def inspect(self, type_name: str, payload: Any) -> OpResult:
        result = self.inner.inspect(type_name, payload)
        if type_name == "ImageChunk" and isinstance(result, Inspected):
            shape = copy.deepcopy(result.shape)
            for key in self.gone:
                shape["fields"].pop(key, None)
            return Inspected(shape=shape)
        return result


class SendsOnlyCreateModelRequest(DefaultsLoraConfig):
    """decoder-missing: a client-only port that builds and sends
    CreateModelRequest but has no decoder for it (issue 13): one gap for the
    type, while construct is still judged (its lora_config default differs,
    as DefaultsLoraConfig's) and inspect too. Also served over the protocol
    by ``tests/decoderless_server.py``."""

    name = "sends-only-create-model-request"

    def decode(self, type_name: str, payload: Any) -> OpResult:
        if type_name == "CreateModelRequest":
            return Unsupported(what="decoder", name=type_name, message="encode only")
        return self.inner.decode(type_name, payload)


class DeclaresCreateModelRequestEncodeOnly(DefaultsLoraConfig):
    """decoder-missing from the hello alone: ``encode_only`` lists
    CreateModelRequest, so its decode is never sent (this mutant would
    answer it as the reference does: only the declaration makes the gap)."""

    name = "declares-create-model-request-encode-only"
    encode_only = ("CreateModelRequest",)


class NoShapeForPlainLists(Mutant):
    """default-differs, not data-loss: ``Datum.new`` leaves ``shape`` null for
    a plain list where the reference derives ``[len]`` (issue 13's 1-D
    ``shape: null``). The input had no shape, so nothing was lost: the
    derived value differs."""

    name = "no-shape-for-plain-lists"

    def call(self, helper: str, args: dict[str, Any]) -> OpResult:
        result = self.inner.call(helper, args)
        if helper != "Datum.new" or not isinstance(result, Returned):
            return result
        value = copy.deepcopy(result.value)
        given = args.get("loss_fn_inputs")
        made = value.get("returned", {}).get("loss_fn_inputs")
        if isinstance(given, dict) and isinstance(made, dict):
            for key, tensor in made.items():
                if isinstance(given.get(key), list) and isinstance(tensor, dict):
                    tensor["shape"] = None  # a plain list: no shape derived
        return Returned(value=value, type_name=result.type_name)


@dataclass(frozen=True)
class Expectation:
    mutant: type[Mutant]
    check: str
    category: str
    type_name: str
    field: str | None = None  # None: any field
    #: Categories the check must not give the type (a misclassification fixed).
    not_categories: tuple[str, ...] = ()


EXPECTATIONS = [
    Expectation(
        DropsArchiveExpiry,
        "fixture-roundtrip",
        "data-loss",
        "CheckpointArchiveUrlResponse",
        "/expires",
    ),
    Expectation(DropsCheckpointTime, "property-roundtrip", "data-loss", "Checkpoint", None),
    Expectation(
        FlattensSupportedModels,
        "fixture-roundtrip",
        "nesting-flattened",
        "GetServerCapabilitiesResponse",
    ),
    Expectation(
        FlattensSupportedModels,
        "type-parity",
        "nesting-flattened",
        "GetServerCapabilitiesResponse",
        "/supported_models",
    ),
    Expectation(
        LacksHeartbeatTypes, "fixture-roundtrip", "missing-type", "SessionHeartbeatRequest"
    ),
    Expectation(
        LacksHeartbeatTypesSaysWhere,
        "fixture-roundtrip",
        "missing-type",
        "SessionHeartbeatRequest",
    ),
    Expectation(KeepsDatetimesAsStrings, "type-parity", "type-weakened", "Checkpoint", "/time"),
    Expectation(
        DefaultsLoraConfig, "shape", "default-differs", "CreateModelRequest", "/lora_config"
    ),
    Expectation(DefaultsLoraRank, "shape", "required-differs", "LoraConfig", "/rank"),
    Expectation(DefaultsLoraRank, "strictness", "required-differs", "LoraConfig"),
    Expectation(
        DropsResponseLiteral,
        "type-parity",
        "literal-missing",
        "CreateSessionResponse",
        "/type",
    ),
    Expectation(
        AcceptsUnknownRequestFields, "strictness", "strictness-differs", "CreateModelRequest"
    ),
    Expectation(
        AddsRetryAfter, "fixture-roundtrip", "added-field", "TryAgainResponse", "/retry_after_ms"
    ),
    Expectation(CursorAsMap, "type-parity", "type-weakened", "TrainingRunsResponse", "/cursor"),
    Expectation(StringifiesIntegers, "fixture-roundtrip", "type-changed", "Cursor", "/offset"),
    Expectation(MarksMetadataValues, "property-roundtrip", "value-changed", "CreateSessionRequest"),
    Expectation(AnswersDecodeWithAShape, "fixture-roundtrip", "protocol-error", "LoraConfig"),
    Expectation(RaisesOnCursor, "fixture-roundtrip", "adapter-error", "Cursor"),
    Expectation(
        SendsNullableLiteral,
        "fixture-roundtrip",
        "default-differs",
        "UnloadModelResponse",
        "/type",
        not_categories=("type-changed",),
    ),
    Expectation(
        DatetimeOrString,
        "type-parity",
        "type-weakened",
        "Checkpoint",
        "/time",
        not_categories=("type-changed",),
    ),
    Expectation(
        WrapsFutureResult,
        "fixture-roundtrip",
        "value-moved",
        "FutureRetrieveResponse",
        "",
        not_categories=("data-loss",),
    ),
    Expectation(
        SendsOnlyCreateModelRequest,
        "fixture-roundtrip",
        "decoder-missing",
        "CreateModelRequest",
        "",
        not_categories=("rejects-valid", "data-loss", "missing-type"),
    ),
    Expectation(
        SendsOnlyCreateModelRequest,
        "shape",
        "default-differs",
        "CreateModelRequest",
        "/lora_config",
    ),
    Expectation(
        NoShapeForPlainLists,
        "behaviour",
        "default-differs",
        "Datum.new",
        "/returned/loss_fn_inputs/target_tokens/shape",
        not_categories=("data-loss",),
    ),
]
