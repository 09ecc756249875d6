"""Load a spec pack (``schemas/<version>/``) and validate instances against it.

A pack is read whole and checked before anything uses it: every file must
parse, every schema must be valid 2020-12, index.json must match its own
meta-schema, every ``$ref`` must resolve inside the pack. A broken pack fails
loudly with the file and JSON pointer.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import referencing
import referencing.jsonschema
from jsonschema.exceptions import SchemaError, ValidationError
from jsonschema.validators import Draft202012Validator
from referencing.exceptions import Unresolvable

from conformance._data import load_checked, load_json, packs_dir, pointer
from conformance._errors import SpecError

__all__ = ["STRUCT_KINDS", "SpecPack", "available_versions", "load_pack", "type_urn"]

#: index.json kinds whose types are structs (fields, a constructor), as
#: opposed to enums, unions and aliases.
STRUCT_KINDS = frozenset({"request", "response", "event", "nested"})

_URN_PREFIX = "urn:tinker-conformance:schema"


def type_urn(version: str, name: str) -> str:
    """The stable ``$id`` of a type's schema in a pack: a URN, no host names."""
    return f"{_URN_PREFIX}:{version}:{name}"


def available_versions(root: Path | None = None) -> list[str]:
    """Versions that have a pack under ``root`` (the packs in use), oldest first."""
    from packaging.version import InvalidVersion, Version

    root = root or packs_dir()
    found = []
    for child in root.iterdir() if root.is_dir() else []:
        try:
            found.append((Version(child.name), child.name))
        except InvalidVersion:
            continue
    return [name for _, name in sorted(found)]


@dataclass(frozen=True)
class SpecPack:
    """One version's schemas and index, ready to validate instances."""

    version: str
    root: Path
    index: Mapping[str, Any]
    schemas: Mapping[str, Mapping[str, Any]]
    _validators: dict[str, Draft202012Validator] = field(
        default_factory=dict, repr=False, compare=False
    )

    @property
    def types(self) -> Mapping[str, Any]:
        """index.json's entry for every type, by name."""
        result: Mapping[str, Any] = self.index["types"]
        return result

    @property
    def endpoints(self) -> list[Mapping[str, Any]]:
        result: list[Mapping[str, Any]] = self.index["endpoints"]
        return result

    def schema_path(self, name: str) -> Path:
        return self.root / str(self.types[name]["schema"])

    @cached_property
    def registry(self) -> referencing.Registry[Any]:
        resources = [
            (type_urn(self.version, name), referencing.jsonschema.DRAFT202012.create_resource(s))
            for name, s in self.schemas.items()
        ]
        return referencing.Registry().with_resources(resources).crawl()

    def validator(self, name: str) -> Draft202012Validator:
        """A 2020-12 validator for one type, formats asserted, refs resolved
        through the pack's registry (never the network)."""
        if name not in self.schemas:
            raise SpecError(
                "no such type in this pack",
                file=self.root / "index.json",
                pointer=pointer(["types", name]),
                type_name=name,
            )
        found = self._validators.get(name)
        if found is None:
            found = Draft202012Validator(
                self.schemas[name],
                registry=self.registry,
                format_checker=Draft202012Validator.FORMAT_CHECKER,
            )
            self._validators[name] = found
        return found

    def errors(self, name: str, instance: Any) -> list[ValidationError]:
        """Every reason ``instance`` is not a valid ``name``, deepest first."""
        try:
            return sorted(
                self.validator(name).iter_errors(instance),
                key=lambda e: (-len(e.absolute_path), list(map(str, e.absolute_path))),
            )
        except Unresolvable as exc:
            raise SpecError(
                f"unresolvable $ref {exc.ref!r}",
                file=self.schema_path(name),
                type_name=name,
            ) from None

    def is_valid(self, name: str, instance: Any) -> bool:
        return not self.errors(name, instance)

    def check(self, name: str, instance: Any, *, source: Path | str | None = None) -> None:
        """Raise a SpecError naming the first violation, if any."""
        errs = self.errors(name, instance)
        if errs:
            err = errs[0]
            raise SpecError(
                f"not a valid {name}: {err.message}",
                file=source or self.schema_path(name),
                pointer=pointer(err.absolute_path),
                type_name=name,
                instance=err.instance,
                hint=f"schema path {pointer(err.absolute_schema_path)}",
            )

    def __iter__(self) -> Iterator[str]:
        return iter(self.types)


def load_pack(version: str, root: Path | None = None) -> SpecPack:
    """Read and check ``root/<version>`` (root: the packs in use); raise
    SpecError on the first defect."""
    root = root or packs_dir()
    pack_dir = root / version
    if not pack_dir.is_dir():
        known = ", ".join(available_versions(root)) or "none"
        raise SpecError(
            f"no spec pack for version {version!r} (packs here: {known})", file=pack_dir
        )
    index = load_checked(pack_dir / "index.json", "index.schema.json")
    schemas: dict[str, Mapping[str, Any]] = {}
    for name, entry in index["types"].items():
        path = pack_dir / entry["schema"]
        schema = load_json(path)
        _check_schema(schema, path, name, version)
        schemas[name] = schema
    pack = SpecPack(version=version, root=pack_dir, index=index, schemas=schemas)
    for name in schemas:
        _check_refs(pack, name)
    return pack


#: Keywords whose values are instances, not schemas: a ``$ref`` key in them is data.
_DATA_KEYWORDS = frozenset({"const", "default", "enum", "examples"})
#: Keywords whose values map names to schemas: their keys are names, never keywords.
_SCHEMA_MAPS = frozenset({"properties", "patternProperties", "$defs", "dependentSchemas"})


def _check_refs(pack: SpecPack, name: str) -> None:
    """Every ``$ref`` of a type's schema resolves inside the pack. The
    registry has no retriever, so nothing is fetched; a reference to
    ``http://...``, a file or a URN the pack lacks would otherwise resolve to
    nothing while judging, and read as data loss instead of a broken pack."""
    resolver = pack.registry.resolver(base_uri=type_urn(pack.version, name))
    # (node, its path, whether it maps names to schemas)
    stack: list[tuple[Any, tuple[str | int, ...], bool]] = [(pack.schemas[name], (), False)]
    while stack:
        node, path, names = stack.pop()
        if isinstance(node, list):
            stack.extend((item, (*path, i), False) for i, item in enumerate(node))
            continue
        if not isinstance(node, Mapping):
            continue
        ref = None if names else node.get("$ref")
        if isinstance(ref, str):
            try:
                resolver.lookup(ref)
            except Unresolvable:
                raise SpecError(
                    f"$ref {ref!r} does not resolve inside the pack (nothing is fetched: "
                    "a reference must be a type URN of this pack or a pointer into one)",
                    file=pack.schema_path(name),
                    pointer=pointer([*path, "$ref"]),
                    type_name=name,
                ) from None
        stack.extend(
            (value, (*path, key), not names and key in _SCHEMA_MAPS)
            for key, value in node.items()
            if names or key not in _DATA_KEYWORDS
        )


def _check_schema(schema: Any, path: Path, name: str, version: str) -> None:
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        raise SpecError(
            f"not a valid JSON Schema 2020-12: {exc.message}",
            file=path,
            pointer=pointer(exc.absolute_path),
            type_name=name,
            instance=exc.instance,
        ) from None
    expected = type_urn(version, name)
    if schema.get("$id") != expected:
        raise SpecError(
            f"$id is {schema.get('$id')!r}, expected {expected!r}",
            file=path,
            pointer="/$id",
            type_name=name,
        )
