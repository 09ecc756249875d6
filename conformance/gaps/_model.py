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
    "MAP_KEY",
    "POSITION",
    "Gap",
    "Uncovered",
    "domain_of",
    "field_pattern",
    "gap_code",
    "gap_key",
    "gap_place",
    "group",
    "missing_subject",
    "normalize_field",
    "subject_kind",
    "uncovered",
]

_INDEX = re.compile(r"/[0-9]+(?=/|$)")
#: What a key of a map (an ``additionalProperties`` schema) stands as in a gap's field.
MAP_KEY = "{key}"
#: What an array position stands as in a gap's field.
POSITION = "*"
_URN = re.compile(r"^urn:tinker-conformance:schema:[^:]+:(?P<name>.+)$")


@dataclass(frozen=True)
class Uncovered:
    """An op the adapter does not support, met by ``check``: the subjects
    that check would have judged with it are not checked. Coverage, not a
    gap: never in the totals, the baseline or the gate (unless the op is
    required, ``--require-op``)."""

    op: str
    check: str
    #: Why, as the adapter said it (``Unsupported.message``); "" if it said nothing.
    reason: str = ""


@dataclass(frozen=True)
class Gap:
    """What a person fixes: every finding on one subject, field and category."""

    id: str
    key: str
    registered: bool
    kind: str  # type | helper | endpoint | adapter
    subject: str
    #: JSON pointer, array positions as "*", map keys as "{key}"; "" for the whole subject
    field: str
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
    return _INDEX.sub("/" + POSITION, field)


def field_pattern(pack: SpecPack, kind: str, subject: str, field: str) -> str:
    """The field of a gap: ``field`` with every array position as ``*`` and
    every key of a map as ``{key}``, read from the subject type's schema.

    A generated example's map keys are random (``/user_metadata/Þn/…``), so
    a pointer that kept them would make another gap, and another id, on
    every seed. Only the schema tells a map's key (``additionalProperties``
    is a schema, or an object has no named properties) from a named
    property, and from a field the implementation added to a structure (kept
    by name). A free-form value is one field (``/user_metadata/{key}``),
    whatever lies below it. Subjects that
    are not types, and whatever the schema does not reach, get the array
    positions only (``normalize_field``)."""
    return "".join("/" + part for part in _walk(pack, kind, subject, field)[0])


def gap_place(
    pack: SpecPack, kind: str, subject: str, field: str, instance: Any = None
) -> tuple[str, str]:
    """The type and field a gap is filed under: the innermost pack type that
    holds the field, and the field's pattern inside it. One defect of a
    nested type (``LoraConfig /rank``) is one gap, whichever containing type
    it was met through (``CreateModelRequest /lora_config/rank``); the
    findings keep where they were met. Where a union's branches share the
    field, the payload (``instance``) tells the branch: the one type it is
    valid as; where it cannot, the field stays the container's."""
    parts, owners = _walk(pack, kind, subject, field, instance)
    if not owners:
        return subject, "".join("/" + part for part in parts)
    owner, at = owners[-1]
    return owner, "".join("/" + part for part in parts[at:])


def _walk(
    pack: SpecPack, kind: str, subject: str, field: str, instance: Any = None
) -> tuple[list[str], list[tuple[str, int]]]:
    """``field``'s pattern parts, and each pack type other than ``subject``
    entered on the way: (the type, the index of its first part), outermost
    first. A type is entered where exactly one type holds the next named
    property (a union's branches that share a field are no one type)."""
    if kind != "type" or subject not in pack.schemas or not field:
        return normalize_field(field).split("/")[1:], []
    nodes: list[tuple[str, Any]] = [(subject, pack.schemas[subject])]
    parts: list[str] = []
    owners: list[tuple[str, int]] = []
    for segment in field.split("/")[1:]:
        branches = [b for owner, node in nodes for b in _branches(pack, node, owner)]
        named = [
            (owner, b["properties"][segment])
            for owner, b in branches
            if isinstance(b.get("properties"), Mapping) and segment in b["properties"]
        ]
        items = [(o, b["items"]) for o, b in branches if isinstance(b.get("items"), Mapping)]
        values = [
            (o, b["additionalProperties"])
            for o, b in branches
            if isinstance(b.get("additionalProperties"), Mapping)
        ]
        if named:
            holders = {owner for owner, _ in named}
            if len(holders) > 1 and isinstance(instance, Mapping):
                holders = {h for h in holders if pack.is_valid(h, instance)} or holders
            if len(holders) == 1 and holders != {subject}:
                (holder,) = holders
                if not owners or owners[-1][0] != holder:
                    owners.append((holder, len(parts)))
            parts.append(segment)
            nodes = named
        elif _position(segment) and items:
            parts.append(POSITION)
            nodes = items
        elif values:
            parts.append(MAP_KEY)
            nodes = values
        elif any(_free(b) for _, b in branches):
            parts.append(MAP_KEY)
            break  # what lies below a free-form value is that value's
        else:  # a field the reference does not have: kept by name
            parts.append(POSITION if _position(segment) else segment)
            nodes = []
        instance = _member(instance, segment)
    return parts, owners


def _member(value: Any, segment: str) -> Any:
    """What ``segment`` names inside ``value``; None where it names nothing."""
    if isinstance(value, Mapping):
        return value.get(segment)
    if isinstance(value, list) and _position(segment) and int(segment) < len(value):
        return value[int(segment)]
    return None


def _position(segment: str) -> bool:
    """An array position: ASCII digits only (a map key may be "³")."""
    return segment.isascii() and segment.isdigit()


def _branches(
    pack: SpecPack, node: Any, owner: str, depth: int = 0
) -> list[tuple[str, Mapping[str, Any]]]:
    """A schema and what it stands for, each with the pack type it belongs
    to: its ``$ref``'d pack type and the branches of its
    ``anyOf``/``oneOf``/``allOf``, flattened."""
    if not isinstance(node, Mapping) or depth > 32:
        return []
    found: list[tuple[str, Mapping[str, Any]]] = [(owner, node)]
    ref = node.get("$ref")
    match = _URN.match(ref) if isinstance(ref, str) else None
    if match is not None and match.group("name") in pack.schemas:
        name = match.group("name")
        found += _branches(pack, pack.schemas[name], name, depth + 1)
    for keyword in ("anyOf", "oneOf", "allOf"):
        for branch in node.get(keyword, ()):
            found += _branches(pack, branch, owner, depth + 1)
    return found


#: Keywords that say what a value is: a schema with none of them admits anything.
_CONSTRAINTS = ("type", "properties", "items", "$ref", "anyOf", "oneOf", "allOf", "const", "enum")


def _free(schema: Mapping[str, Any]) -> bool:
    """A free-form value: an object with no named properties, or a value of
    any type: whatever keys it has are data."""
    if schema.get("type") == "object":
        return not schema.get("properties")
    return not any(k in schema for k in _CONSTRAINTS)


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


def uncovered(findings: Iterable[Mapping[str, Any]], rules: GapRules) -> list[Uncovered]:
    """The ops the adapter lacks, per check that met them: the findings of an
    ``unobserved`` category (the rules'), which ``group`` leaves out."""
    found: dict[tuple[str, str], Uncovered] = {}
    for f in findings:
        if rules.is_unobserved(str(f["category"])):
            op, check = str(f.get("type") or ""), str(f["check"])
            reason = f.get("actual")
            found.setdefault(
                (op, check),
                Uncovered(op=op, check=check, reason=reason if isinstance(reason, str) else ""),
            )
    return [found[k] for k in sorted(found)]


def group(
    findings: Iterable[Mapping[str, Any]], pack: SpecPack, rules: GapRules, ids: GapIds
) -> list[Gap]:
    """Group raw findings (dicts of a results file) into gaps, most severe
    first. Severities are recomputed from ``rules``, so a project's layer
    applies to results recorded before it existed. Findings of an
    ``unobserved`` category are coverage (``uncovered``), not gaps."""
    buckets: dict[str, list[Mapping[str, Any]]] = {}
    heads: dict[str, tuple[str, str, str, str]] = {}
    #: per gap, the severity of each place it was met (a nested type's
    #: defect met through a request type is as severe as it is there)
    met: dict[str, list[str]] = {}
    for finding in findings:
        category = str(finding["category"])
        if rules.is_unobserved(category):
            continue
        kind = subject_kind(finding)
        where = str(finding.get("type") or "adapter")
        subject, field = gap_place(
            pack, kind, where, str(finding.get("field", "")), finding.get("instance")
        )
        key = gap_key(kind, subject, field, category)
        buckets.setdefault(key, []).append(finding)
        heads[key] = (kind, subject, field, category)
        type_kind = pack.types[where]["kind"] if where in pack.types else None
        met.setdefault(key, []).append(rules.severity(category, type_name=where, kind=type_kind))
    gaps = []
    for key, members in buckets.items():
        kind, subject, field, category = heads[key]
        domain = domain_of(pack, kind, subject)
        severity = min(met[key], key=rules.rank)
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
