"""What an adapter op can answer: a closed union of frozen result types.

Every op returns one of these and never raises for anything the
implementation did: a rejected payload, an unsupported type or op, an
exception inside the implementation, a crash or a timeout are all results,
so a run never stops half-way (Bowtie's ``AnyTestResult`` is the model).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "Crashed",
    "Encoded",
    "Errored",
    "Hello",
    "Incident",
    "Inspected",
    "OpResult",
    "ProtocolError",
    "Rejected",
    "Returned",
    "TimedOut",
    "TypeMap",
    "Unsupported",
]


@dataclass(frozen=True, kw_only=True)
class TypeMap:
    """A map file that pointed pack types at other names (an in-process
    audit of a Python implementation that renamed or moved them): the file,
    and each entry that found a type, ``(pack type, dotted path)``. The
    report lists them, so an audit is never silently bent."""

    file: str
    used: tuple[tuple[str, str], ...]


@dataclass(frozen=True, kw_only=True)
class Hello:
    """Who the implementation is and what it claims to support."""

    name: str
    language: str
    version: str
    spec_version: str
    ops: tuple[str, ...]
    types: tuple[str, ...] | None = None  # None: every type of the pack
    #: Types it builds and inspects but cannot read (no decoder): their
    #: ``decode`` is ``Unsupported(what="decoder")``, never asked.
    encode_only: tuple[str, ...] = ()
    protocol_version: str = "1"
    type_map: TypeMap | None = None
    #: Where the implementation defines its subjects (subject -> ``file[:line]``),
    #: for the report's "where to fix"; empty when the hello names none.
    sources: Mapping[str, str] = field(default_factory=dict, hash=False)


@dataclass(frozen=True, kw_only=True)
class Incident:
    """Something the adapter did that is no op's result but a fact of the run:
    a batch that failed whole and was answered one request at a time
    (``batching-off``), a program that exited between requests
    (``restarted``), a ``stop`` answered wrongly (``stop``)."""

    kind: str
    message: str


@dataclass(frozen=True, kw_only=True)
class Encoded:
    """decode/construct succeeded: the value, encoded back to wire JSON."""

    wire: Any


@dataclass(frozen=True, kw_only=True)
class Returned:
    """call/request succeeded: what the call returned, as wire JSON, and the
    pack type it is where the implementation names it. For ``call`` the
    value is ``{"returned": ..., "self"?: ...}`` (docs/BEHAVIOURS.md); for
    ``request`` the API call's result (docs/PROTOCOL.md)."""

    value: Any
    type_name: str | None = None


@dataclass(frozen=True, kw_only=True)
class Inspected:
    """inspect succeeded: the native shape, in the neutral vocabulary
    (docs/SHAPES.md): ``{"type": "struct:Name", "fields": {name: shape}}``."""

    shape: Any


@dataclass(frozen=True, kw_only=True)
class Rejected:
    """The implementation refused the input (a validation error): expected
    for invalid fixtures, a finding for valid ones.

    ``kind`` is the neutral kind of the refusal where the op has one: a
    helper's error kind (``invalid-value``, ``unknown-key``, ...) for
    ``call``, the API error's (``api-status``, ``connection``, ...) for
    ``request``; ``status`` the HTTP status of an ``api-status`` error. The
    message is for people and never judged."""

    message: str
    kind: str | None = None
    status: int | None = None


@dataclass(frozen=True, kw_only=True)
class Unsupported:
    """The implementation lacks the type, op, helper or endpoint; or, for
    ``decode`` alone, the type's decoder (``what="decoder"``: the type is
    there, built and inspected, but only ever sent)."""

    what: str  # "type" | "decoder" | "op" | "helper" | "endpoint"
    name: str
    message: str = ""


@dataclass(frozen=True, kw_only=True)
class Errored:
    """The implementation reported an internal error (or raised, in process)."""

    message: str
    stderr: str = ""


@dataclass(frozen=True, kw_only=True)
class ProtocolError:
    """The adapter broke the protocol (garbage on stdout, a wrong id, a
    message against schemas/protocol/) rather than reporting an error of
    the implementation."""

    message: str
    stderr: str = ""


@dataclass(frozen=True, kw_only=True)
class Crashed:
    """The implementation's process died while handling this request."""

    message: str
    stderr: str = ""
    exit_code: int | None = None


@dataclass(frozen=True, kw_only=True)
class TimedOut:
    """No answer within the per-request timeout."""

    seconds: float
    message: str = ""  # what was waited for, or why it was not asked again
    stderr: str = field(default="")


OpResult = (
    Encoded
    | Returned
    | Inspected
    | Rejected
    | Unsupported
    | Errored
    | ProtocolError
    | Crashed
    | TimedOut
)
