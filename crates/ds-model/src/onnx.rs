//! The subset of ONNX's protobuf schema the converter emits, with a hand-written encoder.
//!
//! Field numbers follow `onnx.proto` (ModelProto, GraphProto, NodeProto, AttributeProto,
//! TensorProto, ValueInfoProto, TypeProto, TensorShapeProto, OperatorSetIdProto). Tensors are
//! written with `raw_data` (little-endian), as ONNX requires for raw data.

use crate::tensor::{Tensor, TensorData};

/// ONNX `TensorProto.DataType.FLOAT`.
pub const DATA_TYPE_FLOAT: i32 = 1;
/// ONNX `TensorProto.DataType.INT64`.
pub const DATA_TYPE_INT64: i32 = 7;

/// An attribute value.
#[derive(Clone, Debug, PartialEq)]
pub enum AttributeValue {
    /// `FLOAT`.
    Float(f32),
    /// `INT`.
    Int(i64),
    /// `STRING`.
    String(String),
    /// `FLOATS`.
    Floats(Vec<f32>),
    /// `INTS`.
    Ints(Vec<i64>),
}

/// A node attribute.
#[derive(Clone, Debug, PartialEq)]
pub struct Attribute {
    /// Name.
    pub name: String,
    /// Value.
    pub value: AttributeValue,
}

impl Attribute {
    /// An `INT` attribute.
    pub fn int(name: &str, v: i64) -> Attribute {
        Attribute {
            name: name.into(),
            value: AttributeValue::Int(v),
        }
    }
    /// An `INTS` attribute.
    pub fn ints(name: &str, v: Vec<i64>) -> Attribute {
        Attribute {
            name: name.into(),
            value: AttributeValue::Ints(v),
        }
    }
    /// A `FLOAT` attribute.
    pub fn float(name: &str, v: f32) -> Attribute {
        Attribute {
            name: name.into(),
            value: AttributeValue::Float(v),
        }
    }
    /// A `STRING` attribute.
    pub fn string(name: &str, v: &str) -> Attribute {
        Attribute {
            name: name.into(),
            value: AttributeValue::String(v.into()),
        }
    }
}

/// A node of the graph.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// Node name.
    pub name: String,
    /// ONNX op type (default domain).
    pub op_type: String,
    /// Input value names (`""` for an omitted optional input).
    pub inputs: Vec<String>,
    /// Output value names.
    pub outputs: Vec<String>,
    /// Attributes.
    pub attributes: Vec<Attribute>,
}

impl Node {
    /// The attribute `name`, if present.
    pub fn attribute(&self, name: &str) -> Option<&AttributeValue> {
        self.attributes
            .iter()
            .find(|a| a.name == name)
            .map(|a| &a.value)
    }
}

/// A dimension of a graph input/output shape.
#[derive(Clone, Debug, PartialEq)]
pub enum Dim {
    /// A fixed size.
    Value(i64),
    /// A symbolic size (e.g. `batch`).
    Param(String),
}

/// A graph input or output declaration.
#[derive(Clone, Debug, PartialEq)]
pub struct ValueInfo {
    /// Value name.
    pub name: String,
    /// Element type (`DATA_TYPE_*`).
    pub elem_type: i32,
    /// Shape; `None` leaves it unspecified.
    pub shape: Option<Vec<Dim>>,
}

/// A named constant tensor.
#[derive(Clone, Debug, PartialEq)]
pub struct Initializer {
    /// Value name.
    pub name: String,
    /// Data.
    pub tensor: Tensor,
}

/// A graph.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Graph {
    /// Graph name.
    pub name: String,
    /// Nodes in topological order.
    pub nodes: Vec<Node>,
    /// Constant tensors.
    pub initializers: Vec<Initializer>,
    /// Graph inputs (initializers are not listed here).
    pub inputs: Vec<ValueInfo>,
    /// Graph outputs.
    pub outputs: Vec<ValueInfo>,
}

/// A model: IR version, opset and graph.
#[derive(Clone, Debug, PartialEq)]
pub struct Model {
    /// `ir_version` (7 for opset 13).
    pub ir_version: i64,
    /// Default-domain opset version.
    pub opset: i64,
    /// `producer_name`.
    pub producer_name: String,
    /// `producer_version`.
    pub producer_version: String,
    /// `doc_string`.
    pub doc_string: String,
    /// The graph.
    pub graph: Graph,
}

impl Model {
    /// Serialises to the protobuf wire format.
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::default();
        w.int64(1, self.ir_version);
        w.string(2, &self.producer_name);
        w.string(3, &self.producer_version);
        w.string(6, &self.doc_string);
        w.message(7, |g| encode_graph(g, &self.graph));
        w.message(8, |o| {
            o.string(1, "");
            o.int64(2, self.opset);
        });
        w.buf
    }
}

fn encode_graph(w: &mut Writer, g: &Graph) {
    for n in &g.nodes {
        w.message(1, |w| encode_node(w, n));
    }
    w.string(2, &g.name);
    for i in &g.initializers {
        w.message(5, |w| encode_tensor(w, &i.name, &i.tensor));
    }
    for v in &g.inputs {
        w.message(11, |w| encode_value_info(w, v));
    }
    for v in &g.outputs {
        w.message(12, |w| encode_value_info(w, v));
    }
}

fn encode_node(w: &mut Writer, n: &Node) {
    for i in &n.inputs {
        w.string_always(1, i);
    }
    for o in &n.outputs {
        w.string_always(2, o);
    }
    w.string(3, &n.name);
    w.string(4, &n.op_type);
    for a in &n.attributes {
        w.message(5, |w| encode_attribute(w, a));
    }
}

fn encode_attribute(w: &mut Writer, a: &Attribute) {
    // AttributeProto.AttributeType
    const FLOAT: i64 = 1;
    const INT: i64 = 2;
    const STRING: i64 = 3;
    const FLOATS: i64 = 6;
    const INTS: i64 = 7;
    w.string(1, &a.name);
    match &a.value {
        AttributeValue::Float(f) => {
            w.float(2, *f);
            w.int64(20, FLOAT);
        }
        AttributeValue::Int(i) => {
            w.int64_always(3, *i);
            w.int64(20, INT);
        }
        AttributeValue::String(s) => {
            w.string_always(4, s);
            w.int64(20, STRING);
        }
        AttributeValue::Floats(v) => {
            w.packed_floats(7, v);
            w.int64(20, FLOATS);
        }
        AttributeValue::Ints(v) => {
            w.packed_int64s(8, v);
            w.int64(20, INTS);
        }
    }
}

fn encode_tensor(w: &mut Writer, name: &str, t: &Tensor) {
    let dims: Vec<i64> = t.shape.iter().map(|&d| d as i64).collect();
    w.packed_int64s(1, &dims);
    let (data_type, raw) = match &t.data {
        TensorData::F32(v) => (
            DATA_TYPE_FLOAT,
            v.iter().flat_map(|x| x.to_le_bytes()).collect::<Vec<u8>>(),
        ),
        TensorData::I64(v) => (
            DATA_TYPE_INT64,
            v.iter().flat_map(|x| x.to_le_bytes()).collect::<Vec<u8>>(),
        ),
    };
    w.int64(2, i64::from(data_type));
    w.string(8, name);
    w.bytes_always(9, &raw);
}

fn encode_value_info(w: &mut Writer, v: &ValueInfo) {
    w.string(1, &v.name);
    // TypeProto { tensor_type = 1: TypeProto.Tensor { elem_type = 1, shape = 2 } }
    w.message(2, |t| {
        t.message(1, |tt| {
            tt.int64(1, i64::from(v.elem_type));
            if let Some(shape) = &v.shape {
                tt.message(2, |s| {
                    for d in shape {
                        s.message(1, |dim| match d {
                            Dim::Value(x) => dim.int64_always(1, *x),
                            Dim::Param(p) => dim.string_always(2, p),
                        });
                    }
                });
            }
        });
    });
}

/// Protobuf wire-format writer (proto3 semantics: default scalars are skipped unless
/// a `*_always` method is used).
#[derive(Default)]
pub struct Writer {
    /// Bytes written so far.
    pub buf: Vec<u8>,
}

impl Writer {
    /// Base-128 varint.
    pub fn varint(&mut self, mut v: u64) {
        while v >= 0x80 {
            self.buf.push((v as u8) | 0x80);
            v >>= 7;
        }
        self.buf.push(v as u8);
    }

    fn key(&mut self, field: u32, wire_type: u8) {
        self.varint((u64::from(field) << 3) | u64::from(wire_type));
    }

    /// `int64`/`int32`/enum field (negative values take ten bytes, as protobuf requires).
    pub fn int64_always(&mut self, field: u32, v: i64) {
        self.key(field, 0);
        self.varint(v as u64);
    }

    /// As [`Writer::int64_always`], skipping zero.
    pub fn int64(&mut self, field: u32, v: i64) {
        if v != 0 {
            self.int64_always(field, v);
        }
    }

    /// `float` field (fixed32).
    pub fn float(&mut self, field: u32, v: f32) {
        self.key(field, 5);
        self.buf.extend(v.to_le_bytes());
    }

    /// `bytes` field.
    pub fn bytes_always(&mut self, field: u32, v: &[u8]) {
        self.key(field, 2);
        self.varint(v.len() as u64);
        self.buf.extend_from_slice(v);
    }

    /// `string` field, written even when empty (repeated strings).
    pub fn string_always(&mut self, field: u32, v: &str) {
        self.bytes_always(field, v.as_bytes());
    }

    /// `string` field, skipped when empty.
    pub fn string(&mut self, field: u32, v: &str) {
        if !v.is_empty() {
            self.string_always(field, v);
        }
    }

    /// Packed `repeated int64`.
    pub fn packed_int64s(&mut self, field: u32, v: &[i64]) {
        if v.is_empty() {
            return;
        }
        let mut inner = Writer::default();
        for &x in v {
            inner.varint(x as u64);
        }
        self.bytes_always(field, &inner.buf);
    }

    /// Packed `repeated float`.
    pub fn packed_floats(&mut self, field: u32, v: &[f32]) {
        if v.is_empty() {
            return;
        }
        let bytes: Vec<u8> = v.iter().flat_map(|x| x.to_le_bytes()).collect();
        self.bytes_always(field, &bytes);
    }

    /// Embedded message built by `f`.
    pub fn message(&mut self, field: u32, f: impl FnOnce(&mut Writer)) {
        let mut inner = Writer::default();
        f(&mut inner);
        self.bytes_always(field, &inner.buf);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints() {
        let mut w = Writer::default();
        w.varint(1);
        w.varint(300);
        w.int64_always(1, -1);
        assert_eq!(
            w.buf,
            vec![1, 0xac, 0x02, 0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]
        );
    }

    #[test]
    fn node_bytes() {
        let n = Node {
            name: "n".into(),
            op_type: "Relu".into(),
            inputs: vec!["x".into()],
            outputs: vec!["y".into()],
            attributes: vec![Attribute::ints("a", vec![1, 2])],
        };
        let mut w = Writer::default();
        encode_node(&mut w, &n);
        let expected = [
            0x0a, 1, b'x', // input
            0x12, 1, b'y', // output
            0x1a, 1, b'n', // name
            0x22, 4, b'R', b'e', b'l', b'u', // op_type
            0x2a, 10, // attribute
            0x0a, 1, b'a', 0x42, 2, 1, 2, 0xa0, 0x01, 7,
        ];
        assert_eq!(w.buf, expected);
    }

    #[test]
    fn tensor_bytes() {
        let t = Tensor::vec_i64(vec![3]);
        let mut w = Writer::default();
        encode_tensor(&mut w, "s", &t);
        let expected = [
            0x0a, 1, 1, // dims [1]
            0x10, 7, // INT64
            0x42, 1, b's', // name
            0x4a, 8, 3, 0, 0, 0, 0, 0, 0, 0, // raw_data
        ];
        assert_eq!(w.buf, expected);
    }
}
