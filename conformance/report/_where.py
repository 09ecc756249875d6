"""Where to fix a gap: the reference's source file and line (recorded by the
generator in the pack's index, ``source``), and the port's own file where
its adapter's hello named one (``sources``: subject -> ``file[:line]``).

Added to a built document, beside what ``build_document`` says, so a
reader goes from a gap straight to the two files to compare.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from conformance.spec import SpecPack

__all__ = ["reference_source", "with_sources"]


def reference_source(pack: SpecPack, kind: str, subject: str) -> str | None:
    """``tinker/types/x.py:12`` for a type of the pack (a helper: its owner
    type's file); None for endpoints, the adapter, or a pack without sources."""
    owner = subject.split(".", 1)[0] if kind == "helper" else subject
    if kind not in ("type", "helper") or owner not in pack.types:
        return None
    source = pack.types[owner].get("source")
    if not isinstance(source, Mapping):
        return None
    return f"{source['file']}:{source['line']}"


def with_sources(document: Mapping[str, Any], pack: SpecPack) -> dict[str, Any]:
    """The document with ``source`` {reference, port} on every type row,
    gap and enhancement."""
    port: Mapping[str, str] = document["implementation"].get("sources") or {}

    def where(kind: str, subject: str) -> dict[str, str | None]:
        return {"reference": reference_source(pack, kind, subject), "port": port.get(subject)}

    return {
        **document,
        "types": [{**row, "source": where("type", row["name"])} for row in document["types"]],
        "gaps": [{**g, "source": where(g["kind"], g["subject"])} for g in document["gaps"]],
        "enhancements": [
            {**g, "source": where(g["kind"], g["subject"])} for g in document["enhancements"]
        ],
    }
