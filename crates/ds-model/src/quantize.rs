//! Static INT8 quantisation of an FP32 ONNX model into the QDQ form ONNX Runtime's CPU
//! execution provider fuses into int8 kernels (`QLinearConv`, `QLinearAdd`, …).
//!
//! - Activations: every float tensor that feeds a quantisable node and has a scale in the
//!   calibration cache gets a `QuantizeLinear` / `DequantizeLinear` pair right after it is
//!   made, on the cache's range (TensorRT's symmetric scheme, `real = scale * q`, stored as
//!   uint8 with zero point 128, the U8S8 form ONNX Runtime's x86 kernels take; narrowed
//!   where the graph bounds the tensor from below: [`grids`]); all its
//!   consumers read the dequantised tensor, so the producer is followed by a Q alone, as the
//!   fusions need.
//! - Conv weights: int8 per output channel (`scale[m] = max|W[m]| / 127`,
//!   `DequantizeLinear` with `axis=0`); biases int32 with `scale = s_x * s_w[m]`.
//! - Zero-padding `Pad` nodes that only feed `Conv`s are folded into the convolutions'
//!   `pads` first, so the `DQ -> Conv -> Q` groups are adjacent.
//! - Nodes named in [`Options::keep_fp32`] (and tensors without a scale) stay float.
//!
//! The cache's names are the FP32 model's tensor names (what TensorRT reads too).
use crate::calib::CalibrationCache;
use crate::onnx_read::{Graph, Node, OnnxModel, TensorProto, FLOAT, INT32, INT8, UINT8};
use std::collections::{HashMap, HashSet};

/// Ops whose float inputs are quantised.
pub const QUANTISABLE_OPS: &[&str] = &[
    "Conv",
    "Add",
    "Concat",
    "LeakyRelu",
    "Sigmoid",
    "MaxPool",
    "Resize",
    "Mul",
    "Relu",
    "AveragePool",
    "GlobalAveragePool",
];

/// Quantisation options.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Names of nodes (or of their first output tensor) to keep in FP32.
    pub keep_fp32: Vec<String>,
    /// Quantise every activation on the symmetric grid of its cache scale, even
    /// where the graph bounds it from below (see [`grids`]).
    pub symmetric_only: bool,
}

/// The uint8 grid (scale, zero point) of each activation with a cache scale.
///
/// The cache gives each tensor `amax = 127 * scale`, a symmetric range. Where the
/// graph itself bounds a tensor from below more tightly, half the symmetric grid
/// would go unused, so the grid covers `[lo, amax]` instead (256 steps):
/// `LeakyRelu(x)` >= `-alpha * amax(x)`; `Relu`, `Sigmoid` >= 0; `Concat`,
/// `MaxPool`, `Resize`, `Reshape`, `Transpose`, `Split` and zero `Pad` keep their
/// inputs' lower bound. The scales themselves all come from the cache.
pub fn grids(
    graph: &Graph,
    scales: &HashMap<&str, f32>,
    symmetric_only: bool,
) -> HashMap<String, (f32, u8)> {
    let amax = |t: &str| scales.get(t).map(|s| s * 127.0);
    // Lower bounds known from the graph.
    let mut lo: HashMap<String, f32> = HashMap::new();
    if !symmetric_only {
        for n in &graph.nodes {
            let input_lo = |i: usize| -> Option<f32> {
                let x = n.inputs.get(i)?;
                lo.get(x).copied().or_else(|| amax(x).map(|a| -a))
            };
            let bound = match n.op_type.as_str() {
                "Relu" | "Sigmoid" => Some(0.0),
                "LeakyRelu" => {
                    let alpha = n.attr_float("alpha").unwrap_or(0.01);
                    n.inputs
                        .first()
                        .and_then(|x| amax(x))
                        .map(|a| -alpha.abs() * a)
                }
                "Concat" => n
                    .inputs
                    .iter()
                    .enumerate()
                    .map(|(i, _)| input_lo(i))
                    .collect::<Option<Vec<f32>>>()
                    .map(|v| v.into_iter().fold(0f32, f32::min)),
                "MaxPool" | "Resize" | "Reshape" | "Transpose" | "Split" => input_lo(0),
                "Pad" => input_lo(0).map(|v| v.min(0.0)),
                _ => None,
            };
            if let Some(b) = bound {
                for o in &n.outputs {
                    lo.insert(o.clone(), b);
                }
            }
        }
    }
    let mut out = HashMap::new();
    for (t, s) in scales {
        let a = s * 127.0;
        let grid = match lo.get(*t) {
            // Worth it only when the bound saves a good part of the negative side.
            Some(&l) if l > -0.8 * a && a > 0.0 => {
                let l = l.max(-a).min(0.0);
                let scale = (a - l) / 255.0;
                (scale, (-l / scale).round().clamp(0.0, 255.0) as u8)
            }
            // uint8 with zero point 128 is int8 with zero point 0 shifted: the same
            // symmetric grid, in the U8S8 form x86 kernels take without conversion.
            _ => (*s, 128),
        };
        out.insert(t.to_string(), grid);
    }
    out
}

/// What [`quantize`] did.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Report {
    /// Activation tensors given a Q/DQ pair.
    pub activations: usize,
    /// Conv weights quantised per channel.
    pub weights: usize,
    /// Pad nodes folded into convolutions.
    pub pads_folded: usize,
}

fn int64_values(t: &TensorProto) -> Option<Vec<i64>> {
    if t.data_type != 7 {
        return None;
    }
    if let Some(raw) = &t.raw_data {
        return Some(
            raw.chunks_exact(8)
                .map(|c| i64::from_le_bytes(c.try_into().expect("8 bytes")))
                .collect(),
        );
    }
    None
}

/// Float tensors of the graph: its inputs and every node output not derived from shapes.
pub fn float_tensors(graph: &Graph) -> Vec<String> {
    let mut ints: HashSet<String> = graph
        .initializers
        .iter()
        .filter(|t| t.data_type != FLOAT)
        .map(|t| t.name.clone())
        .collect();
    let mut out = graph.input_names();
    for n in &graph.nodes {
        let int_out = n.op_type == "Shape"
            || n.inputs.first().is_some_and(|i| ints.contains(i))
            || (n.op_type == "Concat" && n.inputs.iter().all(|i| ints.contains(i)));
        for o in &n.outputs {
            if int_out {
                ints.insert(o.clone());
            } else if !o.is_empty() {
                out.push(o.clone());
            }
        }
    }
    out
}

/// Folds zero `Pad`s that only feed `Conv`s into the convolutions' `pads`.
fn fold_pads(graph: &mut Graph) -> usize {
    let mut folded = 0;
    let mut i = 0;
    while i < graph.nodes.len() {
        let n = &graph.nodes[i];
        let foldable = n.op_type == "Pad"
            && n.attribute("mode")
                .and_then(|a| a.string(4))
                .is_none_or(|m| m == "constant")
            && n.inputs.get(2).is_none_or(|v| {
                v.is_empty()
                    || graph
                        .initializer(v)
                        .and_then(|t| t.to_f32().ok())
                        .is_some_and(|v| v.iter().all(|x| *x == 0.0))
            });
        let pads = n
            .inputs
            .get(1)
            .and_then(|p| graph.initializer(p))
            .and_then(int64_values)
            .filter(|p| p.len() == 8 && p[0] == 0 && p[1] == 0 && p[4] == 0 && p[5] == 0);
        let (Some(pads), true) = (pads, foldable) else {
            i += 1;
            continue;
        };
        let (src, out) = (n.inputs[0].clone(), n.outputs[0].clone());
        let consumers: Vec<usize> = (0..graph.nodes.len())
            .filter(|&j| graph.nodes[j].inputs.contains(&out))
            .collect();
        let ok = !consumers.is_empty()
            && !graph.output_names().contains(&out)
            && consumers.iter().all(|&j| {
                let c = &graph.nodes[j];
                c.op_type == "Conv"
                    && c.inputs[0] == out
                    && c.inputs[1..].iter().all(|x| x != &out)
                    && c.attribute("auto_pad")
                        .and_then(|a| a.string(4))
                        .is_none_or(|m| m == "NOTSET")
            });
        if !ok {
            i += 1;
            continue;
        }
        for &j in &consumers {
            let c = &mut graph.nodes[j];
            let mut p = c.attr_ints("pads").unwrap_or_else(|| vec![0; 4]);
            if p.len() != 4 {
                continue;
            }
            p[0] += pads[2];
            p[1] += pads[3];
            p[2] += pads[6];
            p[3] += pads[7];
            c.attributes
                .retain(|a| a.string(1).as_deref() != Some("pads"));
            c.attributes.push(ints_attribute("pads", &p));
            c.inputs[0] = src.clone();
        }
        graph.nodes.remove(i);
        folded += 1;
    }
    folded
}

fn ints_attribute(name: &str, v: &[i64]) -> crate::onnx_read::Message {
    let mut w = crate::onnx::Writer::default();
    w.string_always(1, name);
    w.packed_int64s(8, v);
    w.int64_always(20, 7); // AttributeType INTS
    crate::onnx_read::Message::decode(&w.buf).expect("valid attribute")
}

/// Checks that every tensor the cache names is a float tensor of `model`.
pub fn check_cache(model: &OnnxModel, cache: &CalibrationCache) -> Result<(), String> {
    let names: HashSet<String> = float_tensors(&model.graph).into_iter().collect();
    let unknown: Vec<&str> = cache
        .scales
        .iter()
        .map(|(n, _)| n.as_str())
        .filter(|n| !names.contains(*n))
        .collect();
    if let Some(first) = unknown.first() {
        return Err(format!(
            "{} of its {} tensors (first '{first}') are not tensors of the model: \
             a cache calibrated for another model?",
            unknown.len(),
            cache.scales.len()
        ));
    }
    if cache.scales.is_empty() {
        return Err("it holds no tensor scales".into());
    }
    Ok(())
}

/// Rewrites `model` into its QDQ INT8 form with the scales of `cache`.
pub fn quantize(
    model: &OnnxModel,
    cache: &CalibrationCache,
    options: &Options,
) -> Result<(OnnxModel, Report), String> {
    check_cache(model, cache)?;
    let scales: HashMap<&str, f32> = cache.scales.iter().map(|(n, s)| (n.as_str(), *s)).collect();
    let mut model = model.clone();
    let mut report = Report {
        pads_folded: fold_pads(&mut model.graph),
        ..Report::default()
    };
    let g = &mut model.graph;
    let grid = grids(g, &scales, options.symmetric_only);
    let keep: HashSet<&str> = options.keep_fp32.iter().map(String::as_str).collect();
    let is_quantised = |n: &Node| {
        QUANTISABLE_OPS.contains(&n.op_type.as_str())
            && n.domain.is_empty()
            && !keep.contains(n.name.as_str())
            && !n.outputs.first().is_some_and(|o| keep.contains(o.as_str()))
    };
    let initializers: HashSet<String> = g.initializers.iter().map(|t| t.name.clone()).collect();
    // Activation inputs of quantised nodes (Resize: only its data input).
    let mut wanted: HashSet<String> = HashSet::new();
    for n in g.nodes.iter().filter(|n| is_quantised(n)) {
        let count = match n.op_type.as_str() {
            "Conv" | "Resize" => 1,
            _ => n.inputs.len(),
        };
        for x in n.inputs.iter().take(count) {
            if !x.is_empty() && !initializers.contains(x) && scales.contains_key(x.as_str()) {
                wanted.insert(x.clone());
            }
        }
    }
    let mut new_inits = Vec::new();
    let mut new_nodes: Vec<Node> = Vec::new();
    let qdq_for = |t: &str, new_inits: &mut Vec<TensorProto>| -> (Vec<Node>, String) {
        let (s, z) = grid[t];
        let (scale, zp) = (format!("{t}_scale"), format!("{t}_zero_point"));
        new_inits.push(TensorProto::floats(&scale, &[], &[s]));
        new_inits.push(TensorProto::raw(&zp, UINT8, &[], vec![z]));
        let (q, dq) = (
            format!("{t}_QuantizeLinear"),
            format!("{t}_DequantizeLinear"),
        );
        (
            vec![
                Node::new("QuantizeLinear", &q, &[t, &scale, &zp], &[&q]),
                Node::new("DequantizeLinear", &dq, &[&q, &scale, &zp], &[&dq]),
            ],
            dq,
        )
    };
    // Rename consumers of wanted tensors, and place the pairs after their producers.
    let mut renamed: HashMap<String, String> = HashMap::new();
    let mut pairs_at_start = Vec::new();
    for input in g.input_names() {
        if wanted.contains(&input) {
            let (nodes, dq) = qdq_for(&input, &mut new_inits);
            pairs_at_start.extend(nodes);
            renamed.insert(input, dq);
        }
    }
    let mut body = Vec::new();
    for n in g.nodes.iter() {
        let mut n = n.clone();
        for x in n.inputs.iter_mut() {
            if let Some(r) = renamed.get(x) {
                *x = r.clone();
            }
        }
        let outs = n.outputs.clone();
        body.push(n);
        for o in outs {
            if wanted.contains(&o) {
                let (nodes, dq) = qdq_for(&o, &mut new_inits);
                body.extend(nodes);
                renamed.insert(o, dq);
            }
        }
    }
    report.activations = renamed.len();
    // Conv weights and biases.
    for n in body.iter_mut().filter(|n| n.op_type == "Conv") {
        let Some(x) = n.inputs.first() else { continue };
        let Some(src) = x.strip_suffix("_DequantizeLinear") else {
            continue;
        };
        let s_x = grid[src].0;
        let Some(w) = n.inputs.get(1).and_then(|w| g.initializer(w)).cloned() else {
            continue;
        };
        let wv = w.to_f32()?;
        let m = w.dims.first().copied().unwrap_or(0).max(0) as usize;
        if m == 0 || wv.len() % m != 0 {
            continue;
        }
        let per = wv.len() / m;
        let mut s_w = Vec::with_capacity(m);
        let mut q = Vec::with_capacity(wv.len());
        for ch in wv.chunks(per) {
            let amax = ch.iter().fold(0f32, |a, v| a.max(v.abs()));
            let s = if amax > 0.0 { amax / 127.0 } else { 1.0 };
            s_w.push(s);
            q.extend(
                ch.iter()
                    .map(|v| (v / s).round().clamp(-127.0, 127.0) as i8 as u8),
            );
        }
        let base = w.name.clone();
        let (qn, sn, zn, dq) = (
            format!("{base}_quantized"),
            format!("{base}_scale"),
            format!("{base}_zero_point"),
            format!("{base}_DequantizeLinear"),
        );
        new_inits.push(TensorProto::raw(&qn, INT8, &w.dims, q));
        new_inits.push(TensorProto::floats(&sn, &[m as i64], &s_w));
        new_inits.push(TensorProto::raw(&zn, INT8, &[m as i64], vec![0; m]));
        new_nodes
            .push(Node::new("DequantizeLinear", &dq, &[&qn, &sn, &zn], &[&dq]).with_int("axis", 0));
        n.inputs[1] = dq;
        report.weights += 1;
        if let Some(b) = n.inputs.get(2).and_then(|b| g.initializer(b)).cloned() {
            let bv = b.to_f32()?;
            if bv.len() == m {
                let sb: Vec<f32> = s_w.iter().map(|s| s * s_x).collect();
                let qb: Vec<u8> = bv
                    .iter()
                    .zip(&sb)
                    .flat_map(|(v, s)| {
                        ((v / s).round().clamp(i32::MIN as f32, i32::MAX as f32) as i32)
                            .to_le_bytes()
                    })
                    .collect();
                let base = b.name.clone();
                let (qn, sn, zn, dq) = (
                    format!("{base}_quantized"),
                    format!("{base}_scale"),
                    format!("{base}_zero_point"),
                    format!("{base}_DequantizeLinear"),
                );
                new_inits.push(TensorProto::raw(&qn, INT32, &[m as i64], qb));
                new_inits.push(TensorProto::floats(&sn, &[m as i64], &sb));
                new_inits.push(TensorProto::raw(&zn, INT32, &[m as i64], vec![0; 4 * m]));
                new_nodes.push(
                    Node::new("DequantizeLinear", &dq, &[&qn, &sn, &zn], &[&dq])
                        .with_int("axis", 0),
                );
                n.inputs[2] = dq;
            }
        }
    }
    // Drop float weights no node reads any more.
    let mut nodes = new_nodes;
    nodes.extend(pairs_at_start);
    nodes.extend(body);
    let used: HashSet<&str> = nodes
        .iter()
        .flat_map(|n| n.inputs.iter().map(String::as_str))
        .collect();
    let mut inits: Vec<TensorProto> = g
        .initializers
        .iter()
        .filter(|t| used.contains(t.name.as_str()))
        .cloned()
        .collect();
    inits.extend(new_inits);
    g.nodes = nodes;
    g.initializers = inits;
    Ok((model, report))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leaky_relu_outputs_get_a_grid_narrowed_to_their_lower_bound() {
        let mut g = Graph::default();
        let mut relu = Node::new("LeakyRelu", "act", &["x"], &["y"]);
        let mut w = crate::onnx::Writer::default();
        w.string_always(1, "alpha");
        w.float(2, 0.1);
        w.int64_always(20, 1);
        relu.attributes
            .push(crate::onnx_read::Message::decode(&w.buf).unwrap());
        g.nodes.push(relu);
        g.nodes
            .push(Node::new("Concat", "cat", &["y", "y"], &["z"]));
        let scales: HashMap<&str, f32> =
            [("x", 2.0 / 127.0), ("y", 1.0 / 127.0), ("z", 1.0 / 127.0)]
                .into_iter()
                .collect();
        let grids = grids(&g, &scales, false);
        // x: symmetric. y >= -0.1 * 2 = -0.2, up to 1.0: 1.2 / 255 per step.
        assert_eq!(grids["x"], (2.0 / 127.0, 128));
        let (s, z) = grids["y"];
        assert!((s - 1.2 / 255.0).abs() < 1e-7 && z == 43, "{s} {z}");
        assert_eq!(grids["z"], grids["y"], "Concat keeps its inputs' bound");
        assert_eq!(super::grids(&g, &scales, true)["y"], (1.0 / 127.0, 128));
    }
}
