"""A protocol-1 adapter program with no decoder for CreateModelRequest: the
reference server (``conformance.reference.server.Server``) answering with
the ``SendsOnlyCreateModelRequest`` mutant, so ``unsupported`` with
``"what": "decoder"`` is tested over the wire, not only in process."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from conformance import load_pack
from conformance.reference.server import Server
from tests.mutants import SendsOnlyCreateModelRequest

if __name__ == "__main__":
    pack = load_pack(sys.argv[1] if len(sys.argv) > 1 else "0.15.0")
    raise SystemExit(
        Server(SendsOnlyCreateModelRequest(pack)).serve(sys.stdin.buffer, sys.stdout.buffer)
    )
