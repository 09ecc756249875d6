"""Where outputs may be written, when part of the name comes from outside.

An adapter's ``hello`` names the files of its run (name and version), so a
name like ``../../x`` or a version with a NUL must neither escape the output
folder nor break a write: it becomes a slug, and every path is resolved and
must stay inside the folder the user chose.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

from conformance._errors import ConformanceError

__all__ = [
    "SET_LOCK_WAIT",
    "SLUG_MAX",
    "inside",
    "slug",
    "writable",
    "write_atomically",
    "write_set",
]

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


def _scratch(folder: Path, name: str) -> tuple[int, Path]:
    """A new file in ``folder`` for ``name``'s text, open for writing: mode
    0666 less the umask, as a plain ``open`` would give (``mkstemp``'s 0600
    would leave reports unreadable to a CI's other users)."""
    while True:
        path = folder / f".{name[:100]}.{secrets.token_hex(6)}.tmp"
        try:
            return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), path
        except FileExistsError:
            continue


def _write(fd: int, text: str | bytes) -> None:
    """``text`` (UTF-8, or bytes as they are) into the open file ``fd``."""
    with os.fdopen(fd, "wb") as out:
        out.write(text.encode("utf-8") if isinstance(text, str) else text)


def write_atomically(path: Path, text: str | bytes) -> None:
    """``text`` (UTF-8, or bytes) into ``path`` through a temporary file renamed over it: a
    reader (a CI step polling, another run) never sees a half-written file,
    and a full disk leaves the previous file as it was."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, scratch = _scratch(path.parent, path.name)
    try:
        _write(fd, text)
        scratch.replace(path)
    except BaseException:
        scratch.unlink(missing_ok=True)
        raise


#: Seconds a run waits for another run to finish moving its set into the
#: same folder (``write_set``); it holds the folder only for renames.
SET_LOCK_WAIT = 60.0


def write_set(folder: Path, files: Mapping[str, str]) -> list[Path]:
    """Every file of ``files`` (name: text) into ``folder``, as one set: all
    are written first into a staging folder inside ``folder`` (the same file
    system, so that a rename moves them), then renamed into place one by one
    while this run holds ``folder`` locked (``flock`` on the folder itself,
    where there is one). A full disk or any failed write leaves the previous
    set as it was and no staged file behind; two runs into one folder at once
    leave the whole set of the one that moved last, never a mix. A reader that
    does not take the lock may still see the set while it is being moved."""
    folder.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=folder, prefix=".staging-"))
    try:
        for name, text in files.items():
            _write(os.open(staging / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), text)
        with _locked(folder):
            for name in files:
                (staging / name).replace(folder / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return [folder / name for name in files]


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """``folder`` locked against other runs' ``write_set``, for at most
    ``SET_LOCK_WAIT`` seconds of waiting (then ``TimeoutError``); no lock
    where there is no ``flock`` (Windows)."""
    if sys.platform == "win32":
        yield
        return
    import fcntl

    fd = os.open(folder, os.O_RDONLY)
    try:
        deadline = time.monotonic() + SET_LOCK_WAIT
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    msg = f"{folder} stayed locked by another run for {SET_LOCK_WAIT:g} s"
                    raise TimeoutError(msg) from None
                time.sleep(0.01)
        yield
    finally:
        os.close(fd)  # releases the lock
