"""Walk a wire value along its schema and build its canonical form.

Only the schema decides (never the reference SDK): ``$ref`` URNs are followed
through the pack, union variants are picked by the rule the pack records,
defaults come from the schema. The walk also notes, for every node, which
schema it was read with and whether it is a datetime, so the comparer can
classify a difference without walking again.

Implementation output is untrusted: nothing here raises on a value. A value
that does not fit its schema is copied as it is.
"""

from __future__ import annotations

import copy
import json
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from jsonschema.validators import Draft202012Validator
from referencing.exceptions import Unresolvable

from conformance._data import pointer
from conformance._errors import SpecError
from conformance.canonical._datetimes import instant_from_text, instant_from_unix
from conformance.spec import SpecPack, type_urn

__all__ = ["JsonPath", "Node", "Walk", "Walker", "schema_of"]

#: A path into a JSON value: object keys and array indices.
JsonPath = tuple[str | int, ...]

_MAX_REF_HOPS = 64
_T = TypeVar("_T")


@dataclass(frozen=True)
class Node:
    """How one node of a value was read: its (resolved) schema, if any, and
    whether it was recognised as a datetime (and normalised)."""

    schema: Mapping[str, Any] | None
    datetime: bool = False


@dataclass
class Walk:
    """The canonical value plus the notes taken on the way."""

    value: Any
    nodes: dict[JsonPath, Node] = field(default_factory=dict)
    texts: dict[JsonPath, str] = field(default_factory=dict)

    def texts_by_pointer(self) -> dict[str, str]:
        return {pointer(path): text for path, text in sorted(self.texts.items(), key=_path_key)}


def _path_key(item: tuple[JsonPath, Any]) -> tuple[tuple[int, int, str], ...]:
    return tuple((0, p, "") if isinstance(p, int) else (1, 0, p) for p in item[0])


class _PackTools:
    """Lookups and canonical defaults reused across walks of one pack (kept
    per pack, dropped with it; they never hold the pack itself)."""

    def __init__(self, pack: SpecPack) -> None:
        self.names_by_urn = {type_urn(pack.version, name): name for name in pack.schemas}
        # id(subschema) -> (subschema, validator): holding the subschema keeps its id unique.
        self.validators: dict[int, tuple[Mapping[str, Any], Draft202012Validator]] = {}
        # id(property schema) -> (property schema, its canonical default).
        self.defaults: dict[int, tuple[Mapping[str, Any], Any]] = {}


_TOOLS: dict[int, _PackTools] = {}


def _tools(pack: SpecPack) -> _PackTools:
    found = _TOOLS.get(id(pack))
    if found is None:
        found = _TOOLS[id(pack)] = _PackTools(pack)
        weakref.finalize(pack, _TOOLS.pop, id(pack), None)
    return found


def schema_of(pack: SpecPack, type_name: str) -> Mapping[str, Any]:
    """The schema of a type; an unknown type name is a caller's error."""
    found = pack.schemas.get(type_name)
    if found is None:
        raise SpecError(
            "no such type in this pack",
            file=pack.root / "index.json",
            pointer=pointer(["types", type_name]),
            type_name=type_name,
        )
    return found


class Walker:
    """Canonical walks over values of one pack.

    What walks of the pack reuse (type names by URN, branch validators,
    canonical defaults) is kept per pack, so a Walker costs nothing to make;
    it keeps nothing of one walk (each walk's notes go to its own ``Walk``),
    so one Walker serves any number of walks.
    """

    def __init__(self, pack: SpecPack) -> None:
        self.pack = pack
        self._tools = _tools(pack)

    # -- entry points -------------------------------------------------------

    def canonical(self, type_name: str, value: Any) -> Walk:
        schema = schema_of(self.pack, type_name)
        walk = Walk(None)
        walk.value = self._walk(walk, schema, value, ())
        return walk

    def canonical_default(self, prop: Mapping[str, Any]) -> tuple[bool, Any]:
        """(has one, value) of a property's default in canonical form. A null
        default is a default: an optional null is dropped from canonical
        forms, so callers take an absent value for it, but a nullable
        literal keeps its null, and that null is the default too."""
        if "default" not in prop:
            return False, None
        found = self._tools.defaults.get(id(prop))
        if found is None or found[0] is not prop:
            value = self._walk(Walk(None), prop, copy.deepcopy(prop["default"]), ())
            found = self._tools.defaults[id(prop)] = (prop, value)
        return True, copy.deepcopy(found[1])

    # -- schema lookups -----------------------------------------------------

    def resolve(self, schema: Any) -> tuple[Mapping[str, Any] | None, str | None]:
        """Follow ``$ref`` to the schema that says something; also the pack
        type name reached, if any. None when the reference goes nowhere."""
        name: str | None = None
        for _ in range(_MAX_REF_HOPS):
            if not isinstance(schema, Mapping):
                return None, name
            ref = schema.get("$ref")
            if not isinstance(ref, str):
                return schema, name
            target = self._tools.names_by_urn.get(ref)
            if target is not None:
                schema, name = self.pack.schemas[target], target
                continue
            try:
                schema = self.pack.registry.resolver().lookup(ref).contents
            except Unresolvable:
                return None, name
            name = None
        return None, name

    def literal(self, prop: Mapping[str, Any]) -> tuple[bool, Any]:
        """(is a literal, its value): a ``const``, or the ``const`` branch of a
        nullable literal (``anyOf [{const}, {type: null}]``)."""
        resolved, _ = self.resolve(prop)
        if resolved is None:
            return False, None
        if "const" in resolved:
            return True, resolved["const"]
        for branch in _branches(resolved) or []:
            found, _ = self.resolve(branch)
            if found is not None and "const" in found:
                return True, found["const"]
        return False, None

    def _valid_named(self, name: str, value: Any) -> bool:
        try:
            return self.pack.is_valid(name, value)
        except (SpecError, Unresolvable, ValueError, TypeError):
            return False

    def _valid_branch(self, branch: Any, value: Any) -> bool:
        if not isinstance(branch, Mapping):
            return branch is True
        if set(branch) == {"$ref"}:
            target = self._tools.names_by_urn.get(str(branch["$ref"]))
            if target is not None:
                return self._valid_named(target, value)
        cached = self._tools.validators.get(id(branch))
        if cached is None:
            validator = Draft202012Validator(
                branch,
                registry=self.pack.registry,
                format_checker=Draft202012Validator.FORMAT_CHECKER,
            )
            cached = self._tools.validators[id(branch)] = (branch, validator)
        try:
            return bool(cached[1].is_valid(value))
        except (Unresolvable, ValueError, TypeError):
            return False

    def _fields_set(self, schema: Any, value: Any) -> int:
        """How many of a variant's declared fields the value sets (pydantic's
        smart-mode measure; unknown keys do not count)."""
        resolved, _ = self.resolve(schema)
        if resolved is None or not isinstance(value, Mapping):
            return 0
        props = resolved.get("properties")
        if not isinstance(props, Mapping):
            return 0
        return sum(1 for key in value if key in props)

    def _pick_variant(self, union: Mapping[str, Any], value: Any) -> str | None:
        """The variant a reader takes, by the pack's recorded rule."""
        variants = [
            v for v in union.get("variants", []) if isinstance(v, str) and v in self.pack.schemas
        ]
        tag_variant: str | None = None
        tag = union.get("tag")
        if isinstance(tag, Mapping) and isinstance(value, Mapping):
            tag_value = value.get(tag.get("property"))
            values = tag.get("values")
            if isinstance(tag_value, str) and isinstance(values, Mapping):
                found = values.get(tag_value)
                tag_variant = found if found in self.pack.schemas else None
        if union.get("strategy") == "discriminator":
            return tag_variant
        # "smart" (and "expected-type" read without its expected type): the valid
        # variant with the most fields set, ties to the earliest; else the tag.
        valid = [v for v in variants if self._valid_named(v, value)]
        if not valid:
            return tag_variant
        return _most_fields(valid, [self._fields_set(self.pack.schemas[v], value) for v in valid])

    def _pick_branch(self, branches: Sequence[Any], value: Any) -> Any:
        valid = [b for b in branches if self._valid_branch(b, value)]
        if not valid:
            return None
        return _most_fields(valid, [self._fields_set(b, value) for b in valid])

    # -- the walk -----------------------------------------------------------

    def _walk(
        self, notes: Walk, schema: Any, value: Any, path: JsonPath, *, filled: bool = False
    ) -> Any:
        """Canonical form of ``value`` read with ``schema`` at ``path``, noted
        in ``notes``. ``filled`` marks a default the walk put in (its texts
        are not wire)."""
        resolved, _ = self.resolve(schema)
        if resolved is None:
            notes.nodes[path] = Node(None)
            return copy.deepcopy(value)
        union = resolved.get("x-tinker-union")
        if isinstance(union, Mapping):
            variant = self._pick_variant(union, value)
            if variant is None:
                notes.nodes[path] = Node(resolved)
                return copy.deepcopy(value)
            return self._walk(notes, self.pack.schemas[variant], value, path, filled=filled)
        branches = _branches(resolved)
        if branches is not None and "type" not in resolved and "properties" not in resolved:
            chosen = self._pick_branch(branches, value)
            if chosen is None:
                notes.nodes[path] = Node(resolved)
                return copy.deepcopy(value)
            return self._walk(notes, chosen, value, path, filled=filled)
        return self._walk_typed(notes, resolved, value, path, filled=filled)

    def _walk_typed(
        self, notes: Walk, schema: Mapping[str, Any], value: Any, path: JsonPath, *, filled: bool
    ) -> Any:
        kind = schema.get("type")
        if isinstance(value, dict) and (kind == "object" or "properties" in schema):
            return self._walk_object(notes, schema, value, path, filled=filled)
        if isinstance(value, list) and kind == "array":
            return self._walk_array(notes, schema, value, path, filled=filled)
        instant = _instant(schema, value)
        if instant is not None:
            notes.nodes[path] = Node(schema, datetime=True)
            if not filled:
                notes.texts[path] = value if isinstance(value, str) else json.dumps(value)
            return instant
        notes.nodes[path] = Node(schema)
        if kind in ("number", "integer"):
            return _number(kind, value)
        return copy.deepcopy(value)

    def _walk_object(
        self,
        notes: Walk,
        schema: Mapping[str, Any],
        value: dict[Any, Any],
        path: JsonPath,
        *,
        filled: bool,
    ) -> dict[Any, Any]:
        props = schema.get("properties")
        props = props if isinstance(props, Mapping) else {}
        required = schema.get("required")
        required_names = set(required) if isinstance(required, list) else set()
        extra = schema.get("additionalProperties")
        out: dict[Any, Any] = {}
        for key, item in value.items():
            sub = props.get(key) if isinstance(key, str) else None
            if isinstance(sub, Mapping):
                out[key] = self._walk(notes, sub, item, (*path, key), filled=filled)
            elif isinstance(extra, Mapping):
                out[key] = self._walk(notes, extra, item, (*path, key), filled=filled)
            else:  # unknown property: kept as it came (lenient types carry them)
                notes.nodes[(*path, key)] = Node(None)
                out[key] = copy.deepcopy(item)
        for key, sub in props.items():
            if key not in value and isinstance(sub, Mapping) and "default" in sub:
                default = copy.deepcopy(sub["default"])
                out[key] = self._walk(notes, sub, default, (*path, key), filled=True)
        for key in props:
            if key not in required_names and key in out and out[key] is None:
                # A nullable literal keeps its null: it tells union variants
                # apart (0.15.0's UnloadModelResponse alone admits type null).
                if self.literal(props[key])[0]:
                    continue
                del out[key]
        notes.nodes[path] = Node(schema)
        return out

    def _walk_array(
        self,
        notes: Walk,
        schema: Mapping[str, Any],
        value: list[Any],
        path: JsonPath,
        *,
        filled: bool,
    ) -> list[Any]:
        prefix = schema.get("prefixItems")
        prefix = prefix if isinstance(prefix, list) else []
        items = schema.get("items")
        out: list[Any] = []
        for index, item in enumerate(value):
            sub = prefix[index] if index < len(prefix) else items
            if isinstance(sub, Mapping):
                out.append(self._walk(notes, sub, item, (*path, index), filled=filled))
            else:
                notes.nodes[(*path, index)] = Node(None)
                out.append(copy.deepcopy(item))
        notes.nodes[path] = Node(schema)
        return out


def _branches(schema: Mapping[str, Any]) -> list[Any] | None:
    found = schema.get("anyOf", schema.get("oneOf"))
    return found if isinstance(found, list) else None


def _most_fields(candidates: list[_T], counts: list[int]) -> _T:
    """The candidate with the highest count; ties go to the earliest."""
    best = 0
    for index, count in enumerate(counts):
        if count > counts[best]:
            best = index
    return candidates[best]


def _instant(schema: Mapping[str, Any], value: Any) -> str | None:
    if schema.get("x-tinker-datetime") == "unix-seconds" and isinstance(value, int | float):
        return instant_from_unix(value)
    if schema.get("format") == "date-time" and isinstance(value, str):
        return instant_from_text(value)
    return None


def _number(kind: str, value: Any) -> Any:
    """An int where the schema says number becomes the float a reader makes of
    it (JSON ``-27649159820486610`` and ``-2.764915982048661e+16`` are one
    double); a whole float where it says integer becomes an int. Anything
    else stays."""
    if isinstance(value, bool):
        return value
    if kind == "number" and isinstance(value, int):
        try:
            return float(value)
        except OverflowError:
            return value
    if kind == "integer" and isinstance(value, float) and value.is_integer():
        return int(value)
    return value
