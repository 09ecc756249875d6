"""The typed records of a corpus: its key, its examples and their answers."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conformance.adapters import Encoded, OpResult
from conformance.spec import SpecPack

__all__ = [
    "GENERATOR",
    "Answer",
    "Corpus",
    "CorpusKey",
    "Example",
    "Expected",
    "Refused",
    "answer_of",
    "case_id",
    "pack_hash",
]

#: The version of what makes a corpus's examples: the strategies
#: (``_strategies.py``, ``_memo.py``), the pinned hypothesis and
#: hypothesis-jsonschema (constraints.txt), the case ids and the answers'
#: form. Raise it when any of them changes the examples of a seed: every
#: corpus made before is then stale, by key.
GENERATOR = "2"


def pack_hash(pack: SpecPack) -> str:
    """sha256 of what a corpus's examples and answers depend on: the pack's
    version (its reference SDK), its types in order and their schemas. Other
    fields of the index (endpoints, a type's notes) leave it unchanged."""
    facts = {"version": pack.version, "types": list(pack.types), "schemas": pack.schemas}
    text = json.dumps(facts, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode("ascii")).hexdigest()


@dataclass(frozen=True)
class CorpusKey:
    """What names a corpus: the pack (by hash), the seed, the examples per
    type asked for and the generator version."""

    version: str
    pack_hash: str
    seed: int
    count: int
    generator: str = GENERATOR

    @classmethod
    def of(cls, pack: SpecPack, seed: int, count: int) -> CorpusKey:
        return cls(pack.version, pack_hash(pack), seed, count)

    def to_json(self) -> dict[str, Any]:
        return {
            "spec": self.version,
            "pack_hash": self.pack_hash,
            "seed": self.seed,
            "count": self.count,
            "generator": self.generator,
        }

    @property
    def digest(self) -> str:
        """The content address: 16 hex digits of the key's sha256."""
        text = json.dumps(self.to_json(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode("ascii")).hexdigest()[:16]

    @property
    def file_name(self) -> str:
        return f"seed{self.seed}-n{self.count}-{self.digest}.jsonl.gz"


@dataclass(frozen=True, kw_only=True)
class Expected:
    """The reference round-trips the payload: this is its wire answer."""

    wire: Any


@dataclass(frozen=True, kw_only=True)
class Refused:
    """The reference does not round-trip the payload (the schema is looser
    than the SDK there): why, as the reference's result said it."""

    reason: str


Answer = Expected | Refused


def answer_of(result: OpResult) -> Answer:
    """The reference's answer to a decode, as a corpus records it (and as a
    live oracle's result is judged: one rule for both)."""
    if isinstance(result, Encoded):
        return Expected(wire=result.wire)
    return Refused(reason=str(result))


def case_id(version: str, type_name: str, seed: int, index: int) -> str:
    """The case id of the ``index``-th generated example of a type."""
    return f"property:{version}:{type_name}:{seed}:{index}"


@dataclass(frozen=True, kw_only=True)
class Example:
    """One generated payload of a type, with the reference's answer."""

    type_name: str
    case: str
    payload: Any
    answer: Answer


@dataclass(frozen=True, kw_only=True)
class Corpus:
    """Every example of a pack for one seed and count, by type in pack order;
    ``source`` is the file it was read from (None: built in memory)."""

    key: CorpusKey
    examples: Mapping[str, tuple[Example, ...]]
    source: Path | None = None

    @property
    def size(self) -> int:
        return sum(len(found) for found in self.examples.values())
