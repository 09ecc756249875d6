"""Raises at import."""

from hostile_impl._hostile import hostile

hostile("import of hostile_impl._client")
