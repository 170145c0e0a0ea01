#!/usr/bin/env bash
# Long-run memory check (issue 8): deepstream-test1 --no-display over
# ~10,000 frames (the 795-frame sample concatenated), release build. VmRSS
# is sampled every second; after a 1,000-frame warm-up the least-squares
# slope must stay under 256 KiB per 1,000 frames. Prints one line:
#   RSS slope: <x> KiB per 1000 frames over frames 1000..<n> (...)
# DS_RSS_FRAMES=<n> changes the length. Takes ~10 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
cargo test --release -p deepstream-test1 --test robustness -- \
  --ignored rss --nocapture >"$log" 2>&1 || status=$?
if ! grep '^RSS slope:' "$log"; then
  cat "$log"
fi
if ((status != 0)); then
  grep -A3 'panicked' "$log" || true
fi
exit "$status"
