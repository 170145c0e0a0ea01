//! `nvurisrcbin` on real pipelines: the sample clip decoded into NVMM
//! batches, looped with `file-loop`, and a bad URI reported on the bus.
use ds_core::BatchMeta;
use gstreamer as gst;
use gstreamer::prelude::*;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Hang guard only (no test asserts on time): far beyond any run here.
const GUARD: Duration = Duration::from_secs(300);
/// Application message: enough frames went by.
const ENOUGH: &str = "enough-frames";

fn sample(name: &str) -> PathBuf {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../samples")
        .join(name);
    assert!(
        p.is_file(),
        "{} is missing: run ci/samples.sh (ci/test.sh does) to make the sample streams",
        p.display()
    );
    p.canonicalize().unwrap()
}

fn uri(name: &str) -> String {
    format!("file://{}", sample(name).display())
}

/// What one batch carried: (pts, frame_num, source_id).
type Seen = Arc<Mutex<Vec<(u64, i32, u32)>>>;

/// `nvurisrcbin ! nvstreammux ! fakesink`; records every batch at the
/// muxer's src pad. With `stop_after`, end-of-stream is sent to the
/// pipeline once that many batches went by.
fn run(uri: &str, file_loop: bool, stop_after: Option<usize>) -> (Vec<(u64, i32, u32)>, bool) {
    ds_open::init().unwrap();
    let pipeline = gst::Pipeline::new();
    let src = gst::ElementFactory::make("nvurisrcbin")
        .property("uri", uri)
        .property("file-loop", file_loop)
        .build()
        .unwrap();
    let mux = gst::ElementFactory::make("nvstreammux")
        .property("batch-size", 1u32)
        .property("width", 640u32)
        .property("height", 360u32)
        .build()
        .unwrap();
    let sink = gst::ElementFactory::make("fakesink")
        .property("sync", false)
        .build()
        .unwrap();
    pipeline.add_many([&src, &mux, &sink]).unwrap();
    mux.link(&sink).unwrap();
    let mux_weak = mux.downgrade();
    let pads: Arc<Mutex<Vec<String>>> = Arc::default();
    let pads2 = pads.clone();
    src.connect_pad_added(move |_, pad| {
        pads2.lock().unwrap().push(pad.name().to_string());
        let mux = mux_weak.upgrade().unwrap();
        let sinkpad = mux.request_pad_simple("sink_0").unwrap();
        pad.link(&sinkpad).unwrap();
    });
    let seen: Seen = Arc::default();
    let seen2 = seen.clone();
    let pipeline_weak = pipeline.downgrade();
    let posted = AtomicBool::new(false);
    mux.static_pad("src")
        .unwrap()
        .add_probe(gst::PadProbeType::BUFFER, move |_, info| {
            let Some(buffer) = info.buffer() else {
                return gst::PadProbeReturn::Ok;
            };
            let batch = BatchMeta::from_buffer(buffer).expect("batch meta");
            let mut seen = seen2.lock().unwrap();
            for f in batch.frames() {
                seen.push((
                    buffer.pts().map_or(0, |t| t.nseconds()),
                    f.frame_num(),
                    f.source_id(),
                ));
            }
            if stop_after.is_some_and(|n| seen.len() >= n) && !posted.swap(true, Ordering::SeqCst) {
                if let Some(p) = pipeline_weak.upgrade() {
                    let s = gst::Structure::new_empty(ENOUGH);
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
    let mut msg = pop();
    if stop_after.is_some() {
        assert!(
            matches!(msg.view(), gst::MessageView::Application(_)),
            "the stream ended after {} frames: {msg:?}",
            seen.lock().unwrap().len()
        );
        // Stop from the application side, as Ctrl-C does in the apps.
        assert!(pipeline.send_event(gst::event::Eos::new()));
        msg = pop();
    }
    let eos = matches!(msg.view(), gst::MessageView::Eos(_));
    if let gst::MessageView::Error(e) = msg.view() {
        panic!("pipeline error: {} ({:?})", e.error(), e.debug());
    }
    pipeline.set_state(gst::State::Null).unwrap();
    assert_eq!(*pads.lock().unwrap(), ["vsrc_0"], "NVIDIA's pad name");
    let seen = seen.lock().unwrap().clone();
    (seen, eos)
}

fn clip_frames(name: &str) -> usize {
    let (seen, eos) = run(&uri(name), false, None);
    assert!(eos);
    seen.len()
}

#[test]
fn decodes_the_clip_into_nvmm_batches_on_vsrc_0() {
    let n = clip_frames("sample_720p_60.h264");
    assert!(n > 10, "only {n} frames");
}

#[test]
fn file_loop_keeps_going_past_the_end_until_the_application_stops() {
    let clip = clip_frames("sample_720p_60.h264");
    let want = clip * 2 + clip / 2;
    let (seen, eos) = run(&uri("sample_720p_60.h264"), true, Some(want));
    assert!(
        eos,
        "the application's end-of-stream ends the looped stream"
    );
    assert!(
        seen.len() >= want,
        "{} frames from a {clip}-frame clip",
        seen.len()
    );
    // One stream: frame_num counts on across loops (no EOS reached the
    // muxer), and the timestamps keep increasing.
    for (i, w) in seen.windows(2).enumerate() {
        assert!(
            w[1].0 > w[0].0,
            "batch {}: pts {} after {}",
            i + 1,
            w[1].0,
            w[0].0
        );
        assert_eq!(w[1].1, w[0].1 + 1, "frame_num at batch {}", i + 1);
        assert_eq!(w[1].2, 0);
    }
}

#[test]
fn file_loop_works_on_mp4_too() {
    let (seen, eos) = run(&uri("sample_720p.mp4"), true, Some(40));
    assert!(eos);
    assert!(seen.len() >= 40);
}

#[test]
fn a_missing_file_is_an_error_on_the_bus() {
    ds_open::init().unwrap();
    let pipeline = gst::parse::launch(
        "nvurisrcbin uri=file:///nonexistent/nothing.mp4 ! \
         mux.sink_0 nvstreammux name=mux batch-size=1 width=640 height=360 ! fakesink",
    )
    .unwrap();
    let _ = pipeline.set_state(gst::State::Playing);
    let msg = pipeline
        .bus()
        .unwrap()
        .timed_pop_filtered(
            gst::ClockTime::from_seconds(GUARD.as_secs()),
            &[gst::MessageType::Error, gst::MessageType::Eos],
        )
        .expect("an error before the guard");
    let gst::MessageView::Error(e) = msg.view() else {
        panic!("expected an error, got {msg:?}");
    };
    let text = e.error().to_string();
    assert!(!text.is_empty());
    let from = msg
        .src()
        .map(|s| s.path_string().to_string())
        .unwrap_or_default();
    assert!(from.contains("nvurisrcbin"), "error from {from}: {text}");
    pipeline.set_state(gst::State::Null).unwrap();
}

#[test]
fn no_uri_is_one_clear_error() {
    ds_open::init().unwrap();
    let pipeline = gst::Pipeline::new();
    let src = gst::ElementFactory::make("nvurisrcbin").build().unwrap();
    pipeline.add(&src).unwrap();
    assert!(pipeline.set_state(gst::State::Playing).is_err());
    let msg = pipeline
        .bus()
        .unwrap()
        .pop_filtered(&[gst::MessageType::Error])
        .expect("an error message");
    let gst::MessageView::Error(e) = msg.view() else {
        unreachable!()
    };
    assert!(
        e.error().to_string().contains("no URI set"),
        "{}",
        e.error()
    );
    pipeline.set_state(gst::State::Null).unwrap();
}

#[test]
fn properties_read_back_with_nvidias_defaults() {
    ds_open::init().unwrap();
    let src = gst::ElementFactory::make("nvurisrcbin").build().unwrap();
    assert!(!src.property::<bool>("file-loop"));
    assert!(src.property::<bool>("disable-audio"));
    assert_eq!(src.property::<u32>("latency"), 100);
    assert_eq!(src.property::<i32>("rtsp-reconnect-attempts"), -1);
    src.set_property("rtsp-reconnect-interval", 10u32);
    assert_eq!(src.property::<u32>("rtsp-reconnect-interval"), 10);
    src.set_property_from_str("cudadec-memtype", "memtype_unified");
    assert_eq!(
        src.property_value("cudadec-memtype")
            .get::<&glib::EnumValue>()
            .map(|v| v.nick())
            .ok(),
        Some("memtype_unified")
    );
}

use gstreamer::glib;

#[test]
fn rtsp_settings_reach_rtspsrc() {
    // uridecodebin creates rtspsrc for rtsp:// at READY -> PAUSED and
    // emits source-setup: the bin's RTSP properties must be on it (no
    // server is needed: the connection fails after source-setup).
    ds_open::init().unwrap();
    if gst::ElementFactory::find("rtspsrc").is_none() {
        eprintln!("rtspsrc missing: skipped");
        return;
    }
    let pipeline = gst::Pipeline::new();
    let src = gst::ElementFactory::make("nvurisrcbin")
        .property("uri", "rtsp://127.0.0.1:1/none")
        .property("latency", 321u32)
        .property("drop-on-latency", false)
        .build()
        .unwrap();
    src.set_property_from_str("select-rtp-protocol", "rtp-tcp");
    pipeline.add(&src).unwrap();
    let rtspsrc: Arc<Mutex<Option<gst::Element>>> = Arc::default();
    let rtspsrc2 = rtspsrc.clone();
    src.downcast_ref::<gst::Bin>()
        .unwrap()
        .connect_deep_element_added(move |_, _, el| {
            if el.factory().is_some_and(|f| f.name() == "rtspsrc") {
                *rtspsrc2.lock().unwrap() = Some(el.clone());
            }
        });
    let _ = pipeline.set_state(gst::State::Paused);
    let _ = pipeline.bus().unwrap().timed_pop_filtered(
        gst::ClockTime::from_seconds(GUARD.as_secs()),
        &[gst::MessageType::Error, gst::MessageType::AsyncDone],
    );
    // source-setup ran inside the state change, before rtspsrc started.
    let el = rtspsrc
        .lock()
        .unwrap()
        .clone()
        .expect("uridecodebin made rtspsrc");
    let latency = el.property::<u32>("latency");
    let drop = el.property::<bool>("drop-on-latency");
    let protocols = el
        .property_value("protocols")
        .serialize()
        .map(|s| s.to_string())
        .unwrap_or_default();
    pipeline.set_state(gst::State::Null).unwrap();
    assert_eq!(latency, 321);
    assert!(!drop);
    let protocols = protocols.to_ascii_lowercase();
    assert!(
        protocols.contains("tcp") && !protocols.contains("udp"),
        "protocols {protocols}"
    );
}
