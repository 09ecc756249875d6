"""Gap ids hold from seed to seed and from example count to example count.

A baseline written from one run must gate an unchanged implementation run
at another seed, or with more examples, with nothing new and nothing stale:
otherwise a fresh seed breaks every build (issue 13). Only generated checks
(``generated=True``) depend on the seed and the example count, so those are
the checks run here, on the types each implementation breaks (the others
judge fixed cases, and every other type passes).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from conformance import SpecPack
from conformance.adapters import Adapter
from conformance.checks import CHECKS, CheckContext
from conformance.findings import load_gap_rules
from conformance.gaps import Gap, group, judge, load_baseline, load_gap_ids, write_baseline
from conformance.load import load_adapter
from conformance.reference._classes import installed_version
from conformance.reference.adapter import TinkerSdkAdapter
from conformance.results import RawResults
from conformance.runner import run
from conformance.spec import load_pack
from tests._packs import narrowed
from tests.mutants import DropsCheckpointTime, MarksMetadataValues, StringifiesIntegers
from tests.test_js_adapter import SCRIPT, TYPES, _node
from tests.test_js_adapter import SPEC as JS_SPEC

pytestmark = pytest.mark.sdk

GENERATED = [name for name, registered in CHECKS.items() if registered.generated]
RULES = load_gap_rules()
#: The lowest severity: every gap that is not an enhancement gates.
LOWEST = RULES.data["severities"][-1]
#: (seed, examples per type) of the runs a seed-0 baseline must gate.
RUNS = [*((seed, 25) for seed in range(1, 6)), (0, 100)]

Factory = Callable[[SpecPack], Adapter]


def _js(pack: SpecPack) -> Adapter:
    return load_adapter(f"subprocess:{_node()} {SCRIPT}", pack)


#: name -> (the implementation, the types it is run on)
IMPLEMENTATIONS: dict[str, tuple[Factory, tuple[str, ...]]] = {
    "js-example": (_js, tuple(TYPES)),
    DropsCheckpointTime.name: (DropsCheckpointTime, ("Checkpoint",)),
    StringifiesIntegers.name: (StringifiesIntegers, ("Cursor",)),
    MarksMetadataValues.name: (
        MarksMetadataValues,
        ("CreateSessionRequest", "CreateModelRequest", "Checkpoint", "CheckpointsListResponse"),
    ),
}


def _gaps(pack: SpecPack, make: Factory, *, seed: int, examples: int) -> list[Gap]:
    ctx = CheckContext(
        pack=pack,
        adapter=make(pack),
        cases=[],
        rules=RULES,
        examples=examples,
        seed=seed,
        # the oracle where the pack is the installed SDK's (the JS adapter's is 0.15.0)
        reference=TinkerSdkAdapter(pack) if pack.version == installed_version() else None,
    )
    raw = RawResults.from_json(run(ctx, GENERATED).to_json(), Path("results.json"))
    return group(raw.findings, pack, RULES, load_gap_ids())


@pytest.mark.parametrize("name", list(IMPLEMENTATIONS))
def test_a_seed_0_baseline_gates_other_seeds_and_counts(
    sdk_pack: SpecPack, name: str, tmp_path: Path
) -> None:
    make, types = IMPLEMENTATIONS[name]
    # the JavaScript adapter speaks the 0.15.0 pack, whatever SDK is installed
    base = load_pack(JS_SPEC) if make is _js else sdk_pack
    pack = narrowed(base, types)
    first = _gaps(pack, make, seed=0, examples=25)
    assert [g for g in first if not g.enhancement], f"{name} has no gap to keep stable"
    path = tmp_path / "baseline.json"
    write_baseline(path, first, implementation=name, spec_version=pack.version)
    baseline = load_baseline(path)
    for seed, examples in RUNS:
        gaps = _gaps(pack, make, seed=seed, examples=examples)
        verdict = judge(gaps, RULES, fail_on=LOWEST, baseline=baseline)
        shown = {g.id: g.title for g in gaps}
        assert (verdict.new, verdict.stale) == ((), ()), (
            f"seed {seed}, {examples} examples: new {[shown[i] for i in verdict.new]}, "
            f"stale {list(verdict.stale)}"
        )
