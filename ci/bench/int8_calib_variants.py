#!/usr/bin/env python3
"""Calibration-cache variants for the INT8 accuracy notes (BENCHMARKS.md, issue 17).

DIR is a folder made by `int8_sensitivity.py prep` (the clip's 416x416 network inputs and
the FP32 detections); CACHE is the shipped cache (`ci/models.sh calib`), whose tensor names
and order every variant keeps; QUANTIZE is the `ds-model` example binary
(`cargo build --release -p ds-model --example quantize`).

  int8_calib_variants.py stats DIR FP32.onnx CACHE START STEP N OUT.pkl
      runs FP32.onnx with every cache tensor as an output on frames START, START+STEP, ...
      (N frames) and keeps each tensor's max |x| and a 4096-bin signed histogram
  int8_calib_variants.py cache FP32.onnx CACHE STATS.pkl METHOD [PARAM] OUT.calib
      METHOD minmax: max |x|; pct P: the P percentile of |x|; mse [FMIN]: per tensor, in
      graph order, the amax in FMIN..1 (default 0.3) x max |x| that minimises the tensor's
      squared quantisation error on the uint8 grid `ds_model::quantize::grids` gives it
      (narrowed below by the graph's lower bound, which depends on the inputs' amax)
  int8_calib_variants.py greedy DIR FP32.onnx QUANTIZE START.calib FRAMES OUT.calib
      greedy refinement (as `ds-calibrate --refine-frames`): for each quantised activation
      in graph order, its scale x 0.85, then x 1.15; the first that lowers the smooth count
      of detections on which FP32 and INT8 disagree about the 0.4 threshold (FRAMES, comma
      separated indices into DIR, decoded down to 0.3) is kept

Needs the `onnx` Python package besides ci/bench.sh's venv (numpy, opencv, onnxruntime).
Evaluate a variant with `quantize FP32.onnx OUT.calib OUT.onnx` and
`int8_sensitivity.py eval DIR 1 OUT.onnx`.
"""
import os
import pickle
import struct
import subprocess
import sys

import numpy as np
import onnx
import onnxruntime as ort

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test1_opencv as T  # noqa: E402
from int8_accuracy import iou  # noqa: E402
from int8_sensitivity import blob, session  # noqa: E402

BINS = 4096


def read_cache(path):
    lines = open(path).read().splitlines()
    out = {}
    for line in lines[1:]:
        name, hexed = line.rsplit(": ", 1)
        out[name] = struct.unpack(">f", bytes.fromhex(hexed))[0]
    return lines[0], out


def write_cache(path, header, names, scales):
    with open(path, "w") as f:
        f.write(header + "\n")
        for n in names:
            f.write(f"{n}: {struct.pack('>f', max(float(scales[n]), 1.1754944e-38)).hex()}\n")


def stats(d, model, cache, start, step, n, out):
    names = list(read_cache(cache)[1])
    m = onnx.load(model)
    have = {o.name for o in m.graph.output}
    for t in names:
        if t not in have and t != "input":
            m.graph.output.append(onnx.helper.make_tensor_value_info(t, onnx.TensorProto.FLOAT, None))
    s = ort.InferenceSession(m.SerializeToString(), providers=["CPUExecutionProvider"])
    outs = [o.name for o in s.get_outputs()]
    imgs = np.load(f"{d}/imgs.npy", mmap_mode="r")
    frames = list(range(start, start + step * n, step))[:n]

    def run(fi):
        x = blob(imgs[fi])
        r = dict(zip(outs, s.run(None, {"input": x})))
        r["input"] = x
        return r

    amax = {t: 0.0 for t in names}
    for fi in frames:
        r = run(fi)
        for t in names:
            v = np.abs(r[t]).ravel()
            v = v[np.isfinite(v)]
            if v.size:
                amax[t] = max(amax[t], float(v.max()))
    hist = {t: np.zeros(BINS, np.int64) for t in names}
    for fi in frames:
        r = run(fi)
        for t in names:
            if amax[t] > 0:
                v = r[t].ravel()
                hist[t] += np.histogram(v[np.isfinite(v)], bins=BINS, range=(-amax[t], amax[t]))[0]
    pickle.dump({"amax": amax, "hist": hist, "frames": frames}, open(out, "wb"))


def graph_info(model):
    info = {}
    for n in onnx.load(model).graph.node:
        alpha = next((a.f for a in n.attribute if a.name == "alpha"), 0.01)
        for o in n.output:
            info[o] = (n.op_type, list(n.input), alpha)
    return info


def lower_bound(t, sel, lo, info):
    """The lower bound ds_model::quantize::grids derives for t (None: none)."""
    if t not in info:
        return None
    op, ins, alpha = info[t]

    def in_lo(x):
        return lo.get(x, -sel[x] if x in sel else None)
    if op in ("Relu", "Sigmoid"):
        return 0.0
    if op == "LeakyRelu":
        return -abs(alpha) * sel[ins[0]] if ins[0] in sel else None
    if op == "Concat":
        v = [in_lo(x) for x in ins]
        return None if any(x is None for x in v) else min([0.0] + v)
    if op in ("MaxPool", "Resize", "Reshape", "Transpose", "Split"):
        return in_lo(ins[0])
    if op == "Pad":
        v = in_lo(ins[0])
        return None if v is None else min(v, 0.0)
    return None


def grid(a, l):
    if l is not None and l > -0.8 * a and a > 0:
        l = min(max(l, -a), 0.0)
        sc = (a - l) / 255.0
        return sc, int(np.clip(round(-l / sc), 0, 255))
    return a / 127.0, 128


def choose(model, st, names, method, param):
    info = graph_info(model)
    sel, lo = {}, {}
    for t in names:
        A, h = st["amax"][t], st["hist"][t]
        if A <= 0 or method == "minmax":
            sel[t] = A
        elif method == "pct":
            ab = h[BINS // 2:] + h[:BINS // 2][::-1]
            k = int(np.searchsorted(np.cumsum(ab) / ab.sum(), param / 100.0))
            sel[t] = min(A, (k + 1) / (BINS // 2) * A)
        else:
            c = (np.arange(BINS) + 0.5) / BINS * 2 * A - A
            best = None
            for f in np.linspace(param, 1.0, int(round((1 - param) * 200)) + 1):
                sel[t] = f * A
                sc, zp = grid(f * A, lower_bound(t, sel, lo, info))
                q = np.clip(np.round(c / sc) + zp, 0, 255)
                e = float((h * (c - (q - zp) * sc) ** 2).sum())
                if best is None or e < best[0]:
                    best = (e, f * A)
            sel[t] = best[1]
        b = lower_bound(t, sel, lo, info)
        if b is not None:
            lo[t] = b
    return {t: a / 127.0 for t, a in sel.items()}


def dets(out, th):
    T.THRESHOLD = th
    b, s, c = T.decode(out)
    k = T.nms(b, s, c)
    T.THRESHOLD = 0.4
    return [(b[i], int(c[i]), float(s[i])) for i in k]


def soft(ref, got, tau=0.01):
    pairs = sorted(((iou(x[0], y[0]), i, j) for i, x in enumerate(ref)
                    for j, y in enumerate(got) if x[1] == y[1]), reverse=True)
    ur, ug = {}, {}
    for v, i, j in pairs:
        if v < 0.5:
            break
        if i not in ur and j not in ug:
            ur[i], ug[j] = j, i

    def a(s):
        return 1 / (1 + np.exp(-(s - 0.4) / tau))
    e = sum(abs(a(got[ur[i]][2]) - a(r[2])) if i in ur else a(r[2]) for i, r in enumerate(ref))
    return e + sum(a(g[2]) for j, g in enumerate(got) if j not in ug)


def greedy(d, model, quant, start, frames, out):
    header, sc = read_cache(start)
    names = list(sc)
    imgs = np.load(f"{d}/imgs.npy", mmap_mode="r")
    blobs = [blob(imgs[f]) for f in frames]
    f32 = session(model)
    refs = [dets(f32.run(None, {"input": b}), 0.3) for b in blobs]
    nref = sum(sum(1 for x in r if x[2] >= 0.4) for r in refs)
    tmp = out + ".tmp"

    def objective():
        write_cache(tmp + ".calib", header, names, sc)
        subprocess.run([quant, model, tmp + ".calib", tmp + ".onnx"], check=True,
                       stdout=subprocess.DEVNULL)
        s = session(tmp + ".onnx")
        return sum(soft(r, dets(s.run(None, {"input": b}), 0.3))
                   for b, r in zip(blobs, refs)) / nref
    subprocess.run([quant, model, start, tmp + ".onnx"], check=True, stdout=subprocess.DEVNULL)
    order = [n.input[0] for n in onnx.load(tmp + ".onnx").graph.node
             if n.op_type == "QuantizeLinear" and n.input[0] in sc]
    best = objective()
    print(f"start {best:.5f} ({nref} FP32 detections)", flush=True)
    for t in order:
        base = sc[t]
        for f in (0.85, 1.15):
            sc[t] = base * f
            e = objective()
            if e < best - 1e-4:
                best = e
                print(f"{t} x {f}: {e:.5f}", flush=True)
                break
            sc[t] = base
    write_cache(out, header, names, sc)
    for x in (".calib", ".onnx"):
        os.remove(tmp + x)


if __name__ == "__main__":
    a = sys.argv
    if len(a) == 9 and a[1] == "stats":
        stats(a[2], a[3], a[4], int(a[5]), int(a[6]), int(a[7]), a[8])
    elif len(a) in (7, 8) and a[1] == "cache":
        header, sc = read_cache(a[3])
        st = pickle.load(open(a[4], "rb"))
        param = float(a[6]) if len(a) == 8 else (0.3 if a[5] == "mse" else None)
        write_cache(a[-1], header, list(sc), choose(a[2], st, list(sc), a[5], param))
    elif len(a) == 8 and a[1] == "greedy":
        greedy(a[2], a[3], a[4], a[5], [int(x) for x in a[6].split(",")], a[7])
    else:
        sys.exit(__doc__)
