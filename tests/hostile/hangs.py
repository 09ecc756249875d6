"""Never answers a request for the trigger type (sleeps until killed)."""

from __future__ import annotations

import sys
import time
from typing import Any

from good_adapter import GoodAdapter


class Hangs(GoodAdapter):
    def answer(self, request: dict[str, Any]) -> dict[str, Any]:
        if self.triggered(request):
            self.log(f"hanging on purpose on {request.get('type')}")
            time.sleep(3600)
        return super().answer(request)


if __name__ == "__main__":
    Hangs(sys.argv[1:]).serve()
