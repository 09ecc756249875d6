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

The memo is applied only while ``conformance.checks._strategies`` builds and
draws, to the builders named in ``_BUILDERS``. If another version of the
library moves one, generation goes on without its memo: slower, with the
same payloads.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator
from typing import Any

__all__ = ["memoised_strategies"]

#: The builders of hypothesis-jsonschema called inside draws: for an object's
#: declared properties, and for the values of a map (``additionalProperties``).
#: Both take (schema or schemas, *, alphabet, custom_formats).
_BUILDERS = ("merged_as_strategies", "__from_schema")

#: (builder, the schema(s) as JSON, id(alphabet), id(custom formats)) ->
#: (alphabet, custom formats, strategy); holding both keeps their ids unique.
_BUILT: dict[tuple[str, str, int, int], tuple[Any, Any, Any]] = {}


def _memoised(name: str, build: Callable[..., Any]) -> Callable[..., Any]:
    def memoised(schemas: Any, *, alphabet: Any, custom_formats: Any) -> Any:
        # Key order is kept in the key: the same schemas, written the same way.
        key = (name, json.dumps(schemas), id(alphabet), id(custom_formats))
        found = _BUILT.get(key)
        if found is None:
            built = build(schemas, alphabet=alphabet, custom_formats=custom_formats)
            found = _BUILT[key] = (alphabet, custom_formats, built)
        return found[2]

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
