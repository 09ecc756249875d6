"""The docs are true: every path README.md and docs/*.md name exists in the
repository, every link's anchor is a heading, every `tinker-conformance`
command they show is one (its words name commands, its options are the
command's, and `--help` of it exits 0), and every `nox -s` session exists.

Paths are found three ways: Markdown links (relative to the document),
tokens that start with a top-level folder of the repository (`schemas/...`,
`../schemas/...`; relative to the root unless they start with `../`), and
backticked names of documents (`` `PACKS.md` ``) or root files. A
placeholder (`<name>`, `X`) stands for any name, and then something must
match it. What the docs name on purpose without it being here is listed
below, with why.
"""

from __future__ import annotations

import ast
import re
import shlex
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import click
import pytest

from conformance._cli import cli
from tests._results import run_cli

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

#: Top-level folders whose paths the docs name; a token starting with one is a path.
FOLDERS = (
    "schemas",
    "docs",
    "conformance",
    "tests",
    "adapters",
    "fixtures",
    "reports",
    "benchmarks",
    ".ci",
)
#: Files at the root that the docs may name bare.
ROOT_FILES = ("README.md", "pyproject.toml", "noxfile.py", "constraints.txt", "action.yml")

#: Spellings that stand for any name in a path (then something must match
#: the path), each with why.
PLACEHOLDERS = {
    r"<[^>/]+>": "a name to fill in: `schemas/<version>/`",
    r"(?<![A-Za-z])[A-Z](?![A-Za-z])": (
        "a version or name in one capital letter: `nox -s schemas -- X` writes `schemas/X/`"
    ),
}

#: Paths the docs name that are not in the repository: path -> why.
NOT_HERE = {
    "reports/failures/<run>/property-roundtrip-<Type>-<key>.json": (
        "written by a run with findings on generated examples; never checked in"
    ),
}

_FENCE = re.compile(r"^(```|~~~)")
_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
_CODE = re.compile(r"`([^`\n]+)`")
_CHARS = r"(?:[^\s`'\"()\[\],;{}|]|\{[^}\s]*\})"
#: A path: one under a top-level folder, or any that climbs with ``../``.
_TOKEN = re.compile(
    rf"(?<![\w./<>:-])(?:(?:\.\./)+{_CHARS}+|(?:{'|'.join(map(re.escape, FOLDERS))})/{_CHARS}*)"
)
_DOC_NAME = re.compile(r"^[A-Z][A-Z_]*\.md$")


@dataclass(frozen=True)
class Named:
    """A path one document names, as written, and where it resolves."""

    doc: Path
    line: int
    text: str
    base: Path  # the folder it is relative to

    @property
    def where(self) -> str:
        return f"{self.doc.relative_to(ROOT)}:{self.line}"


def _lines(doc: Path) -> Iterator[tuple[int, str, bool]]:
    """(line number, text, inside a fenced code block) of a document."""
    fenced = False
    for number, line in enumerate(doc.read_text(encoding="utf-8").splitlines(), 1):
        if _FENCE.match(line.lstrip()):
            fenced = not fenced
            continue
        yield number, line, fenced


def _named(doc: Path) -> Iterator[Named]:
    for number, line, fenced in _lines(doc):
        if not fenced:
            for match in _LINK.finditer(line):
                target = match.group(1).split("#", 1)[0]
                if target and not re.match(r"[a-z][a-z0-9+.-]*:", target):
                    yield Named(doc, number, target, doc.parent)
            for match in _CODE.finditer(line):
                code = match.group(1).strip()
                if code in ROOT_FILES:
                    yield Named(doc, number, code, ROOT)
                elif _DOC_NAME.match(code):
                    yield Named(doc, number, code, ROOT / "docs")
        for match in _TOKEN.finditer(line):
            text = match.group(0).rstrip(".:")
            yield Named(doc, number, text, doc.parent if text.startswith("../") else ROOT)


NAMED = [named for doc in DOCS for named in _named(doc)]


def _repository() -> set[str]:
    """Every file and folder of the checkout (folders end with ``/``) that is
    not ignored: tracked or about to be, so a local output never counts."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    entries: set[str] = set()
    for name in filter(None, listed.split("\0")):
        entries.add(name)
        parts = name.split("/")
        entries.update("/".join(parts[:i]) + "/" for i in range(1, len(parts)))
    return entries


def _alternatives(text: str) -> list[str]:
    """``a.{md,html}`` as ``a.md`` and ``a.html``."""
    match = re.search(r"\{([^}]*)\}", text)
    if match is None:
        return [text]
    head, tail = text[: match.start()], text[match.end() :]
    return [alt for part in match.group(1).split(",") for alt in _alternatives(head + part + tail)]


def _pattern(relative: str) -> re.Pattern[str]:
    """A path whose placeholders and ``*`` match within one segment."""
    parts = re.split(f"({'|'.join([*PLACEHOLDERS, re.escape('*')])})", relative)
    body = "".join("[^/]+" if i % 2 else re.escape(p) for i, p in enumerate(parts))
    return re.compile(body + ("" if relative.endswith("/") else "/?"))


def _missing(named: Named, repository: set[str]) -> list[str]:
    """The alternatives of a named path that match nothing in the repository."""
    missing = []
    for text in _alternatives(named.text):
        target = (named.base / text).resolve()
        if not target.is_relative_to(ROOT):
            missing.append(f"{text} (outside the repository)")
            continue
        relative = target.relative_to(ROOT).as_posix() + ("/" if text.endswith("/") else "")
        pattern = _pattern(relative)
        if not any(pattern.fullmatch(entry) for entry in repository):
            missing.append(text)
    return missing


def test_the_extraction_finds_the_paths_of_every_kind() -> None:
    """The extraction is not vacuous: links, folder tokens, `../` and
    placeholders, document names and root files are each found."""
    texts = {n.text for n in NAMED}
    assert {"docs/REPORTS.md", "CANONICAL.md", "../schemas/protocol/request.schema.json"} <= texts
    assert {"schemas/<version>/", "adapters/js/tinker-adapter.mjs", "PACKS.md"} <= texts
    assert len({n.doc for n in NAMED}) == len(DOCS)


def test_every_named_path_exists() -> None:
    repository = _repository()
    wrong = [
        f"{named.where}: {', '.join(missing)}"
        for named in NAMED
        if named.text not in NOT_HERE
        for missing in [_missing(named, repository)]
        if missing
    ]
    assert not wrong, "\n".join(wrong)


def test_every_exception_is_named_and_still_absent() -> None:
    """An exception nobody names any more, or whose path now exists, goes."""
    repository = _repository()
    named = {n.text: n for n in NAMED}
    assert sorted(set(NOT_HERE) - set(named)) == []
    assert [text for text in NOT_HERE if not _missing(named[text], repository)] == []


# -- anchors ------------------------------------------------------------------------


def _slug(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces as ``-``."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def _anchors(doc: Path) -> set[str]:
    return {
        _slug(line.lstrip("#"))
        for _, line, fenced in _lines(doc)
        if not fenced and re.match(r"#{1,6} ", line)
    }


def test_every_link_anchor_is_a_heading() -> None:
    wrong = []
    for doc in DOCS:
        for number, line, fenced in _lines(doc):
            for match in [] if fenced else _LINK.finditer(line):
                target, _, anchor = match.group(1).partition("#")
                if not anchor or re.match(r"[a-z][a-z0-9+.-]*:", target):
                    continue
                linked = (doc.parent / target) if target else doc
                if linked.suffix == ".md" and anchor not in _anchors(linked):
                    wrong.append(f"{doc.relative_to(ROOT)}:{number}: #{anchor}")
    assert not wrong, "\n".join(wrong)


# -- commands -----------------------------------------------------------------------


@dataclass(frozen=True)
class Shown:
    """A `tinker-conformance` command line a document shows."""

    where: str
    words: tuple[str, ...]  # after `tinker-conformance`


#: Tokens after which a new shell command starts.
_STARTS = {"&&", "||", ";", "|", "$", "run:", ">"}


def _command_lines(doc: Path) -> Iterator[tuple[int, str]]:
    """Code that may hold commands: fenced lines (continuations joined,
    comments cut) and inline code spans."""
    pending: tuple[int, str] | None = None
    for number, line, fenced in _lines(doc):
        if not fenced:
            for match in _CODE.finditer(line):
                yield number, match.group(1)
            continue
        start, text = pending or (number, "")
        text += " " + re.sub(r"\s#\s.*$", "", line)
        if text.endswith("\\"):
            pending = (start, text[:-1])
            continue
        pending = None
        yield start, text


def _words(text: str) -> list[str]:
    try:
        return shlex.split(text)
    except ValueError:  # an unbalanced quote in prose-like code
        return text.split()


def _shown() -> list[Shown]:
    found = []
    for doc in DOCS:
        for number, text in _command_lines(doc):
            words = _words(text)
            for i, word in enumerate(words):
                if word == "tinker-conformance" and (i == 0 or words[i - 1] in _STARTS):
                    rest = words[i + 1 :]
                    end = next((j for j, w in enumerate(rest) if w in _STARTS), len(rest))
                    where = f"{doc.relative_to(ROOT)}:{number}"
                    found.append(Shown(where, tuple(rest[:end])))
    return found


SHOWN = _shown()


def _resolve(words: tuple[str, ...]) -> tuple[list[str], click.Command, list[str]]:
    """The command path the words name, its command, and the words after it;
    a group's own options on the way (``--packs DIR``) are stepped over."""
    command: click.Command = cli
    path: list[str] = []
    rest = list(words)
    while isinstance(command, click.Group) and rest:
        if rest[0].startswith("-"):
            name, has_value, _ = rest[0].partition("=")
            option = _option(command, name)
            if option is None or option.is_eager:  # --help, --version, or unknown
                break
            rest = rest[1 if option.is_flag or has_value else 2 :]
            continue
        sub = command.commands.get(rest[0])
        if sub is None:
            named = " ".join(["tinker-conformance", *path, rest[0]])
            raise LookupError(f"{named}: no such command")
        command = sub
        path.append(rest.pop(0))
    return path, command, rest


def _option(command: click.Command, name: str) -> click.Option | None:
    return next(
        (
            p
            for p in command.params
            if isinstance(p, click.Option) and name in (*p.opts, *p.secondary_opts)
        ),
        None,
    )


def _options(command: click.Command) -> set[str]:
    names = {"--help", "-h"}
    for param in command.params:
        names.update(param.opts)
        names.update(param.secondary_opts)
    return names


def test_every_shown_command_and_option_exists() -> None:
    assert len(SHOWN) > 10  # the extraction is not vacuous
    wrong = []
    for shown in SHOWN:
        try:
            path, command, rest = _resolve(shown.words)
        except LookupError as exc:
            wrong.append(f"{shown.where}: {exc}")
            continue
        options = {w.strip("[]").split("=", 1)[0] for w in rest if w.strip("[]").startswith("-")}
        unknown = sorted(options - _options(command))
        if unknown:
            wrong.append(f"{shown.where}: {' '.join(path)} has no {', '.join(unknown)}")
    assert not wrong, "\n".join(wrong)


def _command_paths() -> list[tuple[str, ...]]:
    paths = set()
    for shown in SHOWN:
        try:
            paths.add(tuple(_resolve(shown.words)[0]))
        except LookupError:
            continue  # reported by test_every_shown_command_and_option_exists
    return sorted(paths)


@pytest.mark.parametrize("path", _command_paths(), ids=lambda p: " ".join(p) or "(group)")
def test_help_of_every_shown_command_exits_0(path: tuple[str, ...]) -> None:
    result = run_cli(*path, "--help", timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Usage: ")


# -- nox sessions -------------------------------------------------------------------


def _nox_sessions() -> set[str]:
    """The sessions of noxfile.py: functions under ``@nox.session``."""
    tree = ast.parse((ROOT / "noxfile.py").read_text(encoding="utf-8"))
    return {
        node.name
        for node in tree.body
        if isinstance(node, ast.FunctionDef)
        and any(
            ast.unparse(d.func if isinstance(d, ast.Call) else d) == "nox.session"
            for d in node.decorator_list
        )
    }


def test_every_shown_nox_session_exists() -> None:
    sessions = _nox_sessions()
    shown = []
    for doc in DOCS:
        for number, text in _command_lines(doc):
            words = _words(text)
            for i, word in enumerate(words[:-1]):
                if word == "nox" and words[i + 1] in ("-s", "--session", "--sessions"):
                    names = words[i + 2 :]
                    end = next((j for j, w in enumerate(names) if w.startswith("-")), len(names))
                    shown += [(f"{doc.relative_to(ROOT)}:{number}", n) for n in names[:end]]
    assert len(shown) > 5  # the extraction is not vacuous
    wrong = [f"{where}: nox -s {name}" for where, name in shown if name not in sessions]
    assert not wrong, "\n".join(wrong)


def test_the_batching_figures_of_the_docs_are_the_code_s() -> None:
    """docs/PROTOCOL.md and docs/SPEED.md tell adapter authors how large a
    batch comes; the figures are the subprocess adapter's own limits."""
    import inspect

    from conformance.adapters.subprocess import BATCH_BYTES, SubprocessAdapter

    batch_size = inspect.signature(SubprocessAdapter).parameters["batch_size"].default
    for doc in ("PROTOCOL.md", "SPEED.md"):
        text = " ".join((ROOT / "docs" / doc).read_text().split())
        assert f"at most {batch_size} requests and about {BATCH_BYTES // 1024} KiB" in text, doc
