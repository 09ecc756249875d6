"""Compare two wire values in canonical form and classify every difference.

deepdiff finds the differences; this module says what each one means for a
port, in the gap taxonomy's words (DESIGN.md), using the schema at the spot.
Raw deepdiff output never leaves this module.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from deepdiff import DeepDiff

from conformance._data import pointer
from conformance._json import json_equal, json_kind, short
from conformance.canonical._walk import JsonPath, Node, Walk, Walker

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
    "compare_walks",
    "found_at",
    "identical",
    "occurs",
]

DATA_LOSS: Final = "data-loss"
NESTING_FLATTENED: Final = "nesting-flattened"
TYPE_CHANGED: Final = "type-changed"
ADDED_FIELD: Final = "added-field"
VALUE_CHANGED: Final = "value-changed"
DEFAULT_DIFFERS: Final = "default-differs"
LITERAL_MISSING: Final = "literal-missing"
VALUE_MOVED: Final = "value-moved"

#: Every category ``compare`` can give, most specific first (the order rules apply).
CATEGORIES: Final = (
    VALUE_MOVED,
    LITERAL_MISSING,
    DEFAULT_DIFFERS,
    DATA_LOSS,
    ADDED_FIELD,
    NESTING_FLATTENED,
    TYPE_CHANGED,
    VALUE_CHANGED,
)

_ONLY_IN_ACTUAL = frozenset({"dictionary_item_added", "iterable_item_added"})
_ONLY_IN_EXPECTED = frozenset({"dictionary_item_removed", "iterable_item_removed"})
_SHORT = 60
_JSON_SCALARS = (str, int, bool, type(None))


@dataclass(frozen=True, kw_only=True)
class Difference:
    """One classified difference between canonical expected and actual.

    ``expected``/``actual`` are the canonical values at ``path``; None where
    that side has nothing there (the message tells nothing from null).
    """

    category: str
    path: str
    expected: Any
    actual: Any
    message: str


@dataclass(frozen=True)
class _Raw:
    path: JsonPath
    in_expected: bool
    expected: Any
    in_actual: bool
    actual: Any


def compare_walks(
    walker: Walker,
    type_name: str,
    expected: Walk,
    actual: Walk,
    *,
    given: Callable[[JsonPath, Any], bool] | None = None,
) -> list[Difference]:
    """Differences between two canonical walks of one type, classified, in path order.

    ``given(path, value)`` tells, when the caller knows the input, whether
    the input had the value the reference has at ``path``: a value the
    implementation lacks is lost only if it was given; else the reference
    derived it (``shape: [3]`` of a plain list) and the implementation did not.
    """
    if identical(expected.value, actual.value):
        return []
    raws = _raw_differences(expected.value, actual.value)
    raws = _collapse_defaults(walker, _collapse_flattened(raws, expected, actual), expected, actual)
    raws, found = _moved(type_name, raws, expected, actual)
    for raw in raws:
        difference = _classify(walker, type_name, raw, expected, actual, given=given)
        if difference is not None:
            found.append(difference)
    return sorted(found, key=lambda d: (_sort_key(d.path), d.category))


def _moved(
    type_name: str, raws: list[_Raw], expected: Walk, actual: Walk
) -> tuple[list[_Raw], list[Difference]]:
    """Values the implementation sent under another key (a status wrapper
    ``{"result": ...}``, a field moved into a sub-object): a dropped value
    whose every leaf came, equal and under the same key name, somewhere the
    reference has nothing. One ``value-moved`` difference at the reference's
    spot; the added leaves it explains are no additions."""
    pool: dict[str, list[tuple[JsonPath, Any]]] = {}  # added leaves by their key name
    for r in raws:
        if r.in_actual and not r.in_expected:
            for path, value in _leaves(r.actual, r.path):
                key = _last_key(path)
                if key is not None:
                    pool.setdefault(key, []).append((path, value))
    used: set[JsonPath] = set()
    moves: list[tuple[_Raw, JsonPath]] = []
    kept: list[_Raw] = []
    for raw in raws:
        if not pool or raw.in_actual or not raw.in_expected:
            kept.append(raw)
            continue
        matches = _match_leaves(_leaves(raw.expected, raw.path), pool, used)
        if matches is None:
            kept.append(raw)
            continue
        used.update(matches)
        moves.append((raw, _common_prefix(matches)))
    if not used:
        return raws, []
    moved = _moved_differences(type_name, moves, expected, actual)
    out: list[_Raw] = []
    for raw in kept:
        leaves = (
            dict(_leaves(raw.actual, raw.path)) if raw.in_actual and not raw.in_expected else {}
        )
        if not leaves or not used.intersection(leaves):
            out.append(raw)
            continue
        out.extend(_Raw(p, False, None, True, v) for p, v in leaves.items() if p not in used)
    return out, moved


def _moved_differences(
    type_name: str, moves: list[tuple[_Raw, JsonPath]], expected: Walk, actual: Walk
) -> list[Difference]:
    """One difference per move: fields that all moved from one object to
    one other place under their own names (a wrapper) are one move, of
    the object; any other moved value is a move of its own."""
    groups: dict[tuple[JsonPath, JsonPath | None], list[tuple[_Raw, JsonPath]]] = {}
    for raw, spot in moves:
        same_name = bool(raw.path) and bool(spot) and spot[-1] == raw.path[-1]
        groups.setdefault((raw.path[:-1], spot[:-1] if same_name else None), []).append((raw, spot))
    out = []
    for (old, new), members in groups.items():
        if new is not None and len(members) > 1:
            spots = [(old, new)]
        else:
            spots = [(raw.path, spot) for raw, spot in members]
        for here, there in spots:
            e_value = _at(expected.value, here)[1]
            found, a_value = _at(actual.value, there)
            out.append(
                Difference(
                    category=VALUE_MOVED,
                    path=pointer(here),
                    expected=e_value,
                    actual=a_value if found else None,
                    message=f"{_where(type_name, here)}: expected {_kind(True, e_value, None)}"
                    f" here, came it under {_where(type_name, there)} (value moved)",
                )
            )
    return out


def _leaves(value: Any, path: JsonPath) -> list[tuple[JsonPath, Any]]:
    """Every scalar (or empty container) inside ``value``, with its path."""
    if isinstance(value, Mapping) and value:
        return [leaf for k, v in value.items() for leaf in _leaves(v, (*path, k))]
    if isinstance(value, list) and value:
        return [leaf for i, v in enumerate(value) for leaf in _leaves(v, (*path, i))]
    return [(path, value)]


def _keys(path: JsonPath) -> tuple[str, ...]:
    return tuple(p for p in path if isinstance(p, str))


def _last_key(path: JsonPath) -> str | None:
    return next((p for p in reversed(path) if isinstance(p, str)), None)


def _match_leaves(
    leaves: list[tuple[JsonPath, Any]],
    pool: Mapping[str, list[tuple[JsonPath, Any]]],
    used: set[JsonPath],
) -> list[JsonPath] | None:
    """For each leaf, an unused leaf of ``pool`` under the same key name with
    an equal value; None unless every leaf has one."""
    taken: set[JsonPath] = set()
    for path, value in leaves:
        key = _last_key(path)
        if key is None:
            return None  # a bare list item of the root: no key to be moved under
        found = next(
            (
                q
                for q, w in pool.get(key, [])
                if q not in used
                and q not in taken
                and _keys(q) != _keys(path)  # another list position is no other key
                and json_equal(value, w)
            ),
            None,
        )
        if found is None:
            return None
        taken.add(found)
    return sorted(taken, key=_path_sort)


def _common_prefix(paths: list[JsonPath]) -> JsonPath:
    first = paths[0]
    size = len(first)
    for path in paths[1:]:
        size = min(size, len(path))
        size = next((i for i in range(size) if path[i] != first[i]), size)
    return first[:size] if len(paths) > 1 else first


def identical(expected: Any, actual: Any) -> bool:
    """Exactly the same JSON, types included (``1`` is not ``1.0`` nor
    ``True``), key order aside: then deepdiff would find nothing, so it is
    not run. Most comparisons are of equal values, and deepdiff costs about
    as much as both canonical walks; it runs only to explain a mismatch.
    Anything but plain JSON values is left to deepdiff."""
    kind = type(expected)
    if kind is not type(actual):
        return False
    if kind is dict:
        return expected.keys() == actual.keys() and all(
            identical(value, actual[key]) for key, value in expected.items()
        )
    if kind is list:
        return len(expected) == len(actual) and all(
            identical(e, a) for e, a in zip(expected, actual, strict=True)
        )
    if kind is float:
        return bool(expected == actual or (math.isnan(expected) and math.isnan(actual)))
    return kind in _JSON_SCALARS and bool(expected == actual)


def _raw_differences(expected: Any, actual: Any) -> list[_Raw]:
    tree = DeepDiff(
        expected,
        actual,
        view="tree",
        ignore_order=False,
        threshold_to_diff_deeper=0,  # always say which key differs, never "whole object"
        ignore_nan_inequality=True,
    )
    raws = []
    for report, levels in tree.items():
        for level in levels:
            path = tuple(level.path(output_format="list"))
            in_expected = report not in _ONLY_IN_ACTUAL
            in_actual = report not in _ONLY_IN_EXPECTED
            raws.append(
                _Raw(
                    path,
                    in_expected,
                    level.t1 if in_expected else None,
                    in_actual,
                    level.t2 if in_actual else None,
                )
            )
    return raws


def _collapse_flattened(raws: list[_Raw], expected: Walk, actual: Walk) -> list[_Raw]:
    """A list of objects that came as a list of scalars is one gap at the
    list, not one per element (deepdiff reports it element by element)."""
    flat: set[JsonPath] = set()
    for raw in raws:
        for cut in range(len(raw.path)):
            parent = raw.path[:cut]
            if parent in flat or not isinstance(raw.path[cut], int):
                continue
            found_e, e = _at(expected.value, parent)
            found_a, a = _at(actual.value, parent)
            both_lists = found_e and found_a and isinstance(e, list) and isinstance(a, list)
            if both_lists and _objects_like(e) and _scalars_like(a):
                flat.add(parent)
    if not flat:
        return raws
    kept = [r for r in raws if not any(r.path[: len(p)] == p for p in flat)]
    for parent in sorted(flat, key=_path_sort):
        if any(parent[: len(p)] == p and parent != p for p in flat):
            continue  # inside a list already reported as flattened
        kept.append(
            _Raw(parent, True, _at(expected.value, parent)[1], True, _at(actual.value, parent)[1])
        )
    return kept


def _collapse_defaults(
    walker: Walker, raws: list[_Raw], expected: Walk, actual: Walk
) -> list[_Raw]:
    """Where the reference has a property's default (``event_data: {}``) and
    the implementation something else, the gap is the default: one difference
    at the property, not one per key inside it."""
    kept: list[_Raw] = []
    spots: dict[JsonPath, _Raw] = {}
    for raw in raws:
        spot = _default_ancestor(walker, raw.path, expected, actual)
        if spot is None:
            kept.append(raw)
        elif spot not in spots:
            spots[spot] = _Raw(
                spot, True, _at(expected.value, spot)[1], True, _at(actual.value, spot)[1]
            )
    return kept + list(spots.values())


def _default_ancestor(
    walker: Walker, path: JsonPath, expected: Walk, actual: Walk
) -> JsonPath | None:
    """The outermost property above ``path`` whose expected value is its
    (non-null) default while the actual one is there and differs."""
    for cut in range(1, len(path)):
        spot = path[:cut]
        prop = _property_schema(spot, expected, actual)
        if prop is None or "default" not in prop:
            continue
        has_default, default = walker.canonical_default(prop)
        found_e, e = _at(expected.value, spot)
        found_a, _ = _at(actual.value, spot)
        if has_default and found_e and found_a and json_equal(e, default):
            return spot
    return None


def _classify(
    walker: Walker,
    type_name: str,
    raw: _Raw,
    expected: Walk,
    actual: Walk,
    *,
    given: Callable[[JsonPath, Any], bool] | None,
) -> Difference | None:
    if raw.in_expected and raw.in_actual and json_equal(raw.expected, raw.actual):
        return None  # 1 and 1.0 where no schema says which: the same JSON number
    e_node, a_node = expected.nodes.get(raw.path), actual.nodes.get(raw.path)
    where = _where(type_name, raw.path)
    e_kind = _kind(raw.in_expected, raw.expected, e_node)
    a_kind = _kind(raw.in_actual, raw.actual, a_node)

    def make(category: str, message: str) -> Difference:
        return Difference(
            category=category,
            path=pointer(raw.path),
            expected=raw.expected,
            actual=raw.actual,
            message=f"{where}: {message}",
        )

    prop = _property_schema(raw.path, expected, actual)
    if prop is not None:
        is_literal, literal = walker.literal(prop)
        if (
            is_literal
            and raw.in_expected
            and json_equal(raw.expected, literal)
            and not (raw.in_actual and json_equal(raw.actual, literal))
        ):
            return make(
                LITERAL_MISSING,
                f"expected the literal {short(literal)}, came {_show(raw.in_actual, raw.actual)}"
                " (discriminator literal missing)",
            )
        if "default" in prop:
            _, default = walker.canonical_default(prop)
            # absent counts as a null default: optional nulls are dropped
            if json_equal(raw.expected, default) if raw.in_expected else default is None:
                shown = (
                    f"the default {short(default)}"
                    if raw.in_expected
                    else "nothing (the default is null)"
                )
                return make(
                    DEFAULT_DIFFERS,
                    f"expected {shown}, came {_show(raw.in_actual, raw.actual, a_node)}"
                    " (default differs)",
                )
    is_item = bool(raw.path) and isinstance(raw.path[-1], int)
    derivable = prop is not None and "default" in prop
    if not raw.in_actual and derivable and given is not None and not given(raw.path, raw.expected):
        # never given: the reference derived the value, the implementation kept its default
        return make(
            DEFAULT_DIFFERS,
            f"expected {_show(True, raw.expected, e_node)}, which the reference derives,"
            " came nothing (default differs)",
        )
    if not raw.in_actual:
        return make(
            DATA_LOSS, f"expected {e_kind}, came nothing ({'item' if is_item else 'field'} dropped)"
        )
    if not raw.in_expected:
        what = "extra item" if is_item else "field not in the reference"
        return make(ADDED_FIELD, f"expected nothing, came {a_kind} ({what})")
    if _objects_like(raw.expected) and _scalars_like(raw.actual):
        return make(
            NESTING_FLATTENED, f"expected {e_kind}, came {a_kind} (nested structure flattened)"
        )
    if json_kind(raw.expected) != json_kind(raw.actual):
        return make(TYPE_CHANGED, f"expected {e_kind}, came {a_kind} (type changed)")
    return make(
        VALUE_CHANGED,
        f"expected {_show(True, raw.expected, e_node)}, came {_show(True, raw.actual, a_node)}",
    )


def _property_schema(path: JsonPath, expected: Walk, actual: Walk) -> Mapping[str, Any] | None:
    """The declared schema of the property at ``path`` (as the parent object's
    schema says it, ``default`` and ``const`` included), if it is one."""
    if not path or not isinstance(path[-1], str):
        return None
    for walk in (expected, actual):
        node = walk.nodes.get(path[:-1])
        if node is None or node.schema is None:
            continue
        props = node.schema.get("properties")
        if isinstance(props, Mapping):
            prop = props.get(path[-1])
            if isinstance(prop, Mapping):
                return prop
    return None


# -- JSON helpers ---------------------------------------------------------------


def occurs(value: Any, inside: Any) -> bool:
    """Whether ``value`` is ``inside``, or somewhere in it (JSON equality)."""
    stack = [inside]
    while stack:
        item = stack.pop()
        if json_equal(item, value):
            return True
        if isinstance(item, Mapping):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _objects_like(value: Any) -> bool:
    """An object, or a non-empty list of objects: something with structure."""
    if isinstance(value, Mapping):
        return True
    return isinstance(value, list) and bool(value) and all(isinstance(x, Mapping) for x in value)


def _scalars_like(value: Any) -> bool:
    """A scalar, or a non-empty list of scalars: the structure gone."""
    if isinstance(value, list):
        return bool(value) and not any(isinstance(x, Mapping | list) for x in value)
    return not isinstance(value, Mapping)


def found_at(value: Any, path: JsonPath) -> bool:
    """Whether ``value`` has something (``null`` included) at ``path``."""
    return _at(value, path)[0]


def _at(value: Any, path: JsonPath) -> tuple[bool, Any]:
    for part in path:
        in_object = isinstance(value, Mapping) and part in value
        in_list = isinstance(value, list) and isinstance(part, int) and 0 <= part < len(value)
        if not (in_object or in_list):
            return False, None
        value = value[part]
    return True, value


def _path_sort(path: JsonPath) -> tuple[tuple[int, int, str], ...]:
    return tuple((0, p, "") if isinstance(p, int) else (1, 0, str(p)) for p in path)


def _sort_key(json_pointer: str) -> tuple[tuple[int, int, str], ...]:
    parts = json_pointer.split("/")[1:] if json_pointer else []
    decoded = [p.replace("~1", "/").replace("~0", "~") for p in parts]
    # ASCII digits only: "³" is a digit to str.isdigit, not to int()
    return tuple((0, int(p), "") if p.isascii() and p.isdigit() else (1, 0, p) for p in decoded)


# -- messages -------------------------------------------------------------------


def _where(type_name: str, path: JsonPath) -> str:
    """A readable spot: ``supported_models[0].model_name``; the type at the root."""
    if not path:
        return type_name
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def _kind(present: bool, value: Any, node: Node | None) -> str:
    """What a value is, in words: ``a datetime``, ``a list of 2 objects``."""
    if not present:
        return "nothing"
    if node is not None and node.datetime:
        return "a datetime"
    kind = json_kind(value)
    if kind == "array":
        if not value:
            return "an empty list"
        kinds = {json_kind(x) for x in value}
        if len(kinds) == 1:
            (only,) = kinds
            return f"a list of {len(value)} {_plural(only, len(value))}"
        return f"a list of {len(value)} mixed values"
    return {"null": "null", "object": "an object", "number": "a number"}.get(kind, f"a {kind}")


def _plural(kind: str, count: int) -> str:
    noun = {"object": "object", "array": "list", "null": "null"}.get(kind, kind)
    if count == 1:
        return noun
    return noun + ("es" if noun.endswith("s") else "s")


def _show(present: bool, value: Any, node: Node | None = None) -> str:
    if not present:
        return "nothing"
    if node is not None and node.datetime:
        return f"the instant {value}"
    if isinstance(value, Mapping | list):
        return f"{_kind(True, value, node)} {short(value, _SHORT)}"
    return short(value, _SHORT)
