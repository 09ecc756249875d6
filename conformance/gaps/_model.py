"""Findings -> gaps: one gap per subject, field and category."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from conformance.findings import GapRules
from conformance.spec import SpecPack

if TYPE_CHECKING:
    from conformance.gaps._ids import GapIds

__all__ = [
    "Gap",
    "domain_of",
    "gap_code",
    "gap_key",
    "group",
    "missing_subject",
    "normalize_field",
    "subject_kind",
]

_INDEX = re.compile(r"/\d+(?=/|$)")


@dataclass(frozen=True)
class Gap:
    """What a person fixes: every finding on one subject, field and category."""

    id: str
    key: str
    registered: bool
    kind: str  # type | helper | endpoint | adapter
    subject: str
    field: str  # JSON pointer with array indices as "*"; "" for the whole subject
    category: str
    severity: str
    domain: str | None  # the pack domain of the type (or of a helper's owner)
    enhancement: bool
    findings: tuple[Mapping[str, Any], ...]

    @property
    def missing(self) -> bool:
        """The whole subject is missing: not implemented, rather than wrong."""
        return missing_subject(self.category, self.field)

    @property
    def title(self) -> str:
        if self.missing:
            return f"{self.subject} - MISSING"
        where = f"{self.subject} `{self.field}`" if self.field else self.subject
        return f"{where}: {self.category.replace('-', ' ')}"

    @property
    def occurrences(self) -> int:
        return sum(int(f.get("occurrences", 1)) for f in self.findings)


def missing_subject(category: str, field: str) -> bool:
    """A ``missing-*`` category on no field: the type, helper or endpoint
    itself is absent (not implemented), as opposed to implemented but wrong."""
    return category.startswith("missing-") and not field


def subject_kind(finding: Mapping[str, Any]) -> str:
    """What a raw finding names: type, helper, endpoint, or the adapter."""
    return str(finding["subject"])


def normalize_field(field: str) -> str:
    """Array positions do not make a different gap: ``/requests/3/json`` and
    ``/requests/0/json`` are one gap at ``/requests/*/json``."""
    return _INDEX.sub("/*", field)


def gap_key(kind: str, subject: str, field: str, category: str) -> str:
    """Stable identity of a gap, the same in every run and pack version."""
    text = "\x1f".join((kind, subject, normalize_field(field), category))
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def domain_of(pack: SpecPack, kind: str, subject: str) -> str | None:
    owner = subject.split(".", 1)[0] if kind == "helper" else subject
    if kind in ("type", "helper") and owner in pack.types:
        return str(pack.types[owner]["domain"])
    return None


def gap_code(rules: GapRules, domain: str | None, kind: str) -> str:
    """The code in a gap's id: its type domain's, else its subject kind's."""
    return rules.code(domain=domain) if domain else rules.code(subject=kind)


def group(
    findings: Iterable[Mapping[str, Any]], pack: SpecPack, rules: GapRules, ids: GapIds
) -> list[Gap]:
    """Group raw findings (dicts of a results file) into gaps, most severe
    first. Severities are recomputed from ``rules``, so a project's layer
    applies to results recorded before it existed."""
    buckets: dict[str, list[Mapping[str, Any]]] = {}
    heads: dict[str, tuple[str, str, str, str]] = {}
    for finding in findings:
        kind = subject_kind(finding)
        subject = str(finding.get("type") or "adapter")
        field = normalize_field(str(finding.get("field", "")))
        key = gap_key(kind, subject, field, str(finding["category"]))
        buckets.setdefault(key, []).append(finding)
        heads[key] = (kind, subject, field, str(finding["category"]))
    gaps = []
    for key, members in buckets.items():
        kind, subject, field, category = heads[key]
        domain = domain_of(pack, kind, subject)
        type_kind = pack.types[subject]["kind"] if subject in pack.types else None
        severity = rules.severity(category, type_name=subject, kind=type_kind)
        gap_id, registered = ids.lookup(key, gap_code(rules, domain, kind))
        gaps.append(
            Gap(
                id=gap_id,
                key=key,
                registered=registered,
                kind=kind,
                subject=subject,
                field=field,
                category=category,
                severity=severity,
                domain=domain,
                enhancement=rules.is_enhancement(category),
                findings=tuple(sorted(members, key=lambda f: (str(f["check"]), str(f["field"])))),
            )
        )
    return sorted(gaps, key=lambda g: (rules.rank(g.severity), g.id))
