#!/usr/bin/env bash
# Sets the machine up (ci/setup.sh: system packages; ci/samples.sh: sample
# streams; ci/models.sh: the detector and ONNX Runtime), then runs
# deepstream-test1 on the default sample. Arguments are passed to it, e.g.
#   ci/demo.sh --output out/test1.mp4
#   ci/demo.sh --no-display samples/sample_720p.h264
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

ci/setup.sh
ci/samples.sh
ci/models.sh

exec cargo run --release -p deepstream-test1 -- "$@"
