#!/usr/bin/env bash
# NVIDIA backend link-path test, without NVIDIA's SDK.
#
# 1. Builds ds-sys' open implementation of the DeepStream 7.1 C functions as a
#    shared library (crates/ds-sys-shim, a cdylib re-exporting ds-sys' `open`
#    module; built on the open backend) and installs it in a scratch
#    DEEPSTREAM_DIR as lib/libnvds_meta.so, with lib/libnvdsgst_meta.so and
#    lib/libnvbufsurface.so symlinked to it (one copy: the dynamic loader
#    loads the file once, so there is one meta pool and one NvDsMeta GType),
#    plus a `version` file saying `Version: 7.1`, and C headers generated
#    from ds-sys' ABI table (`cargo run -p ds-sys --example abi_headers`) at
#    the SDK's paths (sources/includes/...): layouts only, not NVIDIA's.
# 2. Builds with DS_BACKEND=nvidia DEEPSTREAM_DIR=<scratch> in its own target
#    dir (changing the backend rebuilds ds-sys and everything above it):
#    ds-sys then links nvds_meta, nvdsgst_meta and nvbufsurface from
#    $DEEPSTREAM_DIR/lib instead of compiling its open module.
#    The nvidia-backend build of ds-sys runs its ABI guard against those
#    headers (it must report that every fact matches), and a second scratch
#    SDK whose headers have one enum value and one struct size changed must
#    fail the ds-sys build naming exactly those two facts.
# 3. Checks that deepstream-test1 really goes through the link path (it needs
#    libnvds_meta.so and imports the nvds / NvBufSurface symbols instead of
#    defining them), runs the ds-sys and ds-core tests, and runs
#    deepstream-test1 on samples/sample_720p_60.h264 --no-display with
#    LD_LIBRARY_PATH=<scratch>/lib: it must print
#    `DeepStream backend: nvidia (DeepStream 7.1 at <scratch>)` and 60 frame
#    lines.
# 4. Runs every app's golden stdout test (apps/*/tests/golden.rs: the app's
#    stdout line by line against the Python sample's) on the nvidia build.
#
# NVIDIA's GStreamer plugins do not exist here, so the run sets the test
# switch DS_OPEN_ELEMENTS=1: ds_open::register() then registers the open
# elements on the nvidia backend too (see ds_open::OPEN_ELEMENTS_ENV; never
# set it on a machine with DeepStream's plugins).
#
# Environment: LINK_PATH_DIR (default <repo>/target/link-path): holds
# fake-deepstream/ and the nvidia-backend target dir (target/). The shim is
# built in $CARGO_TARGET_DIR (default <repo>/target), on the open backend.
# Idempotent (cargo rebuilds only what changed); prints phase timings.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD

WORK=${LINK_PATH_DIR:-$ROOT/target/link-path}
FAKE_DS=$WORK/fake-deepstream
NV_TARGET=$WORK/target
OPEN_TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
SAMPLE=samples/sample_720p_60.h264
# Exported by the shim (one per header) ...
NV_SYMBOLS=(nvds_acquire_meta_lock nvds_create_batch_meta gst_buffer_add_nvds_meta
  nvds_meta_api_get_type NvBufSurfaceCreate NvBufSurfaceMap)
# ... and imported (not defined) by deepstream-test1 on the nvidia backend.
TEST1_IMPORTS=(nvds_acquire_meta_lock nvds_create_batch_meta gst_buffer_add_nvds_meta
  gst_buffer_get_nvds_batch_meta NvBufSurfaceCreate NvBufSurfaceMap)

say() { printf 'link-path: %s\n' "$*"; }
die() { printf 'link-path: error: %s\n' "$*" >&2; exit 1; }

results=()
# shellcheck disable=SC2317 # invoked by the EXIT trap
summary() {
  local rc=$?
  printf '\n== link-path timings ==\n'
  if ((${#results[@]})); then printf '%s\n' "${results[@]}"; fi
  printf '%-12s %5ss  %s\n' total "$SECONDS" "$([[ $rc -eq 0 ]] && echo ok || echo FAILED)"
}
trap summary EXIT
phase() {
  local name=$1 start=$SECONDS
  shift
  printf '\n== link-path %s ==\n' "$name"
  "$@"
  results+=("$(printf '%-12s %5ss  ok' "$name" "$((SECONDS - start))")")
}

# The nvidia-backend build: never let an outer DS_BACKEND / DEEPSTREAM_DIR leak in.
nv() {
  env DS_BACKEND=nvidia DEEPSTREAM_DIR="$FAKE_DS" CARGO_TARGET_DIR="$NV_TARGET" \
    LD_LIBRARY_PATH="$FAKE_DS/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" DS_OPEN_ELEMENTS=1 "$@"
}

inputs() {
  [[ -s $SAMPLE ]] || ci/samples.sh
  # The INT8 cache too: the apps' open detector configs name it (network-mode=1).
  [[ -s models/nanodet-m-416.onnx && -s models/onnxruntime/libonnxruntime.so &&
    -s models/nanodet-m-416.int8.calib ]] || ci/models.sh
}

shim() {
  # Explicitly the open backend: with DEEPSTREAM_DIR pointing at the scratch
  # dir, auto-detection would otherwise pick nvidia.
  env -u DEEPSTREAM_DIR DS_BACKEND=open CARGO_TARGET_DIR="$OPEN_TARGET" \
    cargo build --release -p ds-sys-shim
  local so=$OPEN_TARGET/release/libds_sys_shim.so
  [[ -f $so ]] || die "$so was not built"
  local s exported
  exported=$(nm -D --defined-only "$so")
  for s in "${NV_SYMBOLS[@]}"; do
    grep -qw "$s" <<<"$exported" || die "$so does not export $s"
  done
  mkdir -p "$FAKE_DS/lib"
  # Copy (not link) the real file, so cleaning the open target dir cannot
  # leave a dangling library; replace only when it changed (idempotent, and
  # keeps the nvidia build's rerun-if-changed quiet).
  if ! cmp -s "$so" "$FAKE_DS/lib/libnvds_meta.so"; then
    cp "$so" "$FAKE_DS/lib/libnvds_meta.so.tmp"
    mv "$FAKE_DS/lib/libnvds_meta.so.tmp" "$FAKE_DS/lib/libnvds_meta.so"
  fi
  # Only touch what differs: ds-sys' build script reruns when the lib dir changes.
  local name
  for name in libnvdsgst_meta.so libnvbufsurface.so; do
    [[ $(readlink "$FAKE_DS/lib/$name" 2>/dev/null) == libnvds_meta.so ]] ||
      ln -sfn libnvds_meta.so "$FAKE_DS/lib/$name"
  done
  [[ $(cat "$FAKE_DS/version" 2>/dev/null) == 'Version: 7.1' ]] ||
    printf 'Version: 7.1\n' >"$FAKE_DS/version"
  say "scratch DeepStream at $FAKE_DS: $(cd "$FAKE_DS/lib" && echo *)" \
    "($(nm -D --defined-only "$so" | grep -c ' T ') exported functions)"
}

headers() {
  env -u DEEPSTREAM_DIR DS_BACKEND=open CARGO_TARGET_DIR="$OPEN_TARGET" \
    cargo run -q -p ds-sys --example abi_headers -- "$FAKE_DS" >/dev/null
  [[ -s $FAKE_DS/sources/includes/nvdsmeta.h ]] || die "no generated headers in $FAKE_DS"
  say "ABI-table headers in $FAKE_DS/sources: $(cd "$FAKE_DS/sources" && find . -name '*.h' | wc -l) files"
}

guard_fails_on_a_changed_header() {
  local bad=$WORK/fake-deepstream-bad out
  rm -rf "$bad"
  cp -a "$FAKE_DS" "$bad"
  sed -i 's/^  NVDSINFER_UNKNOWN_ERROR = 10,$/  NVDSINFER_UNKNOWN_ERROR = 9,/' "$bad/sources/includes/nvdsinfer.h"
  sed -i 's/^  char outLen\[8\];$/  char outLen[8];\n  char _extra[8];/' "$bad/sources/includes/nvds_obj_encode.h"
  if out=$(env DS_BACKEND=nvidia DEEPSTREAM_DIR="$bad" CARGO_TARGET_DIR="$WORK/target-guard" \
    cargo check -q -p ds-sys 2>&1); then
    die "the ds-sys build passed against changed headers"
  fi
  out=$(sed 's/^ *//' <<<"$out") # cargo indents a build script's stderr
  local line n
  n=$(grep -c '^ds-sys ABI guard: ' <<<"$out" || true)
  for line in 'ds-sys ABI guard: NvDsObjEncOutParams: size is 16 in ds-sys, 24 in the header' \
    'ds-sys ABI guard: NVDSINFER_UNKNOWN_ERROR: value is 10 in ds-sys, 9 in the header'; do
    grep -qxF "$line" <<<"$out" || { printf '%s\n' "$out" | tail -n 20; die "missing: $line"; }
  done
  [[ $n -eq 2 ]] || { printf '%s\n' "$out" | grep '^ds-sys ABI guard'; die "$n guard lines, not 2"; }
  say "guard failed the build naming exactly the two changed facts"
}

build() {
  local out
  out=$(nv cargo build -p ds-sys -vv 2>&1) || { printf '%s\n' "$out" | tail -n 30; die "ds-sys build failed"; }
  grep -q 'ds-sys ABI guard: [0-9]* facts match' <<<"$out" ||
    grep -q 'Fresh ds-sys' <<<"$out" || die "the ABI guard did not run"
  grep -o 'ds-sys ABI guard: [0-9]* facts match.*' <<<"$out" | head -n1 | sed 's/^/link-path: /' || true
  nv cargo build -p deepstream-test1
  nv cargo test -p ds-sys -p ds-core --lib --tests --no-run
}

check_linkage() {
  local bin=$NV_TARGET/debug/deepstream-test1 needed s defined undefined
  needed=$(readelf -d "$bin" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
  defined=$(nm --defined-only "$bin")
  undefined=$(nm -D --undefined-only "$bin")
  grep -qx 'libnvds_meta.so' <<<"$needed" ||
    die "deepstream-test1 does not need libnvds_meta.so; NEEDED: $(echo $needed)"
  for s in "${TEST1_IMPORTS[@]}"; do
    if grep -qw "$s" <<<"$defined"; then
      die "deepstream-test1 defines $s itself: the open implementation was compiled in"
    fi
    grep -qw "$s" <<<"$undefined" || die "deepstream-test1 does not import $s"
  done
  local resolved
  resolved=$(nv ldd "$bin" | grep 'libnvds_meta.so') || die "ldd: libnvds_meta.so not found"
  [[ $resolved == *"$FAKE_DS/lib/libnvds_meta.so"* ]] ||
    die "libnvds_meta.so resolves elsewhere: $resolved"
  say "deepstream-test1 NEEDED: $(echo $needed)"
  say "$resolved"
}

tests() {
  # Unit and integration tests (ds-core's ~640 doctests would take many minutes on
  # 2 cores; they run on the open backend in ci/test.sh).
  nv cargo test -p ds-sys -p ds-core --lib --tests
}

test1() {
  local out expected frames
  out=$(nv env -u DISPLAY -u WAYLAND_DISPLAY \
    "$NV_TARGET/debug/deepstream-test1" --no-display "$SAMPLE") ||
    { printf '%s\n' "$out"; die "deepstream-test1 failed"; }
  expected="DeepStream backend: nvidia (DeepStream 7.1 at $FAKE_DS)"
  [[ $(head -n1 <<<"$out") == "$expected" ]] ||
    { printf '%s\n' "$out" | head -n5; die "first line is not: $expected"; }
  frames=$(grep -c '^Frame Number=' <<<"$out" || true)
  [[ $frames -eq 60 ]] || { printf '%s\n' "$out" | tail -n5; die "$frames frame lines, not 60"; }
  grep -q '^End-of-stream$' <<<"$out" || die "no End-of-stream line"
  say "$expected"
  say "$(grep '^Frame Number=' <<<"$out" | tail -n1)"
  say "deepstream-test1: $frames frame lines through the nvidia link path"
}

phase inputs inputs
phase shim shim
phase headers headers
phase guard guard_fails_on_a_changed_header
phase build build
phase linkage check_linkage
phase tests tests
golden() {
  local pkgs=() dir
  for dir in apps/*/; do
    # The package name (an app's folder may differ from it).
    [[ -f $dir/tests/golden.rs ]] &&
      pkgs+=(-p "$(sed -n 's/^name = "\(.*\)"$/\1/p' "$dir/Cargo.toml" | head -n1)")
  done
  ((${#pkgs[@]})) || die "no app has tests/golden.rs"
  nv env -u DISPLAY -u WAYLAND_DISPLAY cargo test "${pkgs[@]}" --test golden
  say "golden stdout tests passed on the nvidia build: ${pkgs[*]}"
}

phase test1 test1
phase golden golden
say ok
