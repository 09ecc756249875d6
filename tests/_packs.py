"""Collection-time access to packs, for parametrizing tests by type."""

from __future__ import annotations

from conformance import SpecPack, load_pack
from conformance.reference._classes import installed_version
from conformance.spec import available_versions


def installed_pack() -> SpecPack | None:
    version = installed_version()
    return load_pack(version) if version in available_versions() else None


def all_packs() -> list[SpecPack]:
    return [load_pack(v) for v in available_versions()]
