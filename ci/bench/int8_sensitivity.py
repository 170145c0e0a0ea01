#!/usr/bin/env python3
"""INT8 quantisation experiments (BENCHMARKS.md notes, issue 17): which layers hurt.

  int8_sensitivity.py prep VIDEO FP32.onnx DIR
      decodes VIDEO once, keeps the 416x416 network inputs (prepared as
      int8_accuracy.py prepares them) and the FP32 detections and class scores in DIR
  int8_sensitivity.py eval DIR STEP MODEL.onnx...
      runs each (INT8) model on every STEP-th frame kept in DIR and prints one JSON line:
      matched / unmatched share of the FP32 detections (same class, IoU >= 0.5, as
      int8_accuracy.py), mean |INT8 - FP32| class score where either is above 0.2
      ("score_err"), and the mean signed difference where FP32 is in 0.3-0.5 ("bias").
  int8_sensitivity.py scale CACHE OUT FACTOR
      writes CACHE with every scale but the input's multiplied by FACTOR.

The variants themselves come from `cargo run --release -p ds-model --example quantize --
MODEL CACHE OUT [--symmetric] [KEEP_FP32_NODE...]`.
"""
import json
import os
import pickle
import struct
import sys
import time

import cv2
import numpy as np
import onnxruntime as ort

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from int8_accuracy import iou  # noqa: E402
from test1_opencv import COCO_IDS, NET, OFFSETS, SCALE, decode, nms  # noqa: E402


def session(model, threads=2):
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    return ort.InferenceSession(model, opts, providers=["CPUExecutionProvider"])


def blob(img):
    return np.ascontiguousarray(((img.astype(np.float32) - OFFSETS) * SCALE).transpose(2, 0, 1)[None])


def scores(out):
    return np.concatenate([o[0][:, COCO_IDS].ravel() for o in out[:3]])


def prep(video, fp32, d):
    os.makedirs(d, exist_ok=True)
    cap = cv2.VideoCapture(video)
    imgs = []
    while True:
        ok, f = cap.read()
        if not ok:
            break
        f = cv2.resize(f, (1920, 1080), interpolation=cv2.INTER_LINEAR)
        imgs.append(cv2.resize(f, (NET, NET), interpolation=cv2.INTER_LINEAR))
    imgs = np.stack(imgs)
    np.save(f"{d}/imgs.npy", imgs)
    s = session(fp32)
    name = s.get_inputs()[0].name
    dets, cls = [], []
    for img in imgs:
        out = s.run(None, {name: blob(img)})
        b, sc, c = decode(out)
        dets.append([(b[i], int(c[i])) for i in nms(b, sc, c)])
        cls.append(scores(out))
    pickle.dump(dets, open(f"{d}/fp32.pkl", "wb"))
    np.save(f"{d}/fp32_cls.npy", np.stack(cls).astype(np.float16))


def evaluate(d, step, model):
    imgs = np.load(f"{d}/imgs.npy", mmap_mode="r")
    ref_all = pickle.load(open(f"{d}/fp32.pkl", "rb"))
    cls_ref = np.load(f"{d}/fp32_cls.npy", mmap_mode="r")
    s = session(model)
    name = s.get_inputs()[0].name
    n_ref = n_got = matched = 0
    err, bias, nbias, times = [], 0.0, 0, []
    for fi in range(0, len(imgs), step):
        t = time.perf_counter()
        out = s.run(None, {name: blob(imgs[fi])})
        times.append(time.perf_counter() - t)
        b, sc, c = decode(out)
        got = [(b[i], int(c[i])) for i in nms(b, sc, c)]
        ref = ref_all[fi]
        cl, r = scores(out), cls_ref[fi].astype(np.float32)
        m = (r > 0.2) | (cl > 0.2)
        err.append(np.abs(cl[m] - r[m]).mean() if m.any() else 0.0)
        near = (r > 0.3) & (r < 0.5)
        bias += float((cl[near] - r[near]).sum())
        nbias += int(near.sum())
        pairs = sorted(((iou(x[0], y[0]), i, j) for i, x in enumerate(ref)
                        for j, y in enumerate(got) if x[1] == y[1]), reverse=True)
        used_r, used_g = set(), set()
        for v, i, j in pairs:
            if v < 0.5:
                break
            if i not in used_r and j not in used_g:
                used_r.add(i)
                used_g.add(j)
        n_ref += len(ref)
        n_got += len(got)
        matched += len(used_r)
    print(json.dumps({
        "model": os.path.basename(model), "step": step, "fp32": n_ref, "int8": n_got,
        "matched": round(100 * matched / max(n_ref, 1), 2),
        "extra": round(100 * (n_got - matched) / max(n_ref, 1), 2),
        "score_err": round(float(np.mean(err)), 5), "bias": round(bias / max(nbias, 1), 5),
        "ms": round(1000 * float(np.median(times)), 1)}), flush=True)


def scale(src, dst, factor):
    lines = open(src).read().splitlines()
    out = [lines[0]]
    for line in lines[1:]:
        name, hexed = line.rsplit(": ", 1)
        s = struct.unpack(">f", bytes.fromhex(hexed))[0]
        if name != "input":
            s *= factor
        out.append(f"{name}: {struct.pack('>f', s).hex()}")
    open(dst, "w").write("\n".join(out) + "\n")


if __name__ == "__main__":
    a = sys.argv
    if len(a) >= 5 and a[1] == "prep":
        prep(a[2], a[3], a[4])
    elif len(a) >= 5 and a[1] == "eval":
        for m in a[4:]:
            evaluate(a[2], int(a[3]), m)
    elif len(a) == 5 and a[1] == "scale":
        scale(a[2], a[3], float(a[4]))
    else:
        sys.exit(__doc__)
