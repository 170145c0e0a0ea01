#!/usr/bin/env bash
# Cross-check for aarch64 (Jetson) without docker: builds the workspace for
# aarch64-unknown-linux-gnu with Debian's cross toolchain against an arm64
# sysroot of Debian's GStreamer packages, then runs the ds-sys and ds-core
# tests, the NanoDet parser library's load test (the aarch64 .so dlopen'd and
# called through NVIDIA's ABI) and deepstream-test1 (on a 3-frame cut of the
# sample) under qemu-aarch64 user emulation, with ONNX Runtime's aarch64
# library.
#
# The arm64 sysroot: the arm64 GStreamer -dev packages cannot be installed
# next to the amd64 ones with `dpkg --add-architecture arm64` on Debian 12
# (libgstreamer-plugins-base1.0-dev is not Multi-Arch: same, so apt would
# remove the amd64 one the native build needs). So apt resolves the arm64
# packages' dependency closure in a private state directory (its own
# package lists and an empty dpkg status: the system's dpkg is not touched),
# downloads the .debs and unpacks them with dpkg-deb into $CROSS_DIR/sysroot
# (no maintainer scripts run). The same libraries the cross/Dockerfile.aarch64-open
# image installs with apt; Debian 12 has GStreamer 1.22, the Jetson 1.20
# (the workspace uses 1.20 APIs only).
#
# Phases (timings printed at the end): tools, sysroot, ort, build, tests, test1.
# Idempotent: every download / unpack is skipped when already done.
#
# Environment:
#   CROSS_DIR          work dir (default <repo>/target/cross-check): sysroot,
#                      .deb cache, ONNX Runtime, the 10-frame sample, and the
#                      aarch64 target dir (target/; a dedicated CARGO_TARGET_DIR)
#   CROSS_TEST1_FRAMES number of frames deepstream-test1 runs on (default 3:
#                      the detector runs at roughly 30 s a frame under qemu)
#   CROSS_SKIP_TEST1=1 skip the (slow, emulated) deepstream-test1 run
#   CROSS_ALL_TARGETS=1 also build every test and example of the workspace
# Needs: root or sudo only to apt-get install the host tools when missing
# (gcc-aarch64-linux-gnu, g++-aarch64-linux-gnu: ds-sys compiles the C++
# bridge of the custom parser ABI, libc6-dev-arm64-cross, qemu-user); rustup, curl,
# python3 + pip, gst-launch-1.0 (to cut the sample), network for apt and pip.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD

TARGET=aarch64-unknown-linux-gnu
TRIPLE=aarch64-linux-gnu
WORK=${CROSS_DIR:-$ROOT/target/cross-check}
SYSROOT=$WORK/sysroot
APT_DIR=$WORK/apt
DEBS=$WORK/debs
TARGET_DIR=$WORK/target
ORT_VERSION=1.31.1
ORT_LIB=$WORK/onnxruntime-aarch64/libonnxruntime.so
FRAMES=${CROSS_TEST1_FRAMES:-3}
SAMPLE_CUT=$WORK/sample_720p_$FRAMES.h264
# arm64 packages of the sysroot (and their dependencies): what building the
# workspace links and what deepstream-test1's pipeline loads (decodebin and
# videoconvert from -base, h264parse from -bad, avdec_h264 from -libav).
SYSROOT_PACKAGES=(
  libc6-dev
  libstdc++6
  libgstreamer1.0-dev
  libgstreamer-plugins-base1.0-dev
  libgstrtspserver-1.0-dev
  gstreamer1.0-plugins-base
  gstreamer1.0-plugins-bad
  gstreamer1.0-libav
)
HOST_PACKAGES=(gcc-aarch64-linux-gnu g++-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user)

say() { printf 'cross-check: %s\n' "$*"; }
die() { printf 'cross-check: error: %s\n' "$*" >&2; exit 1; }
skipped=()

results=()
# shellcheck disable=SC2317 # invoked by the EXIT trap
summary() {
  local rc=$?
  printf '\n== cross-check timings ==\n'
  if ((${#results[@]})); then printf '%s\n' "${results[@]}"; fi
  if ((${#skipped[@]})); then printf 'skipped: %s\n' "${skipped[@]}"; fi
  printf '%-8s %5ss  %s\n' total "$SECONDS" "$([[ $rc -eq 0 ]] && echo ok || echo FAILED)"
}
trap summary EXIT
phase() {
  local name=$1 start=$SECONDS
  shift
  printf '\n== cross-check %s ==\n' "$name"
  "$@"
  results+=("$(printf '%-8s %5ss  ok' "$name" "$((SECONDS - start))")")
}

as_root() {
  if [[ $(id -u) -eq 0 ]]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    die "not root and no sudo: run as root: $*"
  fi
}

tools() {
  local missing=() p
  for p in "${HOST_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if ((${#missing[@]})); then
    say "installing ${missing[*]}"
    as_root apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
  fi
  [[ $'\n'$(rustup target list --installed)$'\n' == *$'\n'"$TARGET"$'\n'* ]] || rustup target add "$TARGET"
  command -v "$TRIPLE-gcc" >/dev/null || die "$TRIPLE-gcc not found"
  command -v "$TRIPLE-g++" >/dev/null || die "$TRIPLE-g++ not found"
  command -v qemu-aarch64 >/dev/null || die "qemu-aarch64 not found"
  say "$("$TRIPLE-gcc" --version | head -n1); $(qemu-aarch64 --version | head -n1)"
}

# apt on a private state: arm64 only, empty dpkg status, own lists and cache.
apt_arm64() {
  apt-get -q \
    -o APT::Architecture=arm64 -o APT::Architectures::=arm64 \
    -o Dir::State="$APT_DIR/state" -o Dir::State::status="$APT_DIR/status" \
    -o Dir::Cache="$APT_DIR/cache" -o Debug::NoLocking=1 \
    -o APT::Sandbox::User="$(id -un)" "$@"
}

# qemu-user shows the guest the host's /proc/cpuinfo and /sys CPU topology
# (x86), on which ONNX Runtime's CPU detection (cpuinfo) crashes with SIGSEGV.
# qemu -L serves a file from the prefix when it exists there, so the sysroot
# gets an aarch64 view: one Neoverse-N1-like core.
fake_cpu() {
  mkdir -p "$SYSROOT/proc" "$SYSROOT/sys/devices/system/cpu/cpu0"
  local f
  for f in possible present online; do echo 0 >"$SYSROOT/sys/devices/system/cpu/$f"; done
  printf '%s\n' 'processor	: 0' 'BogoMIPS	: 50.00' \
    'Features	: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid asimdrdm lrcpc dcpop asimddp' \
    'CPU implementer	: 0x41' 'CPU architecture: 8' 'CPU variant	: 0x3' 'CPU part	: 0xd0c' \
    'CPU revision	: 1' '' >"$SYSROOT/proc/cpuinfo"
}

# What maintainer scripts would have done: update-alternatives links for the
# reference BLAS / LAPACK (libavfilter, hence gst-libav, needs them).
fixups() {
  local d=$SYSROOT/usr/lib/$TRIPLE lib
  for lib in blas/libblas.so.3 lapack/liblapack.so.3; do
    [[ -e $d/$lib && ! -e $d/${lib#*/} ]] && ln -s "$lib" "$d/${lib#*/}"
  done
  fake_cpu
}

sysroot() {
  local stamp=$SYSROOT/.packages want
  want="${SYSROOT_PACKAGES[*]}"
  if [[ -f $stamp && $(cat "$stamp") == "$want" ]]; then
    fixups
    say "arm64 sysroot present: $SYSROOT"
    return
  fi
  mkdir -p "$APT_DIR/state/lists/partial" "$APT_DIR/cache/archives/partial" "$DEBS"
  : >"$APT_DIR/status"
  say "apt-get update (arm64, private lists in $APT_DIR)"
  apt_arm64 update >/dev/null
  local uris
  uris=$(apt_arm64 install --print-uris -y --no-install-recommends "${SYSROOT_PACKAGES[@]}" |
    sed -n "s/^'\([^']*\)' \([^ ]*\) \([0-9]*\) .*/\1 \2/p")
  [[ -n $uris ]] || die "apt could not resolve the arm64 packages ${SYSROOT_PACKAGES[*]}"
  say "$(wc -l <<<"$uris") arm64 packages"
  local url file n=0
  while read -r url file; do
    [[ -s $DEBS/$file ]] && continue
    curl -fsSL --retry 3 -o "$DEBS/$file.part" "$url" || die "download failed: $url"
    mv "$DEBS/$file.part" "$DEBS/$file"
    n=$((n + 1))
  done <<<"$uris"
  say "downloaded $n .debs ($(du -sh "$DEBS" | cut -f1) in $DEBS)"
  rm -rf "$SYSROOT"
  mkdir -p "$SYSROOT"
  while read -r url file; do
    dpkg-deb -x "$DEBS/$file" "$SYSROOT"
  done <<<"$uris"
  # Absolute symlinks (e.g. libc6-dev's) must point into the sysroot.
  local link target
  while IFS= read -r link; do
    target=$(readlink "$link")
    [[ $target == /* ]] && ln -sfn "$SYSROOT$target" "$link"
  done < <(find "$SYSROOT" -type l)
  fixups
  rm -f "$WORK/gst-registry-aarch64.bin"
  echo "$want" >"$stamp"
  say "arm64 sysroot: $SYSROOT ($(du -sh "$SYSROOT" | cut -f1))"
}

# ONNX Runtime's aarch64 library from the PyPI wheel (downloaded, not installed).
ort() {
  if [[ -f $ORT_LIB && $(cat "$ORT_LIB.version" 2>/dev/null) == "$ORT_VERSION" ]]; then
    say "$ORT_LIB ($ORT_VERSION) present"
    return
  fi
  local tmp whl
  tmp=$(mktemp -d)
  python3 -m pip download --quiet --no-deps --only-binary=:all: \
    --platform manylinux_2_28_aarch64 --platform manylinux2014_aarch64 \
    --python-version 3.11 -d "$tmp" "onnxruntime==$ORT_VERSION" ||
    { rm -rf "$tmp"; die "could not download the onnxruntime $ORT_VERSION aarch64 wheel"; }
  whl=$(find "$tmp" -name 'onnxruntime-*aarch64.whl' | head -n1)
  mkdir -p "$(dirname "$ORT_LIB")"
  python3 - "$whl" "$ORT_LIB.part" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    names = [n for n in z.namelist() if "/capi/libonnxruntime.so" in n]
    if not names:
        sys.exit("no libonnxruntime.so in " + sys.argv[1])
    with z.open(sorted(names, key=len)[-1]) as src, open(sys.argv[2], "wb") as dst:
        dst.write(src.read())
PY
  chmod 755 "$ORT_LIB.part"
  mv "$ORT_LIB.part" "$ORT_LIB"
  echo "$ORT_VERSION" >"$ORT_LIB.version"
  rm -rf "$tmp"
  say "$ORT_LIB: $(file -b "$ORT_LIB" | cut -d, -f1-2)"
}

# Cross environment: pkg-config and the linker see the arm64 sysroot only;
# cargo runs aarch64 test binaries under qemu with the sysroot as / for
# libraries. Host build scripts and proc macros are unaffected.
LIBPATH=$SYSROOT/lib/$TRIPLE:$SYSROOT/usr/lib/$TRIPLE
xenv() {
  env \
    PKG_CONFIG_ALLOW_CROSS=1 \
    PKG_CONFIG_SYSROOT_DIR="$SYSROOT" \
    PKG_CONFIG_LIBDIR="$SYSROOT/usr/lib/$TRIPLE/pkgconfig:$SYSROOT/usr/share/pkgconfig" \
    PKG_CONFIG_PATH= \
    CARGO_TARGET_DIR="$TARGET_DIR" \
    CARGO_BUILD_TARGET="$TARGET" \
    CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER="$TRIPLE-gcc" \
    CC_aarch64_unknown_linux_gnu="$TRIPLE-gcc" \
    CXX_aarch64_unknown_linux_gnu="$TRIPLE-g++" \
    CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_RUSTFLAGS="-C link-arg=--sysroot=$SYSROOT -C link-arg=-Wl,-rpath-link,$LIBPATH" \
    CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_RUNNER="qemu-aarch64 -L $SYSROOT -E LD_LIBRARY_PATH=$LIBPATH" \
    QEMU_LD_PREFIX="$SYSROOT" \
    DS_BACKEND=open \
    GST_REGISTRY_FORK=no \
    GST_REGISTRY="$WORK/gst-registry-aarch64.bin" \
    GST_PLUGIN_SYSTEM_PATH_1_0="$SYSROOT/usr/lib/$TRIPLE/gstreamer-1.0" \
    GST_PLUGIN_PATH_1_0= \
    GST_PLUGIN_SCANNER_1_0= \
    ORT_DYLIB_PATH="$ORT_LIB" \
    "$@"
}

build() {
  # Libraries and binaries of every package; CROSS_ALL_TARGETS=1 adds every
  # test and example (about twice the build time).
  local all=()
  [[ ${CROSS_ALL_TARGETS:-0} == 1 ]] && all=(--all-targets)
  xenv cargo build --workspace "${all[@]}"
  local bin=$TARGET_DIR/$TARGET/debug/deepstream-test1
  say "$(file -b "$bin" | cut -d, -f1-2)"
  # The Rust parser library (custom-lib-path) is an aarch64 shared object
  # exporting NVIDIA's parser function.
  local lib=$TARGET_DIR/$TARGET/debug/libnvdsinfer_custom_impl_nanodet.so
  say "$(file -b "$lib" | cut -d, -f1-2)"
  "$TRIPLE-nm" -D --defined-only "$lib" | grep -q ' T NvDsInferParseCustomNanoDet$' ||
    die "$lib does not export NvDsInferParseCustomNanoDet"
  # The GStreamer plugin of the open elements (crates/gst-plugin-dsopen).
  local plugin=$TARGET_DIR/$TARGET/debug/libgstdsopen.so
  say "$(file -b "$plugin" | cut -d, -f1-2)"
  "$TRIPLE-nm" -D --defined-only "$plugin" | grep -q ' T gst_plugin_dsopen_get_desc$' ||
    die "$plugin does not export gst_plugin_dsopen_get_desc"
}

tests() {
  # Unit and integration tests; doctests need a cross rustdoc runner (nightly
  # -Zdoctest-xcompile), so they are left to the native run.
  local skip=()
  if [[ ! -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]]; then
    # This test re-executes its own binary; without a binfmt_misc handler for
    # aarch64 the kernel cannot exec it (qemu-user only runs the first binary).
    skip=(--skip lines_go_to_the_right_stream)
    skipped+=("ds-core app::lines_go_to_the_right_stream (re-execs itself; no binfmt_misc qemu-aarch64 handler here)")
  fi
  # ds-core's app_finalise tests encode with x264enc and mux with mp4mux
  # (plugins-ugly / -good), which the arm64 sysroot does not carry.
  local t
  for t in mp4_is_finalised_after_mid_stream_error drain_sends_the_eos_itself \
    sink_error_returns_at_once stuck_drain_is_bounded one_error_line_and_nothing_else \
    finalise_child; do
    skip+=(--skip "$t")
  done
  skipped+=("ds-core app_finalise (x264enc / mp4mux are not in the arm64 sysroot)")
  # ds-core's parser_abi test compiles a C++ parser library with $CXX and
  # dlopens it in the (emulated) aarch64 test binary.
  xenv env CXX="$TRIPLE-g++" cargo test -p ds-sys -p ds-core --lib --tests -- "${skip[@]}"
  # The Rust parser library (custom-lib-path): an aarch64 test binary dlopens
  # the aarch64 libnvdsinfer_custom_impl_nanodet.so and calls its functions
  # through NVIDIA's ABI (vectors in, vector out) on a synthetic NanoDet output.
  xenv cargo test -p nvdsinfer-custom-nanodet --test load
}

test1() {
  if [[ ${CROSS_SKIP_TEST1:-0} == 1 ]]; then
    skipped+=("test1 (CROSS_SKIP_TEST1=1)")
    return
  fi
  [[ -s samples/sample_720p.mp4 ]] || ci/samples.sh
  [[ -s models/nanodet-m-416.onnx ]] || ci/models.sh model
  # The default config runs INT8 with the cache ci/models.sh makes (on the host) from the clip.
  if [[ ! -s models/nanodet-m-416.int8.calib ]]; then
    [[ -s samples/sample_720p.h264 ]] || ci/samples.sh
    [[ -s models/onnxruntime/libonnxruntime.so ]] || ci/models.sh runtime
    ci/models.sh calib
  fi
  if [[ ! -s $SAMPLE_CUT ]]; then
    # The first frames, cut as ci/samples.sh cuts the 60-frame sample.
    gst-launch-1.0 -q filesrc location=samples/sample_720p.mp4 ! qtdemux ! \
      h264parse config-interval=-1 ! identity eos-after=$((FRAMES + 1)) ! \
      video/x-h264,stream-format=byte-stream,alignment=au ! filesink location="$SAMPLE_CUT.tmp"
    mv "$SAMPLE_CUT.tmp" "$SAMPLE_CUT"
  fi
  local out frames
  out=$(xenv env -u DISPLAY -u WAYLAND_DISPLAY qemu-aarch64 -L "$SYSROOT" \
    -E LD_LIBRARY_PATH="$LIBPATH" \
    "$TARGET_DIR/$TARGET/debug/deepstream-test1" --no-display "$SAMPLE_CUT") ||
    { printf '%s\n' "$out" | tail -n 20; die "deepstream-test1 under qemu failed"; }
  [[ $(head -n1 <<<"$out") == "DeepStream backend: open (Rust implementation, CPU)" ]] ||
    { printf '%s\n' "$out" | head -n5; die "unexpected backend line"; }
  frames=$(grep -c '^Frame Number=' <<<"$out" || true)
  [[ $frames -eq $FRAMES ]] ||
    { printf '%s\n' "$out" | tail -n5; die "$frames frame lines, not $FRAMES"; }
  grep -q '^End-of-stream$' <<<"$out" || die "no End-of-stream line"
  say "$(grep '^Frame Number=' <<<"$out" | tail -n1)"
  say "deepstream-test1 (aarch64, qemu): $frames frame lines"
}

phase tools tools
phase sysroot sysroot
phase ort ort
phase build build
phase tests tests
phase test1 test1
say ok
