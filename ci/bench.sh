#!/usr/bin/env bash
# The benchmarks of BENCHMARKS.md, each a ratio against a peer run in the same
# invocation, on this machine:
#   P1  probe walk (4 frames x 100 objects): criterion bench of ds-core
#       (crates/ds-core/benches/probe_walk.rs) vs the same walk in Python over
#       the same C structures through ctypes (ci/bench/probe_walk.py).
#   P2  deepstream-test1 --no-display frames/s on the sample, with an FP32 copy of its
#       config (the shipped one runs INT8), vs a Python
#       OpenCV + ONNX Runtime loop doing the same work (ci/bench/test1_opencv.py)
#       and vs the model's inference-only bound (ds-open example infer_bench).
#   P3  deepstream-test3 aggregate frames/s with 1, 2 and 4 sources, with its profile:
#       CPU time per frame, and inference alone at batch 1 and 4 (infer_bench, 1 thread).
#   P4  INT8 (network-mode=1, models/nanodet-m-416.int8.calib from ci/models.sh):
#       detections against FP32 (ci/bench/int8_accuracy.py), deepstream-test1 with
#       the INT8 config vs the FP32 config, and vs the Python loop on the same INT8 model;
#       start-up of the model preparation with and without model-engine-file (int8_startup).
#   P5  CPU time per frame of each element of test1's pipeline, measured by running
#       the pipeline cut after each element (ds-open example launch_bench) and taking the
#       difference in process CPU time; the CPU-work bound = cores / sum, and test1
#       (INT8 config, P4) against it.
#
# usage: ci/bench.sh [--quick] [--out FILE]
#   --quick   short runs (the 60-frame sample, short criterion times); CI runs
#             this to keep the command working; figures from it are rough.
#   --out     where the report goes (default BENCHMARKS.md; --quick: out/BENCHMARKS.quick.md)
# BENCH_ROUNDS=N overrides the number of alternating test1 / Python rounds of P2 and P4
# (default 3; 1 with --quick).
# Needs ci/setup.sh, ci/samples.sh and ci/models.sh to have run; creates a
# Python venv (numpy, opencv-python-headless, onnxruntime) in target/bench-venv.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

quick=0
out=
while (($#)); do
  case $1 in
    --quick) quick=1 ;;
    --out) out=$2; shift ;;
    *) echo "usage: ci/bench.sh [--quick] [--out FILE]" >&2; exit 2 ;;
  esac
  shift
done
[[ -n $out ]] || { ((quick)) && out=out/BENCHMARKS.quick.md || out=BENCHMARKS.md; }

say() { printf '[bench] %s\n' "$*" >&2; }
die() { printf '[bench] error: %s\n' "$*" >&2; exit 1; }

ORT_VERSION=$(sed -n 's/^ORT_VERSION=//p' ci/models.sh)
model=models/nanodet-m-416.onnx
[[ -f $model ]] || die "$model missing: run ci/models.sh"
if ((quick)); then
  video=samples/sample_720p_60.h264
  test3_input=samples/sample_720p_60.h264
  test3_frames=(30 60 120)
  crit=(--warm-up-time 1 --measurement-time 2)
  py_rounds=3
  p2_rounds=1
  infer_frames=20
else
  video=samples/sample_720p.h264
  test3_input=samples/sample_720p.mp4
  test3_frames=(200 400 800)
  crit=(--warm-up-time 2 --measurement-time 8)
  py_rounds=9
  p2_rounds=3
  infer_frames=200
fi
p2_rounds=${BENCH_ROUNDS:-$p2_rounds}
[[ -f $video && -f $test3_input ]] || die "samples missing: run ci/samples.sh"
mkdir -p out/bench "$(dirname "$out")"
threads=$(nproc)
# Cargo's output folder (binaries, criterion's estimates): CARGO_TARGET_DIR
# where set, as cargo itself does.
tgt=${CARGO_TARGET_DIR:-target}

# Python peers' environment.
venv=target/bench-venv
if ! "$venv/bin/python" -c 'import cv2, numpy, onnxruntime' 2>/dev/null; then
  say "creating $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check \
    numpy opencv-python-headless "onnxruntime==$ORT_VERSION"
fi
py=$venv/bin/python

say "building (release)"
cargo build --release --quiet -p ds-sys-shim -p deepstream-test1 -p deepstream-test3
cargo build --release --quiet -p ds-open --example infer_bench
cargo build --release --quiet -p ds-model --example quantize
cargo build --release --quiet -p ds-open --example launch_bench --example int8_startup
cargo run --release --quiet -p ds-sys --example abi_offsets >out/bench/offsets.json

now() { date +%s.%N; }
# Runs CMD... with stdout to $1 and stderr to $2; prints its CPU seconds (user + system,
# the process and its children): a figure that holds on a shared machine, unlike wall time.
run_cpu() {
  "$py" -c 'import resource, subprocess, sys
r = subprocess.run(sys.argv[3:], stdout=open(sys.argv[1], "w"), stderr=open(sys.argv[2], "w"))
u = resource.getrusage(resource.RUSAGE_CHILDREN)
sys.exit(r.returncode) if r.returncode else print("%.2f" % (u.ru_utime + u.ru_stime))' "$@"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

# ---- P1 ----------------------------------------------------------------------
say "P1: criterion probe_walk"
cargo bench --quiet -p ds-core --bench probe_walk -- "${crit[@]}" >out/bench/p1_criterion.txt 2>&1 ||
  { cat out/bench/p1_criterion.txt >&2; die "criterion bench failed"; }
est="$tgt"/criterion/probe_walk/4x100/new/estimates.json
rust_iter=$("$py" -c 'import json,sys; print(json.load(open(sys.argv[1]))["mean"]["point_estimate"])' "$est")
rust_obj=$(awk -v n="$rust_iter" 'BEGIN { printf "%.2f", n / 400 }')
say "P1: Python ctypes peer"
py_json=$("$py" ci/bench/probe_walk.py "$tgt"/release/libds_sys_shim.so out/bench/offsets.json "$py_rounds")
py_obj=$("$py" -c 'import json,sys; print(json.loads(sys.argv[1])["ns_per_object"])' "$py_json")
p1_ratio=$(ratio "$py_obj" "$rust_obj")

# ---- test1's detector configs -------------------------------------------------
# The shipped configs/dstest1_pgie_config.txt runs INT8 (network-mode=1, the cache of
# ci/models.sh, model-engine-file). P2 compares test1 with the Python loop on the FP32 model:
# an FP32 copy (network-mode=0, no cache, no engine file); P4 and P5 run the shipped INT8
# config. Both with absolute paths, as they live in out/bench/.
calib=models/nanodet-m-416.int8.calib
[[ -f $calib ]] || die "$calib missing: run ci/models.sh calib"
abs_paths=(-e "s|=\.\./models/|=$PWD/models/|" -e "s|^labelfile-path=|labelfile-path=$PWD/configs/|")
fp32_cfg=out/bench/dstest1_pgie_fp32.txt
sed "${abs_paths[@]}" -e '/^int8-calib-file=/d' -e '/^model-engine-file=/d' \
  -e 's/^network-mode=.*/network-mode=0/' configs/dstest1_pgie_config.txt >"$fp32_cfg"
int8_cfg=out/bench/dstest1_pgie_int8.txt
sed "${abs_paths[@]}" configs/dstest1_pgie_config.txt >"$int8_cfg"
grep -qx 'network-mode=1' "$int8_cfg" && grep -q "^int8-calib-file=$PWD/$calib\$" "$int8_cfg" ||
  die "configs/dstest1_pgie_config.txt no longer runs INT8 with $calib: update ci/bench.sh"
# The INT8 model those configs run (the FP32 model quantised with the cache), for the peers
# that take a model rather than a config: P3's infer_bench, P4's accuracy and Python loop.
int8_model=out/bench/nanodet-m-416.int8.onnx
"$tgt"/release/examples/quantize "$model" "$calib" "$int8_model" >/dev/null

# ---- P2 ----------------------------------------------------------------------
median() { tr ' ' '\n' | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
rs_all=()
py_all=()
for round in $(seq "$p2_rounds"); do
  say "P2 round $round/$p2_rounds: deepstream-test1 --config $fp32_cfg on $video"
  t0=$(now)
  "$tgt"/release/deepstream-test1 --no-display --config "$fp32_cfg" "$video" \
    >out/bench/p2_test1.txt 2>out/bench/p2_test1.err ||
    { cat out/bench/p2_test1.err >&2; die "deepstream-test1 failed"; }
  t1=$(now)
  rs_frames=$(grep -c '^Frame Number=' out/bench/p2_test1.txt)
  rs_all+=("$(awk -v n="$rs_frames" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", n / (b - a) }')")
  say "P2 round $round/$p2_rounds: Python OpenCV + ONNX Runtime loop"
  t0=$(now)
  "$py" ci/bench/test1_opencv.py "$video" "$model" "$threads" >out/bench/p2_python.txt 2>out/bench/p2_python.err ||
    { cat out/bench/p2_python.err >&2; die "Python loop failed"; }
  t1=$(now)
  py_frames=$(grep -c '^Frame Number=' out/bench/p2_python.txt)
  py_all+=("$(awk -v n="$py_frames" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", n / (b - a) }')")
done
rs_fps=$(echo "${rs_all[*]}" | median)
py_fps=$(echo "${py_all[*]}" | median)
say "P2: inference-only bound"
bound=0
for mode in spin nospin; do
  line=$("$tgt"/release/examples/infer_bench "$model" "$infer_frames" 1 "$mode")
  fps=$(grep -o '[0-9.]* frames/s' <<<"$line" | cut -d' ' -f1)
  say "  $mode: $fps frames/s"
  bound=$(awk -v a="$bound" -v b="$fps" 'BEGIN { print (b > a) ? b : a }')
done
p2_vs_py=$(ratio "$rs_fps" "$py_fps")
p2_vs_bound=$(awk -v a="$rs_fps" -v b="$bound" 'BEGIN { printf "%.0f", 100 * a / b }')
# How often both count the same objects per frame (a check that the work matches).
same=$(paste -d'|' <(grep '^Frame Number=' out/bench/p2_test1.txt) \
  <(grep '^Frame Number=' out/bench/p2_python.txt) | awk -F'|' '$1 == $2' | wc -l)

say "P2 detail: conversion kernels vs GStreamer's VideoConverter"
cargo bench --quiet -p ds-open --bench convert -- "${crit[@]}" >out/bench/p2_convert.txt 2>&1 ||
  { cat out/bench/p2_convert.txt >&2; die "convert bench failed"; }
conv_rows=()
for case in nv12_720p_to_nv12_1080p nv12_1080p_to_bgr_416 nv12_1080p_to_rgba_1080p; do
  ms() { "$py" -c 'import json,sys; print("%.2f" % (json.load(open(sys.argv[1]))["mean"]["point_estimate"] / 1e6))' \
    "$tgt/criterion/convert/$1_$case/new/estimates.json"; }
  ours=$(ms ds_open)
  theirs=$(ms gstreamer)
  conv_rows+=("| $case | $ours | $theirs | $(ratio "$ours" "$theirs") |")
done

# ---- P3 ----------------------------------------------------------------------
p3_rows=()
p3_fps=()
p3_cpu=()
for i in 0 1 2; do
  n=$((1 << i))
  frames=${test3_frames[$i]}
  inputs=()
  for _ in $(seq "$n"); do inputs+=("$test3_input"); done
  say "P3: deepstream-test3 with $n source(s), $frames frames"
  t0=$(now)
  cpu=$(run_cpu out/bench/p3_$n.txt out/bench/p3_$n.err \
    "$tgt"/release/deepstream-test3 --no-display --num-frames "$frames" -i "${inputs[@]}") ||
    { cat out/bench/p3_$n.err >&2; die "deepstream-test3 failed"; }
  t1=$(now)
  got=$(grep -c '^Frame Number=' out/bench/p3_$n.txt)
  fps=$(awk -v n="$got" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", n / (b - a) }')
  cpu_ms=$(awk -v c="$cpu" -v n="$got" 'BEGIN { printf "%.1f", 1000 * c / n }')
  p3_fps+=("$fps")
  p3_cpu+=("$cpu_ms")
  p3_rows+=("| $n | $got | $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') | $fps | $cpu_ms | $(awk -v c="$cpu" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", c / (b - a) }') |")
done
p3_ratio=$(ratio "${p3_fps[2]}" "${p3_fps[0]}")
p3_cpu_ratio=$(ratio "${p3_cpu[0]}" "${p3_cpu[2]}")
# What batching saves in the inference itself: the model test3's config runs, one
# ONNX Runtime thread (as each of nvinfer's inference workers), batch 1 against batch 4.
p3_model=$model
if grep -q '^network-mode=1' configs/dstest3_pgie_config.txt; then p3_model=$int8_model; fi
p3_batch_ms=()
for b in 1 4; do
  line=$(INFER_THREADS=1 ORT_DYLIB_PATH=${ORT_DYLIB_PATH:-$PWD/models/onnxruntime/libonnxruntime.so} \
    "$tgt"/release/examples/infer_bench "$p3_model" "$infer_frames" "$b" nospin)
  p3_batch_ms+=("$(grep -o '[0-9.]* ms/frame' <<<"$line" | cut -d' ' -f1)")
done

# ---- P4 ----------------------------------------------------------------------
say "P4: INT8 detections vs FP32"
acc=$("$py" ci/bench/int8_accuracy.py "$video" "$model" "$int8_model" "$threads")
acc_get() { "$py" -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$acc" "$1"; }
i8_all=()
i8py_all=()
i8_cpu_all=()
i8py_cpu_all=()
for round in $(seq "$p2_rounds"); do
  say "P4 round $round/$p2_rounds: deepstream-test1 --config $int8_cfg"
  t0=$(now)
  i8_cpu=$(run_cpu out/bench/p4_test1.txt out/bench/p4_test1.err \
    "$tgt"/release/deepstream-test1 --no-display --config "$int8_cfg" "$video") ||
    { cat out/bench/p4_test1.err >&2; die "deepstream-test1 (INT8) failed"; }
  t1=$(now)
  i8_frames=$(grep -c '^Frame Number=' out/bench/p4_test1.txt)
  i8_all+=("$(awk -v n="$i8_frames" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", n / (b - a) }')")
  say "P4 round $round/$p2_rounds: Python loop on the INT8 model"
  t0=$(now)
  i8py_cpu=$(run_cpu out/bench/p4_python.txt out/bench/p4_python.err \
    "$py" ci/bench/test1_opencv.py "$video" "$int8_model" "$threads") ||
    { cat out/bench/p4_python.err >&2; die "Python loop (INT8) failed"; }
  t1=$(now)
  i8py_frames=$(grep -c '^Frame Number=' out/bench/p4_python.txt)
  i8_cpu_all+=("$(awk -v c="$i8_cpu" -v n="$i8_frames" 'BEGIN { printf "%.2f", 1000 * c / n }')")
  i8py_cpu_all+=("$(awk -v c="$i8py_cpu" -v n="$i8py_frames" 'BEGIN { printf "%.2f", 1000 * c / n }')")
  i8py_all+=("$(awk -v n="$i8py_frames" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", n / (b - a) }')")
done
i8_fps=$(echo "${i8_all[*]}" | median)
i8py_fps=$(echo "${i8py_all[*]}" | median)
p4_vs_fp32=$(ratio "$i8_fps" "$rs_fps")
p4_vs_py=$(ratio "$i8_fps" "$i8py_fps")
i8_cpu_ms=$(echo "${i8_cpu_all[*]}" | median)
i8py_cpu_ms=$(echo "${i8py_cpu_all[*]}" | median)
say "P4: start-up with and without model-engine-file"
"$tgt"/release/examples/int8_startup "$int8_cfg" "$calib" >out/bench/p4_startup.txt
startup_ms() { grep "^$1  " out/bench/p4_startup.txt | grep -o '= *[0-9.]* ms' | grep -o '[0-9.]*'; }

# ---- P5 ----------------------------------------------------------------------
# CPU seconds (user + system) of one launch_bench run: the pipeline cut after an element.
cpu_s() {
  "$py" -c 'import resource, subprocess, sys
r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL)
u = resource.getrusage(resource.RUSAGE_CHILDREN)
sys.exit(r.returncode) if r.returncode else print("%.2f" % (u.ru_utime + u.ru_stime))' \
    "$tgt"/release/examples/launch_bench "$1"
}
src="filesrc location=$video ! h264parse ! nvv4l2decoder"
mux="m.sink_0 nvstreammux name=m batch-size=1 width=1920 height=1080"
sink="fakesink name=sink sync=false"
rgba="video/x-raw(memory:NVMM),format=RGBA"
p5_desc=(
  "$src ! $sink"
  "$src ! $mux ! $sink"
  "$src ! $mux ! nvinfer config-file-path=$int8_cfg ! $sink"
  "$src ! $mux ! nvinfer config-file-path=$int8_cfg ! nvvideoconvert ! $rgba ! $sink"
  "$src ! $mux ! nvinfer config-file-path=$int8_cfg ! nvvideoconvert ! $rgba ! nvdsosd ! $sink"
)
p5_name=("h264parse + nvv4l2decoder" "nvstreammux (720p -> 1080p)" "nvinfer, INT8 config" "nvvideoconvert (NV12 -> RGBA)" "nvdsosd")
p5_rows=()
prev=0
for i in "${!p5_desc[@]}"; do
  say "P5: CPU time, pipeline up to ${p5_name[$i]}"
  cpu=$(cpu_s "${p5_desc[$i]}") || die "launch_bench failed: ${p5_desc[$i]}"
  per=$(awk -v c="$cpu" -v p="$prev" -v n="$i8_frames" 'BEGIN { printf "%.2f", 1000 * (c - p) / n }')
  p5_rows+=("| ${p5_name[$i]} | $cpu | $per |")
  prev=$cpu
done
p5_sum=$(awk -v c="$prev" -v n="$i8_frames" 'BEGIN { printf "%.2f", 1000 * c / n }')
p5_bound=$(awk -v t="$threads" -v s="$p5_sum" 'BEGIN { printf "%.2f", 1000 * t / s }')
p5_ratio=$(awk -v a="$i8_fps" -v b="$p5_bound" 'BEGIN { printf "%.0f", 100 * a / b }')
p5_cpu_ratio=$(awk -v s="$p5_sum" -v c="$i8_cpu_ms" 'BEGIN { printf "%.0f", 100 * s / c }')

# ---- report --------------------------------------------------------------------
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
verdict() { awk -v v="$1" -v t="$2" -v op="$3" 'BEGIN { ok = (op == "<=") ? v <= t : v >= t; print ok ? "met" : "NOT met" }'; }
{
  echo "# Benchmarks"
  echo
  ((quick)) && echo "**Quick run (\`ci/bench.sh --quick\`): short inputs, rough figures.**" && echo
  echo "Measured $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(hostname): $threads cores ($cpu), $(uname -sr),"
  echo "commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown), open backend, release build."
  echo "Command: \`ci/bench.sh$( ((quick)) && echo ' --quick')\` (every figure below comes from that one invocation)."
  echo
  echo "## P1: probe metadata walk (4 frames x 100 objects)"
  echo
  echo "One iteration = deepstream-test1's OSD probe on one buffer without printing: count by"
  echo "class, set each box's colour, one display meta with the summary text per frame."
  echo
  echo "| implementation | ns per object | ns per batch |"
  echo "|---|---|---|"
  echo "| Rust, ds-core (criterion mean) | $rust_obj | $(printf '%.0f' "$rust_iter") |"
  echo "| Python, ctypes over the same C structures | $py_obj | $(awk -v n="$py_obj" 'BEGIN { printf "%.0f", n * 400 }') |"
  echo
  echo "Rust is **${p1_ratio}x** faster. Targets: <= 20 ns per object ($(verdict "$rust_obj" 20 '<=')),"
  echo ">= 50x Python ($(verdict "$p1_ratio" 50 '>='))."
  echo
  echo "## P2: deepstream-test1 throughput ($threads cores)"
  echo
  echo "Input: \`$video\` (1280x720 H.264). Frames/s = frames / wall time of the whole process;"
  echo "test1 and the Python loop alternate, $p2_rounds round(s), median shown (all rounds: test1 ${rs_all[*]}; Python ${py_all[*]})."
  echo
  echo "| run | frames | frames/s |"
  echo "|---|---|---|"
  echo "| deepstream-test1 --no-display --config (FP32 copy of the shipped config, \`$fp32_cfg\`) | $rs_frames | $rs_fps |"
  echo "| Python loop: OpenCV decode + ONNX Runtime + numpy post-processing + cv2 drawing | $py_frames | $py_fps |"
  echo "| inference-only bound: NanoDet 416x416 through ONNX Runtime, $threads threads, best of spin/nospin | $infer_frames | $bound |"
  echo
  echo "deepstream-test1 / Python loop: **${p2_vs_py}x** (target >= 1.5x: $(verdict "$p2_vs_py" 1.5 '>='))."
  echo "deepstream-test1 / inference-only bound: **${p2_vs_bound} %** (target >= 85 %: $(verdict "$p2_vs_bound" 85 '>='))."
  echo "Frames where both print the same counts: $same of $rs_frames (different scalers: close, not equal)."
  echo
  echo "Both are bound by the same ONNX Runtime call on the same $threads cores: even at 100 % of the"
  echo "inference-only bound, deepstream-test1 / Python loop could be at most bound / Python ="
  echo "**$(ratio "$bound" "$py_fps")x** on this machine; the Python loop spends"
  echo "$(awk -v p="$py_fps" -v b="$bound" 'BEGIN { printf "%.0f", 100 * (1 / p - 1 / b) * p }') % of its time outside inference."
  echo
  echo "Where the non-inference time goes: the per-frame conversions of the open elements"
  echo "(\`cargo bench -p ds-open --bench convert\`, mean per frame, 2 threads each) against"
  echo "GStreamer's own converter (\`VideoConverter\`, bilinear, 2 threads) in the same run:"
  echo
  echo "| conversion (element) | ds-open ms | GStreamer ms | ds-open / GStreamer |"
  echo "|---|---|---|---|"
  printf '%s\n' "${conv_rows[@]}" | sed -e 's/^| nv12_720p_to_nv12_1080p/| 720p NV12 -> 1080p NV12 (nvstreammux)/' \
    -e 's/^| nv12_1080p_to_bgr_416/| 1080p NV12 -> 416x416 BGR (nvinfer input)/' \
    -e 's/^| nv12_1080p_to_rgba_1080p/| 1080p NV12 -> RGBA (nvvideoconvert)/'
  echo
  echo "## P3: deepstream-test3 batching"
  echo
  echo "Input: \`$test3_input\` per source, \`--no-display\`, stopped after the given number of frames in all;"
  echo "the shipped config (configs/dstest3_pgie_config.txt, INT8)."
  echo
  echo "| sources | frames | seconds | aggregate frames/s | CPU ms per frame | cores busy |"
  echo "|---|---|---|---|---|---|"
  printf '%s\n' "${p3_rows[@]}"
  echo
  echo "Aggregate at 4 sources / at 1 source: **${p3_ratio}x** (target >= 1.3x: $(verdict "$p3_ratio" 1.3 '>='))."
  echo
  echo "Profile: CPU time (user + system) per frame at 1 source / at 4 sources = **${p3_cpu_ratio}x**. Once one"
  echo "source keeps the $threads cores busy, 4 sources can only be faster by doing less CPU work per frame."
  echo "Inference alone (\`infer_bench\`, $(basename "$p3_model"), 1 thread as each inference worker):"
  echo "${p3_batch_ms[0]} ms per frame at batch 1, ${p3_batch_ms[1]} ms at batch 4."
  echo
  echo "## P4: INT8 (network-mode=1)"
  echo
  echo "Cache: \`$calib\` ($(head -1 "$calib"), ci/models.sh). INT8 model: the FP32 model quantised"
  echo "with it (\`ds_model::quantize\`: per-channel int8 Conv weights, int8 activations, QDQ)."
  echo
  echo "Accuracy on \`$video\` ($(acc_get frames) frames, FP32 and INT8 on the same inputs, test1_opencv's"
  echo "decode and NMS): $(acc_get fp32_detections) FP32 detections, $(acc_get int8_detections) INT8 detections;"
  echo "FP32 detections matched by an INT8 detection of the same class with IoU >= 0.5: **$(awk -v v="$(acc_get matched)" 'BEGIN { printf "%.1f", 100 * v }') %**"
  echo "(target >= 95 %: $(verdict "$(acc_get matched)" 0.95 '>=')); unmatched INT8 detections: **$(awk -v v="$(acc_get extra)" 'BEGIN { printf "%.1f", 100 * v }') %** of the FP32 count"
  echo "(target <= 5 %: $(verdict "$(acc_get extra)" 0.05 '<=')). Median inference: FP32 $(acc_get fp32_ms) ms, INT8 $(acc_get int8_ms) ms."
  echo
  echo "| run | frames | frames/s |"
  echo "|---|---|---|"
  echo "| deepstream-test1, INT8 config | $i8_frames | $i8_fps |"
  echo "| deepstream-test1, FP32 config (P2) | $rs_frames | $rs_fps |"
  echo "| Python loop, same INT8 model | $i8py_frames | $i8py_fps |"
  echo
  echo "All rounds: test1 INT8 ${i8_all[*]}; Python INT8 ${i8py_all[*]}."
  echo "test1 INT8 / test1 FP32: **${p4_vs_fp32}x** (target >= 1.5x: $(verdict "$p4_vs_fp32" 1.5 '>='))."
  echo "test1 INT8 / Python loop INT8: **${p4_vs_py}x** (target >= 1.3x: $(verdict "$p4_vs_py" 1.3 '>='))."
  echo
  echo "CPU time per frame (user + system of the whole process, median of the rounds; holds on a"
  echo "shared machine where wall time does not): test1 INT8 $i8_cpu_ms ms (rounds ${i8_cpu_all[*]}),"
  echo "Python loop INT8 $i8py_cpu_ms ms (rounds ${i8py_cpu_all[*]}): Python / test1 = **$(ratio "$i8py_cpu_ms" "$i8_cpu_ms")x** the CPU per frame."
  echo
  echo "Start-up of the model preparation (prepare + ONNX Runtime session, \`int8_startup\`):"
  echo "FP32 $(startup_ms fp32) ms; INT8 without model-engine-file $(startup_ms 'int8, no model-engine-file') ms;"
  echo "INT8 writing the engine file $(startup_ms 'int8, engine file written') ms; INT8 loading it $(startup_ms 'int8, engine file reused') ms."
  echo
  echo "## P5: CPU time per frame of each element (test1's pipeline, INT8 config)"
  echo
  echo "Method: \`launch_bench\` runs test1's pipeline on \`$video\` cut after each element"
  echo "(to a fakesink), one run each; the CPU time (user + system) of the whole process is measured,"
  echo "and an element's share is the difference from the run without it, divided by the frames."
  echo "Each element is so measured with only its upstream running (no competition from downstream)."
  echo
  echo "| pipeline up to | process CPU s | element CPU ms per frame |"
  echo "|---|---|---|"
  printf '%s\n' "${p5_rows[@]}"
  echo
  echo "Sum: $p5_sum ms of CPU per frame; CPU-work bound on $threads cores = $threads / sum = $p5_bound frames/s."
  echo "deepstream-test1 (INT8 config, P4 median) / bound: **${p5_ratio} %** (target >= 85 %: $(verdict "$p5_ratio" 85 '>='))."
  echo "In CPU time (load-independent): sum of the elements / test1's CPU per frame (P4) = **${p5_cpu_ratio} %**"
  echo "(100 % = test1 spends no CPU beyond its elements' own; the wall-time ratio above also needs the cores to itself)."
} >"$out"
say "wrote $out"
cat "$out"
