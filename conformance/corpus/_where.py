"""Where corpora live, and the one way a run gets one.

Shipped: ``<fixtures>/<spec>/corpus/`` (the ci profile of each checked-in
pack; in a wheel too, with the fixtures). A shipped file is trusted only
once checked: a corrupt or edited one is bad input (``SpecError``, exit 2,
naming ``file:line``), since nothing may silently replace what ships.

Cached: ``$TINKER_CONFORMANCE_CACHE``, else the user cache folder
(``$XDG_CACHE_HOME`` or ``~/.cache`` on Linux, ``~/Library/Caches`` on
macOS, ``%LOCALAPPDATA%`` on Windows) ``/tinker-conformance/corpus/<spec>/``.
A cached file that is corrupt or stale is deleted and built again.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from conformance._data import fixtures_dir
from conformance._errors import SpecError
from conformance.corpus._build import Oracle, build_corpus
from conformance.corpus._records import Corpus, CorpusKey
from conformance.corpus._store import read_corpus, write_corpus
from conformance.spec import SpecPack

__all__ = ["CACHE_ENV", "Obtained", "cache_dir", "cached_files", "obtain", "shipped_dir"]

#: Names the cache folder (tests, CI caches, a shared machine).
CACHE_ENV = "TINKER_CONFORMANCE_CACHE"


def shipped_dir(version: str) -> Path:
    """The folder of the corpora shipped with a pack."""
    return fixtures_dir() / version / "corpus"


def cache_dir() -> Path:
    """The root of the cached corpora (one folder per spec under it)."""
    named = os.environ.get(CACHE_ENV)
    if named:
        return Path(named)
    if sys.platform == "darwin":
        base = Path.home() / "Library" / "Caches"
    elif sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "tinker-conformance" / "corpus"


def cached_files() -> Iterator[Path]:
    root = cache_dir()
    yield from sorted(root.glob("*/*.jsonl.gz")) if root.is_dir() else iter(())


@dataclass(frozen=True)
class Obtained:
    """A run's corpus and where it came from (``shipped``, ``cached``,
    ``built`` into the cache, or ``built`` in memory for a fresh seed)."""

    corpus: Corpus
    origin: str


def obtain(
    pack: SpecPack,
    seed: int,
    count: int,
    oracle: Oracle | None,
    *,
    keep: bool = True,
    jobs: int | None = None,
) -> Obtained | None:
    """The corpus of ``pack``, ``seed`` and ``count``: shipped, else cached,
    else built with ``oracle`` (kept in the cache when ``keep``); None when
    there is none and no reference to build one with."""
    key = CorpusKey.of(pack, seed, count)
    shipped = shipped_dir(key.version) / key.file_name
    if shipped.exists():
        return Obtained(read_corpus(shipped, key), "shipped")
    cached = cache_dir() / key.version / key.file_name
    if cached.exists():
        try:
            return Obtained(read_corpus(cached, key), "cached")
        except SpecError:
            cached.unlink(missing_ok=True)  # never trusted: built again below
    if oracle is None:
        return None
    corpus = build_corpus(pack, seed, count, oracle, jobs=jobs)
    if not keep:
        return Obtained(corpus, "built")
    write_corpus(corpus, cached)
    return Obtained(corpus, f"built into {cached}")
