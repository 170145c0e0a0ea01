//! `app::run` on pipelines that fail mid-stream: the output written so far
//! stays valid (the MP4 gets its index and decodes), the run returns the
//! first error, prints exactly one error line and nothing else, and never
//! hangs, even when the drain cannot finish.
//!
//! Needs x264enc (gstreamer1.0-plugins-ugly) and avdec_h264
//! (gstreamer1.0-libav), as ci/setup.sh installs them.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};
use std::time::Duration;

use ds_core::app::{self, PipelineError};
use gstreamer as gst;
use gstreamer::glib;
use gstreamer::prelude::*;

/// Upper bound for a run that must not hang (generous: valgrind, busy CI).
const RUN_BOUND: Duration = Duration::from_secs(120);

/// Encodes 320x240 test frames to MP4; `identity` fails on its 30th buffer,
/// so 29 frames go through.
fn failing_encode(out: &Path) -> String {
    format!(
        "videotestsrc num-buffers=100 ! video/x-raw,width=320,height=240,framerate=30/1 \
         ! identity name=breaker error-after=30 \
         ! x264enc tune=zerolatency speed-preset=ultrafast ! h264parse ! mp4mux \
         ! filesink name=sink location={}",
        out.display()
    )
}

/// Runs `desc` with `app::run` on a thread of its own (own main context);
/// fails the test if the run does not end within [`RUN_BOUND`].
fn run_bounded(desc: &str, setup: impl FnOnce(&gst::Pipeline)) -> Result<(), PipelineError> {
    app::init().unwrap();
    let p = gst::parse::launch(desc)
        .unwrap()
        .downcast::<gst::Pipeline>()
        .unwrap();
    setup(&p);
    let (tx, rx) = mpsc::channel();
    let t = std::thread::spawn(move || {
        let ctx = glib::MainContext::new();
        let r = ctx.with_thread_default(|| app::run(&p)).unwrap();
        assert_eq!(p.current_state(), gst::State::Null);
        let _ = tx.send(r);
    });
    let r = rx
        .recv_timeout(RUN_BOUND)
        .expect("app::run did not return: the drain after the error hangs");
    t.join().unwrap();
    r
}

/// Decodes the MP4 at `file`; returns the number of decoded frames, or the
/// error that stopped the decode.
fn decoded_frames(file: &Path) -> Result<usize, String> {
    let p = gst::parse::launch(&format!(
        "filesrc location={} ! qtdemux ! h264parse ! avdec_h264 ! fakesink name=sink",
        file.display()
    ))
    .unwrap()
    .downcast::<gst::Pipeline>()
    .unwrap();
    let n = Arc::new(AtomicUsize::new(0));
    let c = Arc::clone(&n);
    p.by_name("sink")
        .unwrap()
        .static_pad("sink")
        .unwrap()
        .add_probe(gst::PadProbeType::BUFFER, move |_, _| {
            c.fetch_add(1, Ordering::SeqCst);
            gst::PadProbeReturn::Ok
        });
    let bus = p.bus().unwrap();
    let _ = p.set_state(gst::State::Playing);
    let msg = bus.timed_pop_filtered(
        gst::ClockTime::from_seconds(60),
        &[gst::MessageType::Eos, gst::MessageType::Error],
    );
    p.set_state(gst::State::Null).unwrap();
    match msg.as_ref().map(|m| m.view()) {
        Some(gst::MessageView::Eos(_)) => Ok(n.load(Ordering::SeqCst)),
        Some(gst::MessageView::Error(e)) => Err(e.error().to_string()),
        _ => Err("no EOS or ERROR within 60 s".into()),
    }
}

fn tmp_dir(tag: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let d = std::env::temp_dir().join(format!(
        "ds-core-finalise-{tag}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn mp4_is_finalised_after_mid_stream_error() {
    let dir = tmp_dir("mp4");
    let file = dir.join("out.mp4");
    let err = run_bounded(&failing_encode(&file), |_| {}).unwrap_err();
    assert_eq!(
        err.to_string(),
        "breaker: Failed after iterations as requested."
    );
    assert!(matches!(err, PipelineError::Element { .. }), "{err:?}");
    let bytes = std::fs::read(&file).unwrap();
    assert!(
        bytes.windows(4).any(|w| w == b"moov"),
        "no moov box: MP4 not finalised"
    );
    // Every frame that got through before the failure is in the file.
    assert_eq!(decoded_frames(&file), Ok(29));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn drain_sends_the_eos_itself() {
    // The failing element posts its ERROR but the stream goes on (a live
    // source that never ends, no flow error upstream): no element sends
    // EOS, only the drain does.
    let dir = tmp_dir("live");
    let file = dir.join("out.mp4");
    let err = run_bounded(
        &format!(
            "videotestsrc is-live=true ! video/x-raw,width=160,height=120,framerate=30/1 \
             ! identity name=breaker \
             ! x264enc tune=zerolatency speed-preset=ultrafast ! h264parse ! mp4mux \
             ! filesink location={}",
            file.display()
        ),
        |p| {
            let breaker = p.by_name("breaker").unwrap();
            let weak = breaker.downgrade();
            let n = AtomicUsize::new(0);
            breaker.static_pad("sink").unwrap().add_probe(
                gst::PadProbeType::BUFFER,
                move |_, _| {
                    if n.fetch_add(1, Ordering::SeqCst) == 10 {
                        if let Some(e) = weak.upgrade() {
                            let msg =
                                gst::message::Error::builder(gst::CoreError::Failed, "gave up")
                                    .src(&e)
                                    .build();
                            let _ = e.post_message(msg);
                        }
                    }
                    gst::PadProbeReturn::Ok
                },
            );
        },
    )
    .unwrap_err();
    assert_eq!(err.to_string(), "breaker: gave up");
    let frames = decoded_frames(&file).unwrap();
    assert!(frames >= 10, "{frames} frames");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn sink_error_returns_at_once() {
    // The sink itself fails (no space left): nothing downstream to drain.
    let err = run_bounded(
        "videotestsrc num-buffers=50 ! video/x-raw,width=160,height=120 \
         ! x264enc tune=zerolatency speed-preset=ultrafast ! h264parse ! mp4mux \
         ! filesink name=sink buffer-mode=unbuffered location=/dev/full",
        |_| {},
    )
    .unwrap_err();
    match &err {
        PipelineError::Element {
            source, message, ..
        } => {
            assert_eq!(source.as_deref(), Some("sink"));
            assert_eq!(message, "No space left on the resource.");
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn stuck_drain_is_bounded() {
    // Hold every EOS back before the sink (a blocking probe: the thread
    // that pushes it waits there until the pipeline is set to Null): the
    // pipeline's EOS never comes, the drain gives up after its timeout.
    let dir = tmp_dir("stuck");
    let file = dir.join("out.mp4");
    let err = run_bounded(&failing_encode(&file), |p| {
        p.by_name("sink")
            .unwrap()
            .static_pad("sink")
            .unwrap()
            .add_probe(
                gst::PadProbeType::BLOCK | gst::PadProbeType::EVENT_DOWNSTREAM,
                |_, info| match info.event() {
                    Some(ev) if ev.type_() == gst::EventType::Eos => gst::PadProbeReturn::Ok,
                    _ => gst::PadProbeReturn::Pass,
                },
            );
    })
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "breaker: Failed after iterations as requested."
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Child half of `one_error_line_and_nothing_else`: only acts when the
/// parent sets the variable (to the output file's path).
#[test]
fn finalise_child() {
    let Some(out) = std::env::var_os("DS_CORE_FINALISE_CHILD") else {
        return;
    };
    app::init().unwrap();
    let p = gst::parse::launch(&failing_encode(Path::new(&out)))
        .unwrap()
        .downcast::<gst::Pipeline>()
        .unwrap();
    app::run(&p).unwrap_err();
}

#[test]
fn one_error_line_and_nothing_else() {
    let dir = tmp_dir("lines");
    let file = dir.join("out.mp4");
    let out = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "finalise_child",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("DS_CORE_FINALISE_CHILD", &file)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    // The drain's EOS is not a normal end-of-stream.
    assert!(!stdout.contains("End-of-stream"), "{stdout}");
    let errors: Vec<_> = stderr.lines().filter(|l| l.contains("Error: ")).collect();
    assert_eq!(errors.len(), 1, "{stderr}");
    assert!(
        errors[0].starts_with(
            "Error: gst-core-error-quark: Failed after iterations as requested. (1): "
        ),
        "{stderr}"
    );
    assert!(!stderr.contains("Warning: "), "{stderr}");
    assert!(std::fs::read(&file)
        .unwrap()
        .windows(4)
        .any(|w| w == b"moov"));
    std::fs::remove_dir_all(&dir).unwrap();
}
