"""Collection-time access to packs, for parametrizing tests by type."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from conformance import SpecPack, load_pack
from conformance.reference._classes import installed_version
from conformance.spec import available_versions


def installed_pack() -> SpecPack | None:
    version = installed_version()
    return load_pack(version) if version in available_versions() else None


def all_packs() -> list[SpecPack]:
    return [load_pack(v) for v in available_versions()]


def narrowed(pack: SpecPack, types: Iterable[str]) -> SpecPack:
    """``pack`` listing only ``types`` (every schema kept, so references
    resolve): checks that walk the pack's types walk only these."""
    wanted = set(types)
    index = {**pack.index, "types": {n: e for n, e in pack.types.items() if n in wanted}}
    return dataclasses.replace(pack, index=index)
