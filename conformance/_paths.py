"""Where outputs may be written, when part of the name comes from outside.

An adapter's ``hello`` names the files of its run (name and version), so a
name like ``../../x`` or a version with a NUL must neither escape the output
folder nor break a write: it becomes a slug, and every path is resolved and
must stay inside the folder the user chose.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from conformance._errors import ConformanceError

__all__ = ["SLUG_MAX", "inside", "slug", "writable", "write_atomically"]

#: The longest slug a name and version become (file systems allow 255 bytes a name).
SLUG_MAX = 80
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_DASHES = re.compile(r"-{2,}")


def slug(*parts: str) -> str:
    """``parts`` joined by ``-`` with any run of characters but
    ``[A-Za-z0-9._-]`` made one ``-``, no leading or trailing dots or dashes,
    at most ``SLUG_MAX`` characters."""
    text = _DASHES.sub("-", _UNSAFE.sub("-", "-".join(parts))).strip(".-")
    text = text[:SLUG_MAX].rstrip(".-")
    return text or "implementation"


def inside(folder: Path, name: str) -> Path:
    """``folder/name``, refused where it resolves outside ``folder``."""
    base = folder.resolve()
    target = (base / name).resolve()
    if target != base and base not in target.parents:
        msg = f"{name!r} would be written outside {folder}"
        raise ConformanceError(msg)
    return target


def writable(folder: Path) -> None:
    """Create ``folder`` and prove a file can be written there, before a run
    whose results would otherwise be lost at its end."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        msg = f"cannot write into {folder}: {exc.strerror or exc}"
        raise ConformanceError(msg) from None


def write_atomically(path: Path, text: str | bytes) -> None:
    """``text`` (UTF-8, or bytes as they are) into ``path`` through a
    temporary file renamed over it: a reader (a CI step polling, another run)
    never sees a half-written file, and a full disk leaves the previous file
    as it was."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, scratch = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    data = text.encode("utf-8") if isinstance(text, str) else text
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        Path(scratch).replace(path)
    except BaseException:
        Path(scratch).unlink(missing_ok=True)
        raise
