//! A protobuf decoder for ONNX models, for the tools that rewrite them (the INT8
//! [`quantize`](crate::quantize) pass, the calibrator's extra outputs).
//!
//! Two layers:
//! - [`Message`]: any protobuf message as its list of fields (number + wire value), in
//!   file order. Encoding a decoded message gives the same bytes back (for encoders that
//!   write minimal varints, as every protobuf library does), so fields this module does
//!   not understand survive a rewrite untouched.
//! - [`OnnxModel`]: the parts of `ModelProto` / `GraphProto` / `NodeProto` /
//!   `TensorProto` / `ValueInfoProto` a rewrite needs, typed; every other field is kept as
//!   raw [`Field`]s. Field numbers follow `onnx.proto`.
//!
//! ```
//! use ds_model::onnx_read::OnnxModel;
//! # let bytes = {
//! #     use ds_model::onnx::*;
//! #     Model { ir_version: 7, opset: 13, producer_name: "t".into(), producer_version: "1".into(),
//! #             doc_string: String::new(), graph: Graph::default() }.encode()
//! # };
//! let model = OnnxModel::decode(&bytes).unwrap();
//! assert_eq!(model.opset(), Some(13));
//! assert_eq!(OnnxModel::decode(&model.encode()).unwrap(), model);
//! ```
use crate::onnx::Writer;

/// ONNX `TensorProto.DataType.FLOAT`.
pub const FLOAT: i32 = 1;
/// ONNX `TensorProto.DataType.UINT8`.
pub const UINT8: i32 = 2;
/// ONNX `TensorProto.DataType.INT8`.
pub const INT8: i32 = 3;
/// ONNX `TensorProto.DataType.INT32`.
pub const INT32: i32 = 6;

/// A wire value.
#[derive(Clone, Debug, PartialEq)]
pub enum Wire {
    /// Wire type 0.
    Varint(u64),
    /// Wire type 1.
    Fixed64(u64),
    /// Wire type 2: bytes, strings, sub-messages, packed repeated scalars.
    Bytes(Vec<u8>),
    /// Wire type 5.
    Fixed32(u32),
}

/// One field of a message.
#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    /// Field number.
    pub number: u32,
    /// Value.
    pub wire: Wire,
}

/// Any protobuf message: its fields in file order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Message {
    /// The fields.
    pub fields: Vec<Field>,
}

fn read_varint(buf: &[u8], pos: &mut usize) -> Result<u64, String> {
    let mut v = 0u64;
    for shift in (0..64).step_by(7) {
        let b = *buf
            .get(*pos)
            .ok_or_else(|| format!("truncated varint at byte {pos}"))?;
        *pos += 1;
        v |= u64::from(b & 0x7f) << shift;
        if b < 0x80 {
            return Ok(v);
        }
    }
    Err(format!("varint longer than 10 bytes at byte {pos}"))
}

fn take<'a>(buf: &'a [u8], pos: &mut usize, n: usize) -> Result<&'a [u8], String> {
    let end = pos
        .checked_add(n)
        .filter(|e| *e <= buf.len())
        .ok_or_else(|| format!("field of {n} bytes runs past the end at byte {pos}"))?;
    let s = &buf[*pos..end];
    *pos = end;
    Ok(s)
}

impl Message {
    /// Decodes the wire format.
    pub fn decode(buf: &[u8]) -> Result<Message, String> {
        let mut fields = Vec::new();
        let mut pos = 0;
        while pos < buf.len() {
            let key = read_varint(buf, &mut pos)?;
            let number = u32::try_from(key >> 3)
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| format!("bad field number {} at byte {pos}", key >> 3))?;
            let wire = match key & 7 {
                0 => Wire::Varint(read_varint(buf, &mut pos)?),
                1 => Wire::Fixed64(u64::from_le_bytes(
                    take(buf, &mut pos, 8)?.try_into().expect("8 bytes"),
                )),
                2 => {
                    let n = read_varint(buf, &mut pos)?;
                    let n = usize::try_from(n).map_err(|_| "length too large".to_string())?;
                    Wire::Bytes(take(buf, &mut pos, n)?.to_vec())
                }
                5 => Wire::Fixed32(u32::from_le_bytes(
                    take(buf, &mut pos, 4)?.try_into().expect("4 bytes"),
                )),
                t => return Err(format!("unsupported wire type {t} at byte {pos}")),
            };
            fields.push(Field { number, wire });
        }
        Ok(Message { fields })
    }

    /// Encodes the fields in order.
    pub fn encode_into(&self, w: &mut Writer) {
        for f in &self.fields {
            f.encode_into(w);
        }
    }

    /// The encoded bytes.
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::default();
        self.encode_into(&mut w);
        w.buf
    }

    /// The last value of a string field.
    pub fn string(&self, number: u32) -> Option<String> {
        self.fields.iter().rev().find_map(|f| match &f.wire {
            Wire::Bytes(b) if f.number == number => Some(String::from_utf8_lossy(b).into_owned()),
            _ => None,
        })
    }

    /// The last value of a varint field.
    pub fn varint(&self, number: u32) -> Option<u64> {
        self.fields.iter().rev().find_map(|f| match f.wire {
            Wire::Varint(v) if f.number == number => Some(v),
            _ => None,
        })
    }
}

impl Field {
    fn encode_into(&self, w: &mut Writer) {
        let wt = match self.wire {
            Wire::Varint(_) => 0,
            Wire::Fixed64(_) => 1,
            Wire::Bytes(_) => 2,
            Wire::Fixed32(_) => 5,
        };
        w.varint((u64::from(self.number) << 3) | wt);
        match &self.wire {
            Wire::Varint(v) => w.varint(*v),
            Wire::Fixed64(v) => w.buf.extend_from_slice(&v.to_le_bytes()),
            Wire::Bytes(b) => {
                w.varint(b.len() as u64);
                w.buf.extend_from_slice(b);
            }
            Wire::Fixed32(v) => w.buf.extend_from_slice(&v.to_le_bytes()),
        }
    }

    fn bytes(number: u32, b: Vec<u8>) -> Field {
        Field {
            number,
            wire: Wire::Bytes(b),
        }
    }

    fn string(number: u32, s: &str) -> Field {
        Field::bytes(number, s.as_bytes().to_vec())
    }
}

/// Repeated int64 values of `number` (packed or not).
fn int64s(fields: &[Field], number: u32) -> Result<Vec<i64>, String> {
    let mut out = Vec::new();
    for f in fields.iter().filter(|f| f.number == number) {
        match &f.wire {
            Wire::Varint(v) => out.push(*v as i64),
            Wire::Bytes(b) => {
                let mut pos = 0;
                while pos < b.len() {
                    out.push(read_varint(b, &mut pos)? as i64);
                }
            }
            _ => return Err(format!("field {number} is not an integer")),
        }
    }
    Ok(out)
}

/// A node (`NodeProto`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Node {
    /// `input` (1).
    pub inputs: Vec<String>,
    /// `output` (2).
    pub outputs: Vec<String>,
    /// `name` (3).
    pub name: String,
    /// `op_type` (4).
    pub op_type: String,
    /// `attribute` (5), raw `AttributeProto`s.
    pub attributes: Vec<Message>,
    /// `domain` (7); empty is the default domain.
    pub domain: String,
    /// Other fields (doc_string…), raw.
    pub other: Vec<Field>,
}

impl Node {
    /// A default-domain node.
    pub fn new(op_type: &str, name: &str, inputs: &[&str], outputs: &[&str]) -> Node {
        Node {
            op_type: op_type.into(),
            name: name.into(),
            inputs: inputs.iter().map(|s| s.to_string()).collect(),
            outputs: outputs.iter().map(|s| s.to_string()).collect(),
            ..Node::default()
        }
    }

    /// Adds an `INT` attribute.
    pub fn with_int(mut self, name: &str, v: i64) -> Node {
        self.attributes.push(Message {
            fields: vec![
                Field::string(1, name),
                Field {
                    number: 3,
                    wire: Wire::Varint(v as u64),
                },
                Field {
                    number: 20,
                    wire: Wire::Varint(2),
                },
            ],
        });
        self
    }

    /// The attribute called `name`.
    pub fn attribute(&self, name: &str) -> Option<&Message> {
        self.attributes
            .iter()
            .find(|a| a.string(1).as_deref() == Some(name))
    }

    /// An `INT` attribute's value.
    pub fn attr_int(&self, name: &str) -> Option<i64> {
        self.attribute(name)?.varint(3).map(|v| v as i64)
    }

    /// A `FLOAT` attribute's value.
    pub fn attr_float(&self, name: &str) -> Option<f32> {
        self.attribute(name)?
            .fields
            .iter()
            .rev()
            .find_map(|f| match f.wire {
                Wire::Fixed32(v) if f.number == 2 => Some(f32::from_bits(v)),
                _ => None,
            })
    }

    /// An `INTS` attribute's values.
    pub fn attr_ints(&self, name: &str) -> Option<Vec<i64>> {
        int64s(&self.attribute(name)?.fields, 8).ok()
    }

    fn decode(buf: &[u8]) -> Result<Node, String> {
        let mut n = Node::default();
        for f in Message::decode(buf)?.fields {
            match (f.number, &f.wire) {
                (1, Wire::Bytes(b)) => n.inputs.push(String::from_utf8_lossy(b).into()),
                (2, Wire::Bytes(b)) => n.outputs.push(String::from_utf8_lossy(b).into()),
                (3, Wire::Bytes(b)) => n.name = String::from_utf8_lossy(b).into(),
                (4, Wire::Bytes(b)) => n.op_type = String::from_utf8_lossy(b).into(),
                (5, Wire::Bytes(b)) => n.attributes.push(Message::decode(b)?),
                (7, Wire::Bytes(b)) => n.domain = String::from_utf8_lossy(b).into(),
                _ => n.other.push(f),
            }
        }
        Ok(n)
    }

    fn encode(&self) -> Vec<u8> {
        let mut m = Message::default();
        m.fields
            .extend(self.inputs.iter().map(|s| Field::string(1, s)));
        m.fields
            .extend(self.outputs.iter().map(|s| Field::string(2, s)));
        if !self.name.is_empty() {
            m.fields.push(Field::string(3, &self.name));
        }
        m.fields.push(Field::string(4, &self.op_type));
        m.fields
            .extend(self.attributes.iter().map(|a| Field::bytes(5, a.encode())));
        if !self.domain.is_empty() {
            m.fields.push(Field::string(7, &self.domain));
        }
        m.fields.extend(self.other.iter().cloned());
        m.encode()
    }
}

/// A constant tensor (`TensorProto`), as initializers hold them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TensorProto {
    /// `dims` (1).
    pub dims: Vec<i64>,
    /// `data_type` (2).
    pub data_type: i32,
    /// `name` (8).
    pub name: String,
    /// `raw_data` (9), little-endian.
    pub raw_data: Option<Vec<u8>>,
    /// Other fields (`float_data`, `int64_data`…), raw.
    pub other: Vec<Field>,
}

impl TensorProto {
    /// A tensor from raw little-endian bytes.
    pub fn raw(name: &str, data_type: i32, dims: &[i64], raw: Vec<u8>) -> TensorProto {
        TensorProto {
            dims: dims.to_vec(),
            data_type,
            name: name.into(),
            raw_data: Some(raw),
            other: Vec::new(),
        }
    }

    /// A float tensor.
    pub fn floats(name: &str, dims: &[i64], v: &[f32]) -> TensorProto {
        let raw = v.iter().flat_map(|x| x.to_le_bytes()).collect();
        TensorProto::raw(name, FLOAT, dims, raw)
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        self.dims.iter().map(|d| (*d).max(0) as usize).product()
    }

    /// Whether the tensor has no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The values of a FLOAT tensor (`raw_data` or `float_data`).
    pub fn to_f32(&self) -> Result<Vec<f32>, String> {
        if self.data_type != FLOAT {
            return Err(format!(
                "tensor '{}' has data type {}, not FLOAT",
                self.name, self.data_type
            ));
        }
        let v: Vec<f32> = if let Some(raw) = &self.raw_data {
            raw.chunks_exact(4)
                .map(|c| f32::from_le_bytes(c.try_into().expect("4 bytes")))
                .collect()
        } else {
            let mut v = Vec::new();
            for f in self.other.iter().filter(|f| f.number == 4) {
                match &f.wire {
                    Wire::Fixed32(x) => v.push(f32::from_bits(*x)),
                    Wire::Bytes(b) => v.extend(
                        b.chunks_exact(4)
                            .map(|c| f32::from_le_bytes(c.try_into().expect("4 bytes"))),
                    ),
                    _ => return Err(format!("tensor '{}': bad float_data", self.name)),
                }
            }
            v
        };
        if v.len() != self.len() {
            return Err(format!(
                "tensor '{}' holds {} values, its dims {:?} need {}",
                self.name,
                v.len(),
                self.dims,
                self.len()
            ));
        }
        Ok(v)
    }

    fn decode(buf: &[u8]) -> Result<TensorProto, String> {
        let msg = Message::decode(buf)?;
        let mut t = TensorProto {
            dims: int64s(&msg.fields, 1)?,
            ..TensorProto::default()
        };
        for f in msg.fields {
            match (f.number, f.wire) {
                (1, _) => {}
                (2, Wire::Varint(v)) => t.data_type = v as i32,
                (8, Wire::Bytes(b)) => t.name = String::from_utf8_lossy(&b).into(),
                (9, Wire::Bytes(b)) => t.raw_data = Some(b),
                (number, wire) => t.other.push(Field { number, wire }),
            }
        }
        Ok(t)
    }

    fn encode(&self) -> Vec<u8> {
        let mut w = Writer::default();
        if !self.dims.is_empty() {
            w.packed_int64s(1, &self.dims);
        }
        w.int64_always(2, i64::from(self.data_type));
        w.string_always(8, &self.name);
        if let Some(raw) = &self.raw_data {
            w.bytes_always(9, raw);
        }
        for f in &self.other {
            f.encode_into(&mut w);
        }
        w.buf
    }
}

/// A graph (`GraphProto`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Graph {
    /// `node` (1), in topological order.
    pub nodes: Vec<Node>,
    /// `initializer` (5).
    pub initializers: Vec<TensorProto>,
    /// `input` (11), raw `ValueInfoProto`s.
    pub inputs: Vec<Message>,
    /// `output` (12), raw `ValueInfoProto`s.
    pub outputs: Vec<Message>,
    /// Other fields (name, value_info, doc_string…), raw.
    pub other: Vec<Field>,
}

impl Graph {
    fn decode(buf: &[u8]) -> Result<Graph, String> {
        let mut g = Graph::default();
        for f in Message::decode(buf)?.fields {
            match (f.number, &f.wire) {
                (1, Wire::Bytes(b)) => g.nodes.push(Node::decode(b)?),
                (5, Wire::Bytes(b)) => g.initializers.push(TensorProto::decode(b)?),
                (11, Wire::Bytes(b)) => g.inputs.push(Message::decode(b)?),
                (12, Wire::Bytes(b)) => g.outputs.push(Message::decode(b)?),
                _ => g.other.push(f),
            }
        }
        Ok(g)
    }

    fn encode(&self) -> Vec<u8> {
        let mut m = Message::default();
        m.fields
            .extend(self.nodes.iter().map(|n| Field::bytes(1, n.encode())));
        m.fields.extend(self.other.iter().cloned());
        m.fields.extend(
            self.initializers
                .iter()
                .map(|t| Field::bytes(5, t.encode())),
        );
        m.fields
            .extend(self.inputs.iter().map(|v| Field::bytes(11, v.encode())));
        m.fields
            .extend(self.outputs.iter().map(|v| Field::bytes(12, v.encode())));
        m.encode()
    }

    /// The initializer called `name`.
    pub fn initializer(&self, name: &str) -> Option<&TensorProto> {
        self.initializers.iter().find(|t| t.name == name)
    }

    /// Names of the graph inputs that are not initializers.
    pub fn input_names(&self) -> Vec<String> {
        self.inputs
            .iter()
            .filter_map(|v| v.string(1))
            .filter(|n| self.initializer(n).is_none())
            .collect()
    }

    /// Names of the graph outputs.
    pub fn output_names(&self) -> Vec<String> {
        self.outputs.iter().filter_map(|v| v.string(1)).collect()
    }

    /// Adds a graph output `name` of element type FLOAT, shape unknown.
    pub fn add_float_output(&mut self, name: &str) {
        // ValueInfoProto { name = 1, type = 2 { tensor_type = 1 { elem_type = 1 } } }
        let mut tensor_type = Writer::default();
        tensor_type.int64_always(1, i64::from(FLOAT));
        let mut type_proto = Writer::default();
        type_proto.bytes_always(1, &tensor_type.buf);
        self.outputs.push(Message {
            fields: vec![Field::string(1, name), Field::bytes(2, type_proto.buf)],
        });
    }
}

/// A model (`ModelProto`): the graph typed, everything else raw.
#[derive(Clone, Debug, PartialEq)]
pub struct OnnxModel {
    /// The model's fields other than the graph, in file order.
    pub other: Vec<Field>,
    /// The graph.
    pub graph: Graph,
}

impl OnnxModel {
    /// Decodes an ONNX file's bytes.
    pub fn decode(buf: &[u8]) -> Result<OnnxModel, String> {
        let mut graph = None;
        let mut other = Vec::new();
        for f in Message::decode(buf)?.fields {
            match (f.number, &f.wire) {
                (7, Wire::Bytes(b)) => graph = Some(Graph::decode(b)?),
                _ => other.push(f),
            }
        }
        let graph = graph.ok_or_else(|| "not an ONNX model (no graph)".to_string())?;
        Ok(OnnxModel { other, graph })
    }

    /// Reads and decodes an ONNX file; errors name the file.
    pub fn read(path: &std::path::Path) -> Result<OnnxModel, String> {
        let bytes =
            std::fs::read(path).map_err(|e| format!("cannot read '{}': {e}", path.display()))?;
        OnnxModel::decode(&bytes).map_err(|e| format!("'{}': {e}", path.display()))
    }

    /// Encodes the model (graph after the leading fields, as ONNX writers order them).
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::default();
        let (head, tail): (Vec<&Field>, Vec<&Field>) =
            self.other.iter().partition(|f| f.number < 7);
        for f in head {
            f.encode_into(&mut w);
        }
        w.bytes_always(7, &self.graph.encode());
        for f in tail {
            f.encode_into(&mut w);
        }
        w.buf
    }

    /// The default-domain opset version.
    pub fn opset(&self) -> Option<i64> {
        self.other
            .iter()
            .filter(|f| f.number == 8)
            .find_map(|f| match &f.wire {
                Wire::Bytes(b) => {
                    let m = Message::decode(b).ok()?;
                    let domain = m.string(1).unwrap_or_default();
                    (domain.is_empty() || domain == "ai.onnx")
                        .then(|| m.varint(2).map(|v| v as i64))
                        .flatten()
                }
                _ => None,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_fields_round_trip_byte_for_byte() {
        let mut w = Writer::default();
        w.int64_always(3, 300);
        w.string_always(9, "x");
        w.float(4, 1.5);
        w.buf
            .extend_from_slice(&[(5 << 3) | 1, 1, 2, 3, 4, 5, 6, 7, 8]);
        let m = Message::decode(&w.buf).unwrap();
        assert_eq!(m.fields.len(), 4);
        assert_eq!(m.encode(), w.buf);
    }

    #[test]
    fn truncated_input_is_an_error() {
        let mut w = Writer::default();
        w.string_always(1, "hello");
        let cut = &w.buf[..w.buf.len() - 2];
        assert!(Message::decode(cut).unwrap_err().contains("past the end"));
    }
}
