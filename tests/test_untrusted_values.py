"""Answers too deep or not finite to judge (issue 12): a protocol error where
they enter, never a RecursionError that ends the run, never ``Infinity`` in a
JSON output."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from conformance._json import MAX_DEPTH, json_problem
from conformance.adapters import Call, Encoded, ProtocolError, Returned
from conformance.adapters._batch import answer_of
from conformance.adapters._messages import ProtocolViolation, parse
from conformance.checks import CheckContext, Outcome
from conformance.checks._registry import _bounded
from conformance.findings import Finding, load_gap_rules
from conformance.spec import load_pack


def nested(depth: int) -> Any:
    value: Any = 0
    for _ in range(depth):
        value = [value]
    return value


def test_depth_is_measured_without_recursion() -> None:
    assert json_problem(nested(MAX_DEPTH)) is None
    assert json_problem(nested(MAX_DEPTH + 1)) == f"nested deeper than {MAX_DEPTH} levels"
    assert json_problem(nested(100_000)) is not None


@pytest.mark.parametrize("number", [float("nan"), float("inf"), -float("inf")])
def test_a_number_that_is_not_finite_cannot_be_judged(number: float) -> None:
    assert "not finite" in (json_problem({"a": [1, number]}) or "")


@pytest.mark.parametrize(
    "line",
    [
        b'{"id": 1, "ok": true, "wire": ' + b"[" * 900 + b"0" + b"]" * 900 + b"}",
        b'{"id": 1, "ok": true, "wire": {"offset": 1e400}}',
        b'{"id": 1, "ok": true, "wire": {"offset": -Infinity}}',
        b'{"id": 1, "ok": true, "wire": NaN}',
    ],
)
def test_a_line_that_cannot_be_judged_is_a_protocol_violation(line: bytes) -> None:
    with pytest.raises(ProtocolViolation):
        parse(line)


def test_a_batch_answer_holds_its_deepest_allowed_results() -> None:
    item = {"id": 2, "ok": True, "wire": nested(MAX_DEPTH - 1)}
    assert parse(json.dumps({"id": 1, "results": [item]}).encode())["id"] == 1


@pytest.mark.parametrize(
    "result",
    [Encoded(wire=nested(900)), Returned(value={"x": float("inf")}), Encoded(wire=float("nan"))],
)
def test_an_in_process_answer_that_cannot_be_judged_is_a_protocol_error(result: Any) -> None:
    answered = answer_of(Call.decode("Cursor", {}), result)
    assert isinstance(answered, ProtocolError)


def test_a_recursion_error_in_a_check_is_a_finding() -> None:
    def deep(ctx: CheckContext) -> Iterator[Outcome]:
        raise RecursionError("maximum recursion depth exceeded")
        yield  # a generator, as every check

    pack = load_pack("0.15.0")
    ctx = CheckContext(pack=pack, adapter=None, cases=[], rules=load_gap_rules())  # type: ignore[arg-type]
    (finding,) = list(_bounded("deep", deep)(ctx))
    assert isinstance(finding, Finding)
    assert finding.category == "adapter-error"
    assert "the rest of check deep was not judged" in finding.message
