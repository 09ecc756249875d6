"""Where a run writes and what it exits with: outputs stay under the folder
the user chose (file names from a slug of what the adapter says), bad input
is exit 2 before the run starts, a crash of the suite is exit 3 with its
traceback in a file, and the packs in use are the shipped ones unless
``--packs`` or ``TINKER_CONFORMANCE_PACKS`` say otherwise."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conformance._cli import main
from conformance._data import SCHEMAS_ROOT, SUITE_ROOT
from conformance._errors import ConformanceError
from conformance._paths import SLUG_MAX, inside, slug
from conformance.spec import SpecPack
from tests._results import run_cli
from tests.mutants import Mutant

#: (description, name, version, the slug)
SLUGS = [
    ("a plain name and version stay as they are", "tinkex", "0.3.1", "tinkex-0.3.1"),
    (
        "slashes and dots cannot climb out",
        "/tmp/x/evil",
        "9/../../../y/v",
        "tmp-x-evil-9-..-..-..-y-v",
    ),
    ("a NUL and a newline become dashes", "a\x00b", "1\n2", "a-b-1-2"),
    ("markup is just characters", "[/bold]", "1", "bold-1"),
    ("nothing left is a default name", "..", "/", "implementation"),
]


@pytest.mark.parametrize(
    ("name", "version", "expected"), [s[1:] for s in SLUGS], ids=[s[0] for s in SLUGS]
)
def test_file_names_are_slugs(name: str, version: str, expected: str) -> None:
    assert slug(name, version) == expected


def test_a_slug_is_capped() -> None:
    assert len(slug("n" * 10_000, "1")) == SLUG_MAX


def test_a_path_outside_the_folder_is_refused(tmp_path: Path) -> None:
    assert inside(tmp_path, "a.json") == (tmp_path / "a.json").resolve()
    with pytest.raises(ConformanceError, match="outside"):
        inside(tmp_path, "../a.json")


class HostileName(Mutant):
    """The reference, but its hello names it like a path that climbs out."""

    name = "../../../escaped/evil"


def hostile(pack: SpecPack) -> HostileName:
    return HostileName(pack)


@pytest.mark.sdk
def test_a_hostile_name_writes_only_under_the_output_folder(
    tmp_path: Path, sdk_pack: SpecPack
) -> None:
    out = tmp_path / "out" / "deep"
    done = run_cli(
        "run", "--adapter", "python:tests.test_outputs:hostile", "--spec", sdk_pack.version,
        "--check", "strictness", "-q", "--output-dir", str(out),
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    written = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.json"))
    assert written == [f"out/deep/raw/escaped-evil-{_version()}-spec-{sdk_pack.version}.json"]


def _version() -> str:
    from conformance.reference._classes import installed_version

    return installed_version() or "unknown"


#: (description, the run's extra arguments, a fragment of stderr); each is
#: refused with exit 2 before anything runs.
BAD_INPUT: list[tuple[str, list[str], str]] = [
    ("an unknown pack", ["--spec", "9.9.9"], "no spec pack for version '9.9.9'"),
    ("an unknown threshold", ["--fail-on", "severe"], "--fail-on 'severe': expected one of"),
    ("a corrupt baseline", ["--baseline", "{bad}"], "baseline.json#"),
    ("an output folder that cannot be made", ["--output-dir", "{file}/sub"], "cannot write into"),
    ("a report folder that cannot be made", ["--report", "{file}/sub"], "cannot write into"),
]


@pytest.mark.parametrize(
    ("args", "said"), [b[1:] for b in BAD_INPUT], ids=[b[0] for b in BAD_INPUT]
)
def test_bad_input_is_exit_2_before_the_run(tmp_path: Path, args: list[str], said: str) -> None:
    bad = tmp_path / "baseline.json"
    bad.write_text('{"format": 1, "accepted": [}')
    file = tmp_path / "a-file"
    file.write_text("")
    filled = [a.replace("{bad}", str(bad)).replace("{file}", str(file)) for a in args]
    spec = [] if "--spec" in filled else ["--spec", "0.15.0"]
    output = [] if "--output-dir" in filled else ["--output-dir", str(tmp_path / "o")]
    done = run_cli("run", "--adapter", "tinker", *spec, *filled, *output)
    assert done.returncode == 2, done.stdout + done.stderr
    assert said in done.stderr
    assert not list(tmp_path.rglob("raw"))  # nothing ran


def test_a_crash_of_the_suite_is_exit_3_with_its_traceback_in_a_file(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    def crash(**_kwargs: Any) -> None:
        raise RuntimeError("a bug of the suite")

    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr("tempfile.tempdir", None)
    monkeypatch.setattr("conformance._cli.cli.main", crash)
    with pytest.raises(SystemExit) as exited:
        main()
    assert exited.value.code == 3
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("internal error: RuntimeError: a bug of the suite (")
    (saved,) = tmp_path.glob("tinker-conformance-*.traceback.txt")
    assert str(saved) in line
    assert "RuntimeError: a bug of the suite" in saved.read_text()


def test_the_shipped_packs_are_listed(tmp_path: Path) -> None:
    done = run_cli("packs")
    assert done.returncode == 0, done.stderr
    assert f"packs: shipped with tinker-conformance ({SUITE_ROOT})" in done.stdout
    for version in ("0.15.0", "0.38.0"):
        assert f"{version:10} {SCHEMAS_ROOT / version}" in done.stdout


@pytest.mark.parametrize("how", ["option", "variable"])
def test_another_tree_of_packs_is_used(tmp_path: Path, how: str) -> None:
    tree = tmp_path / "mine"
    shutil.copytree(SCHEMAS_ROOT / "0.15.0", tree / "schemas" / "0.15.0")
    env = dict(os.environ, PYTHONPATH=str(SUITE_ROOT))
    args = ["--packs", str(tree)] if how == "option" else []
    if how == "variable":
        env["TINKER_CONFORMANCE_PACKS"] = str(tree)
    done = subprocess.run(
        [sys.executable, "-m", "conformance", *args, "packs"],
        capture_output=True, text=True, env=env, check=False, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert str(tree) in done.stdout.splitlines()[0]
    assert "0.15.0" in done.stdout
    assert "(no fixtures)" in done.stdout
    assert "0.38.0" not in done.stdout


def test_a_packs_folder_without_schemas_is_bad_input(tmp_path: Path) -> None:
    done = run_cli("--packs", str(tmp_path), "packs")
    assert done.returncode == 2
    assert "has no schemas/ folder" in done.stderr


def test_the_checked_in_examples_are_written_only_by_nox() -> None:
    """No command's default lands in the checkout's reports/ (nox passes them)."""
    for command in (["run", "--help"], ["report", "--help"], ["schemas", "diff", "--help"]):
        done = run_cli(*command)
        assert done.returncode == 0
        assert "reports/" not in done.stdout.replace("\n", " ")
