"""The checks against the reference (zero findings) and against deliberately
broken implementations (each caught, with the right category)."""

from __future__ import annotations

import pytest

from conformance import SpecPack
from conformance.cases import load_type_cases
from conformance.checks import CHECKS, CheckContext
from conformance.findings import load_gap_rules
from conformance.reference.adapter import TinkerSdkAdapter
from conformance.runner import RunResult, run
from tests._packs import installed_pack
from tests.mutants import EXPECTATIONS, Expectation, Mutant

pytestmark = pytest.mark.sdk

PACK = installed_pack()
APPLICABLE = [e for e in EXPECTATIONS if PACK is not None and e.type_name in PACK.types]


def _run(pack: SpecPack, adapter: object, checks: list[str], examples: int = 3) -> RunResult:
    ctx = CheckContext(
        pack=pack,
        adapter=adapter,  # type: ignore[arg-type]
        cases=load_type_cases(pack.version),
        rules=load_gap_rules(),
        examples=examples,
        reference=TinkerSdkAdapter(pack),
    )
    return run(ctx, checks)


def test_the_reference_passes_its_own_pack(sdk_pack: SpecPack) -> None:
    result = _run(sdk_pack, TinkerSdkAdapter(sdk_pack), list(CHECKS), examples=5)
    assert [str(f) for f in result.findings.values()] == []
    assert set(result.executed) == set(CHECKS)
    assert all(result.passed[name] > 0 for name in CHECKS), dict(result.passed)
    assert result.total > 1000


@pytest.mark.parametrize(
    "expectation",
    APPLICABLE,
    ids=[f"{e.mutant.name}-{e.check}" for e in APPLICABLE],
)
def test_each_mutant_is_caught_with_its_category(
    sdk_pack: SpecPack, expectation: Expectation
) -> None:
    result = _run(sdk_pack, expectation.mutant(sdk_pack), [expectation.check])
    matching = [
        f
        for f in result.findings.values()
        if f.category == expectation.category
        and f.type_name == expectation.type_name
        and (expectation.field is None or f.field == expectation.field)
    ]
    assert matching, [str(f) for f in result.findings.values()]
    wrong = [
        str(f)
        for f in result.findings.values()
        if f.category in expectation.not_categories and f.type_name == expectation.type_name
    ]
    assert not wrong, wrong


@pytest.mark.parametrize("mutant", sorted({e.mutant for e in APPLICABLE}, key=lambda m: m.name))
def test_no_mutant_passes(sdk_pack: SpecPack, mutant: type[Mutant]) -> None:
    checks = sorted({e.check for e in EXPECTATIONS if e.mutant is mutant})
    result = _run(sdk_pack, mutant(sdk_pack), checks)
    assert result.findings, f"{mutant.name} passed the suite"


def test_every_gap_category_of_the_design_has_a_mutant() -> None:
    covered = {e.category for e in EXPECTATIONS}
    taxonomy = {
        "missing-type",
        "data-loss",
        "nesting-flattened",
        "type-weakened",
        "default-differs",
        "required-differs",
        "literal-missing",
        "strictness-differs",
        "added-field",
    }
    assert taxonomy <= covered
    assert covered <= set(load_gap_rules().categories)
