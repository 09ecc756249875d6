"""The ``corpus`` commands (docs/SPEED.md), and how ``run`` gets its corpus.

Kept apart from ``conformance._cli`` (which registers them): a corpus is
made and checked without an implementation to audit.

Exit codes: 0 done / no drift, 1 a shipped corpus drifted, 2 bad input (a
corrupt or stale shipped file, named ``file:line``), 3 internal error.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from conformance._cli_common import DEFAULT_PROFILE, EXIT_ERROR, EXIT_FINDINGS, PROFILES

if TYPE_CHECKING:
    from conformance.adapters import Adapter
    from conformance.corpus import Corpus, Oracle
    from conformance.spec import SpecPack

__all__ = ["Shrinker", "corpus", "corpus_for_run", "live_reference"]


def _oracle(pack: SpecPack) -> Oracle | None:
    """The reference's in-process adapter class, when the pack's tinker is
    the one installed here (a corpus's answers are only ever its)."""
    from conformance.reference._classes import installed_version

    if installed_version() != pack.version:
        return None
    from conformance.reference.adapter import TinkerSdkAdapter

    return TinkerSdkAdapter


def corpus_for_run(
    pack: SpecPack, checks: Sequence[str], seed: int, count: int, *, keep: bool
) -> Corpus | None:
    """The corpus a run of ``checks`` (empty: all) judges its generated
    examples by: shipped, cached, or built now with the installed reference
    (kept in the cache when ``keep``: a chosen seed, not a fresh one). None
    when no check of the run is generated, or there is none (no corpus and
    another tinker, or none, installed)."""
    from conformance.checks import CHECKS
    from conformance.corpus import obtain

    if not any(CHECKS[c].generated for c in checks or CHECKS if c in CHECKS):
        return None

    started = time.perf_counter()
    got = obtain(pack, seed, count, _oracle(pack), keep=keep)
    if got is None:
        click.echo(
            f"corpus: none for spec {pack.version}, seed {seed}, {count} examples, and "
            f"tinker=={pack.version} is not installed to build one: generated payloads "
            "must come back as they went",
            err=True,
        )
        return None
    if got.origin.startswith("built"):
        click.echo(
            f"corpus: {got.corpus.size} examples {got.origin} "
            f"({time.perf_counter() - started:.1f} s)",
            err=True,
        )
    return got.corpus


def live_reference(pack: SpecPack, oracle: str) -> Adapter | None:
    """The reference a run asks for every generated example: with
    ``--oracle live`` only, and only the pack's own tinker."""
    if oracle != "live":
        return None
    if _oracle(pack) is None:
        raise click.UsageError(
            f"--oracle live asks tinker=={pack.version}, which is not installed here"
        )
    from conformance.load import load_adapter

    return load_adapter("tinker", pack)


class Shrinker:
    """The installed reference for shrinking failing recorded examples,
    started on the first call (a clean run never pays for it) and only when
    it is the pack's own tinker; ``close`` stops it if it was started, and the
    run's live reference (``live``) with it."""

    def __init__(self, pack: SpecPack, live: Adapter | None = None) -> None:
        self._pack = pack
        self._started: list[Adapter | None] = [] if live is None else [live]

    def __call__(self) -> Adapter | None:
        if not self._started:
            from conformance.load import load_adapter

            known = _oracle(self._pack) is not None
            self._started.append(load_adapter("tinker", self._pack) if known else None)
        return self._started[0]

    def close(self) -> None:
        for adapter in self._started:
            if adapter is not None:
                adapter.close()


@click.group()
def corpus() -> None:
    """Corpora of generated examples with the reference's answers (docs/SPEED.md)."""


def _count_and_seed(profile: str, examples: int | None, seed: int | None) -> tuple[int, int]:
    count, profile_seed = PROFILES[profile]
    chosen = seed if seed is not None else profile_seed
    if chosen is None:
        raise click.UsageError(f"profile {profile} draws a fresh seed: give --seed")
    return examples or count, chosen


@corpus.command("build")
@click.option("--spec", "spec_version", required=True, help="Spec pack version, e.g. 0.15.0.")
@click.option(
    "--profile",
    type=click.Choice(list(PROFILES)),
    default=DEFAULT_PROFILE,
    show_default=True,
    help="Examples per type and seed, as for run.",
)
@click.option("--examples", type=click.IntRange(min=1), default=None, help="Examples per type.")
@click.option("--seed", type=int, default=None, help="Seed (the profile's by default).")
@click.option(
    "--ship",
    is_flag=True,
    help="Write it where it ships (<fixtures>/<spec>/corpus/, replacing the others there; "
    "`nox -s corpus`), not into the cache.",
)
@click.option(
    "--check",
    is_flag=True,
    help="With --ship: write nothing; exit 1 if the shipped corpus is missing or differs "
    "from a fresh build.",
)
@click.option(
    "--jobs", type=click.IntRange(min=1), default=None, help="Processes [default: one per core]."
)
def corpus_build(
    spec_version: str,
    profile: str,
    examples: int | None,
    seed: int | None,
    ship: bool,
    check: bool,
    jobs: int | None,
) -> None:
    """Build a corpus with the installed reference (tinker==SPEC)."""
    from conformance.corpus import (
        CorpusKey,
        build_corpus,
        cache_dir,
        corpus_bytes,
        read_corpus,
        shipped_dir,
        write_corpus,
    )
    from conformance.spec import load_pack

    if check and not ship:
        raise click.UsageError("--check compares the shipped corpus: give --ship too")
    count, chosen = _count_and_seed(profile, examples, seed)
    pack = load_pack(spec_version)
    oracle = _oracle(pack)
    if oracle is None:
        raise click.UsageError(
            f"a corpus of spec {spec_version} is built with tinker=={spec_version}, "
            "which is not installed here; `nox -s corpus` installs it"
        )
    key = CorpusKey.of(pack, chosen, count)
    folder = shipped_dir(spec_version) if ship else cache_dir() / spec_version
    target = folder / key.file_name
    started = time.perf_counter()
    fresh = build_corpus(pack, chosen, count, oracle, jobs=jobs)
    took = time.perf_counter() - started
    if check:
        others = sorted(p.name for p in folder.glob("*.jsonl.gz") if p != target)
        if not target.exists():
            click.echo(f"corpus {spec_version}: {target} is missing", err=True)
        elif corpus_bytes(read_corpus(target, key)) != corpus_bytes(fresh):
            click.echo(f"corpus {spec_version}: {target} differs from a fresh build", err=True)
        elif others:
            click.echo(f"corpus {spec_version}: stale files in {folder}: {others}", err=True)
        else:
            click.echo(f"corpus {spec_version}: no drift ({fresh.size} examples, {took:.1f} s)")
            return
        click.echo("regenerate with `nox -s corpus`", err=True)
        sys.exit(EXIT_FINDINGS)
    write_corpus(fresh, target)
    if ship:
        for stale in folder.glob("*.jsonl.gz"):
            if stale != target:
                stale.unlink()
    click.echo(f"wrote {target} ({fresh.size} examples, {took:.1f} s)")


def _files(spec_version: str | None) -> list[tuple[str, Path]]:
    from conformance.corpus import cached_files, shipped_dir
    from conformance.spec import available_versions

    versions = [spec_version] if spec_version else available_versions()
    shipped = [
        ("shipped", path)
        for version in versions
        for path in sorted(shipped_dir(version).glob("*.jsonl.gz"))
    ]
    cached = [
        ("cached", path)
        for path in cached_files()
        if spec_version is None or path.parent.name == spec_version
    ]
    return shipped + cached


@corpus.command("check")
@click.option("--spec", "spec_version", default=None, help="Only this pack's corpora.")
def corpus_check(spec_version: str | None) -> None:
    """Check every shipped and cached corpus: each line against its hash and
    the schema, the header against the pack in use (stale). Exit 2 names the
    first bad line of each bad file; a bad cached file is also rebuilt the
    next time a run needs it."""
    from conformance._errors import SpecError
    from conformance.corpus import CorpusKey, read_corpus, read_key
    from conformance.spec import load_pack

    bad = 0
    for where, path in _files(spec_version):
        try:
            found = read_key(path)
            want = CorpusKey.of(load_pack(found.version), found.seed, found.count)
            checked = read_corpus(path, want)
        except SpecError as exc:
            bad += 1
            click.echo(f"BAD {where} {exc}", err=True)
            continue
        click.echo(f"ok  {where} {path} ({checked.size} examples)")
    if bad:
        sys.exit(EXIT_ERROR)


@corpus.command("info")
@click.option("--spec", "spec_version", default=None, help="Only this pack's corpora.")
def corpus_info(spec_version: str | None) -> None:
    """List the shipped and cached corpora: key and size (headers only)."""
    from conformance._errors import SpecError
    from conformance.corpus import cache_dir, read_key

    click.echo(f"cache: {cache_dir()}")
    for where, path in _files(spec_version):
        try:
            key = read_key(path)
        except SpecError as exc:
            click.echo(f"{where:8} BAD {exc}")
            continue
        click.echo(
            f"{where:8} spec {key.version} seed {key.seed} n{key.count} "
            f"pack {key.pack_hash[:12]} generator {key.generator} "
            f"{path.stat().st_size / 1024:.0f} KiB {path}"
        )
