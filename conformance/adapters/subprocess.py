"""Drive an implementation in any language through its adapter program: JSON
lines on stdin and stdout, protocol 1 (docs/PROTOCOL.md).

The program's misbehaviour becomes results, never an aborted or hung run:

- every message has a deadline (``timeout``; the first hello ``startup_timeout``):
  no answer in time is ``TimedOut``, the program is killed;
- the program dying is ``Crashed`` for the request it died on;
- a line on stdout that is not JSON, or answers another id, is a protocol
  error (``ProtocolError``); the program is
  killed, since its output can no longer be matched to requests;
- after any of these the next request starts the program again. A request
  that killed it three times in a row (same op and name) is not sent again,
  nor an op that killed it eight times in a row: they get the last failure;
- a batch that fails as a whole is asked again one request at a time, so
  the request it died on is found and every other one still gets its
  answer; when none fails alone, batching is switched off (``incidents``);
- an answer sent twice is blamed on the request it answers, never on the
  one the runner waits for when it comes again: that request's result in the
  same ``batch`` becomes a protocol error, and otherwise (it came later) the
  duplicate is an incident.

Every failure carries the tail of the program's stderr. The program gets a
scrubbed environment (``scrubbed_environment``): no credentials.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import shlex
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import replace
from typing import Any

from conformance._errors import AdapterError, ConformanceError
from conformance.adapters._batch import TYPE_OPS, Call
from conformance.adapters._messages import (
    ANSWER_KEY,
    PROTOCOL,
    NoAnswer,
    ProtocolViolation,
    await_answer,
    encode,
    hello_of,
    is_id,
    protocol_error,
    request_of,
    result_of,
    short,
    violation,
)
from conformance.adapters._results import (
    Crashed,
    Errored,
    Hello,
    Incident,
    OpResult,
    ProtocolError,
    TimedOut,
    Unsupported,
)
from conformance.adapters._session import Session, scrubbed_environment
from conformance.spec import SpecPack

__all__ = ["BATCH_BYTES", "RETRIES_PER_NAME", "RETRIES_PER_OP", "SubprocessAdapter"]

#: Failures in a row (crash, hang, lost sync) of one op on one name (type,
#: helper, endpoint) after which it is not sent again.
RETRIES_PER_NAME = 3
#: Failures in a row of one op, whatever the name, after which it is not sent again.
RETRIES_PER_OP = 8
#: Seconds the program has to acknowledge ``stop`` and to exit.
EXIT_GRACE = 2.0
#: One call of a batch message: its index in the batch's calls, its
#: request's id, and the request's encoded line or why it cannot be sent.
_Part = tuple[int, int, "bytes | OpResult"]
#: A batch message closes once its requests reach this many bytes (or
#: ``batch_size`` calls): a round trip per many small calls, while a batch of
#: large payloads stays a message the adapter answers well within its timeout.
BATCH_BYTES = 256 * 1024

Failure = Crashed | TimedOut | Errored | ProtocolError


class _Died(Exception):
    """The session is over (crash, hang, lost sync); ``result`` answers the
    request it died on."""

    def __init__(self, result: Failure) -> None:
        super().__init__(result.message)
        self.result = result


class _Refused(Exception):
    """A request that could not be sent; ``result`` answers it."""

    def __init__(self, result: Errored | ProtocolError) -> None:
        super().__init__(result.message)
        self.result = result


class SubprocessAdapter:
    """An ``Adapter`` that drives ``command`` over protocol 1.

    The program starts on first use and again after it dies. ``timeout`` is
    per message (a batch is one message); ``validate`` checks every message
    against ``schemas/protocol/`` and reports violations as protocol errors;
    ``env`` is the environment to scrub and pass on (default ``os.environ``).
    """

    def __init__(
        self,
        command: Sequence[str],
        pack: SpecPack,
        *,
        timeout: float = 10.0,
        validate: bool = False,
        env: Mapping[str, str] | None = None,
        batch_size: int = 64,
        startup_timeout: float = 30.0,
    ) -> None:
        if not command:
            msg = "the adapter command is empty"
            raise ConformanceError(msg)
        if timeout <= 0 or batch_size < 1:
            msg = f"timeout={timeout!r} and batch_size={batch_size!r} must be positive"
            raise ConformanceError(msg)
        self.command = tuple(command)
        self.pack = pack
        self.timeout = timeout
        self.validate = validate
        self.batch_size = batch_size
        self.startup_timeout = max(timeout, startup_timeout)
        self.environment = scrubbed_environment(os.environ if env is None else env)
        #: What went wrong that no single result can show.
        self.incidents: list[Incident] = []
        self._session: Session | None = None
        self._hello: Hello | None = None
        self._batching = False
        self._ids = itertools.count()
        self._streak: Counter[tuple[str, str]] = Counter()
        self._op_streak: Counter[str] = Counter()
        self._last: dict[tuple[str, str], Failure] = {}
        self._last_op: dict[str, Failure] = {}
        self._deaths = 0
        #: While ``batch`` asks one request at a time: its results, and the
        #: index in them of each request id answered (a duplicate is blamed there).
        self._results: list[OpResult | None] = []
        self._slots: dict[int, int] = {}

    def __repr__(self) -> str:
        return f"SubprocessAdapter({shlex.join(self.command)!r})"

    # -- the Adapter protocol ------------------------------------------------------

    def hello(self) -> Hello:
        """The program's first hello. Raises ``AdapterError`` when it cannot be
        started or does not say hello: nothing can be run then."""
        if self._hello is None:
            try:
                self._connect()
            except _Died as died:
                raise AdapterError(self._no_hello(died.result)) from None
        assert self._hello is not None
        return self._hello

    def decode(self, type_name: str, payload: Any) -> OpResult:
        return self._ask_one(Call.decode(type_name, payload))

    def construct(self, type_name: str, args: dict[str, Any]) -> OpResult:
        return self._ask_one(Call.construct(type_name, args))

    def inspect(self, type_name: str, payload: Any) -> OpResult:
        return self._ask_one(Call.inspect(type_name, payload))

    def call(self, helper: str, args: dict[str, Any]) -> OpResult:
        """A helper behaviour (op ``call``); what it returns comes as ``Encoded``."""
        return self._ask_one(Call(op="call", name=helper, data=args))

    def request(self, endpoint: str, args: dict[str, Any], base_url: str) -> OpResult:
        """One API call against the loopback ``base_url`` (op ``request``); its
        result comes as ``Encoded``."""
        return self._ask_one(Call(op="request", name=endpoint, data=args, base_url=base_url))

    def batch(self, calls: Sequence[Call]) -> list[OpResult]:
        """One result per call, in order. When the hello lists ``batch``, the
        calls go as batch messages of at most ``batch_size`` calls and about
        ``BATCH_BYTES`` of requests, the next one encoded while the adapter
        works on the one before; else one request per call."""
        results: list[OpResult | None] = [None] * len(calls)
        self._results, self._slots = results, {}
        if self._hello is None:
            with contextlib.suppress(_Died):  # a failure shows in each result below
                self._connect()
        messages = self._messages(calls)
        upcoming = next(messages, None) if self._batching else None
        done = 0
        while done < len(calls):
            if upcoming is None:  # batching is off (or was switched off): one by one
                for i in range(done, len(calls)):
                    results[i] = self._ask_one(calls[i], slot=i)
                break
            message, upcoming = upcoming, None
            done = message[-1][0] + 1
            live: list[tuple[int, int, bytes]] = []
            for i, request_id, line in message:
                early = self._early(calls[i])
                if early is not None:
                    results[i] = early
                elif isinstance(line, bytes):
                    live.append((i, request_id, line))
                else:  # it cannot be sent: why
                    results[i] = line

            def prepare() -> None:
                nonlocal upcoming
                upcoming = next(messages, None)

            answers: list[OpResult] | Failure | None = None
            if self._batching and len(live) > 1:
                answers = self._ask_batch([(calls[i], r, line) for i, r, line in live], prepare)
            if upcoming is None and self._batching:
                prepare()
            if isinstance(answers, list):
                for (i, _, _), result in zip(live, answers, strict=True):
                    results[i] = result
                continue
            deaths = self._deaths
            for i, _, _ in live:
                results[i] = self._ask_one(calls[i], slot=i)
            if answers is not None and self._deaths == deaths:
                self._batching = False
                self.incidents.append(
                    Incident(
                        kind="batching-off",
                        message=f"a batch of {len(live)} failed ({_describe(answers)}) but each "
                        "of its requests was answered alone: batching is off from now on",
                    )
                )
        self._results, self._slots = [], {}
        finished = [r for r in results if r is not None]
        assert len(finished) == len(calls)
        return finished

    def _messages(self, calls: Sequence[Call]) -> Iterator[list[_Part]]:
        """The calls of each batch message in turn, each with its request's
        id and encoded line, or why it cannot be sent; encoded as they are
        asked for, so that the next message is made while the adapter
        answers the one before."""
        message: list[_Part] = []
        size = 0
        for i, call in enumerate(calls):
            request_id = next(self._ids)
            line: bytes | OpResult | None = _unknown_op(call)
            if line is None:
                try:
                    what = f"{call.op} {call.name} (id {request_id})"
                    line = self._encode(request_of(call, request_id), what)
                except _Refused as refused:
                    line = refused.result
            length = len(line) if isinstance(line, bytes) else 0
            if message and (len(message) >= self.batch_size or size + length > BATCH_BYTES):
                yield message
                message, size = [], 0
            message.append((i, request_id, line))
            size += length
        if message:
            yield message

    def close(self) -> None:
        """Send ``stop``, give the program ``EXIT_GRACE`` seconds (at most the
        timeout) to answer and as long to exit, then kill it."""
        session, self._session = self._session, None
        if session is None:
            return
        grace = min(self.timeout, EXIT_GRACE)
        if session.running():
            request_id = next(self._ids)
            with contextlib.suppress(_Died, _Refused):
                line = self._encode({"id": request_id, "op": "stop"}, "stop")
                response = self._exchange(session, line, request_id, grace, "stop")
                problem = violation("response", response) if self.validate else None
                if response.get("stopped") is not True or problem is not None:
                    self.incidents.append(
                        Incident(
                            kind="stop",
                            message=f"stop was answered with {short(response)} {problem or ''}",
                        )
                    )
            session.close_stdin()
        session.finish(grace=grace)

    # -- sessions ------------------------------------------------------------------

    def _connect(self) -> Session:
        """The running session, or a new one that has said hello."""
        session = self._session
        if session is not None:
            if session.running():
                return session
            code = session.finish(grace=0.0)
            self._session = None
            self.incidents.append(
                Incident(
                    kind="restarted",
                    message=f"the adapter exited{_exit(code)} between requests and was started "
                    f"again; stderr ends: {session.stderr_tail()[-500:]!r}",
                )
            )
        try:
            session = Session(self.command, self.environment)
        except OSError as exc:
            raise _Died(
                Crashed(message=f"cannot start {shlex.join(self.command)}: {exc}")
            ) from None
        request_id = next(self._ids)
        request = {
            "id": request_id,
            "op": "hello",
            "protocol": PROTOCOL,
            "spec_version": self.pack.version,
        }
        try:
            line = self._encode(request, "hello")
        except _Refused as refused:
            self._drop(session)
            raise _Died(refused.result) from None
        response = self._exchange(session, line, request_id, self.startup_timeout, "hello")
        try:
            problem = violation("response", response) if self.validate else None
            if problem is not None:
                raise ProtocolViolation(problem)
            hello = hello_of(response)
        except ProtocolViolation as exc:
            self._drop(session)
            raise _Died(protocol_error(f"hello: {exc}", session.stderr_tail())) from None
        if self._hello is None:
            self._hello = hello
            self._batching = "batch" in hello.ops
        self._session = session
        return session

    def _exchange(
        self,
        session: Session,
        line: bytes,
        request_id: int,
        seconds: float,
        what: str,
        *,
        meanwhile: Callable[[], None] | None = None,
    ) -> dict[str, Any]:
        """Send ``line``, run ``meanwhile``, return the response with
        ``request_id`` within ``seconds`` of sending. Raises ``_Died`` (and
        ends the session) on a crash, a hang or lost sync."""
        session.send(line)
        deadline = time.monotonic() + seconds
        if meanwhile is not None:
            meanwhile()
        try:
            return await_answer(session, request_id, deadline)
        except NoAnswer as missing:
            code = self._drop(session, grace=1.0 if missing.kind == "ended" else 0.0)
            tail = session.stderr_tail()
            if missing.kind == "timeout":
                message = f"no answer to {what} within {seconds:g} s"
                raise _Died(TimedOut(seconds=seconds, message=message, stderr=tail)) from None
            if missing.kind == "ended":
                message = f"the adapter exited{_exit(code)} before answering {what}"
                raise _Died(Crashed(message=message, exit_code=code, stderr=tail)) from None
            if missing.kind == "wrong-id":
                raise _Died(protocol_error(f"{what} was {missing.detail}", tail)) from None
            message = (
                f"stdout carries protocol lines only; waiting for {what} came {missing.detail}"
            )
            raise _Died(protocol_error(message, tail)) from None
        finally:
            self._blame_repeats(session, what)

    def _blame_repeats(self, session: Session, what: str) -> None:
        """Each answer ``session`` sent twice (``session.repeated``) as a fault
        of the request it answers: a protocol error for that request while its
        ``batch`` is still open, an incident once its result was returned."""
        while session.repeated:
            repeated = session.repeated.pop(0)
            message = f"id {repeated} was answered twice: the second came while waiting for {what}"
            slot = self._slots.get(repeated)
            if slot is None:
                self.incidents.append(Incident(kind="duplicate", message=message))
            else:
                self._results[slot] = protocol_error(message, session.settled_stderr_tail())

    def _drop(self, session: Session, grace: float = 0.0) -> int | None:
        """End ``session`` (killed after ``grace`` seconds); its exit code."""
        if self._session is session:
            self._session = None
        return session.finish(grace=grace)

    def _encode(self, message: Mapping[str, Any], what: str) -> bytes:
        if self.validate:
            problem = violation("request", message)
            if problem is not None:
                raise _Refused(
                    protocol_error(f"the runner's request {what} was not sent: {problem}")
                )
        try:
            return encode(message)
        except ValueError as exc:
            raise _Refused(Errored(message=f"{what} cannot be sent as JSON: {exc}")) from None

    def _no_hello(self, failure: Failure) -> str:
        tail = failure.stderr.strip()
        text = f"the adapter {shlex.join(self.command)} did not say hello: {failure.message}"
        if tail:
            lines = tail.splitlines()[-20:]
            text += "\n  its stderr ends:\n    " + "\n    ".join(lines)
        return text

    # -- requests ------------------------------------------------------------------

    def _early(self, call: Call) -> OpResult | None:
        """The result of ``call`` known without asking, or None."""
        unknown = _unknown_op(call)
        if unknown is not None:
            return unknown
        hello = self._hello
        if hello is not None:
            if call.op not in hello.ops:
                message = f"the adapter's hello does not list op {call.op!r}"
                return Unsupported(what="op", name=call.op, message=message)
            if call.op in TYPE_OPS and hello.types is not None and call.name not in hello.types:
                message = f"the adapter's hello does not list type {call.name!r}"
                return Unsupported(what="type", name=call.name, message=message)
            if call.op == "decode" and call.name in hello.encode_only:
                message = f"the adapter's hello lists {call.name!r} as encode only"
                return Unsupported(what="decoder", name=call.name, message=message)
        key = (call.op, call.name)
        if self._streak[key] >= RETRIES_PER_NAME:
            note = f"not sent again after {self._streak[key]} failures in a row"
            return _noted(self._last[key], note)
        if self._op_streak[call.op] >= RETRIES_PER_OP:
            note = (
                f"not sent again after {self._op_streak[call.op]} failures in a row of op {call.op}"
            )
            return _noted(self._last_op[call.op], note)
        return None

    def _ask_one(self, call: Call, slot: int | None = None) -> OpResult:
        """The result of ``call`` asked alone; ``slot``: its index in the
        results of the ``batch`` that asks it."""
        early = self._early(call)
        if early is not None:
            return early
        try:
            session = self._connect()
        except _Died as died:
            return self._died(call, _noted(died.result, "the adapter could not be started again"))
        request_id = next(self._ids)
        what = f"{call.op} {call.name} (id {request_id})"
        try:
            line = self._encode(request_of(call, request_id), what)
            response = self._exchange(session, line, request_id, self.timeout, what)
        except _Refused as refused:
            return refused.result
        except _Died as died:
            return self._died(call, died.result)
        if slot is not None:
            self._slots[request_id] = slot
        self._alive(call)
        return self._result(call, response, session, what)

    def _ask_batch(
        self, requests: Sequence[tuple[Call, int, bytes]], meanwhile: Callable[[], None]
    ) -> list[OpResult] | Failure | None:
        """The results of one batch message of ``requests`` (each call with
        its request's id and encoded line); the failure of the batch as a
        whole; None when the batch is not to blame (it could not be sent).
        ``meanwhile`` runs once the message is sent, while the adapter works."""
        try:
            session = self._connect()
        except _Died:
            return None  # asked one at a time, each request will say so
        calls = [call for call, _, _ in requests]
        ids = [request_id for _, request_id, _ in requests]
        request_id = next(self._ids)
        what = f"a batch of {len(calls)} (id {request_id})"
        # the envelope around requests already encoded (and validated) one by one
        line = b'{"id":%d,"op":"batch","requests":[%s]}\n' % (
            request_id,
            b",".join(part.rstrip(b"\n") for _, _, part in requests),
        )
        try:
            response = self._exchange(
                session, line, request_id, self.timeout, what, meanwhile=meanwhile
            )
        except _Died as died:
            return died.result
        items = response.get("results")
        if self.validate:
            problem = violation("response", {**response, "results": []})
            if problem is not None:
                return protocol_error(f"answer to {what}: {problem}", session.settled_stderr_tail())
        if not isinstance(items, list) or len(items) != len(calls):
            got = f"{len(items)} results" if isinstance(items, list) else short(items)
            return protocol_error(f"{what} was answered with {got}", session.settled_stderr_tail())
        out: list[OpResult] = []
        for call, item_id, item in zip(calls, ids, items, strict=True):
            item_what = f"{call.op} {call.name} (id {item_id} in {what})"
            answered = item.get("id") if isinstance(item, dict) else None
            if not isinstance(item, dict) or not is_id(answered) or answered != item_id:
                out.append(
                    protocol_error(
                        f"{item_what} was answered with id {short(answered)}: {short(item)}",
                        session.settled_stderr_tail(),
                    )
                )
                continue
            self._alive(call)
            out.append(self._result(call, item, session, item_what))
        return out

    def _result(
        self, call: Call, response: Mapping[str, Any], session: Session, what: str
    ) -> OpResult:
        if self.validate:
            problem = violation("response", response)
            if problem is not None:
                return protocol_error(f"answer to {what}: {problem}", session.settled_stderr_tail())
        result = result_of(call, response)
        if isinstance(result, Errored | ProtocolError):
            return replace(result, stderr=session.settled_stderr_tail())
        return result

    def _died(self, call: Call, result: Failure) -> Failure:
        key = (call.op, call.name)
        self._streak[key] += 1
        self._op_streak[call.op] += 1
        self._last[key] = self._last_op[call.op] = result
        self._deaths += 1
        return result

    def _alive(self, call: Call) -> None:
        self._streak.pop((call.op, call.name), None)
        self._op_streak.pop(call.op, None)


def _unknown_op(call: Call) -> Unsupported | None:
    """Why ``call`` cannot be sent at all: its op is not one of protocol 1."""
    if call.op in ANSWER_KEY:
        return None
    return Unsupported(what="op", name=call.op, message="not an op of protocol 1")


def _exit(code: int | None) -> str:
    return "" if code is None else f" with code {code}"


def _describe(result: OpResult) -> str:
    return str(getattr(result, "message", "") or type(result).__name__)


def _noted(result: Failure, note: str) -> Failure:
    """``result`` with ``note`` in front of its message."""
    return replace(result, message=f"{note}: {result.message}" if result.message else note)
