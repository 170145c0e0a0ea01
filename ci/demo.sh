#!/usr/bin/env bash
# Sets the machine up (ci/setup.sh, ci/samples.sh), then runs
# deepstream-test1 (arguments are passed to it). Until the sample apps land in
# this tree (apps/, issues 4-6), it says so and runs the open video-path
# example on the sample clip instead.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

ci/setup.sh
ci/samples.sh

if [[ -f apps/deepstream-test1/Cargo.toml ]]; then
  exec cargo run --release -p deepstream-test1 -- "$@"
fi

echo "demo: apps/deepstream-test1 is not in this tree yet (it lands with the open nvinfer, issue 4)."
echo "demo: running the open video path on the sample clip instead (crates/ds-open/examples/osd_to_mp4.rs)."
exec cargo run --release -p ds-open --example osd_to_mp4 -- samples/sample_720p.h264 out/osd.mp4 "$@"
