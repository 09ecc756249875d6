"""Time a full reference run per check and print figures (`nox -s bench`),
the generated examples judged on the shipped corpus (a warm audit).

Speed targets live here, never in timed tests: this prints, it does not
assert. Run inside an interpreter where the pack's tinker is installed.
"""

from __future__ import annotations

import sys
import time

from conformance.cases import load_type_cases
from conformance.checks import CHECKS, CheckContext
from conformance.corpus import obtain
from conformance.findings import load_gap_rules
from conformance.reference._classes import installed_version
from conformance.reference.adapter import TinkerSdkAdapter
from conformance.runner import run
from conformance.spec import load_pack


def main() -> int:
    version = installed_version()
    if version is None:
        print("tinker is not installed here", file=sys.stderr)
        return 2
    pack = load_pack(version)
    started = time.perf_counter()
    ctx = CheckContext(
        pack=pack,
        adapter=TinkerSdkAdapter(pack),
        cases=load_type_cases(version),
        rules=load_gap_rules(),
        examples=25,
        # The shipped corpus: generated examples judged against recorded answers.
        corpus=obtain(pack, 0, 25, TinkerSdkAdapter).corpus,  # type: ignore[union-attr]
    )
    setup = time.perf_counter() - started
    print(f"pack {version}: {len(pack.types)} types, {len(ctx.cases)} fixtures, setup {setup:.2f}s")
    print(f"{'check':20} {'outcomes':>9} {'seconds':>8} {'per second':>11}")
    total_n, total_s = 0, 0.0
    for name in CHECKS:
        t0 = time.perf_counter()
        result = run(ctx, [name])
        seconds = time.perf_counter() - t0
        n = result.total
        total_n, total_s = total_n + n, total_s + seconds
        print(f"{name:20} {n:9d} {seconds:8.2f} {n / seconds:11.0f}")
        if result.findings:
            print(f"  !! {len(result.findings)} findings on the reference", file=sys.stderr)
    print(f"{'all (in-process)':20} {total_n:9d} {total_s:8.2f} {total_n / total_s:11.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
