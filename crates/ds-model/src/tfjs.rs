//! Reader for TensorFlow.js "graph-model" files.
//!
//! A graph model is a `model.json` holding the TensorFlow `GraphDef` in protobuf's JSON
//! mapping (`modelTopology.node[]`), an optional `signature`, and a `weightsManifest` naming
//! binary shard files (relative to `model.json`) whose concatenated bytes hold every `Const`
//! tensor in manifest order.
//!
//! Weight encodings handled: `float32`, `int32` (both little-endian) and `bool`, plus the
//! converter's post-training quantizations, which are dequantized to `float32` on load:
//! `float16` (IEEE half), and `uint8` / `uint16` affine (`value = q * scale + min`).
//! `string` and `complex64` weights are refused.

use std::collections::HashMap;
use std::path::Path;

use serde_json::Value;

use crate::tensor::Tensor;
use crate::{Error, Result};

/// One attribute value of a node (protobuf `AttrValue`).
#[derive(Clone, Debug, PartialEq)]
pub enum Attr {
    /// `s`: bytes (base64 in the JSON).
    Str(Vec<u8>),
    /// `i`.
    Int(i64),
    /// `f`.
    Float(f32),
    /// `b`.
    Bool(bool),
    /// `type`: a `DT_*` name.
    Type(String),
    /// `shape`: dims, `-1` for unknown.
    Shape(Vec<i64>),
    /// `list.i`.
    Ints(Vec<i64>),
    /// `list.f`.
    Floats(Vec<f32>),
    /// `list.s`.
    Strs(Vec<Vec<u8>>),
    /// Anything else (tensor values, type lists…), kept as raw JSON.
    Other(Value),
}

/// One `NodeDef`.
#[derive(Clone, Debug)]
pub struct Node {
    /// Unique node name.
    pub name: String,
    /// TensorFlow op type (`Conv2D`, …).
    pub op: String,
    /// Data inputs as `node` or `node:k`; control inputs (`^node`) are dropped.
    pub inputs: Vec<String>,
    /// Attributes by name.
    pub attrs: HashMap<String, Attr>,
}

impl Node {
    /// The attribute `name`, if present.
    pub fn attr(&self, name: &str) -> Option<&Attr> {
        self.attrs.get(name)
    }

    /// A string attribute as UTF-8 (lossy).
    pub fn attr_str(&self, name: &str) -> Option<String> {
        match self.attrs.get(name) {
            Some(Attr::Str(s)) => Some(String::from_utf8_lossy(s).into_owned()),
            _ => None,
        }
    }

    /// A boolean attribute, `default` if absent.
    pub fn attr_bool(&self, name: &str, default: bool) -> bool {
        match self.attrs.get(name) {
            Some(Attr::Bool(b)) => *b,
            _ => default,
        }
    }

    /// An integer-list attribute.
    pub fn attr_ints(&self, name: &str) -> Option<&[i64]> {
        match self.attrs.get(name) {
            Some(Attr::Ints(v)) => Some(v),
            _ => None,
        }
    }

    /// A float attribute.
    pub fn attr_float(&self, name: &str) -> Option<f32> {
        match self.attrs.get(name) {
            Some(Attr::Float(v)) => Some(*v),
            _ => None,
        }
    }
}

/// An entry of the model signature (a graph input or output).
#[derive(Clone, Debug, PartialEq)]
pub struct SignatureEntry {
    /// Tensor name without the `:0` suffix (a node name, or `node:k`).
    pub tensor: String,
    /// Dims (`-1` unknown), if the signature gives a shape.
    pub shape: Option<Vec<i64>>,
}

/// A loaded graph model.
#[derive(Clone, Debug)]
pub struct GraphModel {
    /// All nodes, in file order.
    pub nodes: Vec<Node>,
    /// Weight tensors by name (the names of the `Const` nodes).
    pub weights: HashMap<String, Tensor>,
    /// Signature inputs, sorted by name (empty if the file has no signature).
    pub inputs: Vec<SignatureEntry>,
    /// Signature outputs, sorted by name (empty if the file has no signature).
    pub outputs: Vec<SignatureEntry>,
    /// `generatedBy` / `convertedBy`, for provenance.
    pub generated_by: Option<String>,
}

impl GraphModel {
    /// Loads `model.json` and its weight shards.
    pub fn load(model_json: &Path) -> Result<GraphModel> {
        let text = std::fs::read_to_string(model_json).map_err(|source| Error::Io {
            path: model_json.to_path_buf(),
            source,
        })?;
        let dir = model_json.parent().unwrap_or_else(|| Path::new("."));
        Self::parse(&text, model_json, |shard| {
            let path = dir.join(shard);
            std::fs::read(&path).map_err(|source| Error::Io { path, source })
        })
    }

    /// Parses the JSON text; `read_shard` returns the bytes of a shard named in the manifest.
    pub fn parse(
        text: &str,
        json_path: &Path,
        mut read_shard: impl FnMut(&str) -> Result<Vec<u8>>,
    ) -> Result<GraphModel> {
        let root: Value = serde_json::from_str(text).map_err(|e| Error::Json {
            path: json_path.to_path_buf(),
            message: e.to_string(),
        })?;
        if let Some(format) = root.get("format").and_then(Value::as_str) {
            if format != "graph-model" {
                return Err(Error::Unsupported(format!(
                    "TensorFlow.js format '{format}' (only 'graph-model' is converted)"
                )));
            }
        }
        let topology = root
            .get("modelTopology")
            .ok_or_else(|| Error::Format("no 'modelTopology'".into()))?;
        let node_values = topology
            .get("node")
            .and_then(Value::as_array)
            .ok_or_else(|| Error::Format("no 'modelTopology.node' array".into()))?;
        if topology
            .get("library")
            .and_then(|l| l.get("function"))
            .and_then(Value::as_array)
            .is_some_and(|f| !f.is_empty())
        {
            return Err(Error::Unsupported(
                "graph functions (control flow) in 'modelTopology.library'".into(),
            ));
        }
        let nodes = node_values
            .iter()
            .map(parse_node)
            .collect::<Result<Vec<_>>>()?;

        let mut weights = HashMap::new();
        let manifest = root
            .get("weightsManifest")
            .and_then(Value::as_array)
            .ok_or_else(|| Error::Format("no 'weightsManifest' array".into()))?;
        for group in manifest {
            let paths = group
                .get("paths")
                .and_then(Value::as_array)
                .ok_or_else(|| Error::Format("weights group without 'paths'".into()))?;
            let mut bytes = Vec::new();
            for p in paths {
                let p = p
                    .as_str()
                    .ok_or_else(|| Error::Format("weight path is not a string".into()))?;
                bytes.extend(read_shard(p)?);
            }
            let entries = group
                .get("weights")
                .and_then(Value::as_array)
                .ok_or_else(|| Error::Format("weights group without 'weights'".into()))?;
            let mut offset = 0usize;
            for entry in entries {
                let (name, tensor, used) = decode_weight(entry, &bytes[offset.min(bytes.len())..])?;
                offset += used;
                weights.insert(name, tensor);
            }
            if offset != bytes.len() {
                return Err(Error::Format(format!(
                    "weight shards hold {} bytes but the manifest describes {offset}",
                    bytes.len()
                )));
            }
        }

        let signature = root.get("signature");
        let inputs = parse_signature(signature.and_then(|s| s.get("inputs")))?;
        let outputs = parse_signature(signature.and_then(|s| s.get("outputs")))?;
        let generated_by = root
            .get("generatedBy")
            .and_then(Value::as_str)
            .map(str::to_owned);
        Ok(GraphModel {
            nodes,
            weights,
            inputs,
            outputs,
            generated_by,
        })
    }
}

fn parse_node(v: &Value) -> Result<Node> {
    let name = v
        .get("name")
        .and_then(Value::as_str)
        .ok_or_else(|| Error::Format("node without a name".into()))?
        .to_owned();
    let op = v
        .get("op")
        .and_then(Value::as_str)
        .ok_or_else(|| Error::Format(format!("node '{name}' without an op")))?
        .to_owned();
    let mut inputs = Vec::new();
    if let Some(list) = v.get("input").and_then(Value::as_array) {
        for i in list {
            let s = i
                .as_str()
                .ok_or_else(|| Error::Format(format!("node '{name}': input is not a string")))?;
            if !s.starts_with('^') {
                inputs.push(s.to_owned());
            }
        }
    }
    let mut attrs = HashMap::new();
    if let Some(map) = v.get("attr").and_then(Value::as_object) {
        for (k, a) in map {
            attrs.insert(
                k.clone(),
                parse_attr(a)
                    .map_err(|m| Error::Format(format!("node '{name}', attribute '{k}': {m}")))?,
            );
        }
    }
    Ok(Node {
        name,
        op,
        inputs,
        attrs,
    })
}

fn json_i64(v: &Value) -> std::result::Result<i64, String> {
    match v {
        Value::Number(n) => n.as_i64().ok_or_else(|| format!("bad integer {n}")),
        Value::String(s) => s.parse().map_err(|_| format!("bad integer '{s}'")),
        _ => Err(format!("expected an integer, got {v}")),
    }
}

fn json_f32(v: &Value) -> std::result::Result<f32, String> {
    match v {
        Value::Number(n) => n
            .as_f64()
            .map(|f| f as f32)
            .ok_or_else(|| format!("bad float {n}")),
        Value::String(s) => match s.as_str() {
            "NaN" => Ok(f32::NAN),
            "Infinity" => Ok(f32::INFINITY),
            "-Infinity" => Ok(f32::NEG_INFINITY),
            _ => s.parse().map_err(|_| format!("bad float '{s}'")),
        },
        _ => Err(format!("expected a float, got {v}")),
    }
}

fn parse_shape(v: &Value) -> std::result::Result<Vec<i64>, String> {
    if v.get("unknownRank").and_then(Value::as_bool) == Some(true) {
        return Err("unknown rank".into());
    }
    let Some(dims) = v.get("dim").and_then(Value::as_array) else {
        return Ok(Vec::new());
    };
    dims.iter()
        .map(|d| match d.get("size") {
            Some(s) => json_i64(s),
            None => Ok(-1),
        })
        .collect()
}

fn parse_attr(v: &Value) -> std::result::Result<Attr, String> {
    if let Some(s) = v.get("s") {
        let s = s.as_str().ok_or("'s' is not a string")?;
        return base64_decode(s).map(Attr::Str);
    }
    if let Some(i) = v.get("i") {
        return json_i64(i).map(Attr::Int);
    }
    if let Some(f) = v.get("f") {
        return json_f32(f).map(Attr::Float);
    }
    if let Some(b) = v.get("b") {
        return b
            .as_bool()
            .map(Attr::Bool)
            .ok_or_else(|| "'b' is not a bool".into());
    }
    if let Some(t) = v.get("type") {
        return t
            .as_str()
            .map(|s| Attr::Type(s.to_owned()))
            .ok_or_else(|| "'type' is not a string".into());
    }
    if let Some(s) = v.get("shape") {
        return parse_shape(s).map(Attr::Shape);
    }
    if let Some(list) = v.get("list") {
        if let Some(i) = list.get("i").and_then(Value::as_array) {
            return i
                .iter()
                .map(json_i64)
                .collect::<std::result::Result<_, _>>()
                .map(Attr::Ints);
        }
        if let Some(f) = list.get("f").and_then(Value::as_array) {
            return f
                .iter()
                .map(json_f32)
                .collect::<std::result::Result<_, _>>()
                .map(Attr::Floats);
        }
        if let Some(s) = list.get("s").and_then(Value::as_array) {
            return s
                .iter()
                .map(|x| {
                    x.as_str()
                        .ok_or_else(|| "bad string".to_owned())
                        .and_then(base64_decode)
                })
                .collect::<std::result::Result<_, _>>()
                .map(Attr::Strs);
        }
        if list.as_object().is_some_and(|o| o.is_empty()) {
            return Ok(Attr::Ints(Vec::new()));
        }
    }
    Ok(Attr::Other(v.clone()))
}

/// Standard base64 (with or without padding).
pub fn base64_decode(s: &str) -> std::result::Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0u32;
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            b'=' => break,
            _ => return Err(format!("invalid base64 '{s}'")),
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Ok(out)
}

fn parse_signature(v: Option<&Value>) -> Result<Vec<SignatureEntry>> {
    let Some(map) = v.and_then(Value::as_object) else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for (key, entry) in map {
        let name = entry.get("name").and_then(Value::as_str).unwrap_or(key);
        let tensor = name.strip_suffix(":0").unwrap_or(name).to_owned();
        let shape = match entry.get("tensorShape") {
            Some(s) => Some(
                parse_shape(s)
                    .map_err(|m| Error::Format(format!("signature entry '{key}': {m}")))?,
            ),
            None => None,
        };
        out.push(SignatureEntry { tensor, shape });
    }
    out.sort_by(|a, b| a.tensor.cmp(&b.tensor));
    Ok(out)
}

/// IEEE 754 half to single precision.
pub fn f16_to_f32(h: u16) -> f32 {
    let sign = u32::from(h >> 15) << 31;
    let exp = u32::from((h >> 10) & 0x1f);
    let mant = u32::from(h & 0x3ff);
    let bits = match (exp, mant) {
        (0, 0) => sign,
        (0, m) => {
            // Subnormal: normalise.
            let mut e = 127 - 15 + 1;
            let mut m = m;
            while m & 0x400 == 0 {
                m <<= 1;
                e -= 1;
            }
            sign | (e << 23) | ((m & 0x3ff) << 13)
        }
        (0x1f, m) => sign | 0x7f80_0000 | (m << 13),
        (e, m) => sign | ((e + 127 - 15) << 23) | (m << 13),
    };
    f32::from_bits(bits)
}

/// Decodes one manifest entry from the start of `bytes`; returns name, tensor, bytes used.
fn decode_weight(entry: &Value, bytes: &[u8]) -> Result<(String, Tensor, usize)> {
    let name = entry
        .get("name")
        .and_then(Value::as_str)
        .ok_or_else(|| Error::Format("weight entry without a name".into()))?
        .to_owned();
    let bad = |m: &str| Error::Format(format!("weight '{name}': {m}"));
    let shape = entry
        .get("shape")
        .and_then(Value::as_array)
        .ok_or_else(|| bad("no shape"))?
        .iter()
        .map(|d| d.as_u64().and_then(|d| usize::try_from(d).ok()))
        .collect::<Option<Vec<usize>>>()
        .ok_or_else(|| bad("bad shape"))?;
    let count = shape
        .iter()
        .try_fold(1usize, |a, &d| a.checked_mul(d))
        .ok_or_else(|| bad("shape too large"))?;
    let dtype = entry
        .get("dtype")
        .and_then(Value::as_str)
        .ok_or_else(|| bad("no dtype"))?;
    let take = |width: usize| -> Result<&[u8]> {
        let n = count
            .checked_mul(width)
            .ok_or_else(|| bad("shape too large"))?;
        bytes.get(..n).ok_or_else(|| bad("weight file too short"))
    };

    if let Some(q) = entry.get("quantization") {
        let qtype = q
            .get("dtype")
            .and_then(Value::as_str)
            .ok_or_else(|| bad("quantization without dtype"))?;
        let values: Vec<f32> = match qtype {
            "float16" => take(2)?
                .chunks_exact(2)
                .map(|c| f16_to_f32(u16::from_le_bytes([c[0], c[1]])))
                .collect(),
            "uint8" | "uint16" => {
                let scale = q
                    .get("scale")
                    .and_then(Value::as_f64)
                    .ok_or_else(|| bad("affine quantization without 'scale'"))?
                    as f32;
                let min = q
                    .get("min")
                    .and_then(Value::as_f64)
                    .ok_or_else(|| bad("affine quantization without 'min'"))?
                    as f32;
                if qtype == "uint8" {
                    take(1)?
                        .iter()
                        .map(|&b| f32::from(b) * scale + min)
                        .collect()
                } else {
                    take(2)?
                        .chunks_exact(2)
                        .map(|c| f32::from(u16::from_le_bytes([c[0], c[1]])) * scale + min)
                        .collect()
                }
            }
            other => return Err(bad(&format!("unsupported quantization dtype '{other}'"))),
        };
        let width = if qtype == "uint8" { 1 } else { 2 };
        let tensor = match dtype {
            "float32" => Tensor::from_f32(shape, values),
            "int32" => Tensor::from_i64(shape, values.iter().map(|v| v.round() as i64).collect()),
            other => return Err(bad(&format!("quantized weights of dtype '{other}'"))),
        }
        .ok_or_else(|| bad("element count mismatch"))?;
        return Ok((name, tensor, count * width));
    }

    let (tensor, used) = match dtype {
        "float32" => (
            Tensor::from_f32(
                shape,
                take(4)?
                    .chunks_exact(4)
                    .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                    .collect(),
            ),
            count * 4,
        ),
        "int32" => (
            Tensor::from_i64(
                shape,
                take(4)?
                    .chunks_exact(4)
                    .map(|c| i64::from(i32::from_le_bytes([c[0], c[1], c[2], c[3]])))
                    .collect(),
            ),
            count * 4,
        ),
        "bool" => (
            Tensor::from_i64(shape, take(1)?.iter().map(|&b| i64::from(b != 0)).collect()),
            count,
        ),
        other => return Err(bad(&format!("unsupported weight dtype '{other}'"))),
    };
    let tensor = tensor.ok_or_else(|| bad("element count mismatch"))?;
    Ok((name, tensor, used))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_floats() {
        assert_eq!(f16_to_f32(0x3c00), 1.0);
        assert_eq!(f16_to_f32(0xc000), -2.0);
        assert_eq!(f16_to_f32(0x3555), 0.333_251_95);
        assert_eq!(f16_to_f32(0xfc00), f32::NEG_INFINITY);
        assert_eq!(f16_to_f32(0x0001), 5.960_464_5e-8);
        assert_eq!(f16_to_f32(0x8000).to_bits(), (-0.0f32).to_bits());
        assert!(f16_to_f32(0x7e00).is_nan());
    }

    #[test]
    fn base64() {
        assert_eq!(base64_decode("TkhXQw==").unwrap(), b"NHWC");
        assert_eq!(base64_decode("VkFMSUQ=").unwrap(), b"VALID");
        assert!(base64_decode("a b").is_err());
    }

    fn model_json(weights: &str) -> String {
        format!(
            r#"{{"format":"graph-model","modelTopology":{{"node":[
              {{"name":"x","op":"Placeholder","attr":{{"shape":{{"shape":{{"dim":[{{"size":"1"}},{{"size":"2"}}]}}}}}}}},
              {{"name":"w","op":"Const"}},
              {{"name":"y","op":"Add","input":["x","w","^x"],"attr":{{"alpha":{{"f":0.5}},"strides":{{"list":{{"i":["1","2"]}}}}}}}}
            ]}},
            "signature":{{"inputs":{{"x:0":{{"name":"x:0"}}}},"outputs":{{"y:0":{{"name":"y:0"}}}}}},
            "weightsManifest":[{{"paths":["a.bin"],"weights":[{weights}]}}]}}"#
        )
    }

    #[test]
    fn parses_nodes_and_weights() {
        let json = model_json(
            r#"{"name":"w","shape":[2],"dtype":"float32"},
               {"name":"i","shape":[],"dtype":"int32"},
               {"name":"h","shape":[1],"dtype":"float32","quantization":{"dtype":"float16"}},
               {"name":"q","shape":[2],"dtype":"float32","quantization":{"dtype":"uint8","scale":0.5,"min":-1}}"#,
        );
        let mut bin = Vec::new();
        bin.extend(1.5f32.to_le_bytes());
        bin.extend((-2.0f32).to_le_bytes());
        bin.extend((-7i32).to_le_bytes());
        bin.extend(0x3c00u16.to_le_bytes());
        bin.extend([0u8, 4]);
        let m = GraphModel::parse(&json, Path::new("m.json"), |_| Ok(bin.clone())).unwrap();
        assert_eq!(m.nodes.len(), 3);
        assert_eq!(m.nodes[2].inputs, vec!["x", "w"]);
        assert_eq!(m.nodes[2].attr_float("alpha"), Some(0.5));
        assert_eq!(m.nodes[2].attr_ints("strides"), Some(&[1i64, 2][..]));
        assert_eq!(m.nodes[0].attr("shape"), Some(&Attr::Shape(vec![1, 2])));
        assert_eq!(m.weights["w"].as_f32().unwrap(), &[1.5, -2.0]);
        assert_eq!(m.weights["i"].scalar_i64(), Some(-7));
        assert_eq!(m.weights["h"].as_f32().unwrap(), &[1.0]);
        assert_eq!(m.weights["q"].as_f32().unwrap(), &[-1.0, 1.0]);
        assert_eq!(m.inputs[0].tensor, "x");
        assert_eq!(m.outputs[0].tensor, "y");
    }

    #[test]
    fn short_or_long_weight_files_are_errors() {
        let json = model_json(r#"{"name":"w","shape":[2],"dtype":"float32"}"#);
        let e = GraphModel::parse(&json, Path::new("m.json"), |_| Ok(vec![0; 4])).unwrap_err();
        assert!(e.to_string().contains("too short"), "{e}");
        let e = GraphModel::parse(&json, Path::new("m.json"), |_| Ok(vec![0; 12])).unwrap_err();
        assert!(e.to_string().contains("12 bytes"), "{e}");
    }

    #[test]
    fn bad_json_and_dtypes() {
        let e = GraphModel::parse("{", Path::new("m.json"), |_| Ok(vec![])).unwrap_err();
        assert!(e.to_string().starts_with("m.json: invalid JSON"), "{e}");
        let json = model_json(r#"{"name":"w","shape":[1],"dtype":"string"}"#);
        let e = GraphModel::parse(&json, Path::new("m.json"), |_| Ok(vec![0; 4])).unwrap_err();
        assert!(
            e.to_string().contains("unsupported weight dtype 'string'"),
            "{e}"
        );
        let json = model_json(
            r#"{"name":"w","shape":[1],"dtype":"float32","quantization":{"dtype":"int4"}}"#,
        );
        let e = GraphModel::parse(&json, Path::new("m.json"), |_| Ok(vec![0; 4])).unwrap_err();
        assert!(e.to_string().contains("quantization dtype 'int4'"), "{e}");
    }
}
