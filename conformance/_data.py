"""The suite's own data files: where they live, and how one is read.

Every JSON file the suite judges by (packs, fixtures, gap rules, meta-schemas)
is read here, so a missing or corrupt file is always reported the same way:
the file, and the JSON pointer of the spot.
"""

from __future__ import annotations

import json
import os
from importlib.resources import files
from pathlib import Path
from typing import Any

from jsonschema.validators import Draft202012Validator

from conformance._errors import SpecError

__all__ = [
    "FIXTURES_ROOT",
    "META_DIR",
    "PACKS_ENV",
    "SCHEMAS_ROOT",
    "SUITE_ROOT",
    "check_data",
    "fixtures_dir",
    "load_checked",
    "load_json",
    "load_json_lines",
    "packs_dir",
    "packs_origin",
    "pointer",
    "use_packs",
]


def _suite_root() -> Path:
    """Where the suite's data is: inside the installed package (a wheel maps
    the checkout's top-level ``schemas/`` and ``fixtures/`` to
    ``conformance/_bundle/``), else the checkout the package lives in
    (an editable install, or the source tree itself)."""
    bundle = Path(str(files("conformance") / "_bundle"))
    return bundle if (bundle / "schemas").is_dir() else Path(__file__).resolve().parents[1]


#: The root of the suite's own data: ``schemas/`` and ``fixtures/``.
SUITE_ROOT = _suite_root()
#: The suite's schemas (meta-schemas, protocol, report, gap rules, ids) and
#: the packs it ships; ``packs_dir()`` is where packs are read from.
SCHEMAS_ROOT = SUITE_ROOT / "schemas"
META_DIR = SCHEMAS_ROOT / "meta"
#: The fixtures of the shipped packs (``fixtures_dir()`` is where they are read).
FIXTURES_ROOT = SUITE_ROOT / "fixtures"

#: Names another tree of packs, as ``--packs`` does.
PACKS_ENV = "TINKER_CONFORMANCE_PACKS"
_chosen: Path | None = None


def use_packs(root: Path | None) -> None:
    """Read packs (``root/schemas/<version>/``) and their fixtures
    (``root/fixtures/<version>/``) from ``root``: a checkout, or a pack a
    port author generated. None goes back to the environment or the suite's own."""
    global _chosen  # noqa: PLW0603 - one choice per process, made by the command line
    _chosen = root


def _packs_root() -> Path:
    if _chosen is not None:
        return _chosen
    named = os.environ.get(PACKS_ENV)
    return Path(named) if named else SUITE_ROOT


def packs_origin() -> str:
    """Where the packs come from, for people: the option, the variable or the suite."""
    if _chosen is not None:
        return f"--packs {_chosen}"
    if os.environ.get(PACKS_ENV):
        return f"{PACKS_ENV}={os.environ[PACKS_ENV]}"
    return f"shipped with tinker-conformance ({SUITE_ROOT})"


def packs_dir() -> Path:
    """The folder of the packs in use: ``<root>/schemas``."""
    return _packs_root() / "schemas"


def fixtures_dir() -> Path:
    """The folder of the fixtures of the packs in use: ``<root>/fixtures``."""
    return _packs_root() / "fixtures"


def pointer(path: Any) -> str:
    """RFC 6901 JSON pointer of a path (sequence of keys and indices)."""
    parts = [str(p).replace("~", "~0").replace("/", "~1") for p in path]
    return "/" + "/".join(parts) if parts else ""


def load_json(path: Path) -> Any:
    """Parse a JSON file; a missing or corrupt file names itself and the spot."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecError("file is missing", file=path) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise SpecError(
            f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}",
            file=path,
            pointer=_pointer_at(text, exc.pos),
        ) from None


def _pointer_at(text: str, pos: int) -> str:
    """Best-effort JSON pointer of the value being parsed at ``pos``.

    Parses the valid prefix tolerantly: tracks the stack of open containers
    and the last key seen, enough to name where a corrupt file broke.
    """
    stack: list[list[Any]] = []  # [container kind, current key or index]
    i, in_str, esc = 0, False, False
    token: list[str] = []
    last_str = ""
    while i < min(pos, len(text)):
        ch = text[i]
        if in_str:
            if esc:
                esc = False
            elif ch == "\\":
                esc = True
            elif ch == '"':
                in_str = False
                last_str = "".join(token)
            else:
                token.append(ch)
        elif ch == '"':
            in_str, token = True, []
        elif ch in "{[":
            stack.append(["obj" if ch == "{" else "arr", None if ch == "{" else 0])
        elif ch in "}]" and stack:
            stack.pop()
        elif ch == ":" and stack and stack[-1][0] == "obj":
            stack[-1][1] = last_str
        elif ch == "," and stack and stack[-1][0] == "arr":
            stack[-1][1] += 1
        i += 1
    return pointer([frame[1] for frame in stack if frame[1] is not None])


def load_checked(path: Path, meta: str) -> Any:
    """Parse a JSON data file and check it against ``schemas/meta/<meta>``
    (or another schema under schemas/, given relative to schemas/meta/)."""
    data = load_json(path)
    check_data(data, meta, path)
    return data


def load_json_lines(path: Path, meta: str) -> list[Any]:
    """Every non-blank line of a JSON-lines file, each checked against
    ``meta`` (as ``check_data``); a bad line is a SpecError whose pointer
    starts with its 0-based line number and whose message names the line."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise SpecError("file is missing", file=path) from None
    records = []
    for n, text in enumerate(lines):
        if not text.strip():
            continue
        try:
            line = json.loads(text)
        except ValueError as exc:
            raise SpecError(
                f"line {n + 1} is not JSON: {exc}", file=path, pointer=f"/{n}"
            ) from None
        try:
            check_data(line, meta, path)
        except SpecError as exc:
            raise SpecError(
                f"line {n + 1}: {exc.message}", file=path, pointer=f"/{n}{exc.pointer}"
            ) from None
        records.append(line)
    return records


def check_data(data: Any, meta: str, source: Path) -> None:
    """Check a JSON value against a schema of ours; the first violation is an
    error naming the file and its JSON pointer."""
    errors = sorted(
        _meta_validator(meta).iter_errors(data), key=lambda e: list(map(str, e.absolute_path))
    )
    if errors:
        err = errors[0]
        schema = (META_DIR / meta).resolve().relative_to(SCHEMAS_ROOT.resolve().parent)
        raise SpecError(
            f"does not match {schema.as_posix()}: {err.message}",
            file=source,
            pointer=pointer(err.absolute_path),
            instance=err.instance,
        )


_META_VALIDATORS: dict[str, Draft202012Validator] = {}


def _meta_validator(meta: str) -> Draft202012Validator:
    if meta not in _META_VALIDATORS:
        _META_VALIDATORS[meta] = Draft202012Validator(load_json(META_DIR / meta))
    return _META_VALIDATORS[meta]
