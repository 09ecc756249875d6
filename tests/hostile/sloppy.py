"""Answers but bends the protocol in the ways adapter-check must explain:
``stop`` missing from its hello's ops, an unknown op answered as an internal error, a
decode answered with a ``shape`` besides its ``wire`` (which only schema
validation notices), a batch answered in id order instead of request order,
and it keeps running after ``stop``."""

from __future__ import annotations

import sys
import time
from typing import Any

from good_adapter import GoodAdapter


class Sloppy(GoodAdapter):
    def answer(self, request: dict[str, Any]) -> dict[str, Any]:
        response = super().answer(request)
        if request.get("op") == "hello":
            response["hello"]["ops"].remove("stop")
        if request.get("op") == "decode" and "wire" in response:
            response["shape"] = {"type": "any"}
        error = response.get("error", {})
        if error.get("what") == "op":
            response["error"] = {"kind": "internal", "message": error["message"]}
        return response

    def serve(self) -> None:
        super().serve()
        time.sleep(3600)  # stop was answered, but the program lingers

    def send(self, response: dict[str, Any]) -> None:
        if "results" in response:
            response["results"].sort(key=lambda r: r["id"])
        super().send(response)


if __name__ == "__main__":
    Sloppy(sys.argv[1:]).serve()
