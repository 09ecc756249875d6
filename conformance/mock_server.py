"""A mock Tinker server on loopback: serves canned responses, records requests.

Clients in any language are pointed at it (the ``request`` op carries its
base URL); it answers each request with the next canned response and keeps
what arrived, so the runner can compare the recorded request with an
endpoint vector. It refuses to bind anywhere but loopback: nothing in this
project talks to a real network.

It also faces clients nobody vetted (``tinker-conformance serve`` runs it for a
port's whole test suite), so it is bounded like a public server, and fails
closed:

- a connection lives at most ``CONNECTION_SECONDS`` (its socket is shut down
  then, whatever it is doing: a slowloris sender cannot hold a thread), and one
  read or write may stall at most ``IO_TIMEOUT_SECONDS``;
- at most ``MAX_CONNECTIONS`` connections are served at once (one thread
  each); one more is answered 503 and closed, without a thread;
- a body is at most ``MAX_BODY_BYTES``: a larger ``Content-Length`` is answered
  413 before anything is read or allocated, a negative or malformed one 400, a
  chunked body 411 (every Tinker client sends a length); these answers close the
  connection, and each is counted in ``rejected``;
- an error in a handler never prints a traceback: it is counted in ``errors``.
"""

from __future__ import annotations

import base64
import contextlib
import ipaddress
import json
import socket
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from conformance._errors import ConformanceError

__all__ = [
    "CONNECTION_SECONDS",
    "IO_TIMEOUT_SECONDS",
    "MAX_BODY_BYTES",
    "MAX_CONNECTIONS",
    "CannedResponse",
    "MockTinkerServer",
    "RecordedRequest",
    "Rejection",
]

#: Largest request body read; the largest the reference sends is far smaller.
MAX_BODY_BYTES = 16 * 1024 * 1024
#: Longest life of one connection, keep-alive included.
CONNECTION_SECONDS = 30.0
#: Longest stall of one read or write on a connection.
IO_TIMEOUT_SECONDS = 10.0
#: Connections served at once (each has a thread); one more is refused with 503.
MAX_CONNECTIONS = 64


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
            return json.dumps(self.json, allow_nan=False).encode(), "application/json"
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


@dataclass(frozen=True, kw_only=True)
class Rejection:
    """A request refused before it was read: the status sent and why."""

    status: int
    reason: str
    method: str
    path: str


class MockTinkerServer:
    """A threaded HTTP server bound to a free loopback port.

    ``answer``, when given, decides every response instead of the canned queue
    (``serve`` validates and routes with it); it is called with the lock held,
    so it sees requests one at a time, in arrival order.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        answer: Callable[[RecordedRequest], CannedResponse] | None = None,
        max_body: int = MAX_BODY_BYTES,
        max_connections: int = MAX_CONNECTIONS,
        connection_seconds: float = CONNECTION_SECONDS,
        io_timeout: float = IO_TIMEOUT_SECONDS,
    ) -> None:
        _require_loopback(host)
        self._host, self._port = host, port
        self._lock = threading.Lock()
        self._queue: list[CannedResponse] = []
        self._respond = answer
        self.recorded: list[RecordedRequest] = []
        self.rejected: list[Rejection] = []
        self.errors = 0
        self.max_body = max_body
        self.connection_seconds = connection_seconds
        self.io_timeout = io_timeout
        self._slots = threading.BoundedSemaphore(max_connections)
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
        server = _BoundedServer((self._host, self._port), _handler_for(self), owner=self)
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
            if self._respond is not None:
                return self._respond(request)
            if self._queue:
                return self._queue.pop(0)
        return CannedResponse(
            status=599,
            json={"error": "mock server: no canned response left for this request"},
        )

    def _reject(self, rejection: Rejection) -> None:
        with self._lock:
            self.rejected.append(rejection)

    def _error(self) -> None:
        with self._lock:
            self.errors += 1


class _BoundedServer(ThreadingHTTPServer):
    """One thread per connection, at most ``MAX_CONNECTIONS`` of them; the
    others get a 503 from the accepting thread and are closed."""

    daemon_threads = True
    block_on_close = False

    def __init__(
        self,
        address: tuple[str, int],
        handler: type[BaseHTTPRequestHandler],
        *,
        owner: MockTinkerServer,
    ) -> None:
        self.owner = owner
        super().__init__(address, handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self.owner._slots.acquire(blocking=False):
            self.owner._reject(
                Rejection(status=503, reason="too many connections", method="", path="")
            )
            with contextlib.suppress(OSError):  # the peer is gone
                request.sendall(_BUSY)
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except Exception:
            self.owner._slots.release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.owner._slots.release()

    def handle_error(self, request: Any, client_address: Any) -> None:
        self.owner._error()  # counted, never printed


_BUSY = (
    b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\n"
    b"connection: close\r\ncontent-length: 34\r\n\r\n"
    b'{"detail": "too many connections"}'
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
        timeout = owner.io_timeout  # every read and write on the socket

        def setup(self) -> None:
            super().setup()
            # The whole connection's deadline: shutting the socket down ends
            # any read in progress, however slowly the peer trickles bytes.
            self._deadline = threading.Timer(owner.connection_seconds, self._expire)
            self._deadline.daemon = True
            self._deadline.start()

        def _expire(self) -> None:
            with contextlib.suppress(OSError):  # the peer is gone
                self.connection.shutdown(socket.SHUT_RDWR)

        def finish(self) -> None:
            self._deadline.cancel()
            with contextlib.suppress(OSError):  # the peer is gone
                super().finish()

        def _refuse(self, status: int, reason: str) -> None:
            owner._reject(
                Rejection(
                    status=status, reason=reason, method=self.command, path=urlsplit(self.path).path
                )
            )
            self.close_connection = True
            payload = json.dumps({"detail": reason}, allow_nan=False).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(payload)))
            self.send_header("connection", "close")
            self.end_headers()
            self.wfile.write(payload)

        def _body(self) -> bytes | None:
            """The body, or None when the request was refused for its length."""
            if "chunked" in (self.headers.get("transfer-encoding") or "").lower():
                self._refuse(411, "a chunked body is not accepted; send Content-Length")
                return None
            text = (self.headers.get("content-length") or "0").strip()
            if not text.isdigit():  # negative, signed, or not a number
                self._refuse(400, f"invalid Content-Length {text[:40]!r}")
                return None
            length = int(text)
            if length > owner.max_body:
                self._refuse(413, f"body of {length} bytes; the limit is {owner.max_body}")
                return None
            body = self.rfile.read(length) if length else b""
            if len(body) < length:
                self.close_connection = True  # the peer went away or timed out
                return None
            return body

        def _handle(self) -> None:
            body = self._body()
            if body is None:
                return
            url = urlsplit(self.path)
            recorded = RecordedRequest(
                method=self.command,
                path=url.path,
                query=dict(parse_qsl(url.query, keep_blank_values=True)),
                headers={k.lower(): v for k, v in self.headers.items()},
                body=body,
            )
            try:
                canned = owner._answer(recorded)
            except Exception:  # a bug in ``answer``: the client gets a 500, no traceback
                owner._error()
                canned = CannedResponse(status=500, json={"detail": "mock server error"})
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

        def handle_one_request(self) -> None:
            try:
                super().handle_one_request()
            except OSError:
                self.close_connection = True  # reset, shut down at the deadline

    return Handler
