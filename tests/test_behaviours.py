"""Behaviour vectors (``fixtures/<version>/behaviours/``) and the ``behaviour`` check.

The vectors are sound data: every file matches its meta-schema and lives in
its helper's folder, descriptions are unique, every helper folder has cases,
receivers and returned values are valid wire JSON of their pack types, the
reference left every receiver unchanged, and every literal set is the one
the pack's schema lists. Against the installed SDK (``sdk`` marker):
regenerating reproduces the files, the reference's ``call`` passes every
vector of its version, and broken helpers (a mutating ``append``, a path
parser that accepts any scheme, a missing helper, ...) are caught with the
right category and field.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, cast

import pytest
from jsonschema.validators import Draft202012Validator

from conformance import SpecError, SpecPack, load_pack
from conformance._data import FIXTURES_ROOT, META_DIR, load_json
from conformance._json import json_equal
from conformance.adapters import (
    Adapter,
    Errored,
    Hello,
    OpResult,
    Rejected,
    Returned,
    SequentialBatch,
    Unsupported,
)
from conformance.canonical import canonicalize
from conformance.cases import INPUTS_FILE, BehaviourCase, load_behaviour_cases
from conformance.checks._registry import CheckContext, Outcome, Passed
from conformance.checks.behaviour import behaviour, judge_behaviour
from conformance.findings import Finding, load_gap_rules
from conformance.reference._classes import installed_version
from conformance.spec import available_versions

VERSIONS = [v for v in available_versions() if (FIXTURES_ROOT / v / "behaviours").is_dir()]
FILES = sorted(FIXTURES_ROOT.glob("*/behaviours/*/*.json"))
META_VALIDATOR = Draft202012Validator(load_json(META_DIR / "behaviour-case.schema.json"))

#: Helpers every pack must have vectors for (seeds/003, seeds/004).
CORE_HELPERS = (
    "ModelInput.from_ints",
    "ModelInput.to_ints",
    "ModelInput.length",
    "ModelInput.empty",
    "ModelInput.append",
    "ModelInput.append_int",
    "Datum.new",
    "TensorData.new",
    "TensorData.tolist",
    "ParsedCheckpointTinkerPath.from_tinker_path",
    "Cursor.new",
    "AdamParams.new",
    "LossFnType.values",
)

_PACKS: dict[str, SpecPack] = {}


def _pack(version: str) -> SpecPack:
    if version not in _PACKS:
        _PACKS[version] = load_pack(version)
    return _PACKS[version]


def _rel(path: Path) -> str:
    return path.relative_to(FIXTURES_ROOT).as_posix()


def test_both_packs_have_vectors() -> None:
    assert {"0.15.0", "0.38.0"} <= set(VERSIONS)


# --- the data ----------------------------------------------------------------------


@pytest.mark.parametrize("path", FILES, ids=_rel)
def test_vector_matches_the_meta_schema(path: Path) -> None:
    data = load_json(path)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in META_VALIDATOR.iter_errors(data)]
    assert errors == [], f"{_rel(path)} does not match behaviour-case.schema.json"
    assert data["helper"] == path.parent.name, f"{_rel(path)}: in the wrong helper folder"
    source = "generated" if path.name.startswith("gen-") else "curated"
    assert data["source"] == source, f"{_rel(path)}: gen- files are generated, others curated"
    from conformance.generate._fixtures import render_case

    assert path.read_text(encoding="utf-8") == render_case(data), "not in the generator's rendering"


@pytest.mark.parametrize("version", VERSIONS)
def test_descriptions_are_unique(version: str) -> None:
    seen: dict[str, str] = {}
    for case in load_behaviour_cases(version):
        assert case.description not in seen, (
            f"{case.id}: same description as {seen[case.description]}"
        )
        seen[case.description] = case.id


@pytest.mark.parametrize("version", VERSIONS)
def test_every_helper_folder_has_cases(version: str) -> None:
    base = FIXTURES_ROOT / version / "behaviours"
    for child in sorted(base.iterdir()):
        if child.name == INPUTS_FILE:
            continue
        assert child.is_dir(), f"{_rel(child)}: only helper folders and {INPUTS_FILE} belong here"
        assert any(child.glob("*.json")), f"{_rel(child)}: empty helper folder"
    helpers = {c.helper for c in load_behaviour_cases(version)}
    missing = [h for h in CORE_HELPERS if h not in helpers]
    assert missing == [], f"{version}: no vectors for {missing}"
    pack = _pack(version)
    enums = {f"{n}.values" for n, e in pack.types.items() if e["kind"] == "enum"}
    assert enums <= helpers, f"{version}: literal sets without vectors: {sorted(enums - helpers)}"


@pytest.mark.parametrize("version", VERSIONS)
def test_receivers_and_returned_values_are_valid_wire(version: str) -> None:
    pack = _pack(version)
    for case in load_behaviour_cases(version):
        if "self" in case.args and case.owner in pack.types:
            assert pack.is_valid(case.owner, case.args["self"]), f"{case.id}: self is not valid"
        if case.returns is not None and case.error is None:
            assert case.returns in pack.types, f"{case.id}: returns {case.returns!r} not in pack"
            returned = case.expect["returned"]
            assert pack.is_valid(case.returns, returned), f"{case.id}: returned is not valid"


@pytest.mark.sdk
def test_the_reference_leaves_every_receiver_unchanged(sdk_pack: SpecPack) -> None:
    """``self`` after the call is the receiver as the reference read it before
    (0.38.0 reads float32 tensors rounded, so it is not always ``args.self``)."""
    from conformance.reference._classes import twin_map
    from conformance.reference._wire import to_wire
    from conformance.reference.helpers import _decode

    receivers = [c for c in load_behaviour_cases(sdk_pack.version) if "self" in c.expect]
    assert receivers
    for case in receivers:
        read = to_wire(_decode(sdk_pack, case.owner, case.args["self"]), {}, twin_map(sdk_pack))
        before = canonicalize(sdk_pack, case.owner, read)
        after = canonicalize(sdk_pack, case.owner, case.expect["self"])
        assert before == after, f"{case.id}: the reference modified its receiver"


@pytest.mark.parametrize("version", VERSIONS)
def test_literal_sets_are_the_schemas_enums(version: str) -> None:
    pack = _pack(version)
    for case in load_behaviour_cases(version):
        if not case.helper.endswith(".values"):
            continue
        returned = case.expect["returned"]
        assert sorted(pack.schemas[case.owner]["enum"], key=lambda v: (isinstance(v, str), v)) == (
            returned
        ), f"{case.id}: the reference's values differ from the schema's enum"


# --- the check, on hand-made results (no SDK) ------------------------------------------


def _ctx(version: str, adapter: object) -> CheckContext:
    return CheckContext(
        pack=_pack(version),
        adapter=cast(Adapter, adapter),
        cases=[],
        rules=load_gap_rules(),
    )


def _vector(**kw: Any) -> BehaviourCase:
    fields: dict[str, Any] = {"id": "test/vector.json", "description": "a hand-made vector"}
    fields.update(kw)
    return BehaviourCase(**fields)


def _judged(vector: BehaviourCase, result: OpResult, version: str = "0.15.0") -> list[Outcome]:
    return list(judge_behaviour(_ctx(version, object()), vector, result))


def _findings(outcomes: list[Outcome]) -> list[Finding]:
    return [o for o in outcomes if isinstance(o, Finding)]


def test_json_equality_is_by_value_for_numbers_only() -> None:
    assert json_equal({"a": [1, 2.0]}, {"a": [1.0, 2]})
    assert not json_equal(True, 1)
    assert not json_equal([1, 2], [2, 1])
    assert not json_equal("1", 1)
    assert json_equal({"a": None, "b": "x"}, {"b": "x", "a": None})


def test_a_canonically_equal_return_passes() -> None:
    vector = _vector(
        helper="ModelInput.from_ints",
        args={"tokens": [1]},
        returns="ModelInput",
        expect={"returned": {"chunks": [{"tokens": [1], "type": "encoded_text"}]}},
    )
    result = Returned(value={"returned": {"chunks": [{"tokens": [1]}]}})  # literal filled in
    assert [type(o) for o in _judged(vector, result)] == [Passed]


def test_a_returned_pack_value_is_compared_in_canonical_form() -> None:
    vector = _vector(
        helper="ModelInput.append_int",
        args={"self": {"chunks": []}, "token": 5},
        returns="ModelInput",
        expect={"returned": {"chunks": [{"tokens": [5], "type": "encoded_text"}]}},
    )
    (finding,) = _findings(_judged(vector, Returned(value={"returned": {"chunks": []}})))
    assert (finding.category, finding.field) == ("data-loss", "/returned/chunks/0")
    assert finding.type_name == "ModelInput.append_int"


def test_an_error_of_the_right_kind_passes_whatever_its_message() -> None:
    vector = _vector(
        helper="ParsedCheckpointTinkerPath.from_tinker_path",
        args={"tinker_path": "http://x/weights/y"},
        expect={"error": {"kind": "invalid-value", "message": "Invalid tinker path"}},
    )
    result = Rejected(kind="invalid-value", message="bad scheme, in other words")
    assert [type(o) for o in _judged(vector, result)] == [Passed]


def test_an_error_without_a_known_kind_is_a_wrong_kind() -> None:
    vector = _vector(
        helper="ParsedCheckpointTinkerPath.from_tinker_path",
        args={"tinker_path": "http://x/weights/y"},
        expect={"error": {"kind": "invalid-value", "message": "Invalid tinker path"}},
    )
    (finding,) = _findings(_judged(vector, Rejected(message="ArgumentError: bad")))
    assert (finding.category, finding.field) == ("value-changed", "/error/kind")
    assert "no known kind" in finding.message


def test_an_adapter_without_self_is_an_adapter_error() -> None:
    vector = _vector(
        helper="ModelInput.to_ints",
        args={"self": {"chunks": []}},
        expect={"returned": [], "self": {"chunks": []}},
    )
    (finding,) = _findings(_judged(vector, Returned(value={"returned": []})))
    assert (finding.category, finding.field) == ("adapter-error", "/self")


def test_an_unsupported_op_or_a_crash_is_reported_not_raised() -> None:
    vector = _vector(helper="ModelInput.empty", args={}, expect={"returned": {"chunks": []}})
    (op,) = _findings(_judged(vector, Unsupported(what="op", name="call")))
    assert op.category == "op-unsupported"
    (crash,) = _findings(_judged(vector, Errored(message="boom")))
    assert crash.category == "adapter-error"


def test_an_adapter_without_call_is_op_unsupported() -> None:
    class NoCall(SequentialBatch):  # an adapter whose batch finds no `call` op
        def close(self) -> None: ...

    outcomes = list(behaviour(_ctx("0.15.0", NoCall())))
    assert outcomes
    assert {f.category for f in _findings(outcomes)} == {"op-unsupported"}


def test_a_missing_helper_has_its_own_key_per_helper() -> None:
    keys = set()
    for helper in ("ModelInput.append", "ModelInput.append_int"):
        vector = _vector(helper=helper, args={}, expect={"returned": None})
        (finding,) = _findings(_judged(vector, Unsupported(what="helper", name=helper)))
        assert (finding.category, finding.severity) == ("missing-helper", "high")
        keys.add(finding.key)
    assert len(keys) == 2


def test_vectors_load_with_their_folder_checked(tmp_path: Path) -> None:
    folder = tmp_path / "9.9.9" / "behaviours" / "ModelInput.empty"
    folder.mkdir(parents=True)
    doc = {
        "description": "empty() is a ModelInput without chunks",
        "helper": "ModelInput.from_ints",
        "args": {},
        "expect": {"returned": {"chunks": []}},
        "source": "generated",
    }
    (folder / "gen-x.json").write_text(json.dumps(doc))
    with pytest.raises(SpecError, match="lives in folder"):
        load_behaviour_cases("9.9.9", tmp_path)


# --- against the installed reference --------------------------------------------------


class _Stub(SequentialBatch):
    """A tiny adapter: the reference's helpers, optionally broken by ``mutate``."""

    def __init__(
        self,
        pack: SpecPack,
        mutate: Callable[[str, Mapping[str, Any], OpResult], OpResult] | None = None,
    ) -> None:
        self.pack = pack
        self.mutate = mutate

    def hello(self) -> Hello:
        return Hello(
            name="stub",
            language="python",
            version="0",
            spec_version=self.pack.version,
            ops=("hello", "call"),
        )

    def decode(self, type_name: str, payload: Any) -> OpResult:
        return Unsupported(what="op", name="decode")

    def construct(self, type_name: str, args: dict[str, Any]) -> OpResult:
        return Unsupported(what="op", name="construct")

    def inspect(self, type_name: str, payload: Any) -> OpResult:
        return Unsupported(what="op", name="inspect")

    def call(self, helper: str, args: dict[str, Any]) -> OpResult:
        from conformance.reference.helpers import call

        result = call(self.pack, helper, args)
        return self.mutate(helper, args, result) if self.mutate else result

    def close(self) -> None:
        return None


def _run(
    pack: SpecPack, mutate: Callable[[str, Mapping[str, Any], OpResult], OpResult] | None = None
) -> list[Outcome]:
    return list(behaviour(_ctx(pack.version, _Stub(pack, mutate))))


@pytest.mark.sdk
def test_the_reference_passes_every_vector_of_its_version(sdk_pack: SpecPack) -> None:
    outcomes = _run(sdk_pack)
    findings = _findings(outcomes)
    assert findings == [], "\n".join(str(f) for f in findings)
    assert len(outcomes) == len(load_behaviour_cases(sdk_pack.version))


@pytest.mark.sdk
def test_regenerating_reproduces_the_vectors(sdk_pack: SpecPack, tmp_path: Path) -> None:
    from conformance.generate._behaviours import generate_behaviour_vectors

    version = sdk_pack.version
    source = FIXTURES_ROOT / version / "behaviours"
    target = tmp_path / version / "behaviours"
    target.mkdir(parents=True)
    shutil.copy(source / INPUTS_FILE, target / INPUTS_FILE)
    written = generate_behaviour_vectors(sdk_pack, tmp_path)
    fresh = {p.relative_to(target).as_posix(): p.read_text(encoding="utf-8") for p in written}
    on_disk = {
        p.relative_to(source).as_posix(): p.read_text(encoding="utf-8")
        for p in source.glob("*/gen-*.json")
    }
    assert sorted(fresh) == sorted(on_disk)
    drifted = [name for name in fresh if fresh[name] != on_disk[name]]
    assert drifted == [], "regenerate with the generator and review the diff"


@pytest.mark.sdk
def test_the_generator_stops_on_an_outcome_the_reference_contradicts(
    sdk_pack: SpecPack, tmp_path: Path
) -> None:
    from conformance.generate._behaviours import generate_behaviour_vectors

    target = tmp_path / sdk_pack.version / "behaviours"
    target.mkdir(parents=True)
    case = {
        "helper": "ParsedCheckpointTinkerPath.from_tinker_path",
        "case": "wrong",
        "outcome": "returns",
        "description": "claims an http:// path parses",
        "args": {"tinker_path": "http://run/weights/x"},
    }
    (target / INPUTS_FILE).write_text(json.dumps({"description": "test", "cases": [case]}))
    with pytest.raises(SpecError, match="raises invalid-value"):
        generate_behaviour_vectors(sdk_pack, tmp_path)
    case.update(helper="ModelInput.no_such_helper", outcome="returns")
    (target / INPUTS_FILE).write_text(json.dumps({"description": "test", "cases": [case]}))
    with pytest.raises(SpecError, match="no helper"):
        generate_behaviour_vectors(sdk_pack, tmp_path)


@pytest.mark.sdk
def test_a_helper_the_sdk_lacks_is_unsupported(sdk_pack: SpecPack) -> None:
    from conformance.reference.helpers import Missing, call, reference_call

    assert isinstance(reference_call(sdk_pack, "ModelInput.no_such_helper", {}), Missing)
    result = call(sdk_pack, "ModelInput.no_such_helper", {})
    assert isinstance(result, Unsupported)
    assert (result.what, result.name) == ("helper", "ModelInput.no_such_helper")
    # an enum's literal set is a helper; a struct has none
    assert isinstance(call(sdk_pack, "LossFnType.values", {}), Returned)
    assert isinstance(call(sdk_pack, "ModelInput.values", {}), Unsupported)


@pytest.mark.sdk
def test_error_kinds_come_from_the_exception() -> None:
    from pydantic import BaseModel, ValidationError

    from conformance.reference.helpers import error_kind

    class M(BaseModel):
        x: int

    with pytest.raises(ValidationError) as info:
        M.model_validate({"x": "no"})
    assert error_kind(info.value) == "invalid-value"
    assert error_kind(KeyError("k")) == "unknown-key"
    assert error_kind(TypeError()) == "invalid-type"
    assert error_kind(NotImplementedError()) == "unsupported"
    assert error_kind(RuntimeError()) is None


def _findings_of(outcomes: list[Outcome], helper: str) -> list[Finding]:
    return [f for f in _findings(outcomes) if f.type_name == helper]


def _only(outcomes: list[Outcome], helper: str) -> set[tuple[str, str]]:
    """(category, field) of every finding, all of which must be about ``helper``."""
    findings = _findings(outcomes)
    assert findings, "the mutant passed"
    assert {f.type_name for f in findings} == {helper}, "findings beyond the mutated helper"
    return {(f.category, f.field) for f in findings}


@pytest.mark.sdk
def test_a_mutating_append_is_caught(sdk_pack: SpecPack) -> None:
    def mutate(helper: str, args: Mapping[str, Any], result: OpResult) -> OpResult:
        if helper == "ModelInput.append" and isinstance(result, Returned):
            return Returned(value={**result.value, "self": result.value["returned"]})
        return result

    outcomes = _run(sdk_pack, mutate)
    assert _only(outcomes, "ModelInput.append") == {("value-changed", "/self")}
    assert {f.message for f in _findings(outcomes)} == {"the receiver was modified"}


@pytest.mark.sdk
def test_a_path_parser_accepting_any_scheme_is_caught(sdk_pack: SpecPack) -> None:
    helper = "ParsedCheckpointTinkerPath.from_tinker_path"

    def mutate(name: str, args: Mapping[str, Any], result: OpResult) -> OpResult:
        path = str(args.get("tinker_path", ""))
        if name == helper and "://" in path and not path.startswith("tinker://"):
            from conformance.reference.helpers import call

            return call(sdk_pack, name, {"tinker_path": "tinker://" + path.split("://", 1)[1]})
        return result

    outcomes = _run(sdk_pack, mutate)
    assert _only(outcomes, helper) == {("value-changed", "/error")}
    cases = {f.case.rsplit("/", 1)[-1] for f in _findings(outcomes)}
    assert cases == {"gen-wrong-scheme.json", "gen-uppercase-scheme.json"}


@pytest.mark.sdk
def test_a_missing_helper_is_caught(sdk_pack: SpecPack) -> None:
    def mutate(helper: str, args: Mapping[str, Any], result: OpResult) -> OpResult:
        if helper in ("ModelInput.append_int", "ModelInput.empty"):
            return Unsupported(what="helper", name=helper)
        return result

    outcomes = _run(sdk_pack, mutate)
    findings = _findings(outcomes)
    assert {(f.category, f.type_name) for f in findings} == {
        ("missing-helper", "ModelInput.append_int"),
        ("missing-helper", "ModelInput.empty"),
    }
    assert {f.key for f in findings if f.type_name == "ModelInput.empty"}.__len__() == 1


@pytest.mark.sdk
def test_dtype_inferred_from_values_is_caught(sdk_pack: SpecPack) -> None:
    """The seed's Elixir port: dtype from the first value, unknown keys accepted."""

    def mutate(helper: str, args: Mapping[str, Any], result: OpResult) -> OpResult:
        if helper != "Datum.new":
            return result
        inputs = args.get("loss_fn_inputs", {})
        converted = {}
        for key, value in inputs.items():
            if not isinstance(value, list) or not value or isinstance(value[0], list):
                return result
            dtype = "int64" if isinstance(value[0], int) else "float32"
            converted[key] = {"data": value, "dtype": dtype, "shape": [len(value)]}
        return Returned(
            value={"returned": {"model_input": args["model_input"], "loss_fn_inputs": converted}}
        )

    outcomes = _run(sdk_pack, mutate)
    categories = _only(outcomes, "Datum.new")
    assert ("value-changed", "/returned/loss_fn_inputs/weights/dtype") in categories
    assert ("value-changed", "/error") in categories  # the unknown key was accepted


@pytest.mark.sdk
def test_a_wrong_error_kind_is_caught(sdk_pack: SpecPack) -> None:
    def mutate(helper: str, args: Mapping[str, Any], result: OpResult) -> OpResult:
        if isinstance(result, Rejected) and result.kind == "unknown-key":
            return Rejected(kind="invalid-value", message=result.message)
        return result

    outcomes = _run(sdk_pack, mutate)
    assert _only(outcomes, "Datum.new") == {("value-changed", "/error/kind")}


@pytest.mark.sdk
def test_a_dropped_default_is_caught(sdk_pack: SpecPack) -> None:
    def mutate(helper: str, args: Mapping[str, Any], result: OpResult) -> OpResult:
        if helper == "AdamParams.new" and isinstance(result, Returned):
            returned = {k: v for k, v in result.value["returned"].items() if k != "weight_decay"}
            return Returned(value={"returned": returned})
        return result

    outcomes = _run(sdk_pack, mutate)
    assert _only(outcomes, "AdamParams.new") == {("value-changed", "/returned")}


@pytest.mark.sdk
def test_refusing_what_the_reference_returns_is_caught(sdk_pack: SpecPack) -> None:
    def mutate(helper: str, args: Mapping[str, Any], result: OpResult) -> OpResult:
        if helper == "ModelInput.from_ints" and args.get("tokens") == []:
            return Rejected(kind="invalid-value", message="no tokens")
        return result

    outcomes = _run(sdk_pack, mutate)
    assert _only(outcomes, "ModelInput.from_ints") == {("value-changed", "/returned")}


@pytest.mark.sdk
def test_merging_appended_tokens_is_caught(sdk_pack: SpecPack) -> None:
    """append_int extending the last chunk (a natural port) differs from the reference."""

    def mutate(helper: str, args: Mapping[str, Any], result: OpResult) -> OpResult:
        if helper != "ModelInput.append_int" or not isinstance(result, Returned):
            return result
        chunks = [dict(c) for c in args["self"]["chunks"]]
        if chunks and chunks[-1].get("type") == "encoded_text":
            chunks[-1]["tokens"] = [*chunks[-1]["tokens"], args["token"]]
        else:
            chunks.append({"type": "encoded_text", "tokens": [args["token"]]})
        return Returned(value={"returned": {"chunks": chunks}, "self": args["self"]})

    outcomes = _run(sdk_pack, mutate)
    fields = {field for _, field in _only(outcomes, "ModelInput.append_int")}
    assert any(field.startswith("/returned/chunks") for field in fields)


def test_installed_version_has_vectors_when_installed() -> None:
    version = installed_version()
    if version is not None:
        assert version in VERSIONS
