"""The types of the drop-in: the vendor SDK's, by their Tinker names.

Re-exported: everything the vendor exports, and the two types it keeps in
private modules. Deliberately not here (the three gaps its audit must show):
``HealthResponse``, ``TelemetryResponse``, ``WeightsInfoResponse``. Elsewhere
in the package (found through a type map): ``LoraConfig``, ``Checkpoint``.
"""

from tinker.types import *  # noqa: F403 - a drop-in re-exports its vendor's names
from tinker.types.generic_event import GenericEvent  # noqa: F401 - re-exported
from tinker.types.try_again_response import TryAgainResponse  # noqa: F401 - re-exported

del HealthResponse, TelemetryResponse, WeightsInfoResponse  # noqa: F821 - the three gaps
del LoraConfig, Checkpoint  # noqa: F821 - renamed and moved, see tinker_dropin.adapters/storage

__all__ = [name for name in dir() if name[:1].isupper()]
