//! The open nvinfer's output thread (`output_queue.rs`): batches leave
//! from a task on the source pad, in order, with the events between them;
//! flushing seeks empty the queue and restart it; a downstream that is not
//! linked stops the pipeline with an error instead of hanging.
use gstreamer as gst;
use gstreamer::prelude::*;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn need(rel: &str, script: &str) -> String {
    let p = root().join(rel);
    assert!(p.exists(), "{} is missing: run {script}", p.display());
    p.to_string_lossy().into_owned()
}

fn pipeline(desc: &str) -> gst::Pipeline {
    ds_open::init().unwrap();
    gst::parse::launch(desc)
        .unwrap()
        .downcast::<gst::Pipeline>()
        .unwrap()
}

/// Waits for EOS or an error; returns the error text, if any.
fn wait(p: &gst::Pipeline, limit: Duration) -> Result<(), String> {
    let bus = p.bus().unwrap();
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        let Some(msg) = bus.timed_pop(gst::ClockTime::from_mseconds(100)) else {
            continue;
        };
        match msg.view() {
            gst::MessageView::Eos(_) => return Ok(()),
            gst::MessageView::Error(e) => return Err(e.error().to_string()),
            _ => {}
        }
    }
    Err("timed out".into())
}

#[test]
fn every_batch_arrives_in_order_before_eos() {
    let p = pipeline(&format!(
        "filesrc location={} ! h264parse ! nvv4l2decoder ! m.sink_0 \
         nvstreammux name=m batch-size=1 width=640 height=360 ! \
         nvinfer config-file-path={} ! fakesink name=sink sync=false",
        need("samples/sample_720p_60.h264", "ci/samples.sh"),
        need("configs/dstest1_pgie_config.txt", "ci/models.sh"),
    ));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s = seen.clone();
    let sink = p.by_name("sink").unwrap();
    sink.static_pad("sink")
        .unwrap()
        .add_probe(gst::PadProbeType::BUFFER, move |_, info| {
            if let Some(gst::PadProbeData::Buffer(b)) = &info.data {
                let batch = ds_core::BatchMeta::from_buffer(b).expect("batch meta");
                let f = batch.frames().next().expect("one frame");
                assert!(f.infer_done(), "a batch left nvinfer before inference");
                s.lock().unwrap().push(f.frame_num());
            }
            gst::PadProbeReturn::Ok
        });
    p.set_state(gst::State::Playing).unwrap();
    let r = wait(&p, Duration::from_secs(120));
    p.set_state(gst::State::Null).unwrap();
    r.unwrap();
    let seen = seen.lock().unwrap();
    assert_eq!(*seen, (0..60).collect::<Vec<i32>>());
}

#[test]
fn a_flushing_seek_restarts_the_output_thread() {
    let p = pipeline(&format!(
        "filesrc location={} ! qtdemux ! h264parse ! nvv4l2decoder ! m.sink_0 \
         nvstreammux name=m batch-size=1 width=640 height=360 ! \
         nvinfer config-file-path={} ! fakesink name=sink sync=false",
        need("samples/sample_720p.mp4", "ci/samples.sh"),
        need("configs/dstest1_pgie_config.txt", "ci/models.sh"),
    ));
    let count = Arc::new(AtomicU64::new(0));
    let pts = Arc::new(Mutex::new(Vec::new()));
    let (c, t) = (count.clone(), pts.clone());
    p.by_name("sink")
        .unwrap()
        .static_pad("sink")
        .unwrap()
        .add_probe(gst::PadProbeType::BUFFER, move |_, info| {
            if let Some(gst::PadProbeData::Buffer(b)) = &info.data {
                c.fetch_add(1, Ordering::SeqCst);
                t.lock().unwrap().push(b.pts());
            }
            gst::PadProbeReturn::Ok
        });
    p.set_state(gst::State::Playing).unwrap();
    let until = |n: u64| {
        let deadline = Instant::now() + Duration::from_secs(120);
        while count.load(Ordering::SeqCst) < n {
            assert!(Instant::now() < deadline, "only {count:?} buffers");
            std::thread::sleep(Duration::from_millis(20));
        }
    };
    until(15);
    p.seek_simple(
        gst::SeekFlags::FLUSH | gst::SeekFlags::KEY_UNIT,
        gst::ClockTime::ZERO,
    )
    .expect("seek");
    let before = count.load(Ordering::SeqCst);
    until(before + 10);
    p.set_state(gst::State::Null).unwrap();
    let pts = pts.lock().unwrap();
    // After the seek the stream starts again: some later buffer has a
    // smaller timestamp than one before it.
    let went_back = pts
        .windows(2)
        .any(|w| matches!((w[0], w[1]), (Some(a), Some(b)) if b < a));
    assert!(
        went_back,
        "no buffer from the start after the seek: {pts:?}"
    );
}

#[test]
fn an_unlinked_source_pad_is_an_error_not_a_hang() {
    ds_open::init().unwrap();
    let p = pipeline(&format!(
        "filesrc location={} ! h264parse ! nvv4l2decoder ! m.sink_0 \
         nvstreammux name=m batch-size=1 width=320 height=180 ! \
         nvinfer name=infer config-file-path={}",
        need("samples/sample_720p_60.h264", "ci/samples.sh"),
        need("configs/dstest1_pgie_config.txt", "ci/models.sh"),
    ));
    p.set_state(gst::State::Playing).unwrap();
    let r = wait(&p, Duration::from_secs(60));
    p.set_state(gst::State::Null).unwrap();
    let e = r.expect_err("EOS although nvinfer's output is not linked");
    assert!(e.contains("Internal data stream error"), "{e}");
}
