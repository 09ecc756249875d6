"""Growing the gap-id registry: from audit results, and from the packs'
universe of whole-subject gaps (every type, endpoint and helper missing),
so a port audited for the first time already meets sequential ids."""

from __future__ import annotations

from pathlib import Path

from conformance.cases import load_behaviour_cases
from conformance.findings import load_gap_rules
from conformance.gaps._ids import GapIds
from conformance.gaps._model import domain_of, gap_code, gap_key, group
from conformance.results import load_results
from conformance.spec import available_versions, load_pack

__all__ = ["register_results", "register_universe"]


def register_universe(ids: GapIds) -> None:
    rules = load_gap_rules()
    for version in available_versions():
        pack = load_pack(version)
        subjects = [
            *(
                ("type", t, "missing-type")
                for t in sorted(pack.types, key=lambda t: (pack.types[t]["domain"], t))
            ),
            *(("endpoint", str(e["id"]), "missing-endpoint") for e in pack.endpoints),
            *(
                ("helper", h, "missing-helper")
                for h in sorted({c.helper for c in load_behaviour_cases(version)})
            ),
        ]
        for kind, subject, category in subjects:
            code = gap_code(rules, domain_of(pack, kind, subject), kind)
            about = {"kind": kind, "subject": subject, "field": "", "category": category}
            ids.register(gap_key(kind, subject, "", category), code, about)


def register_results(ids: GapIds, path: Path) -> None:
    raw = load_results(path)
    rules = load_gap_rules()
    for gap in group(raw.findings, load_pack(raw.spec_version), rules, ids):
        if gap.registered or gap.enhancement:
            continue
        about = {
            "kind": gap.kind,
            "subject": gap.subject,
            "field": gap.field,
            "category": gap.category,
        }
        ids.register(gap.key, gap_code(rules, gap.domain, gap.kind), about)
