"""The reference SDK as a protocol-1 adapter program
(``python -m conformance.reference.server``), driven by piping JSON
lines into it: every response is valid protocol, means what the in-process
adapter means, and no input makes it crash or write anything but protocol."""

from __future__ import annotations

import json
import sys
from typing import Any

import pytest

from conformance import SpecPack
from conformance.adapters import Encoded, Inspected, Returned
from conformance.cases import load_type_cases
from conformance.reference._classes import installed_version
from conformance.reference.adapter import TinkerSdkAdapter
from conformance.shapes import compare_shapes, expected_shape
from conformance.spec import available_versions
from tests._lines import Conversation, assert_valid_response, line, run_session

pytestmark = pytest.mark.sdk

SERVER = [sys.executable, "-m", "conformance.reference.server"]

CHECKPOINT = {
    "checkpoint_id": "weights/0005 \u00e9\u4e2d\U0001f600",
    "checkpoint_type": "training",
    "time": "2025-11-26T12:30:15.123456+05:30",
    "tinker_path": "tinker://run-7c1f/weights/0005",
}


def _by_id(responses: list[Any]) -> dict[int, Any]:
    for response in responses:
        assert_valid_response(response)
    found = {r["id"]: r for r in responses}
    assert len(found) == len(responses), "ids answered twice"
    return found


def _error(response: Any, kind: str) -> dict[str, Any]:
    assert response["ok"] is False, response
    error: dict[str, Any] = response["error"]
    assert error["kind"] == kind, response
    return error


def test_a_session_means_what_the_adapter_means(sdk_pack: SpecPack) -> None:
    adapter = TinkerSdkAdapter(sdk_pack)
    requests = [
        line({"id": 0, "op": "hello", "protocol": "1", "spec_version": sdk_pack.version}),
        line({"id": 1, "op": "decode", "type": "LoraConfig", "payload": {"rank": 8}}),
        line({"id": 2, "op": "decode", "type": "LoraConfig", "payload": {"rank": "eight"}}),
        line({"id": 3, "op": "construct", "type": "LoraConfig", "args": {"rank": 8}}),
        line({"id": 4, "op": "inspect", "type": "Checkpoint", "payload": CHECKPOINT}),
        line({"id": 5, "op": "decode", "type": "NoSuchType", "payload": {}}),
        line({"id": 6, "op": "teleport"}),
        b'{"id": 7, "op": "decode", "type": "LoraConfig", "payload": {"rank": \n',  # cut short
        b"not json at all\n",  # no id to answer under: logged only
        b"\n",
        line({"id": 8, "op": "decode", "type": "LoraConfig"}),  # no payload
        line(
            {
                "id": 9,
                "op": "batch",
                "requests": [
                    {"id": 10, "op": "decode", "type": "Checkpoint", "payload": CHECKPOINT},
                    {"id": 11, "op": "construct", "type": "LoraConfig", "args": {}},
                    {"id": 12, "op": "call", "helper": "ModelInput.empty", "args": {}},
                    {"id": 13, "op": "stop"},
                ],
            }
        ),
        line(
            {
                "id": 14,
                "op": "request",
                "endpoint": "get_info",
                "args": {},
                "base_url": "http://127.0.0.1:1",
            }
        ),
        line({"id": 15, "op": "stop"}),
        line({"id": 16, "op": "hello", "protocol": "1"}),  # after stop: never read
    ]
    responses, done = run_session(SERVER, requests)
    assert done.returncode == 0, done.stderr.decode()
    assert [r["id"] for r in responses] == [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 14, 15]
    got = _by_id(responses)

    hello = got[0]["hello"]
    assert (hello["name"], hello["language"], hello["protocol"]) == ("tinker", "python", "1")
    assert hello["version"] == installed_version()
    assert hello["spec_version"] == sdk_pack.version
    assert hello["ops"] == [
        "hello",
        "decode",
        "construct",
        "inspect",
        "call",
        "request",
        "batch",
        "stop",
    ]
    assert hello["types"] == list(adapter.hello().types or ())

    assert got[1] == {"id": 1, "ok": True, "wire": _wire(adapter.decode("LoraConfig", {"rank": 8}))}
    assert "rank" in _error(got[2], "rejected")["message"]
    assert got[3]["wire"] == _wire(adapter.construct("LoraConfig", {"rank": 8}))
    shape = adapter.inspect("Checkpoint", CHECKPOINT)
    assert isinstance(shape, Inspected)
    assert got[4]["shape"] == shape.shape
    assert compare_shapes(expected_shape(sdk_pack, "Checkpoint"), got[4]["shape"]) == []
    assert got[4]["shape"]["fields"]["time"] == "datetime"
    assert _error(got[5], "unsupported") | {"message": ""} == {
        "kind": "unsupported",
        "what": "type",
        "name": "NoSuchType",
        "message": "",
    }
    assert (_error(got[6], "unsupported")["what"], got[6]["error"]["name"]) == ("op", "teleport")
    assert "malformed" in _error(got[7], "internal")["message"]
    assert "payload" in _error(got[8], "internal")["message"]

    batch = got[9]["results"]
    assert [r["id"] for r in batch] == [10, 11, 12, 13]
    for response in batch:
        assert_valid_response(response)
    assert batch[0]["wire"] == _wire(adapter.decode("Checkpoint", CHECKPOINT))
    assert batch[0]["wire"]["checkpoint_id"] == CHECKPOINT["checkpoint_id"]
    assert "rank" in _error(batch[1], "rejected")["message"]
    assert batch[2]["value"] == _value(adapter.call("ModelInput.empty", {}))
    assert "not allowed inside a batch" in _error(batch[3], "internal")["message"]

    error = _error(got[14], "unsupported")
    assert (error["what"], error["name"]) == ("endpoint", "get_info")  # ids are models.get_info
    assert got[15] == {"id": 15, "ok": True, "stopped": True}

    stderr = done.stderr.decode()
    assert "ignored a line without a readable id" in stderr


def _value(result: Any) -> Any:
    assert isinstance(result, Returned), result
    return json.loads(json.dumps(result.value))


def _wire(result: Any) -> Any:
    assert isinstance(result, Encoded), result
    return json.loads(json.dumps(result.wire))


def test_every_valid_fixture_decodes_as_the_in_process_adapter(sdk_pack: SpecPack) -> None:
    adapter = TinkerSdkAdapter(sdk_pack)
    cases = [c for c in load_type_cases(sdk_pack.version) if c.valid]
    assert cases
    requests = [
        {"id": i + 1, "op": "decode", "type": c.type_name, "payload": c.payload}
        for i, c in enumerate(cases)
    ]
    responses, done = run_session(
        SERVER,
        [
            line({"id": 0, "op": "batch", "requests": requests}),
            line({"id": len(cases) + 1, "op": "stop"}),
        ],
    )
    assert done.returncode == 0, done.stderr.decode()
    assert len(responses) == 2
    assert_valid_response(responses[0])
    results = responses[0]["results"]
    assert [r["id"] for r in results] == [r["id"] for r in requests]
    for case, response in zip(cases, results, strict=True):
        expected = _wire(adapter.decode(case.type_name, case.payload))
        assert response == {"id": response["id"], "ok": True, "wire": expected}, case.id


def test_answers_come_one_line_at_a_time(sdk_pack: SpecPack) -> None:
    talk = Conversation(SERVER)
    try:
        hello = talk.ask({"id": 0, "op": "hello", "protocol": "1"})
        assert hello["hello"]["spec_version"] == sdk_pack.version
        for i in range(1, 4):
            answer = talk.ask(
                {"id": i, "op": "decode", "type": "LoraConfig", "payload": {"rank": i}}
            )
            assert_valid_response(answer)
            assert (answer["id"], answer["wire"]["rank"]) == (i, i)
        assert talk.ask({"id": 9, "op": "stop"}) == {"id": 9, "ok": True, "stopped": True}
    finally:
        code = talk.close()
    assert code == 0


@pytest.mark.parametrize("spec", available_versions())
def test_spec_names_the_pack_it_targets(spec: str, sdk_pack: SpecPack) -> None:
    """``--spec`` audits one SDK against another version's pack."""
    responses, done = run_session(
        [*SERVER, "--spec", spec],
        [
            line({"id": 0, "op": "hello", "protocol": "1", "spec_version": spec}),
            line({"id": 1, "op": "decode", "type": "LoraConfig", "payload": {"rank": 4}}),
            line({"id": 2, "op": "stop"}),
        ],
    )
    assert done.returncode == 0, done.stderr.decode()
    got = _by_id(responses)
    assert got[0]["hello"]["spec_version"] == spec
    assert got[0]["hello"]["version"] == installed_version() == sdk_pack.version
    assert got[1]["wire"]["rank"] == 4


def test_an_unknown_spec_is_a_usage_error() -> None:
    _, done = run_session([*SERVER, "--spec", "9.9.9"], [])
    assert done.returncode == 2
    assert done.stdout == b""
    assert "9.9.9" in done.stderr.decode()


@pytest.mark.parametrize(
    ("raw", "answered"),
    [
        (b"[1, 2, 3]\n", None),
        (b'{"op": "hello", "protocol": "1"}\n', None),
        (b'{"id": -1, "op": "hello", "protocol": "1"}\n', None),
        (b'{"id": true, "op": "hello", "protocol": "1"}\n', None),
        (b'{"id": "3", "op": "hello", "protocol": "1"}\n', None),
        (b'{"id": 3, "op": 7}\n', "internal"),
        (b'{"id": 3}\n', "internal"),
        (b'{"id": 3, "op": "decode", "type": 5, "payload": {}}\n', "internal"),
        (b'{"id": 3, "op": "construct", "type": "LoraConfig", "args": [1]}\n', "internal"),
        (b'{"id": 3, "op": "batch", "requests": {}}\n', "internal"),
        (b'{"id": 3, "op": "hello", "protocol": "2"}\n', "unsupported"),
        (b'{"id": 3, "op": "decode", "type": "LoraConfig", "payload": NaN}\n', "internal"),
        (b'{"id": 3, "op": "decode", "type": "LoraConfig", "payload": "\xff\xfe"}\n', "internal"),
        (
            b'{"id": 3, "op": "decode", "type": "LoraConfig", "payload": ' + b"[" * 100000 + b"\n",
            "internal",
        ),
        (
            b'{"id": 3, "op": "decode", "type": "SamplingParams", "payload": {"top_p": 1e400}}\n',
            "internal",
        ),
        (
            b'{"id": 3, "op": "decode", "type": "LoraConfig", "payload": ' + b"9" * 5000 + b"}\n",
            "internal",
        ),
        (
            b'{"id": 3, "op": "decode", "type": "LoraConfig", '
            b'"payload": {"rank": 1, "\\ud800": "\\udfff"}}\n',
            "rejected",
        ),
        (
            b'\xef\xbb\xbf{"id": 3, "op": "decode", "type": "LoraConfig", '
            b'"payload": {"rank": 1}}\r\n',
            "ok",
        ),
    ],
)
def test_bad_input_never_kills_it(raw: bytes, answered: str | None) -> None:
    responses, done = run_session(SERVER, [raw, line({"id": 99, "op": "stop"})])
    assert done.returncode == 0, done.stderr.decode()
    assert responses[-1] == {"id": 99, "ok": True, "stopped": True}
    for response in responses:
        assert_valid_response(response)
    if answered is None:
        assert len(responses) == 1
        return
    assert len(responses) == 2
    assert responses[0]["id"] == 3
    if answered == "ok":
        assert responses[0]["ok"] is True
    else:
        _error(responses[0], answered)


def test_non_ascii_and_lone_surrogates_survive(sdk_pack: SpecPack) -> None:
    text = "caf\u00e9 \u4e2d\u6587 \U0001f600 \ud800 \udfff"
    payload = {"model_name": text}
    raw = b'{"id": 1, "op": "decode", "type": "SupportedModel", "payload": '
    responses, done = run_session(
        SERVER,
        [
            raw + json.dumps(payload, ensure_ascii=True).encode() + b"}\n",
            raw.replace(b'"id": 1', b'"id": 2')
            + json.dumps({"model_name": "caf\u00e9 \u4e2d"}, ensure_ascii=False).encode()
            + b"}\n",
            line({"id": 3, "op": "stop"}),
        ],
    )
    assert done.returncode == 0, done.stderr.decode()
    assert done.stdout.isascii()
    got = _by_id(responses)
    assert got[1]["wire"]["model_name"] == text
    assert got[2]["wire"]["model_name"] == "caf\u00e9 \u4e2d"


def test_end_of_input_is_a_clean_exit() -> None:
    responses, done = run_session(SERVER, [line({"id": 0, "op": "hello", "protocol": "1"})])
    assert done.returncode == 0, done.stderr.decode()
    assert len(responses) == 1
    assert_valid_response(responses[0])


def test_stray_prints_do_not_reach_the_protocol(tmp_path: Any) -> None:
    """A library printing to stdout, from Python or at the file descriptor,
    ends up on stderr."""
    script = tmp_path / "noisy.py"
    script.write_text(
        "import os, sys\n"
        "from conformance.reference import server as s\n"
        "from conformance.reference.adapter import TinkerSdkAdapter as A\n"
        "class Noisy(A):\n"
        "    def decode(self, type_name, payload):\n"
        "        print('noise from print')\n"
        "        os.write(1, b'noise at fd 1\\n')\n"
        "        return super().decode(type_name, payload)\n"
        "import conformance.reference.adapter as m\n"
        "m.TinkerSdkAdapter = Noisy\n"
        "sys.exit(s.main())\n"
    )
    responses, done = run_session(
        [sys.executable, str(script)],
        [
            line({"id": 1, "op": "decode", "type": "LoraConfig", "payload": {"rank": 1}}),
            line({"id": 2, "op": "stop"}),
        ],
    )
    assert done.returncode == 0, done.stderr.decode()
    assert [r["id"] for r in responses] == [1, 2]
    assert b"noise from print" in done.stderr
    assert b"noise at fd 1" in done.stderr


def test_an_optional_op_the_adapter_lacks_is_unsupported() -> None:
    """The server answers as the in-process path does (``run_call``): an
    adapter without ``call`` or ``request`` lacks the op; it did not break."""
    from conformance.adapters import SequentialBatch
    from conformance.reference.server import Server

    class TypeOpsOnly(SequentialBatch):
        pass

    server = Server(TypeOpsOnly())
    for request in (
        {"id": 1, "op": "call", "helper": "ModelInput.empty", "args": {}},
        {"id": 2, "op": "request", "endpoint": "x", "args": {}, "base_url": "http://127.0.0.1:9"},
    ):
        error = server.answer(request)["error"]
        assert (error["kind"], error["what"], error["name"]) == ("unsupported", "op", request["op"])
