//! DeepStream's custom output-parser ABI, both ways.
//!
//! nvinfer (NVIDIA's and the open one) loads the library named by the config
//! key `custom-lib-path` and calls the `extern "C"` function named by
//! `parse-bbox-func-name` (detectors) or `parse-classifier-func-name`
//! (classifiers). Those functions take C++ `std::vector` / `std::string`
//! references; a small C++ bridge in ds-sys (`ds_sys::parser`) converts them,
//! and this module is the safe API over it:
//!
//! * **Writing a parser in Rust** ([`export_bbox_parser!`](crate::export_bbox_parser),
//!   [`export_classifier_parser!`](crate::export_classifier_parser)): a plain Rust function gets typed views
//!   of the output layers ([`Layer`]: name, dims, data type, `&[f32]` data),
//!   the network info and the detection params, and pushes
//!   [`DetectedObject`]s; the macro exports it under NVIDIA's ABI. A panic or
//!   an `Err` makes the exported function return `false` (the error is
//!   printed to stderr with the function's name); nothing unwinds into C++.
//! * **Calling a parser library** ([`ParserLibrary`], [`BboxParser`],
//!   [`ClassifierParser`]): what the open nvinfer does with
//!   `custom-lib-path`; a C++ exception thrown by the parser becomes a
//!   [`CallError`].
//!
//! A parser library crate (`crate-type = ["cdylib"]`) in a few lines:
//!
//! ```
//! use ds_core::parser::{DetectedObject, DetectorInput, Detections};
//!
//! /// One object per class whose score in layer "scores" reaches the
//! /// class's pre-cluster threshold, with the box from layer "boxes".
//! fn parse(input: &DetectorInput<'_>, out: &mut Detections<'_>) -> Result<(), String> {
//!     let scores = input.layer_f32("scores").ok_or("no FLOAT layer 'scores'")?;
//!     let boxes = input.layer_f32("boxes").ok_or("no FLOAT layer 'boxes'")?;
//!     let [left, top, width, height] = boxes else {
//!         return Err(format!("'boxes' has {} values, not 4", boxes.len()));
//!     };
//!     for (class_id, &score) in scores.iter().enumerate() {
//!         let class_id = class_id as u32;
//!         if class_id < input.params().num_classes()
//!             && score >= input.params().pre_cluster_threshold(class_id)
//!         {
//!             out.push(DetectedObject {
//!                 class_id,
//!                 left: *left,
//!                 top: *top,
//!                 width: *width,
//!                 height: *height,
//!                 confidence: score,
//!             });
//!         }
//!     }
//!     Ok(())
//! }
//!
//! // extern "C" bool NvDsInferParseCustomExample(std::vector<NvDsInferLayerInfo> const &,
//! //     NvDsInferNetworkInfo const &, NvDsInferParseDetectionParams const &,
//! //     std::vector<NvDsInferObjectDetectionInfo> &)
//! ds_core::export_bbox_parser!(NvDsInferParseCustomExample, parse);
//! # fn main() {}
//! ```
//!
//! The C++ declarations of the ABI that the bridge is compiled against are
//! ds-sys' `cpp/ds_custom_parser.h` (our own, from the facts of NVIDIA's
//! 6.3 and 8.0 headers), also handed to dependents' build scripts as
//! `DEP_NVDS_META_INCLUDE`.
mod call;
mod export;

pub use crate::tensor::{DataType, Layer, NetworkInfo};
pub use call::{BboxParser, CallError, ClassifierParser, LoadError, OutputLayer, ParserLibrary};
pub use export::{
    Attributes, BboxParseFn, ClassifierInput, ClassifierParseFn, Detections, DetectorInput,
};

#[doc(hidden)]
pub mod __private {
    pub use super::export::{bbox_entry, classifier_entry};
    pub use ds_sys::NvDsInferNetworkInfo;
}

/// One detected object, in network-input pixels
/// (`NvDsInferObjectDetectionInfo`).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct DetectedObject {
    /// Class id, below `num-detected-classes`.
    pub class_id: u32,
    /// Left edge.
    pub left: f32,
    /// Top edge.
    pub top: f32,
    /// Width.
    pub width: f32,
    /// Height.
    pub height: f32,
    /// Confidence, `0.0..=1.0`.
    pub confidence: f32,
}

impl From<ds_sys::NvDsInferObjectDetectionInfo> for DetectedObject {
    fn from(o: ds_sys::NvDsInferObjectDetectionInfo) -> DetectedObject {
        DetectedObject {
            class_id: o.classId,
            left: o.left,
            top: o.top,
            width: o.width,
            height: o.height,
            confidence: o.detectionConfidence,
        }
    }
}

impl From<DetectedObject> for ds_sys::NvDsInferObjectDetectionInfo {
    fn from(o: DetectedObject) -> ds_sys::NvDsInferObjectDetectionInfo {
        ds_sys::NvDsInferObjectDetectionInfo {
            classId: o.class_id,
            left: o.left,
            top: o.top,
            width: o.width,
            height: o.height,
            detectionConfidence: o.confidence,
        }
    }
}

/// The detection parameters nvinfer passes to a bounding-box parser
/// (`NvDsInferParseDetectionParams`): `num-detected-classes` and the
/// per-class `pre-cluster-threshold` / `post-cluster-threshold`.
///
/// ```
/// use ds_core::parser::DetectionParams;
/// let pre = [0.4, 0.5];
/// let p = DetectionParams::new(2, &pre, &[]);
/// assert_eq!(p.pre_cluster_threshold(1), 0.5);
/// assert_eq!(p.pre_cluster_threshold(7), 0.4, "the lowest for a class without one");
/// assert_eq!(p.post_cluster_threshold(0), 0.0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DetectionParams<'a> {
    num_classes: u32,
    pre: &'a [f32],
    post: &'a [f32],
}

impl<'a> DetectionParams<'a> {
    /// Parameters for `num_classes` classes with per-class thresholds.
    pub fn new(num_classes: u32, pre_cluster: &'a [f32], post_cluster: &'a [f32]) -> Self {
        DetectionParams {
            num_classes,
            pre: pre_cluster,
            post: post_cluster,
        }
    }

    /// `numClassesConfigured` (`num-detected-classes`): objects must have a
    /// class id below it.
    pub fn num_classes(&self) -> u32 {
        self.num_classes
    }

    /// Per-class pre-cluster thresholds (`perClassPreclusterThreshold`).
    pub fn pre_cluster_thresholds(&self) -> &'a [f32] {
        self.pre
    }

    /// Per-class post-cluster thresholds (`perClassPostclusterThreshold`).
    pub fn post_cluster_thresholds(&self) -> &'a [f32] {
        self.post
    }

    /// The pre-cluster threshold of `class_id`; for a class without an
    /// entry the lowest of all (0 when there are none).
    pub fn pre_cluster_threshold(&self, class_id: u32) -> f32 {
        threshold(self.pre, class_id)
    }

    /// The post-cluster threshold of `class_id` (as
    /// [`Self::pre_cluster_threshold`]).
    pub fn post_cluster_threshold(&self, class_id: u32) -> f32 {
        threshold(self.post, class_id)
    }
}

fn threshold(v: &[f32], class_id: u32) -> f32 {
    match v.get(class_id as usize) {
        Some(t) => *t,
        None => v.iter().copied().reduce(f32::min).unwrap_or(0.0),
    }
}

/// One classifier result (`NvDsInferAttribute`): output layer
/// (`attributeIndex`), class (`attributeValue`), confidence and label.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Attribute {
    /// Index of the attribute (the output layer, in nvinfer's default
    /// parsing).
    pub index: u32,
    /// The class found for the attribute.
    pub value: u32,
    /// Its confidence.
    pub confidence: f32,
    /// Its label, when the parser gives one.
    pub label: Option<String>,
}
