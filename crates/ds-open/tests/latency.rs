//! Latency measurement through the open elements, on the real sample clip
//! and model: `filesrc ! h264parse ! nvv4l2decoder ! nvstreammux ! nvinfer !
//! nvtracker ! nvmultistreamtiler ! nvvideoconvert ! nvdsosd`.
//!
//! The switches are environment variables read once per process, so each
//! case runs this test binary again as a child (the ignored `child` test)
//! with the environment it needs, and checks what the child saw and printed.
use ds_core::latency::{self, ReferenceTimestamp};
use ds_core::BatchMeta;
use gstreamer as gst;
use gstreamer::prelude::*;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};

const FRAMES: u32 = 4;
/// Elements expected to record a component meta, by the names the
/// pipeline gives them (the decoder keeps its default name, which DeepStream
/// needs to recognise it as the decoder).
const COMPONENTS: [&str; 7] = [
    "nvv4l2decoder0",
    "nvstreammux-m",
    "pgie",
    "tracker",
    "tiler",
    "conv",
    "osd",
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn need(p: PathBuf) -> PathBuf {
    assert!(
        p.exists(),
        "{} is missing: run ci/samples.sh and ci/models.sh (ci/test.sh does)",
        p.display()
    );
    p
}

fn path(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

/// What the child's probe after `nvdsosd` saw on one batch.
#[derive(Debug, Default)]
struct Seen {
    /// `frame_num` of the batch's frame metas.
    frame_nums: Vec<u32>,
    /// `measure_buffer_latency`: (source, frame, start, latency).
    measured: Vec<(u32, u32, f64, f64)>,
    /// Component metas: (name, in, out).
    components: Vec<(String, f64, f64)>,
    /// What `print_buffer_latency` returned.
    printed: u32,
}

/// Runs the pipeline on the first frames of the sample; a probe on the sink
/// records what it sees, and another one on the decoder's output counts the
/// reference stamps.
fn run_pipeline() -> (Vec<Seen>, usize) {
    ds_open::init().unwrap();
    let desc = format!(
        "filesrc location=\"{}\" ! h264parse ! nvv4l2decoder name=nvv4l2decoder0 ! \
         identity name=dec-out eos-after={} ! \
         m.sink_0 nvstreammux name=m batch-size=1 width=1280 height=720 ! \
         nvinfer name=pgie config-file-path=\"{}\" ! \
         nvtracker name=tracker tracker-width=640 tracker-height=384 ll-config-file=\"{}\" ! \
         nvmultistreamtiler name=tiler rows=1 columns=1 width=640 height=360 ! \
         nvvideoconvert name=conv ! video/x-raw(memory:NVMM),format=RGBA ! \
         nvdsosd name=osd ! fakesink name=sink sync=false",
        path(&need(root().join("samples/sample_720p_60.h264"))),
        FRAMES + 1,
        path(&need(root().join("configs/dstest1_pgie_config.txt"))),
        path(&need(root().join("configs/config_tracker_IOU.yml"))),
    );
    need(root().join("models/nanodet-m-416.onnx"));
    let pipeline = gst::parse::launch(&desc)
        .unwrap()
        .downcast::<gst::Pipeline>()
        .unwrap();
    let stamped = Arc::new(Mutex::new(0usize));
    let st = stamped.clone();
    pipeline
        .by_name("dec-out")
        .unwrap()
        .static_pad("sink")
        .unwrap()
        .add_probe(gst::PadProbeType::BUFFER, move |_, info| {
            if let Some(b) = info.buffer() {
                let stamps = ReferenceTimestamp::all(b);
                if stamps.iter().any(|s| s.component_name == "nvv4l2decoder0") {
                    *st.lock().unwrap() += 1;
                }
            }
            gst::PadProbeReturn::Ok
        });
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s = seen.clone();
    pipeline
        .by_name("sink")
        .unwrap()
        .static_pad("sink")
        .unwrap()
        .add_probe(gst::PadProbeType::BUFFER, move |_, info| {
            if let Some(b) = info.buffer() {
                let batch = BatchMeta::from_buffer(b).expect("batch meta after nvdsosd");
                let frame_nums = batch.frames().map(|f| f.frame_num() as u32).collect();
                let components = latency::components(batch)
                    .map(|c| (c.name(), c.in_system_timestamp(), c.out_system_timestamp()))
                    .collect();
                let measured = latency::measure_buffer_latency(b)
                    .iter()
                    .map(|f| (f.source_id, f.frame_num, f.comp_in_timestamp, f.latency))
                    .collect();
                let printed = latency::print_buffer_latency(b);
                s.lock().unwrap().push(Seen {
                    frame_nums,
                    measured,
                    components,
                    printed,
                });
            }
            gst::PadProbeReturn::Ok
        });
    let result = ds_core::app::run(&pipeline);
    pipeline.set_state(gst::State::Null).unwrap();
    result.unwrap();
    let mut seen = std::mem::take(&mut *seen.lock().unwrap());
    assert!(seen.len() >= FRAMES as usize, "{} batches", seen.len());
    seen.truncate(FRAMES as usize);
    let stamped = *stamped.lock().unwrap();
    (seen, stamped)
}

/// The child: runs the pipeline and checks it against the switches it was
/// started with.
#[test]
#[ignore = "run by the other tests, with the environment they set"]
fn child() {
    let on = std::env::var_os("NVDS_ENABLE_LATENCY_MEASUREMENT").is_some();
    assert_eq!(latency::enabled(), on);
    let (seen, stamped) = run_pipeline();
    if !on {
        assert_eq!(
            stamped, 0,
            "the decoder stamped frames with measurement off"
        );
        for b in &seen {
            assert!(b.components.is_empty(), "{:?}", b.components);
            assert!(b.measured.is_empty(), "{:?}", b.measured);
            assert_eq!(b.printed, 0);
        }
        return;
    }
    assert!(stamped >= FRAMES as usize, "{stamped} stamped frames");
    for b in &seen {
        // One entry per frame, with the frame meta's number and a latency
        // measured from the decoder's input.
        assert_eq!(b.measured.len(), b.frame_nums.len(), "{b:?}");
        assert_eq!(b.printed as usize, b.frame_nums.len());
        for (m, n) in b.measured.iter().zip(&b.frame_nums) {
            assert_eq!((m.0, m.1), (0, *n), "{b:?}");
            assert!(m.2 > 1.6e12, "start {} is not a decoder stamp", m.2);
            assert!(m.3 > 0.0, "latency {}", m.3);
        }
        // Every element recorded its pass, in pipeline order, in <= out;
        // a frame's latency covers them all.
        let names: Vec<&str> = b.components.iter().map(|c| c.0.as_str()).collect();
        assert_eq!(names, COMPONENTS, "{b:?}");
        for (name, i, o) in &b.components {
            assert!(*i > 1.6e12 && i <= o, "{name}: in {i} out {o}");
        }
        let first_in = b.components[0].1;
        assert_eq!(first_in, b.measured[0].2);
        assert!(b.measured[0].3 >= b.components.last().unwrap().2 - first_in);
    }
    // Frame numbers advance one per batch.
    let nums: Vec<u32> = seen.iter().map(|b| b.frame_nums[0]).collect();
    assert_eq!(nums, (0..FRAMES).collect::<Vec<_>>());
}

/// Runs `child` with `vars` set (and the two switches removed otherwise);
/// returns its stdout.
fn run_child(vars: &[&str]) -> String {
    let exe = std::env::current_exe().unwrap();
    let mut cmd = Command::new(exe);
    cmd.args([
        "child",
        "--exact",
        "--ignored",
        "--nocapture",
        "--test-threads=1",
    ]);
    for v in [
        "NVDS_ENABLE_LATENCY_MEASUREMENT",
        "NVDS_ENABLE_COMPONENT_LATENCY_MEASUREMENT",
        "NVDS_LATENCY_MEASUREMENT_SILENT",
    ] {
        cmd.env_remove(v);
    }
    for v in vars {
        cmd.env(v, "1");
    }
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "child with {vars:?} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// The lines of `stdout` holding `prefix`, from it on (the test harness
/// writes `test child ... ` before the child's first line).
fn lines<'a>(stdout: &'a str, prefix: &str) -> Vec<&'a str> {
    stdout
        .lines()
        .filter_map(|l| l.find(prefix).map(|i| &l[i..]))
        .collect()
}

#[test]
fn frame_and_component_latency_are_recorded_and_printed_as_deepstream_prints_them() {
    let out = run_child(&[
        "NVDS_ENABLE_LATENCY_MEASUREMENT",
        "NVDS_ENABLE_COMPONENT_LATENCY_MEASUREMENT",
    ]);
    let batches = lines(&out, "************BATCH-NUM = ");
    assert!(batches.len() >= FRAMES as usize, "{out}");
    assert_eq!(batches[0], "************BATCH-NUM = 0**************");
    let sources = lines(&out, "Source id = 0 Frame_num = ");
    assert!(sources.len() >= FRAMES as usize, "{out}");
    assert!(
        sources[1].starts_with("Source id = 0 Frame_num = 1 Frame latency = ")
            && sources[1].ends_with(" (ms) "),
        "{}",
        sources[1]
    );
    // One Comp line per component meta, printed before the batch's lines.
    let comps = lines(&out, "Comp name = ");
    assert!(comps.len() >= COMPONENTS.len() * FRAMES as usize, "{out}");
    let gap = " ".repeat(15);
    assert!(
        comps[0].starts_with("Comp name = nvv4l2decoder0 in_system_timestamp = ")
            && comps[0].contains(&format!("{gap}component latency= ")),
        "{}",
        comps[0]
    );
    assert!(
        comps[1].starts_with("Comp name = nvstreammux-m source_id = 0 pad_index = 0 frame_num = 0")
            && comps[1].contains(&format!("{gap}component_latency = ")),
        "{}",
        comps[1]
    );
    let first_batch = out.find("************BATCH-NUM").unwrap();
    assert!(out.find("Comp name = osd ").unwrap() < first_batch);
}

#[test]
fn frame_latency_alone_records_components_but_prints_no_comp_lines() {
    let out = run_child(&["NVDS_ENABLE_LATENCY_MEASUREMENT"]);
    assert!(lines(&out, "Comp name = ").is_empty(), "{out}");
    assert!(
        lines(&out, "Source id = 0 Frame_num = 3 ").len() == 1,
        "{out}"
    );
}

#[test]
fn nothing_is_recorded_with_measurement_off() {
    let out = run_child(&[]);
    assert!(!out.contains("BATCH-NUM"), "{out}");
    assert!(!out.contains("Comp name"), "{out}");
}
