"""Compare two spec packs and say what changed on the wire.

The diff works on the packs alone (no SDK import), so a changelog between any
two checked-in versions can be produced and reviewed before a client is
ported. Only wire-visible facts count: property shapes, defaults, required
sets, literals, strictness, endpoints and the request ``model_dump`` options;
titles, descriptions and module paths are ignored.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from conformance._markdown import code as _code
from conformance._markdown import table as _table
from conformance._markdown import text as _text
from conformance.spec._pack import SpecPack

__all__ = ["Change", "PackDiff", "describe", "diff_packs", "render_changelog"]

#: Every kind of change, in report order; the first index is its sort group.
_KINDS: dict[str, int] = {
    "type-added": 0,
    "type-removed": 0,
    "type-kind-changed": 1,
    "field-added": 1,
    "field-removed": 1,
    "field-type-changed": 1,
    "field-default-changed": 1,
    "field-required-changed": 1,
    "literal-changed": 1,
    "strictness-changed": 1,
    "endpoint-added": 2,
    "endpoint-removed": 2,
    "endpoint-changed": 2,
    "serialization-changed": 3,
}
_KIND_RANK = {kind: rank for rank, kind in enumerate(_KINDS)}
_ENDPOINT_ATTRS = ("request_type", "response_type", "body_encoding", "special")
_PATH_PARAM = re.compile(r"\{[^}]*\}")


@dataclass(frozen=True, kw_only=True)
class Change:
    """One wire-visible difference between two packs.

    ``old``/``new`` are readable values: describe() text for shapes, JSON text
    for defaults (``None`` = no default, so an explicit ``null`` default stays
    distinguishable), booleans for required/strictness. Endpoint changes also
    carry ``method`` and ``path`` (the new pack's path, else the old one's),
    since nothing else in a Change could say which endpoint it is.
    """

    kind: str
    type_name: str | None
    field: str | None
    old: Any
    new: Any
    domain: str | None
    method: str | None = None
    path: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in _KINDS:
            raise ValueError(f"unknown change kind {self.kind!r}")


@dataclass(frozen=True)
class PackDiff:
    """All changes from ``old_version`` to ``new_version``, in report order."""

    old_version: str
    new_version: str
    entries: tuple[Change, ...]

    def counts(self) -> dict[str, int]:
        """Number of entries per kind, kinds in report order, zeros left out."""
        found = Counter(c.kind for c in self.entries)
        return {kind: found[kind] for kind in _KINDS if found[kind]}

    def of_kind(self, kind: str) -> list[Change]:
        return [c for c in self.entries if c.kind == kind]


# --------------------------------------------------------------------------- describe


def describe(schema: Any) -> str:
    """A short readable type of a JSON Schema, e.g. ``array<string> | null``.

    Two schemas with the same text accept the same kinds of wire values, so
    comparing texts finds type changes without a full schema diff; validation
    details (bounds, patterns) are left out on purpose.
    """
    if schema is True:
        return "any"
    if schema is False:
        return "never"
    if not isinstance(schema, Mapping):
        return "any"
    if isinstance(schema.get("$ref"), str):
        return _ref_name(schema["$ref"])
    if "const" in schema:
        return f"literal {_json(schema['const'])}"
    if isinstance(schema.get("enum"), list):
        return "enum[" + ", ".join(_enum_value(v) for v in schema["enum"]) + "]"
    for key in ("anyOf", "oneOf"):
        if isinstance(schema.get(key), list):
            return _union(schema[key])
    all_of = schema.get("allOf")
    if isinstance(all_of, list) and len(all_of) == 1:
        return describe(all_of[0])
    kind = schema.get("type")
    if isinstance(kind, list):
        return _join([describe({**schema, "type": k}) for k in kind])
    if kind == "array":
        if isinstance(schema.get("prefixItems"), list):
            return "tuple<" + ", ".join(describe(s) for s in schema["prefixItems"]) + ">"
        return f"array<{describe(schema['items'])}>" if "items" in schema else "array"
    if kind == "object":
        extra = schema.get("additionalProperties")
        if isinstance(extra, Mapping) and "properties" not in schema:
            return f"map<string,{describe(extra)}>"
        return "object"
    if kind == "string":
        for detail in ("format", "contentEncoding"):
            if isinstance(schema.get(detail), str):
                return f"string({schema[detail]})"
        return "string"
    if isinstance(kind, str):
        return kind
    return "any"


def _union(members: list[Any]) -> str:
    """Members joined with ``|``; the pack's datetime pair (ISO string or
    unix seconds) reads as one ``datetime``, ``null`` goes last."""
    iso = [m for m in members if isinstance(m, Mapping) and m.get("format") == "date-time"]
    unix = [m for m in members if isinstance(m, Mapping) and "x-tinker-datetime" in m]
    rest = [m for m in members if not any(m is d for d in iso + unix)]
    parts = ["datetime"] if iso and unix else [describe(m) for m in iso + unix]
    return _join(parts + [describe(m) for m in rest])


def _join(parts: list[str]) -> str:
    unique = list(dict.fromkeys(parts))
    if "null" in unique:
        unique = [p for p in unique if p != "null"] + ["null"]
    return " | ".join(unique)


def _ref_name(ref: str) -> str:
    """``urn:...:0.38.0:LoraConfig`` and ``#/$defs/X`` both name a type by
    their last segment; the version part must not make refs differ."""
    return re.split(r"[:/]", ref)[-1]


def _enum_value(value: Any) -> str:
    return value if isinstance(value, str) else _json(value)


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


# --------------------------------------------------------------------------- diff


def diff_packs(old: SpecPack, new: SpecPack) -> PackDiff:
    """Every wire-visible change from ``old`` to ``new``, deterministically ordered."""
    changes = [
        *_type_changes(old, new),
        *_endpoint_changes(old, new),
        *_serialization_changes(old, new),
    ]
    return PackDiff(old.version, new.version, tuple(sorted(changes, key=_sort_key)))


def _sort_key(c: Change) -> tuple[Any, ...]:
    group = _KINDS[c.kind]
    return (
        group,
        _KIND_RANK[c.kind] if group in (0, 2) else 0,
        c.domain or "",
        c.type_name or "",
        c.path or "",
        c.method or "",
        group == 1 and c.field is not None and c.kind != "type-kind-changed",  # type-level first
        c.field or "",
        _KIND_RANK[c.kind],
    )


def _type_changes(old: SpecPack, new: SpecPack) -> Iterator[Change]:
    for name in sorted(set(new.types) - set(old.types)):
        entry = new.types[name]
        yield Change(
            kind="type-added",
            type_name=name,
            field=None,
            old=None,
            new=entry["kind"],
            domain=entry["domain"],
        )
    for name in sorted(set(old.types) - set(new.types)):
        entry = old.types[name]
        yield Change(
            kind="type-removed",
            type_name=name,
            field=None,
            old=entry["kind"],
            new=None,
            domain=entry["domain"],
        )
    for name in sorted(set(old.types) & set(new.types)):
        yield from _one_type(name, old, new)


def _one_type(name: str, old: SpecPack, new: SpecPack) -> Iterator[Change]:
    o_entry, n_entry = old.types[name], new.types[name]
    domain = n_entry.get("domain") or o_entry.get("domain")

    def change(kind: str, field: str | None, was: Any, now: Any) -> Change:
        return Change(kind=kind, type_name=name, field=field, old=was, new=now, domain=domain)

    # ``field`` names the index attribute here, so kind and python shape stay apart.
    for attr in ("kind", "python"):
        if o_entry.get(attr) != n_entry.get(attr):
            yield change("type-kind-changed", attr, o_entry.get(attr), n_entry.get(attr))

    o_schema, n_schema = old.schemas[name], new.schemas[name]
    o_props = _mapping(o_schema.get("properties"))
    n_props = _mapping(n_schema.get("properties"))
    if not (o_props and n_props):  # enum, union, alias or map: compare the whole shape
        was, now = describe(o_schema), describe(n_schema)
        if was != now:
            yield change("field-type-changed", None, was, now)
    o_strict, n_strict = _extra_allowed(o_schema), _extra_allowed(n_schema)
    if o_strict is not None and n_strict is not None and o_strict != n_strict:
        yield change("strictness-changed", None, o_strict, n_strict)

    o_req, n_req = _required(o_schema), _required(n_schema)
    for prop in sorted(set(n_props) - set(o_props)):
        yield change("field-added", prop, None, _with_required(n_props[prop], n_req.get(prop)))
    for prop in sorted(set(o_props) - set(n_props)):
        yield change("field-removed", prop, _with_required(o_props[prop], o_req.get(prop)), None)
    for prop in sorted(set(o_props) & set(n_props)):
        for kind, was, now in _field_changes(o_props[prop], n_props[prop]):
            yield change(kind, prop, was, now)
        was_req, now_req = o_req.get(prop, False), n_req.get(prop, False)
        if was_req != now_req:
            yield change("field-required-changed", prop, was_req, now_req)


def _field_changes(o: Any, n: Any) -> Iterator[tuple[str, Any, Any]]:
    """Type, literal and default changes of one property.

    A changed discriminator literal is reported once: its type text and its
    default (which pydantic sets to the literal) would only repeat it.
    """
    o_const, n_const = _const(o), _const(n)
    literal = o_const is not _MISSING and n_const is not _MISSING and o_const != n_const
    if literal:
        yield "literal-changed", o_const, n_const
    elif describe(o) != describe(n):
        yield "field-type-changed", describe(o), describe(n)
    o_default, n_default = _default(o), _default(n)
    tracks_literal = literal and o_default == _json(o_const) and n_default == _json(n_const)
    if o_default != n_default and not tracks_literal:
        yield "field-default-changed", o_default, n_default


_MISSING: Any = object()


def _const(schema: Any) -> Any:
    """The literal of a property, also inside ``Optional[Literal[...]]``."""
    if not isinstance(schema, Mapping):
        return _MISSING
    if "const" in schema:
        return schema["const"]
    members = [m for m in schema.get("anyOf", []) if describe(m) != "null"]
    if len(members) == 1 and isinstance(members[0], Mapping) and "const" in members[0]:
        return members[0]["const"]
    return _MISSING


def _default(schema: Any) -> str | None:
    if isinstance(schema, Mapping) and "default" in schema:
        return _json(schema["default"])
    return None


def _with_required(schema: Any, required: bool | str | None) -> str:
    if required is True:
        return describe(schema) + " (required)"
    if isinstance(required, str):
        return f"{describe(schema)} ({required} required)"
    return describe(schema)


def _required(schema: Mapping[str, Any]) -> dict[str, bool | str]:
    """Which properties must be sent: True, or ``"one of a, b"`` when the
    schema accepts any one of several spellings (``anyOf`` of ``required``
    alternatives, as generated for pydantic ``AliasChoices``)."""
    found: dict[str, bool | str] = {}
    names = schema.get("required")
    for prop in names if isinstance(names, list) else []:
        found[str(prop)] = True
    for key in ("anyOf", "oneOf"):
        alternatives = schema.get(key)
        if not isinstance(alternatives, list):
            continue
        spellings = [
            str(alt["required"][0])
            for alt in alternatives
            if isinstance(alt, Mapping)
            and set(alt) == {"required"}
            and isinstance(alt["required"], list)
            and len(alt["required"]) == 1
        ]
        if spellings and len(spellings) == len(alternatives):
            label = "one of " + ", ".join(sorted(spellings))
            for prop in spellings:
                found.setdefault(prop, label)
    return found


def _extra_allowed(schema: Mapping[str, Any]) -> bool | None:
    """Whether an object type accepts unknown keys; None for non-objects and maps.

    A missing ``additionalProperties`` allows extras, as JSON Schema says.
    """
    if schema.get("type") != "object" and "properties" not in schema:
        return None
    extra = schema.get("additionalProperties", True)
    return extra if isinstance(extra, bool) else None


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _endpoint_key(endpoint: Mapping[str, Any]) -> tuple[str, str]:
    """Path parameters are renamed between versions (``{model_id}`` became
    ``{training_run_id}``) without changing the route, so names are dropped."""
    return str(endpoint["method"]), _PATH_PARAM.sub("{}", str(endpoint["path"]))


def _endpoint_attr(endpoint: Mapping[str, Any], attr: str) -> Any:
    value = endpoint.get(attr)
    if attr == "special":
        return value.get("kind") if isinstance(value, Mapping) else None
    return value


def _endpoint_changes(old: SpecPack, new: SpecPack) -> Iterator[Change]:
    o_eps = {_endpoint_key(e): e for e in old.endpoints}
    n_eps = {_endpoint_key(e): e for e in new.endpoints}

    def change(kind: str, ep: Mapping[str, Any], field: str | None, was: Any, now: Any) -> Change:
        return Change(
            kind=kind,
            type_name=None,
            field=field,
            old=was,
            new=now,
            domain=None,
            method=str(ep["method"]),
            path=str(ep["path"]),
        )

    for key in sorted(set(n_eps) - set(o_eps)):
        yield change("endpoint-added", n_eps[key], None, None, n_eps[key]["id"])
    for key in sorted(set(o_eps) - set(n_eps)):
        yield change("endpoint-removed", o_eps[key], None, o_eps[key]["id"], None)
    for key in sorted(set(o_eps) & set(n_eps)):
        o_ep, n_ep = o_eps[key], n_eps[key]
        for attr in _ENDPOINT_ATTRS:
            was, now = _endpoint_attr(o_ep, attr), _endpoint_attr(n_ep, attr)
            if was != now:
                yield change("endpoint-changed", n_ep, attr, was, now)


def _serialization_changes(old: SpecPack, new: SpecPack) -> Iterator[Change]:
    was = _model_dump(old.index["request_serialization"]["model_dump"])
    now = _model_dump(new.index["request_serialization"]["model_dump"])
    if was != now:
        yield Change(
            kind="serialization-changed",
            type_name=None,
            field="model_dump",
            old=was,
            new=now,
            domain=None,
        )


def _model_dump(options: Mapping[str, Any]) -> str:
    """The options as the SDK's call spells them, keys sorted: ``mode='json'``."""
    return ", ".join(f"{key}={options[key]!r}" for key in sorted(options))


# --------------------------------------------------------------------------- changelog

_LABELS = {
    "type-kind-changed": "kind changed",
    "field-added": "added",
    "field-removed": "removed",
    "field-type-changed": "type changed",
    "field-default-changed": "default changed",
    "field-required-changed": "required changed",
    "literal-changed": "literal changed",
    "strictness-changed": "strictness changed",
    "endpoint-added": "added",
    "endpoint-removed": "removed",
    "endpoint-changed": "changed",
}


def render_changelog(diff: PackDiff) -> str:
    """The diff as Markdown: same diff, same bytes (no dates, sorted)."""
    lines = [f"# Wire changelog: tinker {_text(diff.old_version)} -> {_text(diff.new_version)}", ""]
    counts = diff.counts()
    if counts:
        per_kind = ", ".join(f"{n} {kind}" for kind, n in counts.items())
        lines.append(f"{len(diff.entries)} wire changes: {per_kind}.")
    else:
        lines.append("No wire changes.")
    for title, kind in (("Types added", "type-added"), ("Types removed", "type-removed")):
        lines += ["", f"## {title}", ""]
        rows = [
            [_code(c.type_name), _text(c.domain), _text(c.new if kind == "type-added" else c.old)]
            for c in diff.of_kind(kind)
        ]
        lines += _table(["Type", "Domain", "Kind"], rows)
    lines += ["", "## Field changes", *_field_sections(diff.entries)]
    lines += ["", "## Endpoints", ""]
    rows = [
        [_text(c.method), _code(c.path), _text(_endpoint_label(c)), _value(c.old), _value(c.new)]
        for c in diff.entries
        if _KINDS[c.kind] == 2
    ]
    lines += _table(["Method", "Path", "Change", "Old", "New"], rows)
    lines += ["", "## Request serialization", ""]
    rows = [
        [_code(c.field), _value(c.old), _value(c.new)]
        for c in diff.of_kind("serialization-changed")
    ]
    lines += _table(["Setting", "Old", "New"], rows)
    return "\n".join(lines) + "\n"


def _field_sections(entries: Iterable[Change]) -> list[str]:
    by_domain: dict[str, dict[str, list[Change]]] = {}
    for c in entries:
        if _KINDS[c.kind] == 1 and c.type_name is not None:
            types = by_domain.setdefault(c.domain or "(no domain)", {})
            types.setdefault(c.type_name, []).append(c)
    if not by_domain:
        return ["", "_None._"]
    lines: list[str] = []
    for domain in sorted(by_domain):
        lines += ["", f"### {_text(domain)}"]
        for type_name in sorted(by_domain[domain]):
            lines += ["", f"#### {_code(type_name)}", ""]
            rows = [
                [_field_cell(c), _text(_field_label(c)), _value(c.old, c), _value(c.new, c)]
                for c in by_domain[domain][type_name]
            ]
            lines += _table(["Field", "Change", "Old", "New"], rows)
    return lines


def _field_cell(c: Change) -> str:
    if c.field is None or c.kind == "type-kind-changed":
        return "(type)"
    return _code(c.field)


def _field_label(c: Change) -> str:
    if c.kind == "type-kind-changed" and c.field == "python":
        return "python shape changed"
    return _LABELS[c.kind]


def _endpoint_label(c: Change) -> str:
    label = _LABELS[c.kind]
    return f"{label}: {c.field}" if c.kind == "endpoint-changed" else label


def _value(value: Any, change: Change | None = None) -> str:
    """A cell for an old/new value; booleans say what they mean."""
    if value is None:
        return "—"
    if change is not None and change.kind == "field-required-changed" and isinstance(value, bool):
        return "required" if value else "optional"
    if change is not None and change.kind == "strictness-changed":
        return "extra keys allowed" if value else "extra keys rejected"
    return _code(value if isinstance(value, str) else _json(value))
