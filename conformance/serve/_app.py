"""What ``serve`` answers, and the recording of what arrived.

``ServeApp.answer`` is the mock server's answer function (called for one
request at a time, under the server's lock). It routes a request to the pack
endpoint whose method and path template match, groups requests into
*exchanges* (one API call: the first attempt and its retries, answered by one
endpoint vector of the scenario) and appends one line per request to the
recording (``schemas/serve/recording.schema.json``):

- a request to an endpoint whose exchange still has responses to give is that
  exchange's next attempt when it repeats the previous attempt's
  X-Idempotency-Key or its body (a retry with a fresh key is still a retry);
  otherwise the exchange is left unfinished (the client did not retry) and a
  new call begins;
- a request repeating the key of an exchange whose responses are all given is
  a retry the reference does not make: it is answered like the endpoint check's
  ``TERMINATOR`` (599, ``x-should-retry: false``) and kept in that exchange;
- a 3xx's Location is rewritten to ``<base>/__redirect/<exchange>/<original>``
  so that a client following it comes back here, and that request joins the
  redirect's exchange (the reference never follows it);
- an unknown path is answered 404 and a known path with the wrong method 405,
  as the service's framework does (``{"detail": "Not Found"}``); both are
  recorded with no endpoint, for ``judge-http`` to attribute.

Credentials are never recorded: see ``redact`` (headers) and ``redact_json``
(JSON bodies; a body that is not JSON is kept as base64, unread).
"""

from __future__ import annotations

import base64
import json
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TextIO

from conformance._redact import REDACTED, credential_value, secret_header
from conformance.cases import EndpointCase
from conformance.checks.endpoints import TERMINATOR
from conformance.mock_server import CannedResponse, RecordedRequest, Rejection
from conformance.serve._scenarios import Scenario
from conformance.spec import SpecPack

__all__ = ["REDACTED", "REDIRECT_PREFIX", "Route", "ServeApp", "redact", "redact_json", "routes"]

REDIRECT_PREFIX = "/__redirect/"
FORMAT = 1
_IDEMPOTENCY = "x-idempotency-key"


def redact(headers: Mapping[str, str]) -> dict[str, str]:
    """Headers as recorded: lower-cased names, credential values replaced."""
    return {
        name.lower(): REDACTED if secret_header(name, value) else value
        for name, value in headers.items()
    }


def redact_json(value: Any) -> Any:
    """A JSON body as recorded: credential-shaped strings replaced (by value
    only: names such as ``tokens`` are wire fields here, not secrets), so the
    body keeps its shape for judging."""
    if isinstance(value, str):
        return REDACTED if credential_value(value) else value
    if isinstance(value, list):
        return [redact_json(v) for v in value]
    if isinstance(value, dict):
        return {k: redact_json(v) for k, v in value.items()}
    return value


@dataclass(frozen=True)
class Route:
    """An endpoint's method and path template, as a pattern."""

    endpoint: str
    method: str
    template: str
    pattern: re.Pattern[str]
    literal: int  # characters outside parameters: the more, the more specific


def routes(pack: SpecPack) -> list[Route]:
    """Every endpoint of the pack, most specific template first. A parameter
    matches one or more characters, slashes included: checkpoint ids such as
    ``weights/0006`` are sent unescaped."""
    out = []
    for entry in pack.endpoints:
        template = str(entry["path"])
        parts = re.split(r"\{[^}]+\}", template)
        pattern = re.compile("^" + "(.+?)".join(re.escape(p) for p in parts) + "$")
        out.append(
            Route(str(entry["id"]), str(entry["method"]), template, pattern, sum(map(len, parts)))
        )
    return sorted(out, key=lambda r: (-r.literal, r.endpoint))


@dataclass
class _Exchange:
    id: int
    endpoint: str
    case: EndpointCase
    requests: int = 0  # recorded so far
    answered: int = 0  # the vector's responses given so far
    last_key: str | None = None
    last_body: bytes = b""


class ServeApp:
    """Routes, answers and records; see the module docstring."""

    def __init__(
        self,
        pack: SpecPack,
        scenario: Scenario,
        record: TextIO | None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.pack = pack
        self.scenario = scenario
        self.base_url = ""
        self._record = record
        self._clock = clock
        self._routes = routes(pack)
        self._open: dict[str, _Exchange] = {}
        self._by_id: dict[int, _Exchange] = {}
        self._calls: dict[str, int] = {}
        self.seq = 0

    # -- the recording --------------------------------------------------------------

    def start(self, base_url: str) -> None:
        self.base_url = base_url
        self._write(
            {
                "record": "start",
                "format": FORMAT,
                "spec": self.pack.version,
                "scenario": self.scenario.name,
                "base_url": base_url,
                "time": self._clock(),
            }
        )

    def end(self, reason: str, rejected: list[Rejection]) -> None:
        now = self._clock()
        for r in rejected:
            self._write(
                {
                    "record": "rejected",
                    "time": now,
                    "status": r.status,
                    "reason": r.reason,
                    "method": r.method,
                    "path": r.path,
                }
            )
        self._write({"record": "end", "time": now, "requests": self.seq, "reason": reason})

    def _write(self, line: Mapping[str, Any]) -> None:
        if self._record is not None:
            self._record.write(json.dumps(line, ensure_ascii=False, allow_nan=False) + "\n")
            self._record.flush()  # a killed serve still leaves every line so far

    # -- answering ------------------------------------------------------------------

    def answer(self, request: RecordedRequest) -> CannedResponse:
        if not self.base_url:  # listening, but the start line is not written yet
            return CannedResponse(status=503, json={"detail": "serve is starting"})
        if request.path.startswith(REDIRECT_PREFIX):
            return self._redirected(request)
        route = next(
            (
                r
                for r in self._routes
                if r.method == request.method and r.pattern.match(request.path)
            ),
            None,
        )
        if route is None:
            known_path = any(r.pattern.match(request.path) for r in self._routes)
            status, note = (405, "method not allowed") if known_path else (404, "unknown path")
            canned = CannedResponse(
                status=status, json={"detail": "Method Not Allowed" if known_path else "Not Found"}
            )
            self._log(request, None, 0, canned, note)
            return canned
        exchange, index, canned, note = self._exchange_for(route.endpoint, request)
        self._log(request, exchange, index, canned, note)
        return canned

    def _exchange_for(
        self, endpoint: str, request: RecordedRequest
    ) -> tuple[_Exchange, int, CannedResponse, str]:
        key = {k.lower(): v for k, v in request.headers.items()}.get(_IDEMPOTENCY)
        current = self._open.get(endpoint)
        if current is not None:
            same_key = key is not None and key == current.last_key
            if current.answered < len(current.case.responses) and (
                same_key or request.body == current.last_body
            ):
                return self._next(current, request, key, "retry")
            if current.answered >= len(current.case.responses) and same_key:
                index = self._attach(current, request, key)
                return current, index, TERMINATOR, "retry beyond the vector"
        position = self._calls.get(endpoint, 0)
        self._calls[endpoint] = position + 1
        scripted = self.scenario.script.get(endpoint, ())
        case = scripted[position] if position < len(scripted) else self.scenario.defaults[endpoint]
        exchange = _Exchange(id=len(self._by_id), endpoint=endpoint, case=case)
        self._by_id[exchange.id] = exchange
        self._open[endpoint] = exchange
        return self._next(
            exchange, request, key, "scripted" if position < len(scripted) else "default"
        )

    def _next(
        self, exchange: _Exchange, request: RecordedRequest, key: str | None, note: str
    ) -> tuple[_Exchange, int, CannedResponse, str]:
        response = exchange.case.responses[exchange.answered]
        exchange.answered += 1
        index = self._attach(exchange, request, key)
        return exchange, index, self._located(exchange, CannedResponse.from_json(response)), note

    def _attach(self, exchange: _Exchange, request: RecordedRequest, key: str | None) -> int:
        index = exchange.requests
        exchange.requests += 1
        exchange.last_key, exchange.last_body = key, request.body
        return index

    def _located(self, exchange: _Exchange, canned: CannedResponse) -> CannedResponse:
        """A redirect pointing back here (``REDIRECT_PREFIX``): nothing leaves loopback."""
        if not 300 <= canned.status < 400:
            return canned
        headers = {
            name: (
                f"{self.base_url}{REDIRECT_PREFIX}{exchange.id}/{value.split('://', 1)[-1]}"
                if name.lower() == "location"
                else value
            )
            for name, value in canned.headers.items()
        }
        return CannedResponse(
            status=canned.status,
            headers=headers,
            json=canned.json,
            text=canned.text,
            base64=canned.base64,
        )

    def _redirected(self, request: RecordedRequest) -> CannedResponse:
        """A redirect was followed: the request joins the redirect's exchange."""
        head = request.path[len(REDIRECT_PREFIX) :].split("/", 1)[0]
        exchange = self._by_id.get(int(head)) if head.isdigit() else None
        canned = CannedResponse(
            status=200,
            headers={"content-type": "application/gzip"},
            base64=base64.b64encode(b"not an archive: serve's redirect target").decode(),
        )
        if exchange is None:
            self._log(request, None, 0, CannedResponse(status=404), "unknown path")
            return CannedResponse(status=404, json={"detail": "Not Found"})
        index = self._attach(exchange, request, None)
        self._log(request, exchange, index, canned, "redirect followed")
        return canned

    def _log(
        self,
        request: RecordedRequest,
        exchange: _Exchange | None,
        index: int,
        canned: CannedResponse,
        note: str,
    ) -> None:
        parsed = request.json()
        if parsed is not None or request.body.strip() == b"null":
            body: dict[str, Any] = {"json": redact_json(parsed)}
        elif request.body:
            body = {"base64": base64.b64encode(request.body).decode()}
        else:
            body = {}
        self._write(
            {
                "record": "request",
                "seq": self.seq,
                "time": self._clock(),
                "method": request.method,
                "path": request.path,
                "query": request.query,
                "headers": redact(request.headers),
                "body": body,
                "endpoint": exchange.endpoint if exchange else None,
                "exchange": exchange.id if exchange else None,
                "index": index,
                "vector": exchange.case.id if exchange else None,
                "status": canned.status,
                "note": note,
            }
        )
        self.seq += 1
