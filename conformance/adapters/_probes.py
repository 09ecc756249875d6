"""``tinker-conformance adapter-check``: an adapter program's protocol
compliance alone, probe by probe, each failure explained with a fix.

The probes speak to the program directly (raw lines, odd ids, unknown ops,
broken requests), which the runner never does, so a port author learns
about a protocol slip before it turns into a confusing finding. A probe that
crashes or desynchronises the program gets a fresh program for the next.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from conformance.adapters._messages import (
    ANSWER_KEY,
    PROTOCOL,
    NoAnswer,
    ProtocolViolation,
    await_answer,
    encode,
    hello_of,
    short,
    violation,
)
from conformance.adapters._results import Hello
from conformance.adapters._session import Session, scrubbed_environment
from conformance.cases import TypeCase

__all__ = ["Probe", "probe_adapter"]

#: A type no pack has, for the unknown-type probe.
UNKNOWN_TYPE = "XProbeNoSuchType"
#: An op no protocol version has, for the unknown-op probe.
UNKNOWN_OP = "x-probe-unknown-op"
#: The largest id every JSON reader keeps exact (2**53 - 1).
BIG_ID = 9007199254740991


@dataclass(frozen=True, kw_only=True)
class Probe:
    """The verdict of one probe: what was seen and, on failure, how to fix it."""

    name: str
    passed: bool
    detail: str
    hint: str = ""
    stderr: str = ""


class _Broken(Exception):
    """The program crashed, hung or wrote something that is not its answer."""


class _Conversation:
    """One program at a time, started again after it breaks."""

    def __init__(
        self, command: Sequence[str], spec: str, env: Mapping[str, str], timeout: float
    ) -> None:
        self.command = command
        self.spec = spec
        self.env = env
        self.timeout = timeout
        self.session: Session | None = None
        self.ids = iter(range(1, BIG_ID))
        self.last_stderr = ""  # of the last program that ended

    def next_id(self) -> int:
        return next(self.ids)

    def start(self) -> Session:
        self.end()
        self.session = Session(self.command, self.env)
        return self.session

    def running(self) -> Session:
        """The program, started (and greeted) again if the last probe broke it."""
        if self.session is None or not self.session.running():
            session = self.start()
            request_id = self.next_id()
            self.exchange(self.hello_request(request_id), request_id, startup=True)
            return session
        return self.session

    def hello_request(self, request_id: int) -> dict[str, Any]:
        return {"id": request_id, "op": "hello", "protocol": PROTOCOL, "spec_version": self.spec}

    def exchange(
        self, request: Mapping[str, Any] | bytes, request_id: int, *, startup: bool = False
    ) -> dict[str, Any]:
        """Send ``request`` (a message or a raw line), return the answer with
        ``request_id``; ``_Broken`` (program ended) when anything else comes."""
        session = self.session if self.session is not None else self.running()
        session.send(request if isinstance(request, bytes) else encode(request))
        waited = max(self.timeout, 30.0) if startup else self.timeout
        try:
            return await_answer(session, request_id, time.monotonic() + waited)
        except NoAnswer as missing:
            code = self.end(grace=1.0 if missing.kind == "ended" else 0.0)
            reason = {
                "timeout": f"no answer within {waited:g} s",
                "ended": f"the program exited (code {code}) instead of answering",
                "garbage": f"stdout is for protocol lines only, and it sent {missing.detail}",
                "wrong-id": f"request {request_id} was {missing.detail}",
            }[missing.kind]
            raise _Broken(reason) from None

    def stderr(self) -> str:
        return self.session.stderr_tail() if self.session is not None else self.last_stderr

    def end(self, grace: float = 0.0) -> int | None:
        """Stop the program (killed after ``grace`` seconds); its exit code."""
        session, self.session = self.session, None
        if session is None:
            return None
        code = session.finish(grace=grace)
        self.last_stderr = session.stderr_tail()
        return code


_HINTS = {
    "hello": "Answer {'op': 'hello'} with {'id', 'ok': true, 'hello': {name, language, "
    "version, spec_version, ops, types, protocol: '1'}} on one line of stdout, flushed.",
    "id-echo": "Copy the request's id into the answer as the same integer; ids go up to "
    "2**53 - 1, so do not keep them in a 32-bit integer.",
    "unknown-op": "Answer an op you do not know with ok: false and error {kind: "
    "'unsupported', what: 'op', name: <the op>}: newer runners send ops older adapters lack.",
    "unknown-type": "Answer a type you do not implement with error {kind: 'unsupported', "
    "what: 'type', name: <the type>}; that becomes a missing-type finding, not a crash.",
    "declared-ops": "A listed op answers ok: true with its value (decode and construct: "
    "'wire'; inspect: 'shape') or ok: false with an error of kind rejected, unsupported or "
    "internal.",
    "malformed-request": "A request you cannot read (a field missing or of the wrong type) "
    "is answered with ok: false, kind 'internal', under its id; the program keeps going.",
    "not-json": "A line that is not JSON has no id to answer: log it to stderr, write "
    "nothing to stdout, and read the next line.",
    "batch": "Answer {'op': 'batch', 'requests': [...]} with one line {'id', 'results': "
    "[...]}: one answer per request, in the requests' order, each with its own id.",
    "stop": "Answer {'op': 'stop'} with {'id', 'ok': true, 'stopped': true}, then exit "
    "with status 0.",
    "end-of-input": "Exit (status 0) when stdin ends: the runner may go away without stop.",
}


def probe_adapter(
    command: Sequence[str],
    spec: str,
    cases: Sequence[TypeCase],
    *,
    timeout: float = 10.0,
    env: Mapping[str, str] | None = None,
) -> Iterator[Probe]:
    """Every probe's verdict, in order. ``cases`` (golden fixtures of
    ``spec``) give the payloads of real requests."""
    import os

    talk = _Conversation(
        command, spec, scrubbed_environment(os.environ if env is None else env), timeout
    )
    try:
        hello = yield from _probe_hello(talk)
        if hello is None:
            return
        for name, probe in _PROBES:
            yield _run(talk, name, probe, hello, cases)
    finally:
        talk.end()


ProbeFn = Callable[[_Conversation, Hello, Sequence[TypeCase]], tuple[str | None, str]]


def _run(
    talk: _Conversation, name: str, probe: ProbeFn, hello: Hello, cases: Sequence[TypeCase]
) -> Probe:
    """One probe: (problem or None, what was seen) becomes a ``Probe``."""
    try:
        problem, detail = probe(talk, hello, cases)
    except _Broken as exc:  # its stderr may say why
        return Probe(
            name=name, passed=False, detail=str(exc), hint=_HINTS[name], stderr=talk.stderr()
        )
    except OSError as exc:
        problem, detail = f"cannot start the program: {exc}", ""
    if problem is None:
        return Probe(name=name, passed=True, detail=detail)
    return Probe(name=name, passed=False, detail=problem, hint=_HINTS[name])


def _probe_hello(talk: _Conversation) -> Generator[Probe, None, Hello | None]:
    """The hello probe; returns the hello (None when nothing else can be probed)."""
    request_id = talk.next_id()
    try:
        talk.start()
        response = talk.exchange(talk.hello_request(request_id), request_id, startup=True)
    except (_Broken, OSError) as exc:
        yield Probe(
            name="hello",
            passed=False,
            detail=f"no hello: {exc}; nothing else can be probed",
            hint=_HINTS["hello"],
            stderr=talk.stderr(),
        )
        return None
    problems = []
    schema = violation("response", response)
    if schema is not None:
        problems.append(schema)
    try:
        hello = hello_of(response)
    except ProtocolViolation as exc:
        problems.append(str(exc))
        yield Probe(
            name="hello",
            passed=False,
            detail="; ".join(problems) + "; nothing else can be probed",
            hint=_HINTS["hello"],
            stderr=talk.stderr(),
        )
        return None
    for op in ("hello", "stop"):
        if op not in hello.ops:
            problems.append(f"'ops' must list {op!r} (every adapter answers it)")
    detail = (
        f"{hello.name} ({hello.language} {hello.version}) targets spec {hello.spec_version}; "
        f"ops {', '.join(hello.ops)}; "
        + ("every type" if hello.types is None else f"{len(hello.types)} types")
    )
    if hello.spec_version != talk.spec:
        detail += f" (the runner will use pack {talk.spec})"
    if problems:
        yield Probe(
            name="hello",
            passed=False,
            detail="; ".join(problems),
            hint=_HINTS["hello"],
            stderr=talk.stderr(),
        )
    else:
        yield Probe(name="hello", passed=True, detail=detail)
    return hello


def _fixture(hello: Hello, cases: Sequence[TypeCase], *, minimal: bool = False) -> TypeCase | None:
    """A valid golden case of a type the adapter claims."""
    for case in cases:
        if not case.valid or (hello.types is not None and case.type_name not in hello.types):
            continue
        if minimal and not (
            case.id.endswith("/gen-minimal.json") and isinstance(case.payload, dict)
        ):
            continue
        return case
    return None


def _request(op: str, request_id: int, case: TypeCase) -> dict[str, Any]:
    data = "args" if op == "construct" else "payload"
    return {"id": request_id, "op": op, "type": case.type_name, data: case.payload}


def _error_of(response: Mapping[str, Any]) -> Mapping[str, Any] | None:
    error = response.get("error")
    return error if response.get("ok") is False and isinstance(error, dict) else None


def _probe_id_echo(
    talk: _Conversation, hello: Hello, cases: Sequence[TypeCase]
) -> tuple[str | None, str]:
    talk.running()
    case = _fixture(hello, cases)
    if "decode" in hello.ops and case is not None:
        request: dict[str, Any] = _request("decode", BIG_ID, case)
    else:
        request = talk.hello_request(BIG_ID)
    talk.exchange(request, BIG_ID)  # any other id breaks the conversation
    return None, f"{request['op']} with id {BIG_ID} answered under the same id"


def _probe_unknown_op(
    talk: _Conversation, hello: Hello, cases: Sequence[TypeCase]
) -> tuple[str | None, str]:
    talk.running()
    request_id = talk.next_id()
    response = talk.exchange({"id": request_id, "op": UNKNOWN_OP}, request_id)
    return _expect_unsupported(response, "op", UNKNOWN_OP)


def _probe_unknown_type(
    talk: _Conversation, hello: Hello, cases: Sequence[TypeCase]
) -> tuple[str | None, str]:
    op = next((op for op in ("decode", "inspect") if op in hello.ops), None)
    if op is None:
        return None, "skipped: neither decode nor inspect is listed"
    talk.running()
    request_id = talk.next_id()
    request: dict[str, Any] = {"id": request_id, "op": op, "type": UNKNOWN_TYPE, "payload": {}}
    response = talk.exchange(request, request_id)
    return _expect_unsupported(response, "type", UNKNOWN_TYPE)


def _expect_unsupported(
    response: Mapping[str, Any], what: str, name: str
) -> tuple[str | None, str]:
    error = _error_of(response)
    seen = (error or {}).get("kind"), (error or {}).get("what"), (error or {}).get("name")
    if seen != ("unsupported", what, name):
        return (
            f"answered {short(response)}; expected ok: false with error kind 'unsupported', "
            f"what {what!r}, name {name!r}",
            "",
        )
    return violation("response", response), f"answered unsupported {what} {name!r}"


def _probe_declared_ops(
    talk: _Conversation, hello: Hello, cases: Sequence[TypeCase]
) -> tuple[str | None, str]:
    seen, problems = [], []
    for op in ("decode", "construct", "inspect"):
        if op not in hello.ops:
            continue
        case = _fixture(hello, cases, minimal=op == "construct")
        if case is None:
            problems.append(f"{op}: no golden case of a type the adapter lists")
            continue
        talk.running()
        request_id = talk.next_id()
        response = talk.exchange(_request(op, request_id, case), request_id)
        problem = violation("response", response)
        if problem is None and response.get("ok") is True and ANSWER_KEY[op] not in response:
            problem = f"a successful {op} must carry {ANSWER_KEY[op]!r}"
        if problem is not None:
            problems.append(f"{op} {case.type_name}: {problem}")
            continue
        error = _error_of(response)
        seen.append(f"{op} {case.type_name}: " + (f"error {error['kind']}" if error else "ok"))
    if not seen and not problems:
        return None, "skipped: none of decode, construct, inspect is listed"
    return ("; ".join(problems) or None), "; ".join(seen)


def _probe_malformed(
    talk: _Conversation, hello: Hello, cases: Sequence[TypeCase]
) -> tuple[str | None, str]:
    talk.running()
    request_id = talk.next_id()
    response = talk.exchange({"id": request_id, "op": "decode"}, request_id)
    error = _error_of(response)
    if error is None:
        return f"a decode without type and payload was answered {short(response)}", ""
    follow = talk.next_id()
    talk.exchange(talk.hello_request(follow), follow)
    detail = f"answered error {error.get('kind')!r} and went on"
    if error.get("kind") != "internal":
        detail += " (kind 'internal' is the one meant for malformed requests)"
    return violation("response", response), detail


def _probe_not_json(
    talk: _Conversation, hello: Hello, cases: Sequence[TypeCase]
) -> tuple[str | None, str]:
    talk.running()
    request_id = talk.next_id()
    talk.exchange(b"this line is not JSON {\n" + encode(talk.hello_request(request_id)), request_id)
    return None, "ignored a line that is not JSON and answered the next request"


def _probe_batch(
    talk: _Conversation, hello: Hello, cases: Sequence[TypeCase]
) -> tuple[str | None, str]:
    if "batch" not in hello.ops:
        return None, "not listed: the runner will send one request at a time (slower)"
    case = _fixture(hello, cases)
    op = next((op for op in ("decode", "inspect") if op in hello.ops), None)
    if case is None or op is None:
        return None, "skipped: no decode or inspect of a listed type to batch"
    talk.running()
    low, mid, high = talk.next_id(), talk.next_id(), talk.next_id()
    ids = [high, low, mid]  # answers follow the requests' order, not the ids'
    requests = [
        _request(op, ids[0], case),
        {"id": ids[1], "op": op, "type": UNKNOWN_TYPE, "payload": {}},
        _request(op, ids[2], case),
    ]
    batch_id = talk.next_id()
    response = talk.exchange({"id": batch_id, "op": "batch", "requests": requests}, batch_id)
    results = response.get("results")
    if not isinstance(results, list) or len(results) != len(requests):
        return f"expected 'results' with {len(requests)} answers: {short(response)}", ""
    answered = [r.get("id") if isinstance(r, dict) else None for r in results]
    if answered != ids:
        return f"answers carry ids {answered}; the requests, in order, {ids}", ""
    problem = violation("response", response)
    return problem, f"{len(ids)} answers in request order (ids {ids})"


def _probe_stop(
    talk: _Conversation, hello: Hello, cases: Sequence[TypeCase]
) -> tuple[str | None, str]:
    session = talk.running()
    request_id = talk.next_id()
    response = talk.exchange({"id": request_id, "op": "stop"}, request_id)
    if response.get("ok") is not True or response.get("stopped") is not True:
        return f"stop was answered {short(response)}; expected ok: true, stopped: true", ""
    return _exits(talk, session, "after stop")


def _probe_end_of_input(
    talk: _Conversation, hello: Hello, cases: Sequence[TypeCase]
) -> tuple[str | None, str]:
    session = talk.running()
    session.close_stdin()
    return _exits(talk, session, "at the end of stdin")


def _exits(talk: _Conversation, session: Session, when: str) -> tuple[str | None, str]:
    deadline = time.monotonic() + talk.timeout
    while session.running() and time.monotonic() < deadline:
        time.sleep(0.02)
    running = session.running()
    code = talk.end()
    if running:
        return f"still running {talk.timeout:g} s {when}; it was killed", ""
    if code != 0:
        return f"exited with status {code} {when}; expected 0", ""
    return None, f"exited with status 0 {when}"


_PROBES: tuple[tuple[str, ProbeFn], ...] = (
    ("id-echo", _probe_id_echo),
    ("unknown-op", _probe_unknown_op),
    ("unknown-type", _probe_unknown_type),
    ("declared-ops", _probe_declared_ops),
    ("malformed-request", _probe_malformed),
    ("not-json", _probe_not_json),
    ("batch", _probe_batch),
    ("stop", _probe_stop),
    ("end-of-input", _probe_end_of_input),
)
