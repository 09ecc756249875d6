"""The mock Tinker server: loopback only, canned answers in order, every
request recorded as it arrived."""

from __future__ import annotations

import json
import urllib.request

import pytest

from conformance import ConformanceError
from conformance.mock_server import CannedResponse, MockTinkerServer


def _send(url: str, method: str = "POST", body: object = None) -> tuple[int, dict[str, str], bytes]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("content-type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
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
        opener = urllib.request.build_opener(_NoRedirect())
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
