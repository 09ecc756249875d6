"""Facts travel as typed data between the layers, never inside a message.

- A rejection's kind and HTTP status are fields (``Rejected.kind``,
  ``Rejected.status``), carried over the protocol as ``reason`` and
  ``status``; a protocol violation is its own result (``ProtocolError``).
- ``call`` and ``request`` answer ``Returned`` in process and over the
  protocol alike.
- The raw results file is read back through its published schema: a
  malformed one is bad input (exit 2) naming the file and the JSON pointer.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from conformance import SpecPack
from conformance.adapters import Call, ProtocolError, Rejected, Returned
from conformance.adapters._messages import result_of
from conformance.reference.adapter import TinkerSdkAdapter
from tests._lines import line, run_session
from tests._results import finding, raw_results, run_cli

SERVER = [sys.executable, "-m", "conformance.reference.server"]

#: (description, response to a ``call``, the result it must give)
PROTOCOL_CASES = [
    (
        "a rejection's reason and status are the result's kind and status",
        {
            "ok": False,
            "error": {"kind": "rejected", "reason": "api-status", "status": 404, "message": "gone"},
        },
        Rejected(kind="api-status", status=404, message="gone"),
    ),
    (
        "a rejection without a reason has no kind, whatever its message says",
        {"ok": False, "error": {"kind": "rejected", "message": "invalid-value: looks like a kind"}},
        Rejected(message="invalid-value: looks like a kind"),
    ),
    (
        "a value names its type where the adapter gives one",
        {"ok": True, "value": {"returned": 1}, "type": "Cursor"},
        Returned(value={"returned": 1}, type_name="Cursor"),
    ),
    (
        "a status that is not an integer is a protocol error",
        {
            "ok": False,
            "error": {"kind": "rejected", "reason": "api-status", "status": "404", "message": "x"},
        },
        ProtocolError,
    ),
    (
        "a reason that is not a string is a protocol error",
        {"ok": False, "error": {"kind": "rejected", "reason": 7, "message": "x"}},
        ProtocolError,
    ),
]


@pytest.mark.parametrize(
    ("response", "expected"),
    [(r, e) for _, r, e in PROTOCOL_CASES],
    ids=[d for d, _, _ in PROTOCOL_CASES],
)
def test_responses_become_typed_results(response: dict[str, object], expected: object) -> None:
    got = result_of(Call.call("ModelInput.empty", {}), {"id": 1, **response})
    if isinstance(expected, type):
        assert isinstance(got, expected), got
    else:
        assert got == expected


@pytest.mark.sdk
def test_the_reference_server_sends_the_kind_of_its_rejections(sdk_pack: SpecPack) -> None:
    """Over the protocol, the reference's helper error arrives with its reason,
    and means what it means in process."""
    args = {"tinker_path": "http://not/a/tinker/path"}
    helper = "ParsedCheckpointTinkerPath.from_tinker_path"
    in_process = TinkerSdkAdapter(sdk_pack).call(helper, args)
    if not isinstance(in_process, Rejected):
        pytest.skip(f"{helper} does not refuse this path in tinker {sdk_pack.version}")
    responses, done = run_session(
        [*SERVER, "--spec", sdk_pack.version],
        [
            line({"id": 1, "op": "call", "helper": helper, "args": args}),
            line({"id": 2, "op": "stop"}),
        ],
    )
    assert done.returncode == 0, done.stderr.decode()
    error = responses[0]["error"]
    assert (error["kind"], error["reason"]) == ("rejected", in_process.kind)
    assert result_of(Call.call(helper, args), responses[0]) == in_process


@pytest.mark.parametrize(
    ("edit", "pointer"),
    [
        (lambda raw: raw.pop("subjects"), "#/"),
        (lambda raw: raw["findings"][0].pop("subject"), "#/findings/0"),
        (lambda raw: raw["findings"][0].update(occurrences=0), "#/findings/0/occurrences"),
        (
            lambda raw: raw["covered"].update({"shape": {"LoraConfig": "many"}}),
            "#/covered/shape/LoraConfig",
        ),
    ],
    ids=[
        "no subjects",
        "a finding without its subject",
        "zero occurrences",
        "a count that is not a number",
    ],
)
def test_a_malformed_results_file_is_bad_input(tmp_path: Path, edit: object, pointer: str) -> None:
    raw = raw_results([finding()])
    edit(raw)  # type: ignore[operator]
    results = tmp_path / "r.json"
    results.write_text(json.dumps(raw))
    for command in (
        ["report", str(results), "--out-dir", str(tmp_path / "out")],
        ["baseline", "write", str(results), "--out", str(tmp_path / "b.json")],
    ):
        done = run_cli(*command)
        assert done.returncode == 2, done.stderr
        assert f"{results}{pointer}" in done.stderr, done.stderr
        assert "results.schema.json" in done.stderr
    assert not (tmp_path / "out").exists()
    assert not (tmp_path / "b.json").exists()
