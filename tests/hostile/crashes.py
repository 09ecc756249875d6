"""Dies (exit 3) on any request for the trigger type, in the middle of a
batch if that is where it comes; answers everything else."""

from __future__ import annotations

import os
import sys
from typing import Any

from good_adapter import GoodAdapter


class Crashes(GoodAdapter):
    def answer(self, request: dict[str, Any]) -> dict[str, Any]:
        if self.triggered(request):
            self.log(f"crashing on purpose on {request.get('type')}")
            os._exit(3)
        return super().answer(request)


if __name__ == "__main__":
    Crashes(sys.argv[1:]).serve()
