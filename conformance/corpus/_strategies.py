"""Payloads generated from a pack's schemas (hypothesis-jsonschema).

The schema of a type is bundled into one self-contained document (every URN
``$ref`` inlined) because hypothesis-jsonschema resolves only local
references. Two adjustments keep generated payloads inside what the
reference itself round-trips, so the reference passes with zero findings:
unknown properties are not generated (tolerating them is the job of the
golden fixtures), and ``date-time`` strings come from real datetimes.

Every seed's examples start with the same boundary example of the type
(``boundary``): every field present, integers at their largest, datetimes
with microseconds, maps and free-form values holding one of each. What a
random draw finds only now and then (a 64-bit integer rounded by a double,
lost microseconds) is then found on every seed and at every example count,
so a baseline written at one seed holds at another.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
from collections.abc import Iterator
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st

from conformance.corpus._memo import memoised_strategies
from conformance.spec import SpecPack

__all__ = ["boundary", "bundle", "payloads"]

_MAX_DEPTH = 12
#: ``date-time`` is renamed so our generator serves it (hypothesis-jsonschema
#: warns when a standard format is overridden).
_INSTANT = "x-tinker-instant"
#: hypothesis-jsonschema ignores ``contentEncoding``; base64 text gets a format of ours.
_BASE64 = "x-tinker-base64"


def bundle(pack: SpecPack, type_name: str, *, closed: bool = True) -> dict[str, Any]:
    """The type's schema with every ``$ref`` inlined, for generation only;
    ``closed`` forbids properties the schema does not name."""
    resolver = pack.registry.resolver()

    def walk(node: Any, depth: int) -> Any:
        if depth > _MAX_DEPTH:
            msg = f"{type_name}: references nest deeper than {_MAX_DEPTH}"
            raise ValueError(msg)
        if isinstance(node, dict):
            if "$ref" in node:
                target = resolver.lookup(node["$ref"]).contents
                rest = {k: v for k, v in node.items() if k != "$ref"}
                return walk({**target, **rest}, depth + 1)
            out = {k: walk(v, depth) for k, v in node.items() if k not in ("$id", "$schema")}
            if out.get("format") == "date-time":
                out["format"] = _INSTANT
            if out.pop("contentEncoding", None) == "base64":
                out["format"] = _BASE64
            if closed and "properties" in out:
                out["additionalProperties"] = False
            return out
        if isinstance(node, list):
            return [walk(v, depth) for v in node]
        return node

    result: dict[str, Any] = walk(pack.schemas[type_name], 0)
    return result


_DATETIMES = st.datetimes(
    min_value=dt.datetime(1970, 1, 2),
    max_value=dt.datetime(9999, 12, 30),
    timezones=st.sampled_from([dt.UTC, dt.timezone(dt.timedelta(hours=5, minutes=30))]),
).map(lambda d: d.isoformat())


#: The boundary example's values where the schema sets no bound: the largest
#: 64-bit integer (the widest integer the wire's readers commonly hold), a
#: datetime with microseconds, and a free-form value holding one of each JSON kind.
_LARGEST_INTEGER = 2**63 - 1
_INSTANT_TEXT = "2999-12-31T23:59:59.999999+00:00"
_FREE = {
    "integer": _LARGEST_INTEGER,
    "number": 0.1,
    "string": "x",
    "boolean": True,
    "null": None,
    "array": [_LARGEST_INTEGER, "x"],
    "object": {"integer": _LARGEST_INTEGER, "string": "x"},
}
_NOTHING = object()


#: Most boundary examples of a type: the k-th takes the k-th branch of every union.
_BRANCHES = 4


def boundary(pack: SpecPack, type_name: str) -> list[Any]:
    """The type's boundary examples that its schema admits: the k-th takes
    the k-th non-null branch of every union (its last, where it has fewer),
    as many as the widest union has branches (at most ``_BRANCHES``)."""
    schema = bundle(pack, type_name)
    found: list[Any] = []
    for pick in range(min(_BRANCHES, _widest(schema))):
        value = _extreme(schema, pick)
        if value is not _NOTHING and value not in found and pack.is_valid(type_name, value):
            found.append(value)
    return found


def _widest(schema: Any) -> int:
    """The most non-null branches of a union anywhere in ``schema`` (1 for none)."""
    if isinstance(schema, list):
        return max((_widest(s) for s in schema), default=1)
    if not isinstance(schema, dict):
        return 1
    here = max(
        (
            len([b for b in schema[k] if not (isinstance(b, dict) and b.get("type") == "null")])
            for k in ("anyOf", "oneOf")
            if k in schema
        ),
        default=1,
    )
    return max([here, *(_widest(v) for v in schema.values())])


def _null(schema: Any) -> bool:
    return isinstance(schema, dict) and schema.get("type") == "null"


def _extreme(schema: Any, pick: int) -> Any:
    """The largest value of ``schema`` (a bundled one) taking branch ``pick``
    of its unions, or ``_NOTHING``."""
    if not isinstance(schema, dict):
        return _NOTHING if schema is False else _FREE
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return schema["enum"][-1]
    for keyword in ("anyOf", "oneOf"):
        if keyword in schema:
            branches = [
                b for b in schema[keyword] if not (isinstance(b, dict) and b.get("type") == "null")
            ]
            if not branches:
                return None
            return _extreme(branches[min(pick, len(branches) - 1)], pick)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object" or "properties" in schema:
        return _extreme_object(schema, pick)
    if kind == "array":
        item = _extreme(schema.get("items", True), pick)
        if item is _NOTHING:
            return _NOTHING
        return [item] * max(1, int(schema.get("minItems", 1)))
    if kind == "integer":
        if "maximum" in schema:
            return int(schema["maximum"])
        if "exclusiveMaximum" in schema:
            return int(schema["exclusiveMaximum"]) - 1
        return _LARGEST_INTEGER
    if kind == "number":
        return schema.get("maximum", 0.1)
    if kind == "string":
        if schema.get("format") == _INSTANT:
            return _INSTANT_TEXT
        if schema.get("format") == _BASE64:
            return "AAAA"
        return "x" * max(1, int(schema.get("minLength", 1)))
    if kind == "boolean":
        return True
    if kind == "null":
        return None
    return _FREE


def _extreme_object(schema: dict[str, Any], pick: int) -> Any:
    properties = schema.get("properties", {})
    value = {}
    for name, sub in properties.items():
        found = _extreme(sub, pick)
        if found is _NOTHING:
            return _NOTHING
        value[name] = found
    extra = schema.get("additionalProperties", True)
    if not properties and extra is not False:
        if not isinstance(extra, dict):
            return _FREE
        found = _extreme(extra, pick)
        return _NOTHING if found is _NOTHING else {"key": found}
    return value


_BASE64_TEXT = st.binary(max_size=64).map(lambda b: base64.b64encode(b).decode("ascii"))

_CACHE: dict[tuple[str, str], st.SearchStrategy[Any]] = {}


def _strategy(pack: SpecPack, type_name: str) -> st.SearchStrategy[Any]:
    from hypothesis_jsonschema import from_schema

    key = (str(pack.root), type_name)
    if key not in _CACHE:
        _CACHE[key] = from_schema(
            bundle(pack, type_name), custom_formats={_INSTANT: _DATETIMES, _BASE64: _BASE64_TEXT}
        )
    return _CACHE[key]


@contextlib.contextmanager
def _without_local_constants() -> Iterator[None]:
    """Generate as if no project code were installed.

    Hypothesis (6.170) mixes constants found in the source of every local,
    editable-installed module (this package included) into what it draws, so
    the same seed gave other payloads after any code edit or import. Its
    internal hook is switched off while we generate (hypothesis is pinned in
    constraints.txt; if the hook moves, generation goes on unpatched).
    """
    from hypothesis.internal.conjecture import providers

    hook = getattr(providers, "_get_local_constants", None)
    empty = getattr(providers, "Constants", None)
    cache = getattr(providers, "CONSTANTS_CACHE", None)
    if hook is None or empty is None:
        yield
        return
    providers._get_local_constants = empty
    if cache is not None:
        cache.cache.clear()
    try:
        yield
    finally:
        providers._get_local_constants = hook
        if cache is not None:
            cache.cache.clear()


def payloads(pack: SpecPack, type_name: str, count: int, seed: int) -> list[Any]:
    """The type's boundary example, then up to ``count`` drawn payloads, the
    same ones for the same seed."""
    found: list[Any] = boundary(pack, type_name)
    with _without_local_constants(), memoised_strategies():

        @hypothesis_seed(seed)
        @settings(
            max_examples=count,
            database=None,
            deadline=None,
            derandomize=False,
            suppress_health_check=list(HealthCheck),
        )
        @given(_strategy(pack, type_name))
        def collect(value: Any) -> None:
            found.append(value)

        collect()
    return found
