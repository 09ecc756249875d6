"""The pack covers every wire type of the installed SDK.

The enumeration here is deliberately independent of the generator's: every
class statement in every module of ``tinker.types`` and every name any of
those modules lists in ``__all__`` must be a type of the pack or an explicit
exclusion with a reason.
"""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

import pytest

from conformance import SpecPack

pytestmark = pytest.mark.sdk


def _sdk_type_names() -> set[str]:
    spec = importlib.util.find_spec("tinker.types")
    assert spec is not None
    assert spec.origin is not None
    names: set[str] = set()
    for file in Path(spec.origin).parent.rglob("*.py"):
        if file.stem.endswith("_test") or file.stem.startswith("test_"):
            continue
        tree = ast.parse(file.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
                names.add(node.name)
            targets = node.targets if isinstance(node, ast.Assign) else []
            if any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets):
                names.update(ast.literal_eval(node.value))
    return names


def test_every_sdk_type_is_in_the_pack_or_excluded(sdk_pack: SpecPack) -> None:
    excluded = {e["name"] for e in sdk_pack.index["exclusions"]}
    missing = _sdk_type_names() - set(sdk_pack.types) - excluded
    assert not missing, (
        f"SDK types neither in schemas/{sdk_pack.version} nor excluded: {sorted(missing)}"
    )


def test_every_exclusion_has_a_reason(sdk_pack: SpecPack) -> None:
    for entry in sdk_pack.index["exclusions"]:
        assert len(entry["reason"]) >= 10, entry


def test_unexported_wire_types_are_covered(sdk_pack: SpecPack) -> None:
    for name in ("GenericEvent", "TryAgainResponse"):
        assert name in sdk_pack.types
    if sdk_pack.version == "0.15.0":
        assert not sdk_pack.types["GenericEvent"]["exported"]
        assert not sdk_pack.types["TryAgainResponse"]["exported"]


def test_the_0_15_0_pack_spans_its_71_type_modules(sdk_pack: SpecPack) -> None:
    if sdk_pack.version != "0.15.0":
        pytest.skip("module count is pinned for 0.15.0, the all-JSON version")
    modules = {e["module"] for e in sdk_pack.types.values()}
    assert len(modules) == 71
