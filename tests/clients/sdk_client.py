"""A scripted client made of the reference SDK alone, for the serve tests.

Run as ``python sdk_client.py PLAN.json``: the plan gives the base URL and the
calls (endpoint id, request type, arguments). Each call goes through the
installed ``tinker``'s own ``AsyncTinker`` resources and HTTP stack, pointed at
``serve`` by ``base_url``; nothing of tinker-conformance is imported. Request
types are built from their wire JSON by pydantic (``model_validate``, or a
``TypeAdapter`` for the dataclasses of newer SDKs). Behaviours of the SDK above
its resources are replayed as the SDK does them: a future is read as the
SDK's future reader reads it (the raw response of ``futures.retrieve``, polled
again while it says ``try_again``), and a 429 of ``asample`` (sent with
``max_retries=0`` and the backpressure header, as ``SamplingClient`` sends it)
is sent again after a wait. One line per call on stdout says how it ended.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

import pydantic
import tinker
from tinker import types
from tinker._client import AsyncTinker  # what the SDK's InternalClientHolder builds

BACKPRESSURE = {"X-Tinker-Sampling-Backpressure": "1"}
BACKPRESSURE_WAIT_SECONDS = 1.0  # SamplingClient's wait for a prompt under 128 KiB
POLLS = 10


async def call(client: Any, entry: dict[str, Any]) -> str:
    group, _, name = entry["endpoint"].partition(".")
    kwargs = dict(entry["args"])
    kwargs.pop("expected_type", None)  # the awaited type: the caller's, not the wire's
    if "request" in kwargs:
        cls = getattr(types, entry["request_type"])
        reader = getattr(cls, "model_validate", None) or pydantic.TypeAdapter(cls).validate_python
        kwargs["request"] = reader(kwargs["request"])
    if entry["endpoint"] == "futures.retrieve":
        for _ in range(POLLS):
            raw = await client.futures.with_raw_response.retrieve(**kwargs)
            body = await raw.json()
            if not (isinstance(body, dict) and body.get("type") == "try_again"):
                return f"value {sorted(body) if isinstance(body, dict) else type(body).__name__}"
        return "still try_again"
    method = getattr(getattr(client, group), name)
    if entry["endpoint"] == "sampling.asample":
        kwargs.update(max_retries=0, extra_headers=BACKPRESSURE)
        try:
            result = await method(**kwargs)
        except tinker.APIStatusError as exc:
            if exc.status_code != 429:
                raise
            await asyncio.sleep(BACKPRESSURE_WAIT_SECONDS)
            result = await method(**kwargs)
        return f"value {type(result).__name__}"
    result = await method(**kwargs)
    return f"value {type(result).__name__}"


async def main(plan: dict[str, Any]) -> None:
    client = AsyncTinker(
        api_key="tml-dummy", base_url=plan["base_url"], _strict_response_validation=True
    )
    async with client:
        for entry in plan["calls"]:
            try:
                outcome = await call(client, entry)
            except tinker.APIStatusError as exc:
                outcome = f"api-status {exc.status_code}"
            except tinker.APIError as exc:
                outcome = f"{type(exc).__name__}"
            except ValueError as exc:  # the SDK's own checks of what it parsed
                outcome = f"invalid-value {type(exc).__name__}"
            print(entry["endpoint"], outcome, flush=True)


if __name__ == "__main__":
    asyncio.run(main(json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))))
