"""Spec packs: the versioned schemas and index every check reads."""

from conformance.spec._pack import (
    STRUCT_KINDS,
    SpecPack,
    available_versions,
    load_pack,
    type_urn,
)

__all__ = ["STRUCT_KINDS", "SpecPack", "available_versions", "load_pack", "type_urn"]
