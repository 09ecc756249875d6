"""Turn discovered SDK types into one JSON Schema per type plus index entries."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import re
import typing
from collections.abc import Iterator
from typing import Any

from pydantic import ConfigDict, TypeAdapter

from conformance.generate._discover import Candidate
from conformance.generate._jsonschema import TinkerJsonSchema
from conformance.spec import type_urn

__all__ = ["TypeEntry", "build_types"]

_DIALECT = "https://json-schema.org/draft/2020-12/schema"


@dataclasses.dataclass(frozen=True)
class TypeEntry:
    """A generated schema and the facts index.json records about its type."""

    name: str
    schema: dict[str, Any]
    index: dict[str, Any]


def build_types(
    candidates: list[Candidate],
    version: str,
    domain_of: typing.Callable[[str], str],
    union_overrides: typing.Mapping[str, dict[str, str]],
) -> list[TypeEntry]:
    """Schemas for every candidate, cross-file ``$ref``s by URN."""
    names = {c.name for c in candidates}
    raw: dict[str, dict[str, Any]] = {}
    with _resolvable(candidates):
        for c in candidates:
            raw[c.name] = _pydantic_schema(c)
    entries = []
    for c in candidates:
        schema = _relink(raw[c.name], names, version, c.name)
        schema = _strip_titles(schema, keep_root=True)
        union = _union_info(c, raw, union_overrides.get(c.name))
        if union is not None:
            schema["x-tinker-union"] = union
        schema = {
            "$schema": _DIALECT,
            "$id": type_urn(version, c.name),
            "title": c.name,
            **{k: v for k, v in schema.items() if k not in ("$schema", "$id", "title")},
        }
        entries.append(TypeEntry(c.name, schema, _index_entry(c, schema, union, domain_of)))
    _share_aliases(entries, version)
    return entries


@contextlib.contextmanager
def _resolvable(candidates: list[Candidate]) -> Iterator[None]:
    """Let pydantic read the SDK's stdlib dataclasses.

    The SDK rewrites ``__module__`` of exported classes to ``tinker``, which
    breaks the resolution of their string annotations, and some hold numpy
    arrays, which pydantic refuses without ``arbitrary_types_allowed``. Both
    are put right for the duration of generation only, then restored.
    """
    saved: list[tuple[type, str, Any]] = []
    for c in candidates:
        model = c.obj
        if c.shape == "dataclass":
            saved.append((model, model.__module__, model.__dict__.get("__pydantic_config__")))
            model.__module__ = c.module
            setattr(model, "__pydantic_config__", ConfigDict(arbitrary_types_allowed=True))  # noqa: B010
    try:
        yield
    finally:
        for model, module, config in saved:
            model.__module__ = module
            if config is None:
                delattr(model, "__pydantic_config__")
            else:
                setattr(model, "__pydantic_config__", config)  # noqa: B010


def _pydantic_schema(c: Candidate) -> dict[str, Any]:
    schema: dict[str, Any] = TypeAdapter(c.json_model).json_schema(
        mode="validation", schema_generator=TinkerJsonSchema
    )
    if c.shape == "dataclass" and c.json_model is c.obj:
        _public_dataclass_shape(schema)
    _alias_choices(c.json_model, schema)
    _factory_defaults(c.json_model, schema)
    return schema


def _factory_defaults(model: Any, schema: dict[str, Any]) -> None:
    """Record ``default_factory`` defaults, which pydantic leaves out.

    A field with ``default_factory=dict`` (0.38.0's ForwardBackwardOutput.
    metrics) is sent as ``{}`` when not given: a wire-visible default. Only
    factories of JSON containers are recorded; other factories stay silent.
    """
    props = schema.get("properties", {})
    if dataclasses.is_dataclass(model):
        factories = {f.name: f.default_factory for f in dataclasses.fields(model)}
    else:
        factories = {
            name: info.default_factory for name, info in getattr(model, "model_fields", {}).items()
        }
    for name, factory in factories.items():
        if factory in (dict, list) and name in props and "default" not in props[name]:
            props[name]["default"] = factory()


def _alias_choices(model: Any, schema: dict[str, Any]) -> None:
    """Name every spelling a field accepts, not only the first.

    Pydantic's schema keeps one name for a field with
    ``validation_alias=AliasChoices(...)``; the SDK accepts all of them and
    may *send* another (0.38.0's OptimStepRequest reads ``optim_params`` but
    serializes ``adam_params`` or ``optimizer_params``). Every spelling
    becomes a property; a required field needs at least one of them.
    """
    from pydantic import AliasChoices

    props = schema.get("properties", {})
    for name, info in getattr(model, "model_fields", {}).items():
        alias = info.validation_alias
        if not isinstance(alias, AliasChoices):
            continue
        choices = [c for c in alias.choices if isinstance(c, str)]
        first = next((c for c in choices if c in props), None)
        if first is None:
            continue
        for choice in choices:
            props.setdefault(choice, props[first])
        if first in schema.get("required", []):
            schema["required"] = [r for r in schema["required"] if r != first]
            schema["anyOf"] = [{"required": [c]} for c in choices]
        schema.setdefault("x-tinker-aliases", {})[name] = choices


def _public_dataclass_shape(schema: dict[str, Any]) -> None:
    """Underscore fields of the SDK's dataclasses are private storage (list
    caches beside numpy arrays), not part of the JSON shape. A dataclass
    constructor rejects unknown keywords, hence ``additionalProperties: false``."""
    props = schema.get("properties", {})
    for key in [k for k in props if k.startswith("_")]:
        del props[key]
    if "required" in schema:
        schema["required"] = [r for r in schema["required"] if not r.startswith("_")]
    schema["additionalProperties"] = False


def _relink(schema: dict[str, Any], names: set[str], version: str, root: str) -> dict[str, Any]:
    """Replace pydantic's local ``$defs`` by references to the pack's files."""
    defs = schema.pop("$defs", {})
    def_to_type: dict[str, str] = {}
    for key, sub in defs.items():
        title = sub.get("title", key)
        if title not in names:
            msg = f"{root}: nested model {title!r} is not a discovered wire type"
            raise ValueError(msg)
        def_to_type[key] = title

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            out = {k: walk(v) for k, v in node.items()}
            ref = out.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                out["$ref"] = type_urn(version, def_to_type[ref.removeprefix("#/$defs/")])
            return out
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    result: dict[str, Any] = walk(schema)
    return result


def _strip_titles(node: Any, keep_root: bool = False) -> Any:
    """Pydantic titles every property ("Max Tokens"): noise in a wire spec."""
    if isinstance(node, dict):
        out = {}
        for k, v in node.items():
            if k == "title" and isinstance(v, str) and not keep_root:
                continue
            if k in ("properties", "$defs") and isinstance(v, dict):
                out[k] = {pk: _strip_titles(pv) for pk, pv in v.items()}
            else:
                out[k] = _strip_titles(v)
        return out
    if isinstance(node, list):
        return [_strip_titles(v) for v in node]
    return node


def _union_members(obj: Any) -> tuple[list[Any], Any]:
    """The variants of a union alias and the Stainless metadata beside them."""
    metadata: Any = None
    if typing.get_origin(obj) is typing.Annotated:
        obj, *extras = typing.get_args(obj)
        metadata = next((m for m in extras if getattr(m, "discriminator", None)), None)
    if typing.get_origin(obj) is typing.Union:
        return list(typing.get_args(obj)), metadata
    return [], None


def _union_info(
    c: Candidate, raw: dict[str, dict[str, Any]], override: dict[str, str] | None
) -> dict[str, Any] | None:
    """How a reader picks the variant of a union, as the SDK really does it.

    Tinker unions are validated by pydantic in *smart* mode: the SDK's
    ``PropertyInfo(discriminator=...)`` is Stainless metadata that pydantic
    never sees. A tag is recorded only as a hint, with whether it is enforced.
    A union pydantic cannot validate at all is not read that way by the SDK
    either; its real rule must be curated (schemas/curation.json, "unions").
    """
    members, metadata = _union_members(c.obj)
    if not members:
        return None
    variants = [_variant_name(m) for m in members]
    info: dict[str, Any] = {
        "strategy": "smart",
        "variants": variants,
        "rule": (
            "validate against every variant; the one that succeeds with the most "
            "fields set wins, ties go to the earliest in 'variants'"
        ),
    }
    enforced = type(metadata).__module__.startswith("pydantic")
    if enforced:
        info.update(
            strategy="discriminator",
            rule=(
                f"the '{metadata.discriminator}' property names the variant; a missing or "
                "unknown value is an error"
            ),
        )
    if override is not None:
        info.update(strategy=override["strategy"], rule=override["rule"])
    elif not _pydantic_can_validate(c.obj):
        msg = f"union {c.name} cannot be validated by pydantic; curate how the SDK reads it"
        raise ValueError(msg)
    tag = getattr(metadata, "discriminator", None)
    if tag is not None:
        values = {}
        for v in variants:
            const = raw.get(v, {}).get("properties", {}).get(tag, {}).get("const")
            if const is not None:
                values[const] = v
        info["tag"] = {"property": tag, "values": values, "enforced": enforced}
    return info


def _variant_name(member: Any) -> str:
    while typing.get_origin(member) is typing.Annotated:
        member = typing.get_args(member)[0]
    name = getattr(member, "__name__", None)
    if not isinstance(name, str) or typing.get_origin(member) is not None:
        msg = f"union variant {member!r} is not a named type"
        raise ValueError(msg)
    return name


def _pydantic_can_validate(obj: Any) -> bool:
    from pydantic.errors import PydanticUserError

    try:
        TypeAdapter(obj).validate_python(None, strict=False)
    except PydanticUserError:
        return False
    except ValueError:
        return True
    return True


def _kind(c: Candidate) -> str:
    if c.shape in ("model", "dataclass"):
        for suffix, kind in (("Request", "request"), ("Event", "event")):
            if c.name.endswith(suffix):
                return kind
        return "response" if re.search(r"Response(Internal)?$", c.name) else "nested"
    if c.shape == "enum":
        return "enum"
    members, _ = _union_members(c.obj)
    if members:
        return "union"
    if typing.get_origin(c.obj) is typing.Literal:
        return "enum"
    return "alias"


def _base(c: Candidate) -> str | None:
    model = c.json_model
    if c.shape == "dataclass" and model is c.obj:
        return "dataclass"
    config = getattr(model, "model_config", None)
    if config is None:
        return None
    return "strict" if config.get("extra") == "forbid" else "lenient"


def _discriminator(schema: dict[str, Any]) -> dict[str, Any] | None:
    """The ``type`` literal of a struct, and whether null stands in for it
    (several 0.15.0 responses declare ``Optional[Literal[...]] = None``)."""
    prop = schema.get("properties", {}).get("type", {})
    if "const" in prop:
        return {"property": "type", "value": prop["const"], "nullable": False}
    consts = [b["const"] for b in prop.get("anyOf", []) if "const" in b]
    if len(consts) == 1:
        return {"property": "type", "value": consts[0], "nullable": True}
    return None


def _index_entry(
    c: Candidate,
    schema: dict[str, Any],
    union: dict[str, Any] | None,
    domain_of: typing.Callable[[str], str],
) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "schema": f"{c.name}.schema.json",
        "domain": domain_of(c.name),
        "kind": _kind(c),
        "module": c.module,
        "source": c.source,
        "python": c.shape,
        "base": _base(c),
        "exported": _exported(c.name),
        "discriminator": _discriminator(schema),
    }
    if c.json_model is not c.obj:
        entry["json_model"] = f"{c.json_model.__module__}.{c.json_model.__qualname__}"
    if union is not None:
        entry["union"] = union
    return entry


def _exported(name: str) -> bool:
    import tinker.types

    return name in dir(tinker.types)


def _share_aliases(entries: list[TypeEntry], version: str) -> None:
    """Point inline copies of an enum or union alias at the alias's own file.

    Pydantic inlines ``Literal``/``Union`` aliases where fields use them; an
    inline schema identical to exactly one alias is replaced by a ``$ref`` so
    a field says "LossFnType", as the SDK's source does.
    """
    keyed: dict[str, list[str]] = {}
    for e in entries:
        if e.index["kind"] in ("enum", "union"):
            keyed.setdefault(_body_key(e.schema), []).append(e.name)
    unique = {key: names[0] for key, names in keyed.items() if key and len(names) == 1}

    def walk(node: Any, owner: str) -> Any:
        if isinstance(node, dict):
            key = _body_key(node)
            target = unique.get(key)
            if target is not None and target != owner:
                extra = {k: v for k, v in node.items() if k in ("default", "description")}
                return {"$ref": type_urn(version, target), **extra}
            return {k: walk(v, owner) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v, owner) for v in node]
        return node

    for e in entries:
        if e.index["kind"] in ("enum", "union", "alias"):
            continue
        props = e.schema.get("properties", {})
        for name, sub in props.items():
            props[name] = walk(sub, e.name)


def _body_key(schema: dict[str, Any]) -> str:
    body = {
        k: v
        for k, v in schema.items()
        if k not in ("$schema", "$id", "title", "description", "default", "x-tinker-union")
    }
    return json.dumps(body, sort_keys=True) if body else ""
