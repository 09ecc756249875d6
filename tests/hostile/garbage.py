"""Prints a line that is not JSON to stdout when it meets the trigger type
(a stray debug print), then answers as usual."""

from __future__ import annotations

import sys
from typing import Any

from good_adapter import GoodAdapter


class Garbage(GoodAdapter):
    def answer(self, request: dict[str, Any]) -> dict[str, Any]:
        if self.triggered(request):
            self.log(f"printing garbage on purpose for {request.get('type')}")
            print(f"DEBUG: look, a {request.get('type')}!", flush=True)
        return super().answer(request)


if __name__ == "__main__":
    Garbage(sys.argv[1:]).serve()
