"""The canonical form and the classified comparison (docs/CANONICAL.md).

The cases are data (tests/canonical_cases/*.json): each names a pack type, a
reference wire value, an implementation's wire value and the exact
(category, path) pairs ``compare`` must give. This module runs them and holds
the few properties that are not a single case: idempotence, never raising on
garbage, no SDK import, and that a broken case file is named.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from dataclasses import FrozenInstanceError
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from conformance import SpecError, SpecPack, load_pack
from conformance._data import load_json, pointer
from conformance.canonical import (
    CATEGORIES,
    Difference,
    Given,
    _compare,
    canonicalize,
    compare,
    datetime_texts,
    instant_from_text,
    instant_from_unix,
)
from conformance.canonical._walk import Walker
from conformance.spec import available_versions

CASES_DIR = Path(__file__).parent / "canonical_cases"
_CASE_KEYS = frozenset({"description", "spec", "type", "expected", "actual", "differences"})
#: Optional: what the implementation was given (``Given``), as ``{"value": ..., "type": ...}``.
_OPTIONAL_KEYS = frozenset({"given"})


def _case_error(path: Path, where: list[Any], message: str) -> SpecError:
    return SpecError(message, file=path, pointer=pointer(where))


def load_case_file(path: Path) -> list[dict[str, Any]]:
    """The cases of one file, checked; a defect raises SpecError naming the
    file and the JSON pointer of the bad spot."""
    data = load_json(path)
    if not isinstance(data, list) or not data:
        raise _case_error(path, [], "a case file is a non-empty array of cases")
    for index, case in enumerate(data):
        if not isinstance(case, dict):
            raise _case_error(path, [index], "a case is an object")
        missing = sorted(_CASE_KEYS - case.keys())
        unknown = sorted(case.keys() - _CASE_KEYS - _OPTIONAL_KEYS)
        if missing or unknown:
            raise _case_error(path, [index], f"missing keys {missing}, unknown keys {unknown}")
        for key in ("description", "spec", "type"):
            if not isinstance(case[key], str) or not case[key].strip():
                raise _case_error(path, [index, key], f"{key} must be a non-empty string")
        if not isinstance(case["differences"], list):
            raise _case_error(path, [index, "differences"], "differences must be an array")
        for number, diff in enumerate(case["differences"]):
            spot = [index, "differences", number]
            if not isinstance(diff, dict) or set(diff) != {"category", "path"}:
                raise _case_error(path, spot, 'a difference is {"category": ..., "path": ...}')
            if diff["category"] not in CATEGORIES:
                raise _case_error(path, spot, f"unknown category {diff['category']!r}")
            if not isinstance(diff["path"], str) or diff["path"][:1] not in ("", "/"):
                raise _case_error(path, spot, "path must be a JSON pointer")
    return data


def load_cases(directory: Path) -> list[tuple[Path, dict[str, Any]]]:
    """Every case under ``directory``; descriptions are test ids, so they
    must be unique across files."""
    found: list[tuple[Path, dict[str, Any]]] = []
    seen: dict[str, Path] = {}
    files = sorted(directory.glob("*.json"))
    if not files:
        raise SpecError("no case files", file=directory)
    for path in files:
        for index, case in enumerate(load_case_file(path)):
            description = case["description"]
            if description in seen:
                raise _case_error(
                    path,
                    [index, "description"],
                    f"duplicate description {description!r} (also in {seen[description].name})",
                )
            seen[description] = path
            found.append((path, case))
    return found


CASES = load_cases(CASES_DIR)


@cache
def _pack(version: str) -> SpecPack:
    return load_pack(version)


def _pairs(differences: list[Difference]) -> list[tuple[str, str]]:
    return sorted((d.category, d.path) for d in differences)


@pytest.mark.parametrize("case", [pytest.param(case, id=case["description"]) for _, case in CASES])
def test_case(case: dict[str, Any]) -> None:
    pack = _pack(case["spec"])
    given = case.get("given")
    found = compare(
        pack,
        case["type"],
        case["expected"],
        case["actual"],
        given=None if given is None else Given(given["value"], given.get("type")),
    )
    expected = sorted((d["category"], d["path"]) for d in case["differences"])
    assert _pairs(found) == expected, "\n".join(d.message for d in found)


# -- the case files themselves ---------------------------------------------------


def test_case_files_are_sound() -> None:
    assert len(CASES) >= 30
    descriptions = [case["description"] for _, case in CASES]
    assert len(descriptions) == len(set(descriptions))
    for path, case in CASES:
        pack = _pack(case["spec"])
        assert case["type"] in pack.schemas, f"{path.name}: {case['description']}"
        # The expected side is what the reference sends: it must be valid.
        assert pack.is_valid(case["type"], case["expected"]), (
            f"{path.name}: {case['description']}: expected is not a valid {case['type']}"
        )


def test_every_category_has_a_case() -> None:
    used = {d["category"] for _, case in CASES for d in case["differences"]}
    assert used == set(CATEGORIES)


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("[{]", "not valid JSON"),
        ("{}", "non-empty array"),
        ("[]", "non-empty array"),
        ('[{"description": "d"}]', "missing keys"),
        (
            '[{"description": "d", "spec": "0.15.0", "type": "T", "expected": 1, "actual": 1,'
            ' "differences": [{"category": "lost", "path": "/a"}]}]',
            "unknown category 'lost'",
        ),
        (
            '[{"description": "", "spec": "0.15.0", "type": "T", "expected": 1, "actual": 1,'
            ' "differences": []}]',
            "description must be",
        ),
    ],
)
def test_malformed_case_file_is_named(tmp_path: Path, text: str, complaint: str) -> None:
    bad = tmp_path / "broken_cases.json"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        load_cases(tmp_path)
    assert "broken_cases.json" in str(caught.value)
    assert complaint in str(caught.value)


def test_duplicate_description_names_both_files(tmp_path: Path) -> None:
    case = {
        "description": "same",
        "spec": "0.15.0",
        "type": "Cursor",
        "expected": {},
        "actual": {},
        "differences": [],
    }
    (tmp_path / "a.json").write_text(json.dumps([case]), encoding="utf-8")
    (tmp_path / "b.json").write_text(json.dumps([case]), encoding="utf-8")
    with pytest.raises(SpecError, match=r"duplicate description 'same' \(also in a\.json\)") as e:
        load_cases(tmp_path)
    assert e.value.file.name == "b.json"
    assert e.value.pointer == "/0/description"


# -- the canonical form, exactly ------------------------------------------------


def test_defaults_filled_and_typed() -> None:
    pack = _pack("0.15.0")
    assert canonicalize(pack, "SamplingParams", {}) == {
        "temperature": 1.0,
        "top_k": -1,
        "top_p": 1.0,
    }
    canonical = canonicalize(pack, "SamplingParams", {"temperature": 1, "top_k": -1.0})
    assert isinstance(canonical["temperature"], float)
    assert isinstance(canonical["top_k"], int)


def test_datetime_canonical_text() -> None:
    pack = _pack("0.15.0")
    for spelling in ("2025-11-26T13:30:15.25+01:00", "2025-11-26T12:30:15.250Z"):
        wire = {"url": "u", "expires": spelling}
        assert canonicalize(pack, "CheckpointArchiveUrlResponse", wire)["expires"] == (
            "2025-11-26T12:30:15.250000Z"
        )
    unix = canonicalize(pack, "CheckpointArchiveUrlResponse", {"url": "u", "expires": 1764160215})
    assert unix["expires"] == "2025-11-26T12:30:15.000000Z"


@pytest.mark.parametrize(
    ("text", "instant"),
    [
        ("2025-11-26T12:30:15Z", "2025-11-26T12:30:15.000000Z"),
        ("2025-11-26t12:30:15z", "2025-11-26T12:30:15.000000Z"),
        ("2025-11-26T12:30:15.123456789Z", "2025-11-26T12:30:15.123456Z"),
        ("2025-11-27T00:15:00+11:45", "2025-11-26T12:30:00.000000Z"),
        ("2025-01-01T00:30:00+01:00", "2024-12-31T23:30:00.000000Z"),
        ("2025-11-26T12:30:15-00:00", "2025-11-26T12:30:15.000000Z"),
        ("2025-11-26 12:30:15Z", None),  # the pack's format checker refuses the space
        ("2025-11-26T12:30:15", None),  # no offset: not an instant
        ("2025-11-26T23:59:60Z", None),  # leap second
        ("2025-02-29T00:00:00Z", None),
        ("2025-11-26T12:30:15+24:00", None),
        ("0001-01-01T00:00:00+01:00", None),  # before year 1 in UTC
    ],
)
def test_instant_from_text(text: str, instant: str | None) -> None:
    assert instant_from_text(text) == instant


@pytest.mark.parametrize(
    ("value", "instant"),
    [
        (0, "1970-01-01T00:00:00.000000Z"),
        (1764160215, "2025-11-26T12:30:15.000000Z"),
        (1764160215.0, "2025-11-26T12:30:15.000000Z"),
        (1764160215.5, None),
        (19_999_999_999, "2603-10-11T11:33:19.000000Z"),
        (20_000_000_000, None),  # pydantic reads this as milliseconds
        (-1, None),
        (True, None),
    ],
)
def test_instant_from_unix(value: float, instant: str | None) -> None:
    assert instant_from_unix(value) == instant


def test_numbers_follow_the_schema_inside_lists_and_unions() -> None:
    pack = _pack("0.15.0")
    tensor = canonicalize(pack, "TensorData", {"data": [1.0, 2.0], "dtype": "float32"})
    # list[int] | list[float]: the first branch the numbers fit (JSON Schema's integer).
    assert tensor == {"data": [1, 2], "dtype": "float32"}
    assert all(isinstance(x, int) for x in tensor["data"])
    mixed = canonicalize(pack, "TensorData", {"data": [0.5, 2], "dtype": "float32"})
    assert mixed["data"] == [0.5, 2.0]
    assert all(isinstance(x, float) for x in mixed["data"])
    pairs = canonicalize(
        pack, "SampleResponse", {"sequences": [], "topk_prompt_logprobs": [[[7.0, -1]]]}
    )["topk_prompt_logprobs"]
    assert pairs == [[[7, -1.0]]]
    assert isinstance(pairs[0][0][0], int)
    assert isinstance(pairs[0][0][1], float)


def test_unknown_properties_are_kept_as_they_came() -> None:
    pack = _pack("0.15.0")
    wire = {"model_id": "m", "extra": {"n": 1, "none": None, "t": "2025-11-26T13:30:15+01:00"}}
    assert canonicalize(pack, "CreateModelResponse", wire) == {
        **wire,
        "type": "create_model",
    }


def test_datetime_texts_keep_the_spelling() -> None:
    pack = _pack("0.15.0")
    wire = {
        "platform": "p",
        "sdk_version": "v",
        "session_id": "s",
        "events": [
            {
                "event": "SESSION_START",
                "event_id": "e",
                "event_session_index": 0,
                "severity": "INFO",
                "timestamp": "2025-11-26T13:30:15+01:00",
            },
            {
                "event": "SESSION_START",
                "event_id": "f",
                "event_session_index": 1,
                "severity": "INFO",
                "timestamp": 1764160215,
            },
        ],
    }
    assert datetime_texts(pack, "TelemetryBatch", wire) == {
        "/events/0/timestamp": "2025-11-26T13:30:15+01:00",
        "/events/1/timestamp": "1764160215",
    }
    # A value that is not a datetime is not listed; nor is a filled default.
    assert datetime_texts(pack, "Checkpoint", {"time": "yesterday"}) == {}


def test_message_says_what_was_expected_and_what_came() -> None:
    pack = _pack("0.15.0")
    (found,) = compare(
        pack,
        "CheckpointArchiveUrlResponse",
        {"url": "u", "expires": "2025-11-26T12:30:15Z"},
        {"url": "u"},
    )
    assert found == Difference(
        category="data-loss",
        path="/expires",
        expected="2025-11-26T12:30:15.000000Z",
        actual=None,
        message="expires: expected a datetime, came nothing (field dropped)",
    )
    with pytest.raises(FrozenInstanceError):
        found.category = "value-changed"  # type: ignore[misc]


def test_inputs_are_not_mutated() -> None:
    for _, case in CASES:
        pack = _pack(case["spec"])
        expected, actual = copy.deepcopy(case["expected"]), copy.deepcopy(case["actual"])
        compare(pack, case["type"], expected, actual)
        assert (expected, actual) == (case["expected"], case["actual"])


@pytest.mark.parametrize("side", ["expected", "actual"])
def test_canonical_form_is_a_fixed_point(side: str) -> None:
    """For valid values. An invalid null on a property with a non-null default
    (``type: null``) is dropped, not refilled, so the gap stays visible; a
    second pass would then fill the default."""
    checked = 0
    for _, case in CASES:
        pack = _pack(case["spec"])
        if not pack.is_valid(case["type"], case[side]):
            continue
        checked += 1
        once = canonicalize(pack, case["type"], case[side])
        assert canonicalize(pack, case["type"], once) == once, case["description"]
        assert compare(pack, case["type"], case[side], once) == [], case["description"]
    assert checked >= 30


_GARBAGE: list[Any] = [
    None,
    True,
    0,
    -1.5,
    float("nan"),
    10**400,
    "",
    "2025-13-45T99:99:99Z",
    [],
    [None, {}, [[]]],
    {},
    {"type": 5, "chunks": "x", "events": [1, "a"], "expires": 10**30},
    {"data": [1, "x"], "dtype": None, "timestamp": -5},
]


@pytest.mark.parametrize("version", available_versions())
def test_never_raises_on_implementation_output(version: str) -> None:
    pack = _pack(version)
    for name in pack.schemas:
        for value in _GARBAGE:
            canonicalize(pack, name, value)
            datetime_texts(pack, name, value)
            for difference in compare(pack, name, {"x": value}, value):
                assert difference.category in CATEGORIES
                assert difference.message


def test_unknown_type_is_the_callers_error() -> None:
    with pytest.raises(SpecError, match="no such type"):
        canonicalize(_pack("0.15.0"), "NoSuchType", {})


def test_does_not_import_the_sdk() -> None:
    code = (
        "import sys, conformance.canonical as c;"
        "from conformance import load_pack;"
        "c.compare(load_pack('0.15.0'), 'SampleRequest', {}, {});"
        "sys.exit(1 if any(m == 'tinker' or m.startswith('tinker.') for m in sys.modules) else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


# -- the fast path: deepdiff only on a mismatch -------------------------------------

#: Pairs deepdiff must be asked about (no finding may depend on skipping it)
#: and pairs it may be spared; JSON-equal is not enough to skip it.
_NOT_IDENTICAL: list[tuple[Any, Any]] = [
    (1, 1.0),
    (1, True),
    (0, None),
    ("1", 1),
    ([1], (1,)),
    ({"a": 1}, {"a": 1.0}),
    ({"a": [1, 2]}, {"a": [2, 1]}),
    ({"a": None}, {}),
    (float("nan"), None),
]
_IDENTICAL: list[tuple[Any, Any]] = [
    (None, None),
    (-0.0, 0.0),
    (float("nan"), float("nan")),
    ({"a": 1, "b": [True, "x"]}, {"b": [True, "x"], "a": 1}),
    ([{}, [], ""], [{}, [], ""]),
]


@pytest.mark.parametrize(("expected", "actual"), _NOT_IDENTICAL + _IDENTICAL)
def test_fast_path_skips_deepdiff_only_where_it_finds_nothing(expected: Any, actual: Any) -> None:
    identical = _compare.identical(expected, actual)
    assert identical == ((expected, actual) in _IDENTICAL)
    if identical:
        assert _compare._raw_differences(expected, actual) == []


def _differences_both_ways(
    monkeypatch: pytest.MonkeyPatch, pack: SpecPack, name: str, expected: Any, actual: Any
) -> tuple[list[Difference], list[Difference]]:
    """``compare`` as it runs, and with deepdiff asked every time."""
    fast = compare(pack, name, expected, actual)
    with monkeypatch.context() as patched:
        patched.setattr(_compare, "identical", lambda _e, _a: False)
        slow = compare(pack, name, expected, actual)
    return fast, slow


def test_fast_path_gives_the_same_differences_on_every_case(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for _, case in CASES:
        pack = _pack(case["spec"])
        for actual in (case["actual"], case["expected"]):
            fast, slow = _differences_both_ways(
                monkeypatch, pack, case["type"], case["expected"], actual
            )
            assert fast == slow, case["description"]


@pytest.mark.parametrize("version", available_versions())
def test_fast_path_gives_the_same_differences_on_garbage(
    monkeypatch: pytest.MonkeyPatch, version: str
) -> None:
    pack = _pack(version)
    for name in pack.schemas:
        for value in _GARBAGE:
            for expected in (value, {"x": value}):
                fast, slow = _differences_both_ways(monkeypatch, pack, name, expected, value)
                assert fast == slow, (name, value)


def test_one_walker_keeps_each_walk_apart() -> None:
    walker = Walker(_pack("0.15.0"))
    first = walker.canonical("CheckpointArchiveUrlResponse", {"url": "u", "expires": 1764160215})
    second = walker.canonical("CheckpointArchiveUrlResponse", {"url": "u"})
    assert first.texts_by_pointer() == {"/expires": "1764160215"}
    assert second.texts_by_pointer() == {}
    assert ("expires",) in first.nodes
    assert ("expires",) not in second.nodes
