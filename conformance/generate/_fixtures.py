"""Golden type fixtures, generated from the reference SDK (``gen-*.json``).

Every type of a pack gets cases as data, one per file, under
``fixtures/<version>/types/<TypeName>/`` (format: ``schemas/meta/type-case.schema.json``):

- struct types (pydantic models and dataclasses): the SDK's minimal and full
  instances (``gen-minimal``, ``gen-full``); a missing required field
  (``gen-missing-<field>``), a wrong discriminator literal
  (``gen-wrong-literal``), an unknown field on a strict type
  (``gen-unknown-field``) and a scalar of the wrong JSON type
  (``gen-wrong-type-<field>``);
- enums: every member (``gen-value-<member>``) and a non-member
  (``gen-not-a-member``);
- unions: every variant's minimal payload (``gen-variant-<Variant>``) and ``{}``
  (``gen-empty``) where the reader is the SDK's own;
- aliases: a value built from the alias's target (``gen-value``).

Each case is held to both sides before it is written: a valid case must be
accepted by the SDK *and* the pack's schema, an invalid one rejected by both.
A case the two disagree on is never written and never silently dropped: it is
returned as a :class:`Note` (``notes=``), to be reported. An invalid case the
SDK accepts (a dataclass constructor does not check types) is not written
either, and noted.

The canonical form of a valid case is what the SDK reads the payload as,
re-encoded by :func:`~conformance.reference._wire.to_wire` and put through
:func:`conformance.canonical.canonicalize`.

The generator owns ``gen-*.json`` only: stale ``gen-`` files are deleted,
curated ``edge-*.json`` files are never touched. Runs where the pack's SDK
version is installed; output is deterministic.
"""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conformance._errors import ConformanceError
from conformance.reference._classes import (
    installed_version,
    json_class,
    module_map,
    native_class,
    twin_map,
)
from conformance.reference._wire import _value, build_instance, to_wire
from conformance.spec import SpecPack

__all__ = [
    "GENERATED_PREFIX",
    "Note",
    "case_document",
    "expected_canonical",
    "generate_type_fixtures",
    "render_case",
    "sdk_accepts",
    "sdk_decode",
    "type_fixture_dir",
]

#: Files the generator owns; everything else in a type folder is curated.
GENERATED_PREFIX = "gen-"

#: A key no wire type has, for the strictness cases.
UNKNOWN_FIELD = "zz_unknown_field"

_STRUCT_SHAPES = ("model", "dataclass")
_STRICT_BASES = ("strict", "dataclass")
_UNION_READ = {
    "smart": "by smart-mode union resolution",
    "discriminator": "by its enforced discriminator",
}


@dataclass(frozen=True, kw_only=True)
class Note:
    """A case the generator did not write, and why."""

    type_name: str
    case: str
    reason: str
    payload: Any = None

    def __str__(self) -> str:
        return f"{self.type_name}/{self.case}: {self.reason} (payload={self.payload!r})"


# --- reading payloads the way the SDK does -----------------------------------------


def type_fixture_dir(out_root: Path, version: str, type_name: str) -> Path:
    """``<out_root>/<version>/types/<type_name>``: one type's case folder."""
    return out_root / version / "types" / type_name


def sdk_decode(pack: SpecPack, name: str, payload: Any, *, expect: str | None = None) -> Any:
    """The SDK's native value for ``payload`` read as the pack type ``name``,
    by the reference adapter (one reader for fixtures and checks alike).

    ``expect`` names the variant the awaited request expects, for a union
    the SDK reads by hand (``expected-type``): its markers still win.
    Raises ``ValueError`` or ``TypeError`` where the SDK rejects the payload.
    """
    from conformance.reference._read import Reader

    return Reader(pack).read(name, payload, expect=expect)


def sdk_accepts(pack: SpecPack, name: str, payload: Any) -> bool:
    """Whether the SDK reads ``payload`` as a ``name`` without an error."""
    try:
        sdk_decode(pack, name, payload)
    except (ValueError, TypeError):
        return False
    return True


def expected_canonical(
    pack: SpecPack, name: str, payload: Any, *, expect: str | None = None
) -> Any:
    """The canonical form of what the reference reads ``payload`` as.

    It comes from the reference adapter's own ``decode``, the very op the
    checks call on the reference, so fixtures and checks cannot disagree on
    how the SDK reads a value (``expect`` is checked, not used, for unions
    the SDK never validates whole: the adapter applies their recorded rule).
    """
    from conformance.adapters import Encoded
    from conformance.canonical import canonicalize
    from conformance.reference.adapter import TinkerSdkAdapter

    sdk_decode(pack, name, payload, expect=expect)  # raises where the SDK rejects it
    result = TinkerSdkAdapter(pack).decode(name, payload)
    if not isinstance(result, Encoded):
        msg = f"the reference adapter does not read {name} payload={payload!r}: {result!r}"
        raise TypeError(msg)
    return canonicalize(pack, name, result.wire)


# --- case documents -----------------------------------------------------------------


def case_document(
    pack: SpecPack,
    type_name: str,
    payload: Any,
    *,
    description: str,
    valid: bool,
    source: str,
    error: str | None = None,
    seed: str | None = None,
    expect: str | None = None,
) -> dict[str, Any]:
    """One case as its file holds it; a valid case's ``canonical`` is computed
    from the SDK's reading of the payload (``expect``: see :func:`sdk_decode`)."""
    doc: dict[str, Any] = {
        "description": description,
        "type": type_name,
        "valid": valid,
        "payload": payload,
    }
    if valid:
        doc["canonical"] = expected_canonical(pack, type_name, payload, expect=expect)
    doc["source"] = source
    if error is not None:
        doc["error"] = error
    if seed is not None:
        doc["seed"] = seed
    return doc


def render_case(doc: Mapping[str, Any]) -> str:
    """A case file's exact text: stable key order as given, UTF-8, final newline."""
    return json.dumps(doc, indent=2, sort_keys=False, ensure_ascii=False, allow_nan=False) + "\n"


@dataclass(frozen=True)
class _Draft:
    """A case before it is checked against the SDK and the schema."""

    name: str  # file stem, without the gen- prefix
    description: str
    payload: Any
    error: str | None = None  # None: a valid case
    expect: str | None = None


def generate_type_fixtures(
    pack: SpecPack, out_root: Path, *, notes: list[Note] | None = None
) -> list[Path]:
    """Write ``gen-*.json`` cases for every type of ``pack`` under
    ``out_root/<version>/types/``; return the paths of every current ``gen-`` file.

    Needs the pack's SDK version installed. Cases the SDK and the schema
    disagree on, and invalid cases the SDK accepts, are appended to ``notes``
    instead of being written (without ``notes``, each is a warning).
    """
    installed = installed_version()
    if installed != pack.version:
        msg = f"pack {pack.version} needs tinker=={pack.version} installed, found {installed!r}"
        raise ConformanceError(msg)
    sink: list[Note] = notes if notes is not None else []
    written: list[Path] = []
    for type_name in sorted(pack.types):
        folder = type_fixture_dir(out_root, pack.version, type_name)
        keep: set[Path] = set()
        for draft in _drafts(pack, type_name):
            doc = _checked(pack, type_name, draft, sink)
            if doc is None:
                continue
            path = folder / f"{GENERATED_PREFIX}{draft.name}.json"
            _write(path, render_case(doc))
            keep.add(path)
        for stale in sorted(folder.glob(f"{GENERATED_PREFIX}*.json")):
            if stale not in keep:
                stale.unlink()
        written.extend(sorted(keep))
    if notes is None:
        for note in sink:
            warnings.warn(f"fixture not written: {note}", stacklevel=2)
    return written


def _write(path: Path, text: str) -> None:
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _checked(
    pack: SpecPack, type_name: str, draft: _Draft, notes: list[Note]
) -> dict[str, Any] | None:
    """The case document, or None (and a note) where SDK or schema object."""
    sdk = _sdk_verdict(pack, type_name, draft)
    schema = pack.is_valid(type_name, draft.payload)
    valid = draft.error is None
    reason = None
    if isinstance(sdk, str):
        reason = sdk
    elif sdk != schema:
        reason = (
            f"schema/SDK disagreement: the SDK {'accepts' if sdk else 'rejects'}, "
            f"the schema {'accepts' if schema else 'rejects'}"
        )
    elif sdk != valid:
        reason = (
            f"not written: meant {'valid' if valid else 'invalid'} "
            f"but SDK and schema both {'accept' if sdk else 'reject'} it"
        )
    if reason is not None:
        notes.append(
            Note(type_name=type_name, case=draft.name, reason=reason, payload=draft.payload)
        )
        return None
    return case_document(
        pack,
        type_name,
        draft.payload,
        description=draft.description,
        valid=valid,
        source="generated",
        error=draft.error,
        expect=draft.expect,
    )


def _sdk_verdict(pack: SpecPack, type_name: str, draft: _Draft) -> bool | str:
    try:
        sdk_decode(pack, type_name, draft.payload, expect=draft.expect)
    except (ValueError, TypeError):
        return False
    except Exception as exc:  # an SDK crash is reported as a note, not raised
        return f"the SDK crashed reading it: {type(exc).__name__}: {exc}"
    return True


# --- drafting cases per kind ---------------------------------------------------------


def _drafts(pack: SpecPack, type_name: str) -> list[_Draft]:
    entry = pack.types[type_name]
    if entry["python"] in _STRUCT_SHAPES:
        return _struct_drafts(pack, type_name)
    kind = entry["kind"]
    if kind == "enum":
        return _enum_drafts(pack, type_name)
    if kind == "union":
        return _union_drafts(pack, type_name)
    return _alias_drafts(pack, type_name)


def _built(pack: SpecPack, type_name: str, *, full: bool) -> Any:
    instance = build_instance(json_class(pack, type_name), full=full, modules=module_map(pack))
    return to_wire(instance, {}, twin_map(pack))


def _struct_drafts(pack: SpecPack, name: str) -> list[_Draft]:
    entry = pack.types[name]
    schema = pack.schemas[name]
    full = _built(pack, name, full=True)
    drafts = [
        _Draft(
            "minimal",
            f"{name} built by the SDK with only its required arguments, dumped in full "
            "(defaults and nulls included), is accepted and reads back to this canonical form",
            _built(pack, name, full=False),
        ),
        _Draft(
            "full",
            f"{name} built by the SDK with every argument set to a non-null value is "
            "accepted and reads back to this canonical form",
            full,
        ),
    ]
    for field, spellings in _required_fields(schema):
        payload = {k: v for k, v in full.items() if k not in spellings}
        also = [s for s in spellings if s != field]
        how = f" (nor any of its aliases {', '.join(map(repr, also))})" if also else ""
        drafts.append(
            _Draft(
                f"missing-{field}",
                f"{name} without its required field {field!r}{how} is rejected",
                payload,
                "missing-required",
            )
        )
    disc = entry["discriminator"]
    if disc is not None:
        drafts.append(
            _Draft(
                "wrong-literal",
                f"{name} whose {disc['property']!r} is 'not-a-member' instead of the literal "
                f"{disc['value']!r} is rejected",
                {**full, disc["property"]: "not-a-member"},
                "wrong-literal",
            )
        )
    if entry["base"] in _STRICT_BASES:
        drafts.append(
            _Draft(
                "unknown-field",
                f"{name} is strict ({entry['base']}): a payload with the unknown field "
                f"{UNKNOWN_FIELD!r} is rejected",
                {**full, UNKNOWN_FIELD: 1},
                "unknown-field",
            )
        )
    wrong = _wrong_type_draft(pack, name, full)
    if wrong is not None:
        drafts.append(wrong)
    return drafts


def _required_fields(schema: Mapping[str, Any]) -> list[tuple[str, list[str]]]:
    """Required fields with every spelling that satisfies them (AliasChoices)."""
    aliases: Mapping[str, list[str]] = schema.get("x-tinker-aliases", {})
    found = [(f, list(aliases.get(f, [f]))) for f in schema.get("required", [])]
    for group in schema.get("anyOf", []):
        names = group.get("required", []) if isinstance(group, Mapping) else []
        if len(names) != 1:
            continue
        owner = next((k for k, v in aliases.items() if names[0] in v), None)
        if owner is not None and all(owner != f for f, _ in found):
            found.append((owner, list(aliases[owner])))
    return found


#: Wrong values by the JSON type a field requires, none coercible by pydantic's lax mode.
_WRONG_VALUES: Mapping[str, tuple[str, Any]] = {
    "integer": ("a string", "not-a-number"),
    "number": ("a string", "not-a-number"),
    "boolean": ("a string", "not-a-boolean"),
    "string": ("an integer", 12345),
}


def _wrong_type_draft(pack: SpecPack, name: str, full: Mapping[str, Any]) -> _Draft | None:
    """A scalar field given a value of another JSON type, the first the SDK rejects.

    Required fields come first, then integers before strings, numbers and
    booleans. A dataclass constructor checks no types: where the SDK rejects
    none, the first is returned anyway, so the disagreement is noted.
    """
    schema = pack.schemas[name]
    required = set(schema.get("required", []))
    order = list(_WRONG_VALUES)
    candidates = []
    for field, prop in schema.get("properties", {}).items():
        json_type = _scalar_type(prop)
        if json_type is not None and field in full:
            candidates.append((field not in required, order.index(json_type), field, json_type))
    drafts = []
    for _, _, field, json_type in sorted(candidates):
        what, bad = _WRONG_VALUES[json_type]
        draft = _Draft(
            f"wrong-type-{field}",
            f"{name} with {what} where {field!r} must be {_article(json_type)} is rejected",
            {**full, field: bad},
            "wrong-type",
        )
        if not sdk_accepts(pack, name, draft.payload):
            return draft
        drafts.append(draft)
    # None rejected: the first goes on, to be noted as a disagreement, not dropped.
    return drafts[0] if drafts else None


def _scalar_type(prop: Mapping[str, Any]) -> str | None:
    """The JSON type of a plain scalar property (nullable allowed), else None."""
    options = [
        o for o in prop.get("anyOf", [prop]) if isinstance(o, Mapping) and o.get("type") != "null"
    ]
    if len(options) != 1:
        return None
    only = options[0]
    if set(only) - {"type", "default", "description"}:
        return None  # const, enum, format, $ref, arrays...
    kind = only.get("type")
    return kind if isinstance(kind, str) and kind in _WRONG_VALUES else None


def _article(json_type: str) -> str:
    return f"an {json_type}" if json_type[0] in "aeiou" else f"a {json_type}"


def _enum_drafts(pack: SpecPack, name: str) -> list[_Draft]:
    members = list(pack.schemas[name].get("enum", []))
    drafts = [_Draft(f"value-{_slug(str(m))}", f"{m!r} is a member of {name}", m) for m in members]
    bad: Any = "not-a-member"
    if not all(isinstance(m, str) for m in members):
        bad = next(i for i in range(99, 10**6) if i not in members)
    drafts.append(
        _Draft(
            "not-a-member",
            f"{bad!r} is not a member of {name} and is rejected",
            bad,
            "wrong-literal",
        )
    )
    return drafts


def _union_drafts(pack: SpecPack, name: str) -> list[_Draft]:
    union = pack.types[name]["union"]
    expected = union["strategy"] == "expected-type"
    drafts = []
    for variant in union["variants"]:
        payload = _variant_payload(pack, variant)
        expect = variant if expected else None
        picked = _picked(pack, name, payload, expect)
        how = (
            f"when the awaited request expects {variant}, the SDK reads it as {picked}"
            if expected
            else f"the SDK reads it as {picked} ({_UNION_READ[union['strategy']]})"
        )
        drafts.append(
            _Draft(
                f"variant-{variant}",
                f"the SDK's minimal {variant} payload is a valid {name}: {how}",
                payload,
                expect=expect,
            )
        )
    if not expected:
        drafts.append(_empty_union_draft(pack, name, _UNION_READ[union["strategy"]]))
    return drafts


def _empty_union_draft(pack: SpecPack, name: str, read: str) -> _Draft:
    if sdk_accepts(pack, name, {}):
        picked = _picked(pack, name, {}, None)
        return _Draft("empty", f"{{}} is a valid {name}: the SDK reads it as {picked} ({read})", {})
    return _Draft(
        "empty",
        f"{{}} is not a {name}: no variant accepts an empty object",
        {},
        "missing-required",
    )


def _picked(pack: SpecPack, name: str, payload: Any, expect: str | None) -> str:
    try:
        return type(sdk_decode(pack, name, payload, expect=expect)).__name__
    except (ValueError, TypeError):
        return "nothing (rejected)"


def _variant_payload(pack: SpecPack, variant: str) -> Any:
    entry = pack.types[variant]
    if entry["python"] in _STRUCT_SHAPES:
        return _built(pack, variant, full=False)
    if entry["kind"] == "enum":
        return pack.schemas[variant]["enum"][0]
    return _alias_value(pack, variant)


def _alias_value(pack: SpecPack, name: str) -> Any:
    target = native_class(pack, name)
    return to_wire(_value(target, True, module_map(pack)), {}, twin_map(pack))


def _alias_drafts(pack: SpecPack, name: str) -> list[_Draft]:
    target = native_class(pack, name)
    shown = target.__name__ if isinstance(target, type) else re.sub(r"\b\w+\.", "", repr(target))
    return [
        _Draft(
            "value",
            f"a {name} ({shown}) built from the alias's target annotation is accepted and "
            "reads back to this canonical form",
            _alias_value(pack, name),
        )
    ]


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower() or "empty"


def refresh_curated(pack: SpecPack, out_root: Path) -> list[Path]:
    """Recompute the ``canonical`` of every curated (``edge-``) valid case from
    the SDK's reading, after a change of the canonical form; return the files
    that changed. Payloads and descriptions are never touched."""
    changed = []
    for path in sorted((out_root / pack.version / "types").glob("*/edge-*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        if not doc["valid"]:
            continue
        fresh = expected_canonical(pack, doc["type"], doc["payload"])
        if fresh != doc["canonical"]:
            doc["canonical"] = fresh
            _write(path, render_case(doc))
            changed.append(path)
    return changed
