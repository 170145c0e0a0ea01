#!/usr/bin/env bash
# Runs the tests of the meta implementation and of the safe layer under Miri
# (undefined behaviour, leaks, aliasing). Needs a nightly toolchain with the
# miri component; when it cannot be had, prints "miri: skipped (reason)" and
# exits 0. Test files that do not exist (yet) are skipped with a message.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# crate:test-file pairs (crates/<crate>/tests/<test>.rs). These tests must not
# call GStreamer or other C code: Miri cannot run foreign functions.
TARGETS=(
  ds-sys:open_meta
  ds-sys:open_surface
  ds-core:meta
  ds-core:helpers
  ds-core:alloc
  ds-core:tracker_meta
)

have_miri() { cargo +nightly miri --version >/dev/null 2>&1; }

if ! have_miri; then
  if ! command -v rustup >/dev/null; then
    echo "miri: skipped (no rustup to install the nightly miri component)"
    exit 0
  fi
  echo "miri: installing the nightly miri component"
  rustup component add miri rust-src --toolchain nightly >/dev/null 2>&1 ||
    rustup toolchain install nightly --profile minimal --component miri,rust-src >/dev/null 2>&1 ||
    true
  if ! have_miri; then
    echo "miri: skipped (could not install miri on the nightly toolchain)"
    exit 0
  fi
fi
echo "miri: $(cargo +nightly miri --version)"
cargo +nightly miri setup >/dev/null 2>&1 || cargo +nightly miri setup

declare -A tests_of=()
crates=()
for t in "${TARGETS[@]}"; do
  crate=${t%%:*}
  test=${t#*:}
  if [[ -f crates/$crate/tests/$test.rs ]]; then
    [[ -v "tests_of[$crate]" ]] || crates+=("$crate")
    tests_of[$crate]+=" --test $test"
  else
    echo "miri: skipping $crate/$test (crates/$crate/tests/$test.rs does not exist yet)"
  fi
done

for crate in "${crates[@]}"; do
  read -r -a args <<<"${tests_of[$crate]}"
  echo "miri: cargo +nightly miri test -p $crate ${args[*]}"
  cargo +nightly miri test -p "$crate" "${args[@]}"
done
echo "miri: ok"
