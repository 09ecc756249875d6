"""Endpoint vectors and the ``endpoints`` check.

The vectors are data (``fixtures/<version>/endpoints/``); the reference passes
every vector of its version through the loopback mock server and in process
(respx); deliberately broken clients are caught with the right category. The
broken clients are honest: each sits between the reference and the mock server
(a loopback proxy rewriting what goes out or comes back) or changes what the
reference returned, and the check sees it only through the recorded requests
and the result.
"""

from __future__ import annotations

import http.client
import json
import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from jsonschema import Draft202012Validator

import conformance.checks.endpoints as endpoints_check
from conformance import SpecPack
from conformance._data import FIXTURES_ROOT, META_DIR, load_json
from conformance.adapters import (
    Errored,
    OpResult,
    Rejected,
    Returned,
    SequentialBatch,
    Unsupported,
)
from conformance.cases import EndpointCase, load_endpoint_cases, load_type_cases
from conformance.checks import CheckContext, Passed
from conformance.checks.endpoints import judge, served
from conformance.findings import Finding, load_gap_rules
from conformance.reference.adapter import TinkerSdkAdapter
from conformance.reference.endpoints import SDK_LOGGERS, request, request_inprocess
from conformance.spec import available_versions, load_pack
from tests._results import run_cli

VERSIONS = available_versions()
INPUTS = Path(endpoints_check.__file__).parents[2] / "fixtures"


# -- the data -------------------------------------------------------------------------


@pytest.mark.parametrize("version", VERSIONS)
def test_every_vector_matches_the_meta_schema(version: str) -> None:
    validator = Draft202012Validator(load_json(META_DIR / "endpoint-case.schema.json"))
    files = sorted((FIXTURES_ROOT / version / "endpoints").glob("*/*.json"))
    assert files
    for path in files:
        errors = [e.message for e in validator.iter_errors(load_json(path))]
        assert errors == [], path
    assert len(load_endpoint_cases(version)) == len(files)  # the loader's own check


@pytest.mark.parametrize("version", VERSIONS)
def test_every_endpoint_of_the_pack_has_a_vector(version: str) -> None:
    pack = load_pack(version)
    covered = {case.endpoint for case in load_endpoint_cases(version)}
    endpoints = {e["id"] for e in pack.endpoints}
    assert sorted(endpoints - covered) == []
    assert sorted(covered - endpoints) == []  # no vector for an endpoint the pack lacks


@pytest.mark.parametrize("version", VERSIONS)
def test_vectors_are_recorded_with_their_inputs(version: str) -> None:
    """Every vector comes from the reviewed inputs: same endpoints and cases,
    every response body given, and no expectation without a recording."""
    inputs = load_json(INPUTS / version / "endpoints" / "inputs.json")
    listed = {f"{version}/endpoints/{c['endpoint']}/{c['case']}.json" for c in inputs["cases"]}
    assert {case.id for case in load_endpoint_cases(version)} == listed
    for case in load_endpoint_cases(version):
        assert case.source == "generated"
        assert len(case.expect["requests"]) <= len(case.responses)


# -- the reference --------------------------------------------------------------------


class Reference(TinkerSdkAdapter):
    """The reference adapter with the ``request`` op (the wiring the Adapter
    protocol gets)."""

    def request(self, endpoint: str, args: dict[str, Any], base_url: str) -> OpResult:
        return request(self.pack, endpoint, args, base_url)


def _ctx(pack: SpecPack, adapter: object) -> CheckContext:
    return CheckContext(
        pack=pack,
        adapter=adapter,  # type: ignore[arg-type]
        cases=load_type_cases(pack.version),
        rules=load_gap_rules(),
    )


def _run(
    pack: SpecPack,
    adapter: object,
    monkeypatch: pytest.MonkeyPatch,
    only: Callable[[EndpointCase], bool] | None = None,
) -> list[Any]:
    """The ``endpoints`` check over the vectors ``only`` keeps."""
    cases = [c for c in load_endpoint_cases(pack.version) if only is None or only(c)]
    assert cases
    monkeypatch.setattr(endpoints_check, "load_endpoint_cases", lambda _version: cases)
    return list(endpoints_check.endpoints(_ctx(pack, adapter)))


@pytest.mark.sdk
def test_the_reference_passes_every_vector_through_the_mock_server(
    sdk_pack: SpecPack, monkeypatch: pytest.MonkeyPatch
) -> None:
    outcomes = _run(sdk_pack, Reference(sdk_pack), monkeypatch)
    findings = [str(o) for o in outcomes if isinstance(o, Finding)]
    assert findings == []
    assert len(outcomes) == len(load_endpoint_cases(sdk_pack.version))
    assert all(isinstance(o, Passed) for o in outcomes)


class _CountingProxy:
    """A loopback "proxy" that counts the connections it is offered and
    answers each with a 502: any request that follows a proxy variable
    shows here, and fails its vector."""

    def __init__(self) -> None:
        import socket

        self.connections = 0
        self._server = socket.create_server(("127.0.0.1", 0))
        self._server.settimeout(0.2)
        self.url = f"http://127.0.0.1:{self._server.getsockname()[1]}"
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._server.accept()
            except TimeoutError:
                continue
            self.connections += 1
            with conn:
                conn.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self._server.close()


@pytest.mark.sdk
def test_no_request_follows_the_proxy_variables(
    sdk_pack: SpecPack, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 12: with ``HTTP_PROXY`` set, the in-process SDK sent every
    endpoint vector through the proxy (in CI, off the machine). Its client
    ignores the environment: the proxy sees nothing, the vectors pass."""
    proxy = _CountingProxy()
    try:
        for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
            monkeypatch.setenv(name, proxy.url)
            monkeypatch.setenv(name.lower(), proxy.url)
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        outcomes = _run(sdk_pack, Reference(sdk_pack), monkeypatch)
    finally:
        proxy.close()
    assert proxy.connections == 0
    assert [str(o) for o in outcomes if isinstance(o, Finding)] == []
    assert len(outcomes) == len(load_endpoint_cases(sdk_pack.version))


@pytest.mark.sdk
def test_the_reference_passes_every_vector_in_process(sdk_pack: SpecPack) -> None:
    ctx = _ctx(sdk_pack, Reference(sdk_pack))
    for case in load_endpoint_cases(sdk_pack.version):
        started = time.time()
        result, recorded = request_inprocess(sdk_pack, case.endpoint, case.args, served(case))
        finished = time.time()
        outcomes = list(judge(ctx, case, result, recorded, started=started, finished=finished))
        assert [str(o) for o in outcomes if isinstance(o, Finding)] == [], case.id
        assert [type(o) for o in outcomes] == [Passed], case.id


@pytest.mark.sdk
def test_the_generator_reproduces_the_vectors(sdk_pack: SpecPack) -> None:
    from conformance.generate._endpoints_vectors import generate

    files = generate(sdk_pack.version)
    drift = [p for p, text in files.items() if not p.exists() or p.read_text() != text]
    assert drift == []


@pytest.mark.sdk
def test_an_endpoint_the_sdk_lacks_is_unsupported(sdk_pack: SpecPack) -> None:
    other = next(
        (v for v in VERSIONS if v != sdk_pack.version), None
    )  # an endpoint of another pack only
    assert other is not None
    mine = {e["id"] for e in sdk_pack.endpoints}
    foreign = sorted({e["id"] for e in load_pack(other).endpoints} - mine)
    assert foreign
    result = request(sdk_pack, foreign[0], {}, "http://127.0.0.1:9")
    assert isinstance(result, Unsupported)
    assert result.what == "endpoint"


# -- broken clients -------------------------------------------------------------------

_HOP = {"host", "content-length", "connection", "transfer-encoding", "keep-alive"}


class Proxy:
    """A loopback HTTP proxy in front of ``upstream``: ``edit`` rewrites each
    request (method, path, headers, body) before it goes on; with
    ``follow_redirects`` a 3xx is followed to its Location's path on upstream,
    as a client that follows redirects would."""

    def __init__(
        self,
        upstream: str,
        edit: Callable[[str, str, dict[str, str], bytes], tuple[str, str, dict[str, str], bytes]]
        | None = None,
        *,
        follow_redirects: bool = False,
    ) -> None:
        self.upstream = urlsplit(upstream)
        self.edit = edit
        self.follow = follow_redirects
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(
            target=lambda: self.server.serve_forever(poll_interval=0.05), daemon=True
        )

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> Proxy:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def forward(
        self, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        conn = http.client.HTTPConnection(
            self.upstream.hostname or "127.0.0.1", self.upstream.port, timeout=10
        )
        try:
            conn.request(method, path, body=body or None, headers=headers)
            response = conn.getresponse()
            return response.status, response.getheaders(), response.read()
        finally:
            conn.close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _handle(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP}
                method, path = self.command, self.path
                if proxy.edit is not None:
                    method, path, headers, body = proxy.edit(method, path, headers, body)
                status, answer, payload = proxy.forward(method, path, headers, body)
                location = next((v for k, v in answer if k.lower() == "location"), None)
                if proxy.follow and 300 <= status < 400 and location:
                    target = urlsplit(location)
                    status, answer, payload = proxy.forward(
                        "GET", target.path + (f"?{target.query}" if target.query else ""), {}, b""
                    )
                self.send_response(status)
                for name, value in answer:
                    if name.lower() not in _HOP:
                        self.send_header(name, value)
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

            def log_message(self, format: str, *args: Any) -> None:
                return

        return Handler


class Mutant(Reference):
    """The reference, its requests sent through a ``Proxy`` with ``edit``."""

    follow_redirects = False

    def edit(
        self, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[str, str, dict[str, str], bytes]:
        return method, path, headers, body

    def request(self, endpoint: str, args: dict[str, Any], base_url: str) -> OpResult:
        with Proxy(base_url, self.edit, follow_redirects=self.follow_redirects) as proxy:
            return super().request(endpoint, args, proxy.base_url)


class HeartbeatAtTheOldPath(Mutant):
    """The seed's tinkex: the heartbeat posted to /api/v1/heartbeat."""

    def edit(
        self, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[str, str, dict[str, str], bytes]:
        return method, path.replace("/api/v1/session_heartbeat", "/api/v1/heartbeat"), headers, body


class ArchiveRedirectFollowed(Mutant):
    """Follows the archive's 302 instead of reading Location and Expires."""

    follow_redirects = True


class ArchiveWithoutExpires(Reference):
    """Reads the 302's Location but drops expires from the result."""

    def request(self, endpoint: str, args: dict[str, Any], base_url: str) -> OpResult:
        result = super().request(endpoint, args, base_url)
        if endpoint == "weights.get_checkpoint_archive_url" and isinstance(result, Returned):
            value = dict(result.value)
            value.pop("expires", None)
            return replace(result, value=value)
        return result


class GetInfoWithoutModelId(Mutant):
    """Drops model_id from the get_info request body."""

    def edit(
        self, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[str, str, dict[str, str], bytes]:
        if path.endswith("/get_info") and body:
            data = json.loads(body)
            data.pop("model_id", None)
            body = json.dumps(data).encode()
        return method, path, headers, body


class FreshIdempotencyKeyOnRetry(Mutant):
    """A new X-Idempotency-Key on every attempt."""

    def edit(
        self, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[str, str, dict[str, str], bytes]:
        headers = {k: v for k, v in headers.items() if k.lower() != "x-idempotency-key"}
        if method != "GET":
            headers["X-Idempotency-Key"] = str(uuid.uuid4())
        return method, path, headers, body


class NoBackpressureHeader(Mutant):
    """Samples without X-Tinker-Sampling-Backpressure."""

    def edit(
        self, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[str, str, dict[str, str], bytes]:
        kept = {k: v for k, v in headers.items() if k.lower() != "x-tinker-sampling-backpressure"}
        return method, path, kept, body


class ForwardBackwardAsJson(Mutant):
    """Sends forward_backward as JSON, as 0.15.0 did, where 0.38.0 sends protobuf."""

    def edit(
        self, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[str, str, dict[str, str], bytes]:
        if path.endswith("/forward_backward"):
            headers = {k: v for k, v in headers.items() if k.lower() != "content-type"}
            headers["Content-Type"] = "application/json"
            body = json.dumps({"model_id": "run-7c1f"}).encode()
        return method, path, headers, body


class WithoutGetInfo(Reference):
    """Has no get_info endpoint at all."""

    def request(self, endpoint: str, args: dict[str, Any], base_url: str) -> OpResult:
        if endpoint == "models.get_info":
            return Unsupported(what="endpoint", name=endpoint)
        return super().request(endpoint, args, base_url)


def _for(endpoint: str) -> Callable[[EndpointCase], bool]:
    return lambda case: case.endpoint == endpoint


def _findings(outcomes: list[Any]) -> Iterator[Finding]:
    return (o for o in outcomes if isinstance(o, Finding))


def _has(
    outcomes: list[Any], category: str, endpoint: str, field: str | None = None, text: str = ""
) -> bool:
    return any(
        f.category == category
        and f.type_name == endpoint
        and (field is None or f.field == field)
        and text in f.message
        for f in _findings(outcomes)
    )


@pytest.mark.sdk
def test_a_heartbeat_at_the_wrong_path_is_wrong_path(
    sdk_pack: SpecPack, monkeypatch: pytest.MonkeyPatch
) -> None:
    endpoint = "service.session_heartbeat"
    outcomes = _run(sdk_pack, HeartbeatAtTheOldPath(sdk_pack), monkeypatch, _for(endpoint))
    assert _has(outcomes, "wrong-path", endpoint, "/requests/0/path", "/api/v1/heartbeat")
    assert {f.category for f in _findings(outcomes)} == {"wrong-path"}


def _archive(pack: SpecPack) -> None:
    if "weights.get_checkpoint_archive_url" not in {e["id"] for e in pack.endpoints}:
        pytest.skip(f"pack {pack.version} has no checkpoint archive endpoint")


@pytest.mark.sdk
def test_following_the_archive_redirect_is_caught(
    sdk_pack: SpecPack, monkeypatch: pytest.MonkeyPatch
) -> None:
    _archive(sdk_pack)
    endpoint = "weights.get_checkpoint_archive_url"
    outcomes = _run(
        sdk_pack,
        ArchiveRedirectFollowed(sdk_pack),
        monkeypatch,
        lambda c: c.endpoint == endpoint and c.id.endswith("/redirect-with-expires.json"),
    )
    assert _has(outcomes, "value-changed", endpoint, "/requests/1", "extra request")
    assert _has(outcomes, "value-changed", endpoint, "/result")
    assert not any(isinstance(o, Passed) for o in outcomes)


@pytest.mark.sdk
def test_an_archive_url_without_expires_is_data_loss(
    sdk_pack: SpecPack, monkeypatch: pytest.MonkeyPatch
) -> None:
    _archive(sdk_pack)
    endpoint = "weights.get_checkpoint_archive_url"
    outcomes = _run(
        sdk_pack, ArchiveWithoutExpires(sdk_pack), monkeypatch, lambda c: c.endpoint == endpoint
    )
    redirects = [
        c
        for c in load_endpoint_cases(sdk_pack.version)
        if c.endpoint == endpoint and "expires" in (c.expect["result"].get("value") or {})
    ]
    lost = [
        f
        for f in _findings(outcomes)
        if f.category == "data-loss" and f.field == "/result/value/expires"
    ]
    assert {f.case for f in lost} >= {c.id for c in redirects}
    assert redirects


@pytest.mark.sdk
def test_an_archive_expires_off_the_clock_is_caught(
    sdk_pack: SpecPack, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without Expires the result must be the call's time + 15 minutes: the
    frozen value recorded in the vector is not accepted today."""
    _archive(sdk_pack)
    endpoint = "weights.get_checkpoint_archive_url"
    case = next(
        c
        for c in load_endpoint_cases(sdk_pack.version)
        if c.id.endswith("/redirect-without-expires.json")
    )
    frozen = Returned(value=case.expect["result"]["value"])
    now = time.time()
    outcomes = list(
        judge(_ctx(sdk_pack, Reference(sdk_pack)), case, frozen, [], started=now, finished=now)
    )
    assert _has(outcomes, "value-changed", endpoint, "/result/value/expires", "+ 900 s")


@pytest.mark.sdk
def test_an_archive_expires_in_utc_agrees_with_the_naive_reference(sdk_pack: SpecPack) -> None:
    """0.15.0 returns the parsed Expires header (GMT) as a naive datetime; the
    same instant spelled with Z, an offset or as unix seconds agrees."""
    _archive(sdk_pack)
    case = next(
        c
        for c in load_endpoint_cases(sdk_pack.version)
        if c.id.endswith("/redirect-with-expires.json")
    )
    url = case.expect["result"]["value"]["url"]
    ctx = _ctx(sdk_pack, Reference(sdk_pack))
    for expires in ("2025-11-26T13:00:00Z", "2025-11-26T14:00:00+01:00", 1764162000):
        got = Returned(value={"url": url, "expires": expires})
        agreed = list(judge(ctx, case, got, [], started=0, finished=0))
        assert not [f for f in _findings(agreed) if f.field.startswith("/result")]
    late = Returned(value={"url": url, "expires": "2025-11-26T13:00:01Z"})
    outcomes = list(judge(ctx, case, late, [], started=0, finished=0))
    assert _has(outcomes, "value-changed", case.endpoint, "/result/value/expires")


@pytest.mark.parametrize("version", VERSIONS)
def test_a_returned_value_is_the_result_whatever_type_it_names(version: str) -> None:
    """``request`` has one answer shape, in process and over the protocol:
    ``Returned(value=V)``; the type it names is a fact for people, the
    vector's type decides how ``V`` is compared."""
    pack = load_pack(version)
    case = next(
        c
        for c in load_endpoint_cases(version)
        if c.endpoint == "service.health_check" and "value" in c.expect["result"]
    )
    ctx = _ctx(pack, object())
    value = case.expect["result"]["value"]
    for answer in (Returned(value=value), Returned(value=value, type_name="Anything")):
        outcomes = list(judge(ctx, case, answer, [], started=0, finished=0))
        assert not [f for f in _findings(outcomes) if f.field.startswith("/result")]


@pytest.mark.sdk
def test_a_dropped_body_field_is_data_loss(
    sdk_pack: SpecPack, monkeypatch: pytest.MonkeyPatch
) -> None:
    endpoint = "models.get_info"
    outcomes = _run(sdk_pack, GetInfoWithoutModelId(sdk_pack), monkeypatch, _for(endpoint))
    assert _has(outcomes, "data-loss", endpoint, "/requests/0/json/model_id")


class StatusAsInternalError(Reference):
    """Maps every API error to a 500, as a client that loses the status would."""

    def request(self, endpoint: str, args: dict[str, Any], base_url: str) -> OpResult:
        result = super().request(endpoint, args, base_url)
        if isinstance(result, Rejected) and result.status is not None:
            return replace(result, status=500)
        return result


class KindlessErrors(Reference):
    """Raises its own error type, of no neutral kind, for every failed call."""

    def request(self, endpoint: str, args: dict[str, Any], base_url: str) -> OpResult:
        result = super().request(endpoint, args, base_url)
        if isinstance(result, Rejected):
            return Rejected(message=f"ClientError: {result.message}")
        return result


@pytest.mark.sdk
def test_a_wrong_error_status_is_caught(
    sdk_pack: SpecPack, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The status travels as a fact of the rejection (``Rejected.status``),
    never read out of its message."""
    endpoint = "models.get_info"
    outcomes = _run(
        sdk_pack,
        StatusAsInternalError(sdk_pack),
        monkeypatch,
        lambda c: c.endpoint == endpoint and c.id.endswith("/not-found.json"),
    )
    assert _has(outcomes, "value-changed", endpoint, "/result/error/status")


@pytest.mark.sdk
def test_an_error_of_no_kind_is_caught(sdk_pack: SpecPack, monkeypatch: pytest.MonkeyPatch) -> None:
    endpoint = "models.get_info"
    outcomes = _run(
        sdk_pack,
        KindlessErrors(sdk_pack),
        monkeypatch,
        lambda c: c.endpoint == endpoint and c.id.endswith("/not-found.json"),
    )
    assert _has(outcomes, "value-changed", endpoint, "/result/error/kind")


@pytest.mark.sdk
def test_a_fresh_idempotency_key_on_retry_is_caught(
    sdk_pack: SpecPack, monkeypatch: pytest.MonkeyPatch
) -> None:
    endpoint = "models.create"
    outcomes = _run(
        sdk_pack,
        FreshIdempotencyKeyOnRetry(sdk_pack),
        monkeypatch,
        lambda c: c.endpoint == endpoint and "retry" in c.id,
    )
    assert _has(
        outcomes,
        "value-changed",
        endpoint,
        "/requests/1/headers_as_previous/x-idempotency-key",
        "a retry must reuse it",
    )


@pytest.mark.sdk
def test_sampling_without_the_backpressure_header_is_caught(
    sdk_pack: SpecPack, monkeypatch: pytest.MonkeyPatch
) -> None:
    endpoint = "sampling.asample"
    outcomes = _run(sdk_pack, NoBackpressureHeader(sdk_pack), monkeypatch, _for(endpoint))
    assert _has(
        outcomes,
        "value-changed",
        endpoint,
        "/requests/0/headers/x-tinker-sampling-backpressure",
        "header x-tinker-sampling-backpressure missing",
    )


@pytest.mark.sdk
def test_a_json_body_where_protobuf_belongs_is_caught(
    sdk_pack: SpecPack, monkeypatch: pytest.MonkeyPatch
) -> None:
    endpoint = "training.forward_backward"
    entry = next(e for e in sdk_pack.endpoints if e["id"] == endpoint)
    if entry["body_encoding"] != "protobuf":
        pytest.skip(f"pack {sdk_pack.version} sends forward_backward as JSON")
    outcomes = _run(sdk_pack, ForwardBackwardAsJson(sdk_pack), monkeypatch, _for(endpoint))
    assert _has(outcomes, "value-changed", endpoint, "/requests/0/content_type", "x-protobuf")
    body = [f for f in _findings(outcomes) if f.field.startswith("/requests/0/json")]
    assert body  # the JSON bytes do not decode to the reference's message


@pytest.mark.sdk
def test_a_missing_endpoint_is_reported_once(
    sdk_pack: SpecPack, monkeypatch: pytest.MonkeyPatch
) -> None:
    endpoint = "models.get_info"
    outcomes = _run(sdk_pack, WithoutGetInfo(sdk_pack), monkeypatch, _for(endpoint))
    missing = [f for f in _findings(outcomes) if f.category == "missing-endpoint"]
    assert len(missing) == 1
    assert missing[0].type_name == endpoint
    assert missing[0].severity == "critical"
    assert [f for f in _findings(outcomes) if f.category != "missing-endpoint"] == []


@pytest.mark.sdk
def test_an_adapter_without_the_request_op_is_one_finding(
    sdk_pack: SpecPack, monkeypatch: pytest.MonkeyPatch
) -> None:
    class DecodeOnly(SequentialBatch):  # an adapter of the type ops only
        def hello(self) -> Any:
            return TinkerSdkAdapter(sdk_pack).hello()

    outcomes = _run(sdk_pack, DecodeOnly(), monkeypatch)
    assert [f.category for f in _findings(outcomes)] == ["op-unsupported"]


@pytest.mark.sdk
def test_the_in_process_path_opens_no_socket(
    sdk_pack: SpecPack, monkeypatch: pytest.MonkeyPatch
) -> None:
    import socket

    def refuse(*_args: Any, **_kwargs: Any) -> None:
        raise AssertionError("a socket was connected")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    case = next(
        c for c in load_endpoint_cases(sdk_pack.version) if c.endpoint == "service.health_check"
    )
    result, recorded = request_inprocess(sdk_pack, case.endpoint, case.args, served(case))
    assert isinstance(result, Returned)
    assert [r.path for r in recorded] == ["/api/v1/healthz"]


# -- the SDK's log ----------------------------------------------------------------------


class _Seen(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _retried(pack: SpecPack) -> EndpointCase:
    """A vector the SDK retries after a 5xx, which it logs as a warning."""
    return next(
        c
        for c in load_endpoint_cases(pack.version)
        if c.responses[0]["status"] >= 500 and c.responses[-1]["status"] == 200
    )


@pytest.mark.sdk
def test_the_sdks_retry_log_is_kept_off_the_console(
    sdk_pack: SpecPack, caplog: pytest.LogCaptureFixture
) -> None:
    """The SDK logs the retry (a handler on its own logger sees it), but the
    record never reaches the root logger's handlers (the console; caplog's
    here), and the logger propagates again after the call."""
    seen = _Seen()
    sdk = logging.getLogger("tinker")
    sdk.addHandler(seen)
    case = _retried(sdk_pack)
    try:
        with caplog.at_level(logging.DEBUG):
            result, _ = request_inprocess(sdk_pack, case.endpoint, case.args, served(case))
    finally:
        sdk.removeHandler(seen)
    assert isinstance(result, Returned)
    assert any(m.startswith("Retrying due to status code 5") for m in seen.messages)
    assert [r.getMessage() for r in caplog.records if r.name.startswith(SDK_LOGGERS)] == []
    assert sdk.propagate


@pytest.mark.sdk
def test_a_failed_call_carries_what_the_sdk_logged(
    sdk_pack: SpecPack, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Where the lines help (the call failed), they end its stderr. (0.38.0
    logs this vector's retry at debug level only: the level is lowered so
    that every version logs it.)"""
    import conformance.reference._wire as wire

    caplog.set_level(logging.DEBUG, logger="tinker")

    def refuse(*_args: Any) -> Any:
        raise TypeError("cannot encode")

    monkeypatch.setattr(wire, "to_wire", refuse)
    case = _retried(sdk_pack)
    result, _ = request_inprocess(sdk_pack, case.endpoint, case.args, served(case))
    assert isinstance(result, Errored)
    assert "Retrying due to status code 5" in result.stderr
    assert result.stderr.splitlines()[-1].startswith("tinker.")


@pytest.mark.sdk
def test_a_run_of_the_endpoints_check_prints_no_sdk_log(sdk_pack: SpecPack, tmp_path: Path) -> None:
    run = run_cli(
        "run", "--adapter", "tinker", "--spec", sdk_pack.version, "--check", "endpoints",
        "-q", "--results", str(tmp_path / "results.json"),
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert "Retrying" not in run.stdout + run.stderr
