"""The JavaScript example adapter (adapters/js/tinker-adapter.mjs), driven by
piping JSON lines into ``node``: it speaks protocol 1, gets its types right
where JavaScript can, and differs from the reference exactly where JavaScript
itself does (millisecond dates, doubles, no integer type). Those differences
are asserted here as the expected findings of the suite.

Needs ``node`` on PATH; without it these tests fail, they never skip."""

from __future__ import annotations

import json
import shutil
from functools import cache
from typing import Any

import pytest

from conformance import SpecPack, load_pack
from conformance.canonical import compare
from conformance.cases import TypeCase, load_type_cases
from conformance.shapes import compare_shapes, expected_shape
from tests._lines import ROOT, Conversation, assert_valid_response, line, run_session

SCRIPT = ROOT / "adapters" / "js" / "tinker-adapter.mjs"
SPEC = "0.15.0"
TYPES = [
    "Checkpoint",
    "CheckpointArchiveUrlResponse",
    "CheckpointType",
    "CreateModelRequest",
    "Cursor",
    "GetServerCapabilitiesResponse",
    "LoraConfig",
    "SamplingParams",
    "SupportedModel",
    "TensorData",
    "TensorDtype",
]

#: What the suite is expected to find in fixture round trips: a JavaScript
#: Date holds milliseconds, so the microseconds of this fixture are lost.
EXPECTED_ROUNDTRIP = {
    "0.15.0/types/Checkpoint/edge-time-offset-fraction.json": [("value-changed", "/time")],
}

#: What type-parity is expected to find: JavaScript declares every number as
#: ``number`` (SHAPES.md: "Integers"), so integer fields are weakened and the
#: integer branches of two unions are gone.
EXPECTED_SHAPES = {
    "Checkpoint": [("size_bytes", "type-weakened")],
    "CreateModelRequest": [("model_seq_id", "type-weakened")],
    "Cursor": [
        ("limit", "type-weakened"),
        ("offset", "type-weakened"),
        ("total_count", "type-weakened"),
    ],
    "LoraConfig": [("rank", "type-weakened"), ("seed", "type-weakened")],
    "SamplingParams": [
        ("max_tokens", "type-weakened"),
        ("seed", "type-weakened"),
        ("stop", "type-changed"),
        ("top_k", "type-weakened"),
    ],
    "TensorData": [("data", "type-changed"), ("shape", "type-weakened")],
}


@cache
def _node() -> str:
    found = shutil.which("node")
    if found is None:
        pytest.fail(
            "`node` is not on PATH: the JavaScript adapter cannot be tested (install Node 18+)"
        )
    return found


def _command() -> list[str]:
    return [_node(), str(SCRIPT)]


@pytest.fixture(scope="module")
def pack() -> SpecPack:
    return load_pack(SPEC)


@cache
def _cases() -> list[TypeCase]:
    return [c for c in load_type_cases(SPEC) if c.type_name in TYPES]


def _session(*requests: Any) -> list[Any]:
    lines = [r if isinstance(r, bytes) else line(r) for r in requests]
    responses, done = run_session(_command(), lines)
    assert done.returncode == 0, done.stderr.decode()
    for response in responses:
        assert_valid_response(response)
    return responses


def _batch(requests: list[dict[str, Any]]) -> list[Any]:
    """Every request in one batch; the results, in order."""
    responses = _session({"id": 0, "op": "batch", "requests": requests}, {"id": 1, "op": "stop"})
    assert [r["id"] for r in responses] == [0, 1]
    results: list[Any] = responses[0]["results"]
    assert [r["id"] for r in results] == [r["id"] for r in requests]
    return results


def _valid(type_name: str, name: str = "gen-full.json") -> Any:
    return next(c.payload for c in _cases() if c.id == f"{SPEC}/types/{type_name}/{name}")


def test_node_is_there() -> None:
    assert _node()


def test_hello_claims_its_types_for_the_0_15_0_pack(pack: SpecPack) -> None:
    (hello,) = _session({"id": 0, "op": "hello", "protocol": "1", "spec_version": SPEC})
    assert hello["ok"] is True
    info = hello["hello"]
    assert (info["language"], info["spec_version"], info["protocol"]) == ("javascript", SPEC, "1")
    assert info["ops"] == ["hello", "decode", "construct", "inspect", "batch", "stop"]
    assert sorted(info["types"]) == TYPES
    assert set(info["types"]) <= set(pack.types)


def test_hello_names_where_it_defines_some_types() -> None:
    """The example shows the optional ``sources`` of hello: each entry points
    at the line of the script that defines the type (docs/PROTOCOL.md)."""
    (hello,) = _session({"id": 0, "op": "hello", "protocol": "1", "spec_version": SPEC})
    sources = hello["hello"]["sources"]
    assert sources
    assert set(sources) <= set(TYPES)
    lines = SCRIPT.read_text(encoding="utf-8").splitlines()
    for name, where in sources.items():
        file, line = where.rsplit(":", 1)
        assert ROOT / file == SCRIPT
        assert lines[int(line) - 1].startswith(f"export class {name} "), where


def test_a_session_validates_and_means_the_right_thing() -> None:
    checkpoint = _valid("Checkpoint")
    responses = _session(
        {"id": 0, "op": "hello", "protocol": "1"},
        {"id": 1, "op": "decode", "type": "LoraConfig", "payload": _valid("LoraConfig")},
        {"id": 2, "op": "decode", "type": "LoraConfig", "payload": {"rank": "eight"}},
        {"id": 3, "op": "construct", "type": "LoraConfig", "args": {"rank": 8}},
        {"id": 4, "op": "construct", "type": "LoraConfig", "args": {}},
        {"id": 5, "op": "inspect", "type": "Checkpoint", "payload": checkpoint},
        {"id": 6, "op": "decode", "type": "Datum", "payload": {}},
        {"id": 7, "op": "call", "helper": "ModelInput.empty", "args": {}},
        b'{"id": 8, "op": "decode", "type": \n',
        b"not json\n",
        {
            "id": 9,
            "op": "batch",
            "requests": [
                {"id": 10, "op": "decode", "type": "CheckpointType", "payload": "sampler"},
                {"id": 11, "op": "inspect", "type": "TensorDtype", "payload": "int64"},
                {"id": 12, "op": "construct", "type": "TensorDtype", "args": {}},
                {"id": 13, "op": "stop"},
            ],
        },
        {"id": 14, "op": "stop"},
        {"id": 15, "op": "hello", "protocol": "1"},
    )
    got = {r["id"]: r for r in responses}
    assert sorted(got) == [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 14]
    assert got[1]["wire"] == _valid("LoraConfig")
    assert got[2]["error"]["kind"] == "rejected"
    assert "LoraConfig.rank" in got[2]["error"]["message"]
    assert got[3]["wire"] == {
        "rank": 8,
        "seed": None,
        "train_unembed": True,
        "train_mlp": True,
        "train_attn": True,
    }
    assert got[4]["error"]["kind"] == "rejected"
    assert got[5]["shape"]["type"] == "struct:Checkpoint"
    assert got[5]["shape"]["fields"]["time"] == "datetime"
    assert got[6]["error"] | {"message": ""} == {
        "kind": "unsupported",
        "what": "type",
        "name": "Datum",
        "message": "",
    }
    assert (got[7]["error"]["what"], got[7]["error"]["name"]) == ("op", "call")
    assert got[8]["error"]["kind"] == "internal"
    assert "malformed" in got[8]["error"]["message"]
    batch = got[9]["results"]
    assert batch[0] == {"id": 10, "ok": True, "wire": "sampler"}
    assert batch[1] == {"id": 11, "ok": True, "shape": {"type": "enum:TensorDtype"}}
    assert batch[2]["error"]["kind"] == "unsupported"
    assert batch[3]["error"]["kind"] == "internal"
    assert got[14] == {"id": 14, "ok": True, "stopped": True}


@pytest.mark.parametrize("case", ["edge-rank-only.json", "gen-full.json", "gen-minimal.json"])
def test_a_valid_lora_config_round_trips(pack: SpecPack, case: str) -> None:
    fixture = next(c for c in _cases() if c.id == f"{SPEC}/types/LoraConfig/{case}")
    (answer,) = _batch(
        [{"id": 1, "op": "decode", "type": "LoraConfig", "payload": fixture.payload}]
    )
    assert answer["ok"] is True
    assert compare(pack, "LoraConfig", fixture.canonical, answer["wire"]) == []


def test_every_other_type_is_unsupported(pack: SpecPack) -> None:
    others = sorted(set(pack.types) - set(TYPES))
    assert others
    results = _batch(
        [{"id": i, "op": "decode", "type": t, "payload": {}} for i, t in enumerate(others)]
        + [{"id": len(others), "op": "decode", "type": "__proto__", "payload": {}}]
    )
    for type_name, result in zip([*others, "__proto__"], results, strict=True):
        assert result["error"] == {
            "kind": "unsupported",
            "what": "type",
            "name": type_name,
            "message": result["error"]["message"],
        }


@pytest.mark.parametrize("type_name", ["LoraConfig", "CreateModelRequest", "TensorData"])
def test_a_strict_type_rejects_an_unknown_field(type_name: str) -> None:
    payload = {**_valid(type_name), "zz_unknown_field": 1}
    (answer,) = _batch([{"id": 1, "op": "decode", "type": type_name, "payload": payload}])
    assert answer["error"]["kind"] == "rejected"
    assert "zz_unknown_field" in answer["error"]["message"]


def test_a_lenient_type_ignores_an_unknown_field(pack: SpecPack) -> None:
    payload = {**_valid("Cursor"), "zz_unknown_field": 1}
    (answer,) = _batch([{"id": 1, "op": "decode", "type": "Cursor", "payload": payload}])
    assert answer["wire"] == _valid("Cursor")


def test_microseconds_come_back_as_milliseconds(pack: SpecPack) -> None:
    """Expected JavaScript behaviour, which the suite reports as a real
    finding: a Date holds whole milliseconds and no offset, so
    ``12:30:15.123456+05:30`` comes back as ``07:00:15.123Z``: the same
    instant to the millisecond, 456 microseconds short (``value-changed``)."""
    fixture = next(
        c for c in _cases() if c.id == f"{SPEC}/types/Checkpoint/edge-time-offset-fraction.json"
    )
    assert fixture.payload["time"] == "2025-11-26T12:30:15.123456+05:30"
    (answer,) = _batch(
        [{"id": 1, "op": "decode", "type": "Checkpoint", "payload": fixture.payload}]
    )
    assert answer["wire"]["time"] == "2025-11-26T07:00:15.123Z"
    differences = compare(pack, "Checkpoint", fixture.canonical, answer["wire"])
    assert [(d.category, d.path) for d in differences] == [("value-changed", "/time")]
    assert differences[0].expected == "2025-11-26T07:00:15.123456Z"
    assert differences[0].actual == "2025-11-26T07:00:15.123000Z"


def test_every_fixture_of_its_types(pack: SpecPack) -> None:
    """Valid fixtures round-trip to their canonical form but for the expected
    findings; invalid fixtures are all rejected."""
    cases = _cases()
    results = _batch(
        [
            {"id": i, "op": "decode", "type": c.type_name, "payload": c.payload}
            for i, c in enumerate(cases)
        ]
    )
    found: dict[str, list[tuple[str, str]]] = {}
    for case, result in zip(cases, results, strict=True):
        if not case.valid:
            assert result["ok"] is False, case.id
            assert result["error"]["kind"] == "rejected", (case.id, result)
            continue
        assert result["ok"] is True, (case.id, result)
        differences = compare(pack, case.type_name, case.canonical, result["wire"])
        if differences:
            found[case.id] = [(d.category, d.path) for d in differences]
    assert found == EXPECTED_ROUNDTRIP


def test_inspect_shapes_differ_only_where_javascript_must(pack: SpecPack) -> None:
    results = _batch(
        [
            {"id": i, "op": "inspect", "type": t, "payload": _valid_payload(t)}
            for i, t in enumerate(TYPES)
        ]
    )
    found = {}
    for type_name, result in zip(TYPES, results, strict=True):
        differences = compare_shapes(expected_shape(pack, type_name), result["shape"])
        if differences:
            found[type_name] = sorted((d.field, d.category) for d in differences)
    assert found == EXPECTED_SHAPES


def _valid_payload(type_name: str) -> Any:
    return next(c.payload for c in _cases() if c.type_name == type_name and c.valid)


def test_construct_has_the_reference_defaults_and_required_fields(pack: SpecPack) -> None:
    """What the ``shape`` check does: required arguments alone give the minimal
    fixture's canonical form; leaving one out is refused."""
    requests: list[dict[str, Any]] = []
    expected: list[tuple[str, Any]] = []
    for case in _cases():
        if not (case.valid and case.id.endswith("/gen-minimal.json")):
            continue
        if pack.types[case.type_name]["kind"] in ("enum",):
            continue
        required = pack.schemas[case.type_name].get("required", [])
        args = {k: v for k, v in case.payload.items() if k in required}
        requests.append(
            {"id": len(requests), "op": "construct", "type": case.type_name, "args": args}
        )
        expected.append((case.type_name, case.canonical))
        for name in required:
            partial = {k: v for k, v in args.items() if k != name}
            requests.append(
                {"id": len(requests), "op": "construct", "type": case.type_name, "args": partial}
            )
            expected.append((case.type_name, None))
    results = _batch(requests)
    for (type_name, canonical), result in zip(expected, results, strict=True):
        if canonical is None:
            assert result["error"]["kind"] == "rejected", (type_name, result)
        else:
            assert compare(pack, type_name, canonical, result["wire"]) == [], type_name


def test_answers_come_one_line_at_a_time() -> None:
    talk = Conversation(_command())
    try:
        for i in range(3):
            answer = talk.ask(
                {"id": i, "op": "decode", "type": "Cursor", "payload": _valid("Cursor")}
            )
            assert_valid_response(answer)
            assert answer["id"] == i
        assert talk.ask({"id": 9, "op": "stop"}) == {"id": 9, "ok": True, "stopped": True}
    finally:
        code = talk.close()
    assert code == 0


@pytest.mark.parametrize(
    ("raw", "answered"),
    [
        (b"[1, 2]\n", None),
        (b'{"id": -3, "op": "hello"}\n', None),
        (b'{"id": 3}\n', "internal"),
        (b'{"id": 3, "op": "toString"}\n', "unsupported"),
        (b'{"id": 3, "op": "decode", "type": "LoraConfig"}\n', "internal"),
        (b'{"id": 3, "op": "decode", "type": ["LoraConfig"], "payload": {}}\n', "internal"),
        (b'{"id": 3, "op": "batch", "requests": 5}\n', "internal"),
        (b'{"id": 3, "op": "hello", "protocol": "2"}\n', "unsupported"),
        (
            b'{"id": 3, "op": "decode", "type": "SamplingParams", "payload": {"top_p": 1e400}}\n',
            "rejected",
        ),
        (
            b'{"id": 3, "op": "decode", "type": "LoraConfig", "payload": ' + b"[" * 100000 + b"\n",
            "internal",
        ),
        (
            b'{"id": 3, "op": "decode", "type": "CreateModelRequest", "payload": '
            b'{"session_id": "s", "model_seq_id": 1, "base_model": "b", '
            b'"user_metadata": {"__proto__": {"x": 1}}}}\n',
            "ok",
        ),
        (
            b'\xef\xbb\xbf{"id": 3, "op": "decode", "type": "Cursor", "payload": '
            b'{"offset": 1, "limit": 1, "total_count": 1}}\r\n',
            "ok",
        ),
    ],
)
def test_bad_input_never_kills_it(raw: bytes, answered: str | None) -> None:
    responses = _session(raw, {"id": 99, "op": "stop"})
    assert responses[-1] == {"id": 99, "ok": True, "stopped": True}
    if answered is None:
        assert len(responses) == 1
        return
    assert len(responses) == 2
    assert responses[0]["id"] == 3
    if answered == "ok":
        assert responses[0]["ok"] is True
    else:
        assert responses[0]["error"]["kind"] == answered, responses[0]


def test_proto_keys_stay_data() -> None:
    payload = {
        "session_id": "s",
        "model_seq_id": 1,
        "base_model": "b",
        "user_metadata": json.loads('{"__proto__": {"polluted": true}, "k": 1}'),
    }
    (answer,) = _batch(
        [{"id": 1, "op": "decode", "type": "CreateModelRequest", "payload": payload}]
    )
    assert answer["wire"]["user_metadata"] == {"__proto__": {"polluted": True}, "k": 1}


def test_non_ascii_and_lone_surrogates_survive() -> None:
    text = "caf\u00e9 \u4e2d\u6587 \U0001f600 \ud800 \udfff"
    responses = _session(
        b'{"id": 1, "op": "decode", "type": "SupportedModel", "payload": '
        + json.dumps({"model_name": text}, ensure_ascii=True).encode()
        + b"}\n",
        b'{"id": 2, "op": "decode", "type": "SupportedModel", "payload": '
        + json.dumps({"model_name": "caf\u00e9 \u4e2d"}, ensure_ascii=False).encode()
        + b"}\n",
        {"id": 3, "op": "stop"},
    )
    assert responses[0]["wire"] == {"model_name": text}
    assert responses[1]["wire"] == {"model_name": "caf\u00e9 \u4e2d"}


def test_large_integers_lose_digits_as_javascript_numbers(pack: SpecPack) -> None:
    """Expected JavaScript behaviour the suite reports (``value-changed``):
    JSON.parse reads integers as doubles."""
    payload = {"offset": 12345678901234567890, "limit": 1, "total_count": 1}
    (answer,) = _batch([{"id": 1, "op": "decode", "type": "Cursor", "payload": payload}])
    assert answer["wire"]["offset"] == 12345678901234567000
    differences = compare(pack, "Cursor", payload, answer["wire"])
    assert [(d.category, d.path) for d in differences] == [("value-changed", "/offset")]
