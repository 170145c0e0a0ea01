#!/usr/bin/env python3
"""P2 peer: deepstream-test1's work as a plain Python loop (OpenCV + ONNX Runtime).

Per frame, the same work as `deepstream-test1 --no-display`:
  decode (OpenCV's FFmpeg backend) -> scale to the muxer's 1920x1080 ->
  scale to the network's 416x416, BGR, (x - offsets) * net-scale-factor, CHW ->
  NanoDet through ONNX Runtime (same model, same thread count) ->
  decode the GFL head, class-map to the 4 sample classes, per-class NMS, top-k ->
  count per class, draw boxes, labels and the summary text (cv2) ->
  print the sample's summary line.
The parameters are those of configs/dstest1_pgie_config.txt.

usage: test1_opencv.py VIDEO MODEL.onnx THREADS [MAX_FRAMES]
prints one JSON object: {"frames": n, "seconds": s, "fps": f}
"""
import json
import sys
import time

import cv2
import numpy as np
import onnxruntime as ort

NET = 416
STRIDES = (8, 16, 32)
REG_MAX = 10
SCALE = 0.0174
OFFSETS = np.array([103.53, 116.28, 123.675], dtype=np.float32)  # B, G, R
THRESHOLD = 0.4
NMS_IOU = 0.5
TOPK = 100
# class-map=2:0;5:0;7:0;1:1;3:1;0:2;9:3;11:3 (COCO -> Car/Bicycle/Person/Roadsign)
CLASS_MAP = {2: 0, 5: 0, 7: 0, 1: 1, 3: 1, 0: 2, 9: 3, 11: 3}
LABELS = ["Car", "Bicycle", "Person", "Roadsign"]
COCO_IDS = np.array(sorted(CLASS_MAP), dtype=np.int64)
MAPPED = np.array([CLASS_MAP[c] for c in sorted(CLASS_MAP)], dtype=np.int64)
BINS = np.arange(REG_MAX + 1, dtype=np.float32)


def decode(outputs):
    """Boxes (N, 4) x1y1x2y2 in network pixels, scores (N,), classes (N,)."""
    boxes, scores, classes = [], [], []
    for i, s in enumerate(STRIDES):
        cls = outputs[i][0][:, COCO_IDS]          # only the mapped COCO classes
        reg = outputs[3 + i][0]
        loc, k = np.nonzero(cls >= THRESHOLD)
        if loc.size == 0:
            continue
        cells = (NET + s - 1) // s
        cx = (loc % cells + 0.5) * s
        cy = (loc // cells + 0.5) * s
        d = reg[loc].reshape(-1, 4, REG_MAX + 1)
        d = np.exp(d - d.max(axis=2, keepdims=True))
        d = (d / d.sum(axis=2, keepdims=True)) @ BINS * s
        b = np.stack([cx - d[:, 0], cy - d[:, 1], cx + d[:, 2], cy + d[:, 3]], axis=1)
        boxes.append(np.clip(b, 0, NET))
        scores.append(cls[loc, k])
        classes.append(MAPPED[k])
    if not boxes:
        return np.zeros((0, 4), np.float32), np.zeros(0, np.float32), np.zeros(0, np.int64)
    return np.concatenate(boxes), np.concatenate(scores), np.concatenate(classes)


def nms(boxes, scores, classes):
    order = np.argsort(-scores)
    keep = []
    area = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    while order.size and len(keep) < TOPK:
        i = order[0]
        keep.append(i)
        rest = order[1:]
        x1 = np.maximum(boxes[i, 0], boxes[rest, 0])
        y1 = np.maximum(boxes[i, 1], boxes[rest, 1])
        x2 = np.minimum(boxes[i, 2], boxes[rest, 2])
        y2 = np.minimum(boxes[i, 3], boxes[rest, 3])
        inter = np.clip(x2 - x1, 0, None) * np.clip(y2 - y1, 0, None)
        iou = inter / np.maximum(area[i] + area[rest] - inter, 1e-9)
        order = rest[(iou <= NMS_IOU) | (classes[rest] != classes[i])]
    return keep


def main():
    video, model, threads = sys.argv[1], sys.argv[2], int(sys.argv[3])
    max_frames = int(sys.argv[4]) if len(sys.argv) > 4 else 0
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    sess = ort.InferenceSession(model, opts, providers=["CPUExecutionProvider"])
    input_name = sess.get_inputs()[0].name
    cap = cv2.VideoCapture(video)
    if not cap.isOpened():
        raise SystemExit(f"cannot open {video}")
    frames = 0
    start = time.perf_counter()
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        frame = cv2.resize(frame, (1920, 1080), interpolation=cv2.INTER_LINEAR)
        net = cv2.resize(frame, (NET, NET), interpolation=cv2.INTER_LINEAR)
        blob = ((net.astype(np.float32) - OFFSETS) * SCALE).transpose(2, 0, 1)[None]
        outputs = sess.run(None, {input_name: np.ascontiguousarray(blob)})
        boxes, scores, classes = decode(outputs)
        keep = nms(boxes, scores, classes)
        sx, sy = 1920 / NET, 1080 / NET
        counts = [0, 0, 0, 0]
        for i in keep:
            c = int(classes[i])
            counts[c] += 1
            x1, y1, x2, y2 = boxes[i]
            p1 = (int(x1 * sx), int(y1 * sy))
            cv2.rectangle(frame, p1, (int(x2 * sx), int(y2 * sy)), (255, 0, 0), 3)
            cv2.putText(frame, LABELS[c], (p1[0], max(p1[1] - 10, 0)),
                        cv2.FONT_HERSHEY_SIMPLEX, 0.5, (255, 255, 255), 1)
        text = (f"Frame Number={frames} Number of Objects={len(keep)} "
                f"Vehicle_count={counts[0]} Person_count={counts[2]}")
        cv2.putText(frame, text, (10, 24), cv2.FONT_HERSHEY_SIMPLEX, 0.6, (255, 255, 255), 1)
        print(text)
        frames += 1
        if max_frames and frames >= max_frames:
            break
    seconds = time.perf_counter() - start
    print(json.dumps({"frames": frames, "seconds": round(seconds, 2),
                      "fps": round(frames / seconds, 2)}), file=sys.stderr)


if __name__ == "__main__":
    main()
