//! `nvdslogger` (open implementation): a pass-through element that prints
//! the frame rate of every stream of the batches flowing through it.
//!
//! Place it after `nvstreammux` (anywhere the buffers carry
//! `NvDsBatchMeta`); buffers, caps and metadata pass unchanged (any caps).
//! Every frame meta of a batch counts one frame for its stream, the
//! stream being the frame's `pad_index` (the muxer's sink pad number).
//!
//! # Output
//! Every `fps-measurement-interval-sec` seconds (wall clock, default 5;
//! 0 prints nothing) one line on stdout:
//!
//! ```text
//! **PERF : FPS_0 (29.97)<TAB>FPS_1 (30.02)<TAB>
//! ```
//!
//! (`<TAB>`: a tab character): one `FPS_<pad_index> (<fps>)` entry (two
//! decimals, each followed by a tab) per stream seen so far, in stream
//! order. As in NVIDIA's element,
//! a stream's value is its average frame rate since the first tick at
//! which it had frames (the first tick only starts its measurement, so a
//! stream appears from the second tick on), and a stream that ended
//! (`nv-stream-eos` from `nvstreammux`) reports `0.00` until it sends
//! frames again.
//!
//! The format is NVIDIA's as its public `gst-nvdslogger` source prints it
//! (`gstnvdslogger.cpp`, DeepStream 9.x sources, Apache-2.0; documented on
//! <https://docs.nvidia.com/deepstream/text/DS_plugin_gst-nvdslogger>):
//! the `**PERF : ` prefix, `FPS_%d (%.2f)\t` per stream, counting by
//! `pad_index`. That source is newer than 7.1 (it has a `show-fps`
//! switch, default off, that 7.1's element does not have); the 7.1
//! element, which always prints, is assumed to print the same line. The
//! only deliberate difference: NVIDIA's first tick prints an empty line,
//! this element prints nothing then.
//!
//! # Properties
//! - `fps-measurement-interval-sec` (uint, default 5, as in NVIDIA's
//!   source): the interval. Read when the element starts (READY → PAUSED).
//!
//! # Latency
//! With latency measurement on (`NVDS_ENABLE_LATENCY_MEASUREMENT` set, see
//! [`ds_core::latency`]) every batch is measured
//! ([`ds_core::latency::measure_buffer_latency`]: each frame's latency
//! from its arrival at the decoder) and printed, in the format of NVIDIA's
//! element (same source as above):
//!
//! ```text
//! ************BATCH-NUM = 0**************
//! Source id = 0 Frame_num = 0 Frame latency = 41.250000 (ms)
//! ```
//!
//! `BATCH-NUM` counts the batches this element measured, from 0 (NVIDIA's
//! counter is per process); the latency has six decimals (`%lf`). In the
//! 9.x source these lines are printed only with its `show-latency`
//! property; the 7.1 element has no such property and is assumed to
//! print them whenever measurement is on (not confirmed).
//!
//! ```no_run
//! use gstreamer as gst;
//! ds_open::init().unwrap();
//! let logger = gst::ElementFactory::make("nvdslogger")
//!     .property("fps-measurement-interval-sec", 1u32)
//!     .build()
//!     .unwrap();
//! ```
use gst::glib;
use gst::prelude::*;
use gst::subclass::prelude::*;
use gst_base::subclass::prelude::*;
use gstreamer as gst;
use gstreamer_base as gst_base;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::{Duration, Instant};

glib::wrapper! {
    /// The open `nvdslogger` element.
    pub struct NvDsLogger(ObjectSubclass<imp::NvDsLogger>)
        @extends gst_base::BaseTransform, gst::Element, gst::Object;
}

/// Registers `nvdslogger`.
pub(crate) fn register(plugin: Option<&gst::Plugin>) -> Result<(), glib::BoolError> {
    gst::Element::register(
        plugin,
        "nvdslogger",
        gst::Rank::PRIMARY,
        NvDsLogger::static_type(),
    )
}

/// Frame counting of one stream.
#[derive(Debug, Default, Clone)]
struct Stream {
    /// Frames since the measurement started.
    frames: u64,
    /// When the measurement started (the first tick with frames).
    since: Option<Instant>,
    fps: f64,
    eos: bool,
}

/// The per-stream counters and the line of one tick.
#[derive(Debug, Default)]
struct Perf {
    streams: BTreeMap<u32, Stream>,
}

impl Perf {
    fn frame(&mut self, pad_index: u32) {
        let s = self.streams.entry(pad_index).or_default();
        s.frames += 1;
        s.eos = false;
    }

    fn eos(&mut self, pad_index: u32) {
        if let Some(s) = self.streams.get_mut(&pad_index) {
            s.eos = true;
            s.since = None;
        }
    }

    /// The line printed at `now`, if any stream has a value.
    fn tick(&mut self, now: Instant) -> Option<String> {
        let mut line = String::new();
        for (index, s) in &mut self.streams {
            if s.eos {
                s.fps = 0.0;
            } else {
                match s.since {
                    None => {
                        // The first tick starts the measurement.
                        s.since = Some(now);
                        s.frames = 0;
                        continue;
                    }
                    Some(since) => {
                        let secs = now.duration_since(since).as_secs_f64();
                        s.fps = if secs > 0.0 {
                            s.frames as f64 / secs
                        } else {
                            0.0
                        };
                    }
                }
            }
            let _ = write!(line, "FPS_{index} ({:.2})\t", s.fps);
        }
        (!line.is_empty()).then(|| format!("**PERF : {line}"))
    }
}

mod imp {
    use super::*;
    use std::io::Write as _;
    use std::sync::{Arc, Condvar, LazyLock, Mutex, MutexGuard};

    static CAT: LazyLock<gst::DebugCategory> = LazyLock::new(|| {
        gst::DebugCategory::new(
            "nvdslogger",
            gst::DebugColorFlags::empty(),
            Some("open nvdslogger"),
        )
    });

    fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
        m.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// What the element and its printing thread share.
    #[derive(Debug, Default)]
    struct Shared {
        perf: Mutex<Perf>,
        /// Set to stop the printing thread; the condvar wakes it.
        stop: Mutex<bool>,
        wake: Condvar,
    }

    #[derive(Debug)]
    struct Settings {
        interval_sec: u32,
    }

    impl Default for Settings {
        fn default() -> Self {
            Settings { interval_sec: 5 }
        }
    }

    #[derive(Default)]
    pub struct NvDsLogger {
        settings: Mutex<Settings>,
        shared: Arc<Shared>,
        printer: Mutex<Option<std::thread::JoinHandle<()>>>,
        warned_no_meta: std::sync::atomic::AtomicBool,
        /// Batches measured for latency (`BATCH-NUM`).
        latency_batches: std::sync::atomic::AtomicU64,
    }

    impl NvDsLogger {
        /// Counts the frames of `buf` per stream and, with latency
        /// measurement on, prints their latencies.
        fn log(&self, buf: &gst::BufferRef) {
            let Some(batch) = ds_core::BatchMeta::from_buffer(buf) else {
                if !self
                    .warned_no_meta
                    .swap(true, std::sync::atomic::Ordering::Relaxed)
                {
                    gst::warning!(CAT, imp = self, "NvDsBatchMeta not found for input buffer");
                }
                return;
            };
            {
                let mut perf = lock(&self.shared.perf);
                for frame in batch.frames() {
                    perf.frame(frame.pad_index());
                }
            }
            if ds_core::latency::enabled() {
                let frames = ds_core::latency::measure_buffer_latency(buf);
                if !frames.is_empty() {
                    let n = self
                        .latency_batches
                        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let mut text = format!("************BATCH-NUM = {n}**************\n");
                    for f in &frames {
                        let _ = writeln!(
                            text,
                            "Source id = {} Frame_num = {} Frame latency = {:.6} (ms) ",
                            f.source_id, f.frame_num, f.latency
                        );
                    }
                    let mut out = std::io::stdout().lock();
                    let _ = out.write_all(text.as_bytes());
                    let _ = out.flush();
                }
            }
        }
    }

    #[glib::object_subclass]
    impl ObjectSubclass for NvDsLogger {
        const NAME: &'static str = "GstNvdslogger";
        type Type = super::NvDsLogger;
        type ParentType = gst_base::BaseTransform;
    }

    /// Prints a tick's line every `interval` until stopped.
    fn print_loop(shared: Arc<Shared>, interval: Duration) {
        let mut next = Instant::now() + interval;
        let mut stop = lock(&shared.stop);
        loop {
            let now = Instant::now();
            if *stop {
                return;
            }
            if now < next {
                stop = shared
                    .wake
                    .wait_timeout(stop, next - now)
                    .map(|(g, _)| g)
                    .unwrap_or_else(|e| e.into_inner().0);
                continue;
            }
            next += interval;
            if let Some(line) = lock(&shared.perf).tick(now) {
                let mut out = std::io::stdout().lock();
                let _ = writeln!(out, "{line}");
                let _ = out.flush();
            }
        }
    }

    impl ObjectImpl for NvDsLogger {
        fn properties() -> &'static [glib::ParamSpec] {
            static PROPS: LazyLock<Vec<glib::ParamSpec>> = LazyLock::new(|| {
                let mut v = vec![glib::ParamSpecUInt::builder("fps-measurement-interval-sec")
                    .nick("fps-measurement-interval-sec")
                    .blurb(
                        "Interval in seconds at which the per-stream FPS line is printed (0: none)",
                    )
                    .default_value(5)
                    .mutable_ready()
                    .build()];
                let extra = crate::accepted::extra_specs(&["nvdslogger"], &v);
                v.extend(extra);
                v
            });
            PROPS.as_ref()
        }

        fn set_property(&self, _id: usize, value: &glib::Value, pspec: &glib::ParamSpec) {
            if pspec.name() == "fps-measurement-interval-sec" {
                lock(&self.settings).interval_sec = value.get().unwrap_or(5);
            }
        }

        fn property(&self, _id: usize, pspec: &glib::ParamSpec) -> glib::Value {
            match pspec.name() {
                "fps-measurement-interval-sec" => lock(&self.settings).interval_sec.to_value(),
                _ => pspec.default_value().clone(),
            }
        }
    }

    impl GstObjectImpl for NvDsLogger {}

    impl ElementImpl for NvDsLogger {
        fn metadata() -> Option<&'static gst::subclass::ElementMetadata> {
            static META: LazyLock<gst::subclass::ElementMetadata> = LazyLock::new(|| {
                gst::subclass::ElementMetadata::new(
                    "Nvdslogger (open)",
                    "Generic",
                    "Passes batches unchanged and prints the frame rate of each stream",
                    "deepstream-rs",
                )
            });
            Some(&*META)
        }

        fn pad_templates() -> &'static [gst::PadTemplate] {
            static TEMPLATES: LazyLock<Vec<gst::PadTemplate>> = LazyLock::new(|| {
                let caps = gst::Caps::new_any();
                vec![
                    gst::PadTemplate::new(
                        "src",
                        gst::PadDirection::Src,
                        gst::PadPresence::Always,
                        &caps,
                    )
                    .expect("static pad template is valid"),
                    gst::PadTemplate::new(
                        "sink",
                        gst::PadDirection::Sink,
                        gst::PadPresence::Always,
                        &caps,
                    )
                    .expect("static pad template is valid"),
                ]
            });
            TEMPLATES.as_ref()
        }
    }

    impl BaseTransformImpl for NvDsLogger {
        const MODE: gst_base::subclass::BaseTransformMode =
            gst_base::subclass::BaseTransformMode::AlwaysInPlace;
        const PASSTHROUGH_ON_SAME_CAPS: bool = true;
        const TRANSFORM_IP_ON_PASSTHROUGH: bool = true;

        fn start(&self) -> Result<(), gst::ErrorMessage> {
            *lock(&self.shared.perf) = Perf::default();
            *lock(&self.shared.stop) = false;
            let secs = lock(&self.settings).interval_sec;
            if secs > 0 {
                let shared = Arc::clone(&self.shared);
                let interval = Duration::from_secs(u64::from(secs));
                let handle = std::thread::Builder::new()
                    .name("nvdslogger".into())
                    .spawn(move || print_loop(shared, interval))
                    .map_err(|e| {
                        gst::error_msg!(
                            gst::CoreError::Thread,
                            ("nvdslogger: cannot start the printing thread: {}", e)
                        )
                    })?;
                *lock(&self.printer) = Some(handle);
            }
            Ok(())
        }

        fn stop(&self) -> Result<(), gst::ErrorMessage> {
            *lock(&self.shared.stop) = true;
            self.shared.wake.notify_all();
            if let Some(handle) = lock(&self.printer).take() {
                let _ = handle.join();
            }
            Ok(())
        }

        fn sink_event(&self, event: gst::Event) -> bool {
            if let gst::EventView::CustomDownstream(ev) = event.view() {
                if let Some(s) = ev.structure().filter(|s| s.name() == "nv-stream-eos") {
                    if let Ok(source) = s.get::<u32>("source-id") {
                        lock(&self.shared.perf).eos(source);
                    }
                }
            }
            self.parent_sink_event(event)
        }

        fn transform_ip_passthrough(
            &self,
            buf: &gst::Buffer,
        ) -> Result<gst::FlowSuccess, gst::FlowError> {
            self.log(buf);
            Ok(gst::FlowSuccess::Ok)
        }

        fn transform_ip(
            &self,
            buf: &mut gst::BufferRef,
        ) -> Result<gst::FlowSuccess, gst::FlowError> {
            self.log(buf);
            Ok(gst::FlowSuccess::Ok)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_tick_starts_the_measurement_then_lines_report_averages() {
        let mut p = Perf::default();
        let t0 = Instant::now();
        for _ in 0..10 {
            p.frame(0);
        }
        assert_eq!(p.tick(t0), None, "the first tick only starts counting");
        for _ in 0..30 {
            p.frame(0);
            p.frame(1);
        }
        // Stream 1 appeared after the first tick: it starts now.
        let line = p.tick(t0 + Duration::from_secs(1)).unwrap();
        assert_eq!(line, "**PERF : FPS_0 (30.00)\t");
        for _ in 0..30 {
            p.frame(0);
            p.frame(1);
        }
        let line = p.tick(t0 + Duration::from_secs(2)).unwrap();
        assert_eq!(line, "**PERF : FPS_0 (30.00)\tFPS_1 (30.00)\t");
        p.eos(1);
        let line = p.tick(t0 + Duration::from_secs(3)).unwrap();
        assert_eq!(line, "**PERF : FPS_0 (20.00)\tFPS_1 (0.00)\t");
    }
}
