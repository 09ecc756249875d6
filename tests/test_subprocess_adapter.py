"""The subprocess adapter against deliberately hostile adapter programs
(tests/hostile/): every misbehaviour becomes a result with the program's
stderr, the run completes quickly, and what was gathered around the failure
stays intact. Most programs run in ``--echo`` mode (no SDK, millisecond
start); the runs that must match the reference use the SDK."""

from __future__ import annotations

import json
import shlex
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from conformance import ConformanceError, SpecPack, load_pack
from conformance._errors import AdapterError
from conformance.adapters import (
    Call,
    Crashed,
    Encoded,
    Errored,
    OpResult,
    ProtocolError,
    Returned,
    TimedOut,
    Unsupported,
)
from conformance.adapters._session import NO_PROXY, STDERR_TAIL, scrubbed_environment
from conformance.adapters.subprocess import (
    BATCH_BYTES,
    RETRIES_PER_NAME,
    RETRIES_PER_OP,
    SubprocessAdapter,
)
from conformance.cases import load_type_cases
from conformance.checks import CHECKS, CheckContext, Outcome, Passed
from conformance.findings import Finding, load_gap_rules
from conformance.load import load_adapter
from conformance.reference.adapter import TinkerSdkAdapter

HOSTILE = Path(__file__).parent / "hostile"
PACK = load_pack("0.15.0")
BEFORE, TRIGGER, AFTER = "AdamParams", "Cursor", "LoraConfig"  # in fixture order


def command(script: str, *args: str) -> list[str]:
    return [sys.executable, str(HOSTILE / f"{script}.py"), *args]


def adapter(script: str, *args: str, **options: Any) -> SubprocessAdapter:
    options.setdefault("timeout", 1.0)
    return SubprocessAdapter(command(script, *args), PACK, **options)


def ask(script: str, calls: list[Call], *args: str, **options: Any) -> list[OpResult]:
    subject = adapter(script, *args, **options)
    try:
        return subject.batch(calls)
    finally:
        subject.close()


AROUND = [
    Call.decode(BEFORE, {"learning_rate": 0.1}),
    Call.decode(TRIGGER, {"offset": 0, "limit": 1, "total_count": 2}),
    Call.decode(AFTER, {"rank": 8}),
]


# -- the environment ---------------------------------------------------------------


def test_scrubbed_environment_drops_credentials_and_keeps_the_basics() -> None:
    base = {
        "TINKER_API_KEY": "tml-secret",
        "TINKER_BASE_URL": "https://tinker.example",
        "OPENAI_API_KEY": "sk",
        "GITHUB_TOKEN": "ghp",
        "hf_token": "lower case too",
        "AWS_SECRET_ACCESS_KEY": "aws",
        "AWS_PROFILE": "prod",
        "MY_SERVICE_SECRET_VALUE": "x",
        "DB_PASSWORD": "x",
        "GOOGLE_APPLICATION_CREDENTIALS": "/key.json",
        "SSH_AUTH_SOCK": "/agent",
        "HTTPS_PROXY": "http://proxy:3128",
        "PIP_INDEX_URL": "https://user:token@pypi.example/simple",
        "PATH": "/usr/bin",
        "HOME": "/home/me",
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "PYTHONPATH": "/src",
        "NODE_PATH": "/node",
        "SYSTEMROOT": "C:\\Windows",
        "TOKENIZERS_PARALLELISM": "false",
        "PWD": "/work",
        # the names issue 12 found passed on by the narrower rules of before
        "SYSTEM_ACCESSTOKEN": "x",
        "CI_JOB_JWT": "x",
        "SLACK_WEBHOOK_URL": "https://hooks.slack.example/T0/B0/x",
        "REDIS_URL": "redis://:pw@cache.example:6379",
        "MYAPIKEY": "x",
        "BEARER": "x",
        "GITHUBTOKEN": "x",
        "HONEYCOMB_WRITEKEY": "x",
        "ALL_PROXY": "socks5://proxy:1080",
        "no_proxy": "internal.example",
    }
    kept = scrubbed_environment(base)
    assert sorted(kept) == sorted(
        [
            "PATH",
            "HOME",
            "LANG",
            "LC_ALL",
            "PYTHONPATH",
            "NODE_PATH",
            "SYSTEMROOT",
            "TOKENIZERS_PARALLELISM",
            "PWD",
            "NO_PROXY",
            "no_proxy",
        ]
    )
    assert kept["no_proxy"] == NO_PROXY["no_proxy"]  # ours, not the runner's


def test_the_adapter_program_receives_no_credentials() -> None:
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": "/home/tester",
        "LANG": "C.UTF-8",
        "TINKER_API_KEY": "tml-must-not-leak",
        "ANTHROPIC_API_KEY": "must-not-leak",
        "NPM_TOKEN": "must-not-leak",
        "AWS_ACCESS_KEY_ID": "must-not-leak",
        "HARMLESS": "kept",
    }
    (result,) = ask("reports_env", [Call.decode("ENV", None)], "--echo", env=env)
    assert isinstance(result, Encoded), result
    seen = result.wire
    assert "must-not-leak" not in str(seen)
    assert seen["HARMLESS"] == "kept"
    assert seen["HOME"] == "/home/tester"
    assert not [name for name in seen if name.startswith(("TINKER_", "AWS_"))]


# -- each misbehaviour, alone ------------------------------------------------------


def _is_protocol(fragment: str) -> Any:
    def check(result: OpResult) -> bool:
        return isinstance(result, ProtocolError) and fragment in result.message

    return check


HOSTILE_CASES = {
    "crashes": (
        lambda r: isinstance(r, Crashed) and r.exit_code == 3,
        "crashing on purpose on Cursor",
    ),
    "hangs": (
        lambda r: isinstance(r, TimedOut) and "no answer to decode Cursor" in r.message,
        "hanging on purpose on Cursor",
    ),
    "garbage": (_is_protocol("DEBUG: look, a Cursor!"), "printing garbage on purpose"),
    "wrong_ids": (_is_protocol("answered with id"), "under a wrong id on purpose"),
    "floods_stderr": (
        lambda r: isinstance(r, Crashed) and r.exit_code == 4,
        "last words: dying on Cursor",
    ),
}


@pytest.mark.parametrize("batching", [True, False], ids=["batch", "one-by-one"])
@pytest.mark.parametrize("script", sorted(HOSTILE_CASES))
def test_a_misbehaviour_is_the_result_of_its_request_only(script: str, batching: bool) -> None:
    expected, words = HOSTILE_CASES[script]
    flags = ["--echo", TRIGGER] + ([] if batching else ["--no-batch"])
    started = time.monotonic()
    before, failed, after = ask(script, AROUND, *flags, timeout=0.5)
    assert time.monotonic() - started < 10
    assert before == Encoded(wire=AROUND[0].data)
    assert after == Encoded(wire=AROUND[2].data)
    assert expected(failed), failed
    assert isinstance(failed, Crashed | TimedOut | Errored | ProtocolError)
    assert words in failed.stderr
    assert len(failed.stderr.encode()) <= STDERR_TAIL


def test_a_stderr_flood_never_blocks_and_only_its_tail_is_kept() -> None:
    """Megabytes on stderr (256 KiB per request, 4 MiB before dying): the
    tail ends with the last words."""
    calls = [Call.decode(BEFORE, {"n": i}) for i in range(12)] + [AROUND[1]]
    results = ask("floods_stderr", calls, "--echo", TRIGGER, timeout=5.0)
    assert results[:-1] == [Encoded(wire=call.data) for call in calls[:-1]]
    assert isinstance(results[-1], Crashed)
    assert results[-1].stderr.rstrip().endswith("last words: dying on Cursor")
    assert len(results[-1].stderr.encode()) <= STDERR_TAIL


def test_a_crash_mid_batch_loses_no_result() -> None:
    """Chunks answered before keep their answers, the request it died on is
    Crashed, the rest of its chunk is asked again after a restart, and
    batching goes on."""
    calls = [Call.decode(BEFORE, {"n": i}) for i in range(10)]
    calls[5] = Call.decode(TRIGGER, {"n": 5})
    subject = adapter("crashes", "--echo", TRIGGER, batch_size=4)
    try:
        results = subject.batch(calls)
        assert [type(r).__name__ for r in results] == ["Encoded"] * 5 + ["Crashed"] + [
            "Encoded"
        ] * 4
        assert [r.wire for r in results if isinstance(r, Encoded)] == [
            c.data for i, c in enumerate(calls) if i != 5
        ]
        assert subject.incidents == []  # the crash was pinned on its request
        assert subject.batch(calls[:2]) == results[:2]
    finally:
        subject.close()


def test_a_request_that_keeps_failing_is_not_sent_again() -> None:
    calls = [Call.decode(TRIGGER, {"n": i}) for i in range(RETRIES_PER_NAME + 2)]
    started = time.monotonic()
    results = ask("hangs", [*calls, AROUND[0]], "--echo", "--no-batch", TRIGGER, timeout=0.3)
    assert time.monotonic() - started < 0.3 * RETRIES_PER_NAME + 5
    assert all(isinstance(r, TimedOut) for r in results[:-1]), results
    sent = [r for r in results[:-1] if isinstance(r, TimedOut) and "not sent" not in r.message]
    assert len(sent) == RETRIES_PER_NAME
    assert results[-1] == Encoded(wire=AROUND[0].data)  # another type is still asked


def test_an_op_that_keeps_failing_is_not_sent_again() -> None:
    calls = [Call.decode(f"Type{i}", {}) for i in range(RETRIES_PER_OP + 3)]
    results = ask(
        "hangs", [*calls, Call.inspect(BEFORE, {})], "--echo", "--no-batch", "*", timeout=0.2
    )
    notes = [getattr(r, "message", "") for r in results[:-1]]
    assert sum("not sent again" in n for n in notes) == 3, notes
    assert isinstance(results[-1], TimedOut)  # inspect is another op: still asked


def test_a_broken_batch_is_asked_again_one_by_one_and_batching_stops() -> None:
    calls = [Call.decode(BEFORE, {"n": i}) for i in range(5)]
    subject = adapter("bad_batch", "--echo")
    try:
        assert subject.batch(calls) == [Encoded(wire=c.data) for c in calls]
        assert len(subject.incidents) == 1
        assert subject.incidents[0].kind == "batching-off"
        assert "batching is off" in subject.incidents[0].message
        assert "answered with 4 results" in subject.incidents[0].message
        assert subject.batch(calls) == [Encoded(wire=c.data) for c in calls]
        assert len(subject.incidents) == 1
    finally:
        subject.close()


@pytest.mark.parametrize(
    ("payload_bytes", "count", "most_per_batch"),
    [
        pytest.param(10, 150, 64, id="small-payloads-fill-batch-size"),
        pytest.param(100_000, 12, 2, id="large-payloads-split-by-bytes"),
    ],
)
def test_batches_are_sized_by_calls_and_by_bytes(
    tmp_path: Path, payload_bytes: int, count: int, most_per_batch: int
) -> None:
    """A batch message closes at ``batch_size`` calls or at ``BATCH_BYTES`` of
    requests, whichever comes first; every call is still answered, in order."""
    record = tmp_path / "seen.jsonl"
    calls = [Call.decode(BEFORE, {"n": i, "text": "x" * payload_bytes}) for i in range(count)]
    results = ask("records_batches", calls, "--echo", f"--record={record}")
    assert results == [Encoded(wire=c.data) for c in calls]
    seen = [json.loads(line) for line in record.read_text().splitlines()]
    batches = [s for s in seen if s["op"] == "batch"]
    assert sum(b["requests"] for b in batches) == count
    assert max(b["requests"] for b in batches) == most_per_batch
    # no message holds more than one request past the byte limit
    assert all(b["bytes"] <= BATCH_BYTES + payload_bytes + 200 for b in batches)


# -- the protocol itself -----------------------------------------------------------


def test_validation_reports_messages_against_the_schemas() -> None:
    decode = Call.decode(BEFORE, {"learning_rate": 0.1})
    assert ask("sloppy", [decode], "--echo", timeout=0.5) == [Encoded(wire=decode.data)]
    (loose,) = ask("sloppy", [decode], "--echo", validate=True, timeout=0.5)
    assert isinstance(loose, ProtocolError), loose
    assert "response.schema.json" in getattr(loose, "message", "")
    (refused,) = ask(
        "good_adapter", [Call(op="construct", name=BEFORE, data=[1])], "--echo", validate=True
    )
    assert isinstance(refused, ProtocolError)
    assert "request.schema.json" in getattr(refused, "message", "")
    assert "was not sent" in getattr(refused, "message", "")


def test_ops_the_hello_does_not_list_are_unsupported_without_asking() -> None:
    results = ask(
        "good_adapter",
        [
            Call(op="call", name="ModelInput.empty", data={}),
            Call(op="frobnicate", name="x", data=1),
        ],
        "--echo",
    )
    assert results == [
        Unsupported(what="op", name="call", message="the adapter's hello does not list op 'call'"),
        Unsupported(what="op", name="frobnicate", message="not an op of protocol 1"),
    ]


def test_helpers_and_api_calls_travel_as_call_and_request() -> None:
    subject = adapter("good_adapter", "--echo", "--calls", validate=True)
    try:
        called = subject.call("ModelInput.from_ints", {"tokens": [1, 2]})
        requested = subject.request("models.get_info", {"model_id": "m"}, "http://127.0.0.1:9")
        batched = subject.batch(
            [
                Call(op="call", name="ModelInput.empty", data={}),
                Call(
                    op="request",
                    name="service.health_check",
                    data={},
                    base_url="http://127.0.0.1:9",
                ),
            ]
        )
    finally:
        subject.close()
    assert called == Returned(value={"helper": "ModelInput.from_ints", "args": {"tokens": [1, 2]}})
    assert requested == Returned(
        value={
            "endpoint": "models.get_info",
            "args": {"model_id": "m"},
            "base_url": "http://127.0.0.1:9",
        }
    )
    assert [type(r).__name__ for r in batched] == ["Returned", "Returned"]


def test_a_payload_json_cannot_carry_is_an_error_of_that_request_only() -> None:
    calls = [Call.decode(BEFORE, {"x": float("nan")}), AROUND[0]]
    subject = adapter("good_adapter", "--echo")
    try:
        bad, good = subject.batch(calls)
        assert isinstance(bad, Errored)
        assert "cannot be sent as JSON" in bad.message
        assert not isinstance(bad, ProtocolError)
        assert good == Encoded(wire=AROUND[0].data)
        assert subject.incidents == []
    finally:
        subject.close()


def test_no_hello_is_an_error_naming_the_command_and_its_stderr() -> None:
    dies = [sys.executable, "-c", "import sys; sys.stderr.write('no luck today\\n'); sys.exit(5)"]
    with pytest.raises(AdapterError, match=r"(?s)exited with code 5.*no luck today"):
        SubprocessAdapter(dies, PACK).hello()
    with pytest.raises(AdapterError, match="cannot start"):
        SubprocessAdapter(["/nonexistent/adapter"], PACK).hello()
    silent = [sys.executable, "-c", "import time; time.sleep(60)"]
    started = time.monotonic()
    with pytest.raises(AdapterError, match=r"no answer to hello within 0\.5 s"):
        SubprocessAdapter(silent, PACK, timeout=0.5, startup_timeout=0.5).hello()
    assert time.monotonic() - started < 5


def test_close_stops_a_program_that_lingers_after_stop() -> None:
    subject = adapter("sloppy", "--echo", timeout=0.5)
    subject.hello()
    session = subject._session
    assert session is not None
    started = time.monotonic()
    subject.close()
    assert time.monotonic() - started < 3
    assert session.process.poll() is not None
    subject.close()  # twice is fine


def test_subprocess_adapter_strings() -> None:
    line = shlex.join(command("good_adapter", "--echo"))
    loaded = load_adapter(f"subprocess:{line}", PACK, timeout=3.0, validate=True)
    assert isinstance(loaded, SubprocessAdapter)
    assert loaded.command == tuple(command("good_adapter", "--echo"))
    assert (loaded.timeout, loaded.validate) == (3.0, True)
    with pytest.raises(ConformanceError, match="expected subprocess:<command line>"):
        load_adapter("subprocess:   ", PACK)
    with pytest.raises(ConformanceError, match="cannot split"):
        load_adapter("subprocess:node 'unclosed", PACK)


# -- whole runs --------------------------------------------------------------------

FIXTURE_CHECKS = ["fixture-roundtrip", "strictness", "shape", "type-parity"]


def _outcomes(
    pack: SpecPack, subject: Any, checks: list[str], types: set[str] | None = None
) -> list[Outcome]:
    """Every outcome of ``checks`` on the golden cases (of ``types``), then closed."""
    cases = [c for c in load_type_cases(pack.version) if types is None or c.type_name in types]
    ctx = CheckContext(pack=pack, adapter=subject, cases=cases, rules=load_gap_rules())
    outcomes: list[Outcome] = []
    try:
        for name in checks:
            outcomes.extend(CHECKS[name].run(ctx))
    finally:
        subject.close()
    return outcomes


CATEGORY = {
    "crashes": "adapter-error",
    "hangs": "adapter-error",
    "floods_stderr": "adapter-error",
    "garbage": "protocol-error",
    "wrong_ids": "protocol-error",
}


@pytest.mark.parametrize("script", sorted(CATEGORY))
def test_a_hostile_run_completes_and_says_what_happened(script: str) -> None:
    """Around the trigger type, every outcome is the one a well-behaved
    program gives; on it, findings of the right category with stderr."""
    types = {BEFORE, TRIGGER, AFTER}
    checks = ["fixture-roundtrip", "strictness"]
    good = _outcomes(PACK, adapter("good_adapter", "--echo"), checks, types)
    started = time.monotonic()
    hostile = _outcomes(PACK, adapter(script, "--echo", TRIGGER, timeout=0.5), checks, types)
    assert time.monotonic() - started < 20
    assert [o for o in hostile if o.type_name != TRIGGER] == [
        o for o in good if o.type_name != TRIGGER
    ]
    on_trigger = [o for o in hostile if o.type_name == TRIGGER]
    assert len(on_trigger) == len([o for o in good if o.type_name == TRIGGER])
    assert all(isinstance(o, Finding) for o in on_trigger), on_trigger
    findings = [o for o in on_trigger if isinstance(o, Finding)]
    assert {f.category for f in findings} == {CATEGORY[script]}
    assert {f.severity for f in findings} == {"high"}
    assert all(f.stderr for f in findings)


@pytest.mark.sdk
@pytest.mark.parametrize("flags", [(), ("--no-batch",)], ids=["batch", "one-by-one"])
def test_a_run_through_the_protocol_matches_the_in_process_run(
    sdk_pack: SpecPack, flags: tuple[str, ...]
) -> None:
    in_process = _outcomes(sdk_pack, TinkerSdkAdapter(sdk_pack), FIXTURE_CHECKS)
    through = SubprocessAdapter(command("good_adapter", *flags), sdk_pack, validate=True)
    assert _outcomes(sdk_pack, through, FIXTURE_CHECKS) == in_process
    assert all(isinstance(o, Passed) for o in in_process)
    assert len(in_process) > 500


def test_a_hello_may_list_types_without_a_decoder() -> None:
    """``encode_only`` is read into ``Hello.encode_only``; anything but a
    list of strings breaks the protocol."""
    from conformance.adapters._messages import ProtocolViolation, hello_of

    hello = {
        "name": "p",
        "language": "l",
        "version": "1",
        "spec_version": "0.15.0",
        "ops": ["hello", "decode", "stop"],
        "protocol": "1",
    }
    assert hello_of({"ok": True, "hello": hello}).encode_only == ()
    listed = hello_of({"ok": True, "hello": {**hello, "encode_only": ["CreateModelRequest"]}})
    assert listed.encode_only == ("CreateModelRequest",)
    with pytest.raises(ProtocolViolation, match="encode_only"):
        hello_of({"ok": True, "hello": {**hello, "encode_only": "CreateModelRequest"}})
