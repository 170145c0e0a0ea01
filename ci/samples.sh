#!/usr/bin/env bash
# Makes the sample streams the apps and tests use, from real footage that a
# Debian package ships: vtest.avi (a street scene with pedestrians and parked
# vehicles, 768x576 at 10 frames/s, 795 frames) from OpenCV's examples in the
# `opencv-doc` package (Debian main, OpenCV licence).
#
#   samples/sample_720p.h264   H.264 elementary stream, 1280x720 (letterboxed),
#                              the counterpart of DeepStream's sample_720p.h264
#   samples/sample_720p.mp4    the same stream in MP4, for the URI-based apps
#   samples/sample_720p_60.h264  its first 60 frames (quick tests)
#
# Idempotent: does nothing when both files exist and are newer than this
# script. Needs GStreamer with x264enc (ci/setup.sh installs it).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

out=samples
h264=$out/sample_720p.h264
mp4=$out/sample_720p.mp4
short=$out/sample_720p_60.h264
src_sha256=45cddc9490be69345cbdab64ca583be65987e864ca408038e648db99e10516cf
member=./usr/share/doc/opencv-doc/examples/data/vtest.avi

say() { printf 'samples: %s\n' "$*"; }
die() { printf 'samples: error: %s\n' "$*" >&2; exit 1; }

fresh() { [[ -s $1 && $1 -nt ${BASH_SOURCE[0]} ]]; }
if fresh "$h264" && fresh "$mp4" && fresh "$short"; then
  say "$h264, $mp4 and $short present"
  exit 0
fi
mkdir -p "$out/.cache"

# The footage: from the installed package if present, else from the .deb.
src=/usr/share/doc/opencv-doc/examples/data/vtest.avi
if [[ ! -f $src ]]; then
  src=$out/.cache/vtest.avi
  if [[ ! -f $src ]]; then
    command -v apt-get >/dev/null || die "apt-get not found: install opencv-doc and re-run"
    say "fetching the opencv-doc package (for examples/data/vtest.avi)"
    deb_dir=$(mktemp -d)
    trap 'rm -rf "$deb_dir"' EXIT
    (cd "$deb_dir" && apt-get download opencv-doc >/dev/null 2>&1) || {
      if [[ $(id -u) -eq 0 ]]; then apt-get update -q >/dev/null; else sudo apt-get update -q >/dev/null; fi
      (cd "$deb_dir" && apt-get download opencv-doc >/dev/null)
    } || die "could not download opencv-doc"
    dpkg-deb --fsys-tarfile "$deb_dir"/opencv-doc_*.deb | tar -xO "$member" >"$src.part"
    mv "$src.part" "$src"
  fi
fi
echo "$src_sha256  $src" | sha256sum -c --quiet - ||
  die "$src does not have the expected SHA-256 ($src_sha256)"

command -v gst-launch-1.0 >/dev/null || die "gst-launch-1.0 not found (run ci/setup.sh)"
gst-inspect-1.0 x264enc >/dev/null 2>&1 || die "x264enc not found (gstreamer1.0-plugins-ugly)"

say "encoding $mp4 (1280x720 H.264) from $src"
gst-launch-1.0 -q filesrc location="$src" ! decodebin ! videoconvert ! \
  videoscale add-borders=true ! \
  video/x-raw,width=1280,height=720,pixel-aspect-ratio=1/1,format=I420 ! \
  x264enc speed-preset=veryfast key-int-max=30 bitrate=1500 ! \
  video/x-h264,profile=high ! h264parse ! mp4mux ! filesink location="$mp4.part"
mv "$mp4.part" "$mp4"

say "extracting the elementary stream $h264"
gst-launch-1.0 -q filesrc location="$mp4" ! qtdemux ! h264parse config-interval=-1 ! \
  video/x-h264,stream-format=byte-stream,alignment=au ! filesink location="$h264.part"
mv "$h264.part" "$h264"

say "cutting $short (first 60 frames)"
gst-launch-1.0 -q filesrc location="$mp4" ! qtdemux ! h264parse config-interval=-1 ! \
  identity eos-after=61 ! video/x-h264,stream-format=byte-stream,alignment=au ! \
  filesink location="$short.part"
mv "$short.part" "$short"
say "done: $(du -h "$h264" | cut -f1) $h264, $(du -h "$mp4" | cut -f1) $mp4"
