"""``serve`` and ``judge-http``: a validating mock Tinker server for a port's
own test suite, and the judge of what it recorded (docs/SERVE.md)."""

from conformance.serve._app import REDACTED, ServeApp, redact, redact_json
from conformance.serve._judge import (
    Recording,
    RecordingClient,
    judge_recording,
    load_recording,
)
from conformance.serve._scenarios import Scenario, load_scenario, scenario_names

__all__ = [
    "REDACTED",
    "Recording",
    "RecordingClient",
    "Scenario",
    "ServeApp",
    "judge_recording",
    "load_recording",
    "load_scenario",
    "redact",
    "redact_json",
    "scenario_names",
]
