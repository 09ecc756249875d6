"""Corpora: a pack's generated examples, made once, judged as data.

A corpus holds, for one pack, seed and count, every type's generated
payloads with the reference's answer to each (the wire it round-trips the
payload to, or why it refuses it), so an audit neither draws nor asks the
reference again: a port is judged against recorded answers, without the
reference SDK installed (docs/SPEED.md). Corpora are content-addressed by
pack hash, seed, count and generator version (``CorpusKey``).
"""

from __future__ import annotations

from conformance.corpus._build import Oracle, build_corpus, workers
from conformance.corpus._records import (
    GENERATOR,
    Answer,
    Corpus,
    CorpusKey,
    Example,
    Expected,
    Refused,
    answer_of,
    case_id,
    pack_hash,
)
from conformance.corpus._store import corpus_bytes, read_corpus, read_key, write_corpus
from conformance.corpus._strategies import payloads
from conformance.corpus._where import (
    CACHE_ENV,
    Obtained,
    cache_dir,
    cached_files,
    obtain,
    shipped_dir,
)

__all__ = [
    "CACHE_ENV",
    "GENERATOR",
    "Answer",
    "Corpus",
    "CorpusKey",
    "Example",
    "Expected",
    "Obtained",
    "Oracle",
    "Refused",
    "answer_of",
    "build_corpus",
    "cache_dir",
    "cached_files",
    "case_id",
    "corpus_bytes",
    "obtain",
    "pack_hash",
    "payloads",
    "read_corpus",
    "read_key",
    "shipped_dir",
    "workers",
    "write_corpus",
]
