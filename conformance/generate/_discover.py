"""Find every type the reference SDK defines in ``tinker.types``.

The SDK is read two ways at once: its source (``ast``) says which names a
module *defines* (as opposed to imports), and the imported module gives the
live object. Anything defined there that is a class or a type alias is a
candidate wire type; the generator must then either write a schema for it or
find it in the curated exclusion list, so nothing is dropped silently.
"""

from __future__ import annotations

import ast
import dataclasses
import enum
import importlib
import inspect
import pkgutil
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["Candidate", "discover", "is_test_module"]

_BUILTIN_ALIAS_TARGETS = (str, int, float, bool, bytes, dict, list)


@dataclass(frozen=True)
class Candidate:
    """One name defined in a module of ``tinker.types``.

    ``json_model`` is the object whose JSON shape the wire carries. It is the
    object itself, except where the SDK keeps a public dataclass and a pydantic
    twin of the same name in a private module (0.38.0's ``_pydantic_types``):
    there the twin is what speaks JSON.
    """

    name: str
    module: str
    obj: Any
    json_model: Any
    shape: str  # model | dataclass | enum | alias | other-class
    private_module: bool
    #: Where the name is defined, as a reader finds it in the SDK: the file
    #: relative to the installed package's parent (``tinker/types/x.py``)
    #: and the line of its statement (the report's "where to fix").
    source: dict[str, Any]


def is_test_module(name: str) -> bool:
    leaf = name.rsplit(".", 1)[-1]
    return leaf.endswith("_test") or leaf.startswith("test_")


def _defined_names(path: Path) -> list[tuple[str, bool, int]]:
    """Top-level public names a module defines, in order, each with whether
    it is a ``class`` statement and its line (the SDK rewrites ``__module__``
    of exported classes to ``tinker``, so ``inspect`` would point at the
    package's ``__init__``: the source is the only honest witness)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: list[tuple[str, bool, int]] = []
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            names.append((node.name, True, node.lineno))
        elif isinstance(node, ast.Assign):
            names.extend(
                (t.id, False, node.lineno) for t in node.targets if isinstance(t, ast.Name)
            )
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.append((node.target.id, False, node.lineno))
    return [(n, is_class, line) for n, is_class, line in names if not n.startswith("_")]


def _imported_names(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        alias.asname or alias.name
        for node in tree.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    ]


def _shape(obj: Any) -> str | None:
    if inspect.isclass(obj):
        if _is_pydantic_model(obj):
            return "model"
        if dataclasses.is_dataclass(obj):
            return "dataclass"
        if issubclass(obj, enum.Enum):
            return "enum"
        if obj in _BUILTIN_ALIAS_TARGETS:
            return "alias"
        return "other-class"
    if typing.get_origin(obj) is not None:
        return "alias"
    return None


def _is_pydantic_model(obj: type) -> bool:
    return any(
        c.__module__.startswith("pydantic") and c.__name__ == "BaseModel" for c in obj.__mro__
    )


def discover(package: str = "tinker.types") -> list[Candidate]:
    """Every candidate wire type, public names first, twins merged."""
    root = importlib.import_module(package)
    top_package = importlib.import_module(package.split(".", maxsplit=1)[0])
    top = Path(next(iter(top_package.__path__))).parent
    found: dict[str, list[Candidate]] = {}
    imports: dict[str, set[str]] = {}
    for info in pkgutil.walk_packages(root.__path__, prefix=f"{package}."):
        if is_test_module(info.name):
            continue
        module = importlib.import_module(info.name)
        file = getattr(module, "__file__", None)
        if file is None:
            continue
        private = any(part.startswith("_") for part in info.name.split(".")[2:])
        if not private:
            imports[info.name] = set(_imported_names(Path(file)))
        where = Path(file).resolve().relative_to(top.resolve()).as_posix()
        for name, is_class, line in _defined_names(Path(file)):
            obj = getattr(module, name, None)
            shape = _shape(obj)
            if shape is None:
                continue
            if not is_class and inspect.isclass(obj) and obj not in _BUILTIN_ALIAS_TARGETS:
                continue  # ``X = SomeClass``: a second name for a class defined elsewhere
            found.setdefault(name, []).append(
                Candidate(name, info.name, obj, obj, shape, private, {"file": where, "line": line})
            )
    merged = [_merge(name, entries) for name, entries in sorted(found.items())]
    return [_public_home(c, package, imports) for c in merged]


def _public_home(c: Candidate, package: str, imports: dict[str, set[str]]) -> Candidate:
    """A type defined in a private module but re-exported by its public
    namesake module (``types/x.py`` importing from ``types/_private/x.py``)
    lives, for users, in the public one."""
    if not c.private_module:
        return c
    home = f"{package}.{c.module.rsplit('.', 1)[-1]}"
    if c.name in imports.get(home, set()):
        return dataclasses.replace(c, module=home, private_module=False)
    return c


def _merge(name: str, entries: list[Candidate]) -> Candidate:
    """Fold a public class and its private pydantic twin into one candidate."""
    if len(entries) == 1:
        return entries[0]
    public = [c for c in entries if not c.private_module]
    twins = [c for c in entries if c.private_module]
    if len(public) == 1 and len(twins) == 1:
        twin = twins[0]
        if twin.shape == "model" and public[0].shape != "model":
            return dataclasses.replace(public[0], json_model=twin.obj)
        return public[0]
    where = ", ".join(c.module for c in entries)
    msg = f"type name {name!r} is defined in several modules ({where}); which is on the wire?"
    raise ValueError(msg)
