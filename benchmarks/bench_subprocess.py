"""Time the same checks in process and through the subprocess protocol, with
and without batching, and print checks per second (`nox -s bench`).

The program is the test adapter tests/hostile/good_adapter.py, which answers
with the same in-process reference, so the three runs must give the same
outcomes and differ only in time. Target: with batching, the subprocess path
runs at least half as fast as in process; this prints the ratio, it asserts
nothing. Each mode runs once to warm up (program start, SDK caches), then
the best of ``REPEATS`` is kept; the program's start-up is printed apart.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

from conformance.adapters import Adapter
from conformance.adapters.subprocess import SubprocessAdapter
from conformance.cases import load_type_cases
from conformance.checks import CHECKS, CheckContext
from conformance.corpus import obtain
from conformance.findings import load_gap_rules
from conformance.reference._classes import installed_version
from conformance.reference.adapter import TinkerSdkAdapter
from conformance.spec import SpecPack, load_pack

ROOT = Path(__file__).resolve().parent.parent
PROGRAM = [sys.executable, str(ROOT / "tests" / "hostile" / "good_adapter.py")]
CHECKED = ["fixture-roundtrip", "strictness", "shape", "type-parity", "property-roundtrip"]
REPEATS = 5


def _time(pack: SpecPack, adapter: Adapter) -> tuple[int, float, list[str]]:
    """Outcomes, best seconds over REPEATS runs, and the outcomes as text."""
    ctx = CheckContext(
        pack=pack,
        adapter=adapter,
        cases=load_type_cases(pack.version),
        rules=load_gap_rules(),
        corpus=obtain(pack, 0, 25, TinkerSdkAdapter).corpus,  # type: ignore[union-attr]
    )
    outcomes = [repr(o) for name in CHECKED for o in CHECKS[name].run(ctx)]  # warm-up
    best = float("inf")
    for _ in range(REPEATS):
        started = time.perf_counter()
        for name in CHECKED:
            for _outcome in CHECKS[name].run(ctx):
                pass
        best = min(best, time.perf_counter() - started)
    return len(outcomes), best, outcomes


def main() -> int:
    version = installed_version()
    if version is None:
        print("tinker is not installed here", file=sys.stderr)
        return 2
    pack = load_pack(version)
    modes: dict[str, Callable[[], Adapter]] = {
        "in process": lambda: TinkerSdkAdapter(pack),
        "subprocess, batch": lambda: SubprocessAdapter(PROGRAM, pack),
        "subprocess, one by one": lambda: SubprocessAdapter([*PROGRAM, "--no-batch"], pack),
    }
    print(f"pack {version}: checks {', '.join(CHECKED)}; best of {REPEATS} warm runs")
    print(f"{'mode':24} {'outcomes':>9} {'seconds':>8} {'per second':>11} {'start-up':>9}")
    rates: dict[str, float] = {}
    reference: list[str] | None = None
    for mode, make in modes.items():
        adapter = make()
        started = time.perf_counter()
        adapter.hello()
        startup = time.perf_counter() - started
        try:
            n, seconds, outcomes = _time(pack, adapter)
        finally:
            adapter.close()
        rates[mode] = n / seconds
        shown = f"{startup:8.2f}s" if isinstance(adapter, SubprocessAdapter) else f"{'-':>9}"
        print(f"{mode:24} {n:9d} {seconds:8.3f} {rates[mode]:11.0f} {shown}")
        if reference is None:
            reference = outcomes
        elif outcomes != reference:
            print(f"  !! {mode}: outcomes differ from in process", file=sys.stderr)
    base = rates["in process"]
    for mode in list(modes)[1:]:
        print(f"{mode} / in process: {rates[mode] / base:.2f}")
    print("target: subprocess, batch / in process >= 0.50")
    return 0


if __name__ == "__main__":
    sys.exit(main())
