#!/usr/bin/env python3
"""INT8 accuracy and speed against FP32 on the sample clip (BENCHMARKS.md, issue 17).

Runs the FP32 model and the INT8 model on the same frames, prepared as
test1_opencv.py prepares them (1920x1080, then 416x416 BGR, deepstream-test1's
normalisation), decodes and NMSes both the same way (test1_opencv.decode/nms), and
matches every FP32 detection to an unmatched INT8 detection of the same class with
IoU >= 0.5 (greedy, highest IoU first).

usage: int8_accuracy.py VIDEO FP32.onnx INT8.onnx THREADS [MAX_FRAMES]
prints one JSON object: fp32/int8 detections, matched fraction, extra fraction,
median ms per inference of each model.
"""
import json
import os
import sys
import time

import cv2
import numpy as np
import onnxruntime as ort

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test1_opencv import NET, OFFSETS, SCALE, decode, nms  # noqa: E402


def iou(a, b):
    x1, y1 = max(a[0], b[0]), max(a[1], b[1])
    x2, y2 = min(a[2], b[2]), min(a[3], b[3])
    inter = max(x2 - x1, 0) * max(y2 - y1, 0)
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / max(union, 1e-9)


def detect(sess, name, blob, times):
    t = time.perf_counter()
    out = sess.run(None, {name: blob})
    times.append(time.perf_counter() - t)
    boxes, scores, classes = decode(out)
    keep = nms(boxes, scores, classes)
    return [(boxes[i], int(classes[i])) for i in keep]


def main():
    video, fp32, int8, threads = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    max_frames = int(sys.argv[5]) if len(sys.argv) > 5 else 0
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    sessions = [ort.InferenceSession(m, opts, providers=["CPUExecutionProvider"])
                for m in (fp32, int8)]
    names = [s.get_inputs()[0].name for s in sessions]
    cap = cv2.VideoCapture(video)
    n_fp32 = n_int8 = matched = frames = 0
    times = ([], [])
    while True:
        ok, frame = cap.read()
        if not ok or (max_frames and frames >= max_frames):
            break
        frame = cv2.resize(frame, (1920, 1080), interpolation=cv2.INTER_LINEAR)
        net = cv2.resize(frame, (NET, NET), interpolation=cv2.INTER_LINEAR)
        blob = np.ascontiguousarray(((net.astype(np.float32) - OFFSETS) * SCALE)
                                    .transpose(2, 0, 1)[None])
        ref = detect(sessions[0], names[0], blob, times[0])
        got = detect(sessions[1], names[1], blob, times[1])
        pairs = sorted(((iou(r[0], g[0]), i, j) for i, r in enumerate(ref)
                        for j, g in enumerate(got) if r[1] == g[1]), reverse=True)
        used_r, used_g = set(), set()
        for v, i, j in pairs:
            if v < 0.5:
                break
            if i not in used_r and j not in used_g:
                used_r.add(i)
                used_g.add(j)
        n_fp32 += len(ref)
        n_int8 += len(got)
        matched += len(used_r)
        frames += 1
    print(json.dumps({
        "frames": frames, "fp32_detections": n_fp32, "int8_detections": n_int8,
        "matched": round(matched / max(n_fp32, 1), 4),
        "extra": round((n_int8 - matched) / max(n_fp32, 1), 4),
        "fp32_ms": round(1000 * float(np.median(times[0])), 2),
        "int8_ms": round(1000 * float(np.median(times[1])), 2),
    }))


if __name__ == "__main__":
    main()
