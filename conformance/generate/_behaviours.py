"""Behaviour vectors, recorded from the reference SDK (``gen-*.json``).

A port must reproduce more than the wire types: the helpers users call
(``ModelInput.from_ints``/``append_int``, ``Datum``'s key-based dtype
inference, ``ParsedCheckpointTinkerPath.from_tinker_path``, ...). Each
vector is one call with the reference's answer, one per file under
``fixtures/<version>/behaviours/<Helper>/`` (format:
``schemas/meta/behaviour-case.schema.json``).

- **Inputs are curated data**: ``fixtures/<version>/behaviours/inputs.json``
  lists, per case, the helper, the arguments (JSON; ``self`` and other
  struct arguments as wire JSON of their pack type), a description of what
  the case proves and the outcome the reviewer expects (``returns`` or an
  error kind). Every enum of the pack gets an ``<Enum>.values`` case on top,
  derived from index.json.
- **Outputs are always recorded** from the installed reference by
  ``conformance.reference.helpers.reference_call``; an outcome the reference contradicts stops the
  generator, so no description claims what the reference does not do.

Helper names and error kinds are those of ``conformance.reference.helpers``.

The generator owns ``gen-*.json`` only; stale ones are deleted, other files
(curated ``edge-*.json``) are never touched. Runs where the pack's SDK
version is installed; output is deterministic.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conformance._data import load_checked
from conformance._errors import ConformanceError, SpecError
from conformance.cases import INPUTS_FILE, behaviours_dir
from conformance.generate._fixtures import GENERATED_PREFIX, render_case
from conformance.reference._classes import installed_version
from conformance.reference.helpers import Missing, helper_spec, reference_call
from conformance.spec import SpecPack

__all__ = ["behaviour_inputs", "generate_behaviour_vectors"]


@dataclass(frozen=True, kw_only=True)
class _Input:
    helper: str
    case: str
    description: str
    args: Mapping[str, Any]
    outcome: str
    seed: str | None = None
    index: int | None = None  # position in inputs.json; None: derived from the pack


def behaviour_inputs(pack: SpecPack, out_root: Path) -> list[_Input]:
    """The curated inputs of ``out_root/<version>/behaviours/inputs.json`` and
    an ``<Enum>.values`` case for every enum of the pack."""
    path = behaviours_dir(out_root, pack.version) / INPUTS_FILE
    data = load_checked(path, "behaviour-inputs.schema.json")
    inputs = [
        _Input(
            helper=c["helper"],
            case=c["case"],
            description=c["description"],
            args=c["args"],
            outcome=c["outcome"],
            seed=c.get("seed"),
            index=i,
        )
        for i, c in enumerate(data["cases"])
    ]
    for name in sorted(pack.types):
        if pack.types[name]["kind"] == "enum":
            inputs.append(
                _Input(
                    helper=f"{name}.values",
                    case="values",
                    description=(
                        f"the literal set {name}: the sorted list of every value the "
                        "reference allows"
                    ),
                    args={},
                    outcome="returns",
                )
            )
    seen: dict[tuple[str, str], int] = {}
    for i, item in enumerate(inputs):
        key = (item.helper, item.case)
        if key in seen:
            raise SpecError(
                f"case {item.case!r} of {item.helper} is listed twice",
                file=path,
                pointer=f"/cases/{i}",
            )
        seen[key] = i
    return inputs


def _vector(pack: SpecPack, item: _Input, file: Path) -> dict[str, Any]:
    """The vector document of one input, recorded from the reference."""
    answer = reference_call(pack, item.helper, item.args)
    where = f"/cases/{item.index}" if item.index is not None else ""
    if isinstance(answer, Missing):
        raise SpecError(
            f"the reference has no helper {item.helper!r}: {answer.reason}",
            file=file,
            pointer=where,
        )
    got = answer["error"]["kind"] if "error" in answer else "returns"
    if got != item.outcome:
        detail = answer["error"]["message"] if "error" in answer else repr(answer["returned"])
        raise SpecError(
            f"{item.helper} case {item.case!r}: inputs.json says the reference "
            f"{_said(item.outcome)}, but it {_said(got)} ({detail}); fix the input or "
            "its description",
            file=file,
            pointer=where,
        )
    doc: dict[str, Any] = {
        "description": item.description,
        "helper": item.helper,
        "args": item.args,
    }
    spec = helper_spec(pack, item.helper)
    if spec is not None and spec.returns is not None:
        doc["returns"] = spec.returns
    doc["expect"] = answer
    doc["source"] = "generated"
    if item.seed is not None:
        doc["seed"] = item.seed
    return doc


def _said(outcome: str) -> str:
    return "returns a value" if outcome == "returns" else f"raises {outcome}"


def generate_behaviour_vectors(pack: SpecPack, out_root: Path) -> list[Path]:
    """Write a ``gen-<case>.json`` vector for every input of ``pack`` under
    ``out_root/<version>/behaviours/<Helper>/``; return the paths written.

    Needs the pack's SDK version installed. Stale ``gen-`` files (and helper
    folders left empty) are removed; other files are never touched.
    """
    installed = installed_version()
    if installed != pack.version:
        msg = f"pack {pack.version} needs tinker=={pack.version} installed, found {installed!r}"
        raise ConformanceError(msg)
    base = behaviours_dir(out_root, pack.version)
    keep: set[Path] = set()
    for item in behaviour_inputs(pack, out_root):
        doc = _vector(pack, item, base / INPUTS_FILE)
        path = base / item.helper / f"{GENERATED_PREFIX}{item.case}.json"
        _write(path, render_case(doc))
        keep.add(path)
    for stale in sorted(base.glob(f"*/{GENERATED_PREFIX}*.json")):
        if stale not in keep:
            stale.unlink()
    for folder in sorted(p for p in base.iterdir() if p.is_dir()):
        if not any(folder.iterdir()):
            folder.rmdir()
    return sorted(keep)


def _write(path: Path, text: str) -> None:
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
