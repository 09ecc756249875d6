"""Regenerating the installed SDK's pack reproduces the checked-in files
byte for byte (the drift check, as a test), and the generator's curation
rules fail loudly when they go stale."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conformance import SpecError, SpecPack
from conformance.generate import CURATION_FILE, render_pack

pytestmark = pytest.mark.sdk


def test_regenerated_pack_matches_the_checked_in_one(sdk_pack: SpecPack) -> None:
    fresh = render_pack()
    on_disk = {p.name: p.read_text(encoding="utf-8") for p in sdk_pack.root.glob("*.json")}
    assert sorted(fresh) == sorted(on_disk)
    drifted = [name for name in fresh if fresh[name] != on_disk[name]]
    assert drifted == [], "run `nox -s schemas -- <version>` and review the diff"


def _curation(tmp_path: Path, change: dict[str, object]) -> Path:
    data = json.loads(CURATION_FILE.read_text())
    data.update(change)
    path = tmp_path / "curation.json"
    path.write_text(json.dumps(data))
    return path


def test_a_type_without_domain_is_an_error(tmp_path: Path) -> None:
    path = _curation(tmp_path, {"domains": [{"domain": "models", "pattern": "CreateModel.*"}]})
    with pytest.raises(SpecError, match="no domain rule matches type"):
        render_pack(path)


def test_a_stale_curated_endpoint_is_an_error(tmp_path: Path) -> None:
    stale = {
        "versions": ">=0",
        "method": "GET",
        "path": "/api/v1/no_such_thing",
        "special": {"kind": "redirect", "summary": "never called by any SDK version"},
    }
    path = _curation(tmp_path, {"endpoints": [stale]})
    with pytest.raises(SpecError, match="is not called by this SDK version") as info:
        render_pack(path)
    assert info.value.pointer == "/endpoints/0"


def test_an_exclusion_of_an_unknown_type_is_an_error(tmp_path: Path) -> None:
    exclusion = {"name": "Nope", "reason": "a type that does not exist", "versions": ">=0"}
    path = _curation(tmp_path, {"exclusions": [exclusion]})
    with pytest.raises(SpecError, match="excluded type 'Nope'"):
        render_pack(path)
