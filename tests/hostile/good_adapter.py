"""A well-behaved protocol-1 adapter program, for the runner's own tests.

    python tests/hostile/good_adapter.py [--no-batch] [--echo [--calls]] [TRIGGER]

It answers with the in-process reference (``TinkerSdkAdapter``, for the pack
the hello names), or with ``--echo`` without the SDK (decode and construct
echo their input, inspect answers ``any``, types outside the pack's index are
unsupported, and with ``--calls`` the ops call and request answer what they
were asked; it starts in milliseconds). The
hostile adapters next to it subclass ``GoodAdapter`` and misbehave on
requests for the type ``TRIGGER`` only (``*``: every type), so a test sees
both the misbehaviour and the results around it.

The protocol is written out here on purpose rather than borrowed from the
runner: a fake sharing the runner's code would share its mistakes.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"
OPS = ["hello", "decode", "construct", "inspect", "stop"]


def error(request_id: int, kind: str, message: str, **extra: str) -> dict[str, Any]:
    return {"id": request_id, "ok": False, "error": {"kind": kind, "message": message, **extra}}


class GoodAdapter:
    """Answers every request of protocol 1; ``answer`` is the hook to break."""

    def __init__(self, argv: list[str]) -> None:
        self.batching = "--no-batch" not in argv
        self.echo = "--echo" in argv
        self.calls = self.echo and "--calls" in argv
        names = [a for a in argv if not a.startswith("--")]
        self.trigger = names[0] if names else None
        self.sdk: Any = None
        self.types: list[str] | None = None
        self.known: set[str] = set()  # echo mode: the pack's types

    def triggered(self, request: dict[str, Any]) -> bool:
        """Whether a hostile subclass misbehaves on ``request``."""
        type_name = request.get("type")
        return type_name is not None and self.trigger in ("*", type_name)

    # -- the session ---------------------------------------------------------------

    def lines(self) -> Iterator[bytes]:
        """The request lines, as they come."""
        yield from sys.stdin.buffer

    def serve(self) -> None:
        for raw in self.lines():
            if not raw.strip():
                continue
            try:
                request = json.loads(raw)
            except ValueError:
                self.log(f"ignored a line that is not JSON: {raw[:80]!r}")
                continue
            if not isinstance(request, dict) or not isinstance(request.get("id"), int):
                self.log(f"ignored a request without an id: {raw[:80]!r}")
                continue
            if request.get("op") == "batch" and self.batching:
                items = request.get("requests", [])
                self.send({"id": request["id"], "results": [self.answer(r) for r in items]})
                continue
            self.send(self.answer(request))
            if request.get("op") == "stop":
                return
        self.log("end of input")

    def send(self, response: dict[str, Any]) -> None:
        try:
            line = json.dumps(response, allow_nan=False)
        except ValueError as exc:
            line = json.dumps(error(response["id"], "internal", f"not JSON: {exc}"))
        sys.stdout.write(line + "\n")
        sys.stdout.flush()

    def log(self, message: str) -> None:
        print(f"good_adapter: {message}", file=sys.stderr, flush=True)

    # -- requests ------------------------------------------------------------------

    def answer(self, request: dict[str, Any]) -> dict[str, Any]:
        request_id, op = request["id"], request.get("op")
        if op == "hello":
            return {"id": request_id, "ok": True, "hello": self.hello(request)}
        if op == "stop":
            return {"id": request_id, "ok": True, "stopped": True}
        if op in ("call", "request") and self.calls:
            asked = {k: v for k, v in request.items() if k not in ("id", "op")}
            return {"id": request_id, "ok": True, "value": asked}
        if op not in ("decode", "construct", "inspect"):
            return error(request_id, "unsupported", f"no op {op!r}", what="op", name=str(op))
        data = "args" if op == "construct" else "payload"
        if not isinstance(request.get("type"), str) or data not in request:
            return error(request_id, "internal", f"malformed request: needs 'type' and {data!r}")
        return self.run(request_id, op, request["type"], request[data])

    def hello(self, request: dict[str, Any]) -> dict[str, Any]:
        if self.echo:
            index = SCHEMAS / str(request.get("spec_version")) / "index.json"
            self.known = set(json.loads(index.read_text())["types"]) if index.exists() else set()
        elif self.sdk is None:
            from conformance.reference.adapter import TinkerSdkAdapter
            from conformance.spec import load_pack

            self.sdk = TinkerSdkAdapter(load_pack(request["spec_version"]))
            self.types = list(self.sdk.hello().types)
        return {
            "name": "good-adapter",
            "language": "python",
            "version": "1.0",
            "spec_version": request.get("spec_version", "unknown"),
            "ops": OPS
            + (["call", "request"] if self.calls else [])
            + (["batch"] if self.batching else []),
            "types": self.types,
            "protocol": "1",
        }

    def run(self, request_id: int, op: str, type_name: str, data: Any) -> dict[str, Any]:
        if self.echo:
            if type_name not in self.known:
                message = f"no type {type_name!r}"
                return error(request_id, "unsupported", message, what="type", name=type_name)
            if op == "inspect":
                return {"id": request_id, "ok": True, "shape": {"type": "any"}}
            return {"id": request_id, "ok": True, "wire": data}
        result = getattr(self.sdk, op)(type_name, data)
        kind = type(result).__name__
        if kind == "Encoded":
            return {"id": request_id, "ok": True, "wire": result.wire}
        if kind == "Inspected":
            return {"id": request_id, "ok": True, "shape": result.shape}
        if kind == "Rejected":
            return error(request_id, "rejected", result.message)
        if kind == "Unsupported":
            return error(
                request_id, "unsupported", result.message, what=result.what, name=result.name
            )
        return error(request_id, "internal", getattr(result, "message", kind))


if __name__ == "__main__":
    GoodAdapter(sys.argv[1:]).serve()
