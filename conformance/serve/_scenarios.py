"""Scenarios: which endpoint vector answers which call, as data.

A scenario (``fixtures/<version>/scenarios/<name>.json``,
``schemas/meta/scenario.schema.json``) names, per endpoint, the vectors that
answer its successive calls; every other call gets the endpoint's default
vector. Vectors are the endpoint vectors the request-driven check runs
(``fixtures/<version>/endpoints/``), so ``serve`` answers with what was
recorded from the reference and expects what the reference sent.

An endpoint without a usable vector (none in the checked-in packs) is answered
with a body generated from its response schema (seed ``GENERATED_SEED``, so
the same every run), and only its method and path are expected: nothing was
recorded from the reference to expect more.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conformance._data import fixtures_dir, load_checked, pointer
from conformance._errors import SpecError
from conformance.cases import EndpointCase, load_endpoint_cases
from conformance.spec import SpecPack

__all__ = ["GENERATED_SEED", "Scenario", "default_case", "load_scenario", "scenario_names"]

_META = "scenario.schema.json"
GENERATED_SEED = 0


@dataclass(frozen=True, kw_only=True)
class Scenario:
    """A loaded scenario: its words and its vectors, resolved."""

    name: str
    description: str
    must: tuple[str, ...]
    script: Mapping[str, Sequence[EndpointCase]]  # endpoint id -> vectors for its calls
    defaults: Mapping[str, EndpointCase]  # endpoint id -> vector for any other call
    cases: Mapping[str, EndpointCase]  # every vector of the version, by id


def scenario_names(version: str, root: Path | None = None) -> list[str]:
    """The scenarios of a version (root: the fixtures of the packs in use)."""
    return sorted(p.stem for p in ((root or fixtures_dir()) / version / "scenarios").glob("*.json"))


def load_scenario(pack: SpecPack, name: str, root: Path | None = None) -> Scenario:
    """The scenario ``name`` of ``pack``'s version; every vector it names must
    exist and be for that endpoint, and every endpoint of the pack needs a
    default vector (a SpecError with file and pointer otherwise)."""
    root = root or fixtures_dir()
    folder = root / pack.version / "scenarios"
    path = folder / f"{name}.json"
    if not path.is_file():
        known = ", ".join(scenario_names(pack.version, root)) or "none"
        raise SpecError(f"no scenario {name!r} (known: {known})", file=path)
    data = load_checked(path, _META)
    if data["scenario"] != path.stem:
        raise SpecError(
            f"scenario is named {data['scenario']!r} but the file is {path.name}",
            file=path,
            pointer="/scenario",
        )
    cases = {c.id: c for c in load_endpoint_cases(pack.version, root)}
    by_endpoint: dict[str, list[EndpointCase]] = {}
    for case in cases.values():
        by_endpoint.setdefault(case.endpoint, []).append(case)
    known_endpoints = {str(e["id"]) for e in pack.endpoints}
    script: dict[str, list[EndpointCase]] = {}
    for endpoint, names in data["script"].items():
        if endpoint not in known_endpoints:
            raise SpecError(
                f"no endpoint {endpoint!r} in pack {pack.version}",
                file=path,
                pointer=pointer(["script", endpoint]),
            )
        for i, case_name in enumerate(names):
            case_id = f"{pack.version}/endpoints/{endpoint}/{case_name}.json"
            if case_id not in cases:
                raise SpecError(
                    f"no endpoint vector {case_id}",
                    file=path,
                    pointer=pointer(["script", endpoint, i]),
                )
            if not cases[case_id].expect["requests"]:
                raise SpecError(
                    f"{case_id} expects no request: it cannot answer one",
                    file=path,
                    pointer=pointer(["script", endpoint, i]),
                )
            script.setdefault(endpoint, []).append(cases[case_id])
    defaults = {}
    for entry in pack.endpoints:
        endpoint = str(entry["id"])
        fallback = default_case(by_endpoint.get(endpoint, [])) or generated_case(pack, entry)
        cases.setdefault(fallback.id, fallback)
        defaults[endpoint] = fallback
    return Scenario(
        name=name,
        description=data["description"],
        must=tuple(data["must"]),
        script=script,
        defaults=defaults,
        cases=cases,
    )


def generated_case(pack: SpecPack, entry: Mapping[str, Any]) -> EndpointCase:
    """A vector made from the pack alone: one 200 with a body generated from
    the response type (204 without one); method and path expected."""
    from conformance.corpus._strategies import payloads

    response_type = entry.get("response_type")
    if response_type:
        body = payloads(pack, str(response_type), 1, GENERATED_SEED)[0]
        response: dict[str, Any] = {"status": 200, "json": body}
    else:
        response = {"status": 204}
    return EndpointCase(
        id=f"{pack.version}/generated/{entry['id']}",
        endpoint=str(entry["id"]),
        description=f"{entry['id']}: no endpoint vector; an answer generated from the pack",
        args={},
        responses=[response],
        expect={
            "requests": [{"method": entry["method"], "path": entry["path"]}],
            "result": {"value": None},
        },
    )


def default_case(cases: Sequence[EndpointCase]) -> EndpointCase | None:
    """The vector answering an unscripted call: ``ok``, else the first (by id)
    answering one request with one 2xx, else with one 3xx (the checkpoint
    archive's answer is always a redirect), where the call returns a value."""
    usable = [
        c
        for c in sorted(cases, key=lambda c: c.id)
        if len(c.responses) == 1
        and 200 <= int(c.responses[0].get("status", 200)) < 400
        and len(c.expect["requests"]) == 1
        and "value" in c.expect["result"]
    ]
    ranked = sorted(
        usable,
        key=lambda c: (
            not c.id.endswith("/ok.json"),
            int(c.responses[0].get("status", 200)) >= 300,
        ),
    )
    return ranked[0] if ranked else None
