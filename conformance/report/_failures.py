"""Every finding of a generated example is written to a file of its own,
with the exact payload and the command that replays it."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

from conformance._paths import write_atomically
from conformance.checks import CHECKS, Outcome
from conformance.findings import Finding
from conformance.runner import RunResult

__all__ = ["FailureWriter"]


class FailureWriter:
    def __init__(self, folder: Path, adapter_spec: str, spec_version: str) -> None:
        self.folder = folder
        self.adapter_spec = adapter_spec
        self.spec_version = spec_version
        self.written: list[Path] = []

    def start(self, result: RunResult) -> None:
        return

    def handle(self, outcome: Outcome) -> None:
        # Only checks whose cases are generated, not golden, need replay files.
        registered = CHECKS.get(outcome.check) if isinstance(outcome, Finding) else None
        if not isinstance(outcome, Finding) or registered is None or not registered.generated:
            return
        path = self.folder / f"{outcome.check}-{outcome.type_name}-{outcome.key}.json"
        if path.exists():
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        replay = shlex.join(
            ["tinker-conformance", "replay", str(path), "--adapter", self.adapter_spec]
        )
        document = {
            "description": outcome.message,
            "spec": self.spec_version,
            "check": outcome.check,
            "type": outcome.type_name,
            "case": outcome.case,
            "payload": outcome.instance,
            "finding": outcome.to_json(),
            "replay": replay,
        }
        text = json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False, default=repr)
        write_atomically(path, text + "\n")
        self.written.append(path)

    def finish(self, result: RunResult) -> None:
        return
