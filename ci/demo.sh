#!/usr/bin/env bash
# Sets the machine up (ci/setup.sh), then runs deepstream-test1 (arguments
# are passed to it). Until the sample apps land in this tree (apps/, issues
# 4-6), it says so and runs the ds-core app-utilities demo instead.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

ci/setup.sh
ci/samples.sh

if [[ -f apps/deepstream-test1/Cargo.toml ]]; then
  exec cargo run --release -p deepstream-test1 -- "$@"
fi

echo "demo: apps/deepstream-test1 is not in this tree yet (the sample apps land in issues 4-6)."
echo "demo: running the ds-core app-utilities demo instead (crates/ds-core/examples/app_demo.rs)."
exec cargo run --release -p ds-core --example app_demo
