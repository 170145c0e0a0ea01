//! Callee side: parsers written in Rust, exported under NVIDIA's ABI.
use super::{Attribute, DetectedObject, DetectionParams, NetworkInfo};
use crate::tensor::Layer;
use ds_sys::NvDsInferLayerInfo;
use std::marker::PhantomData;
use std::os::raw::{c_char, c_void};
use std::panic::{catch_unwind, AssertUnwindSafe};

/// What nvinfer hands a bounding-box parser.
#[derive(Debug, Clone, Copy)]
pub struct DetectorInput<'a> {
    layers: &'a [NvDsInferLayerInfo],
    network: NetworkInfo,
    params: DetectionParams<'a>,
}

impl<'a> DetectorInput<'a> {
    /// The output layers, in nvinfer's order.
    pub fn layers(&self) -> impl Iterator<Item = Layer<'a>> + 'a {
        // SAFETY: the entry points build DetectorInput from nvinfer's layer
        // vector, whose names and host buffers are valid for the call ('a).
        self.layers.iter().map(|l| unsafe { Layer::from_info(l) })
    }

    /// The first output layer named `name`.
    pub fn layer(&self, name: &str) -> Option<Layer<'a>> {
        self.layers().find(|l| l.name() == name)
    }

    /// The data of the `FLOAT` layer named `name`.
    pub fn layer_f32(&self, name: &str) -> Option<&'a [f32]> {
        self.layer(name).and_then(|l| l.as_f32())
    }

    /// Network input size.
    pub fn network(&self) -> NetworkInfo {
        self.network
    }

    /// `num-detected-classes` and per-class thresholds.
    pub fn params(&self) -> DetectionParams<'a> {
        self.params
    }
}

/// The object list a bounding-box parser fills.
#[derive(Debug)]
pub struct Detections<'a> {
    vec: *mut c_void,
    failed: bool,
    _p: PhantomData<&'a mut ()>,
}

impl Detections<'_> {
    /// Appends `object` (if memory runs out, the parser returns `false`).
    pub fn push(&mut self, object: DetectedObject) {
        let raw = ds_sys::NvDsInferObjectDetectionInfo::from(object);
        // SAFETY: vec is nvinfer's std::vector<NvDsInferObjectDetectionInfo>
        // for this call (Detections is only built by bbox_entry).
        let rc = unsafe { ds_sys::parser::ds_parser_push_object(self.vec, &raw) };
        self.failed |= rc != ds_sys::parser::DS_PARSER_OK;
    }
}

/// What nvinfer hands a classifier parser.
#[derive(Debug, Clone, Copy)]
pub struct ClassifierInput<'a> {
    layers: &'a [NvDsInferLayerInfo],
    network: NetworkInfo,
    threshold: f32,
}

impl<'a> ClassifierInput<'a> {
    /// The output layers, in nvinfer's order.
    pub fn layers(&self) -> impl Iterator<Item = Layer<'a>> + 'a {
        // SAFETY: as DetectorInput::layers.
        self.layers.iter().map(|l| unsafe { Layer::from_info(l) })
    }

    /// The first output layer named `name`.
    pub fn layer(&self, name: &str) -> Option<Layer<'a>> {
        self.layers().find(|l| l.name() == name)
    }

    /// Network input size.
    pub fn network(&self) -> NetworkInfo {
        self.network
    }

    /// `classifier-threshold`.
    pub fn threshold(&self) -> f32 {
        self.threshold
    }
}

/// The attribute list and description a classifier parser fills.
#[derive(Debug)]
pub struct Attributes<'a> {
    vec: *mut c_void,
    desc: *mut c_void,
    failed: bool,
    _p: PhantomData<&'a mut ()>,
}

impl Attributes<'_> {
    /// Appends `attribute` (its label is copied into `malloc`ed memory that
    /// nvinfer frees).
    pub fn push(&mut self, attribute: &Attribute) {
        let (p, n) = match &attribute.label {
            Some(l) => (l.as_ptr() as *const c_char, l.len()),
            None => (std::ptr::null(), 0),
        };
        // SAFETY: vec is nvinfer's std::vector<NvDsInferAttribute> for this
        // call; the label bytes are valid for the call.
        let rc = unsafe {
            ds_sys::parser::ds_parser_push_attribute(
                self.vec,
                attribute.index,
                attribute.value,
                attribute.confidence,
                p,
                n,
            )
        };
        self.failed |= rc != ds_sys::parser::DS_PARSER_OK;
    }

    /// Sets the description string (`descString`).
    pub fn set_description(&mut self, text: &str) {
        // SAFETY: desc is nvinfer's std::string for this call.
        let rc = unsafe {
            ds_sys::parser::ds_parser_set_string(
                self.desc,
                text.as_ptr() as *const c_char,
                text.len(),
            )
        };
        self.failed |= rc != ds_sys::parser::DS_PARSER_OK;
    }
}

/// A bounding-box parser written in Rust.
pub type BboxParseFn = fn(&DetectorInput<'_>, &mut Detections<'_>) -> Result<(), String>;
/// A classifier parser written in Rust.
pub type ClassifierParseFn = fn(&ClassifierInput<'_>, &mut Attributes<'_>) -> Result<(), String>;

fn finish(name: &str, r: std::thread::Result<Result<(), String>>, failed: bool) -> bool {
    match r {
        Ok(Ok(())) if !failed => true,
        Ok(Ok(())) => {
            eprintln!("{name}: out of memory filling the output");
            false
        }
        Ok(Err(e)) => {
            eprintln!("{name}: {e}");
            false
        }
        Err(_) => {
            eprintln!("{name}: the parser panicked");
            false
        }
    }
}

fn layer_slice<'a>(layers: *const c_void) -> &'a [NvDsInferLayerInfo] {
    let mut data: *const NvDsInferLayerInfo = std::ptr::null();
    // SAFETY: layers is nvinfer's std::vector<NvDsInferLayerInfo> (entry
    // contract).
    let n = unsafe { ds_sys::parser::ds_parser_layers(layers, &mut data) };
    if data.is_null() || n == 0 {
        return &[];
    }
    // SAFETY: the vector's data, n elements, valid for the call.
    unsafe { std::slice::from_raw_parts(data, n) }
}

/// The body of [`crate::export_bbox_parser!`].
///
/// # Safety
/// The pointers are the arguments of an `NvDsInferParseCustomFunc` call
/// (references to nvinfer's vectors and structs, valid for the call).
#[doc(hidden)]
pub unsafe fn bbox_entry(
    name: &str,
    layers: *const c_void,
    network: *const NetworkInfo,
    params: *const c_void,
    objects: *mut c_void,
    parse: BboxParseFn,
) -> bool {
    if layers.is_null() || network.is_null() || params.is_null() || objects.is_null() {
        return false;
    }
    let r = catch_unwind(AssertUnwindSafe(|| {
        let (mut n, mut pre, mut npre, mut post, mut npost) =
            (0u32, std::ptr::null(), 0usize, std::ptr::null(), 0usize);
        // SAFETY: params is nvinfer's NvDsInferParseDetectionParams.
        unsafe {
            ds_sys::parser::ds_parser_detection_params(
                params, &mut n, &mut pre, &mut npre, &mut post, &mut npost,
            )
        };
        let slice = |p: *const f32, len: usize| -> &[f32] {
            if p.is_null() || len == 0 {
                &[]
            } else {
                // SAFETY: the vector's data, len floats, valid for the call.
                unsafe { std::slice::from_raw_parts(p, len) }
            }
        };
        let input = DetectorInput {
            layers: layer_slice(layers),
            // SAFETY: network is non-null, nvinfer's NvDsInferNetworkInfo.
            network: unsafe { *network },
            params: DetectionParams::new(n, slice(pre, npre), slice(post, npost)),
        };
        let mut out = Detections {
            vec: objects,
            failed: false,
            _p: PhantomData,
        };
        let r = parse(&input, &mut out);
        (r, out.failed)
    }));
    match r {
        Ok((r, failed)) => finish(name, Ok(r), failed),
        Err(p) => finish(name, Err(p), false),
    }
}

/// The body of [`crate::export_classifier_parser!`].
///
/// # Safety
/// The pointers are the arguments of an `NvDsInferClassiferParseCustomFunc`
/// call.
#[doc(hidden)]
pub unsafe fn classifier_entry(
    name: &str,
    layers: *const c_void,
    network: *const NetworkInfo,
    threshold: f32,
    attributes: *mut c_void,
    desc: *mut c_void,
    parse: ClassifierParseFn,
) -> bool {
    if layers.is_null() || network.is_null() || attributes.is_null() || desc.is_null() {
        return false;
    }
    let r = catch_unwind(AssertUnwindSafe(|| {
        let input = ClassifierInput {
            layers: layer_slice(layers),
            // SAFETY: network is non-null, nvinfer's NvDsInferNetworkInfo.
            network: unsafe { *network },
            threshold,
        };
        let mut out = Attributes {
            vec: attributes,
            desc,
            failed: false,
            _p: PhantomData,
        };
        let r = parse(&input, &mut out);
        (r, out.failed)
    }));
    match r {
        Ok((r, failed)) => finish(name, Ok(r), failed),
        Err(p) => finish(name, Err(p), false),
    }
}

/// Exports a Rust bounding-box parser under NVIDIA's ABI:
/// `export_bbox_parser!(NvDsInferParseCustomFoo, parse)` defines
/// `extern "C" bool NvDsInferParseCustomFoo(std::vector<NvDsInferLayerInfo>
/// const &, NvDsInferNetworkInfo const &, NvDsInferParseDetectionParams const
/// &, std::vector<NvDsInferObjectDetectionInfo> &)` calling
/// `parse(&DetectorInput, &mut Detections) -> Result<(), String>`. An `Err`
/// or a panic returns `false` (never unwinds into C++). See
/// [`crate::parser`].
#[macro_export]
macro_rules! export_bbox_parser {
    ($name:ident, $parse:path) => {
        /// Bounding-box parser exported under NVIDIA's ABI.
        ///
        /// # Safety
        /// Called by nvinfer as an `NvDsInferParseCustomFunc`.
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn $name(
            layers: *const ::std::os::raw::c_void,
            network: *const $crate::parser::__private::NvDsInferNetworkInfo,
            params: *const ::std::os::raw::c_void,
            objects: *mut ::std::os::raw::c_void,
        ) -> bool {
            // SAFETY: the C++ references of NVIDIA's ABI are these pointers;
            // nvinfer passes valid ones for the call.
            unsafe {
                $crate::parser::__private::bbox_entry(
                    stringify!($name),
                    layers,
                    network,
                    params,
                    objects,
                    $parse,
                )
            }
        }
    };
}

/// Exports a Rust classifier parser under NVIDIA's ABI:
/// `export_classifier_parser!(NvDsInferClassiferParseCustomFoo, parse)`
/// defines `extern "C" bool NAME(std::vector<NvDsInferLayerInfo> const &,
/// NvDsInferNetworkInfo const &, float, std::vector<NvDsInferAttribute> &,
/// std::string &)` calling `parse(&ClassifierInput, &mut Attributes) ->
/// Result<(), String>`.
#[macro_export]
macro_rules! export_classifier_parser {
    ($name:ident, $parse:path) => {
        /// Classifier parser exported under NVIDIA's ABI.
        ///
        /// # Safety
        /// Called by nvinfer as an `NvDsInferClassiferParseCustomFunc`.
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn $name(
            layers: *const ::std::os::raw::c_void,
            network: *const $crate::parser::__private::NvDsInferNetworkInfo,
            threshold: f32,
            attributes: *mut ::std::os::raw::c_void,
            desc: *mut ::std::os::raw::c_void,
        ) -> bool {
            // SAFETY: the C++ references of NVIDIA's ABI are these pointers;
            // nvinfer passes valid ones for the call.
            unsafe {
                $crate::parser::__private::classifier_entry(
                    stringify!($name),
                    layers,
                    network,
                    threshold,
                    attributes,
                    desc,
                    $parse,
                )
            }
        }
    };
}
