"""Payloads generated from a pack's schemas (hypothesis-jsonschema).

The schema of a type is bundled into one self-contained document (every URN
``$ref`` inlined) because hypothesis-jsonschema resolves only local
references. Two adjustments keep generated payloads inside what the
reference itself round-trips, so the reference passes with zero findings:
unknown properties are not generated (tolerating them is the job of the
golden fixtures), and ``date-time`` strings come from real datetimes.
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

__all__ = ["bundle", "payloads"]

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
    """Up to ``count`` payloads, the same ones for the same seed."""
    found: list[Any] = []
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
