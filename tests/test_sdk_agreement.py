"""The schemas agree with the reference SDK in both directions.

Forwards: every instance the SDK builds through its own constructors (a
minimal and a fully-populated one per type), serialized as the SDK serializes
it, validates. Backwards: what the SDK rejects (a missing required field, a
wrong discriminator literal, an unknown field on a strict type) the schema
rejects too, and what a lenient type tolerates the schema tolerates.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from conformance import SpecPack
from conformance.reference._classes import json_class, module_map, twin_map
from conformance.reference._wire import build_instance, to_wire
from tests._packs import installed_pack

pytestmark = pytest.mark.sdk

PACK = installed_pack()
STRUCTS = sorted(
    name
    for name, e in (PACK.types.items() if PACK else [])
    if e["python"] in ("model", "dataclass")
)
PYDANTIC = [n for n in STRUCTS if hasattr(json_class(PACK, n), "model_validate")] if PACK else []
TAGGED = [n for n in PYDANTIC if PACK and PACK.types[n]["discriminator"]]


def _wire(pack: SpecPack, name: str, *, full: bool, options: dict[str, Any]) -> Any:
    instance = build_instance(json_class(pack, name), full=full, modules=module_map(pack))
    return to_wire(instance, options, twin_map(pack))


def _sdk_accepts(pack: SpecPack, name: str, payload: Any) -> bool:
    try:
        json_class(pack, name).model_validate(payload)
    except ValueError:  # pydantic.ValidationError is a ValueError
        return False
    return True


def _dump_options(pack: SpecPack) -> list[dict[str, Any]]:
    sent = {
        k: v for k, v in pack.index["request_serialization"]["model_dump"].items() if k != "mode"
    }
    return [{}, sent]


@pytest.mark.parametrize("full", [False, True], ids=["minimal", "full"])
@pytest.mark.parametrize("name", STRUCTS)
def test_what_the_sdk_builds_validates(sdk_pack: SpecPack, name: str, full: bool) -> None:
    for options in _dump_options(sdk_pack):
        wire = _wire(sdk_pack, name, full=full, options=options)
        errors = sdk_pack.errors(name, wire)
        assert not errors, (options, wire, [e.message for e in errors])


@pytest.mark.parametrize("name", PYDANTIC)
def test_a_missing_required_field_is_rejected_by_both(sdk_pack: SpecPack, name: str) -> None:
    wire = _wire(sdk_pack, name, full=True, options={})
    required = sdk_pack.schemas[name].get("required", [])
    for field in required:
        broken = {k: v for k, v in wire.items() if k != field}
        assert not _sdk_accepts(sdk_pack, name, broken), field
        assert not sdk_pack.is_valid(name, broken), field


@pytest.mark.parametrize("name", TAGGED)
def test_a_wrong_literal_is_rejected_by_both(sdk_pack: SpecPack, name: str) -> None:
    disc = sdk_pack.types[name]["discriminator"]
    broken = dict(_wire(sdk_pack, name, full=True, options={}), **{disc["property"]: "not_it"})
    assert not _sdk_accepts(sdk_pack, name, broken)
    assert not sdk_pack.is_valid(name, broken)


@pytest.mark.parametrize("name", PYDANTIC)
def test_unknown_fields_are_treated_alike(sdk_pack: SpecPack, name: str) -> None:
    wire = _wire(sdk_pack, name, full=True, options={})
    extended = dict(copy.deepcopy(wire), zz_not_a_field=1)
    strict = sdk_pack.types[name]["base"] == "strict"
    assert _sdk_accepts(sdk_pack, name, extended) is not strict
    assert sdk_pack.is_valid(name, extended) is not strict


def test_every_struct_of_the_pack_is_exercised() -> None:
    assert PACK is not None
    assert len(STRUCTS) >= 60
