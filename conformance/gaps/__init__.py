"""The gap model: findings grouped into gaps with stable ids, and the CI gate.

A finding is one observation; a gap is what a person fixes: one subject (a
type, helper, endpoint, or the adapter itself), one field, one category. The
id of a gap (``GAP-<DOMAIN>-<NNN>``) comes from the checked-in registry
``schemas/gap-ids.json``, so it is the same on every run and every version.
"""

from conformance.gaps._gate import (
    DEFAULT_FAIL_ON,
    Baseline,
    Verdict,
    judge,
    load_baseline,
    write_baseline,
)
from conformance.gaps._ids import GAP_IDS_FILE, GapIds, load_gap_ids
from conformance.gaps._model import (
    MAP_KEY,
    POSITION,
    Gap,
    Uncovered,
    field_pattern,
    gap_key,
    group,
    missing_subject,
    normalize_field,
    subject_kind,
    uncovered,
)

__all__ = [
    "DEFAULT_FAIL_ON",
    "GAP_IDS_FILE",
    "MAP_KEY",
    "POSITION",
    "Baseline",
    "Gap",
    "GapIds",
    "Uncovered",
    "Verdict",
    "field_pattern",
    "gap_key",
    "group",
    "judge",
    "load_baseline",
    "load_gap_ids",
    "missing_subject",
    "normalize_field",
    "subject_kind",
    "uncovered",
    "write_baseline",
]
