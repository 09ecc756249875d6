"""Everything that knows the reference SDK (``tinker`` on PyPI): its classes,
how its values are read from and written to the wire, its helpers, its
endpoint calls, the in-process adapter and the protocol server program.

Nothing outside this room imports ``tinker``; ``conformance.generate`` uses
it to record packs and fixtures, never the other way round.
"""

from conformance.reference._classes import installed_version
from conformance.reference.adapter import TinkerSdkAdapter

__all__ = ["TinkerSdkAdapter", "installed_version"]
