"""The one loader of case files: golden type cases, behaviour vectors and
endpoint vectors, all ``fixtures/<version>/<kind>/<subject>/<case>.json``.

One case per file, the JSON-Schema-Test-Suite way: the loader globs them and
the path is the case's id. Every file is checked against its kind's
meta-schema on load, and must live in the folder of the subject it names; a
malformed one is an error naming the file and the JSON pointer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from conformance._data import fixtures_dir, load_checked
from conformance._errors import SpecError

__all__ = ["CaseKind", "load"]

C = TypeVar("C")


@dataclass(frozen=True, kw_only=True)
class CaseKind(Generic[C]):
    """How one kind of case is stored: its folder under the version, its
    meta-schema, the key naming its subject folder, and its typed form."""

    folder: str
    meta: str
    subject_key: str
    build: Callable[[str, Mapping[str, Any]], C]


def load(kind: CaseKind[C], version: str, root: Path | None = None) -> list[C]:
    """Every case of ``kind`` for ``version``, sorted by id (none: an empty
    list); ``root``: the fixtures of the packs in use."""
    root = root or fixtures_dir()
    cases = []
    for path in sorted((root / version / kind.folder).glob("*/*.json")):
        data = load_checked(path, kind.meta)
        subject = data[kind.subject_key]
        if subject != path.parent.name:
            raise SpecError(
                f"case is for {kind.subject_key} {subject!r} but lives in folder "
                f"{path.parent.name!r}",
                file=path,
                pointer=f"/{kind.subject_key}",
            )
        cases.append(kind.build(path.relative_to(root).as_posix(), data))
    return cases
