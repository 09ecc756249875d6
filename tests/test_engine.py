"""The checks against the reference (zero findings) and against deliberately
broken implementations (each caught, with the right category)."""

from __future__ import annotations

import pytest

from conformance import SpecPack
from conformance.cases import load_type_cases
from conformance.checks import CHECKS, CheckContext
from conformance.findings import load_gap_rules
from conformance.gaps import Gap, group, load_gap_ids
from conformance.reference.adapter import TinkerSdkAdapter
from conformance.runner import RunResult, run
from tests._packs import installed_pack
from tests.mutants import (
    EXPECTATIONS,
    DatetimeOrString,
    DropsImageFieldsEverywhere,
    Expectation,
    KeepsDatetimesAsStrings,
    LacksImageChunkFields,
    Mutant,
)

pytestmark = pytest.mark.sdk

PACK = installed_pack()
#: Expectations whose subject this pack has: a type, or a helper of one (``Datum.new``).
APPLICABLE = [
    e for e in EXPECTATIONS if PACK is not None and e.type_name.split(".", 1)[0] in PACK.types
]


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
    ]  # on any field: the fix must not move the wrong category elsewhere
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


def _gaps(pack: SpecPack, mutant: type[Mutant], checks: list[str]) -> list[Gap]:
    result = _run(pack, mutant(pack), checks)
    findings = [f.to_json() for f in result.findings.values()]
    return group(findings, pack, load_gap_rules(), load_gap_ids())


def test_one_gap_per_field_and_category_across_checks(sdk_pack: SpecPack) -> None:
    """ImageChunk without two required fields is seen by the two round trips,
    the constructor and the native shape: one gap per field and category,
    each listing every check's findings, not one gap per check (issue 13)."""
    if "ImageChunk" not in sdk_pack.types:
        pytest.skip("no ImageChunk in this pack")
    checks = ["fixture-roundtrip", "property-roundtrip", "shape", "type-parity"]
    gaps = [g for g in _gaps(sdk_pack, LacksImageChunkFields, checks) if g.subject == "ImageChunk"]
    assert sorted((g.field, g.category) for g in gaps) == [
        ("/data", "data-loss"),
        ("/format", "data-loss"),
    ], [g.title for g in gaps]
    for gap in gaps:
        assert {str(f["check"]) for f in gap.findings} == set(checks), gap.title


def test_a_nested_types_defect_is_one_gap_whatever_contains_it(sdk_pack: SpecPack) -> None:
    """The same two fields are lost in every type that holds an ImageChunk
    (ModelInput, Datum, the requests...): filed under ImageChunk, the
    innermost type that holds them, they are still two gaps, each listing
    where it was met and as severe as its most severe place (issue 13:
    one root cause, one id)."""
    if "ImageChunk" not in sdk_pack.types:
        pytest.skip("no ImageChunk in this pack")
    gaps = _gaps(sdk_pack, DropsImageFieldsEverywhere, ["fixture-roundtrip", "property-roundtrip"])
    assert sorted((g.subject, g.field, g.category) for g in gaps) == [
        ("ImageChunk", "/data", "data-loss"),
        ("ImageChunk", "/format", "data-loss"),
    ], [g.title for g in gaps]
    for gap in gaps:
        assert len({str(f["type"]) for f in gap.findings}) > 1, gap.title  # met in containers


def test_a_union_holding_the_reference_type_is_the_gap_of_the_plain_weakening(
    sdk_pack: SpecPack,
) -> None:
    """``DateTime | String`` after ``String``: the same gap (key and id), medium,
    so a port that improved sees the gap it had, not a new high one."""
    plain = {
        (g.subject, g.field): g for g in _gaps(sdk_pack, KeepsDatetimesAsStrings, ["type-parity"])
    }
    union = {(g.subject, g.field): g for g in _gaps(sdk_pack, DatetimeOrString, ["type-parity"])}
    assert union
    assert union.keys() == plain.keys()
    for spot, gap in union.items():
        assert (gap.id, gap.key, gap.category, gap.severity) == (
            plain[spot].id,
            plain[spot].key,
            "type-weakened",
            "medium",
        ), spot
