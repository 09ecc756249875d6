#!/usr/bin/env bash
# The steps of action.yml, as one script (the tests run it locally):
# install the suite, run the audit with the gate, append the short summary
# to $GITHUB_STEP_SUMMARY, and exit with the gate's code (0 passed, 1 gate
# failed, 2 bad input, 3 internal error).
set -uo pipefail

: "${INPUT_SPEC:?spec is required}"
: "${INPUT_ADAPTER:?adapter is required}"
fail_on="${INPUT_FAIL_ON:-low}"
report_dir="${INPUT_REPORT_DIR:-conformance-report}"
suite="${INPUT_SUITE-__action__}"  # set but empty: the installed suite
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

python="${PYTHON:-python3}"
if [ "$suite" = "__action__" ]; then
    suite="$here"
fi
if [ -n "$suite" ]; then
    "$python" -m pip install --quiet --disable-pip-version-check "$suite" || exit 2
fi

args=(run --adapter "$INPUT_ADAPTER" --spec "$INPUT_SPEC" --report "$report_dir"
      --fail-on "$fail_on" --quiet)
if [ -n "${INPUT_BASELINE:-}" ]; then
    args+=(--baseline "$INPUT_BASELINE")
fi
# shellcheck disable=SC2206 # further options split as a shell would
extra=(${INPUT_ARGS:-})

started="$(mktemp)"
trap 'rm -f "$started"' EXIT
"$python" -m conformance "${args[@]}" "${extra[@]}"
code=$?

if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
    # this run's summary only: written after the run started
    found=0
    while IFS= read -r -d '' summary; do
        cat "$summary" >> "$GITHUB_STEP_SUMMARY"
        found=1
    done < <(find "$report_dir" -maxdepth 1 -name '*.summary.md' -newer "$started" -print0 2>/dev/null)
    if [ "$found" = 0 ]; then
        echo "tinker-conformance: no report was written (exit $code)" >> "$GITHUB_STEP_SUMMARY"
    fi
fi
exit "$code"
