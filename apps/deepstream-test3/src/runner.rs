//! Playing the pipeline (the sample's `loop.run()` with `bus_call`), with
//! what the port adds for N sources: a source that fails (bad URI, missing
//! file, unreachable server) is reported in one line,
//! `Error: source <i> (<uri>): <reason>`, and removed while the others go
//! on; only when every source has failed does the run fail. Ctrl-C (and the
//! hidden `--num-frames`) send end-of-stream into every muxer pad, a second
//! Ctrl-C stops at once.
use anyhow::{bail, Context, Result};
use ds_core::app;
use gstreamer as gst;
use gstreamer::glib;
use gstreamer::prelude::*;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A failure whose message has been printed already.
#[derive(Debug)]
pub struct Quiet;

impl std::fmt::Display for Quiet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("failed")
    }
}

impl std::error::Error for Quiet {}

/// One source of the pipeline.
#[derive(Debug)]
pub struct Source {
    uri: String,
    bin: gst::Bin,
    /// The muxer's sink pad (released when the source fails).
    mux_pad: Option<gst::Pad>,
    failed: bool,
    /// The elements the bin held when it failed (`uridecodebin` removes
    /// its children when stopped, and they may still post errors).
    dead: Vec<gst::Object>,
    /// RTSP reconnection attempts since the source last sent a frame.
    attempts: Arc<AtomicU32>,
}

impl Source {
    /// Source `bin` playing `uri`, linked to the muxer's `mux_pad`.
    pub fn new(uri: &str, bin: gst::Bin, mux_pad: gst::Pad) -> Self {
        Source {
            uri: uri.to_string(),
            bin,
            mux_pad: Some(mux_pad),
            failed: false,
            dead: Vec::new(),
            attempts: Arc::default(),
        }
    }

    /// RTSP reconnection (the port's extra): the first frame on the source
    /// bin's `src` pad after reconnection attempts prints
    /// `Source <i> reconnected after <n> attempt(s)`.
    pub fn report_reconnection(&self, index: usize, src: &gst::Pad) {
        let attempts = Arc::clone(&self.attempts);
        src.add_probe(gst::PadProbeType::BUFFER, move |_, _| {
            let n = attempts.swap(0, Ordering::SeqCst);
            if n > 0 {
                println!("Source {index} reconnected after {n} attempt(s)");
            }
            gst::PadProbeReturn::Ok
        });
    }
}

/// `No data from source since last <n> sec. Trying reconnection`: the
/// warning `nvurisrcbin` posts for each reconnection attempt (NVIDIA's
/// wording); returns `n`.
fn reconnect_warning(text: &str) -> Option<u64> {
    let rest = text.strip_prefix("No data from source since last ")?;
    let (n, tail) = rest.split_once(' ')?;
    tail.starts_with("sec. Trying reconnection")
        .then(|| n.parse().ok())
        .flatten()
}

/// What the bus handler, the probe and Ctrl-C share.
pub struct App {
    pipeline: gst::Pipeline,
    sources: Mutex<Vec<Source>>,
    stop_requests: AtomicUsize,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl App {
    /// The app playing `pipeline` from `sources`.
    pub fn new(pipeline: &gst::Pipeline, sources: Vec<Source>) -> Arc<Self> {
        Arc::new(App {
            pipeline: pipeline.clone(),
            sources: Mutex::new(sources),
            stop_requests: AtomicUsize::new(0),
        })
    }

    /// First call: end-of-stream into every live muxer pad (a looping
    /// source is cut off there); second call: stop at once.
    pub fn stop(&self) {
        if self.stop_requests.fetch_add(1, Ordering::SeqCst) == 0 {
            let pads: Vec<gst::Pad> = lock(&self.sources)
                .iter()
                .filter(|s| !s.failed)
                .filter_map(|s| s.mux_pad.clone())
                .collect();
            // Never from a streaming thread: a serialized event waits for
            // the pad's stream lock.
            std::thread::spawn(move || {
                for pad in pads {
                    pad.send_event(gst::event::Eos::new());
                }
            });
        } else {
            let s = gst::Structure::new_empty(app::bus::FORCE_STOP_MESSAGE);
            let _ = self.pipeline.post_message(
                gst::message::Application::builder(s)
                    .src(&self.pipeline)
                    .build(),
            );
        }
    }

    /// The index of the source bin `obj` belongs to.
    fn source_of(&self, obj: &gst::Object) -> Option<usize> {
        let mut cur = Some(obj.clone());
        let sources = lock(&self.sources);
        while let Some(o) = cur {
            if let Some(i) = sources
                .iter()
                .position(|s| s.bin.upcast_ref::<gst::Object>() == &o || s.dead.contains(&o))
            {
                return Some(i);
            }
            cur = o.parent();
        }
        None
    }

    /// Removes failed source `i` from the pipeline. Returns how many
    /// sources are still working.
    fn fail_source(&self, i: usize) -> usize {
        let (bin, pad) = {
            let mut sources = lock(&self.sources);
            let s = &mut sources[i];
            s.failed = true;
            s.dead = s
                .bin
                .iterate_recurse()
                .into_iter()
                .filter_map(|e| e.ok())
                .map(|e| e.upcast())
                .collect();
            (s.bin.clone(), s.mux_pad.take())
        };
        bin.set_locked_state(true);
        let _ = self.pipeline.remove(&bin);
        let _ = bin.set_state(gst::State::Null);
        // The muxer's per-source end-of-stream: it goes on with the others
        // (the pad stays: releasing it does not wake a muxer waiting for it).
        if let Some(pad) = pad {
            pad.send_event(gst::event::Eos::new());
        }
        lock(&self.sources).iter().filter(|s| !s.failed).count()
    }
}

/// The error's text and the human-readable last line of its debug string.
fn error_text(err: &glib::Error, debug: Option<&str>) -> String {
    let mut text = err.message().trim_end().to_string();
    if let Some(detail) = debug
        .filter(|d| d.contains('\n'))
        .and_then(|d| d.lines().rev().map(str::trim).find(|l| !l.is_empty()))
    {
        text.push_str(&format!(" ({detail})"));
    }
    text
}

/// Installs the Ctrl-C handler: end-of-stream first (an MP4 is
/// finalised), then stop.
pub fn stop_on_ctrl_c(app_state: &Arc<App>) -> Result<()> {
    let weak = Arc::downgrade(app_state);
    ctrlc::set_handler(move || {
        if let Some(a) = weak.upgrade() {
            a.stop();
        }
    })
    .context("cannot install the Ctrl-C handler")
}

/// Runs the pipeline on the default main context until end-of-stream, a
/// pipeline error, all sources failing, or a forced stop.
pub fn run_pipeline(app_state: &Arc<App>) -> Result<()> {
    let ctx = glib::MainContext::default();
    let _owner = ctx
        .acquire()
        .map_err(|e| anyhow::anyhow!("cannot use the main context: {e}"))?;
    let main_loop = glib::MainLoop::new(Some(&ctx), false);
    let outcome: Arc<Mutex<Option<Result<()>>>> = Arc::new(Mutex::new(None));
    let bus = app_state
        .pipeline
        .bus()
        .context("the pipeline has no bus")?;

    let finish = {
        let main_loop = main_loop.clone();
        let outcome = Arc::clone(&outcome);
        move |r: Result<()>| {
            lock(&outcome).get_or_insert(r);
            main_loop.quit();
        }
    };
    let check_state = {
        let app_state = Arc::downgrade(app_state);
        let finish = finish.clone();
        move || {
            let Some(a) = app_state.upgrade() else { return };
            let (res, _, _) = a.pipeline.state(gst::ClockTime::ZERO);
            if res.is_err() {
                eprintln!("Error: the pipeline failed to change state to Playing");
                finish(Err(Quiet.into()));
            }
        }
    };
    let watch = {
        let app_state = Arc::downgrade(app_state);
        let finish = finish.clone();
        bus.add_watch_local(move |_, msg| {
            let Some(a) = app_state.upgrade() else {
                return glib::ControlFlow::Break;
            };
            if let gst::MessageView::Warning(w) = msg.view() {
                let idle = reconnect_warning(w.error().message());
                if let (Some(idle), Some(i)) = (idle, msg.src().and_then(|s| a.source_of(s))) {
                    let attempt = lock(&a.sources)[i].attempts.fetch_add(1, Ordering::SeqCst) + 1;
                    println!(
                        "No data from source {i} since last {idle} sec. Trying reconnection \
                         (attempt {attempt})"
                    );
                }
            }
            if let gst::MessageView::Error(e) = msg.view() {
                if let Some(i) = msg.src().and_then(|s| a.source_of(s)) {
                    let (uri, failed) = {
                        let s = &lock(&a.sources)[i];
                        (s.uri.clone(), s.failed)
                    };
                    if !failed {
                        let err = e.error();
                        let debug = e.debug();
                        eprintln!(
                            "Error: source {i} ({uri}): {}",
                            error_text(&err, debug.as_deref())
                        );
                        if a.fail_source(i) == 0 {
                            finish(Err(Quiet.into()));
                            return glib::ControlFlow::Break;
                        }
                        // The pipeline may still wait for the failed
                        // source's state change: go on without it.
                        let _ = a.pipeline.set_state(gst::State::Playing);
                    }
                    return glib::ControlFlow::Continue;
                }
            }
            // A source bin that finished prerolling after the pipeline
            // committed its own state stays in PAUSED: take it on.
            if let gst::MessageView::StateChanged(sc) = msg.view() {
                let bin = msg
                    .src()
                    .and_then(|s| s.downcast_ref::<gst::Bin>())
                    .filter(|b| lock(&a.sources).iter().any(|s| &s.bin == *b && !s.failed));
                if let Some(bin) = bin {
                    if sc.current() == gst::State::Paused
                        && sc.pending() == gst::State::VoidPending
                        && sc.old() == gst::State::Ready
                    {
                        let _ = bin.set_state(gst::State::Playing);
                    }
                }
            }
            if let gst::MessageView::Application(m) = msg.view() {
                if m.structure()
                    .is_some_and(|s| s.name() == app::bus::FORCE_STOP_MESSAGE)
                {
                    finish(Err(app::PipelineError::Interrupted.into()));
                    return glib::ControlFlow::Break;
                }
            }
            match app::handle_message(msg) {
                app::BusAction::Continue => glib::ControlFlow::Continue,
                app::BusAction::Eos => {
                    finish(Ok(()));
                    glib::ControlFlow::Break
                }
                app::BusAction::Error(e) => {
                    finish(Err(e.into()));
                    glib::ControlFlow::Break
                }
            }
        })
        .context("cannot watch the pipeline's bus")?
    };

    // The sources start on their own, after the rest of the pipeline, so
    // that one failing to start (bad URI, missing file) does not fail the
    // pipeline's state change: its error message removes it (above).
    // Live (rtsp://) sources start with the pipeline: their NO_PREROLL
    // answer is what tells the pipeline not to wait for a preroll and to
    // go to PLAYING (which hands out the clock: without it udpsrc does not
    // timestamp RTP packets and the jitter buffer drops every one, so an
    // RTSP source over UDP would never send a frame). Their connection
    // failures come later, as error messages, never from the state change.
    let bins: Vec<gst::Bin> = lock(&app_state.sources)
        .iter()
        .filter(|s| !is_live_uri(&s.uri))
        .map(|s| s.bin.clone())
        .collect();
    for bin in &bins {
        bin.set_locked_state(true);
    }
    if app_state.pipeline.set_state(gst::State::Playing).is_err() {
        glib::timeout_add_local_once(Duration::from_secs(1), check_state);
    } else {
        for bin in &bins {
            bin.set_locked_state(false);
            // A failure posts an error message, handled by the watch.
            let _ = bin.sync_state_with_parent();
        }
    }
    main_loop.run();
    drop(watch);
    let _ = app_state.pipeline.set_state(gst::State::Null);
    let result = lock(&outcome).take();
    result.unwrap_or_else(|| bail!("the main loop stopped before end-of-stream"))
}

/// Whether `uri` names a live source (an RTSP camera or server), as the
/// sample decides it (`uri_name.find("rtsp://") == 0`).
fn is_live_uri(uri: &str) -> bool {
    uri.starts_with("rtsp://")
}
