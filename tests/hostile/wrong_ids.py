"""Answers requests for the trigger type under another id (id + 1000)."""

from __future__ import annotations

import sys
from typing import Any

from good_adapter import GoodAdapter


class WrongIds(GoodAdapter):
    def answer(self, request: dict[str, Any]) -> dict[str, Any]:
        response = super().answer(request)
        if self.triggered(request):
            self.log(f"answering {request.get('type')} under a wrong id on purpose")
            response["id"] += 1000
        return response


if __name__ == "__main__":
    WrongIds(sys.argv[1:]).serve()
