"""diff_packs finds the wire changes between two packs and render_changelog
prints them: real differences of the checked-in 0.15.0 -> 0.38.0 packs are
pinned, and two tiny synthetic packs exercise every change kind."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conformance.spec import SpecPack, load_pack, type_urn
from conformance.spec.diff import Change, PackDiff, describe, diff_packs, render_changelog

ALL_KINDS = {
    "type-added",
    "type-removed",
    "type-kind-changed",
    "field-added",
    "field-removed",
    "field-type-changed",
    "field-default-changed",
    "field-required-changed",
    "literal-changed",
    "strictness-changed",
    "endpoint-added",
    "endpoint-removed",
    "endpoint-changed",
    "serialization-changed",
}

DATETIME = {
    "anyOf": [
        {"type": "string", "format": "date-time"},
        {
            "type": "integer",
            "minimum": 0,
            "exclusiveMaximum": 20000000000,
            "x-tinker-datetime": "unix-seconds",
        },
    ]
}


def _facts(diff: PackDiff) -> list[tuple[Any, ...]]:
    return [(c.kind, c.type_name, c.field, c.old, c.new) for c in diff.entries]


def _find(diff: PackDiff, kind: str, type_name: str | None = None, **attrs: Any) -> list[Change]:
    return [
        c
        for c in diff.entries
        if c.kind == kind
        and (type_name is None or c.type_name == type_name)
        and all(getattr(c, k) == v for k, v in attrs.items())
    ]


# --------------------------------------------------------------------------- describe


@pytest.mark.parametrize(
    ("schema", "text"),
    [
        ({"type": "integer"}, "integer"),
        ({"anyOf": [{"type": "string"}, {"type": "null"}]}, "string | null"),
        ({"anyOf": [{"type": "null"}, {"type": "string"}]}, "string | null"),
        ({"type": "array", "items": {"type": "string"}}, "array<string>"),
        ({"type": "object", "additionalProperties": {"type": "number"}}, "map<string,number>"),
        ({"$ref": "urn:tinker-conformance:schema:0.15.0:LoraConfig"}, "LoraConfig"),
        ({"const": "dmel", "type": "string", "default": "dmel"}, 'literal "dmel"'),
        ({"type": "string", "enum": ["png", "jpeg"]}, "enum[png, jpeg]"),
        ({"type": "integer", "enum": [0, 1, 2]}, "enum[0, 1, 2]"),
        (DATETIME, "datetime"),
        ({"anyOf": [*DATETIME["anyOf"], {"type": "null"}]}, "datetime | null"),
        ({"type": "string", "contentEncoding": "base64"}, "string(base64)"),
        (
            {"type": "array", "prefixItems": [{"type": "integer"}, {"type": "number"}]},
            "tuple<integer, number>",
        ),
        ({"type": ["string", "null"]}, "string | null"),
        ({"type": "object", "properties": {"a": {"type": "string"}}}, "object"),
        ({}, "any"),
    ],
)
def test_describe_gives_a_short_readable_type(schema: dict[str, Any], text: str) -> None:
    assert describe(schema) == text


def test_describe_ignores_the_pack_version_in_refs() -> None:
    old = {"type": "array", "items": {"$ref": type_urn("0.15.0", "ModelInputChunk")}}
    new = {"type": "array", "items": {"$ref": type_urn("0.38.0", "ModelInputChunk")}}
    assert describe(old) == describe(new) == "array<ModelInputChunk>"


# --------------------------------------------------------------------------- real packs


@pytest.fixture(scope="module")
def real() -> PackDiff:
    return diff_packs(load_pack("0.15.0"), load_pack("0.38.0"))


def test_real_diff_names_its_versions_and_is_deterministic(real: PackDiff) -> None:
    again = diff_packs(load_pack("0.15.0"), load_pack("0.38.0"))
    assert (real.old_version, real.new_version) == ("0.15.0", "0.38.0")
    assert again == real
    assert render_changelog(again) == render_changelog(real)


def test_real_pack_against_itself_has_no_changes() -> None:
    pack = load_pack("0.38.0")
    assert diff_packs(pack, pack).entries == ()


def test_dmel_chunk_is_a_type_added_in_0_38(real: PackDiff) -> None:
    (added,) = _find(real, "type-added", "DmelChunk")
    assert (added.domain, added.old, added.new) == ("training & optimization", None, "nested")
    assert not _find(real, "field-added", "DmelChunk")  # a new type's fields are not repeated
    (union,) = _find(real, "field-type-changed", "ModelInputChunk")
    assert union.new == "EncodedTextChunk | ImageAssetPointerChunk | ImageChunk | DmelChunk"


def test_checkpoint_archive_url_response_is_removed(real: PackDiff) -> None:
    removed = {c.type_name for c in real.of_kind("type-removed")}
    assert "CheckpointArchiveUrlResponse" in removed
    assert not removed & {"Checkpoint", "Datum", "LoraConfig"}


def test_request_serialization_moved_from_exclude_unset_to_exclude_none(real: PackDiff) -> None:
    (change,) = real.of_kind("serialization-changed")
    assert change.field == "model_dump"
    assert change.old == "exclude_unset=True, mode='json'"
    assert change.new == "exclude_none=True, exclude_unset=False, mode='json'"


def test_forward_backward_body_became_protobuf(real: PackDiff) -> None:
    changes = _find(real, "endpoint-changed", method="POST", path="/api/v1/forward_backward")
    assert {c.field: (c.old, c.new) for c in changes} == {
        "body_encoding": ("json", "protobuf"),
        "special": (None, "protobuf-body"),
    }


def test_renamed_path_parameters_are_the_same_endpoint(real: PackDiff) -> None:
    """0.15.0 names it {model_id}, 0.38.0 {training_run_id}: not added, not removed."""
    delete = [
        c
        for c in real.entries
        if c.method == "DELETE" and c.path and c.path.endswith("/checkpoints/{checkpoint_id}")
    ]
    assert delete == []
    removed = {(c.method, c.path) for c in real.of_kind("endpoint-removed")}
    assert ("POST", "/api/v1/forward") in removed
    assert ("POST", "/api/v1/unload_model") in removed
    added = _find(real, "endpoint-added", path="/api/v1/sessions/{session_id}/finish")
    assert [(c.method, c.new) for c in added] == [("POST", "service_client.close")]


def test_load_weights_request_model_id_became_optional(real: PackDiff) -> None:
    changes = _find(real, "field-type-changed", "LoadWeightsRequest", field="model_id")
    changes += _find(real, "field-default-changed", "LoadWeightsRequest", field="model_id")
    changes += _find(real, "field-required-changed", "LoadWeightsRequest", field="model_id")
    assert [(c.kind, c.old, c.new) for c in changes] == [
        ("field-type-changed", "string", "string | null"),
        ("field-default-changed", None, "null"),
        ("field-required-changed", True, False),
    ]
    assert {c.domain for c in changes} == {"weights & checkpoints"}


def test_field_level_changes_read_from_the_schema_files(real: PackDiff) -> None:
    (meta,) = _find(real, "field-added", "Checkpoint", field="user_metadata")
    assert (meta.old, meta.new) == (None, "map<string,string> | null")
    (metrics,) = _find(real, "field-required-changed", "ForwardBackwardOutput")
    assert (metrics.field, metrics.old, metrics.new) == ("metrics", True, False)
    (strict,) = _find(real, "strictness-changed", "ForwardBackwardOutput")
    assert (strict.field, strict.old, strict.new) == (None, True, False)
    (loss,) = _find(real, "field-type-changed", "ForwardBackwardInput", field="loss_fn_config")
    assert (loss.old, loss.new) == (
        "map<string,number> | null",
        "map<string,number | string> | null",
    )
    (tokens,) = _find(real, "field-removed", "SampledSequence", field="tokens")
    assert tokens.old == "array<integer> (required)"
    added = {c.field for c in _find(real, "field-added", "SampleRequest")}
    assert {"topk_sample_logprobs", "prompt_logprobs_last_n", "target_prompt_logprobs"} <= added
    (losses,) = _find(real, "field-type-changed", "LossFnType")
    assert losses.old == "enum[cross_entropy, importance_sampling, ppo, cispo, dro]"
    assert losses.new.startswith("enum[cross_entropy, importance_sampling, ppo, cispo, dro, ")


def test_datum_went_from_model_to_dataclass(real: PackDiff) -> None:
    (shape,) = _find(real, "type-kind-changed", "Datum")
    assert (shape.field, shape.old, shape.new) == ("python", "model", "dataclass")


def test_real_entries_come_in_kind_group_order(real: PackDiff) -> None:
    def group(c: Change) -> int:
        if c.kind in ("type-added", "type-removed"):
            return 0
        if c.kind.startswith("endpoint-"):
            return 2
        return 3 if c.kind == "serialization-changed" else 1

    groups = [group(c) for c in real.entries]
    assert groups == sorted(groups)
    per_type = [(c.domain or "", c.type_name or "") for c in real.entries if group(c) == 1]
    assert per_type == sorted(per_type)


def test_real_changelog(real: PackDiff) -> None:
    text = render_changelog(real)
    assert text.startswith("# Wire changelog: tinker 0.15.0 -> 0.38.0\n")
    counts = real.counts()
    assert f"{len(real.entries)} wire changes: {counts['type-added']} type-added, " in text
    for section in (
        "## Types added",
        "## Types removed",
        "## Field changes",
        "## Endpoints",
        "## Request serialization",
    ):
        assert f"\n{section}\n" in text
    assert "| `DmelChunk` | training & optimization | nested |" in text
    assert (
        "| POST | `/api/v1/forward_backward` | changed: body\\_encoding | `json` | `protobuf` |"
        in text
    )
    assert "| `model_id` | required changed | required | optional |" in text
    assert (
        "| `model_dump` | `exclude_unset=True, mode='json'` "
        "| `exclude_none=True, exclude_unset=False, mode='json'` |"
    ) in text
    assert "`map<string,string> \\| null`" in text  # pipes inside cells are escaped
    assert text.index("### training & optimization") < text.index("### weights & checkpoints")


# --------------------------------------------------------------------------- synthetic packs


def _type(kind: str, python: str = "model", domain: str = "core") -> dict[str, Any]:
    return {
        "domain": domain,
        "kind": kind,
        "module": "tinker.types.synthetic",
        "source": {"file": "tinker/types/synthetic.py", "line": 1},
        "python": python,
        "base": "dataclass" if python == "dataclass" else "strict",
        "exported": True,
        "discriminator": None,
    }


def _endpoint(
    ident: str,
    method: str,
    path: str,
    request: str | None = None,
    response: str | None = None,
    *,
    encoding: str = "json",
    special: str | None = None,
) -> dict[str, Any]:
    return {
        "id": ident,
        "method": method,
        "path": path,
        "request_type": request,
        "response_type": response,
        "body_encoding": encoding,
        "serialization": None,
        "query": [],
        "special": None if special is None else {"kind": special, "summary": "synthetic special"},
        "call_sites": [{"module": "tinker.synthetic", "function": ident, "line": 1}],
    }


def _write_pack(
    root: Path,
    version: str,
    types: dict[str, tuple[dict[str, Any], dict[str, Any]]],
    endpoints: list[dict[str, Any]],
    model_dump: dict[str, Any],
) -> SpecPack:
    pack = root / version
    pack.mkdir()
    index_types = {}
    for name, (entry, schema) in types.items():
        body = json.loads(json.dumps(schema).replace("@VERSION@", version))
        body = {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": type_urn(version, name),
            "title": name,
            **body,
        }
        (pack / f"{name}.schema.json").write_text(json.dumps(body), encoding="utf-8")
        index_types[name] = {"schema": f"{name}.schema.json", **entry}
    index = {
        "$schema": "../meta/index.schema.json",
        "sdk": {"name": "tinker", "version": version, "exports": ["tinker.types", "tinker"]},
        "generator": {"tool": "tinker-conformance"},
        "request_serialization": {
            "model_dump": model_dump,
            "sends_unset_defaults": False,
            "sends_nulls": True,
            "summary": "synthetic",
        },
        "types": index_types,
        "endpoints": endpoints,
        "exclusions": [],
    }
    (pack / "index.json").write_text(json.dumps(index), encoding="utf-8")
    return load_pack(version, root=root)


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"urn:tinker-conformance:schema:@VERSION@:{name}"}


def _object(props: dict[str, Any], required: list[str], strict: bool) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": props,
        "required": required,
        "additionalProperties": not strict,
    }


OLD_TYPES = {
    "Alpha": (
        _type("request"),
        _object(
            {
                "count": {"type": "integer"},
                "tag": {"const": "a", "default": "a", "type": "string"},
                "name": {"type": "string"},
                "mode": {"type": "string", "default": "x"},
                "gone": {"type": "string"},
                "when": DATETIME,
                "beta": _ref("Beta"),
            },
            ["count", "name", "gone"],
            strict=True,
        ),
    ),
    "Beta": (_type("nested"), _object({"v": {"type": "string"}}, [], strict=False)),
    "Shape": (_type("enum", "enum"), {"type": "string", "enum": ["a", "b"]}),
    "Gamma": (_type("nested", domain="zz"), _object({"n": {"type": "integer"}}, [], strict=False)),
    "Old": (_type("response"), _object({}, [], strict=False)),
}
NEW_TYPES = {
    "Alpha": (
        _type("request"),
        _object(
            {
                "count": {"type": "number"},
                "tag": {"const": "b", "default": "b", "type": "string"},
                "name": {"type": "string"},
                "mode": {"type": "string", "default": "y"},
                "when": DATETIME,
                "beta": _ref("Beta"),
                "extra": {"type": "array", "items": _ref("Beta")},
            },
            ["count"],
            strict=False,
        ),
    ),
    "Beta": (_type("event", "dataclass"), _object({"v": {"type": "string"}}, [], strict=False)),
    "Shape": (_type("enum", "enum"), {"type": "string", "enum": ["a", "b", "c"]}),
    "Gamma": (_type("nested", domain="zz"), _object({"n": {"type": "integer"}}, [], strict=False)),
    "New": (_type("response"), _object({}, [], strict=False)),
}
OLD_ENDPOINTS = [
    _endpoint("svc.alpha", "POST", "/api/v1/alpha", "Alpha", "Old"),
    _endpoint("svc.thing", "GET", "/api/v1/things/{thing_id}", None, "Beta", encoding="none"),
    _endpoint("svc.old", "DELETE", "/api/v1/old", encoding="none"),
]
NEW_ENDPOINTS = [
    _endpoint(
        "svc.alpha",
        "POST",
        "/api/v1/alpha",
        "Alpha",
        "New",
        encoding="protobuf",
        special="protobuf-body",
    ),
    _endpoint("svc.thing", "GET", "/api/v1/things/{id}", None, "Beta", encoding="none"),
    _endpoint("svc.new", "POST", "/api/v1/new", None, "New"),
]


@pytest.fixture
def synthetic(tmp_path: Path) -> tuple[SpecPack, SpecPack]:
    old = _write_pack(
        tmp_path, "1.0.0", OLD_TYPES, OLD_ENDPOINTS, {"exclude_unset": True, "mode": "json"}
    )
    new = _write_pack(
        tmp_path, "2.0.0", NEW_TYPES, NEW_ENDPOINTS, {"exclude_none": True, "mode": "json"}
    )
    return old, new


def test_synthetic_diff_finds_every_kind_exactly(synthetic: tuple[SpecPack, SpecPack]) -> None:
    diff = diff_packs(*synthetic)
    assert (diff.old_version, diff.new_version) == ("1.0.0", "2.0.0")
    assert _facts(diff) == [
        ("type-added", "New", None, None, "response"),
        ("type-removed", "Old", None, "response", None),
        ("strictness-changed", "Alpha", None, False, True),
        ("field-type-changed", "Alpha", "count", "integer", "number"),
        ("field-added", "Alpha", "extra", None, "array<Beta>"),
        ("field-removed", "Alpha", "gone", "string (required)", None),
        ("field-default-changed", "Alpha", "mode", '"x"', '"y"'),
        ("field-required-changed", "Alpha", "name", True, False),
        ("literal-changed", "Alpha", "tag", "a", "b"),
        ("type-kind-changed", "Beta", "kind", "nested", "event"),
        ("type-kind-changed", "Beta", "python", "model", "dataclass"),
        ("field-type-changed", "Shape", None, "enum[a, b]", "enum[a, b, c]"),
        ("endpoint-added", None, None, None, "svc.new"),
        ("endpoint-removed", None, None, "svc.old", None),
        ("endpoint-changed", None, "body_encoding", "json", "protobuf"),
        ("endpoint-changed", None, "response_type", "Old", "New"),
        ("endpoint-changed", None, "special", None, "protobuf-body"),
        (
            "serialization-changed",
            None,
            "model_dump",
            "exclude_unset=True, mode='json'",
            "exclude_none=True, mode='json'",
        ),
    ]
    assert {c.kind for c in diff.entries} == ALL_KINDS
    assert {(c.method, c.path) for c in diff.entries if c.kind.startswith("endpoint-")} == {
        ("POST", "/api/v1/new"),
        ("DELETE", "/api/v1/old"),
        ("POST", "/api/v1/alpha"),
    }
    assert {c.domain for c in diff.entries if c.type_name} == {"core"}  # Gamma is unchanged


def test_a_pack_against_itself_has_no_entries(synthetic: tuple[SpecPack, SpecPack]) -> None:
    for pack in synthetic:
        diff = diff_packs(pack, pack)
        assert diff.entries == ()
        text = render_changelog(diff)
        assert "No wire changes." in text
        assert text.count("_None._") == 5


def test_synthetic_changelog_is_exact(synthetic: tuple[SpecPack, SpecPack]) -> None:
    text = render_changelog(diff_packs(*synthetic))
    assert text == (
        "# Wire changelog: tinker 1.0.0 -> 2.0.0\n"
        "\n"
        "18 wire changes: 1 type-added, 1 type-removed, 2 type-kind-changed, 1 field-added, "
        "1 field-removed, 2 field-type-changed, 1 field-default-changed, "
        "1 field-required-changed, 1 literal-changed, 1 strictness-changed, 1 endpoint-added, "
        "1 endpoint-removed, 3 endpoint-changed, 1 serialization-changed.\n"
        "\n"
        "## Types added\n"
        "\n"
        "| Type | Domain | Kind |\n"
        "|---|---|---|\n"
        "| `New` | core | response |\n"
        "\n"
        "## Types removed\n"
        "\n"
        "| Type | Domain | Kind |\n"
        "|---|---|---|\n"
        "| `Old` | core | response |\n"
        "\n"
        "## Field changes\n"
        "\n"
        "### core\n"
        "\n"
        "#### `Alpha`\n"
        "\n"
        "| Field | Change | Old | New |\n"
        "|---|---|---|---|\n"
        "| (type) | strictness changed | extra keys rejected | extra keys allowed |\n"
        "| `count` | type changed | `integer` | `number` |\n"
        "| `extra` | added | — | `array<Beta>` |\n"
        "| `gone` | removed | `string (required)` | — |\n"
        '| `mode` | default changed | `"x"` | `"y"` |\n'
        "| `name` | required changed | required | optional |\n"
        "| `tag` | literal changed | `a` | `b` |\n"
        "\n"
        "#### `Beta`\n"
        "\n"
        "| Field | Change | Old | New |\n"
        "|---|---|---|---|\n"
        "| (type) | kind changed | `nested` | `event` |\n"
        "| (type) | python shape changed | `model` | `dataclass` |\n"
        "\n"
        "#### `Shape`\n"
        "\n"
        "| Field | Change | Old | New |\n"
        "|---|---|---|---|\n"
        "| (type) | type changed | `enum[a, b]` | `enum[a, b, c]` |\n"
        "\n"
        "## Endpoints\n"
        "\n"
        "| Method | Path | Change | Old | New |\n"
        "|---|---|---|---|---|\n"
        "| POST | `/api/v1/new` | added | — | `svc.new` |\n"
        "| DELETE | `/api/v1/old` | removed | `svc.old` | — |\n"
        "| POST | `/api/v1/alpha` | changed: body\\_encoding | `json` | `protobuf` |\n"
        "| POST | `/api/v1/alpha` | changed: response\\_type | `Old` | `New` |\n"
        "| POST | `/api/v1/alpha` | changed: special | — | `protobuf-body` |\n"
        "\n"
        "## Request serialization\n"
        "\n"
        "| Setting | Old | New |\n"
        "|---|---|---|\n"
        "| `model_dump` | `exclude_unset=True, mode='json'` | `exclude_none=True, mode='json'` |\n"
    )


def test_cells_escape_pipes_backticks_and_newlines() -> None:
    change = Change(
        kind="field-default-changed",
        type_name="T",
        field="f",
        old="a|b",
        new="x`y\nz",
        domain="d | <e>",
    )
    text = render_changelog(PackDiff("1", "2", (change,)))
    assert "### d \\| &lt;e&gt;\n" in text
    assert "| `f` | default changed | `a\\|b` | ``x`y\\nz`` |\n" in text
    row = next(line for line in text.splitlines() if line.startswith("| `f`"))
    assert row.count(" | ") == 3  # still one row of four cells


def test_unknown_change_kind_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown change kind"):
        Change(kind="field-renamed", type_name=None, field=None, old=None, new=None, domain=None)
