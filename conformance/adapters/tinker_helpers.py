"""The reference SDK's answer to the ``call`` op: helper behaviours.

``call(pack, helper, args)`` runs a helper of the installed ``tinker``
(``ModelInput.append_int``, ``Datum.new``, ``LossFnType.values``, ...; the
table is ``conformance.generate._behaviours.HELPERS``) and answers with an
op result, never an exception:

- ``Encoded(wire={"returned": ..., "self": ...})``: the returned value as
  wire JSON and, for instance helpers, the receiver after the call;
- ``Rejected(message="<kind>: <message>")``: the SDK raised an error of a
  neutral kind (``invalid-value``, ``unknown-key``, ``invalid-type``,
  ``unsupported``);
- ``Unsupported(what="helper", name=helper)``: this SDK version lacks it;
- ``Errored``: anything else the SDK (or the helper table) raised.
"""

from __future__ import annotations

import traceback
from collections.abc import Mapping
from typing import Any

from conformance.adapters._results import Encoded, Errored, OpResult, Rejected, Unsupported
from conformance.spec import SpecPack

__all__ = ["call"]


def call(pack: SpecPack, helper: str, args: Mapping[str, Any]) -> OpResult:
    """The installed reference's result of ``helper(args)``, read with ``pack``."""
    from conformance.generate._behaviours import Missing, reference_call

    try:
        answer = reference_call(pack, helper, args)
    except Exception as exc:  # the SDK misbehaved: a result, not a crash
        return Errored(
            message=f"{type(exc).__name__} in the SDK: {exc}",
            stderr="".join(traceback.format_exception(exc)),
        )
    if isinstance(answer, Missing):
        return Unsupported(what="helper", name=helper, message=answer.reason)
    error = answer.get("error")
    if error is not None:
        return Rejected(message=f"{error['kind']}: {error['message']}")
    return Encoded(wire=answer)
