//! Model tooling for the open DeepStream backend.
//!
//! - [`tfjs`]: reads a TensorFlow.js "graph-model" (`model.json` + binary weight shards).
//! - [`convert`]: constant-folds shape subgraphs and maps the TensorFlow ops to ONNX (opset 13),
//!   removing the NHWC/NCHW transpose pairs that onnx-tf style exports leave around convolutions.
//! - [`onnx`]: a small hand-written protobuf encoder for the ONNX `ModelProto` subset we emit.
//! - [`nanodet`]: NanoDet (GFL head) post-processing: decode, per-class NMS, COCO labels,
//!   and the reference preprocessing (BGR, per-channel mean/std).
//!
//! - [`onnx_read`]: a protobuf decoder for ONNX models (unknown fields kept), for rewrites.
//! - [`calib`]: TensorRT's INT8 calibration-cache format and the calibration statistics.
//! - [`quantize`]: FP32 ONNX + calibration cache -> QDQ INT8 ONNX (per-channel weights).
//! - [`refine`]: greedy per-tensor refinement of a cache's scales against the detections.
//!
//! The `tfjs2onnx` binary ties the first three together.
#![forbid(unsafe_code)]

pub mod calib;
pub mod convert;
pub mod nanodet;
pub mod onnx;
pub mod onnx_read;
pub mod quantize;
pub mod refine;
pub mod tensor;
pub mod tfjs;

use std::fmt;
use std::path::PathBuf;

/// Errors of the reader and the converter; each displays as one line.
#[derive(Debug)]
pub enum Error {
    /// A file could not be read or written.
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// `model.json` is not valid JSON.
    Json {
        /// The file.
        path: PathBuf,
        /// The parser's message.
        message: String,
    },
    /// The model is structurally invalid (missing keys, bad shapes, short weight file…).
    Format(String),
    /// The graph uses an op the converter does not map.
    UnsupportedOp {
        /// Node name.
        node: String,
        /// TensorFlow op type.
        op: String,
    },
    /// A supported op is used in a way the converter does not handle.
    Unsupported(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Io { path, source } => write!(f, "{}: {source}", path.display()),
            Error::Json { path, message } => {
                write!(f, "{}: invalid JSON: {message}", path.display())
            }
            Error::Format(m) => write!(f, "invalid TensorFlow.js model: {m}"),
            Error::UnsupportedOp { node, op } => {
                write!(f, "unsupported op '{op}' (node '{node}')")
            }
            Error::Unsupported(m) => write!(f, "unsupported: {m}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// Result alias of this crate.
pub type Result<T> = std::result::Result<T, Error>;
