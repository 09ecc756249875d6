"""Writes 256 KiB to stderr before every answer (megabytes over a run);
on the trigger type it floods 4 MiB more, says its last words and dies."""

from __future__ import annotations

import os
import sys
from typing import Any

from good_adapter import GoodAdapter

CHUNK = ("noise " * 1024 + "\n").encode()  # about 6 KiB


class FloodsStderr(GoodAdapter):
    def answer(self, request: dict[str, Any]) -> dict[str, Any]:
        self.flood(256 * 1024)
        if self.triggered(request):
            self.flood(4 * 1024 * 1024)
            self.log(f"last words: dying on {request.get('type')}")
            os._exit(4)
        return super().answer(request)

    def flood(self, size: int) -> None:
        for _ in range(size // len(CHUNK)):
            sys.stderr.buffer.write(CHUNK)
        sys.stderr.buffer.flush()


if __name__ == "__main__":
    FloodsStderr(sys.argv[1:]).serve()
