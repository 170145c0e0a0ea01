#!/usr/bin/env bash
# Runs the GStreamer-facing test binaries (those Miri cannot run) under
# valgrind's memcheck: any invalid access or definite leak fails the run.
# ci/valgrind.supp holds the few suppressions for system-library one-time
# allocations. Test files that do not exist (yet) are skipped with a message.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$(pwd)

# crate:test-file pairs (crates/<crate>/tests/<test>.rs).
TARGETS=(
  ds-sys:open_gst_meta
  ds-core:pipeline_probe
  ds-core:surface
  ds-core:app
  ds-core:app_finalise
  ds-open:nvmsgconv
)

command -v valgrind >/dev/null || {
  echo "valgrind: not installed (run ci/setup.sh)" >&2
  exit 1
}

wanted=()
for t in "${TARGETS[@]}"; do
  crate=${t%%:*}
  test=${t#*:}
  if [[ -f crates/$crate/tests/$test.rs ]]; then
    wanted+=("$t")
  else
    echo "valgrind: skipping $crate/$test (crates/$crate/tests/$test.rs does not exist yet)"
  fi
done
if ((${#wanted[@]} == 0)); then
  echo "valgrind: nothing to run"
  exit 0
fi

# The same build `cargo test --workspace` made: nothing is rebuilt after it.
echo "valgrind: building test binaries"
json=$(cargo test --workspace --no-run --message-format=json-render-diagnostics)

# GLib: plain malloc for every allocation, and zeroed memory on free, so that
# memcheck sees GLib's allocations as they are.
export G_SLICE=always-malloc G_DEBUG=gc-friendly

for t in "${wanted[@]}"; do
  crate=${t%%:*}
  test=${t#*:}
  src="$root/crates/$crate/tests/$test.rs"
  exe=$(grep -F "\"src_path\":\"$src\"" <<<"$json" |
    grep -o '"executable":"[^"]*"' | head -n 1 | cut -d'"' -f4 || true)
  if [[ -z $exe ]]; then
    echo "valgrind: no test executable built for $src" >&2
    exit 1
  fi
  echo "valgrind: $crate/$test ($exe)"
  start=$SECONDS
  # Test binaries run from their package directory, as under `cargo test`.
  (cd "crates/$crate" && CARGO_MANIFEST_DIR="$root/crates/$crate" \
    valgrind --quiet --error-exitcode=1 --leak-check=full \
    --errors-for-leak-kinds=definite --show-leak-kinds=definite \
    --suppressions="$root/ci/valgrind.supp" "$exe")
  echo "valgrind: $crate/$test ok ($((SECONDS - start))s)"
done
echo "valgrind: ok"
