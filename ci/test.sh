#!/usr/bin/env bash
# Sets up the machine (ci/setup.sh), then runs every check: rustfmt, clippy
# (warnings are errors), the workspace tests including doctests, Miri
# (ci/miri.sh), valgrind (ci/valgrind.sh), the nvidia link path
# (ci/link-path.sh), the aarch64 cross check (ci/cross-check.sh) and the
# benchmark command on short inputs (ci/bench.sh --quick). Prints each phase's time.
# Stops at the first failing phase, unless KEEP_GOING=1: then it runs every
# phase and fails at the end if any failed.
#
# Disk: a clean run needs about 9 GB under target/. With CI=true (a throw-away
# clone) it builds without incremental caches and deletes each of the
# link-path and cross-check work dirs once its phase has passed; each phase's
# line in the summary gives the space left after it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

ci_mode=0
[[ ${CI:-} == true ]] && ci_mode=1
# Incremental caches only pay off on the next build, which CI never makes.
((ci_mode)) && export CARGO_INCREMENTAL=0

results=()
failed=0

# shellcheck disable=SC2317 # invoked by the EXIT trap
summary() {
  local rc=$?
  printf '\n== timings ==\n'
  if ((${#results[@]})); then printf '%s\n' "${results[@]}"; fi
  printf '%-10s %5ss  %s\n' total "$SECONDS" "$([[ $rc -eq 0 ]] && echo ok || echo FAILED)"
}

# Free space of the file system holding target/, for the summary.
disk_left() { df -h --output=avail . 2>/dev/null | tail -1 | tr -d ' '; }
trap summary EXIT

phase() {
  local name=$1 start=$SECONDS status=ok
  shift
  printf '\n== %s: %s ==\n' "$name" "$*"
  "$@" || status=FAILED
  results+=("$(printf '%-10s %5ss  %-7s %s free' "$name" "$((SECONDS - start))" "$status" "$(disk_left)")")
  if [[ $status != ok ]]; then
    failed=1
    [[ ${KEEP_GOING:-0} == 1 ]] || exit 1
  fi
}

phase setup ci/setup.sh --test-brokers
phase samples ci/samples.sh
phase models ci/models.sh
phase fmt cargo fmt --all --check
phase clippy cargo clippy --workspace --all-targets -- -D warnings
phase test cargo test --workspace
phase miri ci/miri.sh
phase valgrind ci/valgrind.sh
phase link-path ci/link-path.sh
((ci_mode)) && rm -rf "${LINK_PATH_DIR:-target/link-path}"
phase cross ci/cross-check.sh
((ci_mode)) && rm -rf "${CROSS_DIR:-target/cross-check}"
phase bench ci/bench.sh --quick
exit "$failed"
