//! The open `nvinfer` on the real sample clip and model: primary detection
//! with the shipped test1 config, property overrides, interval,
//! output-tensor-meta read by a custom parser written in Rust, secondary
//! classification with a real (tiny) ONNX classifier, and the error cases.
use ds_core::tensor::TensorMeta;
use ds_core::BatchMeta;
use ds_model::nanodet;
use ds_model::onnx::{Attribute, Dim, Graph, Initializer, Model, Node, ValueInfo};
use ds_model::tensor::Tensor;
use ds_testkit::parser::{builtin_pgie_config, compile_cpp_parser, fp32_config_text, TempDir};
use gstreamer as gst;
use gstreamer::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn need(p: PathBuf, script: &str) -> PathBuf {
    assert!(
        p.exists(),
        "{} is missing: run {script} (ci/test.sh does)",
        p.display()
    );
    p
}

fn sample() -> PathBuf {
    need(root().join("samples/sample_720p_60.h264"), "ci/samples.sh")
}

fn model() -> PathBuf {
    need(root().join("models/nanodet-m-416.onnx"), "ci/models.sh")
}

/// The shipped detector config: NanoDet through the parser library
/// (`custom-lib-path=libnvdsinfer_custom_impl_nanodet.so`, a bare name the
/// open nvinfer finds next to this test binary: cargo builds the library as
/// a dev-dependency).
fn pgie_config() -> PathBuf {
    model();
    need(
        root().join("configs/dstest1_pgie_config.txt"),
        "ci/models.sh",
    )
}

/// `text` of the shipped config with its `../models/` paths (`onnx-file`,
/// `int8-calib-file`, `model-engine-file`) made absolute, for a copy
/// written elsewhere.
fn absolute_models(text: &str) -> String {
    text.replace(
        "=../models/",
        &format!("={}/", root().join("models").display()),
    )
}

/// One object as a probe after the last nvinfer sees it.
#[derive(Debug, Clone)]
struct Obj {
    class_id: i32,
    confidence: f32,
    rect: [f32; 4],
    label: String,
    component: i32,
    /// Classifier results: (component, label, probability).
    classes: Vec<(i32, String, f32)>,
    text: String,
}

/// What the probe saw on one frame.
#[derive(Debug, Default, Clone)]
struct Frame {
    objects: Vec<Obj>,
    /// Output layers (name, dims) of the frame's tensor metas.
    layers: Vec<(String, Vec<u32>)>,
    /// Persons a custom Rust parser found in the frame's tensor meta.
    custom_persons: usize,
    /// `bInferDone`.
    infer_done: bool,
    /// The frame's tensor metas.
    tensors: Vec<TensorSeen>,
}

/// One tensor meta: (unique_id, network w/h/c, binding indexes of its
/// layers, whether every layer has FLOAT host data, `isInput` of any).
type TensorSeen = (u32, [u32; 3], Vec<i32>, bool, bool);

/// Parses NanoDet's raw tensor meta in Rust (what a DeepStream user writes
/// for a custom model) and counts persons (COCO class 0) above 0.4.
fn custom_parser(t: &TensorMeta) -> usize {
    let layer = |n: &str| t.layer_by_name(n).and_then(|l| l.as_f32()).unwrap_or(&[]);
    let levels: Vec<nanodet::Level<'_>> = [
        (8, "cls_8", "reg_8"),
        (16, "cls_16", "reg_16"),
        (32, "cls_32", "reg_32"),
    ]
    .iter()
    .map(|&(stride, c, r)| nanodet::Level {
        stride,
        cls: layer(c),
        reg: layer(r),
    })
    .collect();
    let mut cfg = nanodet::Config::nanodet_m_416();
    cfg.score_threshold = 0.4;
    cfg.nms_iou_threshold = 0.5;
    let dets = nanodet::postprocess(&cfg, &levels).expect("tensor meta holds NanoDet's outputs");
    dets.iter().filter(|d| d.class_id == 0).count()
}

/// Runs the first `frames` frames of the sample through the nvinfer
/// elements given (`(properties)` per element, in order); returns what a
/// probe after the last one saw, or the pipeline's error.
fn run(frames: u32, infers: &[&[(&str, &str)]]) -> Result<Vec<Frame>, String> {
    ds_open::init().unwrap();
    let chain: String = (0..infers.len())
        .map(|i| format!(" ! nvinfer name=infer{i}"))
        .collect();
    let desc = format!(
        "filesrc location=\"{}\" ! h264parse ! nvv4l2decoder ! identity eos-after={} ! \
         m.sink_0 nvstreammux name=m batch-size=1 width=1280 height=720{chain} ! \
         fakesink name=sink sync=false",
        sample().display(),
        frames + 1
    );
    let pipeline = gst::parse::launch(&desc)
        .unwrap()
        .downcast::<gst::Pipeline>()
        .unwrap();
    for (i, props) in infers.iter().enumerate() {
        let infer = pipeline.by_name(&format!("infer{i}")).unwrap();
        for (k, v) in props.iter() {
            infer.set_property_from_str(k, v);
        }
    }
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s = seen.clone();
    let sink = pipeline.by_name("sink").unwrap();
    sink.static_pad("sink")
        .unwrap()
        .add_probe(gst::PadProbeType::BUFFER, move |_, info| {
            if let Some(gst::PadProbeData::Buffer(buffer)) = info.data.as_ref() {
                let batch = BatchMeta::from_buffer(buffer).unwrap();
                for frame in batch.frames() {
                    let objects = frame
                        .objects()
                        .map(|o| {
                            let r = o.rect_params();
                            Obj {
                                class_id: o.class_id(),
                                confidence: o.confidence(),
                                rect: [r.left, r.top, r.width, r.height],
                                label: o.obj_label().to_string(),
                                component: o.unique_component_id(),
                                classes: o
                                    .classifiers()
                                    .flat_map(|c| {
                                        let id = c.unique_component_id();
                                        c.labels()
                                            .map(move |l| {
                                                (id, l.result_label().to_string(), l.result_prob())
                                            })
                                            .collect::<Vec<_>>()
                                    })
                                    .collect(),
                                text: o.text_params().display_text().unwrap_or("").to_string(),
                            }
                        })
                        .collect();
                    let mut f = Frame {
                        objects,
                        infer_done: frame.infer_done(),
                        ..Frame::default()
                    };
                    for t in frame.user_metas().filter_map(TensorMeta::from_user_meta) {
                        let n = t.network_info();
                        f.tensors.push((
                            t.unique_id(),
                            [n.width, n.height, n.channels],
                            t.layers().map(|l| l.binding_index()).collect(),
                            t.layers()
                                .all(|l| l.as_f32().is_some_and(|d| d.len() == l.num_elements())),
                            t.layers().any(|l| l.is_input()),
                        ));
                        f.layers.extend(
                            t.layers()
                                .map(|l| (l.name().to_string(), l.dims().to_vec())),
                        );
                        f.custom_persons += custom_parser(t);
                    }
                    s.lock().unwrap().push(f);
                }
            }
            gst::PadProbeReturn::Ok
        });
    let result = ds_core::app::run(&pipeline).map_err(|e| e.to_string());
    pipeline.set_state(gst::State::Null).unwrap();
    result?;
    let mut out = std::mem::take(&mut *seen.lock().unwrap());
    // identity's eos-after lets a few decoded frames more through: keep
    // the first `frames`.
    assert!(
        out.len() >= frames as usize,
        "{} frames, not {frames}",
        out.len()
    );
    out.truncate(frames as usize);
    Ok(out)
}

fn pgie() -> Vec<(&'static str, String)> {
    vec![(
        "config-file-path",
        pgie_config().to_string_lossy().into_owned(),
    )]
}

fn props<'a>(v: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    v.iter().map(|(k, s)| (*k, s.as_str())).collect()
}

/// `config` in FP32: `network-mode=0`, no calibration cache or engine file,
/// relative paths made absolute; written to `dir`.
fn fp32_copy(dir: &TempDir, config: &Path) -> PathBuf {
    let name = config.file_name().unwrap().to_string_lossy();
    dir.write(&format!("fp32_{name}"), &fp32_config_text(config))
}

#[test]
fn detects_people_and_vehicles_on_the_sample() {
    // The shipped config (the parser library) and the built-in parser, in
    // FP32: the van below was checked by eye on every frame there.
    let dir = TempDir::new("fp32-detect");
    for config in [pgie_config(), builtin_pgie_config()] {
        let config = fp32_copy(&dir, &config);
        eprintln!("{}", config.display());
        let config = config.to_string_lossy().into_owned();
        let frames = run(10, &[&[("config-file-path", config.as_str())]]).unwrap();
        sees_people_and_the_van(&frames, 10);
    }
    // The configs as shipped (INT8): the same people; the parked van's
    // score sits near pre-cluster-threshold and INT8 drops it on some
    // frames (found on 5 of these 10 at 1280x720 with ci/models.sh's cache;
    // crates/ds-open/tests/nvinfer_int8.rs pins INT8 against FP32 at the
    // apps' 1920x1080, where it is found on 9 of 12 or more).
    for config in [pgie_config(), builtin_pgie_config()] {
        let config = config.to_string_lossy().into_owned();
        let frames = run(10, &[&[("config-file-path", config.as_str())]]).unwrap();
        sees_people_and_the_van(&frames, 4);
    }
}

/// The people on each of the 10 frames, and the van on at least
/// `van_frames` of them.
fn sees_people_and_the_van(frames: &[Frame], van_frames: usize) {
    assert_eq!(frames.len(), 10);
    // Checked by eye on the clip's first frames: three people walking and a
    // white van parked top right (1280x720, letterboxed 960x720 picture).
    let mut van = 0;
    for (i, f) in frames.iter().enumerate() {
        let persons: Vec<&Obj> = f.objects.iter().filter(|o| o.class_id == 2).collect();
        let vehicles: Vec<&Obj> = f.objects.iter().filter(|o| o.class_id == 0).collect();
        assert!(
            (2..=6).contains(&persons.len()),
            "frame {i}: {:?}",
            f.objects
        );
        for o in &f.objects {
            let [l, t, w, h] = o.rect;
            assert!(
                l >= 160.0 - 4.0 && l + w <= 1120.0 + 4.0,
                "inside the picture: {o:?}"
            );
            assert!(t >= 0.0 && t + h <= 720.0 && w > 4.0 && h > 4.0, "{o:?}");
            assert!((0.4..=1.0).contains(&o.confidence), "{o:?}");
            assert_eq!(o.component, 1, "gie-unique-id of the config");
            let expected = ["Car", "Bicycle", "Person", "Roadsign"][o.class_id as usize];
            assert_eq!((o.label.as_str(), o.text.as_str()), (expected, expected));
        }
        // The van, top right.
        if vehicles
            .iter()
            .any(|v| v.rect[0] > 900.0 && v.rect[1] < 150.0)
        {
            van += 1;
        }
    }
    assert!(van >= van_frames, "the van on {van} of 10 frames");
}

#[test]
fn properties_override_the_config_and_interval_skips_batches() {
    let mut p = pgie();
    p.push(("unique-id", "7".into()));
    p.push(("interval", "2".into()));
    let frames = run(9, &[&props(&p)]).unwrap();
    assert_eq!(frames.len(), 9);
    for (i, f) in frames.iter().enumerate() {
        if i % 3 == 0 {
            assert!(!f.objects.is_empty(), "frame {i} is inferred");
            assert!(f.objects.iter().all(|o| o.component == 7));
        } else {
            assert!(f.objects.is_empty(), "frame {i} is skipped by interval=2");
        }
    }
}

#[test]
fn output_tensor_meta_feeds_a_custom_rust_parser() {
    let mut p = pgie();
    p.push(("output-tensor-meta", "true".into()));
    let frames = run(4, &[&props(&p)]).unwrap();
    for f in &frames {
        let names: Vec<&str> = f.layers.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            ["cls_8", "cls_16", "cls_32", "reg_8", "reg_16", "reg_32"]
        );
        assert_eq!(f.layers[0].1, vec![2704, 80]);
        assert_eq!(f.layers[3].1, vec![2704, 44]);
        // The custom parser, at the config's threshold, finds the persons
        // nvinfer found.
        let persons = f.objects.iter().filter(|o| o.class_id == 2).count();
        assert!(
            f.custom_persons.abs_diff(persons) <= 1,
            "{} vs {persons}",
            f.custom_persons
        );
    }
}

/// `network-type=100` with `output-tensor-meta=1`, the pipeline of the
/// deepstream-ssd-parser sample: as NVIDIA's nvinfer, no parsing at all (no
/// object meta, `bInferDone` left unset, even with a parser named in the
/// config), and per frame one frame user meta of type
/// `NVDSINFER_TENSOR_OUTPUT_META` with the output layers: names, dims
/// without the batch, binding indexes after the one input, FLOAT host data.
#[test]
fn network_type_other_attaches_only_the_tensor_meta() {
    let dir = TempDir::new("nvinfer-other");
    let config = dir.path().join("other.txt");
    let text = std::fs::read_to_string(pgie_config())
        .unwrap()
        .replace("network-type=0", "network-type=100")
        .replace("labelfile-path=labels_4class.txt\n", "")
        .replace("gie-unique-id=1", "gie-unique-id=5\noutput-tensor-meta=1");
    let text = absolute_models(&text);
    assert!(text.contains("network-type=100") && text.contains("gie-unique-id=5"));
    std::fs::write(&config, text).unwrap();
    let frames = run(3, &[&[("config-file-path", config.to_str().unwrap())]]).unwrap();
    for (i, f) in frames.iter().enumerate() {
        assert!(f.objects.is_empty(), "frame {i}: {:?}", f.objects);
        assert!(!f.infer_done, "frame {i}: bInferDone is the app's to set");
        let names: Vec<&str> = f.layers.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            ["cls_8", "cls_16", "cls_32", "reg_8", "reg_16", "reg_32"]
        );
        assert_eq!(f.layers[2].1, vec![169, 80]);
        assert_eq!(
            f.tensors,
            vec![(5, [416, 416, 3], vec![1, 2, 3, 4, 5, 6], true, false)],
            "frame {i}"
        );
        // The raw scores are the model's (sigmoid already applied): a
        // custom parser finds the people in them.
        assert!(f.custom_persons >= 2, "frame {i}: {}", f.custom_persons);
    }
}

/// Writes a tiny real ONNX classifier: the mean of each RGB channel of the
/// crop, sharpened and soft-maxed: "which colour dominates".
fn colour_classifier(dir: &Path) -> PathBuf {
    let node =
        |name: &str, op: &str, inputs: &[&str], output: &str, attributes: Vec<Attribute>| Node {
            name: name.into(),
            op_type: op.into(),
            inputs: inputs.iter().map(|s| s.to_string()).collect(),
            outputs: vec![output.into()],
            attributes,
        };
    let model = Model {
        ir_version: 7,
        opset: 13,
        producer_name: "ds-open tests".into(),
        producer_version: "1".into(),
        doc_string: "dominant colour".into(),
        graph: Graph {
            name: "colour".into(),
            nodes: vec![
                node("pool", "GlobalAveragePool", &["input"], "pooled", vec![]),
                node(
                    "flat",
                    "Flatten",
                    &["pooled"],
                    "flat",
                    vec![Attribute::int("axis", 1)],
                ),
                node("sharpen", "Mul", &["flat", "gain"], "logits", vec![]),
                node(
                    "softmax",
                    "Softmax",
                    &["logits"],
                    "probs",
                    vec![Attribute::int("axis", 1)],
                ),
            ],
            initializers: vec![Initializer {
                name: "gain".into(),
                tensor: Tensor::from_f32(vec![1], vec![20.0]).unwrap(),
            }],
            inputs: vec![ValueInfo {
                name: "input".into(),
                elem_type: 1,
                shape: Some(vec![
                    Dim::Param("batch".into()),
                    Dim::Value(3),
                    Dim::Value(32),
                    Dim::Value(32),
                ]),
            }],
            outputs: vec![ValueInfo {
                name: "probs".into(),
                elem_type: 1,
                shape: Some(vec![Dim::Param("batch".into()), Dim::Value(3)]),
            }],
        },
    };
    let path = dir.join("colour.onnx");
    std::fs::write(&path, model.encode()).unwrap();
    path
}

fn sgie_config(dir: &TempDir, extra: &str) -> PathBuf {
    let onnx = colour_classifier(dir.path());
    dir.write("colour_labels.txt", "red;green;blue\n");
    let lib = root().join("models/onnxruntime/libonnxruntime.so");
    dir.write(
        "sgie.txt",
        &format!(
            "[property]\nonnx-file={}\nonnxruntime-lib={}\nlabelfile-path=colour_labels.txt\n\
             net-scale-factor=0.00392156862745098\nmodel-color-format=0\nbatch-size=8\n\
             process-mode=2\nnetwork-type=1\ngie-unique-id=5\noperate-on-gie-id=1\n\
             operate-on-class-ids=2\nclassifier-threshold=0.2\n{extra}",
            onnx.display(),
            lib.display()
        ),
    )
}

#[test]
fn secondary_classifier_labels_the_objects_of_the_primary() {
    let dir = TempDir::new("sgie");
    let sgie = sgie_config(&dir, "");
    let p = pgie();
    let s = [("config-file-path", sgie.to_str().unwrap())];
    let frames = run(3, &[&props(&p), &s]).unwrap();
    let mut persons = 0;
    for f in &frames {
        for o in &f.objects {
            if o.class_id == 2 {
                persons += 1;
                assert_eq!(
                    o.classes.len(),
                    1,
                    "one classifier result per person: {o:?}"
                );
                let (component, label, prob) = &o.classes[0];
                assert_eq!(*component, 5);
                assert!(["red", "green", "blue"].contains(&label.as_str()), "{o:?}");
                assert!(*prob >= 0.2 && *prob <= 1.0);
                assert_eq!(o.text, format!("Person {label}"));
            } else {
                assert!(o.classes.is_empty(), "operate-on-class-ids=2 only: {o:?}");
            }
        }
    }
    assert!(persons >= 6);
}

/// Runs a pipeline whose nvinfer must fail; returns the error text.
fn failure(props: &[(&str, &str)]) -> String {
    let started = std::time::Instant::now();
    let err = run(3, &[props]).expect_err("the pipeline must fail");
    assert!(started.elapsed().as_secs() < 60, "fails quickly");
    err
}

#[test]
fn errors_name_their_cause() {
    let dir = TempDir::new("errors");
    let onnx = model();
    let lib = root().join("models/onnxruntime/libonnxruntime.so");
    let base = |extra: &str| {
        format!(
            "[property]\nonnx-file={}\nonnxruntime-lib={}\nnum-detected-classes=4\n\
             parse-bbox-func-name=NvDsInferParseNanoDet\nmodel-color-format=1\n{extra}",
            onnx.display(),
            lib.display()
        )
    };
    let cases: Vec<(PathBuf, &str)> = vec![
        (dir.path().join("absent.txt"), "cannot read nvinfer config"),
        (
            dir.write("badval.txt", &base("batch-size=x\n")),
            "bad value 'x' for key 'batch-size'",
        ),
        (
            dir.write(
                "nomodel.txt",
                &base("").replace(onnx.to_str().unwrap(), "/no/model.onnx"),
            ),
            "model '/no/model.onnx' not found",
        ),
        (
            dir.write("nolabels.txt", &base("labelfile-path=/no/labels.txt\n")),
            "label file",
        ),
        (
            dir.write(
                "parser.txt",
                &base("").replace("NvDsInferParseNanoDet", "NvDsInferParseYolo"),
            ),
            "parse-bbox-func-name 'NvDsInferParseYolo' is not built into the open nvinfer",
        ),
        (
            dir.write(
                "gray.txt",
                &base("").replace("model-color-format=1", "model-color-format=2"),
            ),
            "takes 3 input channels but model-color-format=2 needs 1",
        ),
    ];
    for (config, expected) in cases {
        eprintln!("case {}", config.display());
        let err = failure(&[("config-file-path", config.to_str().unwrap())]);
        assert!(err.contains(expected), "{}: {err}", config.display());
    }
    // A model of the wrong kind: the colour classifier as a detector.
    let sgie = sgie_config(&dir, "");
    let text = std::fs::read_to_string(&sgie).unwrap()
        .replace("process-mode=2\nnetwork-type=1", "process-mode=1\nnetwork-type=0\nnum-detected-classes=4\nparse-bbox-func-name=NvDsInferParseNanoDet");
    let wrong = dir.write("wrong.txt", &text);
    let err = failure(&[("config-file-path", wrong.to_str().unwrap())]);
    assert!(err.contains("do not look like NanoDet"), "{err}");
    // No config at all.
    let err = failure(&[]);
    assert!(err.contains("config-file-path is not set"), "{err}");
}

/// A C++ parser library written from the ABI alone (our declarations in
/// ds-sys' cpp/ds_custom_parser.h), compiled by the test.
const CPP_PARSER: &str = r#"
#include "ds_custom_parser.h"
#include <cmath>
#include <cstring>
#include <stdexcept>

// Fixed objects in network pixels (416x416): one good box, one reaching
// out of the input (clipped), one of a class >= num-detected-classes, one
// NaN and one entirely outside (both dropped).
extern "C" bool ParseFixed(std::vector<NvDsInferLayerInfo> const &layers,
                           NvDsInferNetworkInfo const &net,
                           NvDsInferParseDetectionParams const &params,
                           std::vector<NvDsInferObjectDetectionInfo> &out) {
  if (layers.size() != 6 || net.width != 416 || params.numClassesConfigured != 4) return false;
  out.push_back({1, 100, 100, 50, 50, 0.9f});
  out.push_back({2, -20, -20, 100, 100, 0.8f});
  out.push_back({9, 10, 10, 10, 10, 0.9f});
  out.push_back({0, NAN, 10, 10, 10, 0.9f});
  out.push_back({0, 500, 500, 10, 10, 0.9f});
  return true;
}
extern "C" bool ParseFalse(std::vector<NvDsInferLayerInfo> const &, NvDsInferNetworkInfo const &,
                           NvDsInferParseDetectionParams const &,
                           std::vector<NvDsInferObjectDetectionInfo> &) {
  return false;
}
extern "C" bool ParseThrow(std::vector<NvDsInferLayerInfo> const &, NvDsInferNetworkInfo const &,
                           NvDsInferParseDetectionParams const &,
                           std::vector<NvDsInferObjectDetectionInfo> &) {
  throw std::runtime_error("no");
}
// Classifier: "teal" (class 1 of layer 0) when the colour classifier's
// probabilities reach the threshold at all, with a description.
extern "C" bool ClassifyTeal(std::vector<NvDsInferLayerInfo> const &layers,
                             NvDsInferNetworkInfo const &net, float threshold,
                             std::vector<NvDsInferAttribute> &out, std::string &desc) {
  if (layers.size() != 1 || layers[0].inferDims.numElements != 3 || net.width != 32) return false;
  if (threshold != 0.2f) throw std::runtime_error("classifier-threshold not passed");
  out.push_back({0, 1, 0.75f, strdup("teal")});
  desc = "teal";
  return true;
}
DS_CHECK_CLASSIFIER_PARSER(ClassifyTeal);
DS_CHECK_BBOX_PARSER(ParseFixed);
DS_CHECK_BBOX_PARSER(ParseFalse);
DS_CHECK_BBOX_PARSER(ParseThrow);
"#;

fn cpp_parser_library(dir: &TempDir) -> PathBuf {
    compile_cpp_parser(dir, "libcppparser.so", CPP_PARSER)
}

fn custom_parser_config(dir: &TempDir, lib: &Path, func: &str) -> PathBuf {
    let text: String = std::fs::read_to_string(pgie_config())
        .unwrap()
        .lines()
        .map(|l| match l {
            l if l.starts_with("custom-lib-path=") => format!("custom-lib-path={}", lib.display()),
            l if l.starts_with("parse-bbox-func-name=") => format!("parse-bbox-func-name={func}"),
            l => absolute_models(l).replace(
                "labelfile-path=",
                &format!("labelfile-path={}/", root().join("configs").display()),
            ),
        })
        .map(|l| l + "\n")
        .collect();
    dir.write(&format!("{func}.txt"), &text)
}

#[test]
fn cpp_parser_library_runs_through_custom_lib_path() {
    let dir = TempDir::new("cppparser");
    let lib = cpp_parser_library(&dir);
    let config = custom_parser_config(&dir, &lib, "ParseFixed");
    let frames = run(3, &[&[("config-file-path", config.to_str().unwrap())]]).unwrap();
    let (sx, sy) = (1280.0 / 416.0, 720.0 / 416.0);
    for f in &frames {
        let got: Vec<(i32, [f32; 4])> = f.objects.iter().map(|o| (o.class_id, o.rect)).collect();
        assert_eq!(got.len(), 2, "{got:?}");
        let near = |a: [f32; 4], b: [f32; 4]| a.iter().zip(b).all(|(x, y)| (x - y).abs() < 0.5);
        let good = got.iter().find(|o| o.0 == 1).expect("class 1");
        assert!(
            near(good.1, [100.0 * sx, 100.0 * sy, 50.0 * sx, 50.0 * sy]),
            "{got:?}"
        );
        let clipped = got.iter().find(|o| o.0 == 2).expect("class 2");
        assert!(near(clipped.1, [0.0, 0.0, 80.0 * sx, 80.0 * sy]), "{got:?}");
        assert_eq!(
            f.objects.iter().find(|o| o.class_id == 1).unwrap().label,
            "Bicycle"
        );
    }
}

#[test]
fn a_bare_custom_lib_path_is_found_next_to_the_config_first() {
    let dir = TempDir::new("bare-name");
    cpp_parser_library(&dir);
    let config = custom_parser_config(&dir, Path::new("libcppparser.so"), "ParseFixed");
    let frames = run(1, &[&[("config-file-path", config.to_str().unwrap())]]).unwrap();
    assert_eq!(frames[0].objects.len(), 2, "{:?}", frames[0].objects);
}

#[test]
fn a_bare_custom_lib_path_not_found_names_every_path_tried() {
    let dir = TempDir::new("bare-name-missing");
    let name = "libnvdsinfer_custom_impl_absent.so";
    let config = custom_parser_config(&dir, Path::new(name), "ParseFixed");
    let err = failure(&[("config-file-path", config.to_str().unwrap())]);
    assert!(!err.contains('\n'), "one line: {err}");
    assert!(
        err.contains(&format!("cannot load custom-lib-path '{name}'")),
        "{err}"
    );
    // Next to the config, next to this (test) executable in deps/, one
    // folder up, then the dynamic loader's search.
    let deps = std::env::current_exe()
        .unwrap()
        .parent()
        .unwrap()
        .to_path_buf();
    for tried in [
        dir.path().canonicalize().unwrap().join(name),
        deps.join(name),
        deps.parent().unwrap().join(name),
    ] {
        assert!(
            err.contains(&tried.display().to_string()),
            "{tried:?}: {err}"
        );
    }
    assert!(err.contains("dynamic loader"), "{err}");
}

#[test]
fn cpp_parser_false_or_exception_drops_the_frames_objects() {
    let dir = TempDir::new("cppparser-fail");
    let lib = cpp_parser_library(&dir);
    for func in ["ParseFalse", "ParseThrow"] {
        let config = custom_parser_config(&dir, &lib, func);
        let frames = run(3, &[&[("config-file-path", config.to_str().unwrap())]])
            .unwrap_or_else(|e| panic!("{func}: the pipeline keeps running: {e}"));
        assert!(frames.iter().all(|f| f.objects.is_empty()), "{func}");
    }
}

#[test]
fn cpp_classifier_parser_labels_the_objects() {
    let dir = TempDir::new("cppclassifier");
    let lib = cpp_parser_library(&dir);
    let sgie = sgie_config(
        &dir,
        &format!(
            "custom-lib-path={}\nparse-classifier-func-name=ClassifyTeal\n",
            lib.display()
        ),
    );
    let p = pgie();
    let s = [("config-file-path", sgie.to_str().unwrap())];
    let frames = run(2, &[&props(&p), &s]).unwrap();
    let persons: Vec<&Obj> = frames
        .iter()
        .flat_map(|f| &f.objects)
        .filter(|o| o.class_id == 2)
        .collect();
    assert!(persons.len() >= 4);
    for o in persons {
        assert_eq!(o.classes, vec![(5, "teal".to_string(), 0.75)], "{o:?}");
        assert_eq!(o.text, "Person teal");
    }
}
