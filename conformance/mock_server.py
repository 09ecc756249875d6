"""A mock Tinker server on loopback: serves canned responses, records requests.

Clients in any language are pointed at it (the ``request`` op carries its
base URL); it answers each request with the next canned response and keeps
what arrived, so the runner can compare the recorded request with an
endpoint vector. It refuses to bind anywhere but loopback: nothing in this
project talks to a real network.
"""

from __future__ import annotations

import base64
import ipaddress
import json
import socket
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from conformance._errors import ConformanceError

__all__ = ["CannedResponse", "MockTinkerServer", "RecordedRequest"]


@dataclass(frozen=True, kw_only=True)
class CannedResponse:
    """One answer: status, headers and a body (JSON, text or base64 bytes)."""

    status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)
    json: Any = None
    text: str | None = None
    base64: str | None = None

    def body(self) -> tuple[bytes, str | None]:
        """The bytes to send and the content type they imply."""
        if self.base64 is not None:
            return base64.b64decode(self.base64), None
        if self.text is not None:
            return self.text.encode(), "text/plain; charset=utf-8"
        if self.json is not None:
            return json.dumps(self.json).encode(), "application/json"
        return b"", None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CannedResponse:
        return cls(
            status=int(data.get("status", 200)),
            headers=dict(data.get("headers", {})),
            json=data.get("json"),
            text=data.get("text"),
            base64=data.get("base64"),
        )


@dataclass(frozen=True, kw_only=True)
class RecordedRequest:
    """What a client sent, as the server saw it."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-cased names
    body: bytes

    def json(self) -> Any:
        """The body parsed as JSON, or None when it is empty or not JSON."""
        if not self.body:
            return None
        try:
            return json.loads(self.body)
        except ValueError:
            return None


class MockTinkerServer:
    """A threaded HTTP server bound to a free loopback port."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        _require_loopback(host)
        self._host, self._port = host, port
        self._lock = threading.Lock()
        self._queue: list[CannedResponse] = []
        self.recorded: list[RecordedRequest] = []
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        if self._server is None:
            msg = "the mock server is not started"
            raise ConformanceError(msg)
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def serve(self, responses: Sequence[CannedResponse]) -> None:
        """Replace the queue: the next requests get these answers, in order."""
        with self._lock:
            self._queue = list(responses)
            self.recorded = []

    def start(self) -> MockTinkerServer:
        server = ThreadingHTTPServer((self._host, self._port), _handler_for(self))
        server.daemon_threads = True
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> MockTinkerServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _answer(self, request: RecordedRequest) -> CannedResponse:
        with self._lock:
            self.recorded.append(request)
            if self._queue:
                return self._queue.pop(0)
        return CannedResponse(
            status=599,
            json={"error": "mock server: no canned response left for this request"},
        )


def _require_loopback(host: str) -> None:
    try:
        addresses = {str(info[4][0]) for info in socket.getaddrinfo(host, None)}
    except OSError as exc:
        msg = f"mock server host {host!r} does not resolve: {exc}"
        raise ConformanceError(msg) from None
    outside = [a for a in addresses if not ipaddress.ip_address(a.split("%")[0]).is_loopback]
    if outside:
        msg = f"the mock server binds to loopback only; {host!r} resolves to {sorted(outside)}"
        raise ConformanceError(msg)


def _handler_for(owner: MockTinkerServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _handle(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else b""
            url = urlsplit(self.path)
            recorded = RecordedRequest(
                method=self.command,
                path=url.path,
                query=dict(parse_qsl(url.query, keep_blank_values=True)),
                headers={k.lower(): v for k, v in self.headers.items()},
                body=body,
            )
            canned = owner._answer(recorded)
            payload, content_type = canned.body()
            self.send_response(canned.status)
            headers = {k.lower(): v for k, v in canned.headers.items()}
            if content_type and "content-type" not in headers:
                headers["content-type"] = content_type
            headers["content-length"] = str(len(payload))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

        def log_message(self, format: str, *args: Any) -> None:
            return  # quiet: the recorded requests are the log

    return Handler
