#!/usr/bin/env python3
"""INT8 accuracy experiments, part 3 (BENCHMARKS.md, "INT8 accuracy: fused numerics and bias
correction"): is the gap to the accuracy target noise or bias?

Needs the bench venv (ci/bench.sh makes target/bench-venv) plus the `onnx` package
(`target/bench-venv/bin/pip install onnx`), and a DIR made by `int8_sensitivity.py prep`.

  int8_bias.py leaky FP32.onnx
      prints the LeakyRelu node names: passed to the `quantize` example as nodes to keep in
      FP32, each Conv -> LeakyRelu pair is quantised once (after the LeakyRelu), as TensorRT
      quantises a fused Conv + LeakyRelu, instead of after the Conv and again after the
      LeakyRelu (the Convs then run in float in ONNX Runtime: for accuracy only).
  int8_bias.py delta DIR MODEL.onnx...
      mean FP32 - INT8 class logit over the cells whose FP32 score is in 0.3-0.5 (the
      threshold is 0.4), on the 24 calibration frames of ci/models.sh (0, 30, ..., 690).
  int8_bias.py offset SRC.onnx DST.onnx DELTA
      adds DELTA to the class logits (the first 80 output channels of each head Conv that
      feeds a Split), in the quantised int32 bias where the Conv has one.
  int8_bias.py biascorr FP32.onnx SRC.onnx DST.onnx DIR [CONV_INDEX,...]
      empirical bias correction: Conv by Conv in graph order (or only the listed ones), the
      mean per output channel of INT8 - FP32 Conv output on the 24 calibration frames is
      subtracted from the Conv's bias.

Commands for the table (from the repository root, venv python as $P):
  $P ci/bench/int8_sensitivity.py prep samples/sample_720p.h264 models/nanodet-m-416.onnx /tmp/q
  cargo run --release -p ds-model --example quantize -- models/nanodet-m-416.onnx \\
      models/nanodet-m-416.int8.calib /tmp/q/shipped.onnx
  cargo run --release -p ds-model --example quantize -- models/nanodet-m-416.onnx \\
      models/nanodet-m-416.int8.calib /tmp/q/fused.onnx $($P ci/bench/int8_bias.py leaky models/nanodet-m-416.onnx)
  $P ci/bench/int8_bias.py offset /tmp/q/fused.onnx /tmp/q/fused_0.02.onnx 0.02
  $P ci/bench/int8_sensitivity.py eval /tmp/q 1 /tmp/q/shipped.onnx /tmp/q/fused.onnx /tmp/q/fused_0.02.onnx
"""
import os
import sys

import numpy as np
import onnx
import onnxruntime as ort
from onnx import helper, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from int8_sensitivity import blob  # noqa: E402
from test1_opencv import COCO_IDS  # noqa: E402

CALIB_FRAMES = range(0, 720, 30)
NUM_CLASSES = 80


def session(model, outputs=None):
    """A session over a model (path or ModelProto), optionally exposing `outputs` instead."""
    if outputs is not None:
        m = onnx.ModelProto()
        m.CopyFrom(model)
        del m.graph.output[:]
        for o in outputs:
            m.graph.output.append(helper.make_tensor_value_info(o, onnx.TensorProto.FLOAT, None))
        model = m.SerializeToString()
    elif isinstance(model, onnx.ModelProto):
        model = model.SerializeToString()
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 2
    return ort.InferenceSession(model, opts, providers=["CPUExecutionProvider"])


def calib_blobs(d):
    imgs = np.load(f"{d}/imgs.npy", mmap_mode="r")
    return [blob(imgs[i]) for i in CALIB_FRAMES]


def channel_means(model, outputs, blobs):
    s = session(model, outputs)
    name = s.get_inputs()[0].name
    total = None
    for b in blobs:
        means = [o[0].reshape(o.shape[1], -1).mean(1) for o in s.run(None, {name: b})]
        total = means if total is None else [t + m for t, m in zip(total, means)]
    return [t / len(blobs) for t in total]


def shift_bias(model, conv, delta):
    """Adds `delta` (per output channel, float) to `conv`'s bias, quantised or not."""
    inits = {i.name: i for i in model.graph.initializer}
    producer = {o: n for n in model.graph.node for o in n.output}
    dq = producer.get(conv.input[2])
    if dq is not None and dq.op_type == "DequantizeLinear":
        q, scale = inits[dq.input[0]], numpy_helper.to_array(inits[dq.input[1]])
        ints = numpy_helper.to_array(q).astype(np.int64) + np.round(delta / scale).astype(np.int64)
        q.CopyFrom(numpy_helper.from_array(ints.astype(np.int32), q.name))
    else:
        b = inits[conv.input[2]]
        b.CopyFrom(numpy_helper.from_array((numpy_helper.to_array(b) + delta).astype(np.float32), b.name))


def bias_len(model, conv):
    inits = {i.name: i for i in model.graph.initializer}
    producer = {o: n for n in model.graph.node for o in n.output}
    dq = producer.get(conv.input[2])
    name = dq.input[0] if dq is not None and dq.op_type == "DequantizeLinear" else conv.input[2]
    return numpy_helper.to_array(inits[name]).shape[0]


def head_convs(model):
    consumers = {}
    for n in model.graph.node:
        for i in n.input:
            consumers.setdefault(i, []).append(n)

    def feeds_split(t, depth=0):
        for c in consumers.get(t, []):
            if c.op_type == "Split":
                return True
            if c.op_type in ("QuantizeLinear", "DequantizeLinear") and depth < 3 and feeds_split(c.output[0], depth + 1):
                return True
        return False

    return [n for n in model.graph.node if n.op_type == "Conv" and feeds_split(n.output[0])]


def logit(p):
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


def main(a):
    if len(a) == 3 and a[1] == "leaky":
        print(" ".join(n.name for n in onnx.load(a[2]).graph.node if n.op_type == "LeakyRelu"))
    elif len(a) >= 4 and a[1] == "delta":
        blobs = calib_blobs(a[2])
        fp32 = session("models/nanodet-m-416.onnx")
        name = fp32.get_inputs()[0].name
        ref = [fp32.run(None, {name: b}) for b in blobs]
        for path in a[3:]:
            s = session(path)
            diffs = []
            for b, rf in zip(blobs, ref):
                out = s.run(None, {name: b})
                for level in range(3):
                    pf = rf[level][0][:, COCO_IDS].ravel()
                    pq = out[level][0][:, COCO_IDS].ravel()
                    near = (pf > 0.3) & (pf < 0.5)
                    diffs.append(logit(pf[near]) - logit(pq[near]))
            d = np.concatenate(diffs)
            print(f"{os.path.basename(path)}: {len(d)} cells, mean FP32 - INT8 logit {d.mean():.4f}, median {np.median(d):.4f}")
    elif len(a) == 5 and a[1] == "offset":
        m = onnx.load(a[2])
        for conv in head_convs(m):
            delta = np.zeros(bias_len(m, conv), np.float32)
            delta[:NUM_CLASSES] = float(a[4])
            shift_bias(m, conv, delta)
            print(f"{conv.name}: class logits {float(a[4]):+}")
        onnx.save(m, a[3])
    elif len(a) in (6, 7) and a[1] == "biascorr":
        fp32, q = onnx.load(a[2]), onnx.load(a[3])
        blobs = calib_blobs(a[5])
        convs = [n for n in q.graph.node if n.op_type == "Conv"]
        outs = [n.output[0] for n in convs]
        ref = channel_means(fp32, outs, blobs)
        only = set(a[6].split(",")) if len(a) == 7 else None
        for k, conv in enumerate(convs):
            if only is not None and str(k) not in only:
                continue
            err = channel_means(q, [outs[k]], blobs)[0] - ref[k]
            shift_bias(q, conv, -err)
            print(f"{k} {conv.name}: mean |INT8 - FP32| {np.abs(err).mean():.4g}", flush=True)
        onnx.save(q, a[4])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
