//! Parser for DeepStream's nvinfer configuration file (the file named by
//! nvinfer's `config-file-path` property).
//!
//! The format is a GLib key file as DeepStream reads it:
//! groups `[property]` (mandatory), `[class-attrs-all]` and
//! `[class-attrs-<class-id>]`; `key=value` lines; `#` comment lines and blank
//! lines; lists separated by `;` (a trailing `;` is allowed); spaces around
//! values and list elements are trimmed; booleans are `0`/`1` or
//! `true`/`false`. Relative paths are resolved against the directory of the
//! config file, as DeepStream does (through the real path of the config
//! file; the resolved file's real path when it exists).
//!
//! Key names, value ranges and defaults follow DeepStream's own parser
//! (`gstnvinfer_property_parser.cpp`): for example `pre-cluster-threshold`
//! defaults to 0.2, `nms-iou-threshold` to 0.3, `topk` to -1 (keep all),
//! `gie-unique-id` to 15 and `cluster-mode` to 0 (group rectangles).
//! A `[class-attrs-<N>]` group starts from the values of `[class-attrs-all]`
//! (wherever the groups are in the file), so keys it does not set inherit
//! them.
//!
//! Differences from DeepStream:
//! - Unknown keys and groups are reported as [`ConfigWarning`]s with file and
//!   line instead of printed; bad values are [`ConfigError`]s naming file,
//!   line, key and value. Negative values for unsigned keys, non-numeric
//!   `[class-attrs-…]` suffixes and trailing garbage after numbers are errors
//!   (DeepStream reads some of these leniently).
//! - Keys for TensorRT, Caffe, UFF, TLT, DLA and NVIDIA's scaling hardware
//!   (see the crate's `configs/README.md`) are accepted and type-checked but
//!   have no effect on the open backend, except `network-mode`,
//!   `int8-calib-file` and `model-engine-file`, which choose, quantise and
//!   cache the model ONNX Runtime runs (see `nvinfer::int8`).
//! - Extension keys in `[property]`: `class-map` ([`ClassMap`], maps
//!   model classes onto the application's classes, dropping the others),
//!   `onnxruntime-lib` (path to `libonnxruntime.so`), and
//!   `inference-workers` / `inference-threads`, which share the CPU out
//!   among ONNX Runtime sessions ([`workers`](super::workers)). NVIDIA's nvinfer warns
//!   about them and ignores them, so one file serves both backends.
//!
//! ```
//! use ds_open::nvinfer::config::{ClusterMode, InferConfig};
//! let text = "[property]\nnum-detected-classes=4\ncluster-mode=2\n\
//!             [class-attrs-all]\npre-cluster-threshold=0.4\n";
//! let (cfg, warnings) =
//!     InferConfig::parse(text, std::path::Path::new("/cfg/pgie.txt")).unwrap();
//! assert!(warnings.is_empty());
//! assert_eq!(cfg.cluster_mode, ClusterMode::Nms);
//! assert_eq!(cfg.class_attrs_for(3).pre_cluster_threshold, 0.4);
//! ```

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::path::{Component, Path, PathBuf};
use std::str::FromStr;

/// The mandatory group.
pub const GROUP_PROPERTY: &str = "property";
/// The group whose values apply to every class.
pub const GROUP_CLASS_ATTRS_ALL: &str = "class-attrs-all";
/// Prefix of the per-class groups `[class-attrs-<class-id>]`.
pub const CLASS_ATTRS_PREFIX: &str = "class-attrs-";
/// Largest `batch-size` DeepStream accepts (`NVDSINFER_MAX_BATCH_SIZE`).
pub const MAX_BATCH_SIZE: u32 = 1024;
/// Most `offsets` values DeepStream accepts (`_MAX_CHANNELS`).
pub const MAX_OFFSETS: usize = 4;
/// Largest value of the extension keys `inference-workers` and
/// `inference-threads` (ours, not DeepStream's).
pub const MAX_INFERENCE_WORKERS: u32 = 64;
/// nvinfer's default `gie-unique-id` (its `unique-id` property default).
pub const DEFAULT_UNIQUE_ID: u32 = 15;
/// nvinfer's default `secondary-reinfer-interval` (`G_MAXINT`: never re-infer
/// an object that already has a result).
pub const DEFAULT_SECONDARY_REINFER_INTERVAL: u32 = i32::MAX as u32;

macro_rules! config_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident, expected $expected:literal {
            $($(#[$vmeta:meta])* $variant:ident = $code:literal,)+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl $name {
            /// The integer the config file uses for this value.
            pub fn code(self) -> u32 {
                match self {
                    $(Self::$variant => $code,)+
                }
            }

            /// The value for a config-file integer, if it is a valid one.
            pub fn from_code(code: i64) -> Option<Self> {
                match code {
                    $($code => Some(Self::$variant),)+
                    _ => None,
                }
            }

            const EXPECTED: &'static str = $expected;
        }
    };
}

config_enum! {
    /// `model-color-format`: the channel order the network expects.
    pub enum ModelColorFormat, expected "0 (RGB), 1 (BGR) or 2 (GRAY)" {
        /// 0 (default).
        #[default]
        Rgb = 0,
        /// 1.
        Bgr = 1,
        /// 2: one channel.
        Gray = 2,
    }
}

impl ModelColorFormat {
    /// Number of input channels (3, or 1 for [`ModelColorFormat::Gray`]).
    pub fn channels(self) -> usize {
        match self {
            ModelColorFormat::Gray => 1,
            _ => 3,
        }
    }
}

config_enum! {
    /// `network-mode`: the precision TensorRT builds the engine with. The
    /// open backend's meaning of each value: `nvinfer::int8`.
    pub enum NetworkMode, expected "0 (FP32), 1 (INT8), 2 (FP16) or 3 (BEST)" {
        /// 0 (default).
        #[default]
        Fp32 = 0,
        /// 1.
        Int8 = 1,
        /// 2.
        Fp16 = 2,
        /// 3 (DeepStream 7.x).
        Best = 3,
    }
}

config_enum! {
    /// `process-mode`: infer on whole frames or on objects found upstream.
    pub enum ProcessMode, expected "1 (primary) or 2 (secondary)" {
        /// 1 (default): full frames.
        #[default]
        Primary = 1,
        /// 2: objects (crops) selected by `operate-on-gie-id` / `-class-ids`.
        Secondary = 2,
    }
}

config_enum! {
    /// `network-type`.
    pub enum NetworkType,
        expected "0 (detector), 1 (classifier), 2 (segmentation), \
                  3 (instance segmentation) or 100 (other)" {
        /// 0 (default).
        #[default]
        Detector = 0,
        /// 1.
        Classifier = 1,
        /// 2.
        Segmentation = 2,
        /// 3.
        InstanceSegmentation = 3,
        /// 100: no output parsing (use `output-tensor-meta=1`).
        Other = 100,
    }
}

impl NetworkType {
    /// Whether DeepStream reads `[class-attrs-…]` groups for this type
    /// (detectors and instance segmentation).
    pub fn has_class_attrs(self) -> bool {
        matches!(
            self,
            NetworkType::Detector | NetworkType::InstanceSegmentation
        )
    }
}

config_enum! {
    /// `cluster-mode`: how a detector's raw boxes are clustered.
    pub enum ClusterMode,
        expected "0 (group rectangles), 1 (DBSCAN), 2 (NMS), 3 (DBSCAN+NMS) or 4 (none)" {
        /// 0 (DeepStream's default): OpenCV-style groupRectangles.
        #[default]
        GroupRectangles = 0,
        /// 1.
        Dbscan = 1,
        /// 2: non-maximum suppression.
        Nms = 2,
        /// 3: DBSCAN then NMS.
        DbscanNms = 3,
        /// 4: no clustering.
        None = 4,
    }
}

config_enum! {
    /// `network-input-order`: layout of the network's input tensor.
    pub enum TensorOrder, expected "0 (NCHW) or 1 (NHWC)" {
        /// 0 (default).
        #[default]
        Nchw = 0,
        /// 1.
        Nhwc = 1,
    }
}

/// Our extension key `class-map`: maps the model's output class ids onto the
/// application's class ids, e.g. `class-map=2:0;5:0;7:0;1:1;3:1;0:2;9:3;11:3`
/// (model class `:` output class). Model classes not listed are dropped.
/// Parse one with `str::parse` (`"2:0;5:0".parse::<ClassMap>()`; spaces and
/// a trailing `;` are allowed) or collect it from `(model, output)` pairs.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ClassMap {
    map: BTreeMap<u32, u32>,
}

impl ClassMap {
    /// The output class for `model_class`, or `None` when it is dropped.
    pub fn map(&self, model_class: u32) -> Option<u32> {
        self.map.get(&model_class).copied()
    }

    /// `(model class, output class)` pairs, by model class.
    pub fn iter(&self) -> impl Iterator<Item = (u32, u32)> + '_ {
        self.map.iter().map(|(&m, &o)| (m, o))
    }

    /// Number of model classes kept.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether no model class is kept.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// The largest output class id, if any.
    pub fn max_output_class(&self) -> Option<u32> {
        self.map.values().copied().max()
    }
}

impl FromStr for ClassMap {
    /// What was expected (as in [`ConfigError::BadValue`]).
    type Err = &'static str;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        const EXPECTED: &str = "model-class:output-class pairs separated by ';', e.g. 2:0;5:0";
        let items = split_list(s).map_err(|()| EXPECTED)?;
        if items.is_empty() {
            return Err(EXPECTED);
        }
        let mut map = BTreeMap::new();
        for item in items {
            let (m, o) = item.split_once(':').ok_or(EXPECTED)?;
            let m: u32 = parse_uint(m.trim()).ok_or(EXPECTED)?;
            let o: u32 = parse_uint(o.trim()).ok_or(EXPECTED)?;
            if map.insert(m, o).is_some() {
                return Err("each model class to appear once");
            }
        }
        Ok(ClassMap { map })
    }
}

impl FromIterator<(u32, u32)> for ClassMap {
    fn from_iter<I: IntoIterator<Item = (u32, u32)>>(iter: I) -> Self {
        ClassMap {
            map: iter.into_iter().collect(),
        }
    }
}

/// Per-class detection parameters: `[class-attrs-all]` and
/// `[class-attrs-<N>]`. Defaults are DeepStream's.
#[derive(Debug, Clone, PartialEq)]
pub struct ClassAttrs {
    /// `pre-cluster-threshold` (legacy `threshold`): minimum confidence of a
    /// raw box. Default 0.2.
    pub pre_cluster_threshold: f32,
    /// `post-cluster-threshold`: minimum confidence after clustering.
    /// Default 0.0.
    pub post_cluster_threshold: f32,
    /// `nms-iou-threshold` (0..=1): boxes overlapping more are suppressed.
    /// Default 0.3.
    pub nms_iou_threshold: f32,
    /// `topk`: keep at most this many boxes per class after clustering;
    /// -1 (the default) keeps all. An explicit value must be >= 0.
    pub topk: i32,
    /// `eps` (DBSCAN neighbourhood / group-rectangles epsilon). Default 0.
    pub eps: f32,
    /// `group-threshold` (group rectangles). Default 0.
    pub group_threshold: u32,
    /// `minBoxes` (DBSCAN). Default 0.
    pub minboxes: u32,
    /// `dbscan-min-score`. Default 0.
    pub dbscan_min_score: f32,
    /// `detected-min-w`: drop narrower objects (0 = no limit).
    pub detected_min_w: u32,
    /// `detected-min-h`: drop shorter objects (0 = no limit).
    pub detected_min_h: u32,
    /// `detected-max-w`: drop wider objects (0 = no limit).
    pub detected_max_w: u32,
    /// `detected-max-h`: drop taller objects (0 = no limit).
    pub detected_max_h: u32,
    /// `roi-top-offset`: drop objects above this many pixels from the top.
    pub roi_top_offset: u32,
    /// `roi-bottom-offset`: drop objects below this many pixels from the
    /// bottom.
    pub roi_bottom_offset: u32,
    /// `border-color` (r;g;b;a, each 0..=1) of the object's box. Default red
    /// (1;0;0;1).
    pub border_color: [f32; 4],
    /// `bg-color` (r;g;b;a): box fill; `None` (default) = no fill.
    pub bg_color: Option<[f32; 4]>,
}

impl Default for ClassAttrs {
    fn default() -> Self {
        ClassAttrs {
            pre_cluster_threshold: 0.2,
            post_cluster_threshold: 0.0,
            nms_iou_threshold: 0.3,
            topk: -1,
            eps: 0.0,
            group_threshold: 0,
            minboxes: 0,
            dbscan_min_score: 0.0,
            detected_min_w: 0,
            detected_min_h: 0,
            detected_max_w: 0,
            detected_max_h: 0,
            roi_top_offset: 0,
            roi_bottom_offset: 0,
            border_color: [1.0, 0.0, 0.0, 1.0],
            bg_color: None,
        }
    }
}

/// A parsed nvinfer config file. Field docs name the key; defaults are
/// DeepStream's ([`InferConfig::default`]). Paths are already resolved
/// against the config file's directory.
#[derive(Debug, Clone, PartialEq)]
pub struct InferConfig {
    /// `gpu-id`. Default 0 (parsed, unused on the CPU).
    pub gpu_id: u32,
    /// `onnx-file`: the model the open backend runs.
    pub onnx_file: Option<PathBuf>,
    /// `model-engine-file`: the prepared model the open backend writes on
    /// first use and loads afterwards (see `nvinfer::engine_cache`).
    pub model_engine_file: Option<PathBuf>,
    /// `int8-calib-file`: TensorRT calibration cache for `network-mode=1`.
    pub int8_calib_file: Option<PathBuf>,
    /// `labelfile-path`.
    pub labelfile_path: Option<PathBuf>,
    /// `batch-size` (1..=1024). Default 1.
    pub batch_size: u32,
    /// `net-scale-factor`: `y = net_scale_factor * (x - offset[c])`.
    /// Default 1.0.
    pub net_scale_factor: f32,
    /// `offsets`: per-channel means (at most 4); empty = all 0.
    pub offsets: Vec<f32>,
    /// `model-color-format`. Default RGB.
    pub model_color_format: ModelColorFormat,
    /// `network-mode`. Default FP32 (see `nvinfer::int8` for the open backend's meaning).
    pub network_mode: NetworkMode,
    /// `num-detected-classes`: number of (output) classes of a detector;
    /// must be > 0 for detectors. With `class-map`, the application's
    /// classes. Default 0.
    pub num_detected_classes: u32,
    /// `interval`: frames (batches) skipped between inferences, primary mode.
    /// Default 0.
    pub interval: u32,
    /// `gie-unique-id` (> 0): written to the metadata this instance makes.
    /// Default 15 (nvinfer's `unique-id` default).
    pub gie_unique_id: u32,
    /// `process-mode`. Default primary.
    pub process_mode: ProcessMode,
    /// `operate-on-gie-id`: secondary mode, infer only on objects made by
    /// this GIE; -1 (default) = any.
    pub operate_on_gie_id: i32,
    /// `operate-on-class-ids` (each >= 0): secondary mode, infer only on
    /// these classes; empty (default) = all.
    pub operate_on_class_ids: Vec<i32>,
    /// `network-type` (legacy `is-classifier`). Default detector.
    pub network_type: NetworkType,
    /// `cluster-mode` (legacy `enable-dbscan`). Default group rectangles.
    pub cluster_mode: ClusterMode,
    /// `output-tensor-meta`: attach the raw output tensors as user meta.
    pub output_tensor_meta: bool,
    /// `maintain-aspect-ratio`: letterbox instead of stretch when scaling.
    pub maintain_aspect_ratio: bool,
    /// `symmetric-padding`: with `maintain-aspect-ratio`, pad on both sides
    /// (centre the image) instead of right/bottom only.
    pub symmetric_padding: bool,
    /// `classifier-threshold` (>= 0): minimum confidence of a classifier
    /// label. Default 0.
    pub classifier_threshold: f32,
    /// `classifier-async-mode`: secondary classifiers attach results
    /// asynchronously (tracked objects).
    pub classifier_async_mode: bool,
    /// `classifier-type`: the string written to classifier meta.
    pub classifier_type: Option<String>,
    /// `secondary-reinfer-interval`: frames after which a tracked object is
    /// classified again. Default `i32::MAX` (never).
    pub secondary_reinfer_interval: u32,
    /// `input-object-min-width` (secondary mode, 0 = no limit; nvinfer never
    /// infers on objects smaller than 16x16).
    pub input_object_min_width: u32,
    /// `input-object-min-height`.
    pub input_object_min_height: u32,
    /// `input-object-max-width` (0 = no limit).
    pub input_object_max_width: u32,
    /// `input-object-max-height` (0 = no limit).
    pub input_object_max_height: u32,
    /// `parse-bbox-func-name`: the output parser to use.
    pub parse_bbox_func_name: Option<String>,
    /// `parse-classifier-func-name`.
    pub parse_classifier_func_name: Option<String>,
    /// `custom-lib-path`: the parser library whose `parse-bbox-func-name`
    /// function the open nvinfer calls (NVIDIA's custom parser ABI),
    /// resolved against the config file's directory as NVIDIA's nvinfer does.
    pub custom_lib_path: Option<PathBuf>,
    /// `custom-lib-path` was a bare file name (no `/`): when no such file is
    /// next to the config, the open nvinfer also searches next to the
    /// executable and by the dynamic loader's search
    /// ([`super::custom_lib`]).
    pub custom_lib_bare_name: bool,
    /// `output-blob-names`: output tensor names.
    pub output_blob_names: Vec<String>,
    /// `infer-dims` (C;H;W, each > 0; legacy `input-dims` / `uff-input-dims`).
    pub infer_dims: Option<[u32; 3]>,
    /// `network-input-order`. Default NCHW.
    pub network_input_order: TensorOrder,
    /// `filter-out-class-ids`: detector classes whose objects are dropped.
    pub filter_out_class_ids: Vec<u32>,
    /// `segmentation-threshold` (>= 0). Default 0.
    pub segmentation_threshold: f32,
    /// `mean-file`: a PPM mean image (DeepStream subtracts it instead of
    /// `offsets`).
    pub mean_file: Option<PathBuf>,
    /// `input-tensor-from-meta`: take preprocessed tensors from upstream
    /// (nvdspreprocess) instead of frames.
    pub input_tensor_from_meta: bool,
    /// Extension `class-map`: model class -> application class.
    pub class_map: Option<ClassMap>,
    /// Extension `onnxruntime-lib`: path to `libonnxruntime.so`.
    pub onnxruntime_lib: Option<PathBuf>,
    /// Extension `inference-workers`: ONNX Runtime sessions that run
    /// consecutive batches at the same time (0, the default: automatic,
    /// see [`Workers::plan`](super::workers::Workers::plan)).
    pub inference_workers: u32,
    /// Extension `inference-threads`: ONNX Runtime intra-op threads of each
    /// worker (0, the default: automatic).
    pub inference_threads: u32,
    /// `[class-attrs-all]` (defaults when absent).
    pub class_attrs_all: ClassAttrs,
    /// `[class-attrs-<N>]`, each complete (started from `[class-attrs-all]`).
    pub class_attrs: BTreeMap<u32, ClassAttrs>,
}

impl Default for InferConfig {
    fn default() -> Self {
        InferConfig {
            gpu_id: 0,
            onnx_file: None,
            model_engine_file: None,
            int8_calib_file: None,
            labelfile_path: None,
            batch_size: 1,
            net_scale_factor: 1.0,
            offsets: Vec::new(),
            model_color_format: ModelColorFormat::Rgb,
            network_mode: NetworkMode::Fp32,
            num_detected_classes: 0,
            interval: 0,
            gie_unique_id: DEFAULT_UNIQUE_ID,
            process_mode: ProcessMode::Primary,
            operate_on_gie_id: -1,
            operate_on_class_ids: Vec::new(),
            network_type: NetworkType::Detector,
            cluster_mode: ClusterMode::GroupRectangles,
            output_tensor_meta: false,
            maintain_aspect_ratio: false,
            symmetric_padding: false,
            classifier_threshold: 0.0,
            classifier_async_mode: false,
            classifier_type: None,
            secondary_reinfer_interval: DEFAULT_SECONDARY_REINFER_INTERVAL,
            input_object_min_width: 0,
            input_object_min_height: 0,
            input_object_max_width: 0,
            input_object_max_height: 0,
            parse_bbox_func_name: None,
            parse_classifier_func_name: None,
            custom_lib_path: None,
            custom_lib_bare_name: false,
            output_blob_names: Vec::new(),
            infer_dims: None,
            network_input_order: TensorOrder::Nchw,
            filter_out_class_ids: Vec::new(),
            segmentation_threshold: 0.0,
            mean_file: None,
            input_tensor_from_meta: false,
            class_map: None,
            onnxruntime_lib: None,
            inference_workers: 0,
            inference_threads: 0,
            class_attrs_all: ClassAttrs::default(),
            class_attrs: BTreeMap::new(),
        }
    }
}

/// Why a config file could not be used. `Display` gives one line starting
/// with the file (and line, where there is one).
#[derive(Debug)]
#[non_exhaustive]
pub enum ConfigError {
    /// The file could not be read.
    Io {
        /// The path as given.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A line is not a comment, a `[group]` header or `key=value` in a group.
    Syntax {
        /// The config file.
        file: PathBuf,
        /// 1-based line.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// A value does not fit its key.
    BadValue {
        /// The config file.
        file: PathBuf,
        /// 1-based line.
        line: usize,
        /// The group of the key, without brackets.
        group: String,
        /// The key.
        key: String,
        /// The value (trimmed).
        value: String,
        /// What the key takes.
        expected: &'static str,
    },
    /// The `[property]` group is missing.
    MissingGroup {
        /// The config file.
        file: PathBuf,
        /// The group, without brackets.
        group: String,
    },
    /// Values that are each valid but do not fit together.
    Invalid {
        /// The config file.
        file: PathBuf,
        /// 1-based line of the key (or group) at fault, when it is in the
        /// file.
        line: Option<usize>,
        /// The problem.
        error: ValidationError,
    },
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::Io { path, source } => {
                write!(
                    f,
                    "cannot read nvinfer config '{}': {source}",
                    path.display()
                )
            }
            ConfigError::Syntax {
                file,
                line,
                message,
            } => write!(f, "{}:{line}: {message}", file.display()),
            ConfigError::BadValue {
                file,
                line,
                key,
                value,
                expected,
                ..
            } => write!(
                f,
                "{}:{line}: bad value '{value}' for key '{key}' (expected {expected})",
                file.display()
            ),
            ConfigError::MissingGroup { file, group } => write!(
                f,
                "{}: missing group [{group}] (an nvinfer config file needs one)",
                file.display()
            ),
            ConfigError::Invalid { file, line, error } => match line {
                Some(line) => write!(f, "{}:{line}: {error}", file.display()),
                None => write!(f, "{}: {error}", file.display()),
            },
        }
    }
}

impl std::error::Error for ConfigError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ConfigError::Io { source, .. } => Some(source),
            ConfigError::Invalid { error, .. } => Some(error),
            _ => None,
        }
    }
}

/// A cross-key problem found by [`InferConfig::validate`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationError {
    /// The group at fault, without brackets.
    pub group: String,
    /// The key at fault, or `None` when the group itself is.
    pub key: Option<String>,
    /// The problem, one sentence without the file name.
    pub message: String,
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ValidationError {}

/// Something in the file that is ignored or deprecated; parsing goes on.
/// `Display`: `file:line: message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigWarning {
    /// The config file.
    pub file: PathBuf,
    /// 1-based line.
    pub line: usize,
    /// What it is about.
    pub kind: WarningKind,
}

/// The kinds of [`ConfigWarning`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum WarningKind {
    /// A key neither DeepStream nor this parser knows (ignored).
    UnknownKey {
        /// Group, without brackets.
        group: String,
        /// The key.
        key: String,
    },
    /// A group other than `[property]` and `[class-attrs-…]` (ignored).
    UnknownGroup {
        /// Group, without brackets.
        group: String,
    },
    /// A key given twice in one group; the last value is used.
    DuplicateKey {
        /// Group, without brackets.
        group: String,
        /// The key.
        key: String,
        /// Line of the earlier, overridden value.
        first_line: usize,
    },
    /// A legacy key DeepStream still reads; use `replacement`.
    Deprecated {
        /// Group, without brackets.
        group: String,
        /// The legacy key.
        key: String,
        /// The key to use instead.
        replacement: String,
    },
    /// A legacy key ignored because its replacement is also set.
    Overridden {
        /// The legacy key.
        key: String,
        /// The key that wins.
        by: String,
    },
    /// A `[class-attrs-…]` group in a config whose `network-type` has no
    /// per-class detection parameters (DeepStream ignores it too).
    ClassAttrsIgnored {
        /// Group, without brackets.
        group: String,
        /// The configured network type.
        network_type: NetworkType,
    },
}

impl fmt::Display for ConfigWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: ", self.file.display(), self.line)?;
        match &self.kind {
            WarningKind::UnknownKey { group, key } => {
                write!(f, "unknown key '{key}' in [{group}] (ignored)")
            }
            WarningKind::UnknownGroup { group } => write!(f, "unknown group [{group}] (ignored)"),
            WarningKind::DuplicateKey {
                group,
                key,
                first_line,
            } => write!(
                f,
                "key '{key}' in [{group}] repeats line {first_line}; the last value is used"
            ),
            WarningKind::Deprecated {
                group,
                key,
                replacement,
            } => write!(
                f,
                "key '{key}' in [{group}] is deprecated, use '{replacement}' instead"
            ),
            WarningKind::Overridden { key, by } => {
                write!(f, "key '{key}' is ignored because '{by}' is set")
            }
            WarningKind::ClassAttrsIgnored {
                group,
                network_type,
            } => write!(
                f,
                "group [{group}] is ignored: network-type={} has no per-class detection \
                 parameters",
                network_type.code()
            ),
        }
    }
}

/// Value types of the keys that are accepted but have no effect on the open
/// backend (checked as DeepStream would read them).
#[derive(Clone, Copy)]
enum Kind {
    Str,
    Bool,
    Int,
    StrList,
}

/// `[property]` keys accepted and type-checked, without effect on the open
/// backend: TensorRT / Caffe / UFF / TLT / DLA / NVIDIA scaling hardware /
/// debugging options of NVIDIA's nvinfer.
const IGNORED_PROPERTY_KEYS: &[(&str, Kind)] = &[
    ("model-file", Kind::Str),
    ("proto-file", Kind::Str),
    ("uff-file", Kind::Str),
    ("uff-input-blob-name", Kind::Str),
    ("uff-input-order", Kind::Int),
    ("tlt-encoded-model", Kind::Str),
    ("tlt-model-key", Kind::Str),
    ("engine-create-func-name", Kind::Str),
    ("custom-network-config", Kind::Str),
    ("parse-bbox-instance-mask-func-name", Kind::Str),
    ("parse-func", Kind::Int),
    ("scaling-filter", Kind::Int),
    ("scaling-compute-hw", Kind::Int),
    ("workspace-size", Kind::Int),
    ("force-implicit-batch-dim", Kind::Bool),
    ("enable-dla", Kind::Bool),
    ("use-dla-core", Kind::Int),
    ("layer-device-precision", Kind::StrList),
    ("output-io-formats", Kind::StrList),
    ("tensor-meta-pool-size", Kind::Int),
    ("output-instance-mask", Kind::Bool),
    ("segmentation-output-order", Kind::Int),
    ("disable-output-host-copy", Kind::Bool),
    ("auto-inc-mem", Kind::Bool),
    ("max-gpu-mem-per", Kind::Int),
    ("dump-input-tensor", Kind::Bool),
    ("dump-output-tensor", Kind::Bool),
    ("overwrite-input-tensor", Kind::Bool),
    ("ip-tensor-file", Kind::Str),
    ("crop-objects-to-roi-boundary", Kind::Bool),
];

impl InferConfig {
    /// Reads and parses the config file at `path` (see [`InferConfig::parse`]).
    pub fn from_file(path: &Path) -> Result<(InferConfig, Vec<ConfigWarning>), ConfigError> {
        let bytes = std::fs::read(path).map_err(|source| ConfigError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let text = match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(e) => {
                let valid = e.utf8_error().valid_up_to();
                let line = 1 + e.as_bytes()[..valid]
                    .iter()
                    .filter(|&&b| b == b'\n')
                    .count();
                return Err(ConfigError::Syntax {
                    file: path.to_path_buf(),
                    line,
                    message: "the file is not valid UTF-8".to_string(),
                });
            }
        };
        InferConfig::parse(&text, path)
    }

    /// Parses config text. `file` names the file in messages, and relative
    /// paths in values are resolved against its directory. Returns the
    /// config (already [validated](InferConfig::validate)) and the warnings
    /// (unknown keys and groups, duplicates, deprecated keys) by line.
    pub fn parse(
        text: &str,
        file: &Path,
    ) -> Result<(InferConfig, Vec<ConfigWarning>), ConfigError> {
        let mut parser = Parser::new(file);
        let groups = parser.split_groups(text.strip_prefix('\u{feff}').unwrap_or(text))?;
        let config = parser.build(&groups)?;
        if let Err(error) = config.validate() {
            let line = parser.line_of(&error.group, error.key.as_deref());
            return Err(ConfigError::Invalid {
                file: file.to_path_buf(),
                line,
                error,
            });
        }
        let mut warnings = parser.warnings;
        warnings.sort_by_key(|w| w.line);
        Ok((config, warnings))
    }

    /// The detection parameters for (output) class `class_id`: its
    /// `[class-attrs-<N>]` group when there is one (which already inherits
    /// the keys it does not set from `[class-attrs-all]`), else
    /// `[class-attrs-all]`.
    pub fn class_attrs_for(&self, class_id: u32) -> &ClassAttrs {
        self.class_attrs
            .get(&class_id)
            .unwrap_or(&self.class_attrs_all)
    }

    /// The output class for a model class: through `class-map` when set
    /// (`None` = drop), else the model class itself.
    pub fn map_class(&self, model_class: u32) -> Option<u32> {
        match &self.class_map {
            Some(map) => map.map(model_class),
            None => Some(model_class),
        }
    }

    /// Cross-key checks (called by [`InferConfig::parse`]; call again after
    /// overriding fields from element properties):
    /// - `batch-size` in 1..=1024 and `gie-unique-id` > 0;
    /// - detectors (and instance segmentation) need `num-detected-classes` > 0,
    ///   `[class-attrs-<N>]` with N < `num-detected-classes`, and `class-map`
    ///   output classes < `num-detected-classes`.
    ///
    /// Secondary mode is allowed for every network type (secondary detectors
    /// exist).
    pub fn validate(&self) -> Result<(), ValidationError> {
        let err = |group: &str, key: Option<&str>, message: String| ValidationError {
            group: group.to_string(),
            key: key.map(str::to_string),
            message,
        };
        if self.batch_size == 0 || self.batch_size > MAX_BATCH_SIZE {
            return Err(err(
                GROUP_PROPERTY,
                Some("batch-size"),
                format!(
                    "batch-size must be from 1 to {MAX_BATCH_SIZE}, not {}",
                    self.batch_size
                ),
            ));
        }
        if self.gie_unique_id == 0 {
            return Err(err(
                GROUP_PROPERTY,
                Some("gie-unique-id"),
                "gie-unique-id must be > 0".to_string(),
            ));
        }
        if self.network_type.has_class_attrs() {
            let n = self.num_detected_classes;
            if n == 0 {
                return Err(err(
                    GROUP_PROPERTY,
                    Some("num-detected-classes"),
                    format!(
                        "num-detected-classes must be > 0 for network-type={}",
                        self.network_type.code()
                    ),
                ));
            }
            if let Some(&class_id) = self.class_attrs.keys().find(|&&c| c >= n) {
                return Err(err(
                    &format!("{CLASS_ATTRS_PREFIX}{class_id}"),
                    None,
                    format!(
                        "[{CLASS_ATTRS_PREFIX}{class_id}] is for class {class_id} but \
                         num-detected-classes={n} (class ids are 0..{n})"
                    ),
                ));
            }
            if let Some(map) = &self.class_map {
                if let Some((m, o)) = map.iter().find(|&(_, o)| o >= n) {
                    return Err(err(
                        GROUP_PROPERTY,
                        Some("class-map"),
                        format!(
                            "class-map maps model class {m} to class {o} but \
                             num-detected-classes={n} (output classes are 0..{n})"
                        ),
                    ));
                }
            }
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------
// Lexing

struct Entry {
    key: String,
    value: String,
    line: usize,
}

struct Group {
    name: String,
    line: usize,
    entries: Vec<Entry>,
}

struct Parser<'a> {
    file: &'a Path,
    /// Directory relative paths are resolved against (real path where it
    /// exists), and whether it is a real path.
    base: (PathBuf, bool),
    warnings: Vec<ConfigWarning>,
    /// (group, key) -> line, for validation messages.
    key_lines: HashMap<(String, String), usize>,
    group_lines: HashMap<String, usize>,
}

impl<'a> Parser<'a> {
    fn new(file: &'a Path) -> Self {
        Parser {
            file,
            base: config_dir(file),
            warnings: Vec::new(),
            key_lines: HashMap::new(),
            group_lines: HashMap::new(),
        }
    }

    fn syntax(&self, line: usize, message: String) -> ConfigError {
        ConfigError::Syntax {
            file: self.file.to_path_buf(),
            line,
            message,
        }
    }

    fn warn(&mut self, line: usize, kind: WarningKind) {
        self.warnings.push(ConfigWarning {
            file: self.file.to_path_buf(),
            line,
            kind,
        });
    }

    fn line_of(&self, group: &str, key: Option<&str>) -> Option<usize> {
        match key {
            Some(key) => self
                .key_lines
                .get(&(group.to_string(), key.to_string()))
                .copied(),
            None => self.group_lines.get(group).copied(),
        }
    }

    /// Splits the text into groups of entries (GLib key-file rules: repeated
    /// groups merge, a repeated key keeps its last value).
    fn split_groups(&mut self, text: &str) -> Result<Vec<Group>, ConfigError> {
        let mut groups: Vec<Group> = Vec::new();
        let mut current: Option<usize> = None;
        for (index, raw) in text.split('\n').enumerate() {
            let line = index + 1;
            let t = raw.trim();
            if t.is_empty() || t.starts_with('#') {
                continue;
            }
            if t.starts_with('[') {
                let name = t
                    .strip_prefix('[')
                    .and_then(|s| s.strip_suffix(']'))
                    .filter(|n| {
                        !n.is_empty()
                            && n.trim() == *n
                            && !n.contains(['[', ']'])
                            && !n.chars().any(char::is_control)
                    })
                    .ok_or_else(|| {
                        self.syntax(
                            line,
                            format!("invalid group header '{t}' (expected [group-name])"),
                        )
                    })?;
                current = Some(match groups.iter().position(|g| g.name == name) {
                    Some(i) => i,
                    None => {
                        groups.push(Group {
                            name: name.to_string(),
                            line,
                            entries: Vec::new(),
                        });
                        groups.len() - 1
                    }
                });
                continue;
            }
            let Some((key, value)) = t.split_once('=') else {
                return Err(self.syntax(
                    line,
                    format!(
                        "malformed line '{t}' (expected key=value, a [group] header or a \
                         # comment)"
                    ),
                ));
            };
            let key = key.trim();
            if key.is_empty() {
                return Err(self.syntax(line, format!("missing key name in '{t}'")));
            }
            let Some(g) = current else {
                return Err(self.syntax(
                    line,
                    format!("'{t}' is outside any group (expected a [group] header first)"),
                ));
            };
            let group = &mut groups[g];
            if let Some(pos) = group.entries.iter().position(|e| e.key == key) {
                let first_line = group.entries.remove(pos).line;
                let kind = WarningKind::DuplicateKey {
                    group: group.name.clone(),
                    key: key.to_string(),
                    first_line,
                };
                self.warn(line, kind);
            }
            groups[g].entries.push(Entry {
                key: key.to_string(),
                value: value.trim().to_string(),
                line,
            });
        }
        for g in &groups {
            self.group_lines.insert(g.name.clone(), g.line);
            for e in &g.entries {
                self.key_lines
                    .insert((g.name.clone(), e.key.clone()), e.line);
            }
        }
        Ok(groups)
    }

    fn value<'v>(&'v self, group: &'v str, e: &'v Entry) -> Value<'v> {
        Value {
            file: self.file,
            group,
            key: &e.key,
            raw: &e.value,
            line: e.line,
            base: &self.base,
        }
    }

    fn build(&mut self, groups: &[Group]) -> Result<InferConfig, ConfigError> {
        let Some(property) = groups.iter().find(|g| g.name == GROUP_PROPERTY) else {
            return Err(ConfigError::MissingGroup {
                file: self.file.to_path_buf(),
                group: GROUP_PROPERTY.to_string(),
            });
        };
        let mut config = InferConfig::default();
        self.parse_property(property, &mut config)?;

        // [class-attrs-all] first: per-class groups start from its values.
        if let Some(all) = groups.iter().find(|g| g.name == GROUP_CLASS_ATTRS_ALL) {
            let mut attrs = ClassAttrs::default();
            self.parse_class_attrs(all, &mut attrs)?;
            config.class_attrs_all = attrs;
        }
        for group in groups {
            let name = group.name.as_str();
            if name == GROUP_PROPERTY {
                continue;
            }
            let Some(suffix) = name.strip_prefix(CLASS_ATTRS_PREFIX) else {
                self.warn(
                    group.line,
                    WarningKind::UnknownGroup {
                        group: name.to_string(),
                    },
                );
                continue;
            };
            if suffix != "all" {
                let class_id = parse_uint::<u32>(suffix).ok_or_else(|| {
                    self.syntax(
                        group.line,
                        format!(
                            "invalid group [{name}] (expected [{CLASS_ATTRS_PREFIX}all] or \
                             [{CLASS_ATTRS_PREFIX}<class-id>] with a numeric class id)"
                        ),
                    )
                })?;
                let mut attrs = config.class_attrs_all.clone();
                self.parse_class_attrs(group, &mut attrs)?;
                config.class_attrs.insert(class_id, attrs);
            }
            if !config.network_type.has_class_attrs() {
                self.warn(
                    group.line,
                    WarningKind::ClassAttrsIgnored {
                        group: name.to_string(),
                        network_type: config.network_type,
                    },
                );
            }
        }
        Ok(config)
    }

    fn parse_property(&mut self, group: &Group, c: &mut InferConfig) -> Result<(), ConfigError> {
        let name = group.name.as_str();
        let keys: HashSet<&str> = group.entries.iter().map(|e| e.key.as_str()).collect();
        for e in &group.entries {
            let v = self.value(name, e);
            let mut warning = None;
            match e.key.as_str() {
                "gpu-id" => c.gpu_id = v.uint()?,
                "onnx-file" => c.onnx_file = Some(v.path()?),
                "model-engine-file" => c.model_engine_file = Some(v.path()?),
                "int8-calib-file" => c.int8_calib_file = Some(v.path()?),
                "labelfile-path" => c.labelfile_path = Some(v.path()?),
                "custom-lib-path" => {
                    c.custom_lib_path = Some(v.path()?);
                    c.custom_lib_bare_name = !v.string()?.contains('/');
                }
                "mean-file" => c.mean_file = Some(v.path()?),
                "onnxruntime-lib" => c.onnxruntime_lib = Some(v.path()?),
                "inference-workers" => {
                    c.inference_workers =
                        v.uint_in(0, MAX_INFERENCE_WORKERS, "an integer from 0 to 64")?
                }
                "inference-threads" => {
                    c.inference_threads =
                        v.uint_in(0, MAX_INFERENCE_WORKERS, "an integer from 0 to 64")?
                }
                "batch-size" => {
                    c.batch_size = v.uint_in(1, MAX_BATCH_SIZE, "an integer from 1 to 1024")?
                }
                "net-scale-factor" => c.net_scale_factor = v.float()?,
                "offsets" => {
                    c.offsets = v.list(parse_float, "numbers separated by ';'")?;
                    if c.offsets.len() > MAX_OFFSETS {
                        return Err(v.bad("at most 4 numbers separated by ';'"));
                    }
                }
                "model-color-format" => c.model_color_format = v.enumeration()?,
                "network-mode" => c.network_mode = v.enumeration()?,
                "num-detected-classes" => c.num_detected_classes = v.uint()?,
                "interval" => c.interval = v.uint()?,
                "gie-unique-id" => c.gie_unique_id = v.uint_in(1, u32::MAX, "an integer > 0")?,
                "process-mode" => c.process_mode = v.enumeration()?,
                "operate-on-gie-id" => c.operate_on_gie_id = v.int()?,
                "operate-on-class-ids" => {
                    c.operate_on_class_ids = v.list(
                        |s| parse_uint::<u32>(s).and_then(|x| i32::try_from(x).ok()),
                        "class ids (integers >= 0) separated by ';'",
                    )?
                }
                "filter-out-class-ids" => {
                    c.filter_out_class_ids =
                        v.list(parse_uint, "class ids (integers >= 0) separated by ';'")?
                }
                "network-type" => c.network_type = v.enumeration()?,
                "is-classifier" => {
                    let is_classifier = v.boolean()?;
                    if !keys.contains("network-type") {
                        c.network_type = if is_classifier {
                            NetworkType::Classifier
                        } else {
                            NetworkType::Detector
                        };
                    }
                    warning = Some(deprecated(name, "is-classifier", "network-type"));
                }
                "cluster-mode" => c.cluster_mode = v.enumeration()?,
                "enable-dbscan" => {
                    let dbscan = v.boolean()?;
                    if keys.contains("cluster-mode") {
                        warning = Some(WarningKind::Overridden {
                            key: "enable-dbscan".to_string(),
                            by: "cluster-mode".to_string(),
                        });
                    } else {
                        if dbscan {
                            c.cluster_mode = ClusterMode::Dbscan;
                        }
                        warning = Some(deprecated(name, "enable-dbscan", "cluster-mode"));
                    }
                }
                "output-tensor-meta" => c.output_tensor_meta = v.boolean()?,
                "maintain-aspect-ratio" => c.maintain_aspect_ratio = v.boolean()?,
                "symmetric-padding" => c.symmetric_padding = v.boolean()?,
                "classifier-threshold" => c.classifier_threshold = v.non_negative_float()?,
                "classifier-async-mode" => c.classifier_async_mode = v.boolean()?,
                "classifier-type" => c.classifier_type = v.opt_string()?,
                "secondary-reinfer-interval" => c.secondary_reinfer_interval = v.uint()?,
                "input-object-min-width" => c.input_object_min_width = v.uint()?,
                "input-object-min-height" => c.input_object_min_height = v.uint()?,
                "input-object-max-width" => c.input_object_max_width = v.uint()?,
                "input-object-max-height" => c.input_object_max_height = v.uint()?,
                "parse-bbox-func-name" => c.parse_bbox_func_name = v.opt_string()?,
                "parse-classifier-func-name" => c.parse_classifier_func_name = v.opt_string()?,
                "output-blob-names" => {
                    c.output_blob_names =
                        v.list(|s| Some(s.to_string()), "names separated by ';'")?
                }
                "infer-dims" => {
                    let dims = v.dims(3)?;
                    c.infer_dims = Some([dims[0], dims[1], dims[2]]);
                }
                "input-dims" | "uff-input-dims" => {
                    let dims = v.dims(4)?;
                    if keys.contains("infer-dims") {
                        warning = Some(WarningKind::Overridden {
                            key: e.key.clone(),
                            by: "infer-dims".to_string(),
                        });
                    } else {
                        c.infer_dims = Some([dims[0], dims[1], dims[2]]);
                        warning = Some(deprecated(name, &e.key, "infer-dims"));
                    }
                }
                "network-input-order" => c.network_input_order = v.enumeration()?,
                "segmentation-threshold" => c.segmentation_threshold = v.non_negative_float()?,
                "input-tensor-from-meta" => c.input_tensor_from_meta = v.boolean()?,
                "class-map" => {
                    c.class_map = Some(v.raw.parse::<ClassMap>().map_err(|exp| v.bad(exp))?)
                }
                key => match IGNORED_PROPERTY_KEYS.iter().find(|(k, _)| *k == key) {
                    Some(&(_, kind)) => v.check_kind(kind)?,
                    None => {
                        warning = Some(WarningKind::UnknownKey {
                            group: name.to_string(),
                            key: key.to_string(),
                        })
                    }
                },
            }
            if let Some(kind) = warning {
                self.warn(e.line, kind);
            }
        }
        Ok(())
    }

    fn parse_class_attrs(&mut self, group: &Group, a: &mut ClassAttrs) -> Result<(), ConfigError> {
        let name = group.name.as_str();
        for e in &group.entries {
            let v = self.value(name, e);
            let mut warning = None;
            match e.key.as_str() {
                "pre-cluster-threshold" => a.pre_cluster_threshold = v.non_negative_float()?,
                "threshold" => {
                    a.pre_cluster_threshold = v.non_negative_float()?;
                    warning = Some(deprecated(name, "threshold", "pre-cluster-threshold"));
                }
                "post-cluster-threshold" => a.post_cluster_threshold = v.non_negative_float()?,
                "eps" => a.eps = v.non_negative_float()?,
                "group-threshold" => a.group_threshold = v.uint()?,
                "minBoxes" => a.minboxes = v.uint()?,
                "dbscan-min-score" => a.dbscan_min_score = v.non_negative_float()?,
                "nms-iou-threshold" => {
                    let x = v.float()?;
                    if !(0.0..=1.0).contains(&x) {
                        return Err(v.bad("a number from 0 to 1"));
                    }
                    a.nms_iou_threshold = x;
                }
                "topk" => {
                    a.topk = v.uint_in(0, i32::MAX as u32, "an integer >= 0")? as i32;
                }
                "roi-top-offset" => a.roi_top_offset = v.uint()?,
                "roi-bottom-offset" => a.roi_bottom_offset = v.uint()?,
                "detected-min-w" => a.detected_min_w = v.uint()?,
                "detected-min-h" => a.detected_min_h = v.uint()?,
                "detected-max-w" => a.detected_max_w = v.uint()?,
                "detected-max-h" => a.detected_max_h = v.uint()?,
                "border-color" => a.border_color = v.color()?,
                "bg-color" => a.bg_color = Some(v.color()?),
                key => {
                    warning = Some(WarningKind::UnknownKey {
                        group: name.to_string(),
                        key: key.to_string(),
                    })
                }
            }
            if let Some(kind) = warning {
                self.warn(e.line, kind);
            }
        }
        Ok(())
    }
}

fn deprecated(group: &str, key: &str, replacement: &str) -> WarningKind {
    WarningKind::Deprecated {
        group: group.to_string(),
        key: key.to_string(),
        replacement: replacement.to_string(),
    }
}

// ---------------------------------------------------------------------------
// Values

/// One `key=value` with what is needed to report a bad value.
struct Value<'v> {
    file: &'v Path,
    group: &'v str,
    key: &'v str,
    raw: &'v str,
    line: usize,
    base: &'v (PathBuf, bool),
}

impl Value<'_> {
    fn bad(&self, expected: &'static str) -> ConfigError {
        ConfigError::BadValue {
            file: self.file.to_path_buf(),
            line: self.line,
            group: self.group.to_string(),
            key: self.key.to_string(),
            value: self.raw.to_string(),
            expected,
        }
    }

    fn uint(&self) -> Result<u32, ConfigError> {
        parse_uint(self.raw).ok_or_else(|| self.bad("an integer >= 0"))
    }

    fn uint_in(&self, min: u32, max: u32, expected: &'static str) -> Result<u32, ConfigError> {
        parse_uint::<u32>(self.raw)
            .filter(|x| (min..=max).contains(x))
            .ok_or_else(|| self.bad(expected))
    }

    fn int(&self) -> Result<i32, ConfigError> {
        parse_int(self.raw).ok_or_else(|| self.bad("an integer"))
    }

    fn float(&self) -> Result<f32, ConfigError> {
        parse_float(self.raw).ok_or_else(|| self.bad("a number"))
    }

    fn non_negative_float(&self) -> Result<f32, ConfigError> {
        parse_float(self.raw)
            .filter(|x| *x >= 0.0)
            .ok_or_else(|| self.bad("a number >= 0"))
    }

    fn boolean(&self) -> Result<bool, ConfigError> {
        parse_bool(self.raw).ok_or_else(|| self.bad("0, 1, true or false"))
    }

    fn enumeration<T: ConfigEnum>(&self) -> Result<T, ConfigError> {
        parse_int(self.raw)
            .and_then(|code| T::from_code(i64::from(code)))
            .ok_or_else(|| self.bad(T::EXPECTED))
    }

    fn string(&self) -> Result<String, ConfigError> {
        unescape(self.raw).map_err(|()| self.bad("a string (escapes: \\s \\n \\t \\r \\\\)"))
    }

    /// A string; empty = `None`.
    fn opt_string(&self) -> Result<Option<String>, ConfigError> {
        Ok(Some(self.string()?).filter(|s| !s.is_empty()))
    }

    fn path(&self) -> Result<PathBuf, ConfigError> {
        let s = self.string()?;
        if s.is_empty() {
            return Err(self.bad("a file path"));
        }
        Ok(resolve_path(self.base, Path::new(&s)))
    }

    /// A `;`-separated list (trailing `;` allowed, elements trimmed, no empty
    /// element); an empty value is an empty list.
    fn list<T>(
        &self,
        parse: impl Fn(&str) -> Option<T>,
        expected: &'static str,
    ) -> Result<Vec<T>, ConfigError> {
        let items = split_list(self.raw).map_err(|()| self.bad(expected))?;
        items
            .iter()
            .map(|s| parse(s).ok_or_else(|| self.bad(expected)))
            .collect()
    }

    /// `n` integers: C;H;W (each > 0), plus the input order (0..=2) for the
    /// legacy 4-element `input-dims`.
    fn dims(&self, n: usize) -> Result<Vec<u32>, ConfigError> {
        let expected = if n == 3 {
            "3 integers > 0 separated by ';' (C;H;W)"
        } else {
            "4 integers separated by ';' (C;H;W;order, order 0, 1 or 2)"
        };
        let dims: Vec<u32> = self.list(parse_uint, expected)?;
        let ok = dims.len() == n
            && dims[..3].iter().all(|&d| d > 0)
            && dims.get(3).is_none_or(|&order| order <= 2);
        if ok {
            Ok(dims)
        } else {
            Err(self.bad(expected))
        }
    }

    fn color(&self) -> Result<[f32; 4], ConfigError> {
        const EXPECTED: &str = "4 numbers from 0 to 1 separated by ';' (r;g;b;a)";
        let values: Vec<f32> = self.list(parse_float, EXPECTED)?;
        match values[..] {
            [r, g, b, a] if values.iter().all(|x| (0.0..=1.0).contains(x)) => Ok([r, g, b, a]),
            _ => Err(self.bad(EXPECTED)),
        }
    }

    fn check_kind(&self, kind: Kind) -> Result<(), ConfigError> {
        match kind {
            Kind::Str => self.string().map(drop),
            Kind::Bool => self.boolean().map(drop),
            Kind::Int => self.int().map(drop),
            Kind::StrList => self
                .list(|s| Some(s.to_string()), "names separated by ';'")
                .map(drop),
        }
    }
}

trait ConfigEnum: Sized {
    const EXPECTED: &'static str;
    fn from_code(code: i64) -> Option<Self>;
}

macro_rules! impl_config_enum {
    ($($t:ty),+) => {
        $(impl ConfigEnum for $t {
            const EXPECTED: &'static str = <$t>::EXPECTED;
            fn from_code(code: i64) -> Option<Self> {
                <$t>::from_code(code)
            }
        })+
    };
}

impl_config_enum!(
    ModelColorFormat,
    NetworkMode,
    ProcessMode,
    NetworkType,
    ClusterMode,
    TensorOrder
);

/// A decimal integer (optional sign, as GLib reads integers) that fits `T`.
fn parse_uint<T: TryFrom<i64>>(s: &str) -> Option<T> {
    let x: i64 = s.trim().parse().ok()?;
    T::try_from(x).ok()
}

fn parse_int(s: &str) -> Option<i32> {
    s.trim().parse().ok()
}

/// A finite number that fits an `f32`.
fn parse_float(s: &str) -> Option<f32> {
    let x: f64 = s.trim().parse().ok()?;
    let y = x as f32;
    y.is_finite().then_some(y)
}

fn parse_bool(s: &str) -> Option<bool> {
    match s.trim() {
        "1" => Some(true),
        "0" => Some(false),
        t if t.eq_ignore_ascii_case("true") => Some(true),
        t if t.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

/// GLib key-file string escapes: `\s \n \t \r \\` (and `\;` in lists).
fn unescape_with(s: &str, allow_semicolon: bool) -> Result<String, ()> {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        out.push(match chars.next() {
            Some('s') => ' ',
            Some('n') => '\n',
            Some('t') => '\t',
            Some('r') => '\r',
            Some('\\') => '\\',
            Some(';') if allow_semicolon => ';',
            _ => return Err(()),
        });
    }
    Ok(out)
}

fn unescape(s: &str) -> Result<String, ()> {
    unescape_with(s, false)
}

/// Splits a GLib list on unescaped `;`, unescapes and trims the elements.
/// A trailing `;` is allowed; an empty value is an empty list; an empty
/// element elsewhere is an error.
fn split_list(s: &str) -> Result<Vec<String>, ()> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(Vec::new());
    }
    let mut raw_items = Vec::new();
    let mut start = 0;
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b';' => {
                raw_items.push(&s[start..i]);
                start = i + 1;
                i += 1;
            }
            _ => i += 1,
        }
    }
    let last = s.get(start..).unwrap_or("");
    if !last.trim().is_empty() {
        raw_items.push(last);
    }
    raw_items
        .into_iter()
        .map(|item| {
            let item = unescape_with(item.trim(), true)?;
            if item.is_empty() {
                Err(())
            } else {
                Ok(item)
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------
// Paths

/// The directory of the config file, as DeepStream finds it: the real path
/// of the file (symbolic links resolved) when it exists, else the absolute
/// path of its directory. The flag says whether it is a real path.
fn config_dir(file: &Path) -> (PathBuf, bool) {
    if let Some(dir) = std::fs::canonicalize(file)
        .ok()
        .and_then(|real| real.parent().map(Path::to_path_buf))
    {
        return (dir, true);
    }
    let dir = match file.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    match std::fs::canonicalize(dir) {
        Ok(real) => (real, true),
        Err(_) => (
            std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf()),
            false,
        ),
    }
}

/// Resolves a path from a value: absolute paths stay, relative ones are
/// joined to the config directory (leading `..` taken off a real base);
/// the result is replaced by its real path when the file exists.
fn resolve_path(base: &(PathBuf, bool), value: &Path) -> PathBuf {
    let joined = if value.is_absolute() {
        value.to_path_buf()
    } else {
        let (dir, real) = base;
        let mut dir = dir.clone();
        let mut rest = value.components().peekable();
        // `.` and leading `..` can be taken lexically off a real directory.
        while let Some(c) = rest.peek() {
            match c {
                Component::CurDir => {}
                Component::ParentDir if *real && dir.parent().is_some() => {
                    dir.pop();
                }
                _ => break,
            }
            rest.next();
        }
        dir.join(rest.collect::<PathBuf>())
    };
    std::fs::canonicalize(&joined).unwrap_or(joined)
}
