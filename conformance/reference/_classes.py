"""Find a Python implementation's classes for a pack's types, in process.

The module functions (``native_class``, ``json_class``, ``twin_map``,
``module_map``) read the reference SDK at the module paths its pack records:
the generator and the tests of the reference use them. An audit uses
:class:`Classes`, which looks a type up as users of any implementation do:

- ``map``: the path a map file gives for it (a type renamed or moved,
  ``{"LoraConfig": "mypkg.LoraAdapterConfig"}``); every entry used is kept
  in ``used``, so the report can list it;
- ``public``: its public name in each namespace, in order: the pack's
  ``sdk.exports`` (``tinker.types``, ``tinker``), or the ones an
  ``--adapter python-package:`` spec names;
- ``module``: the reference's own module path (index.json ``module``), and
  there its pydantic twin (``json_model``).

The sources are tried in the lookup's ``order``. An ``ImportError`` or
``AttributeError`` means "not there" and the next source is tried; any other
exception raised while importing or reading an attribute is the
implementation failing (:class:`Unreadable`), never taken for an absence.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, packages_distributions, version
from typing import Any

from conformance.spec import SpecPack

__all__ = [
    "SOURCES",
    "Absent",
    "Classes",
    "Lookup",
    "Unreadable",
    "distribution",
    "installed_version",
    "json_class",
    "module_map",
    "native_class",
    "twin_map",
]

#: Where a type may be found, in the default order of the reference.
SOURCES = ("map", "public", "module")


def installed_version() -> str | None:
    """The installed ``tinker`` version, or None where the SDK is absent."""
    try:
        return version("tinker")
    except PackageNotFoundError:
        return None


def distribution(module: str) -> tuple[str, str] | None:
    """(name, version) of the installed distribution that provides the
    top-level package of ``module``, or None where none does (a folder on
    ``sys.path``)."""
    root = module.partition(".")[0]
    for name in packages_distributions().get(root, []):
        try:
            return name, version(name)
        except PackageNotFoundError:
            continue
    return None


def _load(dotted: str) -> Any:
    module, _, name = dotted.rpartition(".")
    if not module:
        msg = f"{dotted!r} is not a dotted path (module.Name)"
        raise ImportError(msg)
    return getattr(importlib.import_module(module), name)


def native_class(pack: SpecPack, name: str) -> Any:
    """The object users of the SDK see for ``name`` (class, alias or enum)."""
    return _load(f"{pack.types[name]['module']}.{name}")


def json_class(pack: SpecPack, name: str) -> Any:
    """The class that speaks JSON for ``name``: its pydantic twin if it has
    one, else (and where an older SDK lacks the twin) the class itself."""
    entry = pack.types[name]
    if "json_model" in entry:
        try:
            return _load(entry["json_model"])
        except (ImportError, AttributeError):
            pass
    return native_class(pack, name)


def module_map(pack: SpecPack) -> Mapping[str, str]:
    return {name: entry["module"] for name, entry in pack.types.items()}


def twin_map(pack: SpecPack) -> Mapping[str, type]:
    """Pydantic twins of the pack's dataclasses that the installed SDK has
    (an older SDK audited against a newer pack has none of them)."""
    twins = {}
    for name, entry in pack.types.items():
        if "json_model" in entry:
            try:
                twins[name] = _load(entry["json_model"])
            except (ImportError, AttributeError):
                continue
    return twins


class Absent(AttributeError):
    """No source of the lookup has the type: ``tried`` says where it looked.
    An ``AttributeError``, as a missing attribute is, for callers that treat
    both as "this implementation lacks it"."""

    def __init__(self, type_name: str, tried: list[str]) -> None:
        super().__init__(f"{type_name} not found (looked up: {'; '.join(tried)})")
        self.type_name = type_name
        self.tried = tried


class Unreadable(Exception):
    """Importing or reading ``path`` raised something other than an absence:
    the implementation failed while the suite only looked. ``__cause__`` is
    the implementation's exception."""

    def __init__(self, type_name: str, path: str, exc: BaseException) -> None:
        super().__init__(f"looking up {type_name} at {path} raised {type(exc).__name__}: {exc}")
        self.type_name = type_name
        self.path = path


@dataclass(frozen=True, kw_only=True)
class Lookup:
    """How an audit finds the types: ``namespaces`` (None: the pack's
    ``sdk.exports``), the ``order`` of the sources (``SOURCES``), and a map
    file's entries (``type_map``, read from ``map_file``)."""

    namespaces: tuple[str, ...] | None = None
    order: tuple[str, ...] = SOURCES
    type_map: Mapping[str, str] = field(default_factory=dict)
    map_file: str | None = None


class Classes:
    """The classes of the implementation under audit, found by ``lookup``
    for ``pack`` and remembered (a failure too: asking again gives the same
    answer without running the implementation's import again)."""

    def __init__(self, pack: SpecPack, lookup: Lookup | None = None) -> None:
        self.pack = pack
        self.lookup = lookup or Lookup()
        exports: tuple[str, ...] = tuple(pack.index["sdk"]["exports"])
        self.namespaces = self.lookup.namespaces or exports
        #: The map file's entries that found a type: pack type -> dotted path.
        self.used: dict[str, str] = {}
        self._found: dict[str, Any] = {}
        self._where: dict[str, str] = {}
        self._failed: dict[str, Exception] = {}

    @property
    def root(self) -> str:
        """The top-level package of the implementation (its first namespace's)."""
        return self.namespaces[0].partition(".")[0]

    def where(self, type_name: str) -> str | None:
        """The dotted path ``type_name`` was found at, once found."""
        return self._where.get(type_name)

    def native(self, type_name: str) -> Any:
        """The object users see for ``type_name``; ``Absent`` or ``Unreadable``."""
        if type_name in self._found:
            return self._found[type_name]
        if type_name in self._failed:
            raise self._failed[type_name]
        try:
            path, found = self._find(type_name)
        except (Absent, Unreadable) as exc:
            self._failed[type_name] = exc
            raise
        self._found[type_name] = found
        self._where[type_name] = path
        return found

    def json(self, type_name: str) -> Any:
        """The class that speaks JSON for ``type_name``: where the lookup
        reads the reference's module paths and the pack names a pydantic
        twin, the twin found there; else the native object."""
        native = self.native(type_name)
        twin = self._twin(type_name)
        return native if twin is None else twin

    def twins(self) -> Mapping[str, type]:
        """The pydantic twins the implementation has (see ``json``)."""
        found = {}
        for name in self.pack.types:
            twin = self._twin(name)
            if twin is not None:
                found[name] = twin
        return found

    def _twin(self, type_name: str) -> Any:
        dotted = self.pack.types.get(type_name, {}).get("json_model")
        if dotted is None or "module" not in self.lookup.order:
            return None
        try:
            return _load(dotted)
        except (ImportError, AttributeError):
            return None
        except Exception as exc:
            raise Unreadable(type_name, dotted, exc) from exc

    def _candidates(self, type_name: str) -> list[tuple[str, str]]:
        entry = self.pack.types.get(type_name)
        paths: list[tuple[str, str]] = []
        for source in self.lookup.order:
            if source == "map" and type_name in self.lookup.type_map:
                paths.append(("map", self.lookup.type_map[type_name]))
            elif source == "public":
                paths += [("public", f"{ns}.{type_name}") for ns in self.namespaces]
            elif source == "module" and entry is not None:
                paths.append(("module", f"{entry['module']}.{type_name}"))
        return paths

    def _find(self, type_name: str) -> tuple[str, Any]:
        tried = []
        for source, path in self._candidates(type_name):
            try:
                found = _load(path)
            except (ImportError, AttributeError) as exc:
                tried.append(f"{path}: {type(exc).__name__}: {exc}")
                continue
            except Exception as exc:
                raise Unreadable(type_name, path, exc) from exc
            if source == "map":
                self.used[type_name] = path
            return path, found
        raise Absent(type_name, tried or [f"no source in the lookup order {self.lookup.order}"])
