"""Drive a protocol-1 adapter program by piping JSON lines into it (for the
tests of the adapter programs; the runner side has its own client)."""

from __future__ import annotations

import json
import selectors
import subprocess
from collections.abc import Sequence
from functools import cache
from typing import Any

from jsonschema.validators import Draft202012Validator

from conformance._data import SCHEMAS_ROOT

ROOT = SCHEMAS_ROOT.parent
TIMEOUT = 300


@cache
def response_validator() -> Draft202012Validator:
    schema = json.loads((SCHEMAS_ROOT / "protocol" / "response.schema.json").read_text())
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def assert_valid_response(response: Any) -> None:
    errors = sorted(response_validator().iter_errors(response), key=str)
    assert not errors, (response, [e.message for e in errors])


def line(request: Any) -> bytes:
    return json.dumps(request).encode("utf-8") + b"\n"


def run_session(
    command: Sequence[str], lines: Sequence[bytes]
) -> tuple[list[Any], subprocess.CompletedProcess[bytes]]:
    """Pipe ``lines`` in at once; every stdout line parsed, and the finished process."""
    done = subprocess.run(
        list(command),
        input=b"".join(lines),
        capture_output=True,
        timeout=TIMEOUT,
        check=False,
        cwd=ROOT,
    )
    responses = [json.loads(out) for out in done.stdout.splitlines()]
    return responses, done


class Conversation:
    """One request at a time: each answer must come before the next request is
    written (no buffering until end of input)."""

    def __init__(self, command: Sequence[str]) -> None:
        self.process = subprocess.Popen(
            list(command),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            cwd=ROOT,
        )
        self._selector = selectors.DefaultSelector()
        assert self.process.stdout is not None
        self._selector.register(self.process.stdout, selectors.EVENT_READ)

    def ask(self, request: Any, timeout: float = 60) -> Any:
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self.process.stdin.write(line(request))
        self.process.stdin.flush()
        if not self._selector.select(timeout):
            msg = f"no answer within {timeout}s to {request!r}"
            raise AssertionError(msg)
        return json.loads(self.process.stdout.readline())

    def close(self) -> int:
        if self.process.stdin is not None:
            self.process.stdin.close()
        try:
            return self.process.wait(timeout=60)
        finally:
            self._selector.close()
            if self.process.stdout is not None:
                self.process.stdout.close()
            if self.process.poll() is None:
                self.process.kill()
