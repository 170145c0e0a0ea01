#!/usr/bin/env bash
# Sets up the machine (ci/setup.sh), then runs every check: rustfmt, clippy
# (warnings are errors), the workspace tests including doctests, Miri
# (ci/miri.sh), valgrind (ci/valgrind.sh), the nvidia link path
# (ci/link-path.sh), the aarch64 cross check (ci/cross-check.sh) and the
# benchmark command on short inputs (ci/bench.sh --quick). Prints each phase's time.
# Stops at the first failing phase, unless KEEP_GOING=1: then it runs every
# phase and fails at the end if any failed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

results=()
failed=0

# shellcheck disable=SC2317 # invoked by the EXIT trap
summary() {
  local rc=$?
  printf '\n== timings ==\n'
  if ((${#results[@]})); then printf '%s\n' "${results[@]}"; fi
  printf '%-10s %5ss  %s\n' total "$SECONDS" "$([[ $rc -eq 0 ]] && echo ok || echo FAILED)"
}
trap summary EXIT

phase() {
  local name=$1 start=$SECONDS status=ok
  shift
  printf '\n== %s: %s ==\n' "$name" "$*"
  "$@" || status=FAILED
  results+=("$(printf '%-10s %5ss  %s' "$name" "$((SECONDS - start))" "$status")")
  if [[ $status != ok ]]; then
    failed=1
    [[ ${KEEP_GOING:-0} == 1 ]] || exit 1
  fi
}

phase setup ci/setup.sh
phase samples ci/samples.sh
phase models ci/models.sh
phase fmt cargo fmt --all --check
phase clippy cargo clippy --workspace --all-targets -- -D warnings
phase test cargo test --workspace
phase miri ci/miri.sh
phase valgrind ci/valgrind.sh
phase link-path ci/link-path.sh
phase cross ci/cross-check.sh
phase bench ci/bench.sh --quick
exit "$failed"
