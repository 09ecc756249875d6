"""JSON value helpers shared by the comparisons: one notion of equality, one
way to quote a value in a message, and one test of whether an untrusted value
can be judged at all (``json_problem``)."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

__all__ = ["MAX_DEPTH", "json_equal", "json_kind", "json_problem", "short"]

#: The deepest nesting of arrays and objects an answer may have. The judging
#: (canonical walk, comparison, rendering) recurses, a frame or more per
#: level, within Python's limit of 1000: an answer of 900 levels, a few KB,
#: would end the run. Tinker's deepest wire type nests a handful of levels.
MAX_DEPTH = 64


def json_kind(value: Any) -> str:
    """The JSON type of a parsed value (a bool is not a number)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, Mapping):
        return "object"
    if isinstance(value, list | tuple):
        return "array"
    return type(value).__name__


def json_equal(a: Any, b: Any) -> bool:
    """JSON equality: numbers by value (``1 == 1.0``), booleans are not
    numbers, key order ignored, list order kept, NaN equal to NaN."""
    kind = json_kind(a)
    if kind != json_kind(b):
        return False
    if kind == "object":
        return a.keys() == b.keys() and all(json_equal(a[k], b[k]) for k in a)
    if kind == "array":
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return bool(a == b)


def short(value: Any, limit: int = 80) -> str:
    """A value as compact JSON for a message, cut at ``limit`` characters."""
    try:
        text = json.dumps(value, sort_keys=True, ensure_ascii=False, allow_nan=True)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def json_problem(value: Any, max_depth: int = MAX_DEPTH) -> str | None:
    """Why ``value`` (parsed JSON, from an implementation) cannot be judged,
    or None: nested deeper than ``max_depth``, or a number that is not finite
    (NaN, an infinity, ``1e400`` read as one), which JSON cannot carry back
    into the results. Walks without recursion, so any depth is measured.

    Every answer of every implementation passes here, so the walk tells
    plain JSON types by identity and looks at a scalar without stacking it."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        kind = type(item)
        if kind is dict or (kind is not list and isinstance(item, Mapping)):
            children = item.values()
        elif kind is list or isinstance(item, list | tuple):
            children = item
        else:
            if isinstance(item, float) and not math.isfinite(item):
                return f"a number that is not finite ({item!r})"
            continue
        if depth >= max_depth:
            return f"nested deeper than {max_depth} levels"
        for child in children:
            kind = type(child)
            if kind is str or kind is int or kind is bool or child is None:
                continue
            if kind is float:
                if not math.isfinite(child):
                    return f"a number that is not finite ({child!r})"
                continue
            stack.append((child, depth + 1))
    return None
