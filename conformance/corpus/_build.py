"""Building a corpus: every type's payloads drawn once and answered by the
reference, one worker process per type at a time on every core.

A type's payloads depend only on the pack, the type, the count and the seed
(``_strategies.payloads``), so the types can be drawn in any process, in any
order: the corpus is the same on one core or many. The reference is made in
each worker by ``oracle`` (a picklable callable, such as the in-process
adapter's class: this room never imports the reference SDK itself).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from conformance.adapters import Adapter, Call, OpResult
from conformance.adapters._batch import answer_of as checked
from conformance.corpus._records import Corpus, CorpusKey, Example, answer_of, case_id
from conformance.corpus._strategies import payloads
from conformance.spec import SpecPack, load_pack

__all__ = ["Oracle", "build_corpus"]

#: Makes the reference adapter of a pack (in the process that builds).
Oracle = Callable[[SpecPack], Adapter]
#: Calls per batch to the reference.
_CHUNK = 64


def _examples(
    pack: SpecPack, reference: Adapter, type_name: str, count: int, seed: int
) -> tuple[Example, ...]:
    drawn = payloads(pack, type_name, count, seed)
    results: list[OpResult] = []
    for start in range(0, len(drawn), _CHUNK):
        chunk = [Call.decode(type_name, p) for p in drawn[start : start + _CHUNK]]
        # Held to the contract as a live oracle's answers are (``checks._common.ask``):
        # a value not finite or too deep is a protocol error, hence a refusal.
        answered = reference.batch(chunk)
        results.extend(checked(c, r) for c, r in zip(chunk, answered, strict=True))
    return tuple(
        Example(
            type_name=type_name,
            case=case_id(pack.version, type_name, seed, i),
            payload=payload,
            answer=answer_of(result),
        )
        for i, (payload, result) in enumerate(zip(drawn, results, strict=True))
    )


#: A worker's pack and reference, made once per process (``_start``).
_WORKER: dict[str, tuple[SpecPack, Adapter]] = {}


def _start(version: str, root: Path, oracle: Oracle) -> None:
    pack = load_pack(version, root)
    _WORKER["pack"] = (pack, oracle(pack))


def _work(type_name: str, count: int, seed: int) -> tuple[Example, ...]:
    pack, reference = _WORKER["pack"]
    return _examples(pack, reference, type_name, count, seed)


def workers() -> int:
    """Processes a build uses: one per core this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def build_corpus(
    pack: SpecPack, seed: int, count: int, oracle: Oracle, *, jobs: int | None = None
) -> Corpus:
    """Every type's ``count`` payloads at ``seed`` with the reference's
    answers, in ``jobs`` processes (default: one per core; 1: this process)."""
    jobs = jobs or workers()
    names: Sequence[str] = list(pack.types)
    if jobs <= 1 or len(names) < 2:
        reference = oracle(pack)
        try:
            found = [_examples(pack, reference, name, count, seed) for name in names]
        finally:
            reference.close()
    else:
        # Costly types first, so that no worker is left with one at the end.
        order = sorted(names, key=lambda n: -len(str(pack.schemas[n])))
        with ProcessPoolExecutor(
            max_workers=min(jobs, len(names)),
            initializer=_start,
            initargs=(pack.version, pack.root.parent, oracle),
        ) as pool:
            done = dict(
                zip(
                    order,
                    pool.map(_work, order, [count] * len(order), [seed] * len(order)),
                    strict=True,
                )
            )
        found = [done[name] for name in names]
    return Corpus(
        key=CorpusKey.of(pack, seed, count), examples=dict(zip(names, found, strict=True))
    )
