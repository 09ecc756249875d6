"""Answers every batch with one result too few; single requests it answers
well. The runner must notice, ask again one by one, and stop batching."""

from __future__ import annotations

import sys
from typing import Any

from good_adapter import GoodAdapter


class BadBatch(GoodAdapter):
    def send(self, response: dict[str, Any]) -> None:
        if "results" in response:
            self.log("dropping the last answer of a batch on purpose")
            response["results"].pop()
        super().send(response)


if __name__ == "__main__":
    BadBatch(sys.argv[1:]).serve()
