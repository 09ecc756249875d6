"""The canonical wire form (docs/CANONICAL.md) and classified comparison.

Every check that compares what an implementation sent or returned with what
the reference would have compares canonical forms: defaults filled, optional
nulls dropped, datetimes as UTC instants, numbers as the schema types them.
The form is driven by the spec pack alone, so a port in any language gets the
same answer; the reference SDK is never imported here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from conformance.canonical import _compare
from conformance.canonical._compare import (
    ADDED_FIELD,
    CATEGORIES,
    DATA_LOSS,
    DEFAULT_DIFFERS,
    LITERAL_MISSING,
    NESTING_FLATTENED,
    TYPE_CHANGED,
    VALUE_CHANGED,
    VALUE_MOVED,
    Difference,
    compare_walks,
    found_at,
    occurs,
)
from conformance.canonical._datetimes import format_instant, instant_from_text, instant_from_unix
from conformance.canonical._walk import JsonPath, Walker
from conformance.spec import SpecPack

__all__ = [
    "ADDED_FIELD",
    "CATEGORIES",
    "DATA_LOSS",
    "DEFAULT_DIFFERS",
    "LITERAL_MISSING",
    "NESTING_FLATTENED",
    "TYPE_CHANGED",
    "VALUE_CHANGED",
    "VALUE_MOVED",
    "Difference",
    "Given",
    "canonicalize",
    "compare",
    "datetime_texts",
    "format_instant",
    "instant_from_text",
    "instant_from_unix",
]


@dataclass(frozen=True)
class Given:
    """What an implementation was given, for ``compare`` to tell a lost value
    (given, and gone) from one the reference derives (never given).
    ``type_name``: read it as this pack type (canonical form) first."""

    value: Any
    type_name: str | None = None


def canonicalize(pack: SpecPack, type_name: str, wire: Any) -> Any:
    """The canonical form of ``wire`` read as ``type_name`` of ``pack``.

    Never raises on the value (it is whatever an implementation produced):
    parts that do not fit the schema are kept as they came. An unknown
    ``type_name`` is the caller's mistake and raises SpecError.
    """
    return Walker(pack).canonical(type_name, wire).value


def datetime_texts(pack: SpecPack, type_name: str, wire: Any) -> dict[str, str]:
    """JSON pointer -> the text a datetime came as (unix seconds as their
    JSON number), for every datetime in ``wire``; canonical forms compare
    instants, so the spelling (offset kept, ``Z``, unix) is checked on this."""
    return Walker(pack).canonical(type_name, wire).texts_by_pointer()


def compare(
    pack: SpecPack,
    type_name: str,
    expected_wire: Any,
    actual_wire: Any,
    *,
    given: Given | None = None,
) -> list[Difference]:
    """Classified differences between ``expected_wire`` (the reference's) and
    ``actual_wire`` (the implementation's), both canonicalised as
    ``type_name``; empty when they are canonically equal. Sorted by path.

    With ``given`` (the input both were made from), a value the
    implementation lacks is ``data-loss`` only if the input had it.

    The same JSON on both sides has the same canonical form: then neither is
    walked (most answers of a conforming implementation are exactly the
    reference's)."""
    if _compare.identical(expected_wire, actual_wire):
        return []
    walker = Walker(pack)
    expected = walker.canonical(type_name, expected_wire)
    actual = walker.canonical(type_name, actual_wire)
    return compare_walks(walker, type_name, expected, actual, given=_had(walker, given))


def _had(walker: Walker, given: Given | None) -> Callable[[JsonPath, Any], bool] | None:
    """Whether the input had the reference's value at a path: something at
    that path of the input read as its type, else the value anywhere in it."""
    if given is None:
        return None
    if given.type_name is not None:
        read = walker.canonical(given.type_name, given.value).value
        return lambda path, _: found_at(read, path)
    return lambda _, value: occurs(value, given.value)
