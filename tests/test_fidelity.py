"""Pins the places where pydantic's own schema is lossy and the generator
corrects it (docs/PACKS.md, "Fidelity fixes"), on the 0.15.0 pack, and checks
the union rule recorded in the pack against what the SDK really does."""

from __future__ import annotations

import pytest

from conformance import SpecPack, load_pack
from conformance.reference._classes import native_class

P = load_pack("0.15.0")


def test_strict_requests_forbid_and_lenient_responses_allow_unknown_fields() -> None:
    assert P.schemas["CreateModelRequest"]["additionalProperties"] is False
    assert P.schemas["CreateModelResponse"]["additionalProperties"] is True
    assert not P.is_valid("LoraConfig", {"rank": 8, "extra": 1})
    assert P.is_valid("GetServerCapabilitiesResponse", {"supported_models": [], "new": 1})


def test_datetimes_are_date_time_strings_or_unix_seconds() -> None:
    for good in ("2025-11-26T12:30:15Z", "2025-11-26T12:30:15.250+05:30", 1764160215):
        assert P.is_valid("CheckpointArchiveUrlResponse", {"url": "u", "expires": good}), good
    for bad in ("tomorrow", "2025-13-01T00:00:00Z", -5, 1.5):
        assert not P.is_valid("CheckpointArchiveUrlResponse", {"url": "u", "expires": bad}), bad


def test_image_bytes_are_base64_text() -> None:
    data = P.schemas["ImageChunk"]["properties"]["data"]
    assert data == {"type": "string", "contentEncoding": "base64"}


def test_prompt_logprobs_is_tri_state() -> None:
    base = {"prompt": {"chunks": []}, "sampling_params": {}}
    for value in (True, False, None):
        assert P.is_valid("SampleRequest", dict(base, prompt_logprobs=value))
    assert P.is_valid("SampleRequest", base)
    assert P.schemas["SampleRequest"]["properties"]["prompt_logprobs"]["default"] is None
    assert not P.is_valid("SampleRequest", dict(base, prompt_logprobs="yes"))


@pytest.mark.parametrize("stop", ["\n", ["a", "b"], [1, 2], None])
def test_stop_takes_a_string_strings_or_token_ids(stop: object) -> None:
    assert P.is_valid("SamplingParams", {"stop": stop})


def test_stop_rejects_a_mixed_list() -> None:
    assert not P.is_valid("SamplingParams", {"stop": ["a", 1]})


def test_defaults_are_recorded() -> None:
    props = P.schemas["SamplingParams"]["properties"]
    assert (props["temperature"]["default"], props["top_k"]["default"]) == (1, -1)
    assert P.schemas["LoraConfig"]["properties"]["train_mlp"]["default"] is True


def test_loss_fn_maps_hold_tensor_data() -> None:
    tensor = "urn:tinker-conformance:schema:0.15.0:TensorData"
    inputs = P.schemas["Datum"]["properties"]["loss_fn_inputs"]
    assert inputs["additionalProperties"] == {"$ref": tensor}
    assert not P.is_valid("LossFnInputs", {"weights": [1.0]})
    outputs = P.schemas["ForwardBackwardOutput"]["properties"]["loss_fn_outputs"]
    assert outputs["items"]["additionalProperties"] == {"$ref": tensor}


def test_enum_aliases_are_referenced_by_name() -> None:
    field = P.schemas["ForwardBackwardInput"]["properties"]["loss_fn"]
    assert field["$ref"].endswith(":LossFnType")


def test_model_input_chunk_tag_is_recorded_as_unenforced() -> None:
    union = P.types["ModelInputChunk"]["union"]
    assert union["tag"] == {
        "property": "type",
        "values": {
            "encoded_text": "EncodedTextChunk",
            "image_asset_pointer": "ImageAssetPointerChunk",
            "image": "ImageChunk",
        },
        "enforced": False,
    }
    assert "tag" not in P.types["TelemetryEvent"]["union"]
    assert "tag" not in P.types["FutureRetrieveResponse"]["union"]


def _smart_pick(pack: SpecPack, variants: list[str], payload: dict[str, object]) -> str:
    """The pack's recorded rule: most fields set among valid variants, ties earliest."""
    valid = [v for v in variants if pack.is_valid(v, payload)]
    fields = {v: len(set(payload) & set(pack.schemas[v].get("properties", {}))) for v in valid}
    return max(valid, key=lambda v: (fields[v], -variants.index(v)))


@pytest.mark.sdk
def test_the_recorded_union_rule_matches_the_sdk(sdk_pack: SpecPack) -> None:
    """For each smart union, each variant's minimal and full SDK-built payload
    (and ``{}``) is parsed by the SDK into the variant the recorded rule names."""
    from pydantic import TypeAdapter

    from conformance.reference._classes import json_class, module_map, twin_map
    from conformance.reference._wire import build_instance, to_wire

    checked = 0
    for name, entry in sdk_pack.types.items():
        union = entry.get("union")
        if union is None or union["strategy"] != "smart":
            continue
        adapter = TypeAdapter(native_class(sdk_pack, name))
        payloads = [{}] if any(sdk_pack.is_valid(v, {}) for v in union["variants"]) else []
        for variant in union["variants"]:
            for full in (False, True):
                built = build_instance(
                    json_class(sdk_pack, variant), full=full, modules=module_map(sdk_pack)
                )
                payloads.append(to_wire(built, {}, twin_map(sdk_pack)))
        for payload in payloads:
            picked = type(adapter.validate_python(payload)).__name__
            assert picked == _smart_pick(sdk_pack, union["variants"], payload), (name, payload)
            checked += 1
    assert checked >= 20


def test_empty_future_result_is_an_optim_step_response_in_0_15_0() -> None:
    union = P.types["FutureRetrieveResponse"]["union"]
    assert _smart_pick(P, union["variants"], {}) == "OptimStepResponse"


def test_unions_the_sdk_cannot_validate_carry_a_curated_rule() -> None:
    union = load_pack("0.38.0").types["FutureRetrieveResponse"]["union"]
    assert union["strategy"] == "expected-type"
    assert "try_again" in union["rule"]


def test_request_serialization_change_is_recorded() -> None:
    old = load_pack("0.15.0").index["request_serialization"]
    new = load_pack("0.38.0").index["request_serialization"]
    assert old["model_dump"]["exclude_unset"] is True
    assert old["sends_unset_defaults"] is False
    assert new["model_dump"] == {"exclude_unset": False, "exclude_none": True, "mode": "json"}
    assert new["sends_unset_defaults"] is True


def test_endpoint_specials_are_recorded() -> None:
    old = {(e["method"], e["path"]): e for e in load_pack("0.15.0").endpoints}
    archive = old["GET", "/api/v1/training_runs/{model_id}/checkpoints/{checkpoint_id}/archive"]
    assert archive["special"]["kind"] == "redirect"
    assert archive["response_type"] == "CheckpointArchiveUrlResponse"
    assert old["POST", "/api/v1/session_heartbeat"]["request_type"] == "SessionHeartbeatRequest"
    new = {(e["method"], e["path"]): e for e in load_pack("0.38.0").endpoints}
    assert new["POST", "/api/v1/forward_backward"]["body_encoding"] == "protobuf"
    assert old["POST", "/api/v1/forward_backward"]["body_encoding"] == "json"


def test_alias_choices_are_all_named() -> None:
    schema = load_pack("0.38.0").schemas["OptimStepRequest"]
    assert schema["x-tinker-aliases"] == {
        "optim_params": ["optim_params", "adam_params", "optimizer_params"]
    }
    pack = load_pack("0.38.0")
    base = {"model_id": "m"}
    assert pack.is_valid("OptimStepRequest", dict(base, adam_params={"learning_rate": 0.1}))
    assert not pack.is_valid("OptimStepRequest", base)
