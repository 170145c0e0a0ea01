//! `nvdslogger` on a real pipeline: two looped sources batched by
//! `nvstreammux`, the logger's stdout read from a child process (the test
//! binary run again with one test selected), so the lines checked are the
//! ones users see.
use ds_core::BatchMeta;
use gstreamer as gst;
use gstreamer::prelude::*;
use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Set in the child process: run the logging pipeline.
const CHILD_ENV: &str = "DS_NVDSLOGGER_TEST_CHILD";
/// Batches the child runs (at 30 fps with `sync=true`: 4 s or more, so
/// at least three one-second ticks).
const BATCHES: usize = 120;
/// Hang guard only (no test asserts on time).
const GUARD: Duration = Duration::from_secs(300);

fn sample_uri() -> String {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../samples/sample_720p_60.h264");
    assert!(
        p.is_file(),
        "{} is missing: run ci/samples.sh (ci/test.sh does) to make the sample streams",
        p.display()
    );
    format!("file://{}", p.canonicalize().unwrap().display())
}

/// The child's pipeline: `2 x nvurisrcbin file-loop ! nvstreammux !
/// nvdslogger fps-measurement-interval-sec=1 ! fakesink sync=true`.
/// Checks that the batches pass with their meta, and stops after
/// [`BATCHES`].
#[test]
fn child_logging_pipeline() {
    if std::env::var_os(CHILD_ENV).is_none() {
        return; // only in the child process
    }
    ds_open::init().unwrap();
    let uri = sample_uri();
    let desc = format!(
        "nvstreammux name=mux batch-size=2 width=640 height=360 ! \
         nvdslogger name=logger fps-measurement-interval-sec=1 ! fakesink name=sink sync=true \
         nvurisrcbin uri={uri} file-loop=true ! mux.sink_0 \
         nvurisrcbin uri={uri} file-loop=true ! mux.sink_1"
    );
    let pipeline = gst::parse::launch(&desc)
        .unwrap()
        .downcast::<gst::Pipeline>()
        .unwrap();
    let logger = pipeline.by_name("logger").unwrap();
    assert_eq!(logger.property::<u32>("fps-measurement-interval-sec"), 1);
    let sink = pipeline.by_name("sink").unwrap();
    let batches = Arc::new(AtomicUsize::new(0));
    let pipeline_weak = pipeline.downgrade();
    let count = batches.clone();
    sink.static_pad("sink")
        .unwrap()
        .add_probe(gst::PadProbeType::BUFFER, move |_, info| {
            let buffer = info.buffer().unwrap();
            assert!(
                BatchMeta::from_buffer(buffer).is_some(),
                "the batch meta passes"
            );
            if count.fetch_add(1, Ordering::SeqCst) + 1 == BATCHES {
                if let Some(p) = pipeline_weak.upgrade() {
                    let s = gst::Structure::new_empty("enough-batches");
                    let _ = p.post_message(gst::message::Application::new(s));
                }
            }
            gst::PadProbeReturn::Ok
        });
    pipeline.set_state(gst::State::Playing).unwrap();
    let bus = pipeline.bus().unwrap();
    let pop = || {
        bus.timed_pop_filtered(
            gst::ClockTime::from_seconds(GUARD.as_secs()),
            &[
                gst::MessageType::Eos,
                gst::MessageType::Error,
                gst::MessageType::Application,
            ],
        )
        .expect("a message before the guard")
    };
    let msg = pop();
    assert!(
        matches!(msg.view(), gst::MessageView::Application(_)),
        "{msg:?}"
    );
    pipeline.send_event(gst::event::Eos::new());
    let msg = pop();
    assert!(matches!(msg.view(), gst::MessageView::Eos(_)), "{msg:?}");
    pipeline.set_state(gst::State::Null).unwrap();
    assert!(batches.load(Ordering::SeqCst) >= BATCHES);
}

/// `(pad_index, fps)` entries of one `**PERF : ` line.
fn parse_perf(line: &str) -> Option<Vec<(u32, f64)>> {
    let rest = line.strip_prefix("**PERF : ")?;
    rest.split('\t')
        .filter(|e| !e.is_empty())
        .map(|e| {
            let (name, value) = e.split_once(" (")?;
            let index = name.strip_prefix("FPS_")?.parse().ok()?;
            let fps = value.strip_suffix(')')?.parse().ok()?;
            Some((index, fps))
        })
        .collect()
}

/// Runs [`child_logging_pipeline`] in a child process with `env`; its
/// stdout.
fn run_child(env: &[(&str, &str)]) -> String {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args([
        "child_logging_pipeline",
        "--exact",
        "--nocapture",
        "--test-threads=1",
    ])
    .env(CHILD_ENV, "1")
    .env_remove("NVDS_ENABLE_LATENCY_MEASUREMENT");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "child failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

#[test]
fn prints_per_stream_fps_lines_in_nvidias_format() {
    if std::env::var_os(CHILD_ENV).is_some() {
        return;
    }
    let stdout = run_child(&[]);
    assert!(
        !stdout.contains("Frame latency"),
        "no latency lines unless asked"
    );
    let perf: Vec<&str> = stdout.lines().filter(|l| l.starts_with("**PERF")).collect();
    let mut running = 0;
    for line in &perf {
        let entries = parse_perf(line).unwrap_or_else(|| panic!("bad line {line:?}"));
        assert!(line.ends_with('\t'), "{line:?}");
        let indexes: Vec<u32> = entries.iter().map(|e| e.0).collect();
        assert_eq!(indexes, [0, 1], "{line:?}");
        for &(i, fps) in &entries {
            assert!(
                (0.0..1000.0).contains(&fps),
                "stream {i}: {fps} in {line:?}"
            );
        }
        // After the end-of-stream a stream reports 0.00 (NVIDIA's rule).
        if entries.iter().all(|e| e.1 > 0.0) {
            running += 1;
        }
    }
    assert!(running >= 2, "PERF lines:\n{stdout}");
}

/// Ignored: with `NVDS_ENABLE_LATENCY_MEASUREMENT=1` the child's looped
/// two-source pipeline stalls after about 136 frames per source (second
/// loop; seen once at 3 min, once within 30 s), before the 120 batches
/// reach the sink. The latency lines themselves are printed as checked
/// here up to the stall. To investigate (file-loop + latency stamps).
#[test]
fn prints_frame_latencies_when_measurement_is_on() {
    if std::env::var_os(CHILD_ENV).is_some() {
        return;
    }
    let stdout = run_child(&[("NVDS_ENABLE_LATENCY_MEASUREMENT", "1")]);
    // libtest prints `test child_logging_pipeline ... ` without a newline
    // before the child's first line: start each line at the logger's text.
    let lines: Vec<&str> = stdout
        .lines()
        .map(|l| l.find("************BATCH-NUM").map_or(l, |i| &l[i..]))
        .collect();
    let batches: Vec<usize> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.starts_with("************BATCH-NUM = "))
        .map(|(i, _)| i)
        .collect();
    assert!(batches.len() >= 100, "{} batches:\n{stdout}", batches.len());
    assert_eq!(lines[batches[0]], "************BATCH-NUM = 0**************");
    assert_eq!(lines[batches[1]], "************BATCH-NUM = 1**************");
    // Each batch of two frames: one line per source, latency >= 0 ms.
    let mut sources = Vec::new();
    for l in &lines[batches[1] + 1..batches[1] + 3] {
        let rest = l
            .strip_prefix("Source id = ")
            .unwrap_or_else(|| panic!("{l:?}"));
        let (id, rest) = rest.split_once(" Frame_num = ").unwrap();
        let (_num, rest) = rest.split_once(" Frame latency = ").unwrap();
        let ms: f64 = rest.strip_suffix(" (ms) ").unwrap().parse().unwrap();
        assert!(ms >= 0.0, "{l:?}");
        assert_eq!(rest.split_once('.').unwrap().1.len(), 6 + 6, "%lf: {l:?}");
        sources.push(id.parse::<u32>().unwrap());
    }
    sources.sort();
    assert_eq!(sources, [0, 1]);
    assert!(stdout.contains("**PERF : FPS_0 ("), "FPS lines go on");
}

#[test]
fn parse_perf_reads_nvidias_line() {
    assert_eq!(
        parse_perf("**PERF : FPS_0 (29.97)\tFPS_3 (0.00)\t"),
        Some(vec![(0, 29.97), (3, 0.0)])
    );
    assert_eq!(parse_perf("PERF FPS_0"), None);
}
