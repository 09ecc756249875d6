"""A missing or corrupt pack file gives an error naming the file, the type
and the JSON pointer of the defect, never a bare traceback."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conformance import SpecError, load_pack
from conformance._data import SCHEMAS_ROOT


@pytest.fixture
def pack_copy(tmp_path: Path) -> Path:
    shutil.copytree(SCHEMAS_ROOT / "0.15.0", tmp_path / "0.15.0")
    return tmp_path


def test_missing_schema_file_names_the_file(pack_copy: Path) -> None:
    (pack_copy / "0.15.0" / "LoraConfig.schema.json").unlink()
    with pytest.raises(SpecError) as info:
        load_pack("0.15.0", pack_copy)
    assert info.value.file.name == "LoraConfig.schema.json"
    assert "missing" in str(info.value)


def test_corrupt_json_names_the_file_and_pointer(pack_copy: Path) -> None:
    path = pack_copy / "0.15.0" / "LoraConfig.schema.json"
    text = path.read_text()
    path.write_text(text.replace('"default": true', '"default": tru', 1))
    with pytest.raises(SpecError) as info:
        load_pack("0.15.0", pack_copy)
    err = info.value
    assert err.file == path
    assert err.pointer == "/properties/train_unembed/default"
    assert f"{path}#/properties/train_unembed/default" in str(err)


def test_invalid_schema_names_type_and_pointer(pack_copy: Path) -> None:
    path = pack_copy / "0.15.0" / "Cursor.schema.json"
    schema = json.loads(path.read_text())
    schema["properties"]["offset"]["type"] = "int"
    path.write_text(json.dumps(schema))
    with pytest.raises(SpecError) as info:
        load_pack("0.15.0", pack_copy)
    err = info.value
    assert (err.file, err.type_name) == (path, "Cursor")
    assert err.pointer == "/properties/offset/type"
    assert "'int'" in str(err)


def test_wrong_id_is_reported(pack_copy: Path) -> None:
    path = pack_copy / "0.15.0" / "Cursor.schema.json"
    schema = json.loads(path.read_text())
    schema["$id"] = "https://example.invalid/Cursor"
    path.write_text(json.dumps(schema))
    with pytest.raises(SpecError, match=r"Cursor\.schema\.json#/\$id: \$id is"):
        load_pack("0.15.0", pack_copy)


def test_bad_index_entry_names_its_pointer(pack_copy: Path) -> None:
    path = pack_copy / "0.15.0" / "index.json"
    index = json.loads(path.read_text())
    index["types"]["Cursor"]["kind"] = "gadget"
    path.write_text(json.dumps(index))
    with pytest.raises(SpecError) as info:
        load_pack("0.15.0", pack_copy)
    assert info.value.pointer == "/types/Cursor/kind"


def test_unknown_version_lists_the_packs_there(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match=r"no spec pack for version '9\.9\.9'"):
        load_pack("9.9.9")


def test_validation_error_carries_instance_and_pointer() -> None:
    pack = load_pack("0.15.0")
    with pytest.raises(SpecError) as info:
        pack.check(
            "CreateModelRequest", {"session_id": "s", "model_seq_id": "x", "base_model": "b"}
        )
    err = info.value
    assert err.pointer == "/model_seq_id"
    assert err.instance == "x"
    assert err.type_name == "CreateModelRequest"


@pytest.mark.parametrize(
    "ref",
    [
        "http://schemas.example.invalid/LoraConfig.json",
        "../0.38.0/LoraConfig.schema.json",
        "urn:tinker-conformance:schema:0.15.0:NoSuchType",
        "#/$defs/absent",
    ],
)
def test_a_ref_outside_the_pack_is_a_pack_error(pack_copy: Path, ref: str) -> None:
    """Issue 12: a ``$ref`` that leaves the pack was never fetched, but it
    read as data loss later; at load it is a SpecError naming file#pointer."""
    path = pack_copy / "0.15.0" / "Cursor.schema.json"
    schema = json.loads(path.read_text())
    schema["properties"]["offset"] = {"$ref": ref}
    path.write_text(json.dumps(schema))
    with pytest.raises(SpecError) as info:
        load_pack("0.15.0", pack_copy)
    err = info.value
    assert (err.file, err.type_name, err.pointer) == (path, "Cursor", "/properties/offset/$ref")
    assert f"{path}#/properties/offset/$ref" in str(err)


def test_a_ref_key_inside_data_or_as_a_property_name_is_no_reference(pack_copy: Path) -> None:
    path = pack_copy / "0.15.0" / "Cursor.schema.json"
    schema = json.loads(path.read_text())
    schema["properties"]["offset"]["default"] = {"$ref": "http://not.a.reference"}
    schema["properties"]["$ref"] = {"type": "string"}
    schema["properties"]["default"] = {"$ref": schema["$id"]}
    path.write_text(json.dumps(schema))
    load_pack("0.15.0", pack_copy)
