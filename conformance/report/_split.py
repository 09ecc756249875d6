"""``--split domains``: one document per domain, in the seed audits' shape.

A real port's single report runs to hundreds of kilobytes; the hand audits
it imitates are one document per domain, each read in one sitting. Each
part here is a full report document (``build_document`` limited to the
domain's subjects: its types and the helpers of its types; the endpoints
have their own part), so it has its own executive summary, completeness,
type table, field-level tables, detailed gaps, recommendations and order of
work, and every renderer renders it. The index links the parts and gives
the overall numbers; gaps no domain holds (the adapter's own) are listed in
it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from conformance._paths import slug

__all__ = ["SPLITS", "Part", "index_document", "part_filters", "part_stem", "scoped"]

#: The ways a report can be split (``--split``).
SPLITS = ("domains",)
#: The name of the endpoints' part (as ``document.domains`` names them).
ENDPOINTS = "API endpoints"


@dataclass(frozen=True)
class Part:
    """One domain's document and the file-name part that tells it apart."""

    name: str
    slug: str
    document: dict[str, Any]


def part_filters(
    whole: Mapping[str, Any], domain_of_type: Mapping[str, str]
) -> list[tuple[str, Callable[[str, str], bool]]]:
    """(part name, which subjects it keeps) for every type domain of the
    whole document, then the endpoints."""
    filters: list[tuple[str, Callable[[str, str], bool]]] = []
    for row in whole["domains"]:
        if row["subjects"] == "types":
            filters.append((str(row["name"]), _of_domain(str(row["name"]), domain_of_type)))
    filters.append((ENDPOINTS, lambda kind, _name: kind == "endpoint"))
    return filters


def _of_domain(domain: str, domain_of_type: Mapping[str, str]) -> Callable[[str, str], bool]:
    def keep(kind: str, name: str) -> bool:
        owner = name.split(".", 1)[0] if kind == "helper" else name
        return kind in ("type", "helper") and domain_of_type.get(owner) == domain

    return keep


def scoped(name: str, document: Mapping[str, Any]) -> Part:
    """A part's document as its readers need it: the domain in its title,
    only the domain rows it has subjects of, and the gate's lists limited to
    its own gaps (the verdict stays the run's: one gate per run)."""
    ids = {str(g["id"]) for g in [*document["gaps"], *document["enhancements"]]}
    gate = {
        **document["gate"],
        **{
            key: [i for i in document["gate"][key] if i in ids]
            for key in ("new", "accepted", "below_threshold")
        },
    }
    return Part(
        name,
        slug(name.lower()),
        {
            **document,
            "title": f"{document['title']}: {name}",
            "domains": [d for d in document["domains"] if d["total"]],
            "gate": gate,
        },
    )


def part_stem(stem: str, part: Part) -> str:
    """The file stem of a part: ``<stem>.<domain>`` beside the index's."""
    return f"{stem}.{part.slug}"


def index_document(whole: Mapping[str, Any], parts: Sequence[Part], stem: str) -> dict[str, Any]:
    """What the index shows: the run's numbers, one row per part (with its
    file stem, to which each format adds its suffix), and the gaps of no part."""
    held = {str(g["id"]) for p in parts for g in p.document["gaps"]}
    rows = []
    for part in parts:
        summary = part.document["summary"]
        counts = [summary[k] for k in ("types", "endpoints", "helpers")]
        rows.append(
            {
                "name": part.name,
                "stem": part_stem(stem, part),
                "completeness": summary["completeness"],
                "subjects": sum(c["total"] for c in counts),
                "complete": sum(c["complete"] for c in counts),
                "partial": sum(c["partial"] for c in counts),
                "missing": sum(c["missing"] for c in counts),
                "gaps": summary["gaps"]["total"],
                "by_severity": summary["gaps"]["by_severity"],
            }
        )
    return {
        "title": whole["title"],
        "date": whole["date"],
        "implementation": whole["implementation"],
        "reference": whole["reference"],
        "summary": whole["summary"],
        "gate": whole["gate"],
        "parts": rows,
        "elsewhere": [g for g in whole["gaps"] if g["id"] not in held],
    }
