"""The gap-id registry: ``schemas/gap-ids.json``, append-only.

A registered gap has a short sequential id per domain (``GAP-TRAIN-004``)
that never changes and is never reused. A gap nobody registered yet gets an
id made from its key (``GAP-TRAIN-3fa2c1``): just as stable, so baselines can
accept it, and it can never collide with a registered one.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from conformance._data import SCHEMAS_ROOT, load_checked

__all__ = ["GAP_IDS_FILE", "GapIds", "load_gap_ids"]

GAP_IDS_FILE = SCHEMAS_ROOT / "gap-ids.json"
_SEQUENTIAL = re.compile(r"^GAP-([A-Z][A-Z0-9]*)-(\d{3,})$")


@dataclass
class GapIds:
    source: Path
    entries: dict[str, dict[str, str]]  # id -> {key, kind, subject, field, category}
    _by_key: dict[str, str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._by_key = {entry["key"]: gap_id for gap_id, entry in self.entries.items()}

    def lookup(self, key: str, code: str) -> tuple[str, bool]:
        """The id of a gap and whether it is registered."""
        found = self._by_key.get(key)
        if found is not None:
            return found, True
        return f"GAP-{code}-{key[:6]}", False

    def register(self, key: str, code: str, about: dict[str, str]) -> str:
        """Give a gap the next number of its domain (no-op when it has one)."""
        if key in self._by_key:
            return self._by_key[key]
        numbers = [
            int(m.group(2))
            for m in map(_SEQUENTIAL.match, self.entries)
            if m is not None and m.group(1) == code
        ]
        gap_id = f"GAP-{code}-{max(numbers, default=0) + 1:03d}"
        self.entries[gap_id] = {"key": key, **about}
        self._by_key[key] = gap_id
        return gap_id

    def save(self) -> None:
        document: dict[str, Any] = {
            "$schema": "meta/gap-ids.schema.json",
            "description": (
                "Append-only registry of gap ids: a gap key (docs/REPORTS.md) keeps its id "
                "forever. Add entries with `tinker-conformance gaps register`; never edit "
                "or remove one."
            ),
            "ids": self.entries,
        }
        text = json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False)
        self.source.write_text(text + "\n", encoding="utf-8")


def load_gap_ids(path: Path = GAP_IDS_FILE) -> GapIds:
    if not path.exists():
        return GapIds(path, {})
    return GapIds(path, dict(load_checked(path, "gap-ids.schema.json")["ids"]))
