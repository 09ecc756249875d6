"""Answers well (``--echo``) and writes, for every line it reads, the op, the
number of requests of a batch and the line's length in bytes to the file
named by ``--record=FILE``: what the runner's batching sends, seen from the
adapter's side."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

from good_adapter import GoodAdapter


class RecordsBatches(GoodAdapter):
    def __init__(self, argv: list[str]) -> None:
        super().__init__(argv)
        record = next(a for a in argv if a.startswith("--record="))
        self.record = Path(record.removeprefix("--record="))

    def lines(self) -> Iterator[bytes]:
        with self.record.open("a") as out:
            for raw in super().lines():
                request = json.loads(raw)
                seen = {"op": request.get("op"), "bytes": len(raw)}
                if request.get("op") == "batch":
                    seen["requests"] = len(request["requests"])
                out.write(json.dumps(seen) + "\n")
                out.flush()
                yield raw


if __name__ == "__main__":
    RecordsBatches(sys.argv[1:]).serve()
