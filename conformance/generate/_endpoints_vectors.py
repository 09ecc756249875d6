"""Endpoint vectors, recorded from the reference.

The inputs are reviewable data, one file per pack version:
``fixtures/<version>/endpoints/inputs.json`` lists every case with
its description, the call's arguments and the canned server responses. This
generator runs each case through the installed SDK in process (respx serves the
responses, ``conformance.reference.endpoints.request_inprocess``), and
writes what the reference really did as
``fixtures/<version>/endpoints/<endpoint id>/<case>.json``: the requests it
sent and the result it returned. Nothing under ``expect`` is typed by hand.

Input conveniences, resolved before the call (the vector holds the result):

- ``{"$fixture": "Type/case"}``: the ``payload`` of the golden type fixture
  ``fixtures/<version>/types/Type/case.json``;
- ``{"$proto": {"message": M, "json": {...}}}`` as a response's ``base64``: the
  SDK's protobuf message ``M`` (``tinker.proto.tinker_public_pb2``) parsed from
  its JSON form and serialized; inside it ``{"$f32": [...]}`` and
  ``{"$i64": [...]}`` are little-endian arrays as base64 bytes.

What is recorded of each request: method, path, query; the body as JSON (a
protobuf body as its JSON form, decoded with the SDK's definitions) with
``body_type`` where the SDK dumps a request model; the content type of a
non-empty body; ``headers`` with the values the endpoint's curation requires
(``special.request_headers``, checked against what was sent), every
``X-Tinker-*`` header sent, and ``Accept`` items other than the default
``application/json``; ``headers_present``: ``x-api-key``, and
``x-idempotency-key`` where sent; ``headers_as_previous``: the idempotency key
when a retry reuses it. The Stainless telemetry headers (``x-stainless-*``,
``user-agent``) and 0.38.0's ``x-sdk-method`` are the SDK's own and not required.

The checkpoint archive endpoint's default ``expires`` is ``now + 15 min``: the
reference runs with its clock frozen at the input file's ``frozen_clock``, so the
recorded value is reproducible; the check accepts the time of the call instead
(``conformance.checks.endpoints``).

Run with the interpreter that has the pack's ``tinker`` version installed::

    python -m conformance.generate._endpoints_vectors 0.15.0 [--check]
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import datetime as dt
import importlib
import json
import struct
import sys
import types
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from conformance._data import FIXTURES_ROOT, load_json
from conformance.adapters._results import Rejected, Returned
from conformance.checks.endpoints import PROTOBUF, _header_has, protobuf_json
from conformance.mock_server import RecordedRequest
from conformance.reference._classes import installed_version
from conformance.reference.endpoints import request_inprocess
from conformance.spec import SpecPack, load_pack

__all__ = ["generate", "main", "record_case", "write_vectors"]
_DEFAULT_ACCEPT = "application/json"


def generate(version: str, *, root: Path = FIXTURES_ROOT) -> dict[Path, str]:
    """Every vector of ``version`` as file path -> text (not written)."""
    installed = installed_version()
    if installed != version:
        msg = f"tinker {installed} is installed; vectors of {version} need tinker=={version}"
        raise SystemExit(msg)
    pack = load_pack(version)
    inputs = load_json(root / version / "endpoints" / "inputs.json")
    frozen = dt.datetime.fromisoformat(inputs["frozen_clock"])
    out: dict[Path, str] = {}
    seen: set[tuple[str, str]] = set()
    for case in inputs["cases"]:
        key = (case["endpoint"], case["case"])
        if key in seen:
            msg = f"case {key} is listed twice in {version}.json"
            raise SystemExit(msg)
        seen.add(key)
        vector = record_case(pack, case, frozen=frozen, root=root)
        path = root / version / "endpoints" / case["endpoint"] / f"{case['case']}.json"
        out[path] = json.dumps(vector, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    return out


def record_case(
    pack: SpecPack, case: Mapping[str, Any], *, frozen: dt.datetime, root: Path = FIXTURES_ROOT
) -> dict[str, Any]:
    """One input case run through the reference, as a vector."""
    endpoint = case["endpoint"]
    entry = next((e for e in pack.endpoints if e["id"] == endpoint), None)
    if entry is None:
        msg = f"{endpoint}: not an endpoint of pack {pack.version}"
        raise SystemExit(msg)
    args = _resolve(case["args"], pack.version, root)
    responses = _resolve(case["responses"], pack.version, root)
    with frozen_clock(frozen):
        result, recorded = request_inprocess(pack, endpoint, args, responses)
    if len(recorded) > len(responses):
        msg = f"{endpoint}/{case['case']}: the reference sent more requests than responses given"
        raise SystemExit(msg)
    vector: dict[str, Any] = {
        "description": case["description"],
        "endpoint": endpoint,
        "args": args,
        "responses": responses,
        "expect": {
            "requests": _requests(entry, recorded),
            "result": _result(endpoint, case["case"], result),
        },
        "source": "generated",
    }
    if "seed" in case:
        vector["seed"] = case["seed"]
    return vector


# -- recording --------------------------------------------------------------------


def _requests(entry: Mapping[str, Any], recorded: list[RecordedRequest]) -> list[dict[str, Any]]:
    special = entry.get("special") or {}
    required = {k.lower(): v for k, v in (special.get("request_headers") or {}).items()}
    out = []
    for i, sent in enumerate(recorded):
        headers = {k.lower(): v for k, v in sent.headers.items()}
        item: dict[str, Any] = {"method": sent.method, "path": sent.path}
        if sent.query:
            item["query"] = dict(sent.query)
        if sent.body:
            media = headers.get("content-type", "").split(";")[0].strip().lower()
            item["content_type"] = media
            if media == PROTOBUF:
                decoded = protobuf_json(
                    entry["request_type"], sent.body, headers.get("content-encoding")
                )
                if decoded is None:
                    msg = f"{entry['id']}: no protobuf definition to decode the body with"
                    raise SystemExit(msg)
                item["json"] = decoded
            else:
                body = sent.json()
                if body is None:
                    msg = f"{entry['id']}: a body that is neither JSON nor protobuf"
                    raise SystemExit(msg)
                item["json"] = body
                serialization = entry.get("serialization") or {}
                if entry.get("request_type") and "inline_keys" not in serialization:
                    item["body_type"] = entry["request_type"]
        wanted: dict[str, str] = {}
        for name, value in required.items():
            if name == "content-type":
                continue  # content_type says it
            if not _header_has(headers.get(name, ""), value):
                msg = f"{entry['id']}: the reference did not send {name}: {value}"
                raise SystemExit(msg)
            wanted[name] = value
        for name, value in headers.items():
            if name.startswith("x-tinker-") or name == "content-encoding":
                wanted[name] = value
        if "accept" not in wanted:
            extra = [x.strip() for x in headers.get("accept", "").split(",") if x.strip()]
            extra = [x for x in extra if x.lower() != _DEFAULT_ACCEPT]
            if extra:
                wanted["accept"] = ", ".join(extra)
        if wanted:
            item["headers"] = dict(sorted(wanted.items()))
        item["headers_present"] = ["x-api-key"] + (
            ["x-idempotency-key"] if "x-idempotency-key" in headers else []
        )
        if i > 0:
            before = {k.lower(): v for k, v in recorded[i - 1].headers.items()}
            key = headers.get("x-idempotency-key")
            if key is not None and key == before.get("x-idempotency-key"):
                item["headers_as_previous"] = ["x-idempotency-key"]
        out.append(item)
    return out


def _result(endpoint: str, case: str, result: Any) -> dict[str, Any]:
    if isinstance(result, Returned):
        out = {"value": result.value}
        if result.type_name is not None:
            out["type"] = result.type_name
        return out
    if isinstance(result, Rejected) and result.kind is not None:
        error: dict[str, Any] = {"kind": result.kind}
        if result.status is not None:
            error["status"] = result.status
        return {"error": error}
    msg = f"{endpoint}/{case}: the reference answered {result!r}"
    raise SystemExit(msg)


@contextlib.contextmanager
def frozen_clock(instant: dt.datetime) -> Iterator[None]:
    """``datetime.now`` as ``tinker.resources.weights`` sees it, frozen."""
    try:
        from tinker.resources import weights
    except ImportError:
        yield
        return
    module: Any = weights  # its `datetime` import is patched, a name it does not export
    real = getattr(module, "datetime", None)
    if real is not dt:
        yield
        return

    class Frozen(dt.datetime):
        @classmethod
        def now(cls, tz: dt.tzinfo | None = None) -> Frozen:
            utc = instant.astimezone(dt.UTC)
            moment = instant.astimezone(tz) if tz else utc.replace(tzinfo=None)
            return cls.combine(moment.date(), moment.timetz())

    shim = types.SimpleNamespace(
        datetime=Frozen, timedelta=dt.timedelta, timezone=dt.timezone, UTC=dt.UTC
    )
    module.datetime = shim
    try:
        yield
    finally:
        module.datetime = real


# -- inputs -------------------------------------------------------------------------


def _resolve(value: Any, version: str, root: Path) -> Any:
    if isinstance(value, dict):
        if set(value) == {"$fixture"}:
            fixture = load_json(root / version / "types" / f"{value['$fixture']}.json")
            return fixture["payload"]
        if set(value) == {"$proto"}:
            return _proto(value["$proto"])
        return {k: _resolve(v, version, root) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve(v, version, root) for v in value]
    return value


def _proto(spec: Mapping[str, Any]) -> str:
    json_format = importlib.import_module("google.protobuf.json_format")
    tinker_public_pb2 = importlib.import_module("tinker.proto.tinker_public_pb2")
    message = getattr(tinker_public_pb2, spec["message"])()
    json_format.ParseDict(_arrays(spec["json"]), message)
    return base64.b64encode(message.SerializeToString()).decode()


def _arrays(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"$f32"}:
            return base64.b64encode(struct.pack(f"<{len(value['$f32'])}f", *value["$f32"])).decode()
        if set(value) == {"$i64"}:
            return base64.b64encode(struct.pack(f"<{len(value['$i64'])}q", *value["$i64"])).decode()
        return {k: _arrays(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_arrays(v) for v in value]
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("version")
    parser.add_argument("--check", action="store_true", help="fail on drift, write nothing")
    options = parser.parse_args(argv)
    if options.check:
        files = generate(options.version)
        base = FIXTURES_ROOT / options.version / "endpoints"
        existing = set(base.glob("*/*.json")) if base.exists() else set()
        drift = sorted(
            [p for p, text in files.items() if not p.exists() or p.read_text() != text]
            + [p for p in existing if p not in files]
        )
        for path in drift:
            print(f"drift: {path.relative_to(FIXTURES_ROOT)}", file=sys.stderr)
        return 1 if drift else 0
    written = write_vectors(options.version)
    print(f"{len(written)} vectors of {options.version} written")
    return 0


def write_vectors(version: str, root: Path = FIXTURES_ROOT) -> list[Path]:
    """Write every vector of ``version`` under ``root`` and remove stale ones."""
    files = generate(version, root=root)
    base = root / version / "endpoints"
    for stale in set(base.glob("*/*.json")) - set(files):
        stale.unlink()
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
    return sorted(files)


if __name__ == "__main__":
    raise SystemExit(main())
