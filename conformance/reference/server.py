"""The reference SDK as a protocol-1 adapter program (JSON lines on stdin/stdout).

    python -m conformance.reference.server [--spec X]

Drives whatever ``tinker`` is installed in the interpreter that runs it,
through the in-process ``TinkerSdkAdapter``, and speaks the subprocess
protocol: one JSON request per line on stdin, one JSON response per line on
stdout (schemas/protocol/request.schema.json, response.schema.json). The pack
it targets is ``--spec X``, by default the installed version's pack if one is
checked in, else the newest; the hello's ``spec_version`` names it, so a
runner can audit tinker 0.15.0 against the 0.38.0 pack and the other way round.

How requests are answered:

- ``hello``, ``decode``, ``construct``, ``inspect``, ``call`` and ``request``
  go to the in-process adapter; its results become responses: ``Encoded`` ->
  ``wire``, ``Returned`` -> ``value`` (and ``type``), ``Inspected`` ->
  ``shape``, ``Rejected`` -> error ``rejected`` (with ``reason`` and
  ``status``), ``Unsupported`` -> error ``unsupported`` (with ``what`` and
  ``name``), anything else -> error ``internal``. Any other op:
  ``unsupported`` op.
- ``batch``: one response per request, in order, in one line.
- ``stop``: acknowledged, then the program exits 0 (so does end of input).
- A line that is not a request (bad JSON, bad UTF-8, a field missing or of
  the wrong type) is answered with error ``internal`` ("malformed request")
  when its ``id`` can be read, and only logged to stderr when it cannot: a
  response without a valid id would break the protocol itself.

The program never dies of its input. stdout carries protocol lines only:
anything else written to it (a stray ``print`` in a library, even at the file
descriptor level) is redirected to stderr, where the logs go too. Output is
ASCII JSON (non-ASCII text and lone surrogates are escaped), one flushed line
per response.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import sys
import traceback
from collections.abc import Callable, Mapping
from typing import IO, Any, NoReturn, TypeGuard

from conformance.adapters._batch import Call, run_call
from conformance.adapters._results import (
    Encoded,
    Errored,
    Hello,
    Inspected,
    OpResult,
    Rejected,
    Returned,
    Unsupported,
)

__all__ = ["PROTOCOL", "Server", "main"]

PROTOCOL = "1"

#: ops this program answers besides the adapter's own
_SESSION_OPS = ("batch", "stop")
#: ops a batch may not contain (request.schema.json)
_NOT_IN_BATCH = ("batch", "hello", "stop")
#: the id of a line that does not parse, read from its start
_LEADING_ID = re.compile(rb'^\s*\{\s*"id"\s*:\s*(\d+)\s*[,}]')


class _Malformed(Exception):
    """The request does not follow the protocol."""


class _Stop(Exception):
    """A stop request was acknowledged."""


def _log(message: str) -> None:
    with contextlib.suppress(Exception):  # stderr is gone: nothing left to tell
        print(f"reference server: {message}", file=sys.stderr, flush=True)


def _valid_id(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _error(request_id: int, kind: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"id": request_id, "ok": False, "error": {"kind": kind, "message": message, **extra}}


def _unsupported(request_id: int, what: str, name: str, message: str) -> dict[str, Any]:
    return _error(request_id, "unsupported", message, what=what, name=name)


def _reject_constant(text: str) -> NoReturn:
    raise ValueError(f"{text} is not JSON")


def _parse(text: str) -> Any:
    """Strict JSON: ``NaN`` and ``Infinity`` (which Python reads by default) are refused."""
    return json.loads(text, parse_constant=_reject_constant)


def _dumps(response: Mapping[str, Any]) -> str:
    return json.dumps(response, ensure_ascii=True, allow_nan=False, separators=(",", ":"))


def _encode(response: Mapping[str, Any]) -> str:
    """One response as JSON text; a value JSON cannot carry (a non-finite
    float, a non-JSON object) becomes an internal error for the same id."""
    try:
        return _dumps(response)
    except (ValueError, TypeError, RecursionError) as exc:
        request_id = response.get("id", 0)
        return _dumps(
            _error(
                request_id,
                "internal",
                f"the answer does not encode as JSON ({type(exc).__name__}: {exc})",
            )
        )


class Server:
    """Answers protocol-1 requests with an adapter. ``adapter`` is anything with
    the in-process adapter's ops (``conformance.adapters.Adapter``)."""

    def __init__(self, adapter: Any) -> None:
        self.adapter = adapter
        self._hello: Hello | None = None

    # -- the session ---------------------------------------------------------------

    def serve(self, stdin: IO[bytes], stdout: IO[bytes]) -> int:
        """Answer every line of ``stdin`` until ``stop`` or end of input; 0 then."""
        for raw in stdin:
            try:
                text = self.answer_line(raw)
            except _Stop as stop:
                self._write(stdout, str(stop.args[0]))
                return 0
            if text is not None:
                self._write(stdout, text)
        _log("end of input: exiting")
        return 0

    @staticmethod
    def _write(stdout: IO[bytes], text: str) -> None:
        stdout.write(text.encode("ascii") + b"\n")
        stdout.flush()

    def answer_line(self, raw: bytes) -> str | None:
        """The response line (without newline) to one input line; None when
        nothing may be answered. Raises ``_Stop`` carrying the last line."""
        line = raw.strip()
        if line.startswith(b"\xef\xbb\xbf"):  # a UTF-8 byte order mark
            line = line[3:].strip()
        if not line:
            return None
        try:
            request = _parse(line.decode("utf-8"))
        except (ValueError, RecursionError) as exc:  # bad UTF-8 or bad JSON
            leading = _LEADING_ID.match(line)
            reason = f"not a JSON line ({type(exc).__name__}: {exc})"
            if leading is None:
                _log(f"ignored a line without a readable id: {reason}: {line[:200]!r}")
                return None
            return _encode(
                _error(int(leading.group(1)), "internal", f"malformed request: {reason}")
            )
        if not isinstance(request, dict) or not _valid_id(request.get("id")):
            _log(f"ignored a request without a valid id (an integer >= 0): {line[:200]!r}")
            return None
        request_id: int = request["id"]
        if request.get("op") == "batch":
            return self._batch(request_id, request)
        response = self.answer(request)
        if request.get("op") == "stop" and response.get("stopped"):
            raise _Stop(_encode(response))
        return _encode(response)

    def _batch(self, request_id: int, request: Mapping[str, Any]) -> str:
        """The batch's responses, each encoded on its own so that one value JSON
        cannot carry spoils only its own answer."""
        items = request.get("requests")
        if not isinstance(items, list):
            return _encode(
                _error(request_id, "internal", "malformed request: batch needs a list 'requests'")
            )
        parts = []
        for item in items:
            item_id = item.get("id") if isinstance(item, dict) else None
            if not isinstance(item, dict) or not _valid_id(item_id):
                # one response per request, in order: a request without a
                # valid id is answered under the batch's id
                parts.append(
                    _encode(
                        _error(
                            request_id,
                            "internal",
                            "malformed request in batch: not an object with an id (integer >= 0)",
                        )
                    )
                )
            elif item.get("op") in _NOT_IN_BATCH:
                parts.append(
                    _encode(
                        _error(
                            item_id,
                            "internal",
                            f"malformed request: op {item['op']!r} is not allowed inside a batch",
                        )
                    )
                )
            else:
                parts.append(_encode(self.answer(item)))
        return f'{{"id":{request_id},"results":[{",".join(parts)}]}}'

    # -- one request -------------------------------------------------------------

    def answer(self, request: Mapping[str, Any]) -> dict[str, Any]:
        """The response to one request object whose id is valid."""
        request_id: int = request["id"]
        op = request.get("op")
        handlers: dict[str, Callable[[int, Mapping[str, Any]], dict[str, Any]]] = {
            "hello": self._op_hello,
            "decode": self._op_decode,
            "construct": self._op_construct,
            "inspect": self._op_inspect,
            "call": self._op_call,
            "request": self._op_request,
            "stop": self._op_stop,
        }
        if not isinstance(op, str):
            return _error(
                request_id, "internal", f"malformed request: 'op' must be a string, not {op!r}"
            )
        handler = handlers.get(op)
        if handler is None:
            return _unsupported(request_id, "op", op, f"op {op!r} is not supported")
        try:
            return handler(request_id, request)
        except _Malformed as exc:
            return _error(request_id, "internal", f"malformed request: {exc}")
        except Exception as exc:  # a bug here or in the adapter: an answer, not a crash
            _log("".join(traceback.format_exception(exc)))
            return _error(request_id, "internal", f"{type(exc).__name__} in the adapter: {exc}")

    def hello(self) -> Hello:
        if self._hello is None:
            self._hello = self.adapter.hello()
        return self._hello

    def _op_hello(self, request_id: int, request: Mapping[str, Any]) -> dict[str, Any]:
        asked = request.get("protocol")
        if asked is not None and asked != PROTOCOL:
            return _unsupported(
                request_id,
                "op",
                "hello",
                f"protocol {asked!r} is not spoken here; this adapter speaks protocol {PROTOCOL!r}",
            )
        hello = self.hello()
        wanted = request.get("spec_version")
        if wanted is not None and wanted != hello.spec_version:
            _log(f"the runner uses pack {wanted!r}; this adapter targets {hello.spec_version!r}")
        ops = [*hello.ops, *(op for op in _SESSION_OPS if op not in hello.ops)]
        encode_only = {"encode_only": list(hello.encode_only)} if hello.encode_only else {}
        return {
            "id": request_id,
            "ok": True,
            "hello": {
                "name": hello.name,
                "language": hello.language,
                "version": hello.version,
                "spec_version": hello.spec_version,
                "ops": ops,
                "types": None if hello.types is None else list(hello.types),
                **encode_only,
                "protocol": PROTOCOL,
            },
        }

    def _op_decode(self, request_id: int, request: Mapping[str, Any]) -> dict[str, Any]:
        type_name, payload = _type_and(request, "payload")
        return _response(request_id, self.adapter.decode(type_name, payload))

    def _op_inspect(self, request_id: int, request: Mapping[str, Any]) -> dict[str, Any]:
        type_name, payload = _type_and(request, "payload")
        return _response(request_id, self.adapter.inspect(type_name, payload))

    def _op_construct(self, request_id: int, request: Mapping[str, Any]) -> dict[str, Any]:
        type_name, args = _type_and(request, "args")
        if not isinstance(args, dict):
            raise _Malformed(f"'args' must be an object, not {args!r}")
        return _response(request_id, self.adapter.construct(type_name, args))

    def _op_call(self, request_id: int, request: Mapping[str, Any]) -> dict[str, Any]:
        helper = _string(request, "helper")
        args = request.get("args")
        if not isinstance(args, dict):
            raise _Malformed(f"'args' must be an object, not {args!r}")
        # optional ops: an adapter without one answers unsupported, as in process
        return _response(request_id, run_call(self.adapter, Call.call(helper, args)))

    def _op_request(self, request_id: int, request: Mapping[str, Any]) -> dict[str, Any]:
        endpoint = _string(request, "endpoint")
        base_url = _string(request, "base_url")
        args = request.get("args")
        if not isinstance(args, dict):
            raise _Malformed(f"'args' must be an object, not {args!r}")
        call = Call.request(endpoint, args, base_url)
        return _response(request_id, run_call(self.adapter, call))

    def _op_stop(self, request_id: int, request: Mapping[str, Any]) -> dict[str, Any]:
        return {"id": request_id, "ok": True, "stopped": True}


def _string(request: Mapping[str, Any], key: str) -> str:
    value = request.get(key)
    if not isinstance(value, str):
        raise _Malformed(f"{key!r} must be a string, not {value!r}")
    return value


def _type_and(request: Mapping[str, Any], key: str) -> tuple[str, Any]:
    type_name = _string(request, "type")
    if key not in request:
        raise _Malformed(f"{request['op']!r} needs {key!r}")
    return type_name, request[key]


def _response(request_id: int, result: OpResult) -> dict[str, Any]:
    """An adapter result as a protocol response."""
    if isinstance(result, Encoded):
        return {"id": request_id, "ok": True, "wire": result.wire}
    if isinstance(result, Returned):
        named = {} if result.type_name is None else {"type": result.type_name}
        return {"id": request_id, "ok": True, "value": result.value, **named}
    if isinstance(result, Inspected):
        return {"id": request_id, "ok": True, "shape": result.shape}
    if isinstance(result, Rejected):
        facts = {"reason": result.kind, "status": result.status}
        known = {k: v for k, v in facts.items() if v is not None}
        return _error(request_id, "rejected", result.message, **known)
    if isinstance(result, Unsupported):
        message = result.message or f"{result.what} {result.name!r} is not supported"
        return _unsupported(request_id, result.what, result.name, message)
    if isinstance(result, Errored) and result.stderr:
        _log(result.stderr)
    message = getattr(result, "message", None) or repr(result)
    return _error(request_id, "internal", str(message))


def _default_spec() -> str:
    from conformance.reference._classes import installed_version
    from conformance.spec import available_versions

    versions = available_versions()
    if not versions:
        msg = "no spec pack is checked in (schemas/<version>/)"
        raise SystemExit(f"reference server: {msg}")
    installed = installed_version()
    return installed if installed in versions else versions[-1]


def _adapter(pack: Any) -> Any:
    from conformance.reference.adapter import TinkerSdkAdapter

    return TinkerSdkAdapter(pack)


def _protocol_stdout() -> IO[bytes]:
    """The real stdout, kept for protocol lines only; file descriptor 1 and
    ``sys.stdout`` are pointed at stderr so stray output cannot corrupt it."""
    sys.stdout.flush()
    out = os.fdopen(os.dup(1), "wb", buffering=0)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m conformance.reference.server",
        description=(
            "The installed reference SDK (tinker) as a protocol-1 adapter: JSON lines "
            "on stdin/stdout, logs on stderr."
        ),
    )
    parser.add_argument(
        "--spec",
        metavar="X",
        help=(
            "the spec pack to target (schemas/X/); default: the installed tinker "
            "version's pack if one exists, else the newest"
        ),
    )
    options = parser.parse_args(argv)
    stdout = _protocol_stdout()

    from conformance import ConformanceError, load_pack
    from conformance.spec import available_versions

    spec = options.spec or _default_spec()
    if spec not in available_versions():
        parser.error(f"--spec {spec!r}: no pack; available: {', '.join(available_versions())}")
    try:
        pack = load_pack(spec)
    except ConformanceError as exc:
        _log(f"cannot load pack {spec!r}: {exc}")
        return 2
    _log(f"serving protocol {PROTOCOL} for pack {spec}")
    try:
        return Server(_adapter(pack)).serve(sys.stdin.buffer, stdout)
    except BrokenPipeError:
        _log("stdout closed by the runner: exiting")
        return 0
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
