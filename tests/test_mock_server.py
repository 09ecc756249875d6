"""The mock Tinker server: loopback only, canned answers in order, every
request recorded as it arrived."""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from conformance import ConformanceError
from conformance.mock_server import CannedResponse, MockTinkerServer, RecordedRequest


def _send(url: str, method: str = "POST", body: object = None) -> tuple[int, dict[str, str], bytes]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("content-type", "application/json")
    direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never a proxy
    try:
        with direct.open(request, timeout=5) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as err:
        with err:
            return err.code, dict(err.headers), err.read()


def test_serves_in_order_and_records() -> None:
    with MockTinkerServer() as server:
        assert server.base_url.startswith("http://127.0.0.1:")
        server.serve(
            [
                CannedResponse(status=429, headers={"retry-after-ms": "5"}, json={"error": "slow"}),
                CannedResponse(json={"type": "session_heartbeat"}),
            ]
        )
        first = _send(f"{server.base_url}/api/v1/session_heartbeat?x=1", body={"session_id": "s"})
        second = _send(f"{server.base_url}/api/v1/session_heartbeat", body={"session_id": "s"})
        third = _send(f"{server.base_url}/api/v1/healthz", method="GET")
    assert first[0] == 429
    assert first[1]["retry-after-ms"] == "5"
    assert (second[0], json.loads(second[2])) == (200, {"type": "session_heartbeat"})
    assert third[0] == 599
    paths = [(r.method, r.path) for r in server.recorded]
    assert paths == [
        ("POST", "/api/v1/session_heartbeat"),
        ("POST", "/api/v1/session_heartbeat"),
        ("GET", "/api/v1/healthz"),
    ]
    assert server.recorded[0].query == {"x": "1"}
    assert server.recorded[0].json() == {"session_id": "s"}
    assert server.recorded[0].headers["content-type"] == "application/json"


def test_a_redirect_is_served_not_followed_by_the_server() -> None:
    location = "https://storage.invalid/archive.tar.gz"
    with MockTinkerServer() as server:
        server.serve([CannedResponse(status=302, headers={"Location": location})])
        opener = urllib.request.build_opener(_NoRedirect(), urllib.request.ProxyHandler({}))
        request = urllib.request.Request(
            f"{server.base_url}/api/v1/training_runs/r/checkpoints/c/archive"
        )
        with pytest.raises(urllib.error.HTTPError) as info:
            opener.open(request, timeout=5)
    with info.value as err:
        assert err.code == 302
        assert err.headers["location"] == location


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


@pytest.mark.parametrize("host", ["0.0.0.0", "8.8.8.8"])
def test_refuses_anything_but_loopback(host: str) -> None:
    with pytest.raises(ConformanceError, match="loopback only"):
        MockTinkerServer(host=host)


def test_localhost_is_loopback() -> None:
    with MockTinkerServer(host="localhost") as server:
        assert server.base_url


# -- limits (issue 12): real sockets on 127.0.0.1, every wait bounded ------------------

_LIMITS = json.loads((Path(__file__).parent / "data" / "mock-server-limits.json").read_text())


def _exchange(base_url: str, raw: bytes, seconds: float) -> bytes:
    """Send ``raw`` and read until the server closes (at most ``seconds``)."""
    host, port = urlsplit(base_url).hostname, urlsplit(base_url).port
    with socket.create_connection((host, port), timeout=seconds) as conn:
        conn.sendall(raw)
        chunks = []
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            chunk = conn.recv(65536)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
    pytest.fail(f"the connection stayed open beyond {seconds} s")


@pytest.mark.parametrize("case", _LIMITS["cases"], ids=lambda c: str(c["description"]))
def test_refuses_bad_lengths_and_closes(case: dict[str, Any]) -> None:
    with MockTinkerServer(max_body=_LIMITS["max_body"]) as server:
        server.serve([CannedResponse(json={"ok": True})])
        started = time.monotonic()
        answer = _exchange(server.base_url, case["request"].encode(), case["seconds"])
        assert time.monotonic() - started < case["seconds"]
    status = int(answer.split(b" ", 2)[1])
    assert status == case["status"], answer[:200]
    if status >= 400:
        assert [r.status for r in server.rejected] == [status]
        assert server.recorded == []


def test_the_default_body_limit_is_16_mib() -> None:
    with MockTinkerServer() as server:
        assert server.max_body == 16 * 1024 * 1024
        raw = f"POST / HTTP/1.1\r\nContent-Length: {16 * 1024 * 1024 + 1}\r\n\r\n".encode()
        assert _exchange(server.base_url, raw, 2).startswith(b"HTTP/1.1 413")


def test_slowloris_connections_are_cut_at_the_deadline() -> None:
    """Each connection trickles a header byte at a time, well inside the
    per-read timeout: only the connection deadline ends them."""
    with MockTinkerServer(connection_seconds=1.0, io_timeout=5.0) as server:
        host, port = urlsplit(server.base_url).hostname, urlsplit(server.base_url).port
        conns = [socket.create_connection((host, port), timeout=5) for _ in range(5)]
        try:
            started = time.monotonic()
            closed: set[int] = set()
            while len(closed) < len(conns) and time.monotonic() - started < 4:
                for i, conn in enumerate(conns):
                    if i in closed:
                        continue
                    try:
                        conn.sendall(b"X")
                        conn.settimeout(0.05)
                        if conn.recv(1) == b"":
                            closed.add(i)
                    except TimeoutError:
                        pass
                    except OSError:
                        closed.add(i)
                time.sleep(0.1)
            assert len(closed) == len(conns)
            assert time.monotonic() - started < 4
        finally:
            for conn in conns:
                conn.close()


def test_connections_beyond_the_bound_get_503_without_a_thread() -> None:
    with MockTinkerServer(max_connections=2, connection_seconds=3.0) as server:
        host, port = urlsplit(server.base_url).hostname, urlsplit(server.base_url).port
        idle = [socket.create_connection((host, port), timeout=2) for _ in range(2)]
        try:
            time.sleep(0.2)  # both accepted and holding their slot
            threads = threading.active_count()
            answer = _exchange(server.base_url, b"GET /api/v1/healthz HTTP/1.1\r\n\r\n", 2)
            assert answer.startswith(b"HTTP/1.1 503")
            assert threading.active_count() <= threads
        finally:
            for conn in idle:
                conn.close()
        time.sleep(0.3)  # the slots are given back
        status, _, _ = _send(f"{server.base_url}/api/v1/healthz", method="GET")
        assert status == 599  # served (no canned response left), not refused
    assert [r.reason for r in server.rejected] == ["too many connections"]


def test_a_failing_answer_is_a_500_and_prints_nothing(capfd: pytest.CaptureFixture[str]) -> None:
    def broken(request: RecordedRequest) -> CannedResponse:
        raise RuntimeError("boom")

    with MockTinkerServer(answer=broken) as server:
        status, _, _ = _send(f"{server.base_url}/api/v1/healthz", method="GET")
        _exchange(server.base_url, b"POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 2)
        _exchange(server.base_url, b"\x16\x03\x01garbage\r\n\r\n", 2)
    assert status == 500
    assert server.errors == 1
    out, err = capfd.readouterr()
    assert "Traceback" not in out + err
    assert err == ""
