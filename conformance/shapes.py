"""The neutral native-shape vocabulary of the ``inspect`` op (docs/SHAPES.md).

An implementation describes the declared types of a decoded value's fields
with shape strings (``string``, ``datetime``, ``list<struct:Datum>``, ...);
the pack says what the reference declares (:func:`expected_shape`, from the
schemas alone); :func:`compare_shapes` classifies every difference. This is
how type parity shows where the wire cannot: a datetime kept as a string, a
struct flattened to its name, a typed cursor kept as a bare map.

Grammar (whitespace between tokens is ignored)::

    shape   := atom | "optional<" shape ">" | "list<" shape ">"
             | "map<" shape "," shape ">" | "tuple<" shape ("," shape)* ">"
             | "union<" shape ("|" shape)* ">" | "enum[" value ("," value)* "]"
             | "struct:" Name | "enum:" Name | "union:" Name | "literal:" value
    atom    := string | integer | number | boolean | datetime | bytes | any | null

Shapes are canonical once parsed: union members and enum values are sorted
and deduplicated, ``union<T|null>`` is ``optional<T>``, ``optional<any>`` is
``any``, a one-value ``enum[...]`` is a ``literal:``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from conformance.spec import STRUCT_KINDS, SpecPack

__all__ = [
    "ATOMS",
    "CATEGORIES",
    "Shape",
    "ShapeDifference",
    "classify",
    "compare_shapes",
    "expected_shape",
    "parse_shape",
    "schema_shape",
]

ATOMS: Final = frozenset(
    {"string", "integer", "number", "boolean", "datetime", "bytes", "any", "null"}
)
"""Shapes without parameters."""


CATEGORIES: Final = (
    "missing-field",
    "nesting-flattened",
    "type-changed",
    "type-weakened",
    "optional-differs",
    "added-field",
)
"""Every category a :class:`ShapeDifference` can carry."""

_DELIMITERS = "<>,|[]"


@dataclass(frozen=True)
class Shape:
    """A parsed shape. ``kind`` is an atom or one of ``optional``, ``list``,
    ``map`` (args: key, value), ``tuple``, ``union`` (a ``name`` or ``args``),
    ``enum`` (a ``name`` or ``values``), ``literal`` (one value), ``struct``."""

    kind: str
    name: str | None = None
    args: tuple[Shape, ...] = ()
    values: tuple[str, ...] = ()

    def __str__(self) -> str:
        if self.kind in ATOMS:
            return self.kind
        if self.kind in ("optional", "list"):
            return f"{self.kind}<{self.args[0]}>"
        if self.kind in ("map", "tuple"):
            return f"{self.kind}<{','.join(map(str, self.args))}>"
        if self.kind == "struct":
            return f"struct:{self.name}"
        if self.kind == "literal":
            return f"literal:{self.values[0]}"
        if self.kind == "enum":
            return f"enum:{self.name}" if self.name else f"enum[{','.join(self.values)}]"
        if self.kind == "union":
            return f"union:{self.name}" if self.name else f"union<{'|'.join(map(str, self.args))}>"
        msg = f"unknown shape kind {self.kind!r}"
        raise ValueError(msg)

    # -- canonical constructors ------------------------------------------------

    @staticmethod
    def atom(kind: str) -> Shape:
        if kind not in ATOMS:
            msg = f"not an atomic shape: {kind!r}"
            raise ValueError(msg)
        return Shape(kind)

    @staticmethod
    def optional(inner: Shape) -> Shape:
        if inner.kind in ("optional", "any", "null"):
            return inner
        return Shape("optional", args=(inner,))

    @staticmethod
    def list_of(item: Shape) -> Shape:
        return Shape("list", args=(item,))

    @staticmethod
    def map_of(value: Shape, key: Shape | None = None) -> Shape:
        return Shape("map", args=(key or Shape("string"), value))

    @staticmethod
    def tuple_of(items: Iterable[Shape]) -> Shape:
        return Shape("tuple", args=tuple(items))

    @staticmethod
    def struct(name: str) -> Shape:
        return Shape("struct", name=name)

    @staticmethod
    def named_enum(name: str) -> Shape:
        return Shape("enum", name=name)

    @staticmethod
    def named_union(name: str) -> Shape:
        return Shape("union", name=name)

    @staticmethod
    def literals(values: Iterable[Any]) -> Shape:
        """``literal:v`` for one value, ``enum[a,b]`` (sorted) for several;
        a null among them makes the shape optional."""
        raw = list(values)
        nullable = any(v is None for v in raw)
        texts = sorted({_literal_text(v) for v in raw if v is not None})
        if not texts:
            return Shape("null")
        shape = (
            Shape("literal", values=(texts[0],))
            if len(texts) == 1
            else Shape("enum", values=tuple(texts))
        )
        return Shape.optional(shape) if nullable else shape

    @staticmethod
    def union_of(members: Iterable[Shape]) -> Shape:
        """An anonymous union, canonical: nested anonymous unions flattened,
        ``null`` and ``optional`` pulled out as ``optional<...>``, members
        deduplicated and sorted, a single member standing for itself."""
        flat: dict[str, Shape] = {}
        nullable = False
        pending = list(members)
        while pending:
            m = pending.pop(0)
            if m.kind == "null":
                nullable = True
            elif m.kind == "optional":
                nullable = True
                pending.append(m.args[0])
            elif m.kind == "union" and m.name is None:
                pending.extend(m.args)
            elif m.kind == "any":
                return Shape("any")
            else:
                flat.setdefault(str(m), m)
        if not flat:
            return Shape("null")
        ordered = [flat[k] for k in sorted(flat)]
        shape = ordered[0] if len(ordered) == 1 else Shape("union", args=tuple(ordered))
        return Shape.optional(shape) if nullable else shape


def _literal_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


# -- parsing -------------------------------------------------------------------


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def fail(self, what: str) -> ValueError:
        return ValueError(f"bad shape {self.text!r} at {self.pos}: {what}")

    def skip(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def peek(self) -> str:
        self.skip()
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def expect(self, char: str) -> None:
        if self.peek() != char:
            raise self.fail(f"expected {char!r}")
        self.pos += 1

    def word(self) -> str:
        """Text up to the next delimiter or ``:``."""
        self.skip()
        start = self.pos
        while self.pos < len(self.text) and self.text[self.pos] not in _DELIMITERS + ":":
            self.pos += 1
        return self.text[start : self.pos].strip()

    def value(self) -> str:
        """A literal value: text up to the next delimiter (``:`` allowed)."""
        self.skip()
        start = self.pos
        while self.pos < len(self.text) and self.text[self.pos] not in _DELIMITERS:
            self.pos += 1
        found = self.text[start : self.pos].strip()
        if not found:
            raise self.fail("expected a value")
        return found

    def shape(self) -> Shape:
        head = self.word()
        nxt = self.peek()
        if nxt == ":":
            self.pos += 1
            if head == "literal":
                return Shape.literals([self.value()])
            name = self.word()
            if not name:
                raise self.fail("expected a name")
            if head == "struct":
                return Shape.struct(name)
            if head == "enum":
                return Shape.named_enum(name)
            if head == "union":
                return Shape.named_union(name)
            raise self.fail(f"unknown named shape {head!r}")
        if nxt == "[" and head == "enum":
            self.pos += 1
            values = [self.value()]
            while self.peek() == ",":
                self.pos += 1
                values.append(self.value())
            self.expect("]")
            return Shape.literals(values)
        if nxt == "<":
            self.pos += 1
            if head in ("optional", "list"):
                inner = self.shape()
                self.expect(">")
                return Shape.optional(inner) if head == "optional" else Shape.list_of(inner)
            if head in ("map", "tuple"):
                items = [self.shape()]
                while self.peek() == ",":
                    self.pos += 1
                    items.append(self.shape())
                self.expect(">")
                if head == "tuple":
                    return Shape.tuple_of(items)
                if len(items) != 2:
                    raise self.fail("map takes a key and a value shape")
                return Shape.map_of(items[1], items[0])
            if head == "union":
                items = [self.shape()]
                while self.peek() == "|":
                    self.pos += 1
                    items.append(self.shape())
                self.expect(">")
                return Shape.union_of(items)
            raise self.fail(f"{head!r} takes no parameters")
        if head in ATOMS:
            return Shape(head)
        raise self.fail(f"unknown shape {head!r}")


def parse_shape(text: object) -> Shape:
    """Parse a shape string into its canonical :class:`Shape` (ValueError if
    it is not in the vocabulary). ``str()`` of the result is canonical text."""
    if not isinstance(text, str):
        msg = f"a shape is a string, not {type(text).__name__}"
        raise ValueError(msg)
    parser = _Parser(text)
    shape = parser.shape()
    if parser.peek():
        raise parser.fail("trailing text")
    return shape


# -- expected shapes from the pack -----------------------------------------------


def expected_shape(pack: SpecPack, type_name: str) -> dict[str, Any]:
    """The reference's native shape of ``type_name``, from the pack's data only.

    A struct kind gives ``{"type": "struct:Name", "fields": {...}}``; an enum
    or union kind ``{"type": "enum:Name"}`` / ``{"type": "union:Name"}``; an
    alias kind the shape of its body (``ModelID`` is ``string``).
    """
    entry = pack.types[type_name]
    schema = pack.schemas[type_name]
    kind = entry["kind"]
    if kind in STRUCT_KINDS:
        return {"type": f"struct:{type_name}", "fields": _struct_fields(pack, schema)}
    if kind == "enum":
        return {"type": f"enum:{type_name}"}
    if kind == "union":
        return {"type": f"union:{type_name}"}
    return {"type": str(schema_shape(pack, schema))}


def _struct_fields(pack: SpecPack, schema: Mapping[str, Any]) -> dict[str, str]:
    props: Mapping[str, Any] = schema.get("properties", {})
    extra_spellings = {
        spelling
        for choices in schema.get("x-tinker-aliases", {}).values()
        for spelling in choices[1:]
    }
    return {
        name: str(schema_shape(pack, sub))
        for name, sub in props.items()
        if name not in extra_spellings
    }


def _ref_name(pack: SpecPack, ref: str) -> str:
    prefix = f"urn:tinker-conformance:schema:{pack.version}:"
    if not ref.startswith(prefix) or ref.removeprefix(prefix) not in pack.types:
        msg = f"$ref {ref!r} does not name a type of pack {pack.version}"
        raise ValueError(msg)
    return ref.removeprefix(prefix)


def schema_shape(pack: SpecPack, node: Any, _seen: frozenset[str] = frozenset()) -> Shape:
    """The shape of one (sub)schema of ``pack``, as the reference declares it."""
    if node is True or node == {} or not isinstance(node, Mapping):
        return Shape("any")
    if "$ref" in node:
        target = _ref_name(pack, node["$ref"])
        kind = pack.types[target]["kind"]
        if kind in STRUCT_KINDS:
            return Shape.struct(target)
        if kind == "enum":
            return Shape.named_enum(target)
        if kind == "union":
            return Shape.named_union(target)
        if target in _seen:
            msg = f"alias {target!r} refers to itself"
            raise ValueError(msg)
        return schema_shape(pack, pack.schemas[target], _seen | {target})
    for key in ("anyOf", "oneOf"):
        if key in node and not _only_required(node[key]):
            return _named_union_of(pack, [_branch_shape(pack, b, _seen) for b in node[key]])
    if "allOf" in node and len(node["allOf"]) == 1:
        return schema_shape(pack, node["allOf"][0], _seen)
    if "const" in node:
        return Shape.literals([node["const"]])
    if "enum" in node:
        return Shape.literals(node["enum"])
    declared = node.get("type")
    if isinstance(declared, list):
        return Shape.union_of(schema_shape(pack, {**node, "type": t}, _seen) for t in declared)
    return _typed_shape(pack, node, declared, _seen)


def _named_union_of(pack: SpecPack, members: list[Shape]) -> Shape:
    """An anonymous union, or the pack's named union with exactly these
    variants: pydantic flattens ``Optional[SessionStatus]`` into one
    ``anyOf`` with ``null``, which the generator cannot point at the alias."""
    shape = Shape.union_of(members)
    inner = shape.args[0] if shape.kind == "optional" else shape
    if inner.kind != "union" or inner.name is not None:
        return shape
    if any(m.kind != "struct" for m in inner.args):
        return shape
    variants = {m.name for m in inner.args}
    named = [
        name
        for name, entry in pack.types.items()
        if entry["kind"] == "union" and set(entry.get("union", {}).get("variants", ())) == variants
    ]
    if len(named) != 1:
        return shape
    found = Shape.named_union(named[0])
    return Shape.optional(found) if shape.kind == "optional" else found


def _only_required(branches: Any) -> bool:
    """``anyOf: [{required: [a]}, {required: [b]}]``: alias spellings of a
    required field (x-tinker-aliases), a constraint on the struct, not a type."""
    return all(isinstance(b, Mapping) and set(b) == {"required"} for b in branches)


def _branch_shape(pack: SpecPack, branch: Any, seen: frozenset[str]) -> Shape:
    if isinstance(branch, Mapping) and "x-tinker-datetime" in branch:
        return Shape("datetime")  # unix seconds: another spelling of the datetime
    return schema_shape(pack, branch, seen)


def _typed_shape(
    pack: SpecPack, node: Mapping[str, Any], declared: Any, seen: frozenset[str]
) -> Shape:
    if declared == "string":
        if node.get("contentEncoding") == "base64":
            return Shape("bytes")
        if node.get("format") == "date-time":
            return Shape("datetime")
        return Shape("string")
    if declared in ("integer", "number", "boolean", "null"):
        return Shape(declared)
    if declared == "array":
        if "prefixItems" in node:
            return Shape.tuple_of(schema_shape(pack, s, seen) for s in node["prefixItems"])
        return Shape.list_of(schema_shape(pack, node.get("items", {}), seen))
    if declared == "object":
        extra = node.get("additionalProperties", True)
        if isinstance(extra, Mapping):
            key = schema_shape(pack, node.get("propertyNames", {"type": "string"}), seen)
            return Shape.map_of(schema_shape(pack, extra, seen), key)
        if node.get("properties") and isinstance(node.get("title"), str):
            return Shape.struct(node["title"])
        return Shape.map_of(Shape("any"))
    if declared is None:
        return Shape("any")
    msg = f"no shape for JSON Schema type {declared!r}"
    raise ValueError(msg)


# -- comparison ------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class ShapeDifference:
    """One difference between the expected and the actual native shape.

    ``field`` is the wire name of the field, ``""`` for the type itself.
    ``category`` is one of :data:`CATEGORIES`.
    """

    field: str
    expected: str
    actual: str | None
    category: str
    message: str


_WORST_FIRST = ("nesting-flattened", "type-changed", "type-weakened", "optional-differs")


def compare_shapes(expected: Mapping[str, Any], actual: Mapping[str, Any]) -> list[ShapeDifference]:
    """Every difference between two shapes (expected first: the reference's).

    Fields are compared by name; a field's type difference and its
    optional-ness difference are reported separately (a ``datetime`` reported
    as ``optional<string>`` gives a ``type-weakened`` and an
    ``optional-differs``). A malformed actual shape is a ``type-changed``
    difference, never an exception.
    """
    diffs: list[ShapeDifference] = []
    e_type = str(expected.get("type"))
    a_type = actual.get("type") if isinstance(actual, Mapping) else None
    diffs.extend(_compare_one("", e_type, a_type))
    e_fields = expected.get("fields")
    a_fields = actual.get("fields") if isinstance(actual, Mapping) else None
    if not isinstance(e_fields, Mapping):
        return diffs
    if not isinstance(a_fields, Mapping):
        if e_fields and not any(d.field == "" for d in diffs):
            diffs.append(
                ShapeDifference(
                    field="",
                    expected=e_type,
                    actual=None,
                    category="type-changed",
                    message=f"{e_type} has fields, the actual shape lists none",
                )
            )
        return diffs
    for name, e_shape in e_fields.items():
        if name not in a_fields:
            diffs.append(
                ShapeDifference(
                    field=name,
                    expected=str(e_shape),
                    actual=None,
                    category="missing-field",
                    message=f"{name}: the field is missing (expected {e_shape})",
                )
            )
            continue
        diffs.extend(_compare_one(name, str(e_shape), a_fields[name]))
    for name, a_shape in a_fields.items():
        if name not in e_fields:
            diffs.append(
                ShapeDifference(
                    field=str(name),
                    expected="",
                    actual=str(a_shape),
                    category="added-field",
                    message=f"{name}: a field the reference does not have ({a_shape})",
                )
            )
    return diffs


def _compare_one(field: str, e_text: str, a_text: Any) -> list[ShapeDifference]:
    label = field or "the type"
    e = parse_shape(e_text)
    try:
        a = parse_shape(a_text)
    except ValueError as exc:
        return [
            ShapeDifference(
                field=field,
                expected=str(e),
                actual=None if a_text is None else str(a_text),
                category="type-changed",
                message=f"{label}: not a shape in the vocabulary ({exc})",
            )
        ]
    if e == a:
        return []
    out = []
    e_inner, a_inner = _strip_optional(e), _strip_optional(a)
    category = classify(e_inner, a_inner)
    if category is not None:
        out.append(
            ShapeDifference(
                field=field,
                expected=str(e),
                actual=str(a),
                category=category,
                message=f"{label}: expected {e}, got {a} ({category.replace('-', ' ')})",
            )
        )
    if (e.kind == "optional") != (a.kind == "optional"):
        which = "optional" if a.kind == "optional" else "not optional"
        out.append(
            ShapeDifference(
                field=field,
                expected=str(e),
                actual=str(a),
                category="optional-differs",
                message=f"{label}: expected {e}, got {a} ({which} in the implementation)",
            )
        )
    return out


def _strip_optional(s: Shape) -> Shape:
    return s.args[0] if s.kind == "optional" else s


def _has_struct(s: Shape) -> bool:
    """Whether a shape holds structured data a string cannot stand for."""
    if s.kind == "struct" or (s.kind == "union" and s.name is not None):
        return True  # every named union of the packs is a union of structs
    return any(_has_struct(a) for a in s.args)


def _worst(categories: Iterable[str | None]) -> str | None:
    found = {c for c in categories if c is not None}
    return next((c for c in _WORST_FIRST if c in found), None)


def classify(e: Shape, a: Shape) -> str | None:
    """The category of the difference between two shapes (None: equal)."""
    if e == a:
        return None
    if e.kind == "optional" or a.kind == "optional":
        inner = classify(_strip_optional(e), _strip_optional(a))
        if inner is not None:
            return inner
        return "optional-differs" if (e.kind == "optional") != (a.kind == "optional") else None
    if a.kind == "any":
        return "type-weakened"
    if (e.kind == a.kind and e.kind in ("list", "map")) or (
        e.kind == a.kind == "tuple" and len(e.args) == len(a.args)
    ):
        return _worst(classify(x, y) for x, y in zip(e.args, a.args, strict=True))
    if a.kind == "string":
        if _has_struct(e):
            return "nesting-flattened"
        if e.kind in ("datetime", "bytes", "enum", "literal"):
            return "type-weakened"
        return "type-changed"
    if e.kind == "struct" and a.kind == "map":
        return "type-weakened"
    if e.kind == "union" and e.name is not None and a.kind in ("map", "union"):
        return "type-weakened"  # a named union kept as a bare map or an anonymous union
    if e.kind == "integer" and a.kind == "number":
        return "type-weakened"
    if e.kind == "tuple" and a.kind == "list":
        item = a.args[0]
        return _worst(classify(x, item) or "type-weakened" for x in e.args)
    if e.kind in ("literal", "enum") and a.kind == "enum":
        if e.name is not None and a.name is None:
            return "type-weakened"  # the named enum became an anonymous value set
        if e.name is None and a.name is None and set(e.values) <= set(a.values):
            return "type-weakened"  # accepts more values than the reference
        return "type-changed"
    if e.kind == "union" and a.kind == "union" and e.name is None and a.name is None:
        mine = {str(x) for x in a.args}
        if {str(x) for x in e.args} <= mine:
            return "type-weakened"
    if a.kind == "union" and a.name is None and e in a.args:
        return "type-weakened"  # the reference's type and more (DateTime | String)
    return "type-changed"
