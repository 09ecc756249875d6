"""Findings: what a check reports when an implementation differs from the reference.

A finding carries keyword-only facts (check, category, type, field pointer,
case, instance) and its severity, which comes from the rules in
``schemas/gap-rules.json``, never from the check's code. Its ``key`` is the
same for the same finding on every run, so baselines can refer to it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from conformance._data import SCHEMAS_ROOT, load_checked, pointer
from conformance._errors import SpecError

__all__ = ["GAP_RULES_FILE", "Finding", "GapRules", "load_gap_rules"]

GAP_RULES_FILE = SCHEMAS_ROOT / "gap-rules.json"


@dataclass(frozen=True, kw_only=True)
class Finding:
    """One observed difference between an implementation and the reference."""

    check: str
    category: str
    severity: str
    type_name: str | None
    #: What ``type_name`` names: type | helper | endpoint | op, or adapter (none named).
    subject: str = "type"
    field: str = ""  # JSON pointer inside the type, "" for the whole type
    case: str = ""  # fixture path or generated example id
    message: str
    expected: Any = None
    actual: Any = None
    instance: Any = None  # the payload that reproduces it
    stderr: str = ""
    enhancement: bool = False
    #: A shrunk generated example's: the size of the example first drawn
    #: (characters of compact JSON); None: ``instance`` is as drawn or given.
    original_size: int | None = None

    @cached_property
    def key(self) -> str:
        """Stable identity: same check, category, type and field, same key."""
        text = "\x1f".join((self.check, self.category, self.type_name or "", self.field))
        return hashlib.sha256(text.encode()).hexdigest()[:12]

    def __str__(self) -> str:
        where = self.type_name or "-"
        if self.field:
            where += self.field
        return f"[{self.severity}] {self.category} {where}: {self.message}"

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "check": self.check,
            "category": self.category,
            "severity": self.severity,
            "type": self.type_name,
            "subject": self.subject,
            "field": self.field,
            "case": self.case,
            "message": self.message,
            "expected": self.expected,
            "actual": self.actual,
            "instance": self.instance,
            "stderr": self.stderr,
            "enhancement": self.enhancement,
            "original_size": self.original_size,
        }


@dataclass(frozen=True)
class GapRules:
    """Categories and severity rules, as data."""

    source: Path
    data: Mapping[str, Any] = field(repr=False)

    @property
    def categories(self) -> Mapping[str, Any]:
        result: Mapping[str, Any] = self.data["categories"]
        return result

    def severity(self, category: str, *, type_name: str | None, kind: str | None) -> str:
        rule = self._rule(category)
        for override in self.data["overrides"]:
            if override["category"] == category and override.get("type") in (None, type_name):
                return str(override["severity"])
        by_kind = rule.get("by_kind", {})
        return str(by_kind.get(kind, rule["severity"]))

    def is_enhancement(self, category: str) -> bool:
        return bool(self._rule(category).get("enhancement", False))

    def is_unobserved(self, category: str) -> bool:
        """Whether such a gap means "not observed" rather than "differs"."""
        return bool(self._rule(category).get("unobserved", False))

    def describe(self, category: str) -> Mapping[str, str]:
        """Title, impact and recommendation of a category, for reports."""
        rule = self._rule(category)
        return {k: str(rule[k]) for k in ("title", "impact", "recommendation")}

    def check_threshold(self, fail_on: str) -> None:
        """A gate threshold must be one of the rules' severities (bad input otherwise)."""
        if fail_on not in self.data["severities"]:
            raise SpecError(
                f"--fail-on {fail_on!r}: expected one of {', '.join(self.data['severities'])}",
                file=self.source,
                pointer="/severities",
            )

    def rank(self, severity: str) -> int:
        """0 for the most severe; unknown severities sort last."""
        order: list[str] = list(self.data["severities"])
        return order.index(severity) if severity in order else len(order)

    def code(self, *, domain: str | None = None, subject: str | None = None) -> str:
        """The code of a gap id: a type domain's, else a subject kind's."""
        table, name = (
            ("domains", domain) if domain is not None else ("subjects", subject or "adapter")
        )
        found = self.data.get(table, {}).get(name)
        if found is None:
            raise SpecError(
                f"no gap-id code for {table[:-1]} {name!r}",
                file=self.source,
                pointer=pointer([table, name]),
                hint="add it to the rules (a pack gained a domain?)",
            )
        return str(found)

    def _rule(self, category: str) -> Mapping[str, Any]:
        rule = self.categories.get(category)
        if rule is None:
            raise SpecError(
                f"unknown gap category {category!r}",
                file=self.source,
                pointer=pointer(["categories", category]),
                hint=f"known: {', '.join(sorted(self.categories))}",
            )
        return rule  # type: ignore[no-any-return]


def load_gap_rules(path: Path = GAP_RULES_FILE, layer: Path | None = None) -> GapRules:
    """The rules, with a project's own file layered over them: its overrides
    are tried first, its categories and domains replace same-named ones."""
    data = dict(load_checked(path, "gap-rules.schema.json"))
    if layer is None:
        return GapRules(path, data)
    extra = load_checked(layer, "gap-rules.schema.json")
    for table in ("categories", "domains", "subjects"):
        data[table] = {**data.get(table, {}), **extra.get(table, {})}
    data["overrides"] = [*extra.get("overrides", []), *data["overrides"]]
    return GapRules(layer, data)
