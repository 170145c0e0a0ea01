//! The open `nvinfer` on the real sample clip and model: primary detection
//! with the shipped test1 config, property overrides, interval,
//! output-tensor-meta with a custom parser written in Rust, secondary
//! classification, and the error cases.
use ds_core::tensor::TensorMeta;
use ds_core::BatchMeta;
use gstreamer as gst;
use gstreamer::prelude::*;
use std::path::PathBuf;
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
    need(root().join("samples/sample_720p.h264"), "ci/samples.sh")
}

fn pgie_config() -> PathBuf {
    need(root().join("models/nanodet-m-416.onnx"), "ci/models.sh");
    need(
        root().join("configs/dstest1_pgie_config.txt"),
        "ci/models.sh",
    )
}

/// Objects of one frame: (class_id, confidence, left, top, width, height, label).
type Objects = Vec<(i32, f32, f32, f32, f32, f32, String)>;

/// Runs the sample's first `frames` frames through `nvinfer` configured by
/// `props`; returns per frame the objects and (for output-tensor-meta) the
/// tensor layer names seen.
fn run(frames: u32, props: &[(&str, &str)]) -> Result<Vec<(Objects, Vec<String>)>, String> {
    ds_open::init().unwrap();
    let desc = format!(
        "filesrc location=\"{}\" ! h264parse ! nvv4l2decoder ! identity eos-after={frames} ! \
         m.sink_0 nvstreammux name=m batch-size=1 width=1280 height=720 ! nvinfer name=infer ! \
         fakesink name=sink sync=false",
        sample().display()
    );
    let pipeline = gst::parse::launch(&desc)
        .unwrap()
        .downcast::<gst::Pipeline>()
        .unwrap();
    let infer = pipeline.by_name("infer").unwrap();
    for (k, v) in props {
        infer.set_property_from_str(k, v);
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
                    let objects: Objects = frame
                        .objects()
                        .map(|o| {
                            let r = o.rect_params();
                            (
                                o.class_id(),
                                o.confidence(),
                                r.left,
                                r.top,
                                r.width,
                                r.height,
                                o.obj_label().to_string(),
                            )
                        })
                        .collect();
                    let layers: Vec<String> = frame
                        .user_metas()
                        .filter_map(TensorMeta::from_user_meta)
                        .flat_map(|t| {
                            t.layers()
                                .map(|l| format!("{}{:?}", l.name(), l.dims()))
                                .collect::<Vec<_>>()
                        })
                        .collect();
                    s.lock().unwrap().push((objects, layers));
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

#[test]
fn detects_people_and_vehicles_on_the_sample() {
    let config = pgie_config();
    let frames = run(10, &[("config-file-path", config.to_str().unwrap())]).unwrap();
    assert!(frames.len() >= 10);
    for (i, (objects, _)) in frames.iter().enumerate() {
        eprintln!("frame {i}: {objects:?}");
    }
    let people = frames[0].0.iter().filter(|o| o.0 == 2).count();
    let vehicles = frames[0].0.iter().filter(|o| o.0 == 0).count();
    assert!(people >= 2, "people on frame 0: {people}");
    assert!(vehicles >= 1, "vehicles on frame 0: {vehicles}");
}
