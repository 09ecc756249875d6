"""Every checked-in pack is well-formed: valid 2020-12 schemas, URN ids,
resolvable references, an index that matches its meta-schema and names only
types the pack has."""

from __future__ import annotations

from typing import Any

import pytest
from jsonschema.validators import Draft202012Validator, validator_for

from conformance._data import META_DIR, SCHEMAS_ROOT, load_json
from conformance.spec import type_urn
from tests._packs import all_packs

PACKS = all_packs()
SCHEMAS = [(p, name) for p in PACKS for name in p.schemas]


def _ids(value: Any) -> str:
    pack, name = value
    return f"{pack.version}:{name}"


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [r for v in node.values() for r in _refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []


def test_two_reference_packs_are_checked_in() -> None:
    assert [p.version for p in PACKS] == ["0.15.0", "0.38.0"]


@pytest.mark.parametrize("case", SCHEMAS, ids=_ids)
def test_schema_is_valid_against_the_2020_12_metaschema(case: Any) -> None:
    pack, name = case
    schema = pack.schemas[name]
    assert validator_for(schema) is Draft202012Validator
    Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize("case", SCHEMAS, ids=_ids)
def test_schema_id_is_a_stable_urn_and_refs_resolve(case: Any) -> None:
    pack, name = case
    schema = pack.schemas[name]
    assert schema["$id"] == type_urn(pack.version, name)
    assert "://" not in schema["$id"]
    resolver = pack.registry.resolver()
    for ref in _refs(schema):
        assert ref.startswith(f"urn:tinker-conformance:schema:{pack.version}:"), ref
        resolver.lookup(ref)  # raises if the pack lacks the target


@pytest.mark.parametrize("pack", PACKS, ids=lambda p: p.version)
def test_index_types_and_files_correspond_one_to_one(pack: Any) -> None:
    on_disk = {p.name for p in pack.root.glob("*.schema.json")}
    assert on_disk == {entry["schema"] for entry in pack.types.values()}


@pytest.mark.parametrize("pack", PACKS, ids=lambda p: p.version)
def test_endpoints_name_only_types_of_the_pack(pack: Any) -> None:
    for ep in pack.endpoints:
        for key in ("request_type", "response_type"):
            assert ep[key] is None or ep[key] in pack.types, (ep["id"], key, ep[key])
    ids = [ep["id"] for ep in pack.endpoints]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("pack", PACKS, ids=lambda p: p.version)
def test_unions_record_how_a_reader_picks_the_variant(pack: Any) -> None:
    unions = {n: e for n, e in pack.types.items() if e["kind"] == "union"}
    assert unions
    for name, entry in unions.items():
        assert entry["union"]["strategy"] in ("smart", "discriminator", "expected-type"), name
        assert entry["union"]["rule"], name
        assert pack.schemas[name]["x-tinker-union"]["variants"] == entry["union"]["variants"]


def test_curation_matches_its_meta_schema() -> None:
    meta = load_json(META_DIR / "curation.schema.json")
    Draft202012Validator.check_schema(meta)
    errors = list(Draft202012Validator(meta).iter_errors(load_json(SCHEMAS_ROOT / "curation.json")))
    assert errors == []


#: The formats the suite asserts, with the dependencies pyproject.toml declares
#: (``rfc3339-validator`` for date-time; date and regex need nothing more). A
#: schema using another format would go unchecked where only these are installed.
SUPPORTED_FORMATS = frozenset({"date", "date-time", "regex"})


def _formats(node: Any, path: str) -> list[tuple[str, str]]:
    """(JSON pointer, format) of every ``format`` keyword under ``node``."""
    if isinstance(node, dict):
        here = [(path, node["format"])] if isinstance(node.get("format"), str) else []
        return here + [f for k, v in node.items() for f in _formats(v, f"{path}/{k}")]
    if isinstance(node, list):
        return [f for i, v in enumerate(node) for f in _formats(v, f"{path}/{i}")]
    return []


SCHEMA_FILES = sorted(SCHEMAS_ROOT.rglob("*.json"))


def test_schemas_use_only_the_supported_formats() -> None:
    used = {
        (str(path.relative_to(SCHEMAS_ROOT)), pointer, fmt)
        for path in SCHEMA_FILES
        for pointer, fmt in _formats(load_json(path), "")
    }
    assert {fmt for _, _, fmt in used} <= SUPPORTED_FORMATS, sorted(
        u for u in used if u[2] not in SUPPORTED_FORMATS
    )
    assert {fmt for _, _, fmt in used} == SUPPORTED_FORMATS  # none listed in vain


def test_every_supported_format_is_asserted() -> None:
    checker = Draft202012Validator.FORMAT_CHECKER
    assert set(checker.checkers) >= SUPPORTED_FORMATS
    for fmt, bad in [("date", "2025-13-01"), ("date-time", "2025-01-01 00:00"), ("regex", "(")]:
        assert not checker.conforms(bad, fmt), fmt
