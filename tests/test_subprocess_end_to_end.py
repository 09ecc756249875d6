"""End to end through the subprocess protocol: the Python adapter program
passes every check of its own pack (behaviour and endpoint vectors included,
against the loopback mock server), and the JavaScript adapter's real gaps
(types it lacks, JavaScript's millisecond dates) come out as findings."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

from conformance import SpecPack, load_pack
from conformance._data import FIXTURES_ROOT
from conformance.adapters.subprocess import SubprocessAdapter
from conformance.cases import load_type_cases
from conformance.checks import CheckContext
from conformance.findings import load_gap_rules
from conformance.reference.adapter import TinkerSdkAdapter
from conformance.runner import RunResult, run

JS_ADAPTER = FIXTURES_ROOT.parent / "adapters" / "js" / "tinker-adapter.mjs"


def _run(pack: SpecPack, adapter: Any, checks: list[str], reference: Any = None) -> RunResult:
    ctx = CheckContext(
        pack=pack,
        adapter=adapter,
        cases=load_type_cases(pack.version),
        rules=load_gap_rules(),
        examples=3,
        reference=reference,
    )
    try:
        return run(ctx, checks)
    finally:
        adapter.close()


@pytest.mark.sdk
def test_the_python_adapter_program_passes_its_pack(sdk_pack: SpecPack) -> None:
    program = [sys.executable, "-m", "conformance.reference.server"]
    adapter = SubprocessAdapter(program, sdk_pack, validate=True)
    checks = ["fixture-roundtrip", "strictness", "shape", "type-parity", "behaviour", "endpoints"]
    result = _run(sdk_pack, adapter, checks, reference=TinkerSdkAdapter(sdk_pack))
    assert [str(f) for f in result.findings.values()] == []
    assert result.passed["endpoints"] > 50
    assert result.passed["behaviour"] > 90


def test_the_javascript_adapter_shows_its_real_gaps() -> None:
    node = shutil.which("node")
    assert node is not None, "Node.js is needed for the cross-language test"
    pack = load_pack("0.15.0")
    adapter = SubprocessAdapter([node, str(JS_ADAPTER)], pack, validate=True)
    result = _run(pack, adapter, ["fixture-roundtrip", "strictness", "shape"])
    findings = list(result.findings.values())
    missing = {f.type_name for f in findings if f.category == "missing-type"}
    assert {"SampleRequest", "Datum", "ModelInput"} <= missing
    assert "LoraConfig" not in missing
    assert any(
        f.category == "value-changed" and f.type_name == "Checkpoint" and f.field == "/time"
        for f in findings
    ), [str(f) for f in findings]
    assert not [f for f in findings if f.category in ("adapter-error", "protocol-error")]
    assert result.passed["strictness"] > 0


@pytest.mark.sdk
@pytest.mark.parametrize("way", ["sends-only", "declares"])
def test_a_type_without_a_decoder_is_one_gap_and_its_other_ops_still_run(
    sdk_pack: SpecPack, way: str
) -> None:
    """A type without a decoder, over the protocol (message validation on),
    said per request (``unsupported``, ``"what": "decoder"``) or once in
    hello (``encode_only``): one ``decoder-missing`` finding for
    CreateModelRequest from every check that decoded it, no rejection or
    data loss, and the constructor still judged (its changed lora_config
    default is found)."""
    from conformance.gaps import group, load_gap_ids

    server = Path(__file__).parent / "decoderless_server.py"
    program = [sys.executable, str(server), way, sdk_pack.version]
    adapter = SubprocessAdapter(program, sdk_pack, validate=True)
    checks = ["fixture-roundtrip", "strictness", "shape", "type-parity"]
    result = _run(sdk_pack, adapter, checks, reference=TinkerSdkAdapter(sdk_pack))
    findings = [f for f in result.findings.values() if f.type_name == "CreateModelRequest"]
    assert {(f.category, f.field) for f in findings} == {
        ("decoder-missing", ""),
        ("default-differs", "/lora_config"),
    }, [str(f) for f in findings]
    gaps = group([f.to_json() for f in findings], sdk_pack, load_gap_rules(), load_gap_ids())
    missing = [g for g in gaps if g.category == "decoder-missing"]
    assert len(missing) == 1
    assert missing[0].severity == "medium"  # a request type
    assert not [f for f in result.findings.values() if f.type_name != "CreateModelRequest"]
