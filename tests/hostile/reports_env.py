"""Answers a decode of the type ``ENV`` with its own environment, to show
which variables the runner passed on."""

from __future__ import annotations

import os
import sys
from typing import Any

from good_adapter import GoodAdapter


class ReportsEnv(GoodAdapter):
    def run(self, request_id: int, op: str, type_name: str, data: Any) -> dict[str, Any]:
        if type_name == "ENV":
            return {"id": request_id, "ok": True, "wire": dict(os.environ)}
        return super().run(request_id, op, type_name, data)


if __name__ == "__main__":
    ReportsEnv(sys.argv[1:]).serve()
