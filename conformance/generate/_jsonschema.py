"""Pydantic's JSON Schema, corrected where it does not say what the wire carries.

Each override below fixes one place where ``model_json_schema()`` is lossy for
the Tinker wire; docs/PACKS.md lists them with the reason. Standard 2020-12
keywords are used wherever one exists; ``x-tinker-*`` keywords only carry
facts no standard keyword can (how a union picks its variant, that an
integer is a unix time).
"""

from __future__ import annotations

from typing import Any

from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

__all__ = ["UNIX_SECONDS_MAX", "TinkerJsonSchema"]

#: Pydantic reads integers above 2e10 as milliseconds; below it, as seconds.
UNIX_SECONDS_MAX = 20_000_000_000


class TinkerJsonSchema(GenerateJsonSchema):
    """Schema generator for the Tinker wire (JSON Schema 2020-12)."""

    def datetime_schema(self, schema: core_schema.DatetimeSchema) -> JsonSchemaValue:
        # Pydantic says only ``format: date-time``; the SDK also accepts unix
        # seconds (lax mode) and the server does send them (archive ``expires``).
        return {
            "anyOf": [
                {"type": "string", "format": "date-time"},
                {
                    "type": "integer",
                    "minimum": 0,
                    "exclusiveMaximum": UNIX_SECONDS_MAX,
                    "x-tinker-datetime": "unix-seconds",
                },
            ]
        }

    def bytes_schema(self, schema: core_schema.BytesSchema) -> JsonSchemaValue:
        # Pydantic says ``format: binary``; the only bytes field on the wire
        # (ImageChunk.data) is base64 text, by the SDK's own (de)serializer.
        return {"type": "string", "contentEncoding": "base64"}

    def model_schema(self, schema: core_schema.ModelSchema) -> JsonSchemaValue:
        result = super().model_schema(schema)
        return _with_additional_properties(
            result, schema.get("config", {}).get("extra_fields_behavior")
        )

    def dataclass_schema(self, schema: core_schema.DataclassSchema) -> JsonSchemaValue:
        result = super().dataclass_schema(schema)
        return _with_additional_properties(
            result, schema.get("config", {}).get("extra_fields_behavior")
        )

    def is_instance_schema(self, schema: core_schema.IsInstanceSchema) -> JsonSchemaValue:
        # numpy arrays in 0.38.0 dataclasses: on the JSON wire a flat list of numbers.
        cls = schema["cls"]
        if getattr(cls, "__module__", "").startswith("numpy") and cls.__name__ == "ndarray":
            return {"type": "array", "items": {"type": "number"}, "x-tinker-native": "ndarray"}
        return super().is_instance_schema(schema)


def _with_additional_properties(result: JsonSchemaValue, extra: Any) -> JsonSchemaValue:
    """Say strictness explicitly: strict requests forbid unknown properties,
    lenient responses allow them (the default, made visible for readers)."""
    target = result
    if "$ref" in result and "properties" not in result:
        return result
    if extra == "forbid":
        target["additionalProperties"] = False
    else:
        target.setdefault("additionalProperties", True)
    return target
