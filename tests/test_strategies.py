"""Generated payloads: the same for a seed, and as cheap as the library allows.

The memo of conformance/corpus/_memo.py must not change one byte of what is
generated. tests/data/payload-digests.json holds, for every type of every
pack, the sha256 of the payloads the shipped seed gives, recorded with the
memo switched off; the generation the audits run (memo on) must give the same.
The digests depend on the generating libraries, whose versions the file
records (pinned in constraints.txt). After a pin moves, check first that
the memo changes nothing (``test_memo_changes_no_payload``), then record
again with ``python tests/test_strategies.py``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import sys
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest

from conformance import SpecPack, load_pack
from conformance.corpus import _memo, _strategies
from conformance.spec import available_versions

DIGESTS = Path(__file__).parent / "data" / "payload-digests.json"
#: Generation is pinned through these (constraints.txt).
LIBRARIES = ("hypothesis", "hypothesis-jsonschema")
EXAMPLES = 10
SEED = 0
#: Types whose draws build many strategies (nested objects, maps of tensors,
#: unions, lists of objects) yet are quick to generate unpatched; the
#: recorded digests cover every type.
BUSY_TYPES = {
    "0.15.0": ["Datum", "SampleRequest", "TrainingRunsResponse"],
    "0.38.0": ["Datum", "TelemetryBatch", "TrainingRunsResponse"],
}


def _digest(payloads: list[Any]) -> str:
    return hashlib.sha256(json.dumps(payloads).encode()).hexdigest()


def _plain(monkeypatch: pytest.MonkeyPatch) -> None:
    """Generation as the library does it unpatched, strategies built afresh."""
    monkeypatch.setattr(_strategies, "memoised_strategies", contextlib.nullcontext)
    monkeypatch.setattr(_strategies, "_CACHE", {})


def _recorded() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DIGESTS.read_text(encoding="utf-8"))
    return data


def test_digests_are_of_the_pinned_libraries() -> None:
    recorded = _recorded()
    assert recorded["libraries"] == {name: version(name) for name in LIBRARIES}
    assert (recorded["examples"], recorded["seed"]) == (EXAMPLES, SEED)
    assert sorted(recorded["packs"]) == available_versions()


@pytest.mark.parametrize("spec", available_versions())
def test_payloads_are_the_recorded_ones(spec: str) -> None:
    pack = load_pack(spec)
    recorded = _recorded()["packs"][spec]
    assert sorted(recorded) == sorted(pack.types)
    for name in pack.types:
        assert _digest(_strategies.payloads(pack, name, EXAMPLES, SEED)) == recorded[name], name


@pytest.mark.parametrize(
    ("spec", "type_name"), [(spec, name) for spec, names in BUSY_TYPES.items() for name in names]
)
def test_memo_changes_no_payload(
    monkeypatch: pytest.MonkeyPatch, spec: str, type_name: str
) -> None:
    pack = load_pack(spec)
    memoised = _strategies.payloads(pack, type_name, EXAMPLES, SEED)
    with monkeypatch.context() as patched:
        _plain(patched)
        plain = _strategies.payloads(pack, type_name, EXAMPLES, SEED)
    assert json.dumps(memoised) == json.dumps(plain)


def test_busy_types_exist() -> None:
    for spec, names in BUSY_TYPES.items():
        assert set(names) <= set(load_pack(spec).types), spec


def _counting_builds(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every call the memo passes on to hypothesis-jsonschema, by builder name."""
    from hypothesis_jsonschema import _from_schema

    calls: list[str] = []
    for name in _memo._BUILDERS:
        build = getattr(_from_schema, name)

        def counted(*args: Any, _name: str = name, _build: Any = build, **kwargs: Any) -> Any:
            calls.append(_name)
            return _build(*args, **kwargs)

        monkeypatch.setattr(_from_schema, name, counted)
    return calls


def test_nothing_is_built_again_once_a_type_has_been_drawn(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pack = load_pack("0.15.0")
    monkeypatch.setattr(_strategies, "_CACHE", {})
    monkeypatch.setattr(_memo, "_BUILT", {})
    calls = _counting_builds(monkeypatch)
    first = _strategies.payloads(pack, "SampleRequest", 25, SEED)
    built = len(calls)
    assert built > 0
    assert _strategies.payloads(pack, "SampleRequest", 25, SEED) == first
    assert len(calls) == built  # the second run draws from strategies built by the first


def test_the_memo_applies_to_the_pinned_library() -> None:
    """If the library renamed its builders, generation would go on unpatched
    (test_without_the_builders_generation_goes_on): slow, silently."""
    from hypothesis_jsonschema import _from_schema

    originals = [getattr(_from_schema, name) for name in _memo._BUILDERS]
    with _memo.memoised_strategies():
        patched = [getattr(_from_schema, name) for name in _memo._BUILDERS]
    assert all(p is not o for p, o in zip(patched, originals, strict=True))
    assert [getattr(_from_schema, name) for name in _memo._BUILDERS] == originals


def test_without_the_builders_generation_goes_on(monkeypatch: pytest.MonkeyPatch) -> None:
    pack = load_pack("0.15.0")
    expected = _strategies.payloads(pack, "SampleRequest", 5, SEED)
    monkeypatch.setattr(_strategies, "_CACHE", {})
    monkeypatch.setattr(_memo, "_BUILDERS", ("no_such_builder",))
    assert _strategies.payloads(pack, "SampleRequest", 5, SEED) == expected


def test_memo_keys_on_the_schema_and_the_identity_of_the_rest(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_memo, "_BUILT", {})
    calls: list[Any] = []

    def build(schemas: Any, *args: Any, **options: Any) -> object:
        calls.append(schemas)
        return object()

    memoised = _memo._memoised("build", build)
    alphabet, formats = object(), {"f": 1}
    first = memoised([{"a": 1}], alphabet=alphabet, custom_formats=formats)
    assert memoised([{"a": 1}], alphabet=alphabet, custom_formats=formats) is first
    assert memoised([{"a": 1.0}], alphabet=alphabet, custom_formats=formats) is not first
    assert memoised([{"a": 1}], alphabet=object(), custom_formats=formats) is not first
    assert memoised([{"a": 1}], alphabet, custom_formats=formats) is not first  # another call shape
    not_json = {frozenset()}
    memoised(not_json, alphabet=alphabet, custom_formats=formats)
    memoised(not_json, alphabet=alphabet, custom_formats=formats)
    assert calls.count(not_json) == 2  # passed through, never remembered
    assert len(calls) == 6


def _record() -> None:
    """Write tests/data/payload-digests.json with the memo switched off."""
    packs: dict[str, dict[str, str]] = {}
    with pytest.MonkeyPatch.context() as patched:
        _plain(patched)
        for spec in available_versions():
            pack: SpecPack = load_pack(spec)
            packs[spec] = {
                name: _digest(_strategies.payloads(pack, name, EXAMPLES, SEED))
                for name in sorted(pack.types)
            }
    data = {
        "description": "sha256 of json.dumps(payloads(pack, type, examples, seed)) per type, "
        "recorded by `python tests/test_strategies.py` with the memo switched off",
        "libraries": {name: version(name) for name in LIBRARIES},
        "examples": EXAMPLES,
        "seed": SEED,
        "packs": packs,
    }
    DIGESTS.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    _record()
    sys.exit(0)
