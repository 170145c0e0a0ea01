//! TensorFlow graph → ONNX (opset 13) conversion.
//!
//! Steps:
//! 1. Prune the graph to what the outputs need and order it topologically.
//! 2. Constant-fold: every node whose inputs are all constants and whose op the folder knows
//!    (`Identity`, `Cast`, `Add`/`AddV2`/`Sub`/`Mul`, `SparseToDense`, `Reshape`,
//!    `Transpose`, `ConcatV2`) becomes a constant. onnx-tf exports compute `Reshape` targets
//!    this way (`SparseToDense` of empty `Where`/`GatherV2` results plus a constant).
//! 3. Lower each remaining TensorFlow op to ONNX. NHWC ops (`Conv2D`, `DepthwiseConv2dNative`,
//!    `MaxPool`, `AvgPool`, `ResizeBilinear`, `ResizeNearestNeighbor`) become their NCHW ONNX
//!    counterparts wrapped in `Transpose` nodes, so the semantics stay exactly TensorFlow's.
//! 4. Optimise: fold a constant bias `Add` behind a convolution into the `Conv`, then merge
//!    and cancel chains of `Transpose` (graphs exported from ONNX through onnx-tf transpose
//!    NCHW→NHWC before every convolution and back after it: these pairs disappear and the
//!    result is NCHW end to end), then drop dead nodes and initializers.
//!
//! With a dynamic batch (the default), the first input dimension becomes the symbol `batch`,
//! and `Reshape` targets whose first entry equals the placeholder's static batch size get `0`
//! there ("copy the input's dimension"), which holds for graphs whose reshapes keep the batch
//! axis first (true of detector heads such as NanoDet's).

use std::collections::{HashMap, HashSet};

use crate::onnx::{self, Attribute, AttributeValue, Dim, Initializer, ValueInfo};
use crate::tensor::{Tensor, TensorData};
use crate::tfjs::{Attr, GraphModel, Node};
use crate::{Error, Result};

/// Conversion options.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Name of the ONNX graph input (only when the graph has exactly one input);
    /// `None` keeps the placeholder's name.
    pub input_name: Option<String>,
    /// Outputs as (TensorFlow tensor, ONNX name); empty means the signature's outputs
    /// under their own names (`Identity:0` → `Identity`).
    pub outputs: Vec<(String, String)>,
    /// Fixed batch size; `None` makes the batch dimension symbolic (`batch`).
    pub batch: Option<usize>,
    /// Expose a 4-D NHWC placeholder as an NCHW graph input (`[batch, C, H, W]`, what
    /// DeepStream's nvinfer expects): a `Transpose` to NHWC is inserted behind the input,
    /// and cancels against the first convolution's own transpose.
    pub nchw_input: bool,
    /// Also move transposes below elementwise ops and global means so that more of them
    /// cancel (see `sink_transposes`). Off by default: it changes the graph (not the
    /// results) of models converted before it existed, whose files are pinned.
    pub sink_transposes: bool,
}

/// Summary of a conversion, for logs.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Stats {
    /// Nodes folded into constants.
    pub folded: usize,
    /// Transpose nodes left in the final graph.
    pub transposes: usize,
    /// Nodes in the final graph.
    pub nodes: usize,
    /// Count of each ONNX op type in the final graph, sorted by name.
    pub op_counts: Vec<(String, usize)>,
}

/// Converts a loaded graph model to an ONNX model.
pub fn convert(model: &GraphModel, options: &Options) -> Result<(onnx::Model, Stats)> {
    let mut conv = Converter::new(model, options)?;
    let order = conv.topo_order()?;
    for idx in order {
        conv.visit(&model.nodes[idx])?;
    }
    conv.finish()
}

/// Normalises a tensor reference: `name:0` → `name`.
fn tensor_ref(s: &str) -> String {
    s.strip_suffix(":0").unwrap_or(s).to_owned()
}

/// Node name of a tensor reference (`name:2` → `name`).
fn node_of(s: &str) -> &str {
    match s.rsplit_once(':') {
        Some((n, k)) if k.chars().all(|c| c.is_ascii_digit()) && !k.is_empty() => n,
        _ => s,
    }
}

fn out_ref(node: &str, k: usize) -> String {
    if k == 0 {
        node.to_owned()
    } else {
        format!("{node}:{k}")
    }
}

/// Most outputs a split may have (guards allocations against corrupt files).
const MAX_OUTPUTS: i64 = 4096;
/// Largest tensor the constant folder materialises.
const MAX_FOLDED_ELEMENTS: usize = 1 << 26;

const NHWC_TO_NCHW: [i64; 4] = [0, 3, 1, 2];
const NCHW_TO_NHWC: [i64; 4] = [0, 2, 3, 1];

struct Converter<'a> {
    model: &'a GraphModel,
    options: &'a Options,
    by_name: HashMap<&'a str, usize>,
    /// The outputs: (TF tensor ref, ONNX name, signature shape).
    outputs: Vec<(String, String, Option<Vec<i64>>)>,
    consts: HashMap<String, Tensor>,
    values: HashMap<String, String>,
    used_names: HashSet<String>,
    nodes: Vec<onnx::Node>,
    initializers: Vec<Initializer>,
    inputs: Vec<ValueInfo>,
    /// Static batch size of the (first) placeholder, when known.
    static_batch: Option<i64>,
    folded: usize,
}

impl<'a> Converter<'a> {
    fn new(model: &'a GraphModel, options: &'a Options) -> Result<Self> {
        let mut by_name = HashMap::new();
        for (i, n) in model.nodes.iter().enumerate() {
            if by_name.insert(n.name.as_str(), i).is_some() {
                return Err(Error::Format(format!("duplicate node name '{}'", n.name)));
            }
        }
        let outputs: Vec<(String, String, Option<Vec<i64>>)> = if options.outputs.is_empty() {
            if model.outputs.is_empty() {
                return Err(Error::Format(
                    "the model has no signature outputs; name the outputs explicitly".into(),
                ));
            }
            model
                .outputs
                .iter()
                .map(|o| {
                    (
                        tensor_ref(&o.tensor),
                        o.tensor.replace(':', "_"),
                        o.shape.clone(),
                    )
                })
                .collect()
        } else {
            options
                .outputs
                .iter()
                .map(|(tf, name)| {
                    let r = tensor_ref(tf);
                    let shape = model
                        .outputs
                        .iter()
                        .find(|o| tensor_ref(&o.tensor) == r)
                        .and_then(|o| o.shape.clone());
                    (r, name.clone(), shape)
                })
                .collect()
        };
        for (r, _, _) in &outputs {
            if !by_name.contains_key(node_of(r)) {
                return Err(Error::Format(format!(
                    "output '{r}' is not a node of the graph"
                )));
            }
        }
        Ok(Converter {
            model,
            options,
            by_name,
            outputs,
            consts: HashMap::new(),
            values: HashMap::new(),
            used_names: HashSet::new(),
            nodes: Vec::new(),
            initializers: Vec::new(),
            inputs: Vec::new(),
            static_batch: None,
            folded: 0,
        })
    }

    /// Nodes needed by the outputs, inputs before users.
    fn topo_order(&self) -> Result<Vec<usize>> {
        let n = self.model.nodes.len();
        // 0 = unvisited, 1 = on stack, 2 = done
        let mut state = vec![0u8; n];
        let mut order = Vec::new();
        for (r, _, _) in &self.outputs {
            let Some(&root) = self.by_name.get(node_of(r)) else {
                continue;
            };
            let mut stack = vec![(root, 0usize)];
            while let Some((idx, next)) = stack.pop() {
                if next == 0 {
                    if state[idx] == 2 {
                        continue;
                    }
                    state[idx] = 1;
                }
                let node = &self.model.nodes[idx];
                if let Some(input) = node.inputs.get(next) {
                    stack.push((idx, next + 1));
                    let dep = *self.by_name.get(node_of(input)).ok_or_else(|| {
                        Error::Format(format!(
                            "node '{}' reads '{input}', which is not in the graph",
                            node.name
                        ))
                    })?;
                    match state[dep] {
                        0 => stack.push((dep, 0)),
                        1 => {
                            return Err(Error::Unsupported(format!(
                                "cycle through node '{}' (control flow)",
                                node.name
                            )))
                        }
                        _ => {}
                    }
                } else {
                    state[idx] = 2;
                    order.push(idx);
                }
            }
        }
        Ok(order)
    }

    fn unique(&mut self, base: &str) -> String {
        let mut name = base.to_owned();
        let mut k = 1;
        while !self.used_names.insert(name.clone()) {
            name = format!("{base}_{k}");
            k += 1;
        }
        name
    }

    /// Adds an initializer named after `base` and returns its value name.
    fn initializer(&mut self, base: &str, tensor: Tensor) -> String {
        let name = self.unique(base);
        self.initializers.push(Initializer {
            name: name.clone(),
            tensor,
        });
        name
    }

    fn const_of(&self, node: &Node, i: usize) -> Result<&Tensor> {
        let input = node.inputs.get(i).ok_or_else(|| {
            Error::Format(format!(
                "node '{}' ({}) lacks input {i}",
                node.name, node.op
            ))
        })?;
        self.consts.get(&tensor_ref(input)).ok_or_else(|| {
            Error::Unsupported(format!(
                "input {i} ('{input}') of node '{}' ({}) must be a constant",
                node.name, node.op
            ))
        })
    }

    fn const_ints(&self, node: &Node, i: usize) -> Result<Vec<i64>> {
        let t = self.const_of(node, i)?;
        t.as_i64().map(<[i64]>::to_vec).ok_or_else(|| {
            Error::Format(format!(
                "input {i} of node '{}' must be integers",
                node.name
            ))
        })
    }

    /// The ONNX value of a data input (turning constants into initializers on first use).
    fn value(&mut self, node: &Node, i: usize) -> Result<String> {
        let input = node.inputs.get(i).ok_or_else(|| {
            Error::Format(format!(
                "node '{}' ({}) lacks input {i}",
                node.name, node.op
            ))
        })?;
        let r = tensor_ref(input);
        if let Some(v) = self.values.get(&r) {
            return Ok(v.clone());
        }
        if let Some(t) = self.consts.get(&r).cloned() {
            let name = self.initializer(&r, t);
            self.values.insert(r, name.clone());
            return Ok(name);
        }
        Err(Error::Format(format!(
            "input '{input}' of node '{}' has no value",
            node.name
        )))
    }

    fn emit(
        &mut self,
        op: &str,
        name: &str,
        inputs: Vec<String>,
        n_out: usize,
        attributes: Vec<Attribute>,
    ) -> Vec<String> {
        let node_name = self.unique(&format!("{name}#{op}"));
        let outputs: Vec<String> = (0..n_out).map(|k| self.unique(&out_ref(name, k))).collect();
        self.nodes.push(onnx::Node {
            name: node_name,
            op_type: op.into(),
            inputs,
            outputs: outputs.clone(),
            attributes,
        });
        outputs
    }

    fn transpose(&mut self, name: &str, input: String, perm: &[i64]) -> String {
        let mut out = self.emit(
            "Transpose",
            name,
            vec![input],
            1,
            vec![Attribute::ints("perm", perm.to_vec())],
        );
        out.remove(0)
    }

    fn bind(&mut self, node: &Node, outputs: Vec<String>) {
        for (k, v) in outputs.into_iter().enumerate() {
            self.values.insert(out_ref(&node.name, k), v);
        }
    }

    fn visit(&mut self, node: &Node) -> Result<()> {
        if node.op == "Const" {
            let t = self.model.weights.get(&node.name).ok_or_else(|| {
                Error::Format(format!("constant '{}' has no weight data", node.name))
            })?;
            self.consts.insert(node.name.clone(), t.clone());
            return Ok(());
        }
        if !node.inputs.is_empty()
            && node
                .inputs
                .iter()
                .all(|i| self.consts.contains_key(&tensor_ref(i)))
        {
            let inputs: Vec<&Tensor> = node
                .inputs
                .iter()
                .map(|i| &self.consts[&tensor_ref(i)])
                .collect();
            if let Some(outs) = fold(node, &inputs)? {
                for (k, t) in outs.into_iter().enumerate() {
                    self.consts.insert(out_ref(&node.name, k), t);
                }
                self.folded += 1;
                return Ok(());
            }
        }
        self.lower(node)
    }

    fn lower(&mut self, node: &Node) -> Result<()> {
        let name = node.name.as_str();
        match node.op.as_str() {
            "Placeholder" => self.placeholder(node),
            "Identity" | "StopGradient" | "Snapshot" => {
                let v = self.value(node, 0)?;
                self.bind(node, vec![v]);
                Ok(())
            }
            "Conv2D" | "DepthwiseConv2dNative" | "_FusedConv2D" => self.conv(node),
            "Mean" => self.mean(node),
            "MaxPool" | "AvgPool" => self.pool(node),
            "ResizeBilinear" | "ResizeNearestNeighbor" => self.resize(node),
            "Pad" | "PadV2" | "MirrorPad" => self.pad(node),
            "ConcatV2" | "Concat" => {
                let (axis_idx, data): (usize, Vec<usize>) = if node.op == "ConcatV2" {
                    let n = node.inputs.len().saturating_sub(1);
                    (n, (0..n).collect())
                } else {
                    (0, (1..node.inputs.len()).collect())
                };
                let axis = self.const_of(node, axis_idx)?.scalar_i64().ok_or_else(|| {
                    Error::Format(format!("concat axis of '{name}' is not a scalar"))
                })?;
                let inputs = data
                    .into_iter()
                    .map(|i| self.value(node, i))
                    .collect::<Result<Vec<_>>>()?;
                let out = self.emit(
                    "Concat",
                    name,
                    inputs,
                    1,
                    vec![Attribute::int("axis", axis)],
                );
                self.bind(node, out);
                Ok(())
            }
            "SplitV" => {
                let sizes = self.const_ints(node, 1)?;
                let axis = self.const_of(node, 2)?.scalar_i64().ok_or_else(|| {
                    Error::Format(format!("split_dim of '{name}' is not a scalar"))
                })?;
                if sizes.len() as i64 > MAX_OUTPUTS {
                    return Err(Error::Unsupported(format!(
                        "SplitV '{name}' into {} parts",
                        sizes.len()
                    )));
                }
                if sizes.iter().any(|&s| s < 0) {
                    return Err(Error::Unsupported(format!(
                        "SplitV '{name}' with an inferred (-1) size"
                    )));
                }
                let x = self.value(node, 0)?;
                let split =
                    self.initializer(&format!("{name}/split"), Tensor::vec_i64(sizes.clone()));
                let out = self.emit(
                    "Split",
                    name,
                    vec![x, split],
                    sizes.len(),
                    vec![Attribute::int("axis", axis)],
                );
                self.bind(node, out);
                Ok(())
            }
            "Split" => {
                let axis = self.const_of(node, 0)?.scalar_i64().ok_or_else(|| {
                    Error::Format(format!("split_dim of '{name}' is not a scalar"))
                })?;
                let n = match node.attr("num_split") {
                    Some(Attr::Int(n)) if (1..=MAX_OUTPUTS).contains(n) => *n as usize,
                    _ => return Err(Error::Format(format!("Split '{name}' without num_split"))),
                };
                let x = self.value(node, 1)?;
                let out = self.emit(
                    "Split",
                    name,
                    vec![x],
                    n,
                    vec![Attribute::int("axis", axis)],
                );
                self.bind(node, out);
                Ok(())
            }
            "Reshape" => {
                let mut shape = self.const_ints(node, 1)?;
                if self.options.batch.is_none() {
                    if let (Some(b), Some(first)) = (self.static_batch, shape.first_mut()) {
                        if *first == b {
                            *first = 0;
                        }
                    }
                }
                let x = self.value(node, 0)?;
                let s = self.initializer(&format!("{name}/shape"), Tensor::vec_i64(shape));
                let out = self.emit("Reshape", name, vec![x, s], 1, vec![]);
                self.bind(node, out);
                Ok(())
            }
            "Transpose" => {
                let perm = self.const_ints(node, 1)?;
                let x = self.value(node, 0)?;
                let out = self.transpose(name, x, &perm);
                self.bind(node, vec![out]);
                Ok(())
            }
            "Add" | "AddV2" | "BiasAdd" | "Sub" | "Mul" | "RealDiv" | "Maximum" | "Minimum" => {
                if node.op == "BiasAdd" && node.attr_str("data_format").as_deref() == Some("NCHW") {
                    return Err(Error::Unsupported(format!("BiasAdd '{name}' in NCHW")));
                }
                let op = match node.op.as_str() {
                    "Sub" => "Sub",
                    "Mul" => "Mul",
                    "RealDiv" => "Div",
                    "Maximum" => "Max",
                    "Minimum" => "Min",
                    _ => "Add",
                };
                let a = self.value(node, 0)?;
                let b = self.value(node, 1)?;
                let out = self.emit(op, name, vec![a, b], 1, vec![]);
                self.bind(node, out);
                Ok(())
            }
            "Relu" | "Sigmoid" | "Tanh" | "Exp" | "Sqrt" | "Neg" | "Abs" | "Elu" => {
                let x = self.value(node, 0)?;
                let out = self.emit(&node.op, name, vec![x], 1, vec![]);
                self.bind(node, out);
                Ok(())
            }
            "LeakyRelu" => {
                let alpha = node.attr_float("alpha").unwrap_or(0.2);
                let x = self.value(node, 0)?;
                let out = self.emit(
                    "LeakyRelu",
                    name,
                    vec![x],
                    1,
                    vec![Attribute::float("alpha", alpha)],
                );
                self.bind(node, out);
                Ok(())
            }
            "Relu6" => {
                let x = self.value(node, 0)?;
                let lo = self.initializer(&format!("{name}/min"), scalar_f32(0.0));
                let hi = self.initializer(&format!("{name}/max"), scalar_f32(6.0));
                let out = self.emit("Clip", name, vec![x, lo, hi], 1, vec![]);
                self.bind(node, out);
                Ok(())
            }
            "Softmax" => {
                let x = self.value(node, 0)?;
                let out = self.emit(
                    "Softmax",
                    name,
                    vec![x],
                    1,
                    vec![Attribute::int("axis", -1)],
                );
                self.bind(node, out);
                Ok(())
            }
            _ => Err(Error::UnsupportedOp {
                node: node.name.clone(),
                op: node.op.clone(),
            }),
        }
    }

    fn placeholder(&mut self, node: &Node) -> Result<()> {
        match node.attr("dtype") {
            None => {}
            Some(Attr::Type(t)) if t == "DT_FLOAT" => {}
            Some(other) => {
                return Err(Error::Unsupported(format!(
                    "input '{}' of type {other:?} (only float inputs)",
                    node.name
                )))
            }
        }
        let dims = match node.attr("shape") {
            Some(Attr::Shape(d)) => Some(d.clone()),
            _ => self
                .model
                .inputs
                .iter()
                .find(|i| i.tensor == node.name)
                .and_then(|i| i.shape.clone()),
        };
        let placeholders = self
            .model
            .nodes
            .iter()
            .filter(|n| n.op == "Placeholder")
            .count();
        let name = match &self.options.input_name {
            Some(n) if placeholders == 1 => n.clone(),
            _ => node.name.clone(),
        };
        if self.static_batch.is_none() {
            self.static_batch = dims
                .as_ref()
                .and_then(|d| d.first().copied())
                .filter(|&b| b > 0);
        }
        let shape: Option<Vec<Dim>> = dims.map(|d| {
            d.iter()
                .enumerate()
                .map(|(i, &v)| match (i, self.options.batch) {
                    (0, None) => Dim::Param("batch".into()),
                    (0, Some(b)) => Dim::Value(b as i64),
                    (_, _) if v >= 0 => Dim::Value(v),
                    (i, _) => Dim::Param(format!("dim{i}")),
                })
                .collect()
        });
        let name = self.unique(&name);
        let nchw = self.options.nchw_input;
        let shape = match shape {
            Some(d) if nchw && d.len() == 4 => {
                Some(vec![d[0].clone(), d[3].clone(), d[1].clone(), d[2].clone()])
            }
            Some(d) if nchw => {
                return Err(Error::Unsupported(format!(
                    "NCHW input requested, but input '{}' has rank {} (expected 4)",
                    node.name,
                    d.len()
                )))
            }
            None if nchw => {
                return Err(Error::Unsupported(format!(
                    "NCHW input requested, but input '{}' has no known shape",
                    node.name
                )))
            }
            other => other,
        };
        self.inputs.push(ValueInfo {
            name: name.clone(),
            elem_type: onnx::DATA_TYPE_FLOAT,
            shape,
        });
        let value = if nchw {
            self.transpose(&format!("{}/to_nhwc", node.name), name, &NCHW_TO_NHWC)
        } else {
            name
        };
        self.bind(node, vec![value]);
        Ok(())
    }

    /// Data format of an NHWC/NCHW op; `true` for NHWC.
    fn is_nhwc(node: &Node) -> Result<bool> {
        match node.attr_str("data_format").as_deref() {
            None | Some("NHWC") => Ok(true),
            Some("NCHW") => Ok(false),
            Some(other) => Err(Error::Unsupported(format!(
                "data_format '{other}' of node '{}'",
                node.name
            ))),
        }
    }

    /// `[h, w]` from a 4-element NHWC/NCHW list attribute.
    fn spatial(node: &Node, attr: &str, nhwc: bool, default: i64) -> Result<Vec<i64>> {
        match node.attr_ints(attr) {
            None => Ok(vec![default, default]),
            Some(v) if v.len() == 4 => Ok(if nhwc {
                vec![v[1], v[2]]
            } else {
                vec![v[2], v[3]]
            }),
            Some(v) => Err(Error::Format(format!(
                "attribute '{attr}' of '{}' has {} entries, expected 4",
                node.name,
                v.len()
            ))),
        }
    }

    /// ONNX padding attributes for TF `padding` (+ `explicit_paddings`).
    fn padding_attrs(node: &Node, nhwc: bool) -> Result<Vec<Attribute>> {
        match node.attr_str("padding").as_deref() {
            Some("VALID") | None => Ok(vec![]),
            Some("SAME") => Ok(vec![Attribute::string("auto_pad", "SAME_UPPER")]),
            Some("EXPLICIT") => {
                let p = node.attr_ints("explicit_paddings").unwrap_or(&[]);
                if p.len() != 8 {
                    return Err(Error::Format(format!(
                        "explicit_paddings of '{}' must have 8 entries",
                        node.name
                    )));
                }
                let (h, w) = if nhwc { (2, 4) } else { (4, 6) };
                Ok(vec![Attribute::ints(
                    "pads",
                    vec![p[h], p[w], p[h + 1], p[w + 1]],
                )])
            }
            Some(other) => Err(Error::Unsupported(format!(
                "padding '{other}' of node '{}'",
                node.name
            ))),
        }
    }

    fn conv(&mut self, node: &Node) -> Result<()> {
        let name = node.name.as_str();
        let nhwc = Self::is_nhwc(node)?;
        let filter = self.const_of(node, 1)?;
        let f = filter
            .as_f32()
            .ok_or_else(|| Error::Format(format!("filter of '{name}' is not float")))?;
        if filter.shape.len() != 4 {
            return Err(Error::Format(format!("filter of '{name}' is not 4-D")));
        }
        let (kh, kw, ci, co) = (
            filter.shape[0],
            filter.shape[1],
            filter.shape[2],
            filter.shape[3],
        );
        let mut attrs = vec![
            Attribute::ints("kernel_shape", vec![kh as i64, kw as i64]),
            Attribute::ints("strides", Self::spatial(node, "strides", nhwc, 1)?),
            Attribute::ints("dilations", Self::spatial(node, "dilations", nhwc, 1)?),
        ];
        let weights = if node.op == "DepthwiseConv2dNative" {
            // [H, W, C, M] → [C*M, 1, H, W], group C: output channel c*M + m.
            let flat = Tensor::from_f32(vec![kh, kw, ci * co], f.to_vec())
                .and_then(|t| t.transpose(&[2, 0, 1]))
                .ok_or_else(|| Error::Format(format!("bad filter of '{name}'")))?;
            attrs.push(Attribute::int("group", ci as i64));
            Tensor {
                shape: vec![ci * co, 1, kh, kw],
                data: flat.data,
            }
        } else {
            filter
                .transpose(&[3, 2, 0, 1])
                .ok_or_else(|| Error::Format(format!("bad filter of '{name}'")))?
        };
        attrs.extend(Self::padding_attrs(node, nhwc)?);
        let fused = if node.op == "_FusedConv2D" {
            Self::fused_ops(node)?
        } else {
            Fused::default()
        };
        let bias = if fused.bias {
            let b = self.const_of(node, 2)?;
            let v = b
                .as_f32()
                .filter(|v| v.len() == co)
                .ok_or_else(|| {
                    Error::Format(format!(
                        "bias of '{name}' must be {co} floats (shape {:?})",
                        b.shape
                    ))
                })?
                .to_vec();
            Some(
                Tensor::from_f32(vec![co], v)
                    .ok_or_else(|| Error::Format(format!("bad bias of '{name}'")))?,
            )
        } else {
            None
        };
        let x = self.value(node, 0)?;
        let w = self.initializer(&format!("{name}/weights"), weights);
        let x = if nhwc {
            self.transpose(&format!("{name}/to_nchw"), x, &NHWC_TO_NCHW)
        } else {
            x
        };
        let mut inputs = vec![x, w];
        if let Some(b) = bias {
            inputs.push(self.initializer(&format!("{name}/bias"), b));
        }
        let mut y = self
            .emit("Conv", &format!("{name}/nchw"), inputs, 1, attrs)
            .remove(0);
        // The activation runs in NCHW, between the transposes, so that the transposes of
        // consecutive convolutions still meet and cancel.
        if let Some(act) = fused.activation {
            y = self.activation(&format!("{name}/act"), act, y);
        }
        if nhwc {
            y = self.transpose(name, y, &NCHW_TO_NHWC);
        }
        self.bind(node, vec![y]);
        Ok(())
    }

    /// The `fused_ops` of a `_FusedConv2D` (Grappler's remapper): `BiasAdd` followed by at
    /// most one activation. Batch-norm fusions (`FusedBatchNorm`) are not supported.
    fn fused_ops(node: &Node) -> Result<Fused> {
        let ops: Vec<String> = match node.attr("fused_ops") {
            Some(Attr::Strs(v)) => v
                .iter()
                .map(|s| String::from_utf8_lossy(s).into_owned())
                .collect(),
            None => Vec::new(),
            Some(other) => {
                return Err(Error::Format(format!(
                    "fused_ops of '{}' is not a string list: {other:?}",
                    node.name
                )))
            }
        };
        let unsupported = || {
            Error::Unsupported(format!(
                "_FusedConv2D '{}' with fused_ops {ops:?} (supported: BiasAdd, optionally \
                 followed by Relu, Relu6, Elu, LeakyRelu, Sigmoid or Tanh)",
                node.name
            ))
        };
        let mut it = ops.iter().map(String::as_str);
        let mut fused = Fused::default();
        match it.next() {
            Some("BiasAdd") => fused.bias = true,
            None => {}
            Some(_) => return Err(unsupported()),
        }
        if let Some(act) = it.next() {
            fused.activation = Some(match act {
                "Relu" => Activation::Relu,
                "Relu6" => Activation::Relu6,
                "Elu" => Activation::Elu,
                "Sigmoid" => Activation::Sigmoid,
                "Tanh" => Activation::Tanh,
                "LeakyRelu" => {
                    Activation::LeakyRelu(node.attr_float("leakyrelu_alpha").unwrap_or(0.2))
                }
                _ => return Err(unsupported()),
            });
        }
        if it.next().is_some() || (fused.activation.is_some() && !fused.bias) {
            return Err(unsupported());
        }
        Ok(fused)
    }

    fn activation(&mut self, name: &str, act: Activation, x: String) -> String {
        let (op, inputs, attrs) = match act {
            Activation::Relu => ("Relu", vec![x], vec![]),
            Activation::Elu => ("Elu", vec![x], vec![]),
            Activation::Sigmoid => ("Sigmoid", vec![x], vec![]),
            Activation::Tanh => ("Tanh", vec![x], vec![]),
            Activation::LeakyRelu(alpha) => {
                ("LeakyRelu", vec![x], vec![Attribute::float("alpha", alpha)])
            }
            Activation::Relu6 => {
                let lo = self.initializer(&format!("{name}/min"), scalar_f32(0.0));
                let hi = self.initializer(&format!("{name}/max"), scalar_f32(6.0));
                ("Clip", vec![x, lo, hi], vec![])
            }
        };
        self.emit(op, name, inputs, 1, attrs).remove(0)
    }

    /// TensorFlow `Mean` → `ReduceMean` (opset 13: axes as an attribute). The axes are
    /// TensorFlow's: values keep TensorFlow's layout (NHWC ops are wrapped in transposes).
    fn mean(&mut self, node: &Node) -> Result<()> {
        let name = node.name.as_str();
        let mut axes = self.const_ints(node, 1)?;
        if axes.is_empty() {
            return Err(Error::Unsupported(format!("Mean '{name}' over no axes")));
        }
        axes.sort_unstable();
        axes.dedup();
        let keep = node.attr_bool("keep_dims", false);
        let x = self.value(node, 0)?;
        let out = self.emit(
            "ReduceMean",
            name,
            vec![x],
            1,
            vec![
                Attribute::ints("axes", axes),
                Attribute::int("keepdims", i64::from(keep)),
            ],
        );
        self.bind(node, out);
        Ok(())
    }

    fn pool(&mut self, node: &Node) -> Result<()> {
        let name = node.name.as_str();
        let nhwc = Self::is_nhwc(node)?;
        let mut attrs = vec![
            Attribute::ints("kernel_shape", Self::spatial(node, "ksize", nhwc, 1)?),
            Attribute::ints("strides", Self::spatial(node, "strides", nhwc, 1)?),
        ];
        attrs.extend(Self::padding_attrs(node, nhwc)?);
        let op = if node.op == "MaxPool" {
            "MaxPool"
        } else {
            "AveragePool"
        };
        let x = self.value(node, 0)?;
        let x = if nhwc {
            self.transpose(&format!("{name}/to_nchw"), x, &NHWC_TO_NCHW)
        } else {
            x
        };
        let mut y = self
            .emit(op, &format!("{name}/nchw"), vec![x], 1, attrs)
            .remove(0);
        if nhwc {
            y = self.transpose(name, y, &NCHW_TO_NHWC);
        }
        self.bind(node, vec![y]);
        Ok(())
    }

    fn resize(&mut self, node: &Node) -> Result<()> {
        let name = node.name.as_str();
        let size = self.const_ints(node, 1)?;
        if size.len() != 2 {
            return Err(Error::Format(format!(
                "size of '{name}' must have 2 entries"
            )));
        }
        let align = node.attr_bool("align_corners", false);
        let half = node.attr_bool("half_pixel_centers", false);
        let bilinear = node.op == "ResizeBilinear";
        let mut attrs = vec![Attribute::string(
            "mode",
            if bilinear { "linear" } else { "nearest" },
        )];
        let coord = match (align, half, bilinear) {
            (true, _, _) => "align_corners",
            (false, true, true) => "half_pixel",
            (false, true, false) => "tf_half_pixel_for_nn",
            (false, false, _) => "asymmetric",
        };
        attrs.push(Attribute::string("coordinate_transformation_mode", coord));
        if !bilinear {
            let nearest = if align { "round_prefer_ceil" } else { "floor" };
            attrs.push(Attribute::string("nearest_mode", nearest));
        }
        let x = self.value(node, 0)?;
        let x = self.transpose(&format!("{name}/to_nchw"), x, &NHWC_TO_NCHW);
        // sizes = concat(shape(x)[0:2], size): keeps the batch dimension symbolic.
        let shape = self.emit(
            "Shape",
            &format!("{name}/shape"),
            vec![x.clone()],
            1,
            vec![],
        );
        let starts = self.initializer(&format!("{name}/starts"), Tensor::vec_i64(vec![0]));
        let ends = self.initializer(&format!("{name}/ends"), Tensor::vec_i64(vec![2]));
        let nc = self.emit(
            "Slice",
            &format!("{name}/nc"),
            vec![shape[0].clone(), starts, ends],
            1,
            vec![],
        );
        let hw = self.initializer(&format!("{name}/size"), Tensor::vec_i64(size));
        let sizes = self.emit(
            "Concat",
            &format!("{name}/sizes"),
            vec![nc[0].clone(), hw],
            1,
            vec![Attribute::int("axis", 0)],
        );
        let y = self
            .emit(
                "Resize",
                &format!("{name}/nchw"),
                vec![x, String::new(), String::new(), sizes[0].clone()],
                1,
                attrs,
            )
            .remove(0);
        let y = self.transpose(name, y, &NCHW_TO_NHWC);
        self.bind(node, vec![y]);
        Ok(())
    }

    fn pad(&mut self, node: &Node) -> Result<()> {
        let name = node.name.as_str();
        let p = self.const_of(node, 1)?;
        let pairs = p
            .as_i64()
            .filter(|_| p.shape.len() == 2 && p.shape[1] == 2)
            .ok_or_else(|| {
                Error::Format(format!(
                    "paddings of '{name}' must be an [n, 2] integer tensor"
                ))
            })?;
        let pads: Vec<i64> = pairs
            .iter()
            .step_by(2)
            .chain(pairs.iter().skip(1).step_by(2))
            .copied()
            .collect();
        let mut inputs = vec![self.value(node, 0)?];
        inputs.push(self.initializer(&format!("{name}/pads"), Tensor::vec_i64(pads)));
        let mode = match node.op.as_str() {
            "PadV2" => {
                let v = self.const_of(node, 2)?.scalar_f32().ok_or_else(|| {
                    Error::Format(format!("constant_values of '{name}' is not a float scalar"))
                })?;
                inputs.push(self.initializer(&format!("{name}/value"), scalar_f32(v)));
                "constant"
            }
            "MirrorPad" => match node.attr_str("mode").as_deref() {
                Some("REFLECT") => "reflect",
                other => {
                    return Err(Error::Unsupported(format!(
                        "MirrorPad '{name}' mode {other:?} (only REFLECT)"
                    )))
                }
            },
            _ => "constant",
        };
        let out = self.emit(
            "Pad",
            name,
            inputs,
            1,
            vec![Attribute::string("mode", mode)],
        );
        self.bind(node, out);
        Ok(())
    }

    fn finish(mut self) -> Result<(onnx::Model, Stats)> {
        // Graph outputs.
        let mut outputs = Vec::new();
        let input_names: HashSet<String> = self.inputs.iter().map(|i| i.name.clone()).collect();
        let outs = std::mem::take(&mut self.outputs);
        for (r, onnx_name, shape) in &outs {
            let v = match self.values.get(r) {
                Some(v) => v.clone(),
                None if self.consts.contains_key(r) => {
                    return Err(Error::Unsupported(format!("output '{r}' is a constant")))
                }
                None => return Err(Error::Format(format!("output '{r}' has no value"))),
            };
            if self.used_names.contains(onnx_name) && v != *onnx_name {
                return Err(Error::Format(format!(
                    "output name '{onnx_name}' clashes with a value of the graph"
                )));
            }
            let produced = self.nodes.iter().any(|n| n.outputs.contains(&v));
            let already_output = outputs.iter().any(|o: &ValueInfo| o.name == v);
            if produced && !input_names.contains(&v) && !already_output {
                rename_value(&mut self.nodes, &v, onnx_name);
            } else {
                self.emit("Identity", onnx_name, vec![v], 1, vec![]);
                if let Some(last) = self.nodes.last_mut() {
                    last.outputs[0] = onnx_name.clone();
                }
            }
            self.used_names.insert(onnx_name.clone());
            let shape = shape.as_ref().map(|d| {
                d.iter()
                    .enumerate()
                    .map(|(i, &v)| match (i, self.options.batch) {
                        (0, None) if Some(v) == self.static_batch || v < 0 => {
                            Dim::Param("batch".into())
                        }
                        (0, Some(b)) if Some(v) == self.static_batch => Dim::Value(b as i64),
                        _ if v >= 0 => Dim::Value(v),
                        (i, _) => Dim::Param(format!("{onnx_name}_dim{i}")),
                    })
                    .collect()
            });
            outputs.push(ValueInfo {
                name: onnx_name.clone(),
                elem_type: onnx::DATA_TYPE_FLOAT,
                shape,
            });
        }
        let output_names: Vec<String> = outputs.iter().map(|o| o.name.clone()).collect();

        let mut nodes = std::mem::take(&mut self.nodes);
        let mut inits = std::mem::take(&mut self.initializers);
        fuse_conv_bias(&mut nodes, &mut inits, &output_names);
        if self.options.sink_transposes {
            sink_transposes(&mut nodes, &output_names);
        }
        cancel_transposes(&mut nodes, &output_names);
        dead_code(&mut nodes, &mut inits, &output_names);

        let mut counts: HashMap<String, usize> = HashMap::new();
        for n in &nodes {
            *counts.entry(n.op_type.clone()).or_default() += 1;
        }
        let mut op_counts: Vec<(String, usize)> = counts.into_iter().collect();
        op_counts.sort();
        let stats = Stats {
            folded: self.folded,
            transposes: nodes.iter().filter(|n| n.op_type == "Transpose").count(),
            nodes: nodes.len(),
            op_counts,
        };
        let doc = format!(
            "Converted from a TensorFlow.js graph model by ds-model tfjs2onnx{}",
            self.model
                .generated_by
                .as_deref()
                .map(|g| format!(" (model generated by {g})"))
                .unwrap_or_default()
        );
        let model = onnx::Model {
            ir_version: 7,
            opset: 13,
            producer_name: "ds-model tfjs2onnx".into(),
            producer_version: env!("CARGO_PKG_VERSION").into(),
            doc_string: doc,
            graph: onnx::Graph {
                name: "tfjs_graph".into(),
                nodes,
                initializers: inits,
                inputs: self.inputs,
                outputs,
            },
        };
        Ok((model, stats))
    }
}

/// What a `_FusedConv2D` fuses behind the convolution.
#[derive(Clone, Copy, Debug, Default)]
struct Fused {
    bias: bool,
    activation: Option<Activation>,
}

#[derive(Clone, Copy, Debug)]
enum Activation {
    Relu,
    Relu6,
    Elu,
    Sigmoid,
    Tanh,
    LeakyRelu(f32),
}

fn scalar_f32(v: f32) -> Tensor {
    Tensor {
        shape: vec![],
        data: TensorData::F32(vec![v]),
    }
}

fn rename_value(nodes: &mut [onnx::Node], from: &str, to: &str) {
    for n in nodes {
        for v in n.inputs.iter_mut().chain(n.outputs.iter_mut()) {
            if v == from {
                *v = to.to_owned();
            }
        }
    }
}

fn use_counts(nodes: &[onnx::Node], outputs: &[String]) -> HashMap<String, usize> {
    let mut uses: HashMap<String, usize> = HashMap::new();
    for n in nodes {
        for i in &n.inputs {
            *uses.entry(i.clone()).or_default() += 1;
        }
    }
    for o in outputs {
        *uses.entry(o.clone()).or_default() += 1;
    }
    uses
}

fn perm_of(n: &onnx::Node) -> Option<Vec<i64>> {
    match n.attribute("perm") {
        Some(AttributeValue::Ints(p)) => Some(p.clone()),
        _ => None,
    }
}

/// `Conv → Transpose(NCHW→NHWC) → Add(bias[C])` becomes `Conv(bias) → Transpose`.
fn fuse_conv_bias(nodes: &mut Vec<onnx::Node>, inits: &mut Vec<Initializer>, outputs: &[String]) {
    let uses = use_counts(nodes, outputs);
    let producer: HashMap<String, usize> = nodes
        .iter()
        .enumerate()
        .flat_map(|(i, n)| n.outputs.iter().map(move |o| (o.clone(), i)))
        .collect();
    let mut remove = HashSet::new();
    for a in 0..nodes.len() {
        if nodes[a].op_type != "Add" || nodes[a].inputs.len() != 2 {
            continue;
        }
        for (x_idx, b_idx) in [(0, 1), (1, 0)] {
            let x = nodes[a].inputs[x_idx].clone();
            let bias_name = nodes[a].inputs[b_idx].clone();
            let Some(bias) = inits.iter().find(|i| i.name == bias_name) else {
                continue;
            };
            let Some(&t) = producer.get(&x) else { continue };
            if nodes[t].op_type != "Transpose"
                || perm_of(&nodes[t]).as_deref() != Some(&NCHW_TO_NHWC[..])
                || uses.get(&x) != Some(&1)
            {
                continue;
            }
            let Some(&c) = producer.get(&nodes[t].inputs[0]) else {
                continue;
            };
            let conv_out = nodes[c].outputs[0].clone();
            if nodes[c].op_type != "Conv"
                || nodes[c].inputs.len() != 2
                || uses.get(&conv_out) != Some(&1)
            {
                continue;
            }
            let Some(out_channels) = inits
                .iter()
                .find(|i| i.name == nodes[c].inputs[1])
                .and_then(|w| w.tensor.shape.first().copied())
            else {
                continue;
            };
            // The bias must be a per-channel vector broadcast along the last (channel) axis.
            let shape = &bias.tensor.shape;
            let per_channel = shape.last() == Some(&out_channels)
                && shape.iter().rev().skip(1).all(|&d| d == 1)
                && shape.len() <= 4;
            let Some(values) = bias.tensor.as_f32().filter(|_| per_channel) else {
                continue;
            };
            let fused = Initializer {
                name: format!("{}/bias", nodes[c].name),
                tensor: Tensor {
                    shape: vec![out_channels],
                    data: TensorData::F32(values.to_vec()),
                },
            };
            nodes[c].inputs.push(fused.name.clone());
            inits.push(fused);
            nodes[t].outputs[0] = nodes[a].outputs[0].clone();
            remove.insert(a);
            break;
        }
    }
    let mut i = 0;
    nodes.retain(|_| {
        i += 1;
        !remove.contains(&(i - 1))
    });
}

/// Moves transposes below the ops that commute with them, so that they can meet the next
/// transpose and cancel (NHWC graphs transpose around every convolution; residual `Add`s,
/// activations and global means sit between those pairs):
/// - elementwise unary ops: `op(T(x))` → `T(op(x))`;
/// - elementwise binary ops whose inputs are both transposed by the same perm (and not a
///   broadcast): `op(T(x), T(y))` → `T(op(x, y))`;
/// - `ReduceMean(T(x), axes, keepdims=0)` → `ReduceMean(x, perm[axes])` when the kept axes
///   stay in their order (then no transpose is needed after it).
///
/// Only transposes whose output has no other reader are moved.
fn sink_transposes(nodes: &mut Vec<onnx::Node>, outputs: &[String]) {
    const UNARY: [&str; 6] = ["Relu", "Sigmoid", "Tanh", "Elu", "LeakyRelu", "Clip"];
    const BINARY: [&str; 6] = ["Add", "Sub", "Mul", "Div", "Max", "Min"];
    let mut fresh = 0usize;
    loop {
        let uses = use_counts(nodes, outputs);
        let producer: HashMap<String, usize> = nodes
            .iter()
            .enumerate()
            .flat_map(|(i, n)| n.outputs.iter().map(move |o| (o.clone(), i)))
            .collect();
        let single_transpose = |v: &str| -> Option<(usize, Vec<i64>)> {
            let &t = producer.get(v)?;
            let n = &nodes[t];
            if n.op_type != "Transpose" || uses.get(v) != Some(&1) {
                return None;
            }
            Some((t, perm_of(n)?))
        };
        let mut rewrite: Option<(usize, Vec<usize>, Vec<i64>)> = None;
        let mut reduce: Option<(usize, usize, Vec<i64>)> = None;
        for (i, n) in nodes.iter().enumerate() {
            let op = n.op_type.as_str();
            if UNARY.contains(&op) && !n.inputs.is_empty() {
                // A transpose with other readers stays for them; this op reads its source.
                let Some(&t) = producer.get(&n.inputs[0]) else {
                    continue;
                };
                if nodes[t].op_type == "Transpose" {
                    if let Some(perm) = perm_of(&nodes[t]) {
                        rewrite = Some((i, vec![t], perm));
                        break;
                    }
                }
            } else if BINARY.contains(&op) && n.inputs.len() == 2 {
                if n.inputs[0] == n.inputs[1] {
                    continue;
                }
                if let (Some((ta, pa)), Some((tb, pb))) = (
                    single_transpose(&n.inputs[0]),
                    single_transpose(&n.inputs[1]),
                ) {
                    if pa == pb {
                        rewrite = Some((i, vec![ta, tb], pa));
                        break;
                    }
                }
            } else if op == "ReduceMean" && n.inputs.len() == 1 {
                let dropped = matches!(n.attribute("keepdims"), Some(AttributeValue::Int(0)));
                let Some(AttributeValue::Ints(axes)) = n.attribute("axes") else {
                    continue;
                };
                let Some((t, perm)) = single_transpose(&n.inputs[0]) else {
                    continue;
                };
                let rank = perm.len() as i64;
                let axes: Vec<i64> = axes
                    .iter()
                    .map(|&a| if a < 0 { a + rank } else { a })
                    .collect();
                if !dropped || axes.iter().any(|&a| a < 0 || a >= rank) {
                    continue;
                }
                let kept: Vec<i64> = (0..rank)
                    .filter(|k| !axes.contains(k))
                    .map(|k| perm[k as usize])
                    .collect();
                if kept.windows(2).all(|w| w[0] < w[1]) {
                    let mut mapped: Vec<i64> = axes.iter().map(|&a| perm[a as usize]).collect();
                    mapped.sort_unstable();
                    reduce = Some((i, t, mapped));
                    break;
                }
            }
        }
        if let Some((i, t, axes)) = reduce {
            nodes[i].inputs[0] = nodes[t].inputs[0].clone();
            for a in &mut nodes[i].attributes {
                if a.name == "axes" {
                    *a = Attribute::ints("axes", axes.clone());
                }
            }
            nodes.remove(t);
            continue;
        }
        let Some((i, transposes, perm)) = rewrite else {
            return;
        };
        for (k, &t) in transposes.iter().enumerate() {
            nodes[i].inputs[k] = nodes[t].inputs[0].clone();
        }
        let out = nodes[i].outputs[0].clone();
        fresh += 1;
        let inner = format!("{out}/sunk{fresh}");
        nodes[i].outputs[0] = inner.clone();
        let moved = onnx::Node {
            name: format!("{}/sunk{fresh}", nodes[transposes[0]].name),
            op_type: "Transpose".into(),
            inputs: vec![inner],
            outputs: vec![out],
            attributes: vec![Attribute::ints("perm", perm)],
        };
        nodes.insert(i + 1, moved);
        let mut remove: Vec<usize> = transposes
            .into_iter()
            .filter(|&t| uses.get(&nodes[t].outputs[0]) == Some(&1))
            .collect();
        remove.sort_unstable();
        remove.dedup();
        for t in remove.into_iter().rev() {
            nodes.remove(t);
        }
    }
}

/// Merges `Transpose → Transpose` chains and removes pairs that compose to the identity.
fn cancel_transposes(nodes: &mut Vec<onnx::Node>, outputs: &[String]) {
    loop {
        let producer: HashMap<String, usize> = nodes
            .iter()
            .enumerate()
            .flat_map(|(i, n)| n.outputs.iter().map(move |o| (o.clone(), i)))
            .collect();
        let mut changed = false;
        for b in 0..nodes.len() {
            if nodes[b].op_type != "Transpose" {
                continue;
            }
            let Some(&a) = producer.get(&nodes[b].inputs[0]) else {
                continue;
            };
            if nodes[a].op_type != "Transpose" {
                continue;
            }
            let (Some(pa), Some(pb)) = (perm_of(&nodes[a]), perm_of(&nodes[b])) else {
                continue;
            };
            if pa.len() != pb.len() || pb.iter().any(|&p| p < 0 || p as usize >= pa.len()) {
                continue;
            }
            let composed: Vec<i64> = pb.iter().map(|&p| pa[p as usize]).collect();
            let source = nodes[a].inputs[0].clone();
            let out = nodes[b].outputs[0].clone();
            if composed.iter().enumerate().all(|(i, &p)| p == i as i64) && !outputs.contains(&out) {
                for n in nodes.iter_mut() {
                    for v in n.inputs.iter_mut() {
                        if *v == out {
                            *v = source.clone();
                        }
                    }
                }
                nodes[b].inputs[0] = String::new(); // now dead; removed below
            } else {
                nodes[b].inputs[0] = source;
                nodes[b].attributes = vec![Attribute::ints("perm", composed)];
            }
            changed = true;
            break;
        }
        if !changed {
            return;
        }
        nodes.retain(|n| !(n.op_type == "Transpose" && n.inputs[0].is_empty()));
    }
}

/// Removes nodes and initializers that no output depends on.
fn dead_code(nodes: &mut Vec<onnx::Node>, inits: &mut Vec<Initializer>, outputs: &[String]) {
    let mut live: HashSet<String> = outputs.iter().cloned().collect();
    let mut keep = vec![false; nodes.len()];
    for (i, n) in nodes.iter().enumerate().rev() {
        if n.outputs.iter().any(|o| live.contains(o)) {
            keep[i] = true;
            live.extend(n.inputs.iter().filter(|s| !s.is_empty()).cloned());
        }
    }
    let mut i = 0;
    nodes.retain(|_| {
        i += 1;
        keep[i - 1]
    });
    inits.retain(|t| live.contains(&t.name));
}

fn numeric_binary(node: &Node, a: &Tensor, b: &Tensor) -> Result<Option<Tensor>> {
    let shape = if a.shape == b.shape || b.len() == 1 {
        a.shape.clone()
    } else if a.len() == 1 {
        b.shape.clone()
    } else {
        return Ok(None);
    };
    let n = shape.iter().product::<usize>();
    let at = |v: &[i64], i: usize| if v.len() == 1 { v[0] } else { v[i] };
    let atf = |v: &[f32], i: usize| if v.len() == 1 { v[0] } else { v[i] };
    let out = match (&a.data, &b.data) {
        (TensorData::I64(x), TensorData::I64(y)) => {
            let f = match node.op.as_str() {
                "Add" | "AddV2" => i64::wrapping_add,
                "Sub" => i64::wrapping_sub,
                "Mul" => i64::wrapping_mul,
                _ => return Ok(None),
            };
            TensorData::I64((0..n).map(|i| f(at(x, i), at(y, i))).collect())
        }
        (TensorData::F32(x), TensorData::F32(y)) => {
            let f: fn(f32, f32) -> f32 = match node.op.as_str() {
                "Add" | "AddV2" => |p, q| p + q,
                "Sub" => |p, q| p - q,
                "Mul" => |p, q| p * q,
                _ => return Ok(None),
            };
            TensorData::F32((0..n).map(|i| f(atf(x, i), atf(y, i))).collect())
        }
        _ => {
            return Err(Error::Format(format!(
                "node '{}' mixes integer and float constants",
                node.name
            )))
        }
    };
    Ok(Some(Tensor { shape, data: out }))
}

/// Evaluates `node` on constant inputs; `Ok(None)` if the op is not folded.
fn fold(node: &Node, inputs: &[&Tensor]) -> Result<Option<Vec<Tensor>>> {
    let bad = |m: &str| Error::Format(format!("cannot fold node '{}': {m}", node.name));
    let out = match (node.op.as_str(), inputs) {
        ("Identity", [x]) => (*x).clone(),
        ("Cast", [x]) => {
            let to = match node.attr("DstT") {
                Some(Attr::Type(t)) => t.as_str(),
                _ => return Err(bad("Cast without DstT")),
            };
            let data = match (&x.data, to) {
                (TensorData::I64(v), "DT_FLOAT") => {
                    TensorData::F32(v.iter().map(|&i| i as f32).collect())
                }
                (TensorData::F32(v), "DT_INT32" | "DT_INT64") => {
                    TensorData::I64(v.iter().map(|&f| f as i64).collect())
                }
                (d, _) => d.clone(),
            };
            Tensor {
                shape: x.shape.clone(),
                data,
            }
        }
        ("Add" | "AddV2" | "Sub" | "Mul", [a, b]) => match numeric_binary(node, a, b)? {
            Some(t) => t,
            None => return Ok(None),
        },
        ("SparseToDense", [indices, shape, values, default]) => {
            let shape: Vec<usize> = shape
                .as_i64()
                .ok_or_else(|| bad("output_shape is not integer"))?
                .iter()
                .map(|&d| usize::try_from(d).map_err(|_| bad("negative output_shape")))
                .collect::<Result<_>>()?;
            let n = shape
                .iter()
                .try_fold(1usize, |a, &d| a.checked_mul(d))
                .filter(|&n| n <= MAX_FOLDED_ELEMENTS)
                .ok_or_else(|| bad("output_shape too large"))?;
            let rank = shape.len();
            let idx = indices
                .as_i64()
                .ok_or_else(|| bad("indices are not integer"))?;
            let count = if rank == 0 {
                0
            } else {
                idx.len() / rank.max(1)
            };
            let flat = |k: usize| -> Result<usize> {
                let mut off = 0usize;
                for (d, &size) in shape.iter().enumerate() {
                    let i = idx
                        .get(k * rank + d)
                        .and_then(|&i| usize::try_from(i).ok())
                        .filter(|&i| i < size)
                        .ok_or_else(|| bad("index out of range"))?;
                    off = off * size + i;
                }
                Ok(off)
            };
            let data = match (&values.data, &default.data) {
                (TensorData::I64(v), TensorData::I64(d)) => {
                    let mut out = vec![*d.first().ok_or_else(|| bad("empty default"))?; n];
                    for k in 0..count {
                        let val = if v.len() == 1 {
                            v[0]
                        } else {
                            *v.get(k).ok_or_else(|| bad("too few values"))?
                        };
                        out[flat(k)?] = val;
                    }
                    TensorData::I64(out)
                }
                (TensorData::F32(v), TensorData::F32(d)) => {
                    let mut out = vec![*d.first().ok_or_else(|| bad("empty default"))?; n];
                    for k in 0..count {
                        let val = if v.len() == 1 {
                            v[0]
                        } else {
                            *v.get(k).ok_or_else(|| bad("too few values"))?
                        };
                        out[flat(k)?] = val;
                    }
                    TensorData::F32(out)
                }
                _ => return Err(bad("values and default differ in type")),
            };
            Tensor { shape, data }
        }
        ("Reshape", [x, s]) => {
            let s = s.as_i64().ok_or_else(|| bad("shape is not integer"))?;
            let known: i64 = s.iter().filter(|&&d| d >= 0).product();
            let shape: Vec<usize> = s
                .iter()
                .map(|&d| {
                    if d >= 0 {
                        Ok(d as usize)
                    } else if known > 0 {
                        Ok(x.len() / known as usize)
                    } else {
                        Err(bad("cannot infer -1"))
                    }
                })
                .collect::<Result<_>>()?;
            if shape.iter().product::<usize>() != x.len() {
                return Err(bad("element count changes"));
            }
            Tensor {
                shape,
                data: x.data.clone(),
            }
        }
        ("Transpose", [x, p]) => {
            let perm: Vec<usize> = p
                .as_i64()
                .ok_or_else(|| bad("perm is not integer"))?
                .iter()
                .map(|&v| usize::try_from(v).map_err(|_| bad("negative perm")))
                .collect::<Result<_>>()?;
            x.transpose(&perm).ok_or_else(|| bad("invalid perm"))?
        }
        ("ConcatV2", [parts @ .., axis]) if !parts.is_empty() => {
            if axis.scalar_i64().is_none_or(|a| a != 0 && a != -1)
                || parts.iter().any(|p| p.shape.len() != 1)
            {
                return Ok(None);
            }
            let mut ints = Vec::new();
            for p in parts {
                match p.as_i64() {
                    Some(v) => ints.extend_from_slice(v),
                    None => return Ok(None),
                }
            }
            Tensor::vec_i64(ints)
        }
        _ => return Ok(None),
    };
    Ok(Some(vec![out]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tfjs::SignatureEntry;

    fn node(name: &str, op: &str, inputs: &[&str], attrs: Vec<(&str, Attr)>) -> Node {
        Node {
            name: name.into(),
            op: op.into(),
            inputs: inputs.iter().map(|s| s.to_string()).collect(),
            attrs: attrs.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
        }
    }

    /// input (NCHW) → Transpose → Conv2D(NHWC) → Add(bias) → Transpose → LeakyRelu, plus a
    /// folded reshape target, as onnx-tf emits.
    fn small_model() -> GraphModel {
        let mut weights = HashMap::new();
        weights.insert("to_nhwc".into(), Tensor::vec_i64(vec![0, 2, 3, 1]));
        weights.insert("to_nchw".into(), Tensor::vec_i64(vec![0, 3, 1, 2]));
        weights.insert(
            "filter".into(),
            Tensor::from_f32(vec![1, 1, 3, 2], vec![1., 0., 0., 1., 0., 0.]).unwrap(),
        );
        weights.insert(
            "bias".into(),
            Tensor::from_f32(vec![2], vec![0.5, -0.5]).unwrap(),
        );
        weights.insert("base_shape".into(), Tensor::vec_i64(vec![1, 2, -1]));
        weights.insert(
            "where".into(),
            Tensor::from_i64(vec![0, 1], vec![]).unwrap(),
        );
        weights.insert("len".into(), Tensor::vec_i64(vec![3]));
        weights.insert("gather".into(), Tensor::from_i64(vec![0], vec![]).unwrap());
        weights.insert("zero".into(), Tensor::from_i64(vec![], vec![0]).unwrap());
        let consts = [
            "to_nhwc",
            "to_nchw",
            "filter",
            "bias",
            "base_shape",
            "where",
            "len",
            "gather",
            "zero",
        ];
        let mut nodes: Vec<Node> = consts
            .iter()
            .map(|c| node(c, "Const", &[], vec![]))
            .collect();
        nodes.extend([
            node(
                "x",
                "Placeholder",
                &[],
                vec![
                    ("shape", Attr::Shape(vec![1, 3, 4, 4])),
                    ("dtype", Attr::Type("DT_FLOAT".into())),
                ],
            ),
            node(
                "std",
                "SparseToDense",
                &["where", "len", "gather", "zero"],
                vec![],
            ),
            node("shape", "AddV2", &["base_shape", "std"], vec![]),
            node("t1", "Transpose", &["x", "to_nhwc"], vec![]),
            node(
                "conv",
                "Conv2D",
                &["t1", "filter"],
                vec![
                    ("padding", Attr::Str(b"VALID".to_vec())),
                    ("strides", Attr::Ints(vec![1, 1, 1, 1])),
                    ("data_format", Attr::Str(b"NHWC".to_vec())),
                ],
            ),
            node("add", "Add", &["conv", "bias"], vec![]),
            node("t2", "Transpose", &["add", "to_nchw"], vec![]),
            node(
                "act",
                "LeakyRelu",
                &["t2"],
                vec![("alpha", Attr::Float(0.1))],
            ),
            node("flat", "Reshape", &["act", "shape:0"], vec![]),
            node("Identity", "Identity", &["flat"], vec![]),
        ]);
        GraphModel {
            nodes,
            weights,
            inputs: vec![SignatureEntry {
                tensor: "x".into(),
                shape: Some(vec![1, 3, 4, 4]),
            }],
            outputs: vec![SignatureEntry {
                tensor: "Identity".into(),
                shape: Some(vec![1, 2, 16]),
            }],
            generated_by: None,
        }
    }

    #[test]
    fn folds_shapes_and_cancels_transposes() {
        let options = Options {
            input_name: Some("input".into()),
            outputs: vec![("Identity:0".into(), "out".into())],
            batch: None,
            nchw_input: false,
            sink_transposes: false,
        };
        let (model, stats) = convert(&small_model(), &options).unwrap();
        let g = &model.graph;
        let ops: Vec<&str> = g.nodes.iter().map(|n| n.op_type.as_str()).collect();
        assert_eq!(ops, vec!["Conv", "LeakyRelu", "Reshape"], "{g:#?}");
        assert_eq!(stats.transposes, 0);
        assert_eq!(stats.folded, 2);
        assert_eq!(g.nodes[0].inputs[0], "input");
        assert_eq!(g.nodes[0].inputs.len(), 3, "bias fused into Conv");
        assert_eq!(g.nodes[2].outputs[0], "out");
        let w = g
            .initializers
            .iter()
            .find(|i| i.name == g.nodes[0].inputs[1])
            .unwrap();
        assert_eq!(w.tensor.shape, vec![2, 3, 1, 1]);
        assert_eq!(w.tensor.as_f32().unwrap(), &[1., 0., 0., 0., 1., 0.]);
        let shape = g
            .initializers
            .iter()
            .find(|i| i.name == g.nodes[2].inputs[1])
            .unwrap();
        assert_eq!(
            shape.tensor.as_i64().unwrap(),
            &[0, 2, -1],
            "dynamic batch keeps dim 0"
        );
        assert_eq!(
            g.inputs[0].shape.as_ref().unwrap()[0],
            Dim::Param("batch".into())
        );
        assert_eq!(
            g.outputs[0].shape.as_ref().unwrap()[0],
            Dim::Param("batch".into())
        );
        assert!(!model.encode().is_empty());
    }

    #[test]
    fn fixed_batch_keeps_reshape_target() {
        let options = Options {
            batch: Some(1),
            ..Options::default()
        };
        let (model, _) = convert(&small_model(), &options).unwrap();
        let g = &model.graph;
        let reshape = g.nodes.iter().find(|n| n.op_type == "Reshape").unwrap();
        let shape = g
            .initializers
            .iter()
            .find(|i| i.name == reshape.inputs[1])
            .unwrap();
        assert_eq!(shape.tensor.as_i64().unwrap(), &[1, 2, -1]);
        assert_eq!(g.inputs[0].name, "x");
        assert_eq!(g.outputs[0].name, "Identity");
        assert_eq!(g.inputs[0].shape.as_ref().unwrap()[0], Dim::Value(1));
    }

    #[test]
    fn unsupported_op_is_named() {
        let mut m = small_model();
        m.nodes.push(node("weird", "Einsum", &["act"], vec![]));
        m.outputs[0].tensor = "weird".into();
        let e = convert(&m, &Options::default()).unwrap_err();
        assert_eq!(e.to_string(), "unsupported op 'Einsum' (node 'weird')");
    }

    #[test]
    fn missing_input_is_an_error() {
        let mut m = small_model();
        m.nodes.push(node("bad", "Relu", &["nowhere"], vec![]));
        m.outputs[0].tensor = "bad".into();
        let e = convert(&m, &Options::default()).unwrap_err();
        assert!(e.to_string().contains("'nowhere'"), "{e}");
    }

    fn nhwc_attrs(padding: &str, strides: Vec<i64>) -> Vec<(&'static str, Attr)> {
        vec![
            ("padding", Attr::Str(padding.as_bytes().to_vec())),
            ("strides", Attr::Ints(strides)),
            ("data_format", Attr::Str(b"NHWC".to_vec())),
        ]
    }

    /// A face-classifier-like NHWC graph: input [-1,4,4,1] → _FusedConv2D(BiasAdd, Relu)
    /// → DepthwiseConv2dNative → _FusedConv2D(BiasAdd), plus MaxPool of the first conv as
    /// a residual: AddV2 → Relu → Mean(1,2) → Softmax.
    fn nhwc_model() -> GraphModel {
        let mut weights = HashMap::new();
        // 1x1 conv 1 → 2 channels.
        weights.insert(
            "w1".into(),
            Tensor::from_f32(vec![1, 1, 1, 2], vec![1., -1.]).unwrap(),
        );
        weights.insert(
            "b1".into(),
            Tensor::from_f32(vec![2], vec![0.5, 0.25]).unwrap(),
        );
        // Depthwise 3x3, C=2, M=1: [H, W, C, M].
        weights.insert(
            "dw".into(),
            Tensor::from_f32(vec![3, 3, 2, 1], (0..18).map(|v| v as f32).collect()).unwrap(),
        );
        weights.insert(
            "w2".into(),
            Tensor::from_f32(vec![1, 1, 2, 2], vec![1., 0., 0., 1.]).unwrap(),
        );
        weights.insert(
            "b2".into(),
            Tensor::from_f32(vec![2], vec![0., 1.]).unwrap(),
        );
        weights.insert("axes".into(), Tensor::vec_i64(vec![1, 2]));
        let mut nodes: Vec<Node> = ["w1", "b1", "dw", "w2", "b2", "axes"]
            .iter()
            .map(|c| node(c, "Const", &[], vec![]))
            .collect();
        let fused = |ops: &[&str], padding: &str| {
            let mut a = nhwc_attrs(padding, vec![1, 1, 1, 1]);
            a.push((
                "fused_ops",
                Attr::Strs(ops.iter().map(|o| o.as_bytes().to_vec()).collect()),
            ));
            a
        };
        nodes.extend([
            node(
                "input_1",
                "Placeholder",
                &[],
                vec![("shape", Attr::Shape(vec![-1, 4, 4, 1]))],
            ),
            node(
                "c1",
                "_FusedConv2D",
                &["input_1", "w1", "b1"],
                fused(&["BiasAdd", "Relu"], "VALID"),
            ),
            node(
                "d1",
                "DepthwiseConv2dNative",
                &["c1", "dw"],
                nhwc_attrs("SAME", vec![1, 1, 1, 1]),
            ),
            node(
                "c2",
                "_FusedConv2D",
                &["d1", "w2", "b2"],
                fused(&["BiasAdd"], "SAME"),
            ),
            node("pool", "MaxPool", &["c1"], {
                let mut a = nhwc_attrs("VALID", vec![1, 1, 1, 1]);
                a.push(("ksize", Attr::Ints(vec![1, 1, 1, 1])));
                a
            }),
            node("add", "AddV2", &["c2", "pool"], vec![]),
            node("relu", "Relu", &["add"], vec![]),
            node(
                "mean",
                "Mean",
                &["relu", "axes"],
                vec![("keep_dims", Attr::Bool(false))],
            ),
            node("sm", "Softmax", &["mean"], vec![]),
            node("Identity", "Identity", &["sm"], vec![]),
        ]);
        GraphModel {
            nodes,
            weights,
            inputs: vec![SignatureEntry {
                tensor: "input_1".into(),
                shape: Some(vec![-1, 4, 4, 1]),
            }],
            outputs: vec![SignatureEntry {
                tensor: "Identity".into(),
                shape: Some(vec![-1, 2]),
            }],
            generated_by: None,
        }
    }

    fn nchw_options(sink: bool) -> Options {
        Options {
            input_name: Some("input".into()),
            outputs: vec![("Identity".into(), "output".into())],
            batch: None,
            nchw_input: true,
            sink_transposes: sink,
        }
    }

    #[test]
    fn nhwc_classifier_becomes_nchw_without_transposes() {
        let (model, stats) = convert(&nhwc_model(), &nchw_options(true)).unwrap();
        let g = &model.graph;
        let ops: Vec<&str> = g.nodes.iter().map(|n| n.op_type.as_str()).collect();
        assert_eq!(
            ops,
            [
                "Conv",
                "Relu",
                "Conv",
                "Conv",
                "MaxPool",
                "Add",
                "Relu",
                "ReduceMean",
                "Softmax"
            ],
            "{g:#?}"
        );
        assert_eq!(stats.transposes, 0);
        // NCHW input [batch, 1, 4, 4] named `input`.
        assert_eq!(g.inputs[0].name, "input");
        assert_eq!(
            g.inputs[0].shape.as_ref().unwrap(),
            &vec![
                Dim::Param("batch".into()),
                Dim::Value(1),
                Dim::Value(4),
                Dim::Value(4)
            ]
        );
        assert_eq!(g.nodes[0].inputs[0], "input");
        let init = |name: &str| {
            &g.initializers
                .iter()
                .find(|i| i.name == name)
                .unwrap()
                .tensor
        };
        // Fused bias is the Conv's third input.
        assert_eq!(init(&g.nodes[0].inputs[2]).as_f32().unwrap(), &[0.5, 0.25]);
        // Depthwise: [3,3,2,1] → [2,1,3,3], group 2; channel c takes w[.., .., c, 0].
        let dw = &g.nodes[2];
        assert_eq!(dw.attribute("group"), Some(&AttributeValue::Int(2)));
        assert_eq!(
            dw.attribute("auto_pad"),
            Some(&AttributeValue::String("SAME_UPPER".into()))
        );
        let w = init(&dw.inputs[1]);
        assert_eq!(w.shape, vec![2, 1, 3, 3]);
        let expect: Vec<f32> = (0..2)
            .flat_map(|c| (0..9).map(move |k| (k * 2 + c) as f32))
            .collect();
        assert_eq!(w.as_f32().unwrap(), &expect[..]);
        // NHWC mean over H, W becomes a mean over NCHW axes 2, 3.
        let mean = &g.nodes[7];
        assert_eq!(
            mean.attribute("axes"),
            Some(&AttributeValue::Ints(vec![2, 3]))
        );
        assert_eq!(mean.attribute("keepdims"), Some(&AttributeValue::Int(0)));
        assert_eq!(g.nodes[8].attribute("axis"), Some(&AttributeValue::Int(-1)));
        assert_eq!(g.outputs[0].name, "output");
        assert!(!model.encode().is_empty());
    }

    #[test]
    fn without_sinking_the_mean_keeps_tensorflow_axes() {
        let (model, stats) = convert(&nhwc_model(), &nchw_options(false)).unwrap();
        let g = &model.graph;
        let mean = g.nodes.iter().find(|n| n.op_type == "ReduceMean").unwrap();
        assert_eq!(
            mean.attribute("axes"),
            Some(&AttributeValue::Ints(vec![1, 2]))
        );
        // The transposes around the residual Add stay (correct, just slower).
        assert!(stats.transposes > 0);
        let t = g
            .nodes
            .iter()
            .find(|n| n.outputs[0] == mean.inputs[0])
            .unwrap();
        assert_eq!(t.op_type, "Relu");
    }

    #[test]
    fn fused_conv_rejects_batch_norm_fusions() {
        let mut m = nhwc_model();
        for n in &mut m.nodes {
            if n.name == "c2" {
                n.attrs.insert(
                    "fused_ops".into(),
                    Attr::Strs(vec![b"FusedBatchNorm".to_vec()]),
                );
            }
        }
        let e = convert(&m, &nchw_options(true)).unwrap_err();
        assert!(e.to_string().contains("_FusedConv2D 'c2'"), "{e}");
    }

    #[test]
    fn nchw_input_needs_rank_4() {
        let mut m = nhwc_model();
        for n in &mut m.nodes {
            if n.name == "input_1" {
                n.attrs.insert("shape".into(), Attr::Shape(vec![-1, 16]));
            }
        }
        let e = convert(&m, &nchw_options(true)).unwrap_err();
        assert!(e.to_string().contains("rank 2"), "{e}");
    }

    #[test]
    fn sparse_to_dense_folds() {
        let n = node("s", "SparseToDense", &[], vec![]);
        let idx = Tensor::from_i64(vec![2, 1], vec![0, 2]).unwrap();
        let shape = Tensor::vec_i64(vec![4]);
        let values = Tensor::vec_i64(vec![7, 9]);
        let default = Tensor::from_i64(vec![], vec![-1]).unwrap();
        let out = fold(&n, &[&idx, &shape, &values, &default])
            .unwrap()
            .unwrap();
        assert_eq!(out[0].as_i64().unwrap(), &[7, -1, 9, -1]);
        let bad = Tensor::from_i64(vec![1, 1], vec![5]).unwrap();
        assert!(fold(&n, &[&bad, &shape, &values, &default]).is_err());
    }
}
