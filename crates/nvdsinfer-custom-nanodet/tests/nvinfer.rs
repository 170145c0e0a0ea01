//! The library through the open nvinfer's `custom-lib-path`, and through a
//! C++ harness that calls it as NVIDIA's nvinfer does.
use ds_core::BatchMeta;
use ds_testkit::parser::TempDir;
use gstreamer as gst;
use gstreamer::prelude::*;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// libnvdsinfer_custom_impl_nanodet.so, built by cargo with this package.
fn library() -> PathBuf {
    ds_testkit::parser::cargo_built_library("libnvdsinfer_custom_impl_nanodet.so")
}

fn need(p: PathBuf) -> PathBuf {
    assert!(
        p.exists(),
        "{} is missing: run ci/samples.sh and ci/models.sh",
        p.display()
    );
    p
}

/// One object: class, confidence, rect.
type Obj = (i32, f32, [f32; 4]);

/// Runs the whole sample through one nvinfer with `config`; the objects of
/// every frame, or the pipeline's error.
fn run(config: &Path) -> Result<Vec<Vec<Obj>>, String> {
    ds_open::init().unwrap();
    let desc = format!(
        "filesrc location=\"{}\" ! h264parse ! nvv4l2decoder ! m.sink_0 nvstreammux name=m \
         batch-size=1 width=1280 height=720 ! nvinfer name=infer ! fakesink name=sink sync=false",
        need(root().join("samples/sample_720p_60.h264")).display()
    );
    let pipeline = gst::parse::launch(&desc)
        .unwrap()
        .downcast::<gst::Pipeline>()
        .unwrap();
    let infer = pipeline.by_name("infer").unwrap();
    infer.set_property("config-file-path", config.to_str().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s = seen.clone();
    let sink = pipeline.by_name("sink").unwrap();
    sink.static_pad("sink")
        .unwrap()
        .add_probe(gst::PadProbeType::BUFFER, move |_, info| {
            if let Some(gst::PadProbeData::Buffer(buffer)) = info.data.as_ref() {
                let batch = BatchMeta::from_buffer(buffer).unwrap();
                for frame in batch.frames() {
                    let objs: Vec<Obj> = frame
                        .objects()
                        .map(|o| {
                            let r = o.rect_params();
                            (
                                o.class_id(),
                                o.confidence(),
                                [r.left, r.top, r.width, r.height],
                            )
                        })
                        .collect();
                    s.lock().unwrap().push(objs);
                }
            }
            gst::PadProbeReturn::Ok
        });
    let result = ds_core::app::run(&pipeline).map_err(|e| e.to_string());
    pipeline.set_state(gst::State::Null).unwrap();
    result?;
    let out = std::mem::take(&mut *seen.lock().unwrap());
    Ok(out)
}

/// The shipped test1 config (which uses this library by its bare file name)
/// with `custom-lib-path` = `lib` and the function `func`, models and labels
/// by absolute path.
fn custom_config(dir: &TempDir, lib: &Path, func: &str) -> PathBuf {
    let text = std::fs::read_to_string(root().join("configs/dstest1_pgie_config.txt")).unwrap();
    let models = root().join("models").canonicalize().unwrap();
    let configs = root().join("configs").canonicalize().unwrap();
    let text: String = text
        .lines()
        .map(|l| match l {
            l if l.starts_with("custom-lib-path=") => {
                format!("custom-lib-path={}", lib.display())
            }
            l if l.starts_with("parse-bbox-func-name=") => format!("parse-bbox-func-name={func}"),
            // onnx-file, int8-calib-file, model-engine-file.
            l if l.contains("=../models/") => {
                l.replace("=../models/", &format!("={}/", models.display()))
            }
            l if l.starts_with("labelfile-path=") => {
                format!(
                    "labelfile-path={}",
                    configs.join("labels_4class.txt").display()
                )
            }
            l => l.to_string(),
        })
        .map(|l| l + "\n")
        .collect();
    dir.write(&format!("{func}.txt"), &text)
}

/// The built-in parser's config (ds-testkit) in FP32: network-mode=0, no
/// calibration cache or engine file, paths absolute.
fn builtin_fp32_config(dir: &TempDir) -> PathBuf {
    let builtin = ds_testkit::parser::builtin_pgie_config();
    let root = root().canonicalize().unwrap();
    let text: String = std::fs::read_to_string(&builtin)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with("int8-calib-file=") && !l.starts_with("model-engine-file="))
        .map(|l| match l {
            "network-mode=1" => "network-mode=0\n".to_string(),
            l => l.replace("=../../../", &format!("={}/", root.display())) + "\n",
        })
        .collect();
    assert!(text.contains("\nnetwork-mode=0\n"), "{text}");
    dir.write("builtin_fp32.txt", &text)
}

#[test]
fn library_gives_the_builtin_parsers_objects_on_every_frame() {
    // The built-in parser (NvDsInferParseNanoDet + class-map) against the
    // shipped config, whose bare custom-lib-path the open nvinfer finds in
    // cargo's target folder.
    let builtin = run(&ds_testkit::parser::builtin_pgie_config()).unwrap();
    let shipped = std::fs::read_to_string(root().join("configs/dstest1_pgie_config.txt")).unwrap();
    assert!(
        shipped.contains("\ncustom-lib-path=libnvdsinfer_custom_impl_nanodet.so\n")
            && shipped.contains("\nparse-bbox-func-name=NvDsInferParseCustomNanoDet\n"),
        "the shipped config uses the library"
    );
    let custom = run(&root().join("configs/dstest1_pgie_config.txt")).unwrap();
    assert!(builtin.len() >= 60, "{} frames", builtin.len());
    assert_eq!(builtin.len(), custom.len());
    let total: usize = builtin.iter().map(Vec::len).sum();
    assert!(total > 100, "the clip has objects: {total}");
    for (i, (b, c)) in builtin.iter().zip(&custom).enumerate() {
        assert_eq!(b, c, "frame {i}");
    }
}

#[test]
fn the_both_backends_config_gives_the_builtin_parsers_objects() {
    // configs/nvidia/nanodet_pgie_config.txt as it is: its bare
    // custom-lib-path is not next to it (unless copied there, as NVIDIA's
    // nvinfer needs), so the open nvinfer finds cargo's build of the library.
    // It runs FP32 (network-mode=0): so does the built-in parser's config
    // here (the shipped ones run INT8).
    let dir = TempDir::new("fp32");
    let builtin = run(&builtin_fp32_config(&dir)).unwrap();
    let custom = run(&root().join("configs/nvidia/nanodet_pgie_config.txt")).unwrap();
    assert_eq!(builtin, custom);
}

#[test]
fn missing_library_or_function_is_one_error_line() {
    let dir = TempDir::new("errors");
    let absent = dir.path().join("libabsent.so");
    let e = run(&custom_config(&dir, &absent, "NvDsInferParseCustomNanoDet")).unwrap_err();
    assert!(
        e.contains("cannot load custom-lib-path") && e.contains("libabsent.so"),
        "{e}"
    );
    assert!(!e.contains('\n'), "{e}");
    let e = run(&custom_config(&dir, &library(), "NvDsInferParseNope")).unwrap_err();
    assert!(e.contains("has no function 'NvDsInferParseNope'"), "{e}");
}

const HARNESS: &str = r#"
// Calls the Rust library as NVIDIA's nvinfer does: dlopen, dlsym, vectors in,
// vector out. Compiled against our own ABI declarations.
#include "ds_custom_parser.h"
#include <dlfcn.h>
#include <cstdio>
#include <vector>

int main(int argc, char **argv) {
  void *lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (!lib) { std::printf("dlopen: %s\n", dlerror()); return 2; }
  auto fn = reinterpret_cast<NvDsInferParseCustomFunc>(dlsym(lib, argv[2]));
  if (!fn) { std::printf("dlsym failed\n"); return 3; }
  // A 32x32 input: strides 8, 16, 32 -> 16, 4, 1 locations; 80 classes,
  // 8 bins. Location 5 of stride 8 scores COCO class 2 (car) at 0.9 with
  // all distances at bin 1 (8 px).
  const unsigned locs[3] = {16, 4, 1};
  std::vector<std::vector<float>> cls, reg;
  for (unsigned n : locs) { cls.emplace_back(n * 80, 0.0f); reg.emplace_back(n * 32, 0.0f); }
  cls[0][5 * 80 + 2] = 0.9f;
  for (int side = 0; side < 4; side++) reg[0][5 * 32 + side * 8 + 1] = 50.0f;
  std::vector<NvDsInferLayerInfo> layers;
  const char *names[6] = {"cls_8", "cls_16", "cls_32", "reg_8", "reg_16", "reg_32"};
  for (int i = 0; i < 6; i++) {
    NvDsInferLayerInfo l{};
    l.dataType = FLOAT;
    l.inferDims.numDims = 2;
    l.inferDims.d[0] = locs[i % 3];
    l.inferDims.d[1] = i < 3 ? 80 : 32;
    l.inferDims.numElements = l.inferDims.d[0] * l.inferDims.d[1];
    l.layerName = names[i];
    l.buffer = i < 3 ? cls[i].data() : reg[i - 3].data();
    layers.push_back(l);
  }
  NvDsInferNetworkInfo net{32, 32, 3};
  NvDsInferParseDetectionParams params;
  params.numClassesConfigured = argc > 3 ? 80 : 4;
  params.perClassPreclusterThreshold.assign(params.numClassesConfigured, 0.5f);
  params.perClassPostclusterThreshold.assign(params.numClassesConfigured, 0.0f);
  std::vector<NvDsInferObjectDetectionInfo> objects;
  bool ok = fn(layers, net, params, objects);
  std::printf("ok=%d n=%zu\n", ok ? 1 : 0, objects.size());
  for (auto &o : objects)
    std::printf("%u %.2f %.2f %.2f %.2f %.2f\n", o.classId, o.left, o.top, o.width, o.height,
                o.detectionConfidence);
  // Broken input: a layer list that is not NanoDet's -> false, no crash.
  std::vector<NvDsInferLayerInfo> none;
  objects.clear();
  ok = fn(none, net, params, objects);
  std::printf("empty ok=%d n=%zu\n", ok ? 1 : 0, objects.size());
  return 0;
}
"#;

#[test]
fn cpp_harness_calls_the_library_as_nvinfer_does() {
    let dir = TempDir::new("harness");
    let src = dir.write("harness.cpp", HARNESS);
    let exe = dir.path().join("harness");
    let include = ds_testkit::parser::abi_include_dir();
    let cxx = std::env::var("CXX").unwrap_or_else(|_| "c++".into());
    let st = Command::new(cxx)
        .args(["-std=c++14", "-Wall", "-Werror", "-o"])
        .arg(&exe)
        .arg(&src)
        .arg("-I")
        .arg(&include)
        .arg("-ldl")
        .status()
        .unwrap();
    assert!(st.success());
    let out = |args: &[&str]| {
        let o = Command::new(&exe)
            .arg(library())
            .args(args)
            .output()
            .unwrap();
        assert!(o.status.success(), "{o:?}");
        String::from_utf8(o.stdout).unwrap()
    };
    // Location 5 of stride 8: x=1, y=1, centre (12, 12); 8 px each side.
    let four = out(&["NvDsInferParseCustomNanoDet"]);
    assert_eq!(
        four, "ok=1 n=1\n0 4.00 4.00 16.00 16.00 0.90\nempty ok=0 n=0\n",
        "car -> class 0 of the samples"
    );
    let coco = out(&["NvDsInferParseCustomNanoDetCoco", "80"]);
    assert!(
        coco.starts_with("ok=1 n=1\n2 4.00 4.00 16.00 16.00 0.90\n"),
        "{coco}"
    );
}
