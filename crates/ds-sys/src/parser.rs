//! The C side of DeepStream's custom output-parser ABI: the functions of
//! `cpp/parser_bridge.cpp`, a small C++ bridge (compiled by `build.rs`) over
//! the `std::vector` / `std::string` arguments NVIDIA's parser functions
//! take. Our C++ declarations of that ABI are in `cpp/ds_custom_parser.h`
//! (installed as `$DEP_NVDS_META_INCLUDE/ds_custom_parser.h` for build
//! scripts of dependents).
//!
//! * Caller side: [`ds_parser_call_bbox`] / [`ds_parser_call_classifier`]
//!   call a parser function pointer with vectors built from C arrays; the
//!   results come back through a callback; a C++ exception becomes
//!   [`DS_PARSER_EXCEPTION`] with its message.
//! * Callee side: a parser written in Rust is exported as an `extern "C"`
//!   function whose reference parameters (`std::vector<..> const &`, ...)
//!   are, at the machine level, pointers; it reads and fills them with the
//!   `ds_parser_layers` ... `ds_parser_set_string` accessors.
//!
//! The safe API is `ds_core::parser`.
use crate::infer::{
    NvDsInferAttribute, NvDsInferLayerInfo, NvDsInferNetworkInfo, NvDsInferObjectDetectionInfo,
};
use std::os::raw::{c_char, c_float, c_int, c_uint, c_void};

/// The parser returned `true`; results were handed to the sink.
pub const DS_PARSER_OK: c_int = 0;
/// The parser returned `false` (nothing was handed to the sink).
pub const DS_PARSER_FALSE: c_int = 1;
/// A C++ exception was thrown (the message is in the error buffer), or an
/// accessor could not allocate.
pub const DS_PARSER_EXCEPTION: c_int = 2;

/// Receives a bounding-box parser's objects (valid during the call only).
pub type ds_objects_sink =
    unsafe extern "C" fn(ctx: *mut c_void, objects: *const NvDsInferObjectDetectionInfo, n: usize);

/// Receives a classifier parser's attributes and description (valid during
/// the call only; the labels are freed after it).
pub type ds_attributes_sink = unsafe extern "C" fn(
    ctx: *mut c_void,
    attributes: *const NvDsInferAttribute,
    n: usize,
    desc: *const c_char,
    desc_len: usize,
);

unsafe extern "C" {
    /// Calls the bounding-box parser `func` (an `NvDsInferParseCustomFunc`)
    /// with `num_layers` layers, the network info and detection params
    /// built from the arrays; on success hands its objects to `sink`.
    /// Returns `DS_PARSER_OK`, `DS_PARSER_FALSE` or `DS_PARSER_EXCEPTION`
    /// (message in `err`, NUL-terminated, truncated to `err_len`).
    pub fn ds_parser_call_bbox(
        func: *mut c_void,
        layers: *const NvDsInferLayerInfo,
        num_layers: usize,
        network: *const NvDsInferNetworkInfo,
        num_classes: c_uint,
        pre: *const c_float,
        num_pre: usize,
        post: *const c_float,
        num_post: usize,
        sink: ds_objects_sink,
        ctx: *mut c_void,
        err: *mut c_char,
        err_len: usize,
    ) -> c_int;

    /// Calls the classifier parser `func` (an
    /// `NvDsInferClassiferParseCustomFunc`); on success hands its attributes
    /// and description string to `sink`, then frees the attribute labels.
    pub fn ds_parser_call_classifier(
        func: *mut c_void,
        layers: *const NvDsInferLayerInfo,
        num_layers: usize,
        network: *const NvDsInferNetworkInfo,
        threshold: c_float,
        sink: ds_attributes_sink,
        ctx: *mut c_void,
        err: *mut c_char,
        err_len: usize,
    ) -> c_int;

    /// The elements of a `std::vector<NvDsInferLayerInfo>`: stores the data
    /// pointer in `data`, returns the length.
    pub fn ds_parser_layers(layers: *const c_void, data: *mut *const NvDsInferLayerInfo) -> usize;

    /// The fields of an `NvDsInferParseDetectionParams`.
    pub fn ds_parser_detection_params(
        params: *const c_void,
        num_classes: *mut c_uint,
        pre: *mut *const c_float,
        num_pre: *mut usize,
        post: *mut *const c_float,
        num_post: *mut usize,
    );

    /// Appends `object` to a `std::vector<NvDsInferObjectDetectionInfo>`.
    pub fn ds_parser_push_object(
        objects: *mut c_void,
        object: *const NvDsInferObjectDetectionInfo,
    ) -> c_int;

    /// Appends an attribute to a `std::vector<NvDsInferAttribute>`; the
    /// label (`label_len` bytes, may be null) is copied into `malloc`ed
    /// memory, NUL-terminated.
    pub fn ds_parser_push_attribute(
        attributes: *mut c_void,
        index: c_uint,
        value: c_uint,
        confidence: c_float,
        label: *const c_char,
        label_len: usize,
    ) -> c_int;

    /// Assigns `len` bytes of `text` to a `std::string`.
    pub fn ds_parser_set_string(string: *mut c_void, text: *const c_char, len: usize) -> c_int;
}

// The layouts cpp/parser_bridge.cpp asserts for its C++ declarations.
#[cfg(target_pointer_width = "64")]
const _: () = {
    use std::mem::{offset_of, size_of};
    assert!(size_of::<crate::infer::NvDsInferDims>() == 40);
    assert!(size_of::<NvDsInferLayerInfo>() == 72);
    assert!(offset_of!(NvDsInferLayerInfo, layerName) == 48);
    assert!(offset_of!(NvDsInferLayerInfo, isInput) == 64);
    assert!(size_of::<NvDsInferNetworkInfo>() == 12);
    assert!(size_of::<NvDsInferObjectDetectionInfo>() == 24);
    assert!(size_of::<NvDsInferAttribute>() == 24);
};
