"""Find every HTTP call the reference SDK makes, from its source.

The SDK's calls all look alike: ``<client>._post("/api/v1/x", body=model_dump(
request, ...), cast_to=T)``, in ``tinker/resources`` and in the public client
classes of ``tinker/lib``. Reading them with ``ast`` gives method, path
template, request and response type and how the body is serialized, without
running anything against a server.
"""

from __future__ import annotations

import ast
import importlib.util
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from conformance.generate._discover import is_test_module

__all__ = ["CallSite", "Endpoint", "find_endpoints"]

_VERBS = {"get": "GET", "post": "POST", "put": "PUT", "patch": "PATCH", "delete": "DELETE"}
_RAW_RESPONSES = {"APIResponse", "object", "NoneType", "Response", "bytes"}


@dataclass(frozen=True)
class CallSite:
    module: str
    function: str
    line: int


@dataclass
class Endpoint:
    """One (method, path) the SDK calls, merged over all its call sites."""

    method: str
    path: str
    operation: str
    request_type: str | None
    response_type: str | None
    body_encoding: str  # json | protobuf | none
    serialization: dict[str, Any] | None
    query: list[str]
    call_sites: list[CallSite] = field(default_factory=list)

    @property
    def key(self) -> tuple[str, str]:
        return (self.method, re.sub(r"\{[^}]*\}", "{}", self.path))


def find_endpoints(package: str = "tinker") -> list[Endpoint]:
    """Every endpoint of the SDK, resources first (they name operations best)."""
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        msg = f"cannot find the {package!r} package"
        raise ValueError(msg)
    top = Path(spec.origin).parent
    # A file walk, not pkgutil: ``tinker/lib`` is a namespace package there.
    modules = []
    for file in top.rglob("*.py"):
        parts = file.relative_to(top).with_suffix("").parts
        name = ".".join((package, *parts)).removesuffix(".__init__")
        if parts[0] in ("resources", "lib") and not is_test_module(name):
            modules.append((name, file))
    modules.sort(key=lambda m: (".resources." not in m[0], m[0]))
    merged: dict[tuple[str, str], Endpoint] = {}
    for name, file in modules:
        for ep in _scan(file, name):
            known = merged.get(ep.key)
            if known is None:
                merged[ep.key] = ep
                continue
            known.call_sites.extend(ep.call_sites)
            known.request_type = known.request_type or ep.request_type
            known.response_type = known.response_type or ep.response_type
            known.query = sorted(set(known.query) | set(ep.query))
    return sorted(merged.values(), key=lambda e: (e.path, e.method))


def _scan(path: Path, module: str) -> list[Endpoint]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[Endpoint] = []
    for outer in _outer_functions(tree):
        for node in ast.walk(outer):
            if isinstance(node, ast.Call):
                ep = _endpoint(node, outer, module)
                if ep is not None:
                    found.append(ep)
    return found


def _outer_functions(tree: ast.Module) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    """Module-level functions and methods: nested helpers belong to them."""
    result: list[ast.FunctionDef | ast.AsyncFunctionDef] = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            result.append(node)
        elif isinstance(node, ast.ClassDef):
            result.extend(
                n for n in node.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
            )
    return result


def _endpoint(
    call: ast.Call, outer: ast.FunctionDef | ast.AsyncFunctionDef, module: str
) -> Endpoint | None:
    func = call.func
    if not isinstance(func, ast.Attribute) or not call.args:
        return None
    method = _VERBS.get(func.attr.lstrip("_"))
    path = _path_template(call.args[0])
    if method is None or path is None or not path.startswith("/api/"):
        return None
    kwargs = {k.arg: k.value for k in call.keywords if k.arg}
    encoding, serialization, request_type = _body(kwargs.get("body"), outer)
    return Endpoint(
        method=method,
        path=path,
        operation=_operation(module, outer.name),
        request_type=request_type,
        response_type=_response_type(kwargs.get("cast_to")),
        body_encoding=encoding,
        serialization=serialization,
        query=_query_params(kwargs.get("options")),
        call_sites=[CallSite(module, outer.name, call.lineno)],
    )


def _path_template(node: ast.expr) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        parts = []
        for value in node.values:
            if isinstance(value, ast.Constant):
                parts.append(str(value.value))
            elif isinstance(value, ast.FormattedValue):
                parts.append("{" + ast.unparse(value.value).split(".")[-1] + "}")
        return "".join(parts)
    return None


def _operation(module: str, function: str) -> str:
    """``tinker.resources.models`` + ``get_info`` -> ``models.get_info``."""
    stem = module.rsplit(".", 1)[-1]
    name = function.strip("_")
    for suffix in ("_submit", "_async", "_impl"):
        name = name.removesuffix(suffix)
    return f"{stem}.{name}"


def _body(
    body: ast.expr | None, outer: ast.FunctionDef | ast.AsyncFunctionDef
) -> tuple[str, dict[str, Any] | None, str | None]:
    if body is None:
        return "none", None, None
    if isinstance(body, ast.Call) and _called_name(body) == "model_dump" and body.args:
        options = {
            k.arg: ast.literal_eval(k.value)
            for k in body.keywords
            if k.arg and isinstance(k.value, ast.Constant)
        }
        return "json", options, _annotation_of(outer, body.args[0])
    if isinstance(body, ast.Dict):
        keys = sorted(str(k.value) for k in body.keys if isinstance(k, ast.Constant))
        return "json", {"inline_keys": keys}, None
    source = ast.unparse(outer)
    if "SerializeToString" in source or "x-protobuf" in source or "_PROTO_" in source:
        request_type = None
        for arg in outer.args.kwonlyargs + outer.args.args:
            if arg.arg == "request" and arg.annotation is not None:
                request_type = ast.unparse(arg.annotation).split(".")[-1]
        return "protobuf", None, request_type
    return "json", None, None


def _called_name(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _annotation_of(outer: ast.FunctionDef | ast.AsyncFunctionDef, arg: ast.expr) -> str | None:
    """The type of the object given to ``model_dump``: a parameter's
    annotation, or the class a local variable was built from."""
    if not isinstance(arg, ast.Name):
        return None
    for param in outer.args.kwonlyargs + outer.args.args:
        if param.arg == arg.id and param.annotation is not None:
            return ast.unparse(param.annotation).split(".")[-1]
    for node in ast.walk(outer):
        if (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == arg.id for t in node.targets)
            and isinstance(node.value, ast.Call)
        ):
            return _called_name(node.value) or None
    return None


def _response_type(node: ast.expr | None) -> str | None:
    while isinstance(node, ast.Call) and node.args:  # cast(Any, T)
        node = node.args[-1]
    if node is None:
        return None
    name = ast.unparse(node).split(".")[-1]
    return None if name in _RAW_RESPONSES else name


def _query_params(options: ast.expr | None) -> list[str]:
    """Names of query parameters given as ``options={"params": {...}}``."""
    if not isinstance(options, ast.Dict):
        return []
    for key, value in zip(options.keys, options.values, strict=True):
        if isinstance(key, ast.Constant) and key.value == "params" and isinstance(value, ast.Dict):
            return sorted(str(k.value) for k in value.keys if isinstance(k, ast.Constant))
    return []
