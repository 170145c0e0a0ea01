//! Tests of the nvinfer config-file parser (`ds_open::nvinfer::config`).

use ds_open::nvinfer::config::{
    ClassAttrs, ClassMap, ClusterMode, ConfigError, ConfigWarning, InferConfig, ModelColorFormat,
    NetworkMode, NetworkType, ProcessMode, TensorOrder, WarningKind,
    DEFAULT_SECONDARY_REINFER_INTERVAL,
};
use std::path::{Path, PathBuf};

const FILE: &str = "dstest1_pgie_config.txt";

fn parse(text: &str) -> Result<(InferConfig, Vec<ConfigWarning>), ConfigError> {
    InferConfig::parse(text, Path::new(FILE))
}

fn ok(text: &str) -> InferConfig {
    let (config, warnings) = parse(text).unwrap_or_else(|e| panic!("{e}"));
    assert!(warnings.is_empty(), "unexpected warnings: {warnings:?}");
    config
}

fn err(text: &str) -> String {
    match parse(text) {
        Ok(_) => panic!("parsed, but an error was expected:\n{text}"),
        Err(e) => e.to_string(),
    }
}

fn warnings(text: &str) -> Vec<String> {
    let (_, warnings) = parse(text).unwrap_or_else(|e| panic!("{e}"));
    warnings.iter().map(ToString::to_string).collect()
}

/// A fresh directory under the system temp dir, removed on drop; its path is
/// the real (canonical) one.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!(
            "ds-open-nvinfer-config-{}-{name}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(std::fs::canonicalize(dir).unwrap())
    }

    fn write(&self, rel: &str, text: &str) -> PathBuf {
        let path = self.0.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

// ---------------------------------------------------------------------------
// Defaults and every key

#[test]
fn defaults_are_deepstreams() {
    let c = ok("[property]\nnum-detected-classes=4\n");
    assert_eq!(c.gpu_id, 0);
    assert_eq!(c.onnx_file, None);
    assert_eq!(c.model_engine_file, None);
    assert_eq!(c.labelfile_path, None);
    assert_eq!(c.batch_size, 1);
    assert_eq!(c.net_scale_factor, 1.0);
    assert!(c.offsets.is_empty());
    assert_eq!(c.model_color_format, ModelColorFormat::Rgb);
    assert_eq!(c.network_mode, NetworkMode::Fp32);
    assert_eq!(c.num_detected_classes, 4);
    assert_eq!(c.interval, 0);
    assert_eq!(c.gie_unique_id, 15);
    assert_eq!(c.process_mode, ProcessMode::Primary);
    assert_eq!(c.operate_on_gie_id, -1);
    assert!(c.operate_on_class_ids.is_empty());
    assert_eq!(c.network_type, NetworkType::Detector);
    assert_eq!(c.cluster_mode, ClusterMode::GroupRectangles);
    assert!(!c.output_tensor_meta);
    assert!(!c.maintain_aspect_ratio);
    assert!(!c.symmetric_padding);
    assert_eq!(c.classifier_threshold, 0.0);
    assert!(!c.classifier_async_mode);
    assert_eq!(c.classifier_type, None);
    assert_eq!(c.secondary_reinfer_interval, i32::MAX as u32);
    assert_eq!(
        c.secondary_reinfer_interval,
        DEFAULT_SECONDARY_REINFER_INTERVAL
    );
    assert_eq!(
        (
            c.input_object_min_width,
            c.input_object_min_height,
            c.input_object_max_width,
            c.input_object_max_height
        ),
        (0, 0, 0, 0)
    );
    assert_eq!(c.parse_bbox_func_name, None);
    assert_eq!(c.parse_classifier_func_name, None);
    assert_eq!(c.custom_lib_path, None);
    assert!(c.output_blob_names.is_empty());
    assert_eq!(c.infer_dims, None);
    assert_eq!(c.network_input_order, TensorOrder::Nchw);
    assert!(c.filter_out_class_ids.is_empty());
    assert_eq!(c.segmentation_threshold, 0.0);
    assert_eq!(c.mean_file, None);
    assert!(!c.input_tensor_from_meta);
    assert_eq!(c.class_map, None);
    assert_eq!(c.onnxruntime_lib, None);
    assert_eq!(c.inference_workers, 0);
    assert_eq!(c.inference_threads, 0);
    assert!(c.class_attrs.is_empty());

    let a = &c.class_attrs_all;
    assert_eq!(a, &ClassAttrs::default());
    assert_eq!(a.pre_cluster_threshold, 0.2);
    assert_eq!(a.post_cluster_threshold, 0.0);
    assert_eq!(a.nms_iou_threshold, 0.3);
    assert_eq!(a.topk, -1);
    assert_eq!(a.eps, 0.0);
    assert_eq!(a.group_threshold, 0);
    assert_eq!(a.minboxes, 0);
    assert_eq!(a.dbscan_min_score, 0.0);
    assert_eq!(
        (
            a.detected_min_w,
            a.detected_min_h,
            a.detected_max_w,
            a.detected_max_h
        ),
        (0, 0, 0, 0)
    );
    assert_eq!((a.roi_top_offset, a.roi_bottom_offset), (0, 0));
    assert_eq!(a.border_color, [1.0, 0.0, 0.0, 1.0]);
    assert_eq!(a.bg_color, None);
    assert_eq!(c.class_attrs_for(3), a);

    // Default::default() is what an empty [property] would give.
    let d = InferConfig {
        num_detected_classes: 4,
        ..InferConfig::default()
    };
    assert_eq!(d, c);
}

#[test]
fn every_key_read_back() {
    let dir = TempDir::new("every-key");
    let path = dir.write(
        "cfg/pgie.txt",
        "\
[property]
gpu-id=1
onnx-file=model.onnx
model-engine-file=/opt/engines/model_b8_gpu0_fp16.engine
labelfile-path=sub/labels.txt
batch-size=8
net-scale-factor=0.5
offsets=1;2.5;3
model-color-format=2
network-mode=3
num-detected-classes=5
interval=2
gie-unique-id=7
process-mode=2
operate-on-gie-id=3
operate-on-class-ids=0;2
network-type=0
cluster-mode=4
output-tensor-meta=1
maintain-aspect-ratio=true
symmetric-padding=1
classifier-threshold=0.6
classifier-async-mode=1
classifier-type=carcolor
secondary-reinfer-interval=10
input-object-min-width=20
input-object-min-height=21
input-object-max-width=300
input-object-max-height=301
parse-bbox-func-name=NvDsInferParseFoo
parse-classifier-func-name=NvDsInferClassiferParseBar
custom-lib-path=lib/libparser.so
output-blob-names=boxes;scores
infer-dims=3;320;256
network-input-order=1
filter-out-class-ids=4;1
segmentation-threshold=0.25
mean-file=mean.ppm
input-tensor-from-meta=1
class-map=0:0;3:4
onnxruntime-lib=../lib/libonnxruntime.so
inference-workers=3
inference-threads=2

[class-attrs-all]
pre-cluster-threshold=0.45
post-cluster-threshold=0.1
nms-iou-threshold=0.6
topk=50
eps=0.7
group-threshold=2
minBoxes=3
dbscan-min-score=0.9
detected-min-w=8
detected-min-h=9
detected-max-w=800
detected-max-h=900
roi-top-offset=10
roi-bottom-offset=11
border-color=0;1;0;1
bg-color=0.5;0.5;0.5;0.25

[class-attrs-1]
pre-cluster-threshold=0.8
topk=5
",
    );
    let (c, warnings) = InferConfig::from_file(&path).unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    let cfg_dir = dir.0.join("cfg");
    assert_eq!(c.gpu_id, 1);
    assert_eq!(c.onnx_file, Some(cfg_dir.join("model.onnx")));
    assert_eq!(
        c.model_engine_file,
        Some(PathBuf::from("/opt/engines/model_b8_gpu0_fp16.engine"))
    );
    assert_eq!(c.labelfile_path, Some(cfg_dir.join("sub/labels.txt")));
    assert_eq!(c.batch_size, 8);
    assert_eq!(c.net_scale_factor, 0.5);
    assert_eq!(c.offsets, vec![1.0, 2.5, 3.0]);
    assert_eq!(c.model_color_format, ModelColorFormat::Gray);
    assert_eq!(c.model_color_format.channels(), 1);
    assert_eq!(c.network_mode, NetworkMode::Best);
    assert_eq!(c.num_detected_classes, 5);
    assert_eq!(c.interval, 2);
    assert_eq!(c.gie_unique_id, 7);
    assert_eq!(c.process_mode, ProcessMode::Secondary);
    assert_eq!(c.operate_on_gie_id, 3);
    assert_eq!(c.operate_on_class_ids, vec![0, 2]);
    assert_eq!(c.network_type, NetworkType::Detector);
    assert_eq!(c.cluster_mode, ClusterMode::None);
    assert!(c.output_tensor_meta);
    assert!(c.maintain_aspect_ratio);
    assert!(c.symmetric_padding);
    assert_eq!(c.classifier_threshold, 0.6);
    assert!(c.classifier_async_mode);
    assert_eq!(c.classifier_type.as_deref(), Some("carcolor"));
    assert_eq!(c.secondary_reinfer_interval, 10);
    assert_eq!(c.input_object_min_width, 20);
    assert_eq!(c.input_object_min_height, 21);
    assert_eq!(c.input_object_max_width, 300);
    assert_eq!(c.input_object_max_height, 301);
    assert_eq!(c.parse_bbox_func_name.as_deref(), Some("NvDsInferParseFoo"));
    assert_eq!(
        c.parse_classifier_func_name.as_deref(),
        Some("NvDsInferClassiferParseBar")
    );
    assert_eq!(c.custom_lib_path, Some(cfg_dir.join("lib/libparser.so")));
    assert_eq!(c.output_blob_names, vec!["boxes", "scores"]);
    assert_eq!(c.infer_dims, Some([3, 320, 256]));
    assert_eq!(c.network_input_order, TensorOrder::Nhwc);
    assert_eq!(c.filter_out_class_ids, vec![4, 1]);
    assert_eq!(c.segmentation_threshold, 0.25);
    assert_eq!(c.mean_file, Some(cfg_dir.join("mean.ppm")));
    assert!(c.input_tensor_from_meta);
    let map = c.class_map.as_ref().unwrap();
    assert_eq!(map.iter().collect::<Vec<_>>(), vec![(0, 0), (3, 4)]);
    assert_eq!(c.onnxruntime_lib, Some(dir.0.join("lib/libonnxruntime.so")));
    assert_eq!(c.inference_workers, 3);
    assert_eq!(c.inference_threads, 2);

    let all = ClassAttrs {
        pre_cluster_threshold: 0.45,
        post_cluster_threshold: 0.1,
        nms_iou_threshold: 0.6,
        topk: 50,
        eps: 0.7,
        group_threshold: 2,
        minboxes: 3,
        dbscan_min_score: 0.9,
        detected_min_w: 8,
        detected_min_h: 9,
        detected_max_w: 800,
        detected_max_h: 900,
        roi_top_offset: 10,
        roi_bottom_offset: 11,
        border_color: [0.0, 1.0, 0.0, 1.0],
        bg_color: Some([0.5, 0.5, 0.5, 0.25]),
    };
    assert_eq!(c.class_attrs_all, all);
    assert_eq!(c.class_attrs.len(), 1);
    let one = ClassAttrs {
        pre_cluster_threshold: 0.8,
        topk: 5,
        ..all.clone()
    };
    assert_eq!(c.class_attrs_for(1), &one);
    assert_eq!(c.class_attrs_for(0), &all);
    assert_eq!(c.class_attrs_for(4), &all);
}

#[test]
fn enum_codes_round_trip() {
    for code in [0, 1, 2, 3, 4] {
        assert_eq!(ClusterMode::from_code(code).unwrap().code() as i64, code);
    }
    assert_eq!(ClusterMode::from_code(5), None);
    assert_eq!(NetworkType::from_code(100), Some(NetworkType::Other));
    assert_eq!(NetworkType::from_code(4), None);
    assert_eq!(NetworkType::InstanceSegmentation.code(), 3);
    assert_eq!(ProcessMode::from_code(0), None);
    assert_eq!(NetworkMode::Int8.code(), 1);
    assert_eq!(ModelColorFormat::Bgr.code(), 1);
    assert_eq!(TensorOrder::from_code(1), Some(TensorOrder::Nhwc));

    let c = ok("[property]\nnetwork-type=100\n");
    assert_eq!(c.network_type, NetworkType::Other);
    let c = ok("[property]\nnetwork-type=2\nmodel-color-format=1\nnetwork-mode=2\n");
    assert_eq!(c.network_type, NetworkType::Segmentation);
    assert_eq!(c.model_color_format, ModelColorFormat::Bgr);
    assert_eq!(c.network_mode, NetworkMode::Fp16);
    let c = ok("[property]\nnetwork-type=3\nnum-detected-classes=2\ncluster-mode=3\n");
    assert_eq!(c.network_type, NetworkType::InstanceSegmentation);
    assert_eq!(c.cluster_mode, ClusterMode::DbscanNms);
}

// ---------------------------------------------------------------------------
// Syntax details

#[test]
fn lists_are_split_trimmed_and_allow_a_trailing_separator() {
    let c = ok("[property]\n\
         num-detected-classes=3\n\
         offsets = 103.53 ; 116.28;123.675;\n\
         operate-on-class-ids=0;2;\n\
         output-blob-names=output_bbox/BiasAdd;output_cov/Sigmoid;\n\
         infer-dims= 3; 416 ;416\n\
         filter-out-class-ids=2\n");
    assert_eq!(c.offsets, vec![103.53, 116.28, 123.675]);
    assert_eq!(c.operate_on_class_ids, vec![0, 2]);
    assert_eq!(
        c.output_blob_names,
        vec!["output_bbox/BiasAdd", "output_cov/Sigmoid"]
    );
    assert_eq!(c.infer_dims, Some([3, 416, 416]));
    assert_eq!(c.filter_out_class_ids, vec![2]);

    // An empty list is the default ("all classes", zero offsets).
    let c = ok("[property]\nnum-detected-classes=3\noffsets=\noperate-on-class-ids=\n");
    assert!(c.offsets.is_empty());
    assert!(c.operate_on_class_ids.is_empty());

    // `\;` keeps a semicolon inside a list element.
    let c = ok("[property]\nnum-detected-classes=1\noutput-blob-names=a\\;b;c\n");
    assert_eq!(c.output_blob_names, vec!["a;b", "c"]);
}

#[test]
fn whitespace_comments_crlf_bom_and_booleans() {
    let text = "\u{feff}# leading comment\r\n\r\n   [property]  \r\n  # indented comment\r\n\
                \tnum-detected-classes = 4 \r\n\
                output-tensor-meta = TRUE\r\n\
                maintain-aspect-ratio=False\r\n\
                symmetric-padding=0\r\n\
                parse-bbox-func-name=  My\\sParser  \r\n";
    let c = ok(text);
    assert_eq!(c.num_detected_classes, 4);
    assert!(c.output_tensor_meta);
    assert!(!c.maintain_aspect_ratio);
    assert!(!c.symmetric_padding);
    assert_eq!(c.parse_bbox_func_name.as_deref(), Some("My Parser"));
    // Empty string = unset.
    let c = ok("[property]\nnum-detected-classes=4\nparse-bbox-func-name=\n");
    assert_eq!(c.parse_bbox_func_name, None);
}

#[test]
fn repeated_groups_merge_and_repeated_keys_keep_the_last_value() {
    let text = "\
[property]
num-detected-classes=4
batch-size=2
[class-attrs-all]
topk=3
[property]
batch-size=4
";
    let (c, warnings) = parse(text).unwrap();
    assert_eq!(c.batch_size, 4);
    assert_eq!(c.num_detected_classes, 4);
    assert_eq!(c.class_attrs_all.topk, 3);
    assert_eq!(
        warnings.iter().map(ToString::to_string).collect::<Vec<_>>(),
        vec![
            "dstest1_pgie_config.txt:7: key 'batch-size' in [property] repeats line 3; \
             the last value is used"
        ]
    );
    assert_eq!(
        warnings[0].kind,
        WarningKind::DuplicateKey {
            group: "property".into(),
            key: "batch-size".into(),
            first_line: 3
        }
    );
}

// ---------------------------------------------------------------------------
// Legacy keys

#[test]
fn legacy_threshold_sets_pre_cluster_threshold_with_a_warning() {
    let text = "[property]\nnum-detected-classes=4\n[class-attrs-all]\nthreshold=0.7\n";
    let (c, w) = parse(text).unwrap();
    assert_eq!(c.class_attrs_all.pre_cluster_threshold, 0.7);
    assert_eq!(
        w.iter().map(ToString::to_string).collect::<Vec<_>>(),
        vec![
            "dstest1_pgie_config.txt:4: key 'threshold' in [class-attrs-all] is deprecated, \
             use 'pre-cluster-threshold' instead"
        ]
    );
    // In file order, the last of the two wins (as in DeepStream).
    let text = "[property]\nnum-detected-classes=4\n[class-attrs-0]\n\
                pre-cluster-threshold=0.3\nthreshold=0.6\n";
    let (c, _) = parse(text).unwrap();
    assert_eq!(c.class_attrs_for(0).pre_cluster_threshold, 0.6);
    assert_eq!(c.class_attrs_for(1).pre_cluster_threshold, 0.2);
    assert_eq!(
        err("[property]\nnum-detected-classes=4\n[class-attrs-all]\nthreshold=-1\n"),
        "dstest1_pgie_config.txt:4: bad value '-1' for key 'threshold' (expected a number >= 0)"
    );
}

#[test]
fn legacy_property_keys() {
    // is-classifier, unless network-type is set.
    let (c, w) = parse("[property]\nis-classifier=1\n").unwrap();
    assert_eq!(c.network_type, NetworkType::Classifier);
    assert_eq!(
        w[0].to_string(),
        "dstest1_pgie_config.txt:2: key 'is-classifier' in [property] is deprecated, \
         use 'network-type' instead"
    );
    let (c, _) = parse("[property]\nis-classifier=1\nnetwork-type=100\n").unwrap();
    assert_eq!(c.network_type, NetworkType::Other);

    // enable-dbscan, unless cluster-mode is set.
    let (c, _) = parse("[property]\nnum-detected-classes=1\nenable-dbscan=1\n").unwrap();
    assert_eq!(c.cluster_mode, ClusterMode::Dbscan);
    let (c, w) =
        parse("[property]\nnum-detected-classes=1\nenable-dbscan=1\ncluster-mode=2\n").unwrap();
    assert_eq!(c.cluster_mode, ClusterMode::Nms);
    assert_eq!(
        w[0].to_string(),
        "dstest1_pgie_config.txt:3: key 'enable-dbscan' is ignored because 'cluster-mode' is set"
    );

    // input-dims / uff-input-dims (C;H;W;order), unless infer-dims is set.
    let (c, w) = parse("[property]\nnum-detected-classes=1\ninput-dims=3;224;224;0\n").unwrap();
    assert_eq!(c.infer_dims, Some([3, 224, 224]));
    assert_eq!(w.len(), 1);
    let (c, _) =
        parse("[property]\nnum-detected-classes=1\nuff-input-dims=3;10;20;1\ninfer-dims=3;5;6\n")
            .unwrap();
    assert_eq!(c.infer_dims, Some([3, 5, 6]));
    assert_eq!(
        err("[property]\nnum-detected-classes=1\ninput-dims=3;224;224\n"),
        "dstest1_pgie_config.txt:3: bad value '3;224;224' for key 'input-dims' (expected 4 \
         integers separated by ';' (C;H;W;order, order 0, 1 or 2))"
    );
}

#[test]
fn ignored_keys_are_accepted_silently_but_type_checked() {
    let text = "\
[property]
num-detected-classes=4
model-file=resnet10.caffemodel
proto-file=resnet10.prototxt
uff-file=model.uff
uff-input-blob-name=input_1
uff-input-order=0
tlt-encoded-model=model.etlt
tlt-model-key=tlt_encode
engine-create-func-name=NvDsInferYoloCudaEngineGet
custom-network-config=yolo.cfg
parse-bbox-instance-mask-func-name=NvDsInferParseMask
parse-func=4
scaling-filter=1
scaling-compute-hw=0
workspace-size=2048
force-implicit-batch-dim=1
enable-dla=0
use-dla-core=0
layer-device-precision=conv1:fp32:gpu;conv2:fp16:dla
output-io-formats=output:fp32:chw
tensor-meta-pool-size=8
output-instance-mask=0
segmentation-output-order=0
disable-output-host-copy=0
auto-inc-mem=1
max-gpu-mem-per=50
dump-input-tensor=0
dump-output-tensor=0
overwrite-input-tensor=0
ip-tensor-file=input.bin
crop-objects-to-roi-boundary=1
";
    let c = ok(text);
    assert_eq!(
        c,
        InferConfig {
            num_detected_classes: 4,
            ..InferConfig::default()
        }
    );
    assert_eq!(
        err("[property]\nnum-detected-classes=4\nenable-dla=maybe\n"),
        "dstest1_pgie_config.txt:3: bad value 'maybe' for key 'enable-dla' \
         (expected 0, 1, true or false)"
    );
    assert_eq!(
        err("[property]\nnum-detected-classes=4\nworkspace-size=big\n"),
        "dstest1_pgie_config.txt:3: bad value 'big' for key 'workspace-size' \
         (expected an integer)"
    );
}

// ---------------------------------------------------------------------------
// Paths

#[test]
fn relative_paths_resolve_against_the_config_directory() {
    let dir = TempDir::new("paths");
    dir.write("models/existing.onnx", "not a model");
    let path = dir.write(
        "configs/pgie.txt",
        "[property]\nnum-detected-classes=1\n\
         onnx-file=../models/existing.onnx\n\
         model-engine-file=../models/missing.engine\n\
         labelfile-path=./labels.txt\n\
         custom-lib-path=/usr/lib/libparser.so\n\
         onnxruntime-lib=lib/libonnxruntime.so.1\n",
    );
    let (c, _) = InferConfig::from_file(&path).unwrap();
    assert_eq!(c.onnx_file, Some(dir.0.join("models/existing.onnx")));
    assert_eq!(
        c.model_engine_file,
        Some(dir.0.join("models/missing.engine"))
    );
    assert_eq!(c.labelfile_path, Some(dir.0.join("configs/labels.txt")));
    assert_eq!(
        c.custom_lib_path,
        Some(PathBuf::from("/usr/lib/libparser.so"))
    );
    assert_eq!(
        c.onnxruntime_lib,
        Some(dir.0.join("configs/lib/libonnxruntime.so.1"))
    );

    // parse() with a path to a file that does not exist: its directory.
    let (c, _) = InferConfig::parse(
        "[property]\nnum-detected-classes=1\nlabelfile-path=labels.txt\n",
        &dir.0.join("configs/other.txt"),
    )
    .unwrap();
    assert_eq!(c.labelfile_path, Some(dir.0.join("configs/labels.txt")));

    // A config file named without a directory: the current directory.
    let (c, _) =
        parse("[property]\nnum-detected-classes=1\nlabelfile-path=zz-labels.txt\n").unwrap();
    let cwd = std::fs::canonicalize(".").unwrap();
    assert_eq!(c.labelfile_path, Some(cwd.join("zz-labels.txt")));

    assert_eq!(
        err("[property]\nnum-detected-classes=1\nlabelfile-path=\n"),
        "dstest1_pgie_config.txt:3: bad value '' for key 'labelfile-path' (expected a file path)"
    );
}

#[cfg(unix)]
#[test]
fn symlinked_config_resolves_from_its_real_directory() {
    let dir = TempDir::new("symlink");
    let real = dir.write(
        "real/pgie.txt",
        "[property]\nnum-detected-classes=1\nlabelfile-path=labels.txt\n",
    );
    std::fs::create_dir_all(dir.0.join("elsewhere")).unwrap();
    let link = dir.0.join("elsewhere/pgie.txt");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let (c, _) = InferConfig::from_file(&link).unwrap();
    assert_eq!(c.labelfile_path, Some(dir.0.join("real/labels.txt")));
}

// ---------------------------------------------------------------------------
// Class attributes and class map

#[test]
fn per_class_groups_inherit_class_attrs_all() {
    // [class-attrs-2] comes first in the file and still starts from
    // [class-attrs-all] (DeepStream parses -all first).
    let text = "\
[property]
num-detected-classes=4
[class-attrs-2]
nms-iou-threshold=0.9
[class-attrs-all]
pre-cluster-threshold=0.5
topk=20
nms-iou-threshold=0.4
[class-attrs-3]
topk=0
";
    let c = ok(text);
    let all = &c.class_attrs_all;
    assert_eq!(
        (all.pre_cluster_threshold, all.topk, all.nms_iou_threshold),
        (0.5, 20, 0.4)
    );
    let two = c.class_attrs_for(2);
    assert_eq!(
        (two.pre_cluster_threshold, two.topk, two.nms_iou_threshold),
        (0.5, 20, 0.9)
    );
    let three = c.class_attrs_for(3);
    assert_eq!(
        (
            three.pre_cluster_threshold,
            three.topk,
            three.nms_iou_threshold
        ),
        (0.5, 0, 0.4)
    );
    assert_eq!(c.class_attrs_for(0), all);
    assert_eq!(c.class_attrs_for(1), all);
    assert_eq!(
        c.class_attrs.keys().copied().collect::<Vec<_>>(),
        vec![2, 3]
    );

    // Without [class-attrs-all], per-class groups start from the defaults.
    let c = ok("[property]\nnum-detected-classes=2\n[class-attrs-1]\ntopk=7\n");
    assert_eq!(
        c.class_attrs_for(1),
        &ClassAttrs {
            topk: 7,
            ..ClassAttrs::default()
        }
    );
}

#[test]
fn class_map_maps_and_drops() {
    let c = ok("[property]\nnum-detected-classes=4\n\
                class-map=2:0;5:0;7:0;1:1;3:1;0:2;9:3;11:3\n");
    let map = c.class_map.as_ref().unwrap();
    for (model, out) in [
        (2, 0),
        (5, 0),
        (7, 0),
        (1, 1),
        (3, 1),
        (0, 2),
        (9, 3),
        (11, 3),
    ] {
        assert_eq!(map.map(model), Some(out), "model class {model}");
        assert_eq!(c.map_class(model), Some(out));
    }
    for dropped in [4, 6, 8, 10, 12, 79, 1000] {
        assert_eq!(map.map(dropped), None);
        assert_eq!(c.map_class(dropped), None);
    }
    assert_eq!(map.len(), 8);
    assert_eq!(map.max_output_class(), Some(3));

    // Without class-map, classes pass through.
    let c = ok("[property]\nnum-detected-classes=4\n");
    assert_eq!(c.map_class(7), Some(7));

    // FromStr / FromIterator for code that builds maps.
    let parsed: ClassMap = " 1 : 0 ; 4:1 ;".parse().unwrap();
    assert_eq!(parsed, [(1, 0), (4, 1)].into_iter().collect::<ClassMap>());
    assert!("".parse::<ClassMap>().is_err());
}

#[test]
fn class_map_errors() {
    let base = "[property]\nnum-detected-classes=4\n";
    let expected = "(expected model-class:output-class pairs separated by ';', e.g. 2:0;5:0)";
    for bad in [
        "2-0", "2:0;x:1", "2:", ":1", "2:0;;3:1", "-1:0", "2:0:1", "",
    ] {
        assert_eq!(
            err(&format!("{base}class-map={bad}\n")),
            format!("dstest1_pgie_config.txt:3: bad value '{bad}' for key 'class-map' {expected}")
        );
    }
    assert_eq!(
        err(&format!("{base}class-map=2:0;2:1\n")),
        "dstest1_pgie_config.txt:3: bad value '2:0;2:1' for key 'class-map' \
         (expected each model class to appear once)"
    );
    assert_eq!(
        err(&format!("{base}class-map=2:0;11:4\n")),
        "dstest1_pgie_config.txt:3: class-map maps model class 11 to class 4 but \
         num-detected-classes=4 (output classes are 0..4)"
    );
}

// ---------------------------------------------------------------------------
// Errors

#[test]
fn missing_file_is_an_io_error_naming_the_path() {
    let path = Path::new("x.txt");
    assert!(!path.exists());
    let e = InferConfig::from_file(path).unwrap_err();
    assert_eq!(
        e.to_string(),
        "cannot read nvinfer config 'x.txt': No such file or directory (os error 2)"
    );
    match &e {
        ConfigError::Io { path, source } => {
            assert_eq!(path, Path::new("x.txt"));
            assert_eq!(source.kind(), std::io::ErrorKind::NotFound);
        }
        other => panic!("{other:?}"),
    }
    assert!(std::error::Error::source(&e).is_some());
}

#[test]
fn non_utf8_file_is_an_error_with_its_line() {
    let dir = TempDir::new("utf8");
    let path = dir.0.join("bad.txt");
    std::fs::write(&path, b"[property]\nnum-detected-classes=1\nfoo=\xff\n").unwrap();
    let e = InferConfig::from_file(&path).unwrap_err().to_string();
    assert_eq!(
        e,
        format!("{}:3: the file is not valid UTF-8", path.display())
    );
}

#[test]
fn bad_value_names_file_line_key_and_value() {
    let text = "\
# comment 1
# comment 2

[property]
gpu-id=0
num-detected-classes=4
# comment
batch-size=1
net-scale-factor=abc
";
    let e = parse(text).unwrap_err();
    assert_eq!(
        e.to_string(),
        "dstest1_pgie_config.txt:9: bad value 'abc' for key 'net-scale-factor' (expected a number)"
    );
    match e {
        ConfigError::BadValue {
            file,
            line,
            group,
            key,
            value,
            expected,
        } => {
            assert_eq!(file, Path::new(FILE));
            assert_eq!(line, 9);
            assert_eq!(group, "property");
            assert_eq!(key, "net-scale-factor");
            assert_eq!(value, "abc");
            assert_eq!(expected, "a number");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn bad_values_of_every_kind() {
    let cases: &[(&str, &str, &str)] = &[
        // (key=value line in [property], value, expected)
        ("net-scale-factor", "nan", "a number"),
        ("net-scale-factor", "1e99", "a number"),
        ("net-scale-factor", "0.5x", "a number"),
        ("batch-size", "0", "an integer from 1 to 1024"),
        ("batch-size", "1025", "an integer from 1 to 1024"),
        ("batch-size", "two", "an integer from 1 to 1024"),
        ("inference-workers", "65", "an integer from 0 to 64"),
        ("inference-threads", "-1", "an integer from 0 to 64"),
        ("interval", "-1", "an integer >= 0"),
        ("interval", "1.5", "an integer >= 0"),
        ("interval", "0 # every frame", "an integer >= 0"),
        ("gpu-id", "99999999999", "an integer >= 0"),
        ("gie-unique-id", "0", "an integer > 0"),
        ("gie-unique-id", "-3", "an integer > 0"),
        ("operate-on-gie-id", "x", "an integer"),
        ("num-detected-classes", "-4", "an integer >= 0"),
        ("input-object-min-width", "-16", "an integer >= 0"),
        ("secondary-reinfer-interval", "-1", "an integer >= 0"),
        ("classifier-threshold", "-0.5", "a number >= 0"),
        ("segmentation-threshold", "x", "a number >= 0"),
        ("output-tensor-meta", "yes", "0, 1, true or false"),
        ("output-tensor-meta", "2", "0, 1, true or false"),
        ("maintain-aspect-ratio", "", "0, 1, true or false"),
        (
            "network-mode",
            "4",
            "0 (FP32), 1 (INT8), 2 (FP16) or 3 (BEST)",
        ),
        ("process-mode", "0", "1 (primary) or 2 (secondary)"),
        ("model-color-format", "3", "0 (RGB), 1 (BGR) or 2 (GRAY)"),
        (
            "network-type",
            "5",
            "0 (detector), 1 (classifier), 2 (segmentation), 3 (instance segmentation) \
             or 100 (other)",
        ),
        (
            "cluster-mode",
            "-1",
            "0 (group rectangles), 1 (DBSCAN), 2 (NMS), 3 (DBSCAN+NMS) or 4 (none)",
        ),
        ("network-input-order", "2", "0 (NCHW) or 1 (NHWC)"),
        ("offsets", "1;x;3", "numbers separated by ';'"),
        ("offsets", "1;;3", "numbers separated by ';'"),
        ("offsets", "1;2;3;4;5", "at most 4 numbers separated by ';'"),
        (
            "operate-on-class-ids",
            "0;-1",
            "class ids (integers >= 0) separated by ';'",
        ),
        (
            "filter-out-class-ids",
            "a",
            "class ids (integers >= 0) separated by ';'",
        ),
        (
            "infer-dims",
            "3;416",
            "3 integers > 0 separated by ';' (C;H;W)",
        ),
        (
            "infer-dims",
            "3;0;416",
            "3 integers > 0 separated by ';' (C;H;W)",
        ),
        (
            "infer-dims",
            "3;416;416;1",
            "3 integers > 0 separated by ';' (C;H;W)",
        ),
        ("output-blob-names", "a;;b", "names separated by ';'"),
        (
            "parse-bbox-func-name",
            "bad\\escape",
            "a string (escapes: \\s \\n \\t \\r \\\\)",
        ),
    ];
    for &(key, value, expected) in cases {
        let text = format!("[property]\nnum-detected-classes=4\n{key}={value}\n");
        assert_eq!(
            err(&text),
            format!(
                "dstest1_pgie_config.txt:3: bad value '{value}' for key '{key}' \
                 (expected {expected})"
            ),
            "{key}={value}"
        );
    }

    let attrs: &[(&str, &str, &str)] = &[
        ("pre-cluster-threshold", "-0.1", "a number >= 0"),
        ("post-cluster-threshold", "x", "a number >= 0"),
        ("eps", "-1", "a number >= 0"),
        ("dbscan-min-score", "-1", "a number >= 0"),
        ("nms-iou-threshold", "1.5", "a number from 0 to 1"),
        ("nms-iou-threshold", "-0.1", "a number from 0 to 1"),
        ("topk", "-1", "an integer >= 0"),
        ("topk", "-2", "an integer >= 0"),
        ("group-threshold", "-1", "an integer >= 0"),
        ("minBoxes", "x", "an integer >= 0"),
        ("detected-min-w", "-5", "an integer >= 0"),
        ("detected-max-h", "1.5", "an integer >= 0"),
        ("roi-top-offset", "-1", "an integer >= 0"),
        (
            "border-color",
            "1;0;0",
            "4 numbers from 0 to 1 separated by ';' (r;g;b;a)",
        ),
        (
            "bg-color",
            "1;0;0;2",
            "4 numbers from 0 to 1 separated by ';' (r;g;b;a)",
        ),
    ];
    for &(key, value, expected) in attrs {
        for group in ["class-attrs-all", "class-attrs-1"] {
            let text = format!("[property]\nnum-detected-classes=4\n[{group}]\n{key}={value}\n");
            assert_eq!(
                err(&text),
                format!(
                    "dstest1_pgie_config.txt:4: bad value '{value}' for key '{key}' \
                     (expected {expected})"
                ),
                "[{group}] {key}={value}"
            );
        }
    }
}

#[test]
fn structural_errors() {
    assert_eq!(
        err("# no groups at all\n"),
        "dstest1_pgie_config.txt: missing group [property] (an nvinfer config file needs one)"
    );
    assert_eq!(
        err("[class-attrs-all]\ntopk=2\n"),
        "dstest1_pgie_config.txt: missing group [property] (an nvinfer config file needs one)"
    );
    assert_eq!(
        err("# header\nbatch-size=1\n[property]\n"),
        "dstest1_pgie_config.txt:2: 'batch-size=1' is outside any group \
         (expected a [group] header first)"
    );
    assert_eq!(
        err("[property]\nnum-detected-classes=4\nbatch-size 1\n"),
        "dstest1_pgie_config.txt:3: malformed line 'batch-size 1' (expected key=value, \
         a [group] header or a # comment)"
    );
    assert_eq!(
        err("[property]\nnum-detected-classes=4\n=1\n"),
        "dstest1_pgie_config.txt:3: missing key name in '=1'"
    );
    for header in [
        "[property",
        "[]",
        "[ property ]",
        "[prop]erty]",
        "[property] x",
    ] {
        assert_eq!(
            err(&format!("# c\n{header}\nnum-detected-classes=4\n")),
            format!(
                "dstest1_pgie_config.txt:2: invalid group header '{header}' \
                 (expected [group-name])"
            )
        );
    }
    for group in [
        "class-attrs-x",
        "class-attrs-",
        "class-attrs--1",
        "class-attrs-1a",
    ] {
        assert_eq!(
            err(&format!(
                "[property]\nnum-detected-classes=4\n\n[{group}]\ntopk=1\n"
            )),
            format!(
                "dstest1_pgie_config.txt:4: invalid group [{group}] (expected \
                 [class-attrs-all] or [class-attrs-<class-id>] with a numeric class id)"
            )
        );
    }
}

#[test]
fn cross_key_validation() {
    // Detectors need classes; the error points at the key when it is there.
    assert_eq!(
        err("[property]\nbatch-size=1\nnum-detected-classes=0\n"),
        "dstest1_pgie_config.txt:3: num-detected-classes must be > 0 for network-type=0"
    );
    assert_eq!(
        err("[property]\nbatch-size=1\n"),
        "dstest1_pgie_config.txt: num-detected-classes must be > 0 for network-type=0"
    );
    assert_eq!(
        err("[property]\nnetwork-type=3\n"),
        "dstest1_pgie_config.txt: num-detected-classes must be > 0 for network-type=3"
    );
    // Per-class groups must be for configured classes.
    assert_eq!(
        err("[property]\nnum-detected-classes=4\n[class-attrs-3]\ntopk=1\n[class-attrs-4]\ntopk=1\n"),
        "dstest1_pgie_config.txt:5: [class-attrs-4] is for class 4 but num-detected-classes=4 \
         (class ids are 0..4)"
    );
    let e = parse("[property]\nnum-detected-classes=0\n").unwrap_err();
    match &e {
        ConfigError::Invalid { line, error, .. } => {
            assert_eq!(*line, Some(2));
            assert_eq!(error.group, "property");
            assert_eq!(error.key.as_deref(), Some("num-detected-classes"));
        }
        other => panic!("{other:?}"),
    }

    // Not over-validated: classifiers and other networks need no classes;
    // secondary detectors are fine.
    ok("[property]\nnetwork-type=1\nprocess-mode=2\n");
    ok("[property]\nnetwork-type=100\noutput-tensor-meta=1\n");
    ok("[property]\nnetwork-type=2\n");
    let c = ok("[property]\nprocess-mode=2\nnum-detected-classes=3\noperate-on-gie-id=1\n");
    assert_eq!(
        (c.process_mode, c.network_type),
        (ProcessMode::Secondary, NetworkType::Detector)
    );

    // validate() is public for checks after property overrides.
    let mut c = ok("[property]\nnum-detected-classes=4\n");
    c.batch_size = 0;
    assert_eq!(
        c.validate().unwrap_err().to_string(),
        "batch-size must be from 1 to 1024, not 0"
    );
    c.batch_size = 4;
    c.gie_unique_id = 0;
    assert_eq!(
        c.validate().unwrap_err().to_string(),
        "gie-unique-id must be > 0"
    );
}

// ---------------------------------------------------------------------------
// Warnings

#[test]
fn unknown_keys_and_groups_warn_with_their_lines() {
    let text = "\
[property]
num-detected-classes=4
foo=1
batch-size=1

[class-attrs-all]
topk=10
bar=baz

[some-other-group]
x=1

[class-attrs-2]
Threshold=0.5
";
    let (c, warnings) = parse(text).unwrap();
    assert_eq!(c.class_attrs_all.topk, 10);
    let shown: Vec<String> = warnings.iter().map(ToString::to_string).collect();
    assert_eq!(
        shown,
        vec![
            "dstest1_pgie_config.txt:3: unknown key 'foo' in [property] (ignored)",
            "dstest1_pgie_config.txt:8: unknown key 'bar' in [class-attrs-all] (ignored)",
            "dstest1_pgie_config.txt:10: unknown group [some-other-group] (ignored)",
            "dstest1_pgie_config.txt:14: unknown key 'Threshold' in [class-attrs-2] (ignored)",
        ]
    );
    assert_eq!(warnings[0].line, 3);
    assert_eq!(warnings[0].file, Path::new(FILE));
    assert_eq!(
        warnings[0].kind,
        WarningKind::UnknownKey {
            group: "property".into(),
            key: "foo".into()
        }
    );
}

#[test]
fn class_attrs_of_a_classifier_are_ignored_with_a_warning() {
    let text = "[property]\nnetwork-type=1\n[class-attrs-all]\ntopk=3\n";
    assert_eq!(
        warnings(text),
        vec![
            "dstest1_pgie_config.txt:3: group [class-attrs-all] is ignored: network-type=1 \
             has no per-class detection parameters"
        ]
    );
}

// ---------------------------------------------------------------------------
// Realistic configs

/// The keys of DeepStream 7.1's deepstream-test1 `dstest1_pgie_config.txt`
/// (ResNet-18 TrafficCamNet), with its commented-out keys.
#[test]
fn deepstream_sample_primary_config() {
    let text = "\
# Mandatory properties for detectors:
#   num-detected-classes

[property]
gpu-id=0
net-scale-factor=0.00392156862745098
onnx-file=../../../../samples/models/Primary_Detector/resnet18_trafficcamnet_pruned.onnx
model-engine-file=../../../../samples/models/Primary_Detector/resnet18_trafficcamnet_pruned.onnx_b1_gpu0_int8.engine
labelfile-path=../../../../samples/models/Primary_Detector/labels.txt
int8-calib-file=../../../../samples/models/Primary_Detector/cal_trt.bin
force-implicit-batch-dim=1
batch-size=1
network-mode=1
num-detected-classes=4
interval=0
gie-unique-id=1
uff-input-order=0
uff-input-blob-name=input_1
output-blob-names=output_cov/Sigmoid:0;output_bbox/BiasAdd:0
#scaling-filter=0
#scaling-compute-hw=0
cluster-mode=2
infer-dims=3;544;960

[class-attrs-all]
pre-cluster-threshold=0.2
topk=20
nms-iou-threshold=0.5
";
    let root = Path::new("/opt/nvidia/deepstream/deepstream/sources/apps/sample_apps/test1");
    let (c, warnings) = InferConfig::parse(text, &root.join("dstest1_pgie_config.txt")).unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    assert!((c.net_scale_factor - 1.0 / 255.0).abs() < 1e-9);
    assert_eq!(c.network_mode, NetworkMode::Int8);
    assert_eq!(c.num_detected_classes, 4);
    assert_eq!(c.gie_unique_id, 1);
    assert_eq!(c.cluster_mode, ClusterMode::Nms);
    assert_eq!(c.infer_dims, Some([3, 544, 960]));
    assert_eq!(
        c.output_blob_names,
        vec!["output_cov/Sigmoid:0", "output_bbox/BiasAdd:0"]
    );
    assert!(c
        .onnx_file
        .as_ref()
        .unwrap()
        .ends_with("samples/models/Primary_Detector/resnet18_trafficcamnet_pruned.onnx"));
    assert!(c.labelfile_path.as_ref().unwrap().is_absolute());
    assert_eq!(c.class_attrs_all.pre_cluster_threshold, 0.2);
    assert_eq!(c.class_attrs_all.topk, 20);
    assert_eq!(c.class_attrs_all.nms_iou_threshold, 0.5);
}

/// The shape of deepstream-test2's secondary classifier config.
#[test]
fn deepstream_sample_secondary_classifier_config() {
    let text = "\
[property]
gpu-id=0
net-scale-factor=1
onnx-file=../../../../samples/models/Secondary_VehicleMake/resnet18_vehiclemakenet_pruned.onnx
labelfile-path=../../../../samples/models/Secondary_VehicleMake/labels.txt
force-implicit-batch-dim=1
batch-size=16
model-color-format=1
network-mode=1
process-mode=2
network-type=1
is-classifier=1
output-blob-names=predictions/Softmax
classifier-async-mode=1
classifier-threshold=0.51
input-object-min-width=128
input-object-min-height=128
operate-on-gie-id=1
operate-on-class-ids=0
classifier-type=vehiclemake
gie-unique-id=2
";
    let (c, warnings) = InferConfig::parse(text, Path::new("/ds/test2/sgie1.txt")).unwrap();
    assert_eq!(warnings.len(), 1, "{warnings:?}"); // is-classifier is deprecated
    assert_eq!(c.process_mode, ProcessMode::Secondary);
    assert_eq!(c.network_type, NetworkType::Classifier);
    assert_eq!(c.batch_size, 16);
    assert!(c.classifier_async_mode);
    assert_eq!(c.classifier_threshold, 0.51);
    assert_eq!(
        (c.input_object_min_width, c.input_object_min_height),
        (128, 128)
    );
    assert_eq!(c.operate_on_gie_id, 1);
    assert_eq!(c.operate_on_class_ids, vec![0]);
    assert_eq!(c.classifier_type.as_deref(), Some("vehiclemake"));
    assert_eq!(c.gie_unique_id, 2);
    assert_eq!(c.num_detected_classes, 0);
}

#[test]
fn shipped_dstest1_config() {
    let configs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../configs");
    let configs = std::fs::canonicalize(configs).unwrap();
    let (c, warnings) = InferConfig::from_file(&configs.join("dstest1_pgie_config.txt")).unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    let root = configs.parent().unwrap();
    // The real path (models/ may be a link).
    let model = std::fs::canonicalize(root.join("models/nanodet-m-416.onnx"));
    assert_eq!(c.onnx_file, Some(model.unwrap()));
    let labels = c.labelfile_path.clone().unwrap();
    assert_eq!(labels, configs.join("labels_4class.txt"));
    let labels = std::fs::read_to_string(labels).unwrap();
    assert_eq!(
        labels.lines().collect::<Vec<_>>(),
        vec!["Car", "Bicycle", "Person", "Roadsign"]
    );
    assert_eq!(c.batch_size, 1);
    assert_eq!(c.net_scale_factor, 0.0174);
    assert_eq!(c.offsets, vec![103.53, 116.28, 123.675]);
    assert_eq!(c.model_color_format, ModelColorFormat::Bgr);
    // INT8 as NVIDIA's detector configs: the cache ci/models.sh makes, and
    // the engine file the open nvinfer writes next to it (real paths where
    // they exist).
    assert_eq!(c.network_mode, NetworkMode::Int8);
    let real = |p: &str| {
        let p = root.join(p);
        std::fs::canonicalize(&p).unwrap_or(p)
    };
    assert_eq!(
        c.int8_calib_file,
        Some(real("models/nanodet-m-416.int8.calib"))
    );
    assert_eq!(
        c.model_engine_file,
        Some(real("models/nanodet-m-416.onnx_cpu_int8.engine"))
    );
    assert_eq!(c.num_detected_classes, 4);
    assert_eq!(c.interval, 0);
    assert_eq!(c.gie_unique_id, 1);
    assert_eq!(c.process_mode, ProcessMode::Primary);
    assert_eq!(c.network_type, NetworkType::Detector);
    assert_eq!(c.cluster_mode, ClusterMode::Nms);
    // The parser library, by its bare file name (resolved against the
    // config's folder, as NVIDIA's nvinfer does; searched further when absent).
    assert_eq!(
        c.parse_bbox_func_name.as_deref(),
        Some("NvDsInferParseCustomNanoDet")
    );
    assert_eq!(
        c.custom_lib_path,
        Some(configs.join("libnvdsinfer_custom_impl_nanodet.so"))
    );
    assert!(c.custom_lib_bare_name);
    assert!(c.class_map.is_none());
    assert_eq!(c.class_attrs_all.pre_cluster_threshold, 0.4);
    assert_eq!(c.class_attrs_all.nms_iou_threshold, 0.5);
    assert_eq!(c.class_attrs_all.topk, 100);
    assert!(c.class_attrs.is_empty());
}

/// The built-in parser's config (ds-testkit): the same detector with
/// NvDsInferParseNanoDet and class-map.
#[test]
fn builtin_parser_test_config() {
    let (c, warnings) = InferConfig::from_file(&ds_testkit::parser::builtin_pgie_config()).unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(
        c.parse_bbox_func_name.as_deref(),
        Some("NvDsInferParseNanoDet")
    );
    assert_eq!(c.custom_lib_path, None);
    assert!(c
        .onnx_file
        .as_ref()
        .unwrap()
        .ends_with("nanodet-m-416.onnx"));
    // COCO: person 0, bicycle 1, car 2, motorcycle 3, bus 5, truck 7,
    // traffic light 9, stop sign 11.
    let expected = [
        (0, 2),
        (1, 1),
        (2, 0),
        (3, 1),
        (5, 0),
        (7, 0),
        (9, 3),
        (11, 3),
    ];
    let map = c.class_map.as_ref().unwrap();
    assert_eq!(map.iter().collect::<Vec<_>>(), expected);
    assert_eq!(c.map_class(4), None); // airplane
    assert_eq!(c.class_attrs_all.pre_cluster_threshold, 0.4);
    assert_eq!(c.class_attrs_all.nms_iou_threshold, 0.5);
    assert_eq!(c.class_attrs_all.topk, 100);
    assert!(c.class_attrs.is_empty());
}
