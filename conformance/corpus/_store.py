"""A corpus as a file: gzip-compressed JSON lines, every line hashed.

Line 1 is the header (``schemas/meta/corpus-line.schema.json``): the key,
the number of examples and the sha256 of every example line's hash in order.
Each further line is one example, with 16 hex digits of the sha256 of the
rest of the line. A reader checks the header's key against the one it wants
(stale), every line against the schema and its hash (corrupt), and the
digest (a line lost, added or moved): any of these is a ``SpecError`` naming
``file:line``, never an example trusted.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import zlib
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema.validators import Draft202012Validator

from conformance._data import META_DIR, check_data, load_json, pointer
from conformance._errors import SpecError
from conformance._paths import write_atomically
from conformance.corpus._records import Corpus, CorpusKey, Example, Expected, Refused

__all__ = ["corpus_bytes", "read_corpus", "read_key", "write_corpus"]

FORMAT = 1
_META = "corpus-line.schema.json"


def _text(value: Any) -> str:
    """Compact ASCII JSON (an answer not finite was refused when recorded)."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=True, allow_nan=False)


def _line_hash(record: dict[str, Any]) -> str:
    return hashlib.sha256(_text(record).encode("ascii")).hexdigest()[:16]


def _record(example: Example) -> dict[str, Any]:
    record: dict[str, Any] = {
        "type": example.type_name,
        "case": example.case,
        "payload": example.payload,
    }
    if isinstance(example.answer, Expected):
        record["expected"] = example.answer.wire
    else:
        record["refused"] = example.answer.reason
    return record


def corpus_bytes(corpus: Corpus) -> bytes:
    """The file of ``corpus``: the same bytes for the same examples (no
    time or name in the gzip header)."""
    lines, hashes = [], []
    for found in corpus.examples.values():
        for example in found:
            record = _record(example)
            sha = _line_hash(record)
            hashes.append(sha)
            lines.append(_text({"sha": sha, **record}))
    header = {
        "corpus": FORMAT,
        "key": corpus.key.to_json(),
        "examples": len(lines),
        "digest": hashlib.sha256("".join(hashes).encode("ascii")).hexdigest(),
    }
    text = "\n".join([_text(header), *lines]) + "\n"
    out = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=out, mtime=0, compresslevel=9) as gz:
        gz.write(text.encode("ascii"))
    return out.getvalue()


def write_corpus(corpus: Corpus, path: Path) -> None:
    """Write ``corpus`` to ``path``, readable by all (it ships in a wheel)."""
    write_atomically(path, corpus_bytes(corpus))
    path.chmod(0o644)


def _lines(path: Path) -> list[str]:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise SpecError("file is missing", file=path) from None
    try:
        return gzip.decompress(raw).decode("ascii").splitlines()
    except (OSError, EOFError, zlib.error, UnicodeDecodeError) as exc:
        raise SpecError(f"not a gzip file of ASCII JSON lines: {exc}", file=path) from None


@cache
def _example_line() -> Draft202012Validator:
    """The schema of an example line alone: a valid line is told from an
    invalid one several times faster than against the whole ``oneOf``."""
    schema = load_json(META_DIR / _META)["$defs"]["example"]
    return Draft202012Validator(schema)


def _parse(path: Path, number: int, line: str) -> dict[str, Any]:
    where = f"{path}:{number}"
    try:
        value = json.loads(line)
    except json.JSONDecodeError as exc:
        raise SpecError(f"line {number} is not JSON: {exc.msg}", file=where) from None
    if number == 1 or not _example_line().is_valid(value):
        check_data(value, _META, Path(where))  # the first violation, named
    if not isinstance(value, dict):  # pragma: no cover - the schema allows objects only
        raise SpecError(f"line {number} is not an object", file=where)
    return value


def _header(path: Path, lines: list[str]) -> tuple[CorpusKey, dict[str, Any]]:
    if not lines:
        raise SpecError("empty: no header line", file=f"{path}:1")
    header = _parse(path, 1, lines[0])
    if "corpus" not in header:
        raise SpecError("line 1 is not a corpus header", file=f"{path}:1")
    k = header["key"]
    key = CorpusKey(k["spec"], k["pack_hash"], k["seed"], k["count"], k["generator"])
    return key, header


def read_key(path: Path) -> CorpusKey:
    """The key a corpus file says it has (its header only, checked)."""
    return _header(path, _lines(path))[0]


def read_corpus(path: Path, want: CorpusKey | None = None) -> Corpus:
    """The corpus of ``path``, every line checked; with ``want``, a header
    naming another key (another pack hash, seed, count or generator) is stale."""
    lines = _lines(path)
    key, header = _header(path, lines)
    if want is not None and key != want:
        raise SpecError(
            "stale: the header's key is not the one asked for",
            file=f"{path}:1",
            pointer="/key",
            instance={"found": key.to_json(), "wanted": want.to_json()},
        )
    examples: dict[str, list[Example]] = {}
    hashes = []
    for number, line in enumerate(lines[1:], start=2):
        value = _parse(path, number, line)
        if "sha" not in value:
            raise SpecError(f"line {number} is not an example", file=f"{path}:{number}")
        sha = value.pop("sha")
        if _line_hash(value) != sha:
            raise SpecError(
                f"line {number}'s content does not match its hash (edited or corrupt)",
                file=f"{path}:{number}",
                pointer=pointer(["sha"]),
                instance=sha,
            )
        hashes.append(sha)
        answer = (
            Expected(wire=value["expected"])
            if "expected" in value
            else Refused(reason=value["refused"])
        )
        examples.setdefault(value["type"], []).append(
            Example(
                type_name=value["type"], case=value["case"], payload=value["payload"], answer=answer
            )
        )
    digest = hashlib.sha256("".join(hashes).encode("ascii")).hexdigest()
    if header["examples"] != len(hashes) or header["digest"] != digest:
        raise SpecError(
            f"{len(hashes)} example lines, not the {header['examples']} of the header, "
            "or in another order (a line lost, added or moved)",
            file=f"{path}:1",
            pointer="/digest",
        )
    return Corpus(key=key, examples={t: tuple(e) for t, e in examples.items()}, source=path)
