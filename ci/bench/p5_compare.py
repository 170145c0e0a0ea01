#!/usr/bin/env python3
"""P5 (ci/bench.sh) for the elements outside inference, two builds in one invocation.

Runs test1's pipeline cut after the decoder, after nvstreammux (720p -> 1080p) and after
nvvideoconvert (NV12 -> RGBA) with each given launch_bench binary, ROUNDS times,
interleaved (so both builds see the same machine load), and measures the CPU time
(user + system) of each run, as ci/bench.sh's P5 does. An element's CPU per frame is
the difference of the medians from the run without it, divided by the frames.

usage: p5_compare.py VIDEO FRAMES ROUNDS LAUNCH_BENCH [LAUNCH_BENCH ...]
e.g.   cargo build --release -p ds-open --example launch_bench   (once per build)
       ci/bench/p5_compare.py samples/sample_720p.h264 795 3 /tmp/before /tmp/after
"""
import resource
import statistics
import subprocess
import sys

video, frames, rounds, bins = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4:]
src = f"filesrc location={video} ! h264parse ! nvv4l2decoder"
mux = "m.sink_0 nvstreammux name=m batch-size=1 width=1920 height=1080"
sink = "fakesink name=sink sync=false"
rgba = "video/x-raw(memory:NVMM),format=RGBA"
descs = {
    "decode": f"{src} ! {sink}",
    "nvstreammux": f"{src} ! {mux} ! {sink}",
    "nvvideoconvert": f"{src} ! {mux} ! nvvideoconvert ! {rgba} ! {sink}",
}


def cpu_s(binary, desc):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    r = subprocess.run([binary, desc], stdout=subprocess.DEVNULL)
    if r.returncode:
        sys.exit(f"launch_bench failed: {desc}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


runs = {}
for _ in range(rounds):
    for name, desc in descs.items():
        for b in bins:
            runs.setdefault((b, name), []).append(cpu_s(b, desc))
print("| build | decode CPU s | + nvstreammux CPU s | + nvvideoconvert CPU s "
      "| nvstreammux ms/frame | nvvideoconvert ms/frame |")
print("|---|---|---|---|---|---|")
for b in bins:
    m = [statistics.median(runs[(b, n)]) for n in descs]
    print(f"| {b} | {m[0]:.2f} | {m[1]:.2f} | {m[2]:.2f} "
          f"| {1000 * (m[1] - m[0]) / frames:.2f} | {1000 * (m[2] - m[1]) / frames:.2f} |")
