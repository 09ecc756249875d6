"""hypothesis-jsonschema's strategies, built once per schema instead of once
per draw.

Why: hypothesis-jsonschema (0.23.1, pinned in constraints.txt) builds the
strategy of an object's property inside every draw: each key drawn calls
``merged_as_strategies`` (a map's value, ``__from_schema``), which resolves,
canonicalises and encodes the property's schema and builds a fresh strategy
(for a nested object, through ``st.composite``, which reads the function's
source with ``inspect`` and ``ast``). That was four fifths of a whole audit
(issue 17); with the memo, generation is 5 to 8 times faster. Building a
strategy is a pure function of its arguments, so the one built for the same
schemas, alphabet and custom formats is handed out again; the draws then
make the same choices and the payloads are byte for byte the ones of the
library unpatched (tests/test_strategies.py checks this against a recorded
digest).

The memo is applied only while ``conformance.corpus._strategies`` builds and
draws, to the builders named in ``_BUILDERS``. If another version of the
library moves one, or calls it with a schema that is not JSON, that call goes
through unmemoised: slower, with the same payloads. A version that mutated
an argument between calls would break the premise: the digests of
tests/test_strategies.py would then differ, and a new pin must pass them.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator
from typing import Any

__all__ = ["memoised_strategies"]

#: The builders of hypothesis-jsonschema called inside draws: for an object's
#: declared properties, and for the values of a map (``additionalProperties``).
#: Both take (schema or schemas, *, alphabet, custom_formats); the memo
#: passes on whatever else a version gives them.
_BUILDERS = ("merged_as_strategies", "__from_schema")

#: (builder, the schema(s) as JSON, ids of the other arguments) -> (the other
#: arguments, strategy); holding the arguments keeps their ids unique.
_BUILT: dict[tuple[str, str, tuple[Any, ...]], tuple[Any, Any]] = {}


def _memoised(name: str, build: Callable[..., Any]) -> Callable[..., Any]:
    """``build``, remembered by its schema argument's JSON (key order kept:
    the same schemas written the same way) and the identity of the others
    (the alphabet and custom formats of one ``from_schema`` call)."""

    def memoised(schemas: Any, *args: Any, **options: Any) -> Any:
        try:
            text = json.dumps(schemas)
        except (TypeError, ValueError):  # not JSON: another version's arguments
            return build(schemas, *args, **options)
        others = (*args, *sorted(options.items()))
        key = (name, text, (*map(id, args), *((k, id(v)) for k, v in sorted(options.items()))))
        found = _BUILT.get(key)
        if found is None:
            found = _BUILT[key] = (others, build(schemas, *args, **options))
        return found[1]

    return memoised


@contextlib.contextmanager
def memoised_strategies() -> Iterator[None]:
    """Within this block, hypothesis-jsonschema builds each strategy once."""
    from hypothesis_jsonschema import _from_schema

    originals = {name: getattr(_from_schema, name, None) for name in _BUILDERS}
    for name, build in originals.items():
        if build is not None:
            setattr(_from_schema, name, _memoised(name, build))
    try:
        yield
    finally:
        for name, build in originals.items():
            if build is not None:
                setattr(_from_schema, name, build)
