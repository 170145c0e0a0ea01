//! Bus handling, as the samples' `bus_call.py` does it, and a helper that
//! runs a pipeline to completion on a GLib main loop.
//!
//! What gets printed (exactly the Python sample's lines):
//!
//! | message | stream | line |
//! |---------|--------|------|
//! | EOS     | stdout | `End-of-stream` |
//! | WARNING | stderr | `Warning: {err}: {debug}` |
//! | ERROR   | stderr | `Error: {err}: {debug}` |
//!
//! where `{err}` is formatted like PyGObject's `str(GLib.Error)`,
//! `domain: message (code)` (see [`format_gerror`]), and `{debug}` is the
//! message's debug string as GStreamer gives it (newlines folded into
//! spaces, so each message is one line), or `None`.
//!
//! [`run`] also keeps the output of a pipeline that fails mid-stream: on an
//! ERROR it prints the error line, then sends EOS downstream of the element
//! that failed (out of its linked source pads) and waits, at most
//! [`ERROR_DRAIN_TIMEOUT`], for the pipeline's end-of-stream before it sets
//! the pipeline to `Null`, so that muxers downstream finalise their files
//! (an MP4 gets its index and plays, with the frames encoded before the
//! failure). Nothing more is printed meanwhile (no `End-of-stream`, no
//! second error: one error line per failed run), and the run still returns
//! the first error.
//!
//! ```
//! use ds_core::app::{self, BusAction};
//! use gstreamer as gst;
//!
//! app::init().unwrap();
//! let msg = gst::message::Eos::new();
//! assert_eq!(app::handle_message(&msg), BusAction::Eos); // prints "End-of-stream"
//! ```

use std::fmt;
use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

use gstreamer as gst;
use gstreamer::glib;
use gstreamer::prelude::*;

/// Name of the application message that [`Interrupter::interrupt`] posts on
/// its second call; [`run`] stops at once when it sees it.
pub const FORCE_STOP_MESSAGE: &str = "ds-core-force-stop";

/// What the caller of [`handle_message`] should do next.
///
/// ```
/// use ds_core::app::{BusAction, PipelineError};
///
/// assert!(!BusAction::Continue.should_stop());
/// assert!(BusAction::Eos.should_stop() && !BusAction::Eos.is_error());
/// let err = BusAction::Error(PipelineError::Interrupted);
/// assert!(err.should_stop() && err.is_error());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BusAction {
    /// Keep running (warnings and every other message type).
    Continue,
    /// End-of-stream: stop; the run succeeded.
    Eos,
    /// An error: stop; the app must exit with a non-zero status.
    Error(PipelineError),
}

impl BusAction {
    /// `true` for [`BusAction::Eos`] and [`BusAction::Error`] (where
    /// `bus_call.py` calls `loop.quit()`).
    ///
    /// ```
    /// assert!(ds_core::app::BusAction::Eos.should_stop());
    /// ```
    pub fn should_stop(&self) -> bool {
        !matches!(self, BusAction::Continue)
    }

    /// `true` for [`BusAction::Error`].
    ///
    /// ```
    /// assert!(!ds_core::app::BusAction::Eos.is_error());
    /// ```
    pub fn is_error(&self) -> bool {
        matches!(self, BusAction::Error(_))
    }
}

/// Why a pipeline run failed. [`Display`](fmt::Display) is one line meant for
/// the user (the full `bus_call`-style line has already been printed by
/// [`handle_message`]).
///
/// ```
/// use ds_core::app::PipelineError;
///
/// let e = PipelineError::Element {
///     source: Some("file-source".into()),
///     error: "gst-resource-error-quark: Resource not found. (3)".into(),
///     message: "Resource not found.".into(),
///     debug: Some("gstfilesrc.c(553): gst_file_src_start (): /GstPipeline:pipeline0/GstFileSrc:file-source:\nNo such file \"/x\"".into()),
/// };
/// assert_eq!(e.to_string(), "file-source: Resource not found. (No such file \"/x\")");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PipelineError {
    /// An element posted an ERROR message.
    Element {
        /// Name of the element that posted it, if any.
        source: Option<String>,
        /// The GError as [`format_gerror`] prints it: `domain: message (code)`.
        error: String,
        /// The GError's message alone.
        message: String,
        /// The debug string, if any.
        debug: Option<String>,
    },
    /// The pipeline refused a state change and no element said why.
    StateChange {
        /// The state that was asked for, e.g. `Playing`.
        target: String,
    },
    /// [`Interrupter::interrupt`] was called twice: stopped without waiting
    /// for end-of-stream.
    Interrupted,
    /// The run could not be set up (no bus, bus already watched, ...).
    Setup(String),
}

impl fmt::Display for PipelineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PipelineError::Element {
                source,
                message,
                debug,
                ..
            } => {
                if let Some(s) = source {
                    write!(f, "{s}: ")?;
                }
                f.write_str(message.trim_end())?;
                // GStreamer's debug strings are "file(line): func (): path:\nDETAIL";
                // the last line is the human-readable part.
                if let Some(detail) = debug
                    .as_deref()
                    .filter(|d| d.contains('\n'))
                    .and_then(|d| d.lines().rev().map(str::trim).find(|l| !l.is_empty()))
                {
                    write!(f, " ({detail})")?;
                }
                Ok(())
            }
            PipelineError::StateChange { target } => {
                write!(f, "the pipeline failed to change state to {target}")
            }
            PipelineError::Interrupted => {
                f.write_str("interrupted twice: stopped without waiting for end-of-stream")
            }
            PipelineError::Setup(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for PipelineError {}

/// Formats a GError like PyGObject's `str(GLib.Error)`:
/// `domain: message (code)`.
///
/// ```
/// use gstreamer as gst;
///
/// let e = gst::glib::Error::new(gst::ResourceError::NotFound, "Resource not found.");
/// assert_eq!(
///     ds_core::app::format_gerror(&e),
///     "gst-resource-error-quark: Resource not found. (3)"
/// );
/// ```
pub fn format_gerror(err: &glib::Error) -> String {
    format!(
        "{}: {} ({})",
        err.domain().as_str(),
        err.message(),
        err.code()
    )
}

/// The stream a [`BusOutput`] line goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    /// Standard output.
    Stdout,
    /// Standard error.
    Stderr,
}

/// A line [`handle_message`] prints (without the trailing newline).
///
/// ```
/// use ds_core::app::bus::{bus_call_output, Stream};
/// use gstreamer as gst;
///
/// gst::init().unwrap();
/// let (_, out) = bus_call_output(&gst::message::Eos::new());
/// let out = out.unwrap();
/// assert_eq!((out.stream, out.text.as_str()), (Stream::Stdout, "End-of-stream"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BusOutput {
    /// Where it goes.
    pub stream: Stream,
    /// The line, without the trailing newline.
    pub text: String,
}

fn py_str(s: Option<&str>) -> String {
    // GStreamer's debug strings often hold newlines ("file(line): func ():
    // path:\nDETAIL"): fold them so every error or warning is one line.
    s.unwrap_or("None")
        .split('\n')
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join(" ")
}

/// What [`handle_message`] would do and print for `msg`, without printing:
/// the action and the line (if any), as `bus_call.py` does.
///
/// ```
/// use ds_core::app::bus::{bus_call_output, Stream};
/// use ds_core::app::BusAction;
/// use gstreamer as gst;
///
/// gst::init().unwrap();
/// let msg = gst::message::Warning::builder(gst::CoreError::Failed, "careful")
///     .debug("details")
///     .build();
/// let (action, out) = bus_call_output(&msg);
/// assert_eq!(action, BusAction::Continue);
/// let out = out.unwrap();
/// assert_eq!(out.stream, Stream::Stderr);
/// assert_eq!(out.text, "Warning: gst-core-error-quark: careful (1): details");
/// ```
pub fn bus_call_output(msg: &gst::MessageRef) -> (BusAction, Option<BusOutput>) {
    use gst::MessageView;
    match msg.view() {
        MessageView::Eos(_) => (
            BusAction::Eos,
            Some(BusOutput {
                stream: Stream::Stdout,
                text: "End-of-stream".to_string(),
            }),
        ),
        MessageView::Warning(w) => {
            let err = w.error();
            let debug = w.debug();
            let text = format!(
                "Warning: {}: {}",
                format_gerror(&err),
                py_str(debug.as_deref())
            );
            (
                BusAction::Continue,
                Some(BusOutput {
                    stream: Stream::Stderr,
                    text,
                }),
            )
        }
        MessageView::Error(e) => {
            let err = e.error();
            let debug = e.debug().map(|d| d.to_string());
            let error = format_gerror(&err);
            let text = format!("Error: {}: {}", error, py_str(debug.as_deref()));
            let pe = PipelineError::Element {
                source: msg.src().map(|s| s.name().to_string()),
                error,
                message: err.message().to_string(),
                debug,
            };
            (
                BusAction::Error(pe),
                Some(BusOutput {
                    stream: Stream::Stderr,
                    text,
                }),
            )
        }
        _ => (BusAction::Continue, None),
    }
}

/// Handles one bus message exactly as the samples' `bus_call` does: EOS
/// prints `End-of-stream` to stdout and stops; WARNING prints
/// `Warning: {err}: {debug}` to stderr and continues; ERROR prints
/// `Error: {err}: {debug}` to stderr and stops with an error; every other
/// message is ignored. The caller quits its loop when
/// [`BusAction::should_stop`] says so.
///
/// ```
/// use ds_core::app::{self, BusAction};
/// use gstreamer as gst;
///
/// app::init().unwrap();
/// let msg = gst::message::Error::new(gst::ResourceError::NotFound, "no file");
/// let action = app::handle_message(&msg); // stderr: "Error: gst-resource-error-quark: no file (3): None"
/// assert!(action.should_stop() && action.is_error());
/// ```
pub fn handle_message(msg: &gst::MessageRef) -> BusAction {
    let (action, out) = bus_call_output(msg);
    if let Some(out) = out {
        // Write errors (closed pipe) must not turn into a panic.
        let _ = match out.stream {
            Stream::Stdout => {
                let mut o = std::io::stdout().lock();
                writeln!(o, "{}", out.text).and_then(|_| o.flush())
            }
            Stream::Stderr => writeln!(std::io::stderr().lock(), "{}", out.text),
        };
    }
    action
}

/// Runs `pipeline` to completion: sets it to `Playing`, runs a GLib main
/// loop on the thread-default main context (so `glib::timeout_add` callbacks
/// such as [`PerfData::start_printing`](super::PerfData::start_printing) fire
/// meanwhile) with a bus watch calling [`handle_message`], and sets the
/// pipeline to `Null` at the end.
///
/// Returns `Ok(())` after end-of-stream, or the first error (an ERROR
/// message, a refused state change, a forced stop by a second
/// [`Interrupter::interrupt`]). The pipeline's bus must not already have a
/// watch.
///
/// When an element fails while the pipeline is playing, what it produced so
/// far is not lost: after printing the `Error: ...` line, `run` pushes EOS
/// out of the failing element's linked source pads (from a short-lived
/// thread, so a stuck element downstream cannot block the app) and waits
/// for the pipeline's end-of-stream (all sinks done: muxers have finalised
/// their files), at most [`ERROR_DRAIN_TIMEOUT`] (for instance when the
/// failure left other branches of the pipeline running) or until a second
/// [`Interrupter::interrupt`], and only then sets the pipeline to `Null`.
/// The messages of that drain are not printed (neither `End-of-stream` nor
/// the errors that follow from the first one), and the first error is
/// returned. When the failing element has no linked source pad (a sink),
/// or the pipeline is neither playing nor on its way there, the pipeline is
/// torn down at once.
///
/// ```
/// use gstreamer as gst;
/// use gstreamer::prelude::*;
///
/// ds_core::app::init().unwrap();
/// let ok = gst::parse::launch("videotestsrc num-buffers=3 ! fakesink").unwrap();
/// ds_core::app::run(ok.downcast_ref::<gst::Pipeline>().unwrap()).unwrap(); // stdout: End-of-stream
///
/// let bad = gst::parse::launch("filesrc location=/nonexistent ! fakesink").unwrap();
/// let err = ds_core::app::run(bad.downcast_ref::<gst::Pipeline>().unwrap()).unwrap_err();
/// assert!(err.to_string().contains("Resource not found"), "{err}");
/// ```
pub fn run(pipeline: &gst::Pipeline) -> Result<(), PipelineError> {
    // The bus watch must be dispatched by this thread's loop only: with
    // pipelines run from several threads at once (tests, services), a loop
    // iterating a shared context would take another pipeline's messages.
    // Use the thread-default context if one is pushed; else the global
    // default when this thread can own it (an app's main thread: timers
    // such as the per-stream FPS printer live there); else a private one.
    if let Some(ctx) = glib::MainContext::thread_default() {
        return run_on(pipeline, &ctx);
    }
    let default = glib::MainContext::default();
    if let Ok(_owner) = default.acquire() {
        return run_on(pipeline, &default);
    }
    let ctx = glib::MainContext::new();
    ctx.with_thread_default(|| run_on(pipeline, &ctx))
        .map_err(|e| PipelineError::Setup(format!("cannot use a main context: {e}")))?
}

/// [`run`] on `ctx`, which this thread owns and which is (or is treated as)
/// its thread-default context.
fn run_on(pipeline: &gst::Pipeline, ctx: &glib::MainContext) -> Result<(), PipelineError> {
    let bus = pipeline
        .bus()
        .ok_or_else(|| PipelineError::Setup("the pipeline has no bus".into()))?;
    let main_loop = glib::MainLoop::new(Some(ctx), false);
    let outcome: Arc<Mutex<Option<Result<(), PipelineError>>>> = Arc::new(Mutex::new(None));

    // gstreamer-rs leaks the boxed closure when `add_watch` fails (GStreamer
    // never calls the destroy notify then). Probe with a zero-sized closure
    // first (boxing it allocates nothing), so the failure path leaks nothing.
    // The probe is removed at once; it could only swallow a message if
    // another thread iterated this context in between.
    drop(
        bus.add_watch(|_, _| glib::ControlFlow::Continue)
            .map_err(|e| PipelineError::Setup(format!("cannot watch the pipeline's bus: {e}")))?,
    );

    // The element that posted the ERROR that stopped the run: what is
    // downstream of it is drained before the teardown.
    let failed: Arc<Mutex<Option<gst::Element>>> = Arc::new(Mutex::new(None));

    let watch = {
        let main_loop = main_loop.clone();
        let outcome = Arc::clone(&outcome);
        let failed = Arc::clone(&failed);
        bus.add_watch(move |_, msg| {
            let result = if is_force_stop(msg) {
                Some(Err(PipelineError::Interrupted))
            } else {
                match handle_message(msg) {
                    BusAction::Continue => None,
                    BusAction::Eos => Some(Ok(())),
                    BusAction::Error(e) => {
                        if let Ok(mut slot) = failed.lock() {
                            *slot = msg
                                .src()
                                .and_then(|s| s.downcast_ref::<gst::Element>())
                                .cloned();
                        }
                        Some(Err(e))
                    }
                }
            };
            match result {
                None => glib::ControlFlow::Continue,
                Some(r) => {
                    if let Ok(mut slot) = outcome.lock() {
                        slot.get_or_insert(r);
                    }
                    main_loop.quit();
                    glib::ControlFlow::Break
                }
            }
        })
        .map_err(|e| PipelineError::Setup(format!("cannot watch the pipeline's bus: {e}")))?
    };

    if pipeline.set_state(gst::State::Playing).is_err() {
        // The watch has not dispatched yet: take the messages ourselves.
        drop(watch);
        let result = drain_for_error(&bus, gst::State::Playing);
        let _ = pipeline.set_state(gst::State::Null);
        return Err(result);
    }

    main_loop.run();
    drop(watch);
    // Only a pipeline that is playing, or on its way there (its sinks may
    // still be prerolling on a slow machine), has output worth finalising
    // and posts EOS once its sinks are EOS.
    let failed = failed
        .lock()
        .ok()
        .and_then(|mut slot| slot.take())
        .filter(|_| {
            let (_, current, pending) = pipeline.state(gst::ClockTime::ZERO);
            current == gst::State::Playing || pending == gst::State::Playing
        });
    let pusher = failed.and_then(|element| finalise_after_error(&bus, &element));
    let _ = pipeline.set_state(gst::State::Null);
    if let Some(done) = pusher {
        // Setting Null unblocks a push that was stuck downstream; do not
        // wait for one that is stuck anyway (the thread ends on its own).
        let _ = done.recv_timeout(PUSHER_JOIN_TIMEOUT);
    }
    let result = outcome
        .lock()
        .ok()
        .and_then(|mut slot| slot.take())
        .unwrap_or_else(|| {
            Err(PipelineError::Setup(
                "the main loop stopped before end-of-stream".into(),
            ))
        });
    result
}

/// How long [`run`] waits, after an ERROR, for the end-of-stream that the
/// elements downstream of the failing one produce once drained (see
/// [`run`]); then it tears the pipeline down anyway.
pub const ERROR_DRAIN_TIMEOUT: Duration = Duration::from_secs(5);

/// How long [`run`] waits, after setting the pipeline to `Null`, for the
/// thread that pushed the drain's EOS to finish.
const PUSHER_JOIN_TIMEOUT: Duration = Duration::from_secs(1);

/// After an ERROR from `failed`: sends EOS out of each linked source pad of
/// `failed` (from a short-lived thread, since a push can block on a stuck
/// element downstream), then takes the bus's messages, printing none of
/// them, until the pipeline's EOS, a forced stop or
/// [`ERROR_DRAIN_TIMEOUT`], whichever comes first.
///
/// Returns a receiver that yields (or disconnects) once the pushing thread
/// is done, or `None` when nothing was pushed (`failed` is a sink, a muxer
/// whose output is unlinked, ...): then there is nothing to wait for.
fn finalise_after_error(bus: &gst::Bus, failed: &gst::Element) -> Option<mpsc::Receiver<()>> {
    let pads: Vec<gst::Pad> = failed
        .src_pads()
        .into_iter()
        .filter(|p| p.is_linked())
        .collect();
    if pads.is_empty() {
        return None;
    }
    let deadline = Instant::now() + ERROR_DRAIN_TIMEOUT;
    let (tx, rx) = mpsc::channel();
    std::thread::Builder::new()
        .name("ds-core-drain".into())
        .spawn(move || {
            for pad in pads {
                // `false` when the pad is already EOS (a source that failed
                // sends EOS itself) or flushing: nothing more to do then.
                let _ = pad.push_event(gst::event::Eos::new());
            }
            let _ = tx.send(());
        })
        .ok()?;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        let timeout =
            gst::ClockTime::from_nseconds(u64::try_from(left.as_nanos()).unwrap_or(u64::MAX));
        let Some(msg) = bus.timed_pop(timeout) else {
            break;
        };
        // With several sinks, the pipeline posts EOS once all are EOS.
        // Later errors and warnings are consequences of the first error:
        // the app has printed its one error line already.
        if matches!(msg.view(), gst::MessageView::Eos(_)) || is_force_stop(&msg) {
            break;
        }
    }
    Some(rx)
}

/// Prints (via [`handle_message`]) the queued messages of `bus` up to the
/// first ERROR and returns it, or a [`PipelineError::StateChange`].
fn drain_for_error(bus: &gst::Bus, target: gst::State) -> PipelineError {
    while let Some(msg) = bus.pop() {
        if let BusAction::Error(e) = handle_message(&msg) {
            return e;
        }
    }
    PipelineError::StateChange {
        target: format!("{target:?}"),
    }
}

fn is_force_stop(msg: &gst::MessageRef) -> bool {
    matches!(msg.view(), gst::MessageView::Application(a)
        if a.structure().is_some_and(|s| s.name() == FORCE_STOP_MESSAGE))
}

/// What [`Interrupter::interrupt`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interruption {
    /// First call: EOS was sent, the run ends after the sinks finish (files
    /// are finalised).
    Eos,
    /// Later call: [`run`] was told to stop at once
    /// ([`PipelineError::Interrupted`]).
    ForceStop,
    /// The pipeline no longer exists.
    Gone,
}

/// Ctrl-C support: call [`interrupt`](Self::interrupt) from a `ctrlc`
/// handler. The first call sends EOS to the pipeline so muxers finalise
/// their files and [`run`] returns `Ok` after `End-of-stream`; a second call
/// makes [`run`] stop at once with [`PipelineError::Interrupted`].
///
/// Holds only a weak reference to the pipeline; cheap to clone; `Send + Sync`.
///
/// ```
/// use ds_core::app::{self, bus::Interruption, Interrupter};
/// use gstreamer as gst;
/// use gstreamer::prelude::*;
///
/// app::init().unwrap();
/// let p = gst::parse::launch("videotestsrc is-live=true ! fakesink")
///     .unwrap()
///     .downcast::<gst::Pipeline>()
///     .unwrap();
/// let stopper = Interrupter::new(&p);
/// // In an app: ctrlc::set_handler(move || { stopper.interrupt(); })?;
/// let s = stopper.clone();
/// std::thread::spawn(move || {
///     std::thread::sleep(std::time::Duration::from_millis(200));
///     assert_eq!(s.interrupt(), Interruption::Eos);
/// });
/// app::run(&p).unwrap(); // ends with End-of-stream
/// ```
#[derive(Debug, Clone)]
pub struct Interrupter {
    pipeline: glib::WeakRef<gst::Pipeline>,
    count: Arc<AtomicUsize>,
}

impl Interrupter {
    /// An interrupter for `pipeline`.
    ///
    /// ```
    /// use gstreamer as gst;
    /// gst::init().unwrap();
    /// let p = gst::Pipeline::new();
    /// let _stopper = ds_core::app::Interrupter::new(&p);
    /// ```
    pub fn new(pipeline: &gst::Pipeline) -> Self {
        Interrupter {
            pipeline: pipeline.downgrade(),
            count: Arc::new(AtomicUsize::new(0)),
        }
    }

    /// Sends EOS on the first call; on later calls posts a force-stop
    /// message that makes [`run`] return [`PipelineError::Interrupted`].
    ///
    /// ```
    /// use ds_core::app::{bus::Interruption, Interrupter};
    /// use gstreamer as gst;
    /// gst::init().unwrap();
    /// let stopper = {
    ///     let p = gst::Pipeline::new();
    ///     Interrupter::new(&p)
    /// };
    /// assert_eq!(stopper.interrupt(), Interruption::Gone);
    /// ```
    pub fn interrupt(&self) -> Interruption {
        let Some(pipeline) = self.pipeline.upgrade() else {
            return Interruption::Gone;
        };
        if self.count.fetch_add(1, Ordering::SeqCst) == 0 {
            pipeline.send_event(gst::event::Eos::new());
            Interruption::Eos
        } else {
            let s = gst::Structure::new_empty(FORCE_STOP_MESSAGE);
            let _ =
                pipeline.post_message(gst::message::Application::builder(s).src(&pipeline).build());
            Interruption::ForceStop
        }
    }

    /// How many times [`interrupt`](Self::interrupt) was called.
    ///
    /// ```
    /// use gstreamer as gst;
    /// gst::init().unwrap();
    /// let p = gst::Pipeline::new();
    /// let s = ds_core::app::Interrupter::new(&p);
    /// assert_eq!(s.count(), 0);
    /// ```
    pub fn count(&self) -> usize {
        self.count.load(Ordering::SeqCst)
    }
}
