"""What every hostile part raises: a plain exception no caller expects."""

from __future__ import annotations

from typing import Any, NoReturn


class HostileError(Exception):
    """Raised on purpose by the hostile implementation."""


def hostile(where: str) -> NoReturn:
    raise HostileError(f"hostile: {where}")


class _Raising(type):
    """A metaclass: any attribute the class lacks raises (not AttributeError)."""

    def __getattr__(cls, name: str) -> Any:
        hostile(f"attribute {cls.__name__}.{name}")


def hostile_class(name: str) -> type:
    """A class whose construction, reading and every unknown attribute raise."""

    def model_validate(cls: type, payload: Any) -> NoReturn:
        hostile(f"{name}.model_validate")

    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        hostile(f"{name}()")

    return _Raising(name, (), {"__init__": init, "model_validate": classmethod(model_validate)})
