"""Endpoint vectors: the HTTP requests a client sends for one API call, and
what the call returns.

Every vector (``fixtures/<version>/endpoints/<endpoint id>/<case>.json``,
``schemas/meta/endpoint-case.schema.json``) is run against the loopback
``MockTinkerServer`` (one per run, its queue and record reset for each
vector) serving the vector's canned responses in order, followed
by one ``TERMINATOR`` (a 599 with ``x-should-retry: false``, so that a client
retrying more than the reference stops soon). The adapter's ``request(endpoint,
args, base_url)`` makes the call; the server records what arrived.

What is compared, and how a difference is classified:

- one request per expected request, in order. An extra request (a retry the
  reference does not make, a redirect followed) or a missing one (no retry
  after a 503) is ``value-changed``.
- method and path: ``wrong-path``.
- query parameters: a missing one is ``data-loss``, a different value
  ``value-changed``, one the reference does not send ``added-field``.
- the body. With ``body_type`` it is compared in canonical form against that
  pack type (docs/CANONICAL.md), with the categories of the canonical
  comparison (``data-loss``, ``default-differs``, ...). Without one (bodies the
  SDK builds inline) it is compared as JSON, a null member counting as absent.
  A protobuf body (``content_type: application/x-protobuf``) is decoded with the
  reference SDK's own protobuf definitions (``tinker.proto.tinker_public_pb2``,
  the message named like the endpoint's request type, ``Content-Encoding: zstd``
  undone) and compared in its JSON form (``google.protobuf.json_format``); where
  the installed ``tinker`` has no such message, only method, path and content
  type of that request are judged.
- the content type (its media type, parameters ignored) and headers:
  ``headers`` must carry their values (for a comma-separated list header such as
  ``Accept``, every listed item must be among the sent items), ``headers_present``
  must be there, ``headers_as_previous`` must repeat the previous request's value
  (an idempotency key reused on a retry). A miss is ``value-changed``, with the
  message ``header X missing`` when the header is absent.
- the result: ``{"value": ..., "type": T}`` in canonical form as the pack type
  ``T`` (plain JSON without ``type``) against the value the adapter returned
  (``Returned``, in process and over the protocol alike);
  ``{"error": {"kind", "status"}}`` against the kind and status of the
  adapter's rejection (``Rejected(kind="api-status", status=404)``). A value
  where an error is expected, or the reverse, is ``value-changed``.

One result depends on the clock: the checkpoint archive endpoint (index.json's
``special.default_expiry_seconds``) answers ``expires = now + 15 minutes`` when
the 302 has no ``Expires`` header the reference can parse (RFC 1123,
``%a, %d %b %Y %H:%M:%S GMT``). Its vectors are recorded with the reference's
clock frozen; the check accepts any ``expires`` between the call's start and end
plus that many seconds (``CLOCK_SLACK_SECONDS`` either side), and compares the
rest of the value as usual. Where the header parses, 0.15.0 returns its time as a
naive datetime (GMT, the zone dropped); the check compares that ``expires`` as
the UTC instant it names, so a client answering ``...Z`` or ``+00:00`` agrees.

An endpoint the implementation lacks (``Unsupported(what="endpoint")``) is one
``missing-endpoint`` finding per endpoint. A crash, hang or internal error is
``adapter-error`` (``conformance.checks._common.failure_finding``).
"""

from __future__ import annotations

import datetime as dt
import importlib
import time
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from conformance._data import pointer
from conformance._json import json_equal, json_kind, short
from conformance.adapters import Call, OpResult, Rejected, Returned, Unsupported
from conformance.cases import EndpointCase, load_endpoint_cases
from conformance.checks._common import ask, failure_finding, lacks_op
from conformance.checks._registry import CheckContext, Outcome, Passed, check
from conformance.findings import Finding
from conformance.mock_server import CannedResponse, MockTinkerServer, RecordedRequest

__all__ = [
    "CHECK",
    "CLOCK_SLACK_SECONDS",
    "PROTOBUF",
    "TERMINATOR",
    "judge",
    "judge_requests",
    "protobuf_json",
    "served",
]

CHECK = "endpoints"
PROTOBUF = "application/x-protobuf"
#: Served after a vector's own responses: a client that retries beyond the
#: reference is told to stop (the extra request is still recorded and judged).
TERMINATOR = CannedResponse(
    status=599,
    headers={"x-should-retry": "false"},
    json={"error": "mock server: no canned response left for this request"},
)
#: Tolerance around "now" for a result the reference computes from the clock.
CLOCK_SLACK_SECONDS = 5.0
#: How the reference parses an ``Expires`` header (tinker.resources.weights).
_HTTP_DATE = "%a, %d %b %Y %H:%M:%S GMT"


def served(case: EndpointCase) -> list[CannedResponse]:
    """What the mock server answers for ``case``, in order."""
    return [CannedResponse.from_json(r) for r in case.responses] + [TERMINATOR]


@check(
    CHECK,
    "every endpoint vector: the HTTP requests sent for an API call, and its result",
    subject="endpoint",
)
def endpoints(ctx: CheckContext) -> Iterator[Outcome]:
    cases = ctx.endpoints
    if cases is None:
        cases = load_endpoint_cases(ctx.pack.version)
    missing: set[str] = set()
    with MockTinkerServer() as server:
        for case in cases:
            server.serve(served(case))
            started = time.time()
            (result,) = ask(ctx.adapter, [Call.request(case.endpoint, case.args, server.base_url)])
            finished = time.time()
            recorded = list(server.recorded)
            yield from judge(
                ctx, case, result, recorded, started=started, finished=finished, missing=missing
            )
            if lacks_op(result):
                return


def judge(
    ctx: CheckContext,
    case: EndpointCase,
    result: OpResult,
    recorded: Sequence[RecordedRequest],
    *,
    started: float,
    finished: float,
    missing: set[str] | None = None,
) -> Iterator[Outcome]:
    """The outcomes of one vector: ``result`` is what the adapter answered,
    ``recorded`` what the server saw, ``started``/``finished`` the wall clock
    (unix seconds) around the call. ``missing`` collects endpoints already
    reported missing, so each is reported once."""
    if isinstance(result, Unsupported) and result.what == "endpoint":
        if missing is None or case.endpoint not in missing:
            if missing is not None:
                missing.add(case.endpoint)
            yield ctx.finding(
                check=CHECK,
                category="missing-endpoint",
                type_name=case.endpoint,
                message=f"{case.endpoint} is not implemented"
                + (f": {result.message}" if result.message else ""),
                case=case.id,
            )
        return
    failure = failure_finding(
        ctx, result, check=CHECK, type_name=case.endpoint, case=case.id, payload=case.args
    )
    if failure is not None:
        yield failure
        return
    judge_ = _Judge(ctx, case)
    judge_.requests(recorded)
    judge_.result(result, started=started, finished=finished)
    yield from judge_.findings
    if not judge_.findings:
        yield Passed(check=CHECK, type_name=case.endpoint, case=case.id)


def judge_requests(
    ctx: CheckContext, case: EndpointCase, recorded: Sequence[RecordedRequest]
) -> list[Finding]:
    """Only the requests of one vector: count, order, method and path, query,
    content type, headers and bodies, as ``judge`` does. For callers that see
    the wire but not the call's result (``judge-http`` reads what a port's own
    test suite sent to ``serve``), and fit ``case.expect`` to what they can know."""
    judge_ = _Judge(ctx, case)
    judge_.requests(recorded)
    return judge_.findings


class _Judge:
    def __init__(self, ctx: CheckContext, case: EndpointCase) -> None:
        self.ctx = ctx
        self.case = case
        self.entry = next((e for e in ctx.pack.endpoints if e["id"] == case.endpoint), None)
        self.findings: list[Finding] = []

    def add(
        self, category: str, field: str, message: str, expected: Any = None, actual: Any = None
    ) -> None:
        self.findings.append(
            self.ctx.finding(
                check=CHECK,
                category=category,
                type_name=self.case.endpoint,
                field=field,
                message=f"{self.case.endpoint}: {message}",
                case=self.case.id,
                expected=expected,
                actual=actual,
                instance=self.case.args,
            )
        )

    # -- requests -----------------------------------------------------------------

    def requests(self, recorded: Sequence[RecordedRequest]) -> None:
        expected: list[dict[str, Any]] = self.case.expect["requests"]
        for i, (want, got) in enumerate(zip(expected, recorded, strict=False)):
            previous = recorded[i - 1] if i > 0 else None
            self.request(i, want, got, previous)
        for i in range(len(recorded), len(expected)):
            want = expected[i]
            self.add(
                "value-changed",
                f"/requests/{i}",
                f"request {i + 1} of {len(expected)} ({want['method']} {want['path']}) was "
                f"never sent; the client sent {len(recorded)}"
                + (" (no retry where the reference retries)" if i > 0 else ""),
                expected=f"{want['method']} {want['path']}",
            )
        for i in range(len(expected), len(recorded)):
            got = recorded[i]
            self.add(
                "value-changed",
                f"/requests/{i}",
                f"an extra request {i + 1} ({got.method} {got.path}); the reference sends "
                f"{len(expected)} for this exchange",
                actual=f"{got.method} {got.path}",
            )

    def request(
        self,
        i: int,
        want: Mapping[str, Any],
        got: RecordedRequest,
        previous: RecordedRequest | None,
    ) -> None:
        at = f"/requests/{i}"
        if want["method"] != got.method.upper() or want["path"] != got.path:
            self.add(
                "wrong-path",
                f"{at}/path",
                f"request {i + 1} went to {got.method} {got.path}, the reference sends "
                f"{want['method']} {want['path']}",
                expected=f"{want['method']} {want['path']}",
                actual=f"{got.method} {got.path}",
            )
        self.query(at, want.get("query", {}), got.query)
        self.headers(at, want, got, previous)
        if "json" in want:
            self.body(at, want, got)

    def query(self, at: str, want: Mapping[str, str], got: Mapping[str, str]) -> None:
        for name, value in want.items():
            if name not in got:
                self.add(
                    "data-loss",
                    f"{at}/query/{_escape(name)}",
                    f"query parameter {name} missing",
                    expected=value,
                )
            elif got[name] != value:
                self.add(
                    "value-changed",
                    f"{at}/query/{_escape(name)}",
                    f"query parameter {name}: expected {value!r}, came {got[name]!r}",
                    expected=value,
                    actual=got[name],
                )
        for name in sorted(set(got) - set(want)):
            self.add(
                "added-field",
                f"{at}/query/{_escape(name)}",
                f"query parameter {name} is not sent by the reference",
                actual=got[name],
            )

    def headers(
        self,
        at: str,
        want: Mapping[str, Any],
        got: RecordedRequest,
        previous: RecordedRequest | None,
    ) -> None:
        sent = {k.lower(): v for k, v in got.headers.items()}
        if "content_type" in want:
            media = sent.get("content-type", "").split(";")[0].strip().lower()
            if not media:
                self.add("value-changed", f"{at}/content_type", "header content-type missing")
            elif media != want["content_type"].lower():
                self.add(
                    "value-changed",
                    f"{at}/content_type",
                    f"content type {media!r}, the reference sends {want['content_type']!r}",
                    expected=want["content_type"],
                    actual=media,
                )
        for name, value in want.get("headers", {}).items():
            field = f"{at}/headers/{_escape(name.lower())}"
            if name.lower() not in sent:
                self.add("value-changed", field, f"header {name} missing", expected=value)
            elif not _header_has(sent[name.lower()], value):
                self.add(
                    "value-changed",
                    field,
                    f"header {name}: expected {value!r}, came {sent[name.lower()]!r}",
                    expected=value,
                    actual=sent[name.lower()],
                )
        for name in want.get("headers_present", []):
            if name.lower() not in sent:
                self.add(
                    "value-changed",
                    f"{at}/headers_present/{_escape(name)}",
                    f"header {name} missing",
                )
        for name in want.get("headers_as_previous", []):
            field = f"{at}/headers_as_previous/{_escape(name)}"
            before = {k.lower(): v for k, v in previous.headers.items()} if previous else {}
            if name.lower() not in sent:
                self.add("value-changed", field, f"header {name} missing")
            elif sent[name.lower()] != before.get(name.lower()):
                self.add(
                    "value-changed",
                    field,
                    f"header {name} differs from the previous request's (a retry must reuse it)",
                    expected=before.get(name.lower()),
                    actual=sent[name.lower()],
                )

    def body(self, at: str, want: Mapping[str, Any], got: RecordedRequest) -> None:
        expected = want["json"]
        if want.get("content_type", "").lower() == PROTOBUF:
            message = self.entry.get("request_type") if self.entry else None
            if not message:
                return
            encoding = {k.lower(): v for k, v in got.headers.items()}.get("content-encoding")
            try:
                actual = protobuf_json(message, got.body, encoding)
            except ValueError as exc:
                self.add(
                    "type-changed",
                    f"{at}/json",
                    f"the body is not a {message} protobuf message: {exc}",
                )
                return
            if actual is None:
                return  # no protobuf definitions here: method, path, content type only
            self.plain(f"{at}/json", expected, actual)
            return
        actual = got.json()
        if actual is None and got.body:
            self.add(
                "type-changed",
                f"{at}/json",
                f"the body is not JSON ({len(got.body)} bytes)",
                expected=expected,
            )
            return
        self.typed(f"{at}/json", "request body", want.get("body_type"), expected, actual)

    def typed(self, at: str, label: str, type_name: str | None, expected: Any, actual: Any) -> None:
        """Compare in canonical form when ``type_name`` is a pack type, else as plain JSON."""
        if not type_name or type_name not in self.ctx.pack.types:
            self.plain(at, expected, actual)
            return
        from conformance.canonical import compare

        for diff in compare(self.ctx.pack, type_name, expected, actual):
            self.add(
                diff.category,
                f"{at}{diff.path}",
                f"{label}: {diff.message}",
                expected=diff.expected,
                actual=diff.actual,
            )

    # -- result -------------------------------------------------------------------

    def result(self, result: OpResult, *, started: float, finished: float) -> None:
        want = self.case.expect["result"]
        if "error" in want:
            self.error(want["error"], result)
            return
        if isinstance(result, Rejected):
            self.add(
                "value-changed",
                "/result",
                f"the call failed ({result.message}); the reference returns a value",
                expected=want.get("value"),
                actual=result.message,
            )
            return
        if not isinstance(result, Returned):
            return
        value = result.value
        expected = self.clock(want.get("value"), value, started, finished)
        self.typed("/result/value", "result", want.get("type"), expected, value)

    def error(self, want: Mapping[str, Any], result: OpResult) -> None:
        described = f"{want['kind']}" + (f" {want['status']}" if "status" in want else "")
        if not isinstance(result, Rejected):
            self.add(
                "value-changed",
                "/result/error",
                f"the reference fails with {described}; the implementation returned a value",
                expected=dict(want),
                actual=result.value if isinstance(result, Returned) else None,
            )
            return
        if result.kind != want["kind"]:
            self.add(
                "value-changed",
                "/result/error/kind",
                f"the reference fails with {described}; the implementation with "
                f"{result.kind or 'an error of no kind'} ({result.message!r})",
                expected=want["kind"],
                actual=result.kind,
            )
            return
        if "status" in want:
            status = result.status
            if status != want["status"]:
                self.add(
                    "value-changed",
                    "/result/error/status",
                    f"the reference fails with status {want['status']}; the implementation "
                    f"with {result.message!r}",
                    expected=want["status"],
                    actual=status,
                )

    def clock(self, expected: Any, actual: Any, started: float, finished: float) -> Any:
        """``expected`` with the archive's ``expires`` replaced by the actual one
        where they agree: the same instant (an Expires header was parsed), or,
        without a usable header, a time within the call's window (a finding when
        it is not)."""
        special = (self.entry or {}).get("special") or {}
        seconds = special.get("default_expiry_seconds")
        if not seconds or not isinstance(expected, Mapping) or "expires" not in expected:
            return expected
        redirect = next(
            (r for r in reversed(self.case.responses) if 300 <= r.get("status", 200) < 400), None
        )
        if redirect is None or not isinstance(actual, Mapping) or "expires" not in actual:
            return expected  # the comparison reports a missing expires
        if _parses_http_date(_get(redirect.get("headers", {}), "expires")):
            # The header is GMT (RFC 1123); 0.15.0 returns it as a naive datetime
            # (the zone dropped): compared as the UTC instant it names.
            same = _instant(expected["expires"]) == _instant(actual["expires"])
            return {**expected, "expires": actual["expires"]} if same else expected
        moment = _instant(actual["expires"])
        low, high = (
            started + seconds - CLOCK_SLACK_SECONDS,
            finished + seconds + CLOCK_SLACK_SECONDS,
        )
        if moment is None or not low <= moment <= high:
            window = f"{_iso(low)} .. {_iso(high)}"
            self.add(
                "value-changed",
                "/result/value/expires",
                f"expires must be the time of the call + {seconds} s ({window}) when the 302 "
                f"has no usable Expires header; came {actual['expires']!r}",
                expected=window,
                actual=actual["expires"],
            )
        return {**expected, "expires": actual["expires"]}

    # -- plain JSON ---------------------------------------------------------------

    def plain(self, at: str, expected: Any, actual: Any) -> None:
        """JSON compared as it is (a null member counts as absent)."""
        if isinstance(expected, Mapping) and isinstance(actual, Mapping):
            for key in sorted(set(expected) | set(actual)):
                e, a = expected.get(key), actual.get(key)
                field = f"{at}/{_escape(str(key))}"
                if a is None and e is not None:
                    self.add("data-loss", field, f"{key} dropped", expected=e)
                elif e is None and a is not None:
                    self.add("added-field", field, f"{key} is not in the reference's", actual=a)
                elif e is not None:
                    self.plain(field, e, a)
            return
        if isinstance(expected, list) and isinstance(actual, list):
            for i, (e, a) in enumerate(zip(expected, actual, strict=False)):
                self.plain(f"{at}/{i}", e, a)
            for i in range(len(actual), len(expected)):
                self.add("data-loss", f"{at}/{i}", "item dropped", expected=expected[i])
            for i in range(len(expected), len(actual)):
                self.add("added-field", f"{at}/{i}", "extra item", actual=actual[i])
            return
        if json_equal(expected, actual):
            return
        category = "type-changed" if json_kind(expected) != json_kind(actual) else "value-changed"
        self.add(
            category,
            at,
            f"expected {short(expected)}, came {short(actual)}",
            expected=expected,
            actual=actual,
        )


def protobuf_json(message: str, body: bytes, encoding: str | None = None) -> Any:
    """The JSON form of a protobuf ``body`` read as the reference SDK's message
    ``message`` (``json_format.MessageToDict``, proto field names, keys sorted); None when no
    such definition is importable here. Raises ValueError for bytes that are
    not that message."""
    try:
        json_format = importlib.import_module("google.protobuf.json_format")
        decode_error = importlib.import_module("google.protobuf.message").DecodeError
        tinker_public_pb2 = importlib.import_module("tinker.proto.tinker_public_pb2")
    except ImportError:
        return None
    cls = getattr(tinker_public_pb2, message, None)
    if cls is None:
        return None
    if encoding and encoding.strip().lower() == "zstd":
        try:
            zstandard = importlib.import_module("zstandard")
        except ImportError:
            return None
        try:
            body = zstandard.ZstdDecompressor().decompressobj().decompress(body)
        except zstandard.ZstdError as exc:
            raise ValueError(f"not zstd data: {exc}") from None
    parsed = cls()
    try:
        parsed.ParseFromString(body)
    except decode_error as exc:
        raise ValueError(str(exc)) from None
    return _sorted(json_format.MessageToDict(parsed, preserving_proto_field_name=True))


def _sorted(value: Any) -> Any:
    """Objects with their keys sorted: protobuf maps iterate in no fixed order."""
    if isinstance(value, dict):
        return {k: _sorted(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [_sorted(v) for v in value]
    return value


# -- helpers ------------------------------------------------------------------------


def _escape(name: str) -> str:
    return pointer([name])[1:]


def _get(headers: Mapping[str, str], name: str) -> str | None:
    return next((v for k, v in headers.items() if k.lower() == name), None)


def _header_has(sent: str, wanted: str) -> bool:
    """``sent`` carries ``wanted``: the same value, or (list headers) every
    comma-separated item of ``wanted`` among those of ``sent``."""
    if sent.strip() == wanted.strip():
        return True
    items = {x.strip().lower() for x in sent.split(",")}
    return all(x.strip().lower() in items for x in wanted.split(","))


def _parses_http_date(value: str | None) -> bool:
    if value is None:
        return False
    try:
        dt.datetime.strptime(value, _HTTP_DATE)
    except ValueError:
        return False
    return True


def _instant(value: Any) -> float | None:
    """Unix seconds of a datetime as a result may carry it (text or number)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if not isinstance(value, str):
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.timestamp()


def _iso(seconds: float) -> str:
    return dt.datetime.fromtimestamp(seconds, dt.UTC).isoformat(timespec="seconds")
