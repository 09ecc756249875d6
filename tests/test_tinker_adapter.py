"""The in-process adapter of the reference SDK, held to its own pack: the
reference must describe itself exactly as the pack does (zero shape
differences on every type), decode what it builds into wire the schema
accepts, refuse what it refuses, and construct with its real defaults."""

from __future__ import annotations

from typing import Any

import pytest

from conformance import SpecPack
from conformance.adapters import (
    Adapter,
    Encoded,
    Errored,
    Inspected,
    Rejected,
    Unsupported,
)
from conformance.reference._classes import (
    installed_version,
    json_class,
    module_map,
    native_class,
    twin_map,
)
from conformance.reference._wire import _value, build_instance, to_wire
from conformance.reference.adapter import TinkerSdkAdapter
from conformance.shapes import STRUCT_KINDS, compare_shapes, expected_shape
from tests._packs import installed_pack

pytestmark = pytest.mark.sdk

PACK = installed_pack()
TYPES = sorted(PACK.types) if PACK else []
STRUCTS = [n for n in TYPES if PACK and PACK.types[n]["kind"] in STRUCT_KINDS]
# pydantic models: their SDK validates value types (dataclass constructors do not)
PYDANTIC = [n for n in STRUCTS if PACK and hasattr(json_class(PACK, n), "model_validate")]
WITH_REQUIRED = [n for n in PYDANTIC if PACK and PACK.schemas[n].get("required")]
# stdlib dataclasses without a pydantic twin (0.38.0): no JSON decoder in the SDK
PLAIN_DATACLASSES = [n for n in STRUCTS if n not in PYDANTIC]


@pytest.fixture(scope="module")
def adapter(sdk_pack: SpecPack) -> TinkerSdkAdapter:
    return TinkerSdkAdapter(sdk_pack)


def _payload(pack: SpecPack, name: str) -> Any:
    """Wire JSON of a fully-populated instance built by the SDK."""
    if pack.types[name]["kind"] in STRUCT_KINDS:
        value = build_instance(json_class(pack, name), full=True, modules=module_map(pack))
    else:
        value = _value(native_class(pack, name), True, module_map(pack))
    return to_wire(value, {}, twin_map(pack))


def test_the_adapter_implements_the_protocol(adapter: TinkerSdkAdapter) -> None:
    assert isinstance(adapter, Adapter)
    adapter.close()


def test_hello(adapter: TinkerSdkAdapter, sdk_pack: SpecPack) -> None:
    hello = adapter.hello()
    assert (hello.name, hello.language) == ("tinker", "python")
    assert hello.version == installed_version() == sdk_pack.version
    assert hello.spec_version == sdk_pack.version
    assert hello.ops == ("hello", "decode", "construct", "inspect", "call", "request")
    assert hello.types is not None
    assert sorted(hello.types) == TYPES


@pytest.mark.parametrize("name", TYPES)
def test_the_reference_has_exactly_the_expected_shape(
    adapter: TinkerSdkAdapter, sdk_pack: SpecPack, name: str
) -> None:
    result = adapter.inspect(name, _payload(sdk_pack, name))
    assert isinstance(result, Inspected), result
    expected = expected_shape(sdk_pack, name)
    assert compare_shapes(expected, result.shape) == [], (expected, result.shape)
    if sdk_pack.types[name]["kind"] not in STRUCT_KINDS:
        assert result.shape == expected


@pytest.mark.parametrize("name", STRUCTS)
def test_decode_round_trip_gives_valid_wire(
    adapter: TinkerSdkAdapter, sdk_pack: SpecPack, name: str
) -> None:
    payload = _payload(sdk_pack, name)
    result = adapter.decode(name, payload)
    assert isinstance(result, Encoded), result
    assert [e.message for e in sdk_pack.errors(name, result.wire)] == []


@pytest.mark.parametrize("name", TYPES)
def test_a_payload_of_the_wrong_json_type_is_rejected(adapter: TinkerSdkAdapter, name: str) -> None:
    assert isinstance(adapter.decode(name, 4.5), Rejected)
    assert isinstance(adapter.inspect(name, 4.5), Rejected)


@pytest.mark.parametrize("name", WITH_REQUIRED)
def test_a_missing_required_field_is_rejected(
    adapter: TinkerSdkAdapter, sdk_pack: SpecPack, name: str
) -> None:
    required = sdk_pack.schemas[name]["required"]
    payload = {k: v for k, v in _payload(sdk_pack, name).items() if k != required[0]}
    result = adapter.decode(name, payload)
    assert isinstance(result, Rejected), result
    assert required[0] in result.message


def test_an_invalid_value_is_rejected(adapter: TinkerSdkAdapter) -> None:
    result = adapter.decode("LoraConfig", {"rank": "eight"})
    assert isinstance(result, Rejected)
    assert "rank" in result.message
    assert isinstance(adapter.decode("CheckpointType", "nonsense"), Rejected)
    assert isinstance(adapter.construct("LoraConfig", {"rank": 8, "unknown": 1}), Rejected)


def test_an_unknown_type_is_unsupported(adapter: TinkerSdkAdapter) -> None:
    for result in (
        adapter.decode("NoSuchType", {}),
        adapter.inspect("NoSuchType", {}),
        adapter.construct("NoSuchType", {}),
    ):
        assert isinstance(result, Unsupported)
        assert (result.what, result.name) == ("type", "NoSuchType")


def test_only_structs_have_a_constructor(adapter: TinkerSdkAdapter) -> None:
    result = adapter.construct("ModelID", {})
    assert isinstance(result, Unsupported)
    assert result.what == "type"


def test_construct_shows_the_lora_defaults_the_sdk_sends(
    adapter: TinkerSdkAdapter, sdk_pack: SpecPack
) -> None:
    result = adapter.construct("LoraConfig", {"rank": 8})
    assert isinstance(result, Encoded), result
    serialization = sdk_pack.index["request_serialization"]
    if serialization["sends_unset_defaults"]:
        props = sdk_pack.schemas["LoraConfig"]["properties"]
        defaults = {
            k: p["default"] for k, p in props.items() if "default" in p and p["default"] is not None
        }
        assert result.wire == {"rank": 8, **defaults}
    else:
        assert result.wire == {"rank": 8}
    pinned = {
        "0.15.0": {"rank": 8},
        "0.38.0": {"rank": 8, "train_unembed": True, "train_mlp": True, "train_attn": True},
    }
    if sdk_pack.version in pinned:
        assert result.wire == pinned[sdk_pack.version]


def test_construct_create_model_without_lora_config(
    adapter: TinkerSdkAdapter, sdk_pack: SpecPack
) -> None:
    args = {"session_id": "s", "model_seq_id": 0, "base_model": "Qwen/Qwen3-8B"}
    result = adapter.construct("CreateModelRequest", args)
    assert isinstance(result, Encoded), result
    assert "lora_config" not in result.wire  # unset (0.15.0) or null and dropped (0.38.0)
    assert sdk_pack.is_valid("CreateModelRequest", result.wire)
    if sdk_pack.version == "0.15.0":
        assert result.wire == args  # only fields the caller set: not even `type`
    if sdk_pack.version == "0.38.0":
        assert result.wire == {
            **args,
            "optimizer_config": {"type": "adamw"},
            "type": "create_model",
        }


def test_construct_validates_nested_structs_given_as_objects(adapter: TinkerSdkAdapter) -> None:
    args = {
        "session_id": "s",
        "model_seq_id": 0,
        "base_model": "b",
        "lora_config": {"rank": 4},
    }
    result = adapter.construct("CreateModelRequest", args)
    assert isinstance(result, Encoded), result
    assert result.wire["lora_config"]["rank"] == 4
    bad = adapter.construct("CreateModelRequest", {**args, "lora_config": {"rank": "x"}})
    assert isinstance(bad, Rejected)


def test_a_union_read_by_expected_type(adapter: TinkerSdkAdapter, sdk_pack: SpecPack) -> None:
    """0.38.0's FutureRetrieveResponse is never validated as a whole: markers
    first, then the variant that reads most of the payload; 0.15.0's is an
    ordinary smart union. Either way each variant's payload reads as itself."""
    failed = adapter.decode("FutureRetrieveResponse", {"error": "boom", "category": "user"})
    assert isinstance(failed, Encoded), failed
    assert failed.wire["error"] == "boom"
    output = {"loss_fn_output_type": "ce", "loss_fn_outputs": [], "metrics": {"loss": 1.0}}
    result = adapter.decode("FutureRetrieveResponse", output)
    assert isinstance(result, Encoded), result
    assert result.wire == output
    created = adapter.decode("FutureRetrieveResponse", {"model_id": "m", "type": "create_model"})
    assert isinstance(created, Encoded), created
    assert created.wire["type"] == "create_model"
    assert isinstance(adapter.decode("FutureRetrieveResponse", []), Rejected)
    try_again = _payload(sdk_pack, "TryAgainResponse")
    assert adapter.decode("FutureRetrieveResponse", try_again) == adapter.decode(
        "TryAgainResponse", try_again
    )


def test_dataclasses_without_a_json_decoder_are_built_by_their_constructor(
    adapter: TinkerSdkAdapter, sdk_pack: SpecPack
) -> None:
    """The constructor refuses a missing required keyword and an unknown one
    (0.38.0's stdlib dataclasses; 0.15.0 has none)."""
    for name in PLAIN_DATACLASSES:
        payload = _payload(sdk_pack, name)
        assert isinstance(adapter.decode(name, payload), Encoded), name
        assert isinstance(adapter.decode(name, {**payload, "zz_not_a_field": 1}), Rejected), name
        for field in sdk_pack.schemas[name].get("required", []):
            broken = {k: v for k, v in payload.items() if k != field}
            assert isinstance(adapter.decode(name, broken), Rejected), (name, field)


def test_numpy_fields_come_from_lists(adapter: TinkerSdkAdapter, sdk_pack: SpecPack) -> None:
    if "SampledSequence" not in PLAIN_DATACLASSES:
        return  # 0.15.0: SampledSequence is a pydantic model with plain lists
    payload = {"stop_reason": "length", "sequence_id": "s", "tokens_np": [1, 2]}
    result = adapter.decode("SampledSequence", payload)
    assert isinstance(result, Encoded), result
    assert result.wire["tokens_np"] == [1, 2]
    assert sdk_pack.is_valid("SampledSequence", result.wire)


def test_nothing_errors_on_the_reference(adapter: TinkerSdkAdapter, sdk_pack: SpecPack) -> None:
    """No op answers Errored for the SDK's own payloads: Errored means the
    adapter or the SDK broke, never a refusal."""
    for name in TYPES:
        payload = _payload(sdk_pack, name)
        for result in (adapter.decode(name, payload), adapter.inspect(name, payload)):
            assert not isinstance(result, Errored), (name, result)
