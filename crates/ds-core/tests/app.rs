//! Tests of the app utilities: bus handling on real pipelines, the pipeline
//! runner and Ctrl-C support, FPS counting and formatting on a fake clock,
//! platform detection on fake files, and the backend line.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use ds_core::app::bus::{bus_call_output, Interruption, Stream};
use ds_core::app::{
    self, BackendInfo, BusAction, GetFps, Interrupter, ManualClock, PerfData, PipelineError,
    PlatformProbe,
};
use gstreamer as gst;
use gstreamer::glib;
use gstreamer::prelude::*;

fn pipeline(desc: &str) -> gst::Pipeline {
    app::init().unwrap();
    gst::parse::launch(desc)
        .unwrap()
        .downcast::<gst::Pipeline>()
        .unwrap()
}

/// Runs `f` with a fresh thread-default main context, so tests running in
/// parallel threads do not share the global default context.
fn on_own_context<R>(f: impl FnOnce() -> R) -> R {
    let ctx = glib::MainContext::new();
    ctx.with_thread_default(f).unwrap()
}

/// Plays `p` and returns the first EOS or ERROR message from its bus.
fn first_stop_message(p: &gst::Pipeline) -> gst::Message {
    let bus = p.bus().unwrap();
    let _ = p.set_state(gst::State::Playing);
    let msg = bus
        .timed_pop_filtered(
            gst::ClockTime::from_seconds(10),
            &[gst::MessageType::Eos, gst::MessageType::Error],
        )
        .expect("no EOS or ERROR within 10 s");
    p.set_state(gst::State::Null).unwrap();
    msg
}

/// Counts the buffers reaching the sink pad of element `name`.
fn count_buffers(p: &gst::Pipeline, name: &str) -> Arc<AtomicUsize> {
    let n = Arc::new(AtomicUsize::new(0));
    let c = Arc::clone(&n);
    p.by_name(name)
        .unwrap()
        .static_pad("sink")
        .unwrap()
        .add_probe(gst::PadProbeType::BUFFER, move |_, _| {
            c.fetch_add(1, Ordering::SeqCst);
            gst::PadProbeReturn::Ok
        });
    n
}

/// Waits (at most 60 s, for slow runs under valgrind) until `n` reaches `at_least`.
fn wait_for(n: &AtomicUsize, at_least: usize) {
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while n.load(Ordering::SeqCst) < at_least && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
}

// ---------------------------------------------------------------- bus

#[test]
fn eos_from_real_pipeline() {
    let p = pipeline("videotestsrc num-buffers=5 ! fakesink");
    let msg = first_stop_message(&p);
    let (action, out) = bus_call_output(&msg);
    assert_eq!(action, BusAction::Eos);
    assert!(action.should_stop() && !action.is_error());
    let out = out.unwrap();
    assert_eq!(out.stream, Stream::Stdout);
    assert_eq!(out.text, "End-of-stream");
}

#[test]
fn error_from_real_pipeline() {
    let p = pipeline("filesrc name=file-source location=/nonexistent ! fakesink");
    let msg = first_stop_message(&p);
    let (action, out) = bus_call_output(&msg);
    let out = out.unwrap();
    assert_eq!(out.stream, Stream::Stderr);
    // bus_call.py: "Error: %s: %s\n" % (err, debug), str(GLib.Error) = "domain: message (code)".
    assert!(
        out.text
            .starts_with("Error: gst-resource-error-quark: Resource not found. (3): "),
        "{}",
        out.text
    );
    assert!(
        out.text
            .ends_with("/GstFileSrc:file-source: No such file \"/nonexistent\""),
        "{}",
        out.text
    );
    assert!(action.should_stop() && action.is_error());
    let BusAction::Error(e) = action else {
        panic!("not an error: {action:?}")
    };
    assert_eq!(
        e.to_string(),
        "file-source: Resource not found. (No such file \"/nonexistent\")"
    );
    match e {
        PipelineError::Element {
            source,
            error,
            message,
            debug,
        } => {
            assert_eq!(source.as_deref(), Some("file-source"));
            assert_eq!(error, "gst-resource-error-quark: Resource not found. (3)");
            assert_eq!(message, "Resource not found.");
            assert!(debug.unwrap().contains("gstfilesrc.c"));
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn warning_and_other_messages() {
    app::init().unwrap();
    let src = gst::ElementFactory::make("identity")
        .name("checker")
        .build()
        .unwrap();
    let w = gst::message::Warning::builder(gst::StreamError::Decode, "bad frame")
        .src(&src)
        .build();
    let (action, out) = bus_call_output(&w);
    assert_eq!(action, BusAction::Continue);
    let out = out.unwrap();
    assert_eq!(out.stream, Stream::Stderr);
    // No debug string: Python prints None.
    assert_eq!(
        out.text,
        "Warning: gst-stream-error-quark: bad frame (7): None"
    );
    assert_eq!(app::handle_message(&w), BusAction::Continue);

    let e = gst::message::Error::builder(gst::CoreError::Negotiation, "no caps")
        .debug("one line only")
        .src(&src)
        .build();
    let (action, out) = bus_call_output(&e);
    assert_eq!(
        out.unwrap().text,
        "Error: gst-core-error-quark: no caps (7): one line only"
    );
    let BusAction::Error(pe) = action else {
        panic!()
    };
    // A one-line debug string is left out of the summary.
    assert_eq!(pe.to_string(), "checker: no caps");

    let sc = gst::message::StreamStart::new();
    assert_eq!(bus_call_output(&sc), (BusAction::Continue, None));
    assert_eq!(app::handle_message(&sc), BusAction::Continue);
}

#[test]
fn run_to_eos() {
    let p = pipeline("videotestsrc num-buffers=5 ! fakesink");
    on_own_context(|| app::run(&p)).unwrap();
    assert_eq!(p.current_state(), gst::State::Null);
}

#[test]
fn run_reports_missing_file() {
    let p = pipeline("filesrc name=src location=/nonexistent ! fakesink");
    let err = on_own_context(|| app::run(&p)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "src: Resource not found. (No such file \"/nonexistent\")"
    );
    assert_eq!(p.current_state(), gst::State::Null);
}

#[test]
fn run_reports_error_while_playing() {
    // A file that is no media: set_state succeeds (asynchronously), then
    // typefind fails in the streaming thread.
    let dir = tmp_dir("garbage");
    let file = dir.join("garbage.bin");
    let bytes: Vec<u8> = (0..4096u32).map(|i| (i * 37 + 11) as u8).collect();
    std::fs::write(&file, bytes).unwrap();
    let p = pipeline(&format!(
        "filesrc location={} ! decodebin ! fakesink",
        file.display()
    ));
    let err = on_own_context(|| app::run(&p)).unwrap_err();
    assert!(matches!(err, PipelineError::Element { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "typefind: Could not determine type of stream."
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn run_refuses_second_watch() {
    let p = pipeline("videotestsrc num-buffers=1 ! fakesink");
    let bus = p.bus().unwrap();
    on_own_context(|| {
        let _guard = bus.add_watch(|_, _| glib::ControlFlow::Continue).unwrap();
        let err = app::run(&p).unwrap_err();
        assert!(matches!(err, PipelineError::Setup(_)), "{err:?}");
        assert!(
            err.to_string()
                .starts_with("cannot watch the pipeline's bus"),
            "{err}"
        );
    });
}

#[test]
fn interrupt_sends_eos_and_finalises() {
    // A live source never ends by itself; the interrupt's EOS must end the run.
    let dir = tmp_dir("interrupt");
    let file = dir.join("out.mov");
    let p = pipeline(&format!(
        "videotestsrc is-live=true ! video/x-raw,width=64,height=48,framerate=30/1 ! jpegenc ! qtmux ! filesink name=sink location={}",
        file.display()
    ));
    let frames = count_buffers(&p, "sink");
    let stopper = Interrupter::new(&p);
    let s = stopper.clone();
    let t = std::thread::spawn(move || {
        wait_for(&frames, 5);
        s.interrupt()
    });
    on_own_context(|| app::run(&p)).unwrap();
    assert_eq!(t.join().unwrap(), Interruption::Eos);
    assert_eq!(stopper.count(), 1);
    // qtmux writes the `moov` index only at EOS: without it the file is
    // not finalised (unplayable).
    let bytes = std::fs::read(&file).unwrap();
    assert!(bytes.len() > 1000, "file too small: {}", bytes.len());
    assert!(
        bytes.windows(4).any(|w| w == b"moov"),
        "no moov box: file not finalised"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn second_interrupt_forces_stop() {
    let p = pipeline("videotestsrc is-live=true ! fakesink name=sink");
    // Hold EOS back before the sink (a blocking probe: the streaming thread
    // waits there until the pipeline is set to Null), so only the forced
    // stop can end the run.
    let sink = p.by_name("sink").unwrap();
    sink.static_pad("sink").unwrap().add_probe(
        gst::PadProbeType::BLOCK | gst::PadProbeType::EVENT_DOWNSTREAM,
        |_, info| match info.event() {
            Some(ev) if ev.type_() == gst::EventType::Eos => gst::PadProbeReturn::Ok,
            _ => gst::PadProbeReturn::Pass,
        },
    );
    let frames = count_buffers(&p, "sink");
    let stopper = Interrupter::new(&p);
    let s = stopper.clone();
    let t = std::thread::spawn(move || {
        wait_for(&frames, 2);
        let first = s.interrupt();
        std::thread::sleep(Duration::from_millis(300));
        (first, s.interrupt())
    });
    let err = on_own_context(|| app::run(&p)).unwrap_err();
    assert_eq!(err, PipelineError::Interrupted);
    assert_eq!(
        t.join().unwrap(),
        (Interruption::Eos, Interruption::ForceStop)
    );
    assert_eq!(stopper.count(), 2);
}

#[test]
fn interrupt_after_pipeline_dropped() {
    let stopper = Interrupter::new(&pipeline("fakesrc ! fakesink"));
    assert_eq!(stopper.interrupt(), Interruption::Gone);
    assert_eq!(stopper.count(), 0);
}

/// Child half of `lines_go_to_the_right_stream`: only acts when the parent
/// sets the variable.
#[test]
fn stream_child() {
    if std::env::var_os("DS_CORE_APP_STREAM_CHILD").is_none() {
        return;
    }
    app::init_and_report().unwrap();
    let ok = pipeline("videotestsrc num-buffers=2 ! fakesink");
    app::run(&ok).unwrap();
    let bad = pipeline("filesrc name=fs location=/nonexistent ! fakesink");
    app::run(&bad).unwrap_err();
}

#[test]
fn lines_go_to_the_right_stream() {
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "stream_child", "--nocapture", "--test-threads=1"])
        .env("DS_CORE_APP_STREAM_CHILD", "1")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    // libtest's "test stream_child ... " has no newline: match line ends.
    assert!(
        stdout.contains("DeepStream backend: open (Rust implementation, CPU)\n")
            || stdout.contains("DeepStream backend: nvidia (DeepStream "),
        "{stdout}"
    );
    assert!(stdout.contains("\nEnd-of-stream\n"), "{stdout}");
    assert!(!stderr.contains("End-of-stream"), "{stderr}");
    assert!(
        stderr.contains("Error: gst-resource-error-quark: Resource not found. (3): ")
            && stderr.contains("GstFileSrc:fs: No such file \"/nonexistent\"\n"),
        "{stderr}"
    );
    assert!(!stdout.contains("Error: gst-resource"), "{stdout}");
}

// ---------------------------------------------------------------- perf

#[test]
fn perf_counts_and_formats() {
    let clock = ManualClock::new();
    let perf = PerfData::with_clock(3, Arc::new(clock.clone()));
    assert_eq!(perf.num_streams(), 3);
    for _ in 0..=60 {
        assert!(perf.update_fps(0));
    }
    clock.advance(Duration::from_secs(1));
    for _ in 0..=10 {
        assert!(perf.update_fps(1));
    }
    assert!(!perf.update_fps(3));
    clock.advance(Duration::from_secs(1));
    // At t=2 s: stream0 counted 60 frames in 2 s, stream1 10 frames in 1 s
    // (its first frame, at t=1 s, started its clock).
    assert_eq!(
        perf.perf_text(),
        "\n**PERF:  {'stream0': 30.0, 'stream1': 10.0, 'stream2': 0.0} \n\n"
    );
    // Counts restart after each read.
    for _ in 0..10 {
        perf.update_fps(1);
    }
    clock.advance(Duration::from_secs(3));
    assert_eq!(
        perf.get_fps(),
        vec![
            ("stream0".to_string(), 0.0),
            ("stream1".to_string(), 3.33),
            ("stream2".to_string(), 0.0)
        ]
    );
    assert_eq!(
        app::perf::format_perf(&perf.get_fps()),
        "\n**PERF:  {'stream0': 0.0, 'stream1': 0.0, 'stream2': 0.0} \n\n"
    );
}

#[test]
fn perf_is_thread_safe() {
    let clock = ManualClock::new();
    let perf = Arc::new(PerfData::with_clock(2, Arc::new(clock.clone())));
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let p = Arc::clone(&perf);
            std::thread::spawn(move || {
                for _ in 0..1000 {
                    p.update_fps(t % 2);
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    clock.advance(Duration::from_secs(1));
    // Per stream: 2000 frames, the first of which only starts the clock.
    assert_eq!(
        perf.get_fps(),
        vec![
            ("stream0".to_string(), 1999.0),
            ("stream1".to_string(), 1999.0)
        ]
    );
}

#[test]
fn get_fps_rounds_like_python() {
    let clock = ManualClock::new();
    let t0 = app::Clock::now(&clock);
    let mut f = GetFps::new(t0);
    for _ in 0..=2 {
        f.update_fps(t0);
    }
    // 2 frames in 0.3 s = 6.666.. -> 6.67
    assert_eq!(f.get_fps(t0 + Duration::from_millis(300)), 6.67);
    assert_eq!(f.frame_count(), 0);
    // 1 frame in 8 s = 0.125 -> 0.12 (ties to even, as Python's round)
    f.update_fps(t0);
    assert_eq!(f.get_fps(t0 + Duration::from_millis(8300)), 0.12);
}

#[test]
fn perf_prints_from_main_loop_timer() {
    // start_printing attaches to the global default main context, which no
    // other test in this binary uses (they run on their own contexts).
    app::init().unwrap();
    let clock = ManualClock::new();
    let perf = Arc::new(PerfData::with_clock(1, Arc::new(clock.clone())));
    for _ in 0..=5 {
        perf.update_fps(0);
    }
    clock.advance(Duration::from_secs(1));
    let ctx = glib::MainContext::default();
    let _owner = ctx.acquire().unwrap();
    let id = perf.start_printing(Duration::from_millis(10));
    // One dispatch of the timer prints "**PERF:  {'stream0': 5.0}" and resets
    // the count; without it the next read would say 5.0.
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while !ctx.iteration(true) && std::time::Instant::now() < deadline {}
    id.remove();
    assert_eq!(perf.get_fps(), vec![("stream0".to_string(), 0.0)]);
}

// ---------------------------------------------------------------- platform

fn tmp_dir(tag: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let d = std::env::temp_dir().join(format!(
        "ds-core-app-{tag}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn write(root: &Path, rel: &str, data: &[u8]) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, data).unwrap();
}

fn make_executable(p: &Path, exec: bool) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(
        p,
        std::fs::Permissions::from_mode(if exec { 0o755 } else { 0o644 }),
    )
    .unwrap();
}

#[test]
fn platform_plain_x86() {
    let root = tmp_dir("x86");
    write(
        &root,
        "proc/version",
        b"Linux version 6.8.0-45-generic (buildd@lcy02) gcc 13\n",
    );
    let info = PlatformProbe::new().root(&root).aarch64(false).detect();
    assert_eq!(
        info,
        app::PlatformInfo {
            aarch64: false,
            integrated_gpu: false,
            discrete_gpu: false,
            wsl: false
        }
    );
    std::fs::remove_dir_all(&root).unwrap();
}

#[test]
fn platform_jetson_by_release_file() {
    let root = tmp_dir("jetson-rel");
    write(
        &root,
        "etc/nv_tegra_release",
        b"# R36 (release), REVISION: 4.0\n",
    );
    // Jetsons may have nvidia-smi too: still integrated, not discrete.
    write(&root, "usr/bin/nvidia-smi", b"#!/bin/sh\n");
    make_executable(&root.join("usr/bin/nvidia-smi"), true);
    let info = PlatformProbe::new().root(&root).aarch64(true).detect();
    assert!(info.is_integrated_gpu() && info.is_platform_aarch64());
    assert!(!info.has_discrete_gpu() && !info.is_wsl());
    std::fs::remove_dir_all(&root).unwrap();
}

#[test]
fn platform_jetson_by_device_tree() {
    let root = tmp_dir("jetson-dt");
    write(
        &root,
        "proc/device-tree/compatible",
        b"nvidia,p3768-0000+p3767-0005\0nvidia,p3767-0005\0nvidia,tegra234\0",
    );
    assert!(PlatformProbe::new().root(&root).is_integrated_gpu());
    // Another vendor's board is not a Jetson.
    write(
        &root,
        "proc/device-tree/compatible",
        b"raspberrypi,5-model-b\0brcm,bcm2712\0",
    );
    assert!(!PlatformProbe::new().root(&root).is_integrated_gpu());
    std::fs::remove_dir_all(&root).unwrap();
}

#[test]
fn platform_dgpu() {
    let root = tmp_dir("dgpu");
    let probe = || PlatformProbe::new().root(&root).aarch64(false);
    assert!(!probe().has_discrete_gpu());
    write(&root, "dev/nvidia0", b"");
    assert!(probe().has_discrete_gpu());
    std::fs::remove_file(root.join("dev/nvidia0")).unwrap();
    // nvidia-smi counts only when executable, and only in the search path.
    let bin = root.join("opt/bin");
    write(&root, "opt/bin/nvidia-smi", b"#!/bin/sh\n");
    make_executable(&bin.join("nvidia-smi"), false);
    assert!(!probe().search_path(vec![bin.clone()]).has_discrete_gpu());
    make_executable(&bin.join("nvidia-smi"), true);
    assert!(!probe().has_discrete_gpu());
    let info = probe().search_path(vec![bin]).detect();
    assert!(info.discrete_gpu && !info.integrated_gpu && !info.aarch64);
    std::fs::remove_dir_all(&root).unwrap();
}

#[test]
fn platform_wsl() {
    let root = tmp_dir("wsl");
    write(
        &root,
        "proc/version",
        b"Linux version 5.15.153.1-microsoft-standard-WSL2 (root@941d701f84f1)\n",
    );
    assert!(PlatformProbe::new().root(&root).detect().is_wsl());
    write(&root, "proc/version", b"Linux version 5.15.0 Microsoft\n");
    assert!(PlatformProbe::new().root(&root).is_wsl());
    std::fs::remove_dir_all(&root).unwrap();
}

// ---------------------------------------------------------------- backend

#[test]
fn backend_line() {
    let info = BackendInfo::current();
    assert_eq!(info.backend, app::backend());
    if app::backend() == "open" {
        assert_eq!(
            info.to_string(),
            "DeepStream backend: open (Rust implementation, CPU)"
        );
    }
    let dir = tmp_dir("dsdir");
    std::fs::write(dir.join("version"), "Version: 7.1\n").unwrap();
    let nv = BackendInfo {
        backend: "nvidia",
        deepstream_version: app::read_deepstream_version(&dir),
        deepstream_dir: Some(dir.clone()),
    };
    assert_eq!(
        nv.to_string(),
        format!(
            "DeepStream backend: nvidia (DeepStream 7.1 at {})",
            dir.display()
        )
    );
    std::fs::remove_file(dir.join("version")).unwrap();
    let nv = BackendInfo {
        deepstream_version: app::read_deepstream_version(&dir),
        ..nv
    };
    assert_eq!(
        nv.to_string(),
        format!(
            "DeepStream backend: nvidia (DeepStream, unknown version, at {})",
            dir.display()
        )
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
