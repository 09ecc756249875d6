"""The shape vocabulary (conformance.shapes): parsing, the reference's
expected shapes derived from the packs, and the classification of
differences that type parity reports (docs/SHAPES.md)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from conformance import SpecPack, load_pack
from conformance.shapes import (
    CATEGORIES,
    STRUCT_KINDS,
    ShapeDifference,
    compare_shapes,
    expected_shape,
    parse_shape,
)
from tests._packs import all_packs

P15 = load_pack("0.15.0")
P38 = load_pack("0.38.0")
ALL = [(p.version, name) for p in all_packs() for name in sorted(p.types)]
PACKS = {p.version: p for p in all_packs()}


def _with_field(shape: dict[str, Any], field: str, value: str | None) -> dict[str, Any]:
    out = copy.deepcopy(shape)
    if value is None:
        del out["fields"][field]
    else:
        out["fields"][field] = value
    return out


def _only(diffs: list[ShapeDifference]) -> ShapeDifference:
    assert len(diffs) == 1, diffs
    return diffs[0]


# -- parsing ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("string", "string"),
        ("optional<datetime>", "optional<datetime>"),
        ("list< struct:Datum >", "list<struct:Datum>"),
        ("map<string,list<integer>>", "map<string,list<integer>>"),
        ("union<string|list<string>|null>", "optional<union<list<string>|string>>"),
        ("union<struct:B|struct:A|struct:B>", "union<struct:A|struct:B>"),
        ("enum[png, jpeg]", "enum[jpeg,png]"),
        ("enum[only]", "literal:only"),
        ("literal:encoded_text", "literal:encoded_text"),
        ("optional<optional<integer>>", "optional<integer>"),
        ("optional<any>", "any"),
        ("tuple<integer,number>", "tuple<integer,number>"),
        ("enum:LossFnType", "enum:LossFnType"),
        ("union:ModelInputChunk", "union:ModelInputChunk"),
    ],
)
def test_shapes_parse_to_canonical_text(text: str, canonical: str) -> None:
    assert str(parse_shape(text)) == canonical
    assert parse_shape(canonical) == parse_shape(text)


@pytest.mark.parametrize(
    "text",
    ["", "str", "list<string", "list<string>>", "map<string>", "struct:", "datetime<x>", "enum[]"],
)
def test_malformed_shapes_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="bad shape"):
        parse_shape(text)


def test_a_shape_must_be_a_string() -> None:
    with pytest.raises(ValueError, match="a shape is a string"):
        parse_shape(["string"])


# -- expected shapes --------------------------------------------------------------


@pytest.mark.parametrize(("version", "name"), ALL)
def test_every_expected_shape_is_canonical_and_equal_to_itself(version: str, name: str) -> None:
    pack = PACKS[version]
    shape = expected_shape(pack, name)
    for text in [shape["type"], *shape.get("fields", {}).values()]:
        assert str(parse_shape(text)) == text
    assert compare_shapes(shape, copy.deepcopy(shape)) == []
    kind = pack.types[name]["kind"]
    assert ("fields" in shape) is (kind in STRUCT_KINDS)
    if kind in STRUCT_KINDS:
        assert shape["type"] == f"struct:{name}"
    elif kind in ("enum", "union"):
        assert shape["type"] == f"{kind}:{name}"


def test_struct_fields_follow_the_schema() -> None:
    fields = expected_shape(P15, "Checkpoint")["fields"]
    assert fields == {
        "checkpoint_id": "string",
        "checkpoint_type": "enum:CheckpointType",
        "time": "datetime",
        "tinker_path": "string",
        "size_bytes": "optional<integer>",
        "public": "boolean",
        "expires_at": "optional<datetime>",
    }


def test_bytes_literals_value_sets_and_tuples() -> None:
    image = expected_shape(P15, "ImageChunk")["fields"]
    assert (image["data"], image["format"], image["type"]) == (
        "bytes",
        "enum[jpeg,png]",
        "literal:image",
    )
    sample = expected_shape(P15, "SampleResponse")["fields"]
    assert sample["topk_prompt_logprobs"] == (
        "optional<list<optional<list<tuple<integer,number>>>>>"
    )
    stop = expected_shape(P15, "SamplingParams")["fields"]["stop"]
    assert stop == "optional<union<list<integer>|list<string>|string>>"


def test_maps_aliases_and_named_kinds() -> None:
    assert expected_shape(P15, "LossFnInputs") == {"type": "map<string,struct:TensorData>"}
    assert expected_shape(P15, "ModelID") == {"type": "string"}
    assert expected_shape(P15, "LossFnType") == {"type": "enum:LossFnType"}
    assert expected_shape(P15, "ModelInputChunk") == {"type": "union:ModelInputChunk"}
    assert expected_shape(P15, "Datum")["fields"]["loss_fn_inputs"] == (
        "map<string,struct:TensorData>"
    )
    event = expected_shape(P15, "GenericEvent")["fields"]
    assert event["event_data"] == "map<string,any>"
    assert event["timestamp"] == "datetime"


def test_alias_spellings_are_one_field() -> None:
    fields = expected_shape(P38, "OptimStepRequest")["fields"]
    assert fields["optim_params"] == "union:OptimParams"
    assert "adam_params" not in fields
    assert "optimizer_params" not in fields


def test_a_flattened_optional_union_keeps_its_name() -> None:
    fields = expected_shape(P38, "SessionSummary")["fields"]
    assert fields["status"] == "optional<union:SessionStatus>"
    assert expected_shape(P38, "LoadWeightsRequest")["fields"]["optimizer_config"] == (
        "optional<union:OptimizerConfig>"
    )


def test_numpy_fields_are_lists_of_numbers() -> None:
    fields = expected_shape(P38, "SampledSequence")["fields"]
    assert fields["tokens_np"] == "optional<list<number>>"
    assert fields["topk_logprobs_np"] == "optional<struct:TopkLogprobs>"


# -- comparison -------------------------------------------------------------------


def test_a_datetime_kept_as_a_string_is_weakened() -> None:
    expected = expected_shape(P15, "Checkpoint")
    diff = _only(compare_shapes(expected, _with_field(expected, "time", "string")))
    assert (diff.field, diff.expected, diff.actual, diff.category) == (
        "time",
        "datetime",
        "string",
        "type-weakened",
    )
    assert "time" in diff.message


def test_structs_flattened_to_strings_are_nesting_flattened() -> None:
    expected = expected_shape(P15, "GetServerCapabilitiesResponse")
    actual = _with_field(expected, "supported_models", "list<string>")
    diff = _only(compare_shapes(expected, actual))
    assert (diff.field, diff.category) == ("supported_models", "nesting-flattened")
    assert _only(compare_shapes(expected, _with_field(expected, "supported_models", "string")))


@pytest.mark.parametrize("pack", [P15, P38], ids=lambda p: p.version)
def test_a_cursor_kept_as_a_bare_map_is_weakened(pack: SpecPack) -> None:
    expected = expected_shape(pack, "TrainingRunsResponse")
    assert expected["fields"]["cursor"] == "struct:Cursor"
    diff = _only(compare_shapes(expected, _with_field(expected, "cursor", "map<string,any>")))
    assert (diff.field, diff.category) == ("cursor", "type-weakened")


def test_a_missing_and_an_added_field() -> None:
    expected = expected_shape(P15, "CheckpointArchiveUrlResponse")
    diff = _only(compare_shapes(expected, _with_field(expected, "expires", None)))
    assert (diff.field, diff.expected, diff.actual, diff.category) == (
        "expires",
        "datetime",
        None,
        "missing-field",
    )
    added = _with_field(expected, "retry_after_ms", "integer")
    diff = _only(compare_shapes(expected, added))
    assert (diff.field, diff.actual, diff.category) == ("retry_after_ms", "integer", "added-field")


@pytest.mark.parametrize(
    ("expected", "actual", "categories"),
    [
        ("integer", "number", ["type-weakened"]),
        ("enum:LossFnType", "string", ["type-weakened"]),
        ("enum:LossFnType", "enum[cross_entropy,ppo]", ["type-weakened"]),
        ("literal:sample", "string", ["type-weakened"]),
        ("enum[jpeg,png]", "enum[gif,jpeg,png]", ["type-weakened"]),
        ("enum[jpeg,png]", "enum[jpeg]", ["type-changed"]),
        ("bytes", "string", ["type-weakened"]),
        ("struct:LoraConfig", "any", ["type-weakened"]),
        ("union:ModelInputChunk", "map<string,any>", ["type-weakened"]),
        ("union:ModelInputChunk", "string", ["nesting-flattened"]),
        ("list<struct:TensorData>", "list<map<string,any>>", ["type-weakened"]),
        ("map<string,struct:TensorData>", "map<string,string>", ["nesting-flattened"]),
        ("tuple<integer,number>", "list<number>", ["type-weakened"]),
        ("string", "integer", ["type-changed"]),
        ("struct:Cursor", "struct:Other", ["type-changed"]),
        ("optional<integer>", "integer", ["optional-differs"]),
        ("integer", "optional<integer>", ["optional-differs"]),
        ("list<optional<number>>", "list<number>", ["optional-differs"]),
        ("optional<datetime>", "string", ["type-weakened", "optional-differs"]),
        ("datetime", "datetime<", ["type-changed"]),
    ],
)
def test_field_differences_are_classified(
    expected: str, actual: str, categories: list[str]
) -> None:
    diffs = compare_shapes(
        {"type": "struct:T", "fields": {"f": expected}},
        {"type": "struct:T", "fields": {"f": actual}},
    )
    assert [d.category for d in diffs] == categories
    assert all(d.field == "f" and d.category in CATEGORIES for d in diffs)


def test_the_type_itself_is_compared() -> None:
    diff = _only(compare_shapes({"type": "enum:LossFnType"}, {"type": "string"}))
    assert (diff.field, diff.category) == ("", "type-weakened")
    alias = {"type": "map<string,struct:TensorData>"}
    assert compare_shapes(alias, dict(alias)) == []
    diff = _only(compare_shapes(alias, {"type": "map<string,map<string,any>>"}))
    assert (diff.field, diff.category) == ("", "type-weakened")


def test_a_struct_reported_without_fields_is_a_difference() -> None:
    expected = expected_shape(P15, "LoraConfig")
    diffs = compare_shapes(expected, {"type": "map<string,any>"})
    assert [(d.field, d.category) for d in diffs] == [("", "type-weakened")]
    diffs = compare_shapes(expected, {"type": "struct:LoraConfig"})
    assert [(d.field, d.category) for d in diffs] == [("", "type-changed")]


def test_garbage_from_an_implementation_is_a_difference_not_a_crash() -> None:
    expected = expected_shape(P15, "LoraConfig")
    diffs = compare_shapes(expected, {"type": 7, "fields": {"rank": None}})
    by_field = {d.field: d.category for d in diffs}
    assert by_field.pop("") == by_field.pop("rank") == "type-changed"
    assert set(by_field.values()) == {"missing-field"}
