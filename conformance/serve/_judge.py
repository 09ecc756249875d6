"""``judge-http``: a serve recording turned into endpoint findings.

The request-driven check (``conformance.checks.endpoints``) makes the calls
itself, with a vector's arguments, and sees their results. Here a port's own
test suite made the calls, with its own arguments, and only the wire is
known. So each exchange of the recording (one call: an attempt and its
retries, answered by one vector) is judged by ``judge_requests`` against that
vector's expected requests, with what depends on the arguments left out:

- the path must match the endpoint's template (any parameter values);
- the body is validated against the request type's schema in the pack instead
  of compared with the vector's body: a field the type lacks is
  ``added-field``, a required field missing ``data-loss``, a wrong JSON type
  ``type-changed``, a wrong ``type`` literal ``literal-missing``, any other
  violation ``value-changed``; nulls and unset fields are judged as the
  canonical form does (a null where the schema allows one is the same as absent);
- a query parameter no vector of the endpoint sends is ``added-field``
  (values depend on the arguments);
- the number of requests, content type, headers with fixed values,
  headers that must be present, and ``headers_as_previous`` (the idempotency
  key reused on a retry) exactly as in the endpoint check.

One thing is judged across exchanges: a future answered ``try_again`` must be
polled again. When the last answer the client got from an endpoint was a
``try_again`` body, it stopped polling a pending future: ``value-changed`` at
``/poll`` (the reference's future reader polls until the result).

A request to no endpoint (404) or with the wrong method (405) is attributed to
the endpoint whose template matches its path, else the closest template, and
judged as that endpoint's first request: ``wrong-path``. The findings carry
the endpoint check's name, so the same difference has the same key and gap id
whichever way it was observed. Endpoints the recording never reaches have no
outcome: the report shows them "not checked" (not exercised), never as gaps.
"""

from __future__ import annotations

import base64
import dataclasses
import difflib
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema

from conformance._data import load_json_lines, pointer
from conformance._errors import SpecError
from conformance.adapters import Hello, OpResult, SequentialBatch, Unsupported
from conformance.cases import EndpointCase
from conformance.checks import CheckContext, Outcome, Passed
from conformance.checks.endpoints import CHECK, judge_requests
from conformance.findings import Finding
from conformance.mock_server import RecordedRequest
from conformance.serve._app import Route, routes
from conformance.serve._scenarios import Scenario

__all__ = ["RECORDING_SCHEMA", "Recording", "RecordingClient", "judge_recording", "load_recording"]

RECORDING_SCHEMA = "../serve/recording.schema.json"  # relative to schemas/meta/
#: How close a path must be to a template to be blamed on that endpoint.
_CLOSE = 0.6


@dataclass(frozen=True)
class Recording:
    path: Path
    start: Mapping[str, Any]
    requests: list[Mapping[str, Any]]
    rejected: list[Mapping[str, Any]]
    end: Mapping[str, Any] | None  # None: serve was killed before it could write it


def load_recording(path: Path) -> Recording:
    """Read and check every line (``schemas/serve/recording.schema.json``); a
    bad line is a SpecError whose pointer starts with its 0-based line number."""
    records = load_json_lines(path, RECORDING_SCHEMA)
    if not records or records[0]["record"] != "start":
        raise SpecError("a recording starts with a start line", file=path, pointer="/0")
    by_kind: dict[str, list[Mapping[str, Any]]] = {}
    for line in records[1:]:
        by_kind.setdefault(line["record"], []).append(line)
    ends = by_kind.get("end", [])
    return Recording(
        path=path,
        start=records[0],
        requests=sorted(by_kind.get("request", []), key=lambda r: int(r["seq"])),
        rejected=by_kind.get("rejected", []),
        end=ends[-1] if ends else None,
    )


class RecordingClient(SequentialBatch):
    """The implementation seen through a recording: it can name itself and
    nothing else (every op is unsupported: its calls were already made)."""

    def __init__(self, hello: Hello) -> None:
        self._hello = hello

    def hello(self) -> Hello:
        return self._hello

    def _none(self, name: str) -> OpResult:
        return Unsupported(what="op", name=name, message="a recording answers no ops")

    def decode(self, type_name: str, payload: Any) -> OpResult:
        return self._none("decode")

    def construct(self, type_name: str, args: dict[str, Any]) -> OpResult:
        return self._none("construct")

    def inspect(self, type_name: str, payload: Any) -> OpResult:
        return self._none("inspect")

    def call(self, helper: str, args: dict[str, Any]) -> OpResult:
        return self._none("call")

    def request(self, endpoint: str, args: dict[str, Any], base_url: str) -> OpResult:
        return self._none("request")

    def close(self) -> None:
        return None


def judge_recording(
    ctx: CheckContext, recording: Recording, scenario: Scenario
) -> Iterator[Outcome]:
    """Outcomes of every exchange, then of every request to no endpoint."""
    judge = _HttpJudge(ctx, scenario)
    exchanges: dict[int, list[Mapping[str, Any]]] = {}
    for line in recording.requests:
        if line["exchange"] is not None:
            exchanges.setdefault(int(line["exchange"]), []).append(line)
    last: dict[str, list[Mapping[str, Any]]] = {}
    for lines in exchanges.values():
        ordered = sorted(lines, key=lambda r: int(r["index"]))
        last[str(ordered[0]["endpoint"])] = ordered
        yield from judge.exchange(ordered)
    for endpoint, lines in sorted(last.items()):
        yield from judge.abandoned(endpoint, lines)
    for line in recording.requests:
        if line["exchange"] is None:
            yield from judge.stray(line)


def _request(line: Mapping[str, Any]) -> RecordedRequest:
    body = line["body"]
    if "json" in body:
        raw = json.dumps(body["json"]).encode()
    elif "base64" in body:
        raw = base64.b64decode(body["base64"])
    else:
        raw = b""
    return RecordedRequest(
        method=str(line["method"]),
        path=str(line["path"]),
        query=dict(line["query"]),
        headers=dict(line["headers"]),
        body=raw,
    )


class _HttpJudge:
    def __init__(self, ctx: CheckContext, scenario: Scenario) -> None:
        self.ctx = ctx
        self.scenario = scenario
        self.routes = routes(ctx.pack)
        self.route = {r.endpoint: r for r in self.routes}
        self.entries = {str(e["id"]): e for e in ctx.pack.endpoints}

    def exchange(self, lines: Sequence[Mapping[str, Any]]) -> Iterator[Outcome]:
        endpoint = str(lines[0]["endpoint"])
        case = self.scenario.cases.get(str(lines[0]["vector"]))
        if case is None:
            raise SpecError(
                f"the recording names vector {lines[0]['vector']!r}, which pack "
                f"{self.ctx.pack.version} does not have",
                file=Path(str(lines[0]["vector"])),
            )
        recorded = [_request(line) for line in lines]
        findings = self.judged(endpoint, case, recorded)
        yield from findings
        if not findings:
            yield Passed(check=CHECK, type_name=endpoint, case=case.id)

    def abandoned(self, endpoint: str, lines: Sequence[Mapping[str, Any]]) -> Iterator[Outcome]:
        """A finding when the endpoint's last answer told the client to poll again."""
        case = self.scenario.cases[str(lines[0]["vector"])]
        answered = min(len(lines), len(case.responses)) - 1
        body = case.responses[answered].get("json") if answered >= 0 else None
        if isinstance(body, Mapping) and body.get("type") == "try_again":
            yield self._finding(
                "value-changed",
                endpoint,
                case,
                "/poll",
                "the last answer was try_again and the client never polled again "
                "(the reference's future reader polls until the result)",
                actual=dict(body),
            )

    def stray(self, line: Mapping[str, Any]) -> Iterator[Outcome]:
        """A request serve could not route: blamed on the nearest endpoint."""
        got = _request(line)
        route = self.nearest(got.method, got.path)
        if route is None:
            yield self.ctx.finding(
                check=CHECK,
                category="wrong-path",
                type_name=None,
                field="/requests/0/path",
                message=f"{got.method} {got.path} is not an endpoint of the pack, nor close to one",
                actual=f"{got.method} {got.path}",
            )
            return
        case = self.scenario.defaults[route.endpoint]
        yield from self.judged(route.endpoint, case, [got])

    def nearest(self, method: str, path: str) -> Route | None:
        for route in self.routes:
            if route.pattern.match(path):
                return route  # the path is right, the method is not
        for pool in ([r for r in self.routes if r.method == method], self.routes):
            close = difflib.get_close_matches(path, [r.template for r in pool], n=1, cutoff=_CLOSE)
            if close:
                return next(r for r in pool if r.template == close[0])
        return None

    def judged(
        self, endpoint: str, case: EndpointCase, recorded: Sequence[RecordedRequest]
    ) -> list[Finding]:
        route = self.route[endpoint]
        wants = []
        for i, want in enumerate(case.expect["requests"]):
            fitted = {k: v for k, v in want.items() if k not in ("json", "body_type", "query")}
            got = recorded[i] if i < len(recorded) else None
            fitted["path"] = (
                got.path if got is not None and route.pattern.match(got.path) else route.template
            )
            wants.append(fitted)
        fitted_case = dataclasses.replace(
            case, args={}, expect={"requests": wants, "result": case.expect["result"]}
        )
        findings = judge_requests(self.ctx, fitted_case, recorded)
        for i, got in enumerate(recorded[: len(wants)]):
            findings.extend(self.query(endpoint, case, i, got))
            findings.extend(self.body(endpoint, case, i, got))
        return findings

    def query(
        self, endpoint: str, case: EndpointCase, i: int, got: RecordedRequest
    ) -> Iterator[Finding]:
        known = {str(q) for q in self.entries[endpoint].get("query") or []}
        for vector in self.scenario.cases.values():
            if vector.endpoint == endpoint:
                for want in vector.expect["requests"]:
                    known.update(want.get("query", {}))
        for name in sorted(set(got.query) - known):
            yield self._finding(
                "added-field",
                endpoint,
                case,
                f"/requests/{i}/query/{pointer([name])[1:]}",
                f"query parameter {name} is not sent by the reference",
                actual=got.query[name],
            )

    def body(
        self, endpoint: str, case: EndpointCase, i: int, got: RecordedRequest
    ) -> Iterator[Finding]:
        entry = self.entries[endpoint]
        type_name = entry.get("request_type")
        if not type_name or entry.get("body_encoding") != "json":
            return
        at = f"/requests/{i}/json"
        value = got.json()
        if value is None:
            what = f"the body is not JSON ({len(got.body)} bytes)" if got.body else "no body"
            yield self._finding(
                "type-changed" if got.body else "data-loss", endpoint, case, at, what
            )
            return
        validator = self.ctx.pack.validator(str(type_name))
        for error in validator.iter_errors(value):
            yield from self._violation(endpoint, case, at, str(type_name), error)

    def _violation(
        self,
        endpoint: str,
        case: EndpointCase,
        at: str,
        type_name: str,
        error: jsonschema.ValidationError,
    ) -> Iterator[Finding]:
        while error.context:  # anyOf/oneOf: the branch that came closest
            best = jsonschema.exceptions.best_match(error.context)
            if best is None:
                break
            error = best
        where = pointer(list(error.absolute_path))
        field = f"{at}{where}"
        instance = error.instance
        if error.validator == "additionalProperties" and isinstance(instance, Mapping):
            schema = error.schema if isinstance(error.schema, Mapping) else {}
            declared = set(schema.get("properties", {}))
            for name in sorted(set(instance) - declared):
                yield self._finding(
                    "added-field",
                    endpoint,
                    case,
                    f"{field}/{pointer([name])[1:]}",
                    f"request body: {name} is not a field of {type_name} "
                    "(the reference never sends it)",
                    actual=instance[name],
                )
            return
        required = error.validator_value
        if error.validator == "required" and isinstance(instance, Mapping):
            for name in required if isinstance(required, list) else []:
                if name not in instance:
                    yield self._finding(
                        "data-loss",
                        endpoint,
                        case,
                        f"{field}/{pointer([name])[1:]}",
                        f"request body: required field {name} missing",
                    )
            return
        if error.validator == "type":
            category = "type-changed"
        elif error.validator == "const" and where.endswith("/type"):
            category = "literal-missing"
        else:
            category = "value-changed"
        yield self._finding(
            category, endpoint, case, field, f"request body: {error.message}", actual=instance
        )

    def _finding(  # noqa: PLR0917 (the four facts of every finding, in one order)
        self,
        category: str,
        endpoint: str,
        case: EndpointCase,
        field: str,
        message: str,
        actual: Any = None,
    ) -> Finding:
        return self.ctx.finding(
            check=CHECK,
            category=category,
            type_name=endpoint,
            field=field,
            message=f"{endpoint}: {message}",
            case=case.id,
            actual=actual,
        )
