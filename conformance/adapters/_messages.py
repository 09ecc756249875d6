"""Protocol 1 messages (docs/PROTOCOL.md): requests made from ``Call``s,
responses read into results, and the JSON Schemas of ``schemas/protocol/``
that define both (checked in ``--validate-protocol`` mode and by
``adapter-check``)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from functools import cache
from typing import Any, NoReturn, TypeGuard

from jsonschema.exceptions import best_match
from jsonschema.validators import Draft202012Validator

from conformance._data import SCHEMAS_ROOT, load_json, pointer
from conformance._json import MAX_DEPTH, json_problem
from conformance._redact import redact
from conformance.adapters._batch import Call
from conformance.adapters._results import (
    Encoded,
    Errored,
    Hello,
    Inspected,
    OpResult,
    ProtocolError,
    Rejected,
    Returned,
    Unsupported,
)
from conformance.adapters._session import OverlongLine, Session

__all__ = [
    "ANSWER_KEY",
    "PROTOCOL",
    "NoAnswer",
    "ProtocolViolation",
    "await_answer",
    "encode",
    "hello_of",
    "is_id",
    "parse",
    "protocol_error",
    "request_of",
    "result_of",
    "short",
    "violation",
]

PROTOCOL = "1"
PROTOCOL_DIR = SCHEMAS_ROOT / "protocol"

#: What a successful answer to each op carries.
ANSWER_KEY = {
    "decode": "wire",
    "construct": "wire",
    "inspect": "shape",
    "call": "value",
    "request": "value",
}
_TARGET_KEY = {
    "decode": "type",
    "construct": "type",
    "inspect": "type",
    "call": "helper",
    "request": "endpoint",
}
_DATA_KEY = {
    "decode": "payload",
    "inspect": "payload",
    "construct": "args",
    "call": "args",
    "request": "args",
}
_UNSUPPORTED_WHAT = ("type", "decoder", "op", "helper", "endpoint")


class ProtocolViolation(ValueError):
    """A message does not follow the protocol; the text says how."""


def short(value: Any, limit: int = 200) -> str:
    """``repr`` cut to ``limit`` characters, for messages; redacted before it
    is cut, so that no part of a secret survives the cut."""
    try:
        text = redact(repr(value))
    except RecursionError:  # deeper than repr goes: say what it is
        text = f"<a {type(value).__name__} too deep to show>"
    return text if len(text) <= limit else f"{text[: limit - 15]}... ({len(text)} chars)"


def protocol_error(message: str, stderr: str = "") -> ProtocolError:
    return ProtocolError(message=message, stderr=stderr)


def is_id(value: Any) -> TypeGuard[int]:
    """A protocol id: an integer >= 0 (JSON true is not one)."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


# -- requests ---------------------------------------------------------------------


def request_of(call: Call, request_id: int) -> dict[str, Any]:
    """The request message for ``call`` (an op of ``ANSWER_KEY``)."""
    message = {
        "id": request_id,
        "op": call.op,
        _TARGET_KEY[call.op]: call.name,
        _DATA_KEY[call.op]: call.data,
    }
    if call.op == "request":
        message["base_url"] = call.base_url
    return message


def encode(message: Mapping[str, Any]) -> bytes:
    """One JSON line, UTF-8. Raises ``ValueError`` for what JSON cannot carry
    (NaN, infinities, lone surrogates, non-JSON objects)."""
    try:
        text = json.dumps(message, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
        return text.encode("utf-8") + b"\n"
    except (TypeError, UnicodeEncodeError, RecursionError) as exc:
        raise ValueError(f"{type(exc).__name__}: {exc}") from None


# -- responses --------------------------------------------------------------------


def _no_constant(text: str) -> NoReturn:
    raise ValueError(f"{text} is not JSON")


def parse(line: bytes) -> dict[str, Any]:
    """One response line as an object; ``ProtocolViolation`` otherwise, also
    for what cannot be judged (``json_problem``: nested deeper than
    ``MAX_DEPTH`` below the response's own level, or a number that is not
    finite, ``1e400`` included). Such a line is answered as garbage is."""
    try:
        value = json.loads(line, parse_constant=_no_constant)
    except (ValueError, RecursionError) as exc:
        raise ProtocolViolation(f"not JSON ({exc}): {short(line)}") from None
    if not isinstance(value, dict):
        raise ProtocolViolation(f"not a JSON object: {short(value)}")
    # a batch answer holds its results two levels down
    problem = json_problem(value, MAX_DEPTH + 3)
    if problem is not None:
        raise ProtocolViolation(f"an answer with {problem}: {short(line, 120)}")
    return value


class NoAnswer(Exception):
    """No answer came to a request. ``kind`` says why: ``timeout``,
    ``ended`` (stdout closed), ``garbage`` (a line that is not a JSON object
    or is too long), ``wrong-id`` (``response`` is the answer that came);
    ``detail`` quotes what came instead."""

    def __init__(
        self, kind: str, detail: str = "", response: Mapping[str, Any] | None = None
    ) -> None:
        super().__init__(f"{kind}: {detail}" if detail else kind)
        self.kind = kind
        self.detail = detail
        self.response = response or {}


def await_answer(session: Session, request_id: int, deadline: float) -> dict[str, Any]:
    """The next response of ``session``, which must answer ``request_id`` by
    ``deadline`` (``time.monotonic``); anything else raises ``NoAnswer``, after
    which the output can no longer be matched to requests.

    Except a duplicate: a line that repeats, byte for byte, the answer to an
    id already answered in this session is about that earlier request, not
    this one. It is kept in ``session.repeated`` (for the adapter to blame it
    on the request it repeats) and skipped: this request is judged on its own
    answer. An earlier id with a different answer is lost sync, as any other
    id is."""
    while True:
        try:
            line = session.read_line(deadline)
        except TimeoutError:
            raise NoAnswer("timeout") from None
        except OverlongLine as exc:
            raise NoAnswer("garbage", str(exc)) from None
        if line is None:
            raise NoAnswer("ended")
        if not line.strip():
            continue  # blank lines carry nothing
        try:
            response = parse(line)
        except ProtocolViolation as exc:
            raise NoAnswer("garbage", str(exc)) from None
        answered = response.get("id")
        digest = hashlib.blake2b(line.strip(), digest_size=16).digest()
        if is_id(answered) and answered != request_id and session.answered.get(answered) == digest:
            session.repeated.append(answered)
            continue
        if not is_id(answered) or answered != request_id:
            detail = f"answered with id {short(answered)}: {short(response)}"
            raise NoAnswer("wrong-id", detail, response)
        session.answered[request_id] = digest
        return response


def hello_of(response: Mapping[str, Any]) -> Hello:
    """The ``Hello`` of a hello response."""
    if response.get("ok") is not True or not isinstance(response.get("hello"), dict):
        raise ProtocolViolation(
            f"a hello answer needs ok: true and a 'hello' object: {short(response)}"
        )
    hello = response["hello"]
    missing = [
        key
        for key in ("name", "language", "version", "spec_version", "protocol")
        if not isinstance(hello.get(key), str)
    ]
    if missing:
        raise ProtocolViolation(f"hello lacks the strings {missing}: {short(hello)}")
    if hello["protocol"] != PROTOCOL:
        raise ProtocolViolation(
            f"hello speaks protocol {hello['protocol']!r}; the runner speaks {PROTOCOL!r}"
        )
    ops, types, encode_only = hello.get("ops"), hello.get("types"), hello.get("encode_only", [])
    if not isinstance(ops, list) or not all(isinstance(op, str) for op in ops):
        raise ProtocolViolation(f"hello 'ops' must be a list of strings: {short(ops)}")
    if types is not None and (
        not isinstance(types, list) or not all(isinstance(t, str) for t in types)
    ):
        raise ProtocolViolation(f"hello 'types' must be null or a list of strings: {short(types)}")
    sources = hello.get("sources") or {}
    if not isinstance(sources, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in sources.items()
    ):
        raise ProtocolViolation(
            f"hello 'sources' must be an object of subject -> file[:line] strings: {short(sources)}"
        )
    if not isinstance(encode_only, list) or not all(isinstance(t, str) for t in encode_only):
        raise ProtocolViolation(
            f"hello 'encode_only' must be a list of strings: {short(encode_only)}"
        )
    return Hello(
        name=redact(hello["name"]),
        language=redact(hello["language"]),
        version=redact(hello["version"]),
        spec_version=hello["spec_version"],
        ops=tuple(ops),
        types=None if types is None else tuple(types),
        encode_only=tuple(encode_only),
        protocol_version=hello["protocol"],
        sources={key: redact(value) for key, value in sources.items()},
    )


def result_of(call: Call, response: Mapping[str, Any], stderr: str = "") -> OpResult:
    """The result a response (whose id matched) gives for ``call``; a
    response the protocol does not allow for it is a protocol error."""
    ok = response.get("ok")
    if ok is True:
        key = ANSWER_KEY[call.op]
        if key not in response:
            others = sorted(set(response) - {"id", "ok"})
            return protocol_error(f"{call.op} answered ok without {key!r} (keys {others})", stderr)
        if key == "shape":
            shape = response["shape"]
            if not isinstance(shape, dict) or not isinstance(shape.get("type"), str):
                return protocol_error(
                    f"inspect answered a shape without a 'type' string: {short(shape)}", stderr
                )
            return Inspected(shape=shape)
        if key == "value":
            named = response.get("type")
            if named is not None and not isinstance(named, str):
                return protocol_error(
                    f"{call.op} answered a 'type' that is not a string: {short(named)}", stderr
                )
            return Returned(value=response[key], type_name=named)
        return Encoded(wire=response[key])
    if ok is not False:
        return protocol_error(f"'ok' must be true or false, not {short(ok)}", stderr)
    error = response.get("error")
    if not isinstance(error, dict) or not isinstance(error.get("message"), str):
        return protocol_error(
            f"ok: false needs an 'error' with a 'message': {short(error)}", stderr
        )
    kind, message = error.get("kind"), error["message"]
    if kind == "rejected":
        reason, status = error.get("reason"), error.get("status")
        if reason is not None and not isinstance(reason, str):
            return protocol_error(
                f"a rejection's 'reason' must be a string: {short(error)}", stderr
            )
        if status is not None and (not isinstance(status, int) or isinstance(status, bool)):
            return protocol_error(
                f"a rejection's 'status' must be an integer: {short(error)}", stderr
            )
        return Rejected(message=message, kind=reason, status=status)
    if kind == "internal":
        return Errored(message=message, stderr=stderr)
    if kind == "unsupported":
        what, name = error.get("what"), error.get("name")
        if what not in _UNSUPPORTED_WHAT or not isinstance(name, str):
            return protocol_error(
                f"an unsupported error needs 'what' (one of {list(_UNSUPPORTED_WHAT)}) and "
                f"'name': {short(error)}",
                stderr,
            )
        return Unsupported(what=what, name=name, message=message)
    return protocol_error(
        f"error kind {short(kind)} is none of 'rejected', 'unsupported', 'internal'", stderr
    )


# -- schemas ----------------------------------------------------------------------


@cache
def _validator(name: str) -> Draft202012Validator:
    schema = load_json(PROTOCOL_DIR / f"{name}.schema.json")
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def violation(name: str, message: Any) -> str | None:
    """How ``message`` breaks ``schemas/protocol/<name>.schema.json``
    (``request`` or ``response``), or None when it is valid."""
    error = best_match(_validator(name).iter_errors(message))
    if error is None:
        return None
    where = pointer(error.absolute_path) or "/"
    text = error.message if len(error.message) <= 300 else f"{error.message[:285]}..."
    return f"{name}.schema.json violated at {where}: {text}"
