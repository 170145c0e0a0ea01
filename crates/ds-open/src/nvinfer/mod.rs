//! `nvinfer` (open implementation): DeepStream's inference element on the
//! CPU, driven by DeepStream's own config-file format ([`config`]).
//!
//! * **Primary mode** (`process-mode=1`): every frame of the batch is scaled
//!   to the network input ([`preprocess`]), the frames go through the model
//!   together (in chunks of `batch-size`), and the detections are parsed
//!   ([`parse`]: by the `custom-lib-path` library's `parse-bbox-func-name`
//!   function, NVIDIA's custom parser ABI, found as [`custom_lib`] says; or
//!   by a built-in parser, mapped through `class-map`), clustered and
//!   attached as `NvDsObjectMeta` (class_id, confidence, rect_params,
//!   detector_bbox_info, obj_label, text_params, unique_component_id).
//!   `interval=N` skips N batches after each inferred one.
//! * **Secondary mode** (`process-mode=2`, `network-type=1`): every object
//!   made by `operate-on-gie-id` (any when -1) of the classes in
//!   `operate-on-class-ids` (all when empty), within the
//!   `input-object-min/max-width/height` limits, is cropped and classified;
//!   results at or above `classifier-threshold` become `NvDsClassifierMeta`
//!   with one `NvDsLabelInfo` per output layer, and the label is appended
//!   to the object's display text.
//! * `output-tensor-meta=1` attaches the raw output layers as
//!   `NvDsInferTensorMeta` user meta (frame user meta in primary mode,
//!   object user meta in secondary mode), readable with
//!   `ds_core::tensor::TensorMeta`.
//!   As NVIDIA's, each layer has its name, its dimensions without the
//!   batch, FLOAT, its binding index (the input is binding 0, the outputs
//!   follow) and the host buffer of that frame's or object's slice.
//! * **`network-type=100`** (other): no output parsing at all, as NVIDIA's
//!   nvinfer: no object or classifier meta and `bInferDone` left unset;
//!   with `output-tensor-meta=1` the application parses the tensors
//!   (apps/deepstream-ssd-parser).
//!
//! Properties (they override the config file, as in DeepStream):
//! `config-file-path`, `unique-id`, `process-mode`, `infer-on-gie-id`,
//! `operate-on-class-ids` / `infer-on-class-ids` (`"0:2:"`), `batch-size`,
//! `interval`, `output-tensor-meta`, `model-engine-file` (the prepared
//! model, cached: [`engine_cache`]), `gpu-id` (ignored).
//!
//! `network-mode=1` with `int8-calib-file` runs the model in INT8 ([`int8`]).
//!
//! Inference runs in ONNX Runtime ([`engine`]), on a few worker threads
//! with a session each ([`workers`]: consecutive batches at the same time,
//! config keys `inference-workers` / `inference-threads`). The element's
//! input side (the upstream's thread) scales the frames into the network
//! input and hands them to the workers; its output thread takes the results
//! in the order the batches came, parses them, attaches the metadata and
//! pushes the batch on, as NVIDIA's nvinfer parses in its output thread. Config warnings (unknown
//! keys) are posted as element warnings; a bad config, a missing model or
//! label file, or a model that does not fit the config stop the pipeline
//! with one element error naming the cause.

pub mod config;
pub mod custom_lib;
pub mod engine;
pub mod engine_cache;
pub mod int8;
pub mod parse;
pub mod preprocess;
pub mod workers;

mod imp;

use gstreamer as gst;
use gstreamer::glib;
use gstreamer::prelude::*;

glib::wrapper! {
    /// The open `nvinfer` element.
    pub struct NvInfer(ObjectSubclass<imp::NvInfer>) @extends gst::Element, gst::Object;
}

/// Registers `nvinfer`.
pub(crate) fn register(plugin: Option<&gst::Plugin>) -> Result<(), glib::BoolError> {
    gst::Element::register(
        plugin,
        "nvinfer",
        gst::Rank::PRIMARY,
        NvInfer::static_type(),
    )
}
