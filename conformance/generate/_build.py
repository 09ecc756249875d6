"""Generate a whole spec pack from the installed reference SDK.

Runs in an interpreter where ``tinker==<version>`` is installed (nox makes
one per version). Output is deterministic: same SDK, same bytes.
"""

from __future__ import annotations

import json
import re
import shutil
from collections import Counter
from dataclasses import asdict
from pathlib import Path
from typing import Any

from packaging.specifiers import SpecifierSet
from packaging.version import Version

from conformance._data import SCHEMAS_ROOT, load_checked, pointer
from conformance._errors import SpecError
from conformance.generate._discover import Candidate, discover
from conformance.generate._endpoints import Endpoint, find_endpoints
from conformance.generate._types import build_types

__all__ = ["CURATION_FILE", "generate_pack", "installed_sdk_version", "render_pack"]

CURATION_FILE = SCHEMAS_ROOT / "curation.json"


def installed_sdk_version() -> str:
    from importlib.metadata import version

    return version("tinker")


def render_pack(curation_file: Path = CURATION_FILE) -> dict[str, str]:
    """Every file of the pack for the installed SDK, as ``{filename: text}``."""
    import pydantic

    version = installed_sdk_version()
    curation = _load_curation(curation_file)
    applicable = {
        key: [e for e in curation[key] if Version(version) in SpecifierSet(e.get("versions", ""))]
        for key in ("exclusions", "unions", "endpoints")
    }
    excluded = {e["name"]: e["reason"] for e in applicable["exclusions"]}
    candidates = _keep(discover(), excluded, curation_file)
    unions = {u["name"]: u for u in applicable["unions"]}
    unknown = sorted(set(unions) - {c.name for c in candidates})
    if unknown:
        raise SpecError(
            f"curated unions not defined by this SDK version: {unknown}",
            file=curation_file,
            pointer="/unions",
            hint="narrow the entries' 'versions'",
        )
    domain_of = _domain_rules(curation["domains"], curation_file)
    entries = build_types(candidates, version, domain_of, unions)
    pack_types = {e.name for e in entries}
    endpoints = _endpoints(find_endpoints(), applicable["endpoints"], pack_types, curation_file)
    index = {
        "$schema": "../meta/index.schema.json",
        "sdk": {"name": "tinker", "version": version, "exports": _exports(pack_types)},
        "generator": {"tool": "tinker-conformance", "pydantic": pydantic.VERSION},
        "request_serialization": _serialization_summary(endpoints),
        "types": {e.name: e.index for e in sorted(entries, key=lambda e: e.name)},
        "endpoints": endpoints,
        "exclusions": [{"name": n, "reason": r} for n, r in sorted(excluded.items())],
    }
    files = {f"{e.name}.schema.json": _dump(e.schema) for e in entries}
    files["index.json"] = _dump(index)
    return files


def generate_pack(out_root: Path = SCHEMAS_ROOT) -> Path:
    """Write the pack of the installed SDK to ``out_root/<version>/``."""
    files = render_pack()
    target = out_root / installed_sdk_version()
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    for name, text in files.items():
        (target / name).write_text(text, encoding="utf-8")
    return target


#: The SDK's public namespaces, in the order its users reach for them.
_NAMESPACES = ("tinker.types", "tinker")


def _exports(pack_types: set[str]) -> list[str]:
    """The public namespaces that export pack types by name: where an
    in-process audit looks a type up first (``conformance.reference._classes``)."""
    import importlib

    return [ns for ns in _NAMESPACES if pack_types & set(dir(importlib.import_module(ns)))]


def _dump(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def _load_curation(path: Path) -> dict[str, Any]:
    result: dict[str, Any] = load_checked(path, "curation.schema.json")
    return result


def _keep(candidates: list[Candidate], excluded: dict[str, str], file: Path) -> list[Candidate]:
    names = {c.name for c in candidates}
    for i, name in enumerate(excluded):
        if name not in names:
            raise SpecError(
                f"excluded type {name!r} is not defined by this SDK version",
                file=file,
                pointer=pointer(["exclusions", i]),
                hint="narrow the entry's 'versions' or remove it",
            )
    odd = [c.name for c in candidates if c.shape == "other-class" and c.name not in excluded]
    if odd:
        raise SpecError(
            f"classes that are neither pydantic models, dataclasses nor enums: {odd}",
            file=file,
            pointer="/exclusions",
            hint="decide whether they cross the wire; exclude them with a reason if not",
        )
    return [c for c in candidates if c.name not in excluded]


def _domain_rules(rules: list[dict[str, str]], file: Path) -> Any:
    compiled = [(re.compile(r["pattern"]), r["domain"]) for r in rules]

    def domain_of(name: str) -> str:
        for pattern, domain in compiled:
            if pattern.fullmatch(name):
                return domain
        raise SpecError(
            f"no domain rule matches type {name!r}",
            file=file,
            pointer="/domains",
            type_name=name,
            hint="add the type to a domain pattern",
        )

    return domain_of


def _endpoints(
    found: list[Endpoint], curated: list[dict[str, Any]], pack_types: set[str], file: Path
) -> list[dict[str, Any]]:
    by_key = {(e.method, e.path): e for e in found}
    result = []
    for ep in found:
        record: dict[str, Any] = {
            "id": ep.operation,
            "method": ep.method,
            "path": ep.path,
            "request_type": ep.request_type,
            "response_type": ep.response_type,
            "body_encoding": ep.body_encoding,
            "serialization": ep.serialization,
            "query": ep.query,
            "special": None,
            "call_sites": [asdict(site) for site in ep.call_sites],
        }
        for key in ("request_type", "response_type"):
            if record[key] is not None and record[key] not in pack_types:
                record[f"{key.removesuffix('_type')}_python"] = record[key]
                record[key] = None
        result.append(record)
    records = {(r["method"], r["path"]): r for r in result}
    for i, cur in enumerate(curated):
        where = (cur["method"], cur["path"])
        if where not in by_key:
            raise SpecError(
                f"curated endpoint {cur['method']} {cur['path']} is not called by this SDK version",
                file=file,
                pointer=pointer(["endpoints", i]),
                hint="narrow the entry's 'versions' or fix its path",
            )
        record = records[where]
        record["special"] = cur["special"]
        if "response_type" in cur:
            record["response_type"] = cur["response_type"]
    ids = Counter(r["id"] for r in result)
    for r in result:
        if ids[r["id"]] > 1:
            r["id"] = f"{r['id']}.{r['method'].lower()}"
    return result


def _serialization_summary(endpoints: list[dict[str, Any]]) -> dict[str, Any]:
    """How the SDK turns request models into bodies (this changed across
    versions: 0.15.0 sends only fields the caller set, later versions send
    defaults and drop nulls)."""
    options = Counter(
        json.dumps(e["serialization"], sort_keys=True)
        for e in endpoints
        if e["body_encoding"] == "json"
        and e["serialization"]
        and "inline_keys" not in e["serialization"]
    )
    common: dict[str, Any] = json.loads(options.most_common(1)[0][0]) if options else {}
    unset = common.get("exclude_unset", False)
    none = common.get("exclude_none", False)
    return {
        "model_dump": common,
        "sends_unset_defaults": not unset,
        "sends_nulls": not none,
        "summary": (
            "only fields the caller set are sent (nulls included): unset defaults and default "
            "'type' literals never go out"
            if unset
            else "every field is sent with its default, fields whose value is null are dropped"
            if none
            else "every field is sent, nulls included"
        ),
    }
