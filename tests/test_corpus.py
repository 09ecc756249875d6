"""Corpora (docs/SPEED.md): built alike on one core or many, read back as
written, every hand edit refused with its file and line, a bad cached file
rebuilt, a bad shipped one bad input; and generated examples judged the same
against recorded answers as against the reference asked live, for the
reference, every mutant and the JavaScript port, with or without tinker."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conformance import SpecPack
from conformance._cli_corpus import Shrinker
from conformance._data import FIXTURES_ROOT, SCHEMAS_ROOT
from conformance._errors import SpecError
from conformance.adapters import Adapter
from conformance.checks import CheckContext
from conformance.corpus import (
    Corpus,
    CorpusKey,
    build_corpus,
    cache_dir,
    corpus_bytes,
    obtain,
    read_corpus,
    shipped_dir,
    write_corpus,
)
from conformance.findings import load_gap_rules
from conformance.reference.adapter import TinkerSdkAdapter
from conformance.runner import RunResult, run
from conformance.spec import available_versions
from tests import mutants
from tests._results import run_cli

pytestmark = pytest.mark.sdk

ROOT = SCHEMAS_ROOT.parent
CORRUPTIONS = json.loads((ROOT / "tests" / "data" / "corpus-corruptions.json").read_text())
MUTANTS = sorted(
    {m for m in vars(mutants).values() if isinstance(m, type) and issubclass(m, mutants.Mutant)}
    - {mutants.Mutant},
    key=lambda m: m.name,
)
JS = ROOT / "adapters" / "js" / "tinker-adapter.mjs"
JS_SPEC = "0.15.0"
COUNT, SEED = 3, 0


@pytest.fixture(scope="module")
def small(sdk_pack: SpecPack) -> Corpus:
    """Three examples per type, built on two processes."""
    return build_corpus(sdk_pack, SEED, COUNT, TinkerSdkAdapter, jobs=2)


def test_one_core_or_many_build_the_same_corpus(sdk_pack: SpecPack, small: Corpus) -> None:
    alone = build_corpus(sdk_pack, SEED, COUNT, TinkerSdkAdapter, jobs=1)
    assert corpus_bytes(alone) == corpus_bytes(small)
    assert list(small.examples) == list(sdk_pack.types)
    assert small.size > len(sdk_pack.types)


def test_a_corpus_reads_back_as_written(small: Corpus, tmp_path: Path) -> None:
    path = tmp_path / small.key.file_name
    write_corpus(small, path)
    again = read_corpus(path, small.key)
    assert again.examples == small.examples
    assert corpus_bytes(again) == path.read_bytes()


def _edit(path: Path, case: dict[str, Any]) -> None:
    lines = gzip.decompress(path.read_bytes()).decode("ascii").splitlines()
    i = case["line"] - 1
    if case["edit"] == "set":
        value = json.loads(lines[i])
        value[case["key"]] = case["value"]
        lines[i] = json.dumps(value)
    elif case["edit"] == "text":
        lines[i] = case["value"]
    elif case["edit"] == "drop":
        del lines[i]
    else:
        j = case["with"] - 1
        lines[i], lines[j] = lines[j], lines[i]
    path.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode("ascii")))


@pytest.mark.parametrize("case", CORRUPTIONS["cases"], ids=lambda c: c["description"][:50])
def test_every_hand_edit_is_refused_naming_file_and_line(
    small: Corpus, tmp_path: Path, case: dict[str, Any]
) -> None:
    path = tmp_path / small.key.file_name
    write_corpus(small, path)
    _edit(path, case)
    with pytest.raises(SpecError) as caught:
        read_corpus(path, small.key)
    assert f"{path}:{case['names_line']}#" in str(caught.value)
    assert case["says"] in str(caught.value)


def test_a_bad_cached_corpus_is_built_again(sdk_pack: SpecPack) -> None:
    """Corrupt, then stale (a header naming another key): never trusted."""
    first = obtain(sdk_pack, 11, 2, TinkerSdkAdapter)
    assert first is not None
    assert first.origin.startswith("built into")
    cached = cache_dir() / sdk_pack.version / first.corpus.key.file_name
    assert cached.exists()
    assert obtain(sdk_pack, 11, 2, None) == type(first)(
        read_corpus(cached, first.corpus.key), "cached"
    )
    for case in (CORRUPTIONS["cases"][0], CORRUPTIONS["cases"][-1]):
        _edit(cached, case)
        assert obtain(sdk_pack, 11, 2, None) is None  # dropped, and nothing to build with
        assert not cached.exists()
        again = obtain(sdk_pack, 11, 2, TinkerSdkAdapter)
        assert again is not None
        assert again.origin.startswith("built into")
        assert corpus_bytes(again.corpus) == corpus_bytes(first.corpus)


def _packs_with_shipped(tmp_path: Path, version: str) -> tuple[Path, Path]:
    """A tree of packs like the shipped one (links), whose shipped corpus of
    ``version`` is a copy the test may edit."""
    root = tmp_path / "packs"
    (root / "fixtures" / version).mkdir(parents=True)
    (root / "schemas").symlink_to(SCHEMAS_ROOT)
    for child in (FIXTURES_ROOT / version).iterdir():
        if child.name != "corpus":
            (root / "fixtures" / version / child.name).symlink_to(child)
    (shipped,) = (FIXTURES_ROOT / version / "corpus").glob("*.jsonl.gz")
    copy = root / "fixtures" / version / "corpus" / shipped.name
    copy.parent.mkdir()
    shutil.copyfile(shipped, copy)
    return root, copy


def test_a_corrupt_shipped_corpus_is_exit_2_naming_file_and_line(
    sdk_pack: SpecPack, tmp_path: Path
) -> None:
    root, copy = _packs_with_shipped(tmp_path, sdk_pack.version)
    _edit(copy, CORRUPTIONS["cases"][0])
    done = subprocess.run(
        [sys.executable, "-m", "conformance", "--packs", str(root), "run", "--adapter",
         "tinker", "--spec", sdk_pack.version, "-q"],
        capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert f"{copy}:2#" in done.stderr
    assert "does not match its hash" in done.stderr


def test_the_shipped_corpus_is_the_ci_profile_of_the_pack(sdk_pack: SpecPack) -> None:
    (shipped,) = shipped_dir(sdk_pack.version).glob("*.jsonl.gz")
    assert shipped.name == CorpusKey.of(sdk_pack, 0, 25).file_name
    assert read_corpus(shipped, CorpusKey.of(sdk_pack, 0, 25)).size > 0


def _property_run(pack: SpecPack, adapter: Adapter, corpus: Corpus, *, live: bool) -> RunResult:
    ctx = CheckContext(
        pack=pack,
        adapter=adapter,
        cases=[],
        rules=load_gap_rules(),
        examples=corpus.key.count,
        seed=corpus.key.seed,
        corpus=corpus,
        reference=TinkerSdkAdapter(pack) if live else None,
        # as `run` does: recorded answers judge, the installed reference shrinks
        shrinker=None if live else Shrinker(pack),
    )
    return run(ctx, ["property-roundtrip"])


def _verdicts(result: RunResult) -> Any:
    return (
        sorted(json.dumps(f.to_json(), sort_keys=True) for f in result.findings.values()),
        dict(result.passed),
        dict(result.skipped),
    )


@pytest.mark.parametrize("make", [TinkerSdkAdapter, *MUTANTS], ids=lambda m: m.__name__)
def test_recorded_and_live_answers_judge_alike(
    sdk_pack: SpecPack, small: Corpus, make: type[Adapter]
) -> None:
    recorded = _property_run(sdk_pack, make(sdk_pack), small, live=False)  # type: ignore[call-arg]
    live = _property_run(sdk_pack, make(sdk_pack), small, live=True)  # type: ignore[call-arg]
    assert _verdicts(recorded) == _verdicts(live)
    assert recorded.passed["property-roundtrip"] > 0
    if make is TinkerSdkAdapter:
        assert not recorded.findings


def _js_run(tmp_path: Path, name: str, *, oracle: str, hide_tinker: bool) -> dict[str, Any]:
    """A run of the JS port on the shipped corpus, in a subprocess; with
    ``hide_tinker``, one where tinker can be neither imported nor found."""
    results = tmp_path / f"{name}.json"
    hide = (
        "import sys, importlib.metadata as md;"
        "sys.modules['tinker'] = None;"
        "real = md.version;"
        "md.version = lambda n: (_ for _ in ()).throw(md.PackageNotFoundError(n))"
        " if n == 'tinker' else real(n);"
        if hide_tinker
        else ""
    )
    code = f"{hide}import sys; from conformance._cli import main; sys.argv[0] = 'tc'; main()"
    done = subprocess.run(
        [sys.executable, "-c", code, "run", "--adapter", f"subprocess:node {JS}", "--spec",
         JS_SPEC, "-q", "--oracle", oracle, "--results", str(results)],
        capture_output=True, text=True, check=False, timeout=300,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
    )  # fmt: skip
    assert done.returncode == 1, done.stderr  # the port has gaps
    assert "corpus: none" not in done.stderr
    raw: dict[str, Any] = json.loads(results.read_text())
    return raw


def test_a_port_audit_needs_no_reference_sdk(tmp_path: Path) -> None:
    """The JS port judged on the shipped corpus where tinker cannot be
    imported: the same verdicts as with the reference asked live (where the
    installed reference is the port's spec; else as recorded with it present)."""
    hidden = _js_run(tmp_path, "hidden", oracle="recorded", hide_tinker=True)
    from conformance.reference._classes import installed_version

    oracle = "live" if installed_version() == JS_SPEC else "recorded"
    seen = _js_run(tmp_path, "seen", oracle=oracle, hide_tinker=False)
    assert hidden["passed"].get("property-roundtrip", 0) > 0
    for key in ("passed", "skipped", "total"):
        assert hidden[key] == seen[key], key
    # the same findings; with no reference to judge a smaller candidate by,
    # a failing example is reported as drawn (docs/SPEED.md), never shrunk
    assert _findings(hidden) == _findings(seen)
    assert all(f["original_size"] is None for f in hidden["findings"])


def _findings(raw: dict[str, Any]) -> list[tuple[str, ...]]:
    """Each finding's identity: what it is about, not its reproducer."""
    return sorted(
        (f["key"], f["check"], f["category"], f["severity"], str(f["type"]), f["field"])
        for f in raw["findings"]
    )


def test_corpus_check_names_each_bad_file_and_line(sdk_pack: SpecPack, tmp_path: Path) -> None:
    root, copy = _packs_with_shipped(tmp_path, sdk_pack.version)
    good = run_cli("--packs", str(root), "corpus", "check", "--spec", sdk_pack.version)
    assert good.returncode == 0, good.stderr
    assert f"ok  shipped {copy}" in good.stdout
    _edit(copy, CORRUPTIONS["cases"][2])
    bad = run_cli("--packs", str(root), "corpus", "check", "--spec", sdk_pack.version)
    assert bad.returncode == 2
    assert f"BAD shipped {copy}:4#" in bad.stderr
    info = run_cli("--packs", str(root), "corpus", "info", "--spec", sdk_pack.version)
    assert info.returncode == 0
    assert f"cache: {cache_dir()}" in info.stdout


def test_live_answers_need_the_packs_own_reference(sdk_pack: SpecPack) -> None:
    """--oracle live with another pack's tinker installed is a usage error."""
    other = next(v for v in available_versions() if v != sdk_pack.version)
    done = run_cli("run", "--adapter", f"subprocess:node {JS}", "--spec", other, "--oracle", "live")
    assert done.returncode == 2
    assert f"--oracle live asks tinker=={other}, which is not installed here" in done.stderr
