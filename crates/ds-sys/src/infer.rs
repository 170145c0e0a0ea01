//! Inference types (`nvdsinfer.h`) and the tensor / segmentation metadata
//! that `nvinfer` attaches as user meta (`gstnvdsinfer.h`), DeepStream 7.1.
//!
//! 7.1 decisions (see `tests/layout.rs` for the checked numbers):
//! * [`NvDsInferDataType`]: `INT64` (4) and `UINT8` (5) appear in the 8.0
//!   header but not in 6.2 or pyds 1.2.0 (7.1). Enum values only add names,
//!   they move no field, so both are declared; a 7.1 producer simply never
//!   emits them. **Unconfirmed for 7.1.**
//! * [`NvDsInferTensorMeta`]: 8.0 appends `gboolean symmetric_padding` after
//!   `maintain_aspect_ratio` (size 64 -> 72). The 7.1 field list could not
//!   be confirmed (the 7.1 API pages show the fields up to
//!   `maintain_aspect_ratio` only); the field is **left out** (6.2 / 7.0
//!   layout, size 64). No field before it moves, and the struct is always
//!   allocated by nvinfer, never by applications.
//! * `NvDsInferParseDetectionParams` (nvdsinfer_custom_impl.h) holds C++
//!   `std::vector`s and has no C layout; it is not declared.
use glib_sys::{gboolean, gfloat, gint, guint};
use std::os::raw::{c_char, c_float, c_int, c_uint, c_void};

/// Maximum number of dimensions of a layer (`NVDSINFER_MAX_DIMS`).
pub const NVDSINFER_MAX_DIMS: usize = 8;

/// Dimensions of a layer (`NvDsInferDims`).
#[repr(C)]
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct NvDsInferDims {
    /// Number of valid entries in `d`.
    pub numDims: c_uint,
    /// Size of each dimension.
    pub d: [c_uint; NVDSINFER_MAX_DIMS],
    /// Product of the valid dimensions.
    pub numElements: c_uint,
}

/// Channel / height / width view of a 3-D layer (`NvDsInferDimsCHW`).
#[repr(C)]
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct NvDsInferDimsCHW {
    pub c: c_uint,
    pub h: c_uint,
    pub w: c_uint,
}

/// Element type of a layer (`NvDsInferDataType`, C enum).
pub type NvDsInferDataType = c_int;
/// 32-bit float.
pub const FLOAT: NvDsInferDataType = 0;
/// 16-bit float.
pub const HALF: NvDsInferDataType = 1;
/// 8-bit signed integer.
pub const INT8: NvDsInferDataType = 2;
/// 32-bit signed integer.
pub const INT32: NvDsInferDataType = 3;
/// 64-bit signed integer (8.0 header; unconfirmed for 7.1, see module docs).
pub const INT64: NvDsInferDataType = 4;
/// 8-bit unsigned integer (8.0 header; unconfirmed for 7.1).
pub const UINT8: NvDsInferDataType = 5;

/// One input or output layer of a network (`NvDsInferLayerInfo`).
///
/// In C the dimensions are an anonymous union of `inferDims` and the
/// deprecated alias `dims`, both of type [`NvDsInferDims`]: the field is
/// `inferDims` here and [`NvDsInferLayerInfo::dims`] reads the alias (the
/// ABI table checks both C names at offset 4).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct NvDsInferLayerInfo {
    /// Element type ([`FLOAT`], [`HALF`], ...).
    pub dataType: NvDsInferDataType,
    /// Dimensions of the layer, without the batch dimension.
    pub inferDims: NvDsInferDims,
    /// TensorRT binding index.
    pub bindingIndex: c_int,
    /// Layer name (NUL-terminated, owned by the producer).
    pub layerName: *const c_char,
    /// Layer data (host memory in tensor meta).
    pub buffer: *mut c_void,
    /// Non-zero for an input layer.
    pub isInput: c_int,
}

impl NvDsInferLayerInfo {
    /// The dimensions under their deprecated C name `dims`, which shares
    /// its storage with `inferDims` (an anonymous union in C).
    pub fn dims(&self) -> NvDsInferDims {
        self.inferDims
    }
}

/// Network input resolution (`NvDsInferNetworkInfo`).
#[repr(C)]
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct NvDsInferNetworkInfo {
    pub width: c_uint,
    pub height: c_uint,
    pub channels: c_uint,
}

/// One detected object as custom parsers return it
/// (`NvDsInferObjectDetectionInfo`, alias `NvDsInferParseObjectInfo`).
#[repr(C)]
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct NvDsInferObjectDetectionInfo {
    pub classId: c_uint,
    pub left: c_float,
    pub top: c_float,
    pub width: c_float,
    pub height: c_float,
    /// Confidence in `0.0..=1.0`.
    pub detectionConfidence: c_float,
}

/// Backward-compatible name of [`NvDsInferObjectDetectionInfo`].
pub type NvDsInferParseObjectInfo = NvDsInferObjectDetectionInfo;

/// A detected object with an instance mask (`NvDsInferInstanceMaskInfo`).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct NvDsInferInstanceMaskInfo {
    pub classId: c_uint,
    pub left: c_float,
    pub top: c_float,
    pub width: c_float,
    pub height: c_float,
    pub detectionConfidence: c_float,
    /// Mask values, `mask_width * mask_height` floats.
    pub mask: *mut c_float,
    pub mask_width: c_uint,
    pub mask_height: c_uint,
    /// Size of `mask` in bytes.
    pub mask_size: c_uint,
}

/// One classifier attribute (`NvDsInferAttribute`).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct NvDsInferAttribute {
    pub attributeIndex: c_uint,
    pub attributeValue: c_uint,
    pub attributeConfidence: c_float,
    /// Label string, heap allocated by the parser.
    pub attributeLabel: *mut c_char,
}

/// Status codes of the inference library (`NvDsInferStatus`, C enum).
pub type NvDsInferStatus = c_int;
pub const NVDSINFER_SUCCESS: NvDsInferStatus = 0;
pub const NVDSINFER_CONFIG_FAILED: NvDsInferStatus = 1;
pub const NVDSINFER_CUSTOM_LIB_FAILED: NvDsInferStatus = 2;
pub const NVDSINFER_INVALID_PARAMS: NvDsInferStatus = 3;
pub const NVDSINFER_OUTPUT_PARSING_FAILED: NvDsInferStatus = 4;
pub const NVDSINFER_CUDA_ERROR: NvDsInferStatus = 5;
pub const NVDSINFER_TENSORRT_ERROR: NvDsInferStatus = 6;
pub const NVDSINFER_RESOURCE_ERROR: NvDsInferStatus = 7;
pub const NVDSINFER_TRITON_ERROR: NvDsInferStatus = 8;
pub const NVDSINFER_TRTIS_ERROR: NvDsInferStatus = NVDSINFER_TRITON_ERROR;
/// Memory allocation failed (since 6.3).
pub const NVDSINFER_MEM_ERROR: NvDsInferStatus = 9;
/// Unknown error (10 since 6.3, which inserted `NVDSINFER_MEM_ERROR`).
pub const NVDSINFER_UNKNOWN_ERROR: NvDsInferStatus = 10;

/// Raw output tensors of one frame or object (`NvDsInferTensorMeta`),
/// attached as user meta of type `NVDSINFER_TENSOR_OUTPUT_META` when
/// nvinfer's `output-tensor-meta` is set.
#[repr(C)]
#[derive(Debug)]
pub struct NvDsInferTensorMeta {
    /// `gie-unique-id` of the nvinfer instance that attached the meta.
    pub unique_id: guint,
    /// Number of entries in `output_layers_info`.
    pub num_output_layers: guint,
    /// Output layer descriptions (their `buffer` is not valid here).
    pub output_layers_info: *mut NvDsInferLayerInfo,
    /// Host buffer of each output layer, `num_output_layers` entries.
    pub out_buf_ptrs_host: *mut *mut c_void,
    /// Device buffer of each output layer.
    pub out_buf_ptrs_dev: *mut *mut c_void,
    /// GPU of the device buffers.
    pub gpu_id: gint,
    /// Producer-private data.
    pub priv_data: *mut c_void,
    /// Network input resolution.
    pub network_info: NvDsInferNetworkInfo,
    /// Whether the input was scaled keeping the aspect ratio.
    pub maintain_aspect_ratio: gboolean,
}

/// Semantic segmentation output (`NvDsInferSegmentationMeta`), user meta of
/// type `NVDSINFER_SEGMENTATION_META`.
#[repr(C)]
#[derive(Debug)]
pub struct NvDsInferSegmentationMeta {
    pub classes: guint,
    pub width: guint,
    pub height: guint,
    /// Class of each pixel, index `y * width + x`.
    pub class_map: *mut gint,
    /// Probabilities, index `c * width * height + y * width + x`.
    pub class_probabilities_map: *mut gfloat,
    pub priv_data: *mut c_void,
    pub unique_id: gint,
}
