"""How the in-process adapter finds a Python implementation's types (issue 14):
the ``python-package`` spec, the type map and its checks, public names first.

The packs record the namespaces that export types (``sdk.exports``); the
reference itself must be found there, by public name, for every exported
type, and at its module path only for the rest.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conformance import SpecPack
from conformance._errors import ConformanceError, SpecError
from conformance.load import load_adapter, python_lookup
from conformance.reference._classes import SOURCES, Classes, installed_version

pytestmark = pytest.mark.sdk


def test_the_reference_is_found_by_public_name_first(sdk_pack: SpecPack) -> None:
    classes = Classes(sdk_pack, python_lookup("tinker", sdk_pack))
    for name, entry in sdk_pack.types.items():
        classes.native(name)
        where = classes.where(name)
        if entry["exported"]:
            assert where == f"{sdk_pack.index['sdk']['exports'][0]}.{name}", name
        else:
            assert where == f"{entry['module']}.{name}", name


def test_hello_names_the_distribution(sdk_pack: SpecPack) -> None:
    hello = load_adapter("tinker", sdk_pack).hello()
    assert (hello.name, hello.version) == ("tinker", installed_version())
    assert hello.type_map is None
    assert set(hello.types or ()) == set(sdk_pack.types)


@pytest.mark.parametrize(
    ("spec", "namespaces", "order"),
    [
        ("tinker", None, SOURCES),
        ("python-package", None, SOURCES),
        ("python-package:mypkg.types,mypkg", ("mypkg.types", "mypkg"), ("map", "public")),
        ("python-package:mypkg:order=public,module", ("mypkg",), ("public", "module")),
        ("python-package::order=module", None, ("module",)),
    ],
)
def test_the_spec_sets_namespaces_and_order(
    sdk_pack: SpecPack, spec: str, namespaces: tuple[str, ...] | None, order: tuple[str, ...]
) -> None:
    lookup = python_lookup(spec, sdk_pack)
    assert (lookup.namespaces, lookup.order) == (namespaces, order)


@pytest.mark.parametrize(
    "spec",
    [
        "python-package:my-pkg",  # not a module name
        "python-package:mypkg:order=public,nowhere",
        "python-package:mypkg:order=public,public",
        "python-package:mypkg:colour=red",
        "python-package:mypkg:map=a.json:order=public",  # a map the order never reads
    ],
)
def test_a_bad_spec_is_bad_input(sdk_pack: SpecPack, spec: str) -> None:
    with pytest.raises(ConformanceError, match="--adapter"):
        python_lookup(spec, sdk_pack)


@pytest.mark.parametrize(
    ("entries", "pointer"),
    [
        ({"NoSuchType": "mypkg.X"}, "/NoSuchType"),
        ({"ModelInput": "not a path"}, "/ModelInput"),
        ({"ModelInput": 3}, "/ModelInput"),
        ({"lowercase": "mypkg.X"}, ""),
    ],
)
def test_a_bad_map_names_its_file_and_pointer(
    sdk_pack: SpecPack, tmp_path: Path, entries: dict[str, object], pointer: str
) -> None:
    path = tmp_path / "map.json"
    path.write_text(json.dumps(entries), encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        python_lookup(f"python-package:mypkg:map={path}", sdk_pack)
    assert caught.value.file == path
    assert caught.value.pointer == pointer


def test_a_bad_map_exits_2_before_the_run(tmp_path: Path) -> None:
    path = tmp_path / "map.json"
    path.write_text(json.dumps({"NoSuchType": "mypkg.X"}), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "conformance", "run",
         "--adapter", f"python-package:mypkg:map={path}",
         "--spec", str(installed_version()), "--output-dir", str(tmp_path / "out")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"{path}#/NoSuchType" in done.stderr
    assert not (tmp_path / "out" / "raw").exists()


def test_public_names_win_and_the_map_is_used_and_kept(
    sdk_pack: SpecPack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A namespace of re-exports under other names: a type it exports is
    found there, a renamed one through the map (and listed), one it lacks is
    absent even though the reference beside it has it."""
    package = tmp_path / "reexports"
    package.mkdir()
    (package / "__init__.py").write_text(
        "from tinker.types import ModelInput, SamplingParams as Sampling\n", encoding="utf-8"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    mapping = tmp_path / "map.json"
    mapping.write_text(json.dumps({"SamplingParams": "reexports.Sampling"}), encoding="utf-8")
    lookup = python_lookup(f"python-package:reexports:map={mapping}", sdk_pack)
    adapter = load_adapter(f"python-package:reexports:map={mapping}", sdk_pack)
    hello = adapter.hello()
    assert set(hello.types or ()) == {"ModelInput", "SamplingParams"}
    assert hello.type_map is not None
    assert hello.type_map.file == str(mapping)
    assert hello.type_map.used == (("SamplingParams", "reexports.Sampling"),)
    assert lookup.type_map == {"SamplingParams": "reexports.Sampling"}
    classes = Classes(sdk_pack, lookup)
    classes.native("ModelInput")
    assert classes.where("ModelInput") == "reexports.ModelInput"
    with pytest.raises(AttributeError, match="AdamParams not found"):
        classes.native("AdamParams")
    sys.modules.pop("reexports", None)
