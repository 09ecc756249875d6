"""Where an audit's time goes, per generated example, and what an audit costs
in wall time (`nox -s bench`).

Run inside an interpreter where the pack's tinker is installed. It prints one
pack's figures; with ``--json FILE`` it also writes them, and ``--side-by-side
FILE...`` prints the figures of several packs next to each other (the bench
session runs each pack in its own virtualenv, then compares them). Figures
are printed, never asserted: the targets of issue 17 are read off by eye.

Per-example costs follow one generated example through ``property-roundtrip``:
generation (strategies built and drawn, cold in this process), the oracle
(the reference decodes and encodes it), the adapter (the implementation,
here the reference again in process, decodes and encodes it) and the
comparison (both answers canonicalised and compared). The audit wall times
are whole ``tinker-conformance run`` processes (start-up, every check,
the raw results written to a temporary folder) at a seed that is not shipped,
each cold (an empty corpus cache: the run builds the corpus) and then warm
(the corpus built); the start-up is ``tinker-conformance --help``. The cold
corpus build is timed on one process and on every core.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

COUNTS = (25, 100)
#: The seed of the audits and builds: not the shipped one, so cold is cold.
COLD_SEED = 1
#: Examples per type for the per-example costs (the default profile's count).
COST_EXAMPLES = 25
SEED = 0


def _costs(version: str) -> dict[str, float]:
    """Milliseconds per generated example for each stage, and the example count."""
    from conformance.adapters import Call, Encoded
    from conformance.canonical import compare
    from conformance.checks._common import ask
    from conformance.corpus._strategies import payloads
    from conformance.reference.adapter import TinkerSdkAdapter
    from conformance.spec import load_pack

    pack = load_pack(version)
    reference, adapter = TinkerSdkAdapter(pack), TinkerSdkAdapter(pack)
    seconds = dict.fromkeys(("generation", "oracle", "adapter", "comparison"), 0.0)
    count = 0
    for type_name in pack.types:
        started = time.perf_counter()
        examples = payloads(pack, type_name, COST_EXAMPLES, SEED)
        seconds["generation"] += time.perf_counter() - started
        calls = [Call.decode(type_name, payload) for payload in examples]
        started = time.perf_counter()
        oracles = ask(reference, calls)
        seconds["oracle"] += time.perf_counter() - started
        judged = [
            (c, o.wire) for c, o in zip(calls, oracles, strict=True) if isinstance(o, Encoded)
        ]
        started = time.perf_counter()
        results = ask(adapter, [c for c, _ in judged])
        seconds["adapter"] += time.perf_counter() - started
        started = time.perf_counter()
        for (_, expected), result in zip(judged, results, strict=True):
            if isinstance(result, Encoded):
                compare(pack, type_name, expected, result.wire)
        seconds["comparison"] += time.perf_counter() - started
        count += len(examples)
    figures = {stage: 1000 * s / max(count, 1) for stage, s in seconds.items()}
    figures["examples"] = count
    return figures


def _generation_before(version: str) -> float:
    """Milliseconds per generated example as hypothesis-jsonschema draws
    unpatched (the memo of ``conformance.corpus._memo`` switched off): the
    generation cost issue 17 started from, the baseline of its cold-build
    target, measured here on this machine now. One core, cold."""
    import contextlib

    from conformance.corpus import _strategies
    from conformance.spec import load_pack

    pack = load_pack(version)
    memo = _strategies.memoised_strategies
    _strategies.memoised_strategies = contextlib.nullcontext
    _strategies._CACHE.clear()
    try:
        started = time.perf_counter()
        count = sum(len(_strategies.payloads(pack, t, COST_EXAMPLES, SEED)) for t in pack.types)
        seconds = time.perf_counter() - started
    finally:
        _strategies.memoised_strategies = memo
        _strategies._CACHE.clear()
    return 1000 * seconds / max(count, 1)


def _audit(version: str, examples: int, cache: Path) -> dict[str, float]:
    """Wall seconds and outcomes of one whole self-audit run at ``examples``
    per type, at ``COLD_SEED`` (never shipped), with ``cache`` as the corpus
    cache: cold when it is empty (the run builds the corpus), warm after."""
    tool = Path(sys.executable).parent / "tinker-conformance"
    with tempfile.TemporaryDirectory() as folder:
        results = Path(folder) / "raw" / "audit.json"
        command = [
            str(tool), "run", "--adapter", "tinker", "--spec", version, "--quiet",
            "--examples", str(examples), "--seed", str(COLD_SEED), "--results", str(results),
        ]  # fmt: skip
        env = dict(os.environ, TINKER_CONFORMANCE_CACHE=str(cache))
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
        seconds = time.perf_counter() - started
        if done.returncode != 0:
            print(f"  !! {version} at {examples}: exit {done.returncode}", file=sys.stderr)
            print(done.stderr[-2000:], file=sys.stderr)
        raw = json.loads(results.read_text()) if results.exists() else {}
    return {
        "seconds": seconds,
        "outcomes": raw.get("total", 0),
        "findings": len(raw.get("findings", [])),
    }


def _builds(version: str) -> dict[str, float]:
    """Wall seconds of a cold corpus build at 100 examples per type, on one
    process and on every core, and of reading the built corpus back."""
    from conformance.corpus import build_corpus, read_corpus, workers, write_corpus
    from conformance.reference.adapter import TinkerSdkAdapter
    from conformance.spec import load_pack

    pack = load_pack(version)
    figures: dict[str, float] = {"workers": workers()}
    for name, jobs in (("one core", 1), ("every core", workers())):
        started = time.perf_counter()
        built = build_corpus(pack, COLD_SEED, 100, TinkerSdkAdapter, jobs=jobs)
        figures[name] = time.perf_counter() - started
    figures["examples"] = built.size
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / built.key.file_name
        write_corpus(built, path)
        started = time.perf_counter()
        read_corpus(path, built.key)
        figures["read"] = time.perf_counter() - started
    return figures


def _start_up() -> float:
    """Best wall seconds of three ``tinker-conformance --help``: what every CLI
    subprocess pays before it does anything."""
    tool = Path(sys.executable).parent / "tinker-conformance"
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        subprocess.run([str(tool), "--help"], capture_output=True, check=True)
        best = min(best, time.perf_counter() - started)
    return best


def measure(version: str) -> dict[str, Any]:
    """Every figure of one pack (the one whose tinker is installed here)."""
    figures: dict[str, Any] = {"pack": version, "start_up": _start_up(), "costs": _costs(version)}
    figures["costs"]["generation before"] = _generation_before(version)
    figures["build"] = _builds(version)
    audits: dict[str, Any] = {}
    for n in COUNTS:
        with tempfile.TemporaryDirectory() as cache:
            cold = _audit(version, n, Path(cache))
            audits[str(n)] = {"cold": cold, "warm": _audit(version, n, Path(cache))}
    figures["audits"] = audits
    return figures


def show(all_figures: list[dict[str, Any]]) -> None:
    """The figures of every pack, one column per pack."""
    packs = [f["pack"] for f in all_figures]
    head = f"{'':34}" + "".join(f"{p:>14}" for p in packs)
    print(head)
    starts = [f["start_up"] for f in all_figures]
    print(f"{'tinker-conformance --help (s)':34}" + "".join(f"{s:14.2f}" for s in starts))
    costs = [f["costs"] for f in all_figures]
    print(f"{'generated examples':34}" + "".join(f"{c['examples']:14.0f}" for c in costs))
    print(f"per example (ms), {COST_EXAMPLES} per type, seed {SEED}:")
    for stage in ("generation", "oracle", "adapter", "comparison"):
        print(f"  {stage:32}" + "".join(f"{c[stage]:14.3f}" for c in costs))
    print(
        f"  {'generation, unpatched (before)':32}"
        + "".join(f"{c['generation before']:14.3f}" for c in costs)
    )
    builds = [f["build"] for f in all_figures]
    print("cold corpus build, 100 examples per type (s):")
    print(f"  {'examples':32}" + "".join(f"{b['examples']:14.0f}" for b in builds))
    print(f"  {'one core':32}" + "".join(f"{b['one core']:14.1f}" for b in builds))
    print(f"  {'every core':32}" + "".join(f"{b['every core']:14.1f}" for b in builds))
    print(f"  {'workers':32}" + "".join(f"{b['workers']:14.0f}" for b in builds))
    print(f"  {'read back (checked)':32}" + "".join(f"{b['read']:14.2f}" for b in builds))
    before = [
        c["generation before"] * b["examples"] / 1000 for c, b in zip(costs, builds, strict=True)
    ]
    print(f"  {'generation before, same count':32}" + "".join(f"{s:14.1f}" for s in before))
    shares = [b["every core"] / s for b, s in zip(builds, before, strict=True)]
    print(
        f"  {'every core / before (target <25%)':32}" + "".join(f"{100 * r:13.0f}%" for r in shares)
    )
    print("self-audit wall time (s), all checks, the reference adapter in process:")
    for n in COUNTS:
        for state in ("cold", "warm"):
            audits = [f["audits"][str(n)][state] for f in all_figures]
            print(
                f"  {n:>3} per type, {state} corpus{'':10}"
                + "".join(f"{a['seconds']:14.1f}" for a in audits)
            )
        audits = [f["audits"][str(n)]["warm"] for f in all_figures]
        print(f"  {'':3}   outcomes{'':20}" + "".join(f"{a['outcomes']:14.0f}" for a in audits))
        print(f"  {'':3}   findings{'':20}" + "".join(f"{a['findings']:14.0f}" for a in audits))
    warm = sum(f["audits"]["100"]["warm"]["seconds"] for f in all_figures)
    print(f"warm, every pack at 100 per type: {warm:.1f} s in all (target: under 30 s)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="also write this pack's figures here")
    parser.add_argument("--side-by-side", nargs="+", type=Path, help="print these figures")
    args = parser.parse_args()
    if args.side_by_side:
        show([json.loads(path.read_text()) for path in args.side_by_side])
        return 0
    from conformance.reference._classes import installed_version

    version = installed_version()
    if version is None:
        print("tinker is not installed here", file=sys.stderr)
        return 2
    figures = measure(version)
    show([figures])
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
