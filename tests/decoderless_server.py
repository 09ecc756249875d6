"""A protocol-1 adapter program with no decoder for CreateModelRequest: the
reference server (``conformance.reference.server.Server``) answering with a
mutant of ``tests.mutants``, so a type without a decoder is tested over the
wire, both ways: ``sends-only`` answers its decode ``unsupported`` with
``"what": "decoder"``; ``declares`` lists it in hello's ``encode_only``.

    python tests/decoderless_server.py sends-only|declares [PACK]
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from conformance import load_pack
from conformance.reference.server import Server
from tests.mutants import DeclaresCreateModelRequestEncodeOnly, SendsOnlyCreateModelRequest

MUTANTS = {
    "sends-only": SendsOnlyCreateModelRequest,
    "declares": DeclaresCreateModelRequestEncodeOnly,
}

if __name__ == "__main__":
    mutant = MUTANTS[sys.argv[1]]
    pack = load_pack(sys.argv[2] if len(sys.argv) > 2 else "0.15.0")
    raise SystemExit(Server(mutant(pack)).serve(sys.stdin.buffer, sys.stdout.buffer))
