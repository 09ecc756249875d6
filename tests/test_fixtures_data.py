"""The golden type fixtures are sound data (the JSON-Schema-Test-Suite "check").

Every file under ``fixtures/<version>/types/<Type>/`` is one case: it matches
``schemas/meta/type-case.schema.json``, names the type of its folder, which is
a type of that version's pack; descriptions are unique per folder; a valid
payload validates against the pack and an invalid one does not; ``canonical``
is already canonical. Against the installed SDK (``sdk`` marker, that
version's cases only): valid payloads are accepted and read back to
``canonical``, invalid ones are rejected. Every type has a valid case, every
struct with required fields an invalid one. A broken file fails with its path.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from jsonschema.validators import Draft202012Validator

from conformance import SpecError, SpecPack, load_pack
from conformance._data import META_DIR, SCHEMAS_ROOT, load_json
from conformance.reference._classes import installed_version
from conformance.spec import available_versions

FIXTURES = SCHEMAS_ROOT.parent / "fixtures"
META = load_json(META_DIR / "type-case.schema.json")
META_VALIDATOR = Draft202012Validator(META)

FILES = sorted(p for p in FIXTURES.glob("*/types/*/*") if p.is_file())
CASES = [p for p in FILES if p.suffix == ".json"]
FOLDERS = sorted({p.parent for p in CASES})
PREFIX_SOURCE = {"gen-": "generated", "edge-": "curated"}


def _rel(path: Path) -> str:
    return path.relative_to(FIXTURES).as_posix()


def _version_of(path: Path) -> str:
    return path.relative_to(FIXTURES).parts[0]


SDK_CASES = [p for p in CASES if _version_of(p) == installed_version()]

_PACKS: dict[str, SpecPack] = {}


def _pack(version: str) -> SpecPack:
    if version not in _PACKS:
        _PACKS[version] = load_pack(version)
    return _PACKS[version]


def _case(path: Path) -> dict[str, Any]:
    """A case file, parsed and checked against the meta-schema; a broken one
    fails naming the file (and the JSON pointer of the defect)."""
    try:
        data = load_json(path)
    except SpecError as exc:
        broken = str(exc)
    else:
        broken = ""
    if broken:
        pytest.fail(broken, pytrace=False)
    errors = sorted(META_VALIDATOR.iter_errors(data), key=lambda e: list(map(str, e.path)))
    if errors:
        err = errors[0]
        where = "/" + "/".join(map(str, err.absolute_path))
        pytest.fail(f"{path}#{where}: does not match type-case.schema.json: {err.message}")
    assert isinstance(data, dict)
    return data


def _canonicalize(pack: SpecPack, type_name: str, wire: Any) -> Any:
    from conformance.canonical import canonicalize

    return canonicalize(pack, type_name, wire)


# --- the data's own format ----------------------------------------------------------


def test_the_meta_schema_is_a_valid_2020_12_schema() -> None:
    Draft202012Validator.check_schema(META)


def test_there_are_fixtures_for_every_pack() -> None:
    assert sorted({_version_of(p) for p in CASES}) == available_versions()


@pytest.mark.parametrize("path", CASES, ids=_rel)
def test_case_matches_the_meta_schema(path: Path) -> None:
    _case(path)


@pytest.mark.parametrize("path", CASES, ids=_rel)
def test_case_names_its_folder_and_a_type_of_the_pack(path: Path) -> None:
    case = _case(path)
    assert case["type"] == path.parent.name, f"{path}: type {case['type']!r} in wrong folder"
    version = _version_of(path)
    assert version in available_versions(), f"{path}: no spec pack schemas/{version}/"
    assert case["type"] in _pack(version).types, (
        f"{path}: {case['type']!r} is not in pack {version}"
    )


@pytest.mark.parametrize("path", CASES, ids=_rel)
def test_file_name_says_who_owns_the_case(path: Path) -> None:
    case = _case(path)
    prefix = next((p for p in PREFIX_SOURCE if path.name.startswith(p)), None)
    assert prefix is not None, f"{path}: case files are gen-*.json or edge-*.json"
    assert case["source"] == PREFIX_SOURCE[prefix], f"{path}: source {case['source']!r}"


@pytest.mark.parametrize("path", CASES, ids=_rel)
def test_file_is_rendered_deterministically(path: Path) -> None:
    from conformance.generate._fixtures import render_case

    assert path.read_text(encoding="utf-8") == render_case(_case(path)), (
        f"{path}: not in the generator's rendering (indent 2, UTF-8, final newline)"
    )


def test_no_orphan_files_or_folders() -> None:
    versions = set(available_versions())
    for child in sorted(FIXTURES.iterdir()):
        if child.name == "README.md":
            continue
        assert child.is_dir(), f"{child}: only version folders belong in fixtures/"
        assert child.name in versions, f"{child}: no spec pack schemas/{child.name}/"
    for path in sorted(FIXTURES.glob("*/types/*")):
        assert path.is_dir(), f"{path}: only type folders belong in types/"
        assert path.name in _pack(path.parent.parent.name).types, f"{path}: not a type of the pack"
        assert any(path.glob("*.json")), f"{path}: empty type folder"
    for path in FILES:
        assert path.suffix == ".json", f"{path}: not a case file"


@pytest.mark.parametrize("folder", FOLDERS, ids=_rel)
def test_descriptions_are_unique_per_type(folder: Path) -> None:
    seen: dict[str, Path] = {}
    for path in sorted(folder.glob("*.json")):
        description = _case(path)["description"]
        assert description not in seen, f"{path}: same description as {seen[description]}"
        seen[description] = path


# --- the data against the pack -------------------------------------------------------


@pytest.mark.parametrize("path", CASES, ids=_rel)
def test_payload_agrees_with_the_pack_schema(path: Path) -> None:
    case = _case(path)
    pack = _pack(_version_of(path))
    if case["valid"]:
        pack.check(case["type"], case["payload"], source=path)
    else:
        assert not pack.is_valid(case["type"], case["payload"]), (
            f"{path}: invalid case ({case['error']}) validates against the pack schema"
        )


#: Cases whose ``canonical`` is not a fixed point of ``canonicalize``, each with why.
#: Strict: a listed case that becomes idempotent fails until its entry is removed.
NOT_IDEMPOTENT: dict[str, str] = {}


def _idempotence_param(path: Path) -> Any:
    reason = NOT_IDEMPOTENT.get(_rel(path))
    marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
    return pytest.param(path, marks=marks, id=_rel(path))


def test_known_failures_name_existing_cases() -> None:
    assert all((FIXTURES / rel).is_file() for rel in NOT_IDEMPOTENT), NOT_IDEMPOTENT


@pytest.mark.parametrize("path", [_idempotence_param(p) for p in CASES])
def test_canonical_is_canonical(path: Path) -> None:
    case = _case(path)
    if not case["valid"]:
        return
    pack = _pack(_version_of(path))
    again = _canonicalize(pack, case["type"], case["canonical"])
    assert again == case["canonical"], f"{path}: canonical is not in canonical form"


@pytest.mark.parametrize("version", available_versions())
def test_every_type_has_a_valid_case(version: str) -> None:
    covered = {p.parent.name for p in CASES if _version_of(p) == version and _case(p)["valid"]}
    missing = sorted(set(_pack(version).types) - covered)
    assert not missing, f"types of {version} without a valid fixture: {missing}"


@pytest.mark.parametrize("version", available_versions())
def test_every_struct_with_required_fields_has_an_invalid_case(version: str) -> None:
    pack = _pack(version)
    covered = {p.parent.name for p in CASES if _version_of(p) == version and not _case(p)["valid"]}
    structs = {
        name
        for name, entry in pack.types.items()
        if entry["python"] in ("model", "dataclass")
        and (pack.schemas[name].get("required") or pack.schemas[name].get("anyOf"))
    }
    missing = sorted(structs - covered)
    assert not missing, (
        f"structs of {version} with required fields but no invalid fixture: {missing}"
    )


# --- the data against the reference SDK --------------------------------------------


@pytest.mark.sdk
def test_the_installed_sdk_has_fixtures(sdk_pack: SpecPack) -> None:
    assert SDK_CASES, f"no fixtures for the installed tinker=={sdk_pack.version}"


@pytest.mark.sdk
@pytest.mark.parametrize("path", SDK_CASES, ids=_rel)
def test_the_sdk_agrees_with_the_case(sdk_pack: SpecPack, path: Path) -> None:
    from conformance.generate._fixtures import expected_canonical, sdk_accepts

    case = _case(path)
    name, payload = case["type"], case["payload"]
    if not case["valid"]:
        assert not sdk_accepts(sdk_pack, name, payload), (
            f"{path}: the SDK accepts an invalid case ({case['error']})"
        )
        return
    union = sdk_pack.types[name].get("union")
    readings = (
        [None] if union is None or union["strategy"] != "expected-type" else union["variants"]
    )
    seen = []
    for expect in readings:
        try:
            seen.append(expected_canonical(sdk_pack, name, payload, expect=expect))
        except (ValueError, TypeError) as exc:
            if expect is None:
                pytest.fail(f"{path}: the SDK rejects a valid case: {exc}")
    assert case["canonical"] in seen, (
        f"{path}: the SDK reads the payload as {seen[0] if seen else None!r}, "
        f"not as the recorded canonical form"
    )
