"""Spec packs: the versioned schemas and index every check reads."""

from conformance.spec._pack import (
    META_DIR,
    SCHEMAS_ROOT,
    SpecPack,
    available_versions,
    check_data,
    load_checked,
    load_json,
    load_pack,
    pointer,
    type_urn,
)

__all__ = [
    "META_DIR",
    "SCHEMAS_ROOT",
    "SpecPack",
    "available_versions",
    "check_data",
    "load_checked",
    "load_json",
    "load_pack",
    "pointer",
    "type_urn",
]
