"""serve and judge-http end to end, with clients that are not this project's
code: the reference SDK alone (tests/clients/sdk_client.py) and a Node client
with deliberate defects (tests/clients/defective_client.mjs).

One case per file in tests/serve_cases/: the client, the scenario, the calls
(SDK) or defects (Node), the findings judge-http must give (category, endpoint,
field; exactly these) and its exit code. The SDK cases of the installed
``tinker`` run (each nox ``tests`` session has one version; without the SDK
they fail); the Node cases run in every session and fail without ``node``. Each case starts its own
`tinker-conformance serve` process on 127.0.0.1, runs the client, stops serve
with SIGTERM and runs `judge-http` on the recording. Every wait is bounded.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from conformance._data import FIXTURES_ROOT
from conformance.reference._classes import installed_version
from conformance.serve import (
    REDACTED,
    load_recording,
    load_scenario,
    redact,
    redact_json,
    scenario_names,
)
from conformance.spec import load_pack

HERE = Path(__file__).parent
CASES = sorted((HERE / "serve_cases").glob("*.json"))
#: The cases this interpreter can run: every Node case, the SDK cases of the installed SDK.
RUNNABLE = [
    p
    for p in CASES
    if json.loads(p.read_text())["client"] == "node"
    or json.loads(p.read_text())["spec"] == (installed_version() or "0.15.0")
]
CLIENTS = HERE / "clients"
SPECS = ("0.15.0", "0.38.0")
START_SECONDS = 30.0
CLIENT_SECONDS = 120.0
_NO_PROXY = ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")


def _env() -> dict[str, str]:
    """No proxy variable reaches serve or a client: loopback traffic stays loopback."""
    env = {k: v for k, v in os.environ.items() if k not in _NO_PROXY}
    env.update(NO_PROXY="127.0.0.1,localhost", no_proxy="127.0.0.1,localhost", TINKER_API_KEY="")
    return env


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "conformance", *args]


@contextmanager
def _serving(spec: str, scenario: str, folder: Path) -> Iterator[str]:
    url_file = folder / "url"
    process = subprocess.Popen(
        _cli(
            "serve",
            "--spec",
            spec,
            "--scenario",
            scenario,
            "--record",
            str(folder / "recording.jsonl"),
            "--url-file",
            str(url_file),
            "--max-time",
            "300",
        ),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=_env(),
    )
    try:
        deadline = time.monotonic() + START_SECONDS
        while not url_file.exists():
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"serve did not start: {process.communicate(timeout=5)}")
            time.sleep(0.05)
        url = url_file.read_text(encoding="utf-8").strip()
        assert url.startswith("http://127.0.0.1:")
        yield url
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=20)
    assert process.returncode == 0, err.decode()
    assert out.decode().splitlines()[0] == url
    assert b"Traceback" not in err


def _plan(spec: str, url: str, calls: list[list[str]]) -> dict[str, Any]:
    pack = load_pack(spec)
    types = {str(e["id"]): e.get("request_type") for e in pack.endpoints}
    entries = []
    for endpoint, case in calls:
        vector = json.loads(
            (FIXTURES_ROOT / spec / "endpoints" / endpoint / f"{case}.json").read_text()
        )
        entries.append(
            {"endpoint": endpoint, "request_type": types[endpoint], "args": vector["args"]}
        )
    return {"base_url": url, "calls": entries}


def _client(case: dict[str, Any], url: str, folder: Path) -> list[str]:
    if case["client"] == "sdk":
        if installed_version() != case["spec"]:
            pytest.fail("the reference SDK is not installed; run the tests with `nox -s tests`")
        plan = folder / "plan.json"
        plan.write_text(json.dumps(_plan(case["spec"], url, case["calls"])), encoding="utf-8")
        command = [sys.executable, str(CLIENTS / "sdk_client.py"), str(plan)]
    else:
        node = shutil.which("node")
        if node is None:
            pytest.fail("`node` is not on PATH: the Node client cannot be run (install Node 18+)")
        command = [node, str(CLIENTS / "defective_client.mjs"), url, ",".join(case["defects"])]
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=CLIENT_SECONDS, env=_env(), check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


@pytest.mark.parametrize("path", RUNNABLE, ids=lambda p: p.stem)
def test_serve_case(path: Path, tmp_path: Path) -> None:
    case = json.loads(path.read_text(encoding="utf-8"))
    with _serving(case["spec"], case["scenario"], tmp_path) as url:
        outcomes = _client(case, url, tmp_path)
    recording = tmp_path / "recording.jsonl"
    assert "tml-dummy" not in recording.read_text(encoding="utf-8")
    judged = subprocess.run(
        _cli(
            "judge-http",
            str(recording),
            "--spec",
            case["spec"],
            "--scenario",
            case["scenario"],
            "--report",
            str(tmp_path / "report"),
            "--results",
            str(tmp_path / "raw.json"),
            "--format",
            "junit",
        ),
        capture_output=True,
        text=True,
        timeout=CLIENT_SECONDS,
        env=_env(),
        check=False,
    )
    raw = json.loads((tmp_path / "raw.json").read_text())
    found = sorted((f["category"], f["type"], f["field"]) for f in raw["findings"])
    wanted = sorted((e["category"], e["type"], e["field"]) for e in case["expect"])
    assert found == wanted, (outcomes, judged.stdout)
    assert judged.returncode == case["exit"], judged.stdout + judged.stderr
    assert {f["check"] for f in raw["findings"]} <= {"endpoints"}
    assert raw["covered"].get("endpoints"), "nothing was exercised"


def test_cases_are_well_formed() -> None:
    cases = [json.loads(p.read_text()) for p in CASES]
    descriptions = [c["description"] for c in cases]
    assert len(set(descriptions)) == len(descriptions)
    assert {c["client"] for c in cases} == {"sdk", "node"}
    for spec in SPECS:
        scenarios = {c["scenario"] for c in cases if c["client"] == "sdk" and c["spec"] == spec}
        assert scenarios == set(scenario_names(spec)), f"every {spec} scenario has an SDK case"


@pytest.mark.parametrize(
    ("spec", "name"), [(spec, name) for spec in SPECS for name in scenario_names(spec)]
)
def test_every_scenario_loads(spec: str, name: str) -> None:
    pack = load_pack(spec)
    scenario = load_scenario(pack, name)
    assert scenario.must
    assert set(scenario.defaults) == {str(e["id"]) for e in pack.endpoints}


@pytest.mark.parametrize(
    ("name", "value", "kept"),
    [
        ("Authorization", "Bearer abc.def", False),
        ("X-Api-Key", "tml-abc", False),
        ("Cookie", "session=1", False),
        ("X-Auth-Token", "anything", False),
        ("X-Forwarded-For", "https://user:pw@host/", False),
        ("X-Trace", "eyJhbGciOi.eyJzdWIiOi.sig", False),
        ("X-Idempotency-Key", "3f2c9e4a-key", True),
        ("Content-Type", "application/json", True),
        ("User-Agent", "AsyncTinker/Python 0.15.0", True),
    ],
)
def test_credentials_are_redacted(name: str, value: str, kept: bool) -> None:
    assert redact({name: value}) == {name.lower(): value if kept else REDACTED}


def test_credential_values_in_json_bodies_are_redacted() -> None:
    body = {"tokens": [1, 2], "note": "Bearer abc", "nested": [{"key": "tml-abcdef"}], "n": 3}
    assert redact_json(body) == {
        "tokens": [1, 2],
        "note": REDACTED,
        "nested": [{"key": REDACTED}],
        "n": 3,
    }


def test_a_bad_recording_line_names_file_and_line(tmp_path: Path) -> None:
    from conformance import SpecError

    path = tmp_path / "rec.jsonl"
    start = {"record": "start", "format": 1, "spec": "0.15.0", "scenario": "default"}
    path.write_text(json.dumps({**start, "base_url": "http://127.0.0.1:1", "time": 0}) + "\n{}\n")
    with pytest.raises(SpecError) as info:
        load_recording(path)
    assert info.value.pointer.startswith("/1")


def test_judge_http_exit_codes(tmp_path: Path) -> None:
    missing = subprocess.run(
        _cli("judge-http", str(tmp_path / "none.jsonl")),
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert missing.returncode == 2
    bad = tmp_path / "bad.jsonl"
    bad.write_text("not json\n")
    broken = subprocess.run(
        _cli("judge-http", str(bad)), capture_output=True, timeout=60, check=False
    )
    assert broken.returncode == 2
    assert b"bad.jsonl#/0" in broken.stderr
    unknown = subprocess.run(
        _cli("serve", "--spec", "0.15.0", "--scenario", "nope", "--max-time", "1"),
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert unknown.returncode == 2
    assert b"no scenario 'nope'" in unknown.stderr


def test_an_endpoint_without_vectors_gets_a_generated_answer(tmp_path: Path) -> None:
    """No endpoint vectors at all: every answer is generated from the response
    schema, the same for the same seed, and valid for it."""
    import urllib.request

    from conformance.mock_server import MockTinkerServer
    from conformance.serve import ServeApp

    pack = load_pack("0.15.0")
    (tmp_path / "0.15.0" / "scenarios").mkdir(parents=True)
    shutil.copy(
        FIXTURES_ROOT / "0.15.0" / "scenarios" / "default.json",
        tmp_path / "0.15.0" / "scenarios" / "default.json",
    )
    scenario = load_scenario(pack, "default", root=tmp_path)
    case = scenario.defaults["service.get_server_capabilities"]
    assert case.id == "0.15.0/generated/service.get_server_capabilities"
    assert load_scenario(pack, "default", root=tmp_path).defaults[case.endpoint] == case
    app = ServeApp(pack, scenario, None)
    with MockTinkerServer(answer=app.answer) as server:
        app.start(server.base_url)
        url = f"{server.base_url}/api/v1/get_server_capabilities"
        direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # no proxy
        with direct.open(url, timeout=5) as response:
            body = json.loads(response.read())
    pack.validator("GetServerCapabilitiesResponse").validate(body)


#: A defect seen both ways: the endpoint check's mutant of the reference (tests/
#: test_endpoints.py) on one vector, and the Node client's defect through serve.
AGREEMENT = [
    ("HeartbeatAtTheOldPath", "service.session_heartbeat/ok.json", "node-wrong-heartbeat-path"),
    ("FreshIdempotencyKeyOnRetry", "models.create/retry-503.json", "node-new-idempotency-key"),
]


@pytest.mark.skipif(
    installed_version() != "0.15.0", reason="the Node cases are for the 0.15.0 pack"
)
@pytest.mark.parametrize(("mutant", "vector", "node_case"), AGREEMENT)
def test_the_same_defect_has_the_same_key_both_ways(
    mutant: str, vector: str, node_case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests import test_endpoints

    pack = load_pack("0.15.0")
    adapter = getattr(test_endpoints, mutant)(pack)
    outcomes = test_endpoints._run(pack, adapter, monkeypatch, lambda c: c.id.endswith(vector))
    by_request = {
        (f.category, f.type_name, f.field): f.key for f in test_endpoints._findings(outcomes)
    }
    case = json.loads((HERE / "serve_cases" / f"{node_case}.json").read_text())
    with _serving(case["spec"], case["scenario"], tmp_path) as url:
        _client(case, url, tmp_path)
    subprocess.run(
        _cli(
            "judge-http", str(tmp_path / "recording.jsonl"), "--results", str(tmp_path / "raw.json")
        ),
        capture_output=True,
        timeout=CLIENT_SECONDS,
        env=_env(),
        check=False,
    )
    raw = json.loads((tmp_path / "raw.json").read_text())
    through_serve = {(f["category"], f["type"], f["field"]): f["key"] for f in raw["findings"]}
    assert by_request, "the mutant is caught by the endpoint check"
    assert set(by_request) <= set(through_serve), (by_request, through_serve)
    assert all(by_request[k] == through_serve[k] for k in by_request)
