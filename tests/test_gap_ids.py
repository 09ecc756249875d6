"""The gap-id registry (schemas/gap-ids.json) and the grouping that feeds it.

Ids are what baselines and issue trackers hold, so the registry may only
grow: every entry's key is the hash of what it names, numbers are dense per
domain, and every gap the packs allow or the example audits found has one.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path

import pytest

from conformance._data import SCHEMAS_ROOT
from conformance.cases import load_behaviour_cases
from conformance.findings import load_gap_rules
from conformance.gaps import gap_key, group, load_gap_ids, normalize_field
from conformance.spec import available_versions, load_pack

RAW = sorted((SCHEMAS_ROOT.parent / "reports" / "raw").glob("*.json"))
IDS = load_gap_ids()


def test_every_entry_is_named_by_its_key() -> None:
    for gap_id, entry in IDS.entries.items():
        expected = gap_key(entry["kind"], entry["subject"], entry["field"], entry["category"])
        assert entry["key"] == expected, f"{gap_id} was edited: its key no longer names it"
    keys = [e["key"] for e in IDS.entries.values()]
    assert len(keys) == len(set(keys)), "one gap has two ids"


def test_numbers_are_dense_per_domain() -> None:
    numbers: dict[str, list[int]] = defaultdict(list)
    for gap_id in IDS.entries:
        match = re.fullmatch(r"GAP-([A-Z0-9]+)-(\d{3,})", gap_id)
        assert match, gap_id
        numbers[match.group(1)].append(int(match.group(2)))
    for code, found in numbers.items():
        assert sorted(found) == list(range(1, len(found) + 1)), f"{code}: an id was removed"


@pytest.mark.parametrize("version", available_versions())
def test_the_universe_of_whole_subject_gaps_is_registered(version: str) -> None:
    pack = load_pack(version)
    subjects = [
        *(("type", t, "missing-type") for t in pack.types),
        *(("endpoint", str(e["id"]), "missing-endpoint") for e in pack.endpoints),
        *(("helper", c.helper, "missing-helper") for c in load_behaviour_cases(version)),
    ]
    for kind, subject, category in subjects:
        _, registered = IDS.lookup(gap_key(kind, subject, "", category), "X")
        assert registered, f"{kind} {subject} has no registered {category} id"


@pytest.mark.parametrize("path", RAW, ids=[p.stem for p in RAW])
def test_every_gap_of_the_example_audits_is_registered(path: Path) -> None:
    raw = json.loads(path.read_text())
    gaps = group(raw["findings"], load_pack(raw["spec_version"]), load_gap_rules(), IDS)
    unregistered = [g.title for g in gaps if not g.registered and not g.enhancement]
    assert not unregistered, "run `tinker-conformance gaps register reports/raw/*.json`"


def test_the_same_gap_has_the_same_id_in_both_versions() -> None:
    """A type missing from an implementation is one id whichever pack found it."""
    rules = load_gap_rules()
    finding = {
        "check": "support",
        "category": "missing-type",
        "type": "LoraConfig",
        "subject": "type",
        "field": "",
    }
    ids = {group([finding], load_pack(v), rules, IDS)[0].id for v in available_versions()}
    assert len(ids) == 1
    assert re.fullmatch(r"GAP-MODEL-\d{3}", ids.pop())


def test_positions_in_arrays_are_one_gap() -> None:
    assert normalize_field("/requests/3/json/overwrite") == "/requests/*/json/overwrite"
    assert normalize_field("/a/10") == "/a/*"
    assert normalize_field("/v2/x") == "/v2/x"
    rules, pack = load_gap_rules(), load_pack(available_versions()[0])
    findings = [
        {
            "check": "endpoints",
            "category": "added-field",
            "type": "weights.save",
            "subject": "endpoint",
            "field": f,
        }
        for f in ("/requests/0/json/overwrite", "/requests/7/json/overwrite")
    ]
    (gap,) = group(findings, pack, rules, IDS)
    assert gap.field == "/requests/*/json/overwrite"
    assert gap.enhancement
    assert gap.id.startswith("GAP-API-")


def test_unregistered_ids_come_from_the_key() -> None:
    key = gap_key("type", "NoSuchType", "/x", "data-loss")
    assert IDS.lookup(key, "TYPE") == (f"GAP-TYPE-{key[:6]}", False)


def test_register_appends_the_next_number(tmp_path: Path) -> None:
    ids = load_gap_ids(tmp_path / "ids.json")
    about = {"kind": "type", "subject": "A", "field": "", "category": "missing-type"}
    first = ids.register(gap_key("type", "A", "", "missing-type"), "SESS", about)
    again = ids.register(gap_key("type", "A", "", "missing-type"), "SESS", about)
    other = ids.register(
        gap_key("type", "B", "", "missing-type"), "SESS", {**about, "subject": "B"}
    )
    assert (first, again, other) == ("GAP-SESS-001", "GAP-SESS-001", "GAP-SESS-002")
    ids.save()
    assert load_gap_ids(tmp_path / "ids.json").entries == ids.entries
