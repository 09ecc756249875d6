"""Raw results as JSON: written at finish, also when the run failed midway."""

from __future__ import annotations

import json
from pathlib import Path

from conformance._paths import write_atomically
from conformance.checks import Outcome
from conformance.runner import RunResult

__all__ = ["RawResultsWriter"]


class RawResultsWriter:
    def __init__(self, path: Path) -> None:
        self.path = path

    def start(self, result: RunResult) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)

    def handle(self, outcome: Outcome) -> None:
        return

    def finish(self, result: RunResult) -> None:
        text = json.dumps(
            result.to_json(), indent=2, ensure_ascii=False, allow_nan=False, default=repr
        )
        write_atomically(self.path, text + "\n")
