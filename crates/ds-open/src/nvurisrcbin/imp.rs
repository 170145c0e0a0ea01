//! GObject implementation of the open `nvurisrcbin` (see the module doc).
use super::looping::Looper;
use super::reconnect::{Action, Watchdog};
use glib::subclass::prelude::*;
use gst::prelude::*;
use gst::subclass::prelude::*;
use gstreamer as gst;
use gstreamer::glib;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, LazyLock, Mutex, MutexGuard};
use std::time::{Duration, Instant};

pub(super) static CAT: LazyLock<gst::DebugCategory> = LazyLock::new(|| {
    gst::DebugCategory::new(
        "nvurisrcbin",
        gst::DebugColorFlags::empty(),
        Some("open nvurisrcbin"),
    )
});

const FACTORY: &str = "nvurisrcbin";

/// Name of the `uridecodebin` inside (NVIDIA's element name); errors from
/// anything under it become warnings while reconnection is on.
const SRC_ELEM: &str = "nvurisrc_bin_src_elem";

/// How often the reconnection watchdog looks at the source.
const WATCH_PERIOD: Duration = Duration::from_millis(100);

/// The properties this element acts on, with the blurb gst-inspect shows;
/// every other contract property is accepted and kept (`crate::accepted`).
const IMPLEMENTED: &[(&str, &str)] = &[
    ("uri", "URI of the source (file://, rtsp://, http://, ...)"),
    (
        "file-loop",
        "Play a file:// source again from its start when it ends; timestamps go on",
    ),
    ("disable-audio", "Do not expose the audio pad (asrc_0)"),
    (
        "disable-passthrough",
        "Passed to the internal nvvideoconvert (convert even when the caps are equal)",
    ),
    (
        "latency",
        "RTSP jitter-buffer latency in ms (passed to rtspsrc)",
    ),
    (
        "drop-on-latency",
        "Drop frames that exceed the latency (passed to rtspsrc)",
    ),
    (
        "udp-buffer-size",
        "UDP receive buffer size in bytes (passed to rtspsrc)",
    ),
    (
        "select-rtp-protocol",
        "RTSP transport: rtp-multi (UDP, UDP multicast, TCP) or rtp-tcp (passed to rtspsrc)",
    ),
    (
        "drop-frame-interval",
        "Output every n-th decoded frame, 0 = all (passed to nvv4l2decoder)",
    ),
    (
        "rtsp-reconnect-interval",
        "Timeout in seconds since the last data from an RTSP source before it is torn down \
         and reconnected; 0 = never",
    ),
    (
        "rtsp-reconnect-attempts",
        "Reconnection attempts in a row before an RTSP source that sends nothing is given up \
         (it ends with end-of-stream); -1 (or 0) = no limit",
    ),
];

/// Contract properties passed on to the decoder when it has them
/// (`(ours, the decoder's)`); on the open decoder only
/// `drop-frame-interval` has an effect.
const DECODER_PROPS: &[(&str, &str)] = &[
    ("drop-frame-interval", "drop-frame-interval"),
    ("gpu-id", "gpu-id"),
    ("cudadec-memtype", "cudadec-memtype"),
    ("num-extra-surfaces", "num-extra-surfaces"),
    ("low-latency-mode", "low-latency-mode"),
    ("extract-sei-type5-data", "extract-sei-type5-data"),
];

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Sets `name` on `object` when it has a writable property of that name
/// and `value` can become its type (enums from their integer); never
/// panics. Returns whether it was set.
fn set_if_present(object: &impl IsA<glib::Object>, name: &str, value: &glib::Value) -> bool {
    let Some(pspec) = object.find_property(name) else {
        return false;
    };
    if !pspec.flags().contains(glib::ParamFlags::WRITABLE) {
        return false;
    }
    let t = pspec.value_type();
    let converted = if t.is_a(glib::Type::ENUM) {
        crate::accepted::enum_int(value)
            .and_then(|n| glib::EnumClass::with_type(t).and_then(|c| c.to_value(n)))
    } else if value.type_() == t {
        Some(value.clone())
    } else {
        value.transform_with_type(t).ok()
    };
    match converted {
        Some(v) => {
            object.set_property_from_value(name, &v);
            true
        }
        None => false,
    }
}

#[derive(Debug, Default)]
struct State {
    /// The `uridecodebin` while the element is READY or above.
    decodebin: Option<gst::Element>,
    /// `vsrc_0` / `asrc_0` were made.
    video: bool,
    audio: bool,
    /// The first elements' sink pads of the video / audio chains: a
    /// rebuilt `uridecodebin` links its decoded pads there.
    video_sink: Option<gst::Pad>,
    audio_sink: Option<gst::Pad>,
}

/// The reconnection watchdog thread and how to stop it.
#[derive(Debug)]
struct Watcher {
    stop: Arc<(Mutex<bool>, Condvar)>,
    thread: std::thread::JoinHandle<()>,
}

#[derive(Default)]
pub struct NvUriSrcBin {
    /// Every property's value (the implemented ones are read from here
    /// too), typed as NVIDIA's.
    props: crate::accepted::Store,
    state: Mutex<State>,
    /// End-of-stream sent by the application: it passes the file-loop
    /// probe and ends the stream.
    eos_requested: Arc<AtomicBool>,
    /// RTSP reconnection is on (`rtsp-reconnect-interval` > 0 and an
    /// `rtsp://` URI), fixed at NULL -> READY.
    reconnect: AtomicBool,
    /// The source is live (an `rtsp://` URI), fixed at NULL -> READY.
    live: AtomicBool,
    /// The reconnection state, while PAUSED or PLAYING.
    watch: Arc<Mutex<Option<Watchdog>>>,
    watcher: Mutex<Option<Watcher>>,
    /// Serialises rebuilding the source with stopping it.
    rebuild: Mutex<()>,
    /// The watchdog is stopping (PAUSED -> READY): no more rebuilds.
    stopping: AtomicBool,
}

#[glib::object_subclass]
impl ObjectSubclass for NvUriSrcBin {
    const NAME: &'static str = "GstDsNvUriSrcBin";
    type Type = super::NvUriSrcBin;
    type ParentType = gst::Bin;
}

impl NvUriSrcBin {
    /// The current value of one of our properties.
    fn value(&self, name: &str) -> Option<glib::Value> {
        Self::properties()
            .iter()
            .find(|p| p.name() == name)
            .map(|p| self.props.get(p))
    }

    fn bool_prop(&self, name: &str) -> bool {
        self.value(name)
            .and_then(|v| v.get::<bool>().ok())
            .unwrap_or(false)
    }

    fn uri(&self) -> Option<String> {
        self.value("uri")
            .and_then(|v| v.get::<Option<String>>().ok())
            .flatten()
            .filter(|u| !u.trim().is_empty())
    }

    fn make(factory: &str, name: &str) -> Result<gst::Element, String> {
        gst::ElementFactory::make(factory)
            .name(name)
            .build()
            .map_err(|_| {
                format!(
                    "element `{factory}` is missing (install the GStreamer plugins: ci/setup.sh)"
                )
            })
    }

    /// NULL -> READY: the `uridecodebin` for `uri`.
    fn build(&self) -> Result<(), String> {
        let uri = self
            .uri()
            .ok_or("no URI set: set the `uri` property (e.g. uri=file:///path/video.mp4)")?;
        let interval = self
            .value("rtsp-reconnect-interval")
            .and_then(|v| v.get::<u32>().ok())
            .unwrap_or(0);
        let rtsp = uri
            .get(..7)
            .is_some_and(|s| s.eq_ignore_ascii_case("rtsp://"));
        let reconnect = interval > 0 && rtsp;
        self.reconnect.store(reconnect, Ordering::SeqCst);
        self.live.store(rtsp, Ordering::SeqCst);
        if rtsp {
            // A (rebuilt) source changes state on its own (asynchronously):
            // the bin takes that on, so the pipeline never loses its
            // PLAYING state to it (NVIDIA's bin has async-handling on).
            self.obj().set_property("async-handling", true);
        }
        let dec = self.make_decodebin(&uri)?;
        self.obj().add(&dec).map_err(|e| e.to_string())?;
        lock(&self.state).decodebin = Some(dec);
        Ok(())
    }

    /// A `uridecodebin` for `uri` with our signal handlers (not added).
    fn make_decodebin(&self, uri: &str) -> Result<gst::Element, String> {
        let obj = self.obj();
        let dec = Self::make("uridecodebin", SRC_ELEM)?;
        dec.set_property("uri", uri);

        let weak = obj.downgrade();
        dec.connect_pad_added(move |_, pad| {
            if let Some(obj) = weak.upgrade() {
                obj.imp().pad_added(pad);
            }
        });
        let weak = obj.downgrade();
        dec.connect_no_more_pads(move |_| {
            if let Some(obj) = weak.upgrade() {
                obj.no_more_pads();
            }
        });
        let weak = obj.downgrade();
        dec.connect("source-setup", false, move |args| {
            let source = args.get(1).and_then(|v| v.get::<gst::Element>().ok());
            if let (Some(obj), Some(source)) = (weak.upgrade(), source) {
                obj.imp().source_setup(&source);
            }
            None
        });
        if let Some(bin) = dec.downcast_ref::<gst::Bin>() {
            let weak = obj.downgrade();
            bin.connect_deep_element_added(move |_, _, element| {
                if let Some(obj) = weak.upgrade() {
                    obj.imp().element_added(element);
                }
            });
        }
        Ok(dec)
    }

    /// READY -> NULL: back to an empty bin.
    fn teardown(&self) {
        let obj = self.obj();
        for pad in obj.src_pads() {
            let _ = obj.remove_pad(&pad);
        }
        for child in obj.children() {
            let _ = child.set_state(gst::State::Null);
            let _ = obj.remove(&child);
        }
        *lock(&self.state) = State::default();
    }

    /// `source-setup`: the RTSP properties on the source when it has
    /// them (rtspsrc).
    fn source_setup(&self, source: &gst::Element) {
        for name in ["latency", "drop-on-latency", "udp-buffer-size"] {
            if let Some(v) = self.value(name) {
                set_if_present(source, name, &v);
            }
        }
        let tcp = self
            .value("select-rtp-protocol")
            .and_then(|v| crate::accepted::enum_int(&v))
            == Some(4);
        if tcp && source.find_property("protocols").is_some() {
            // GstRTSPLowerTrans: tcp = 4 (NVIDIA's rtp-tcp value).
            source.set_property_from_str("protocols", "tcp");
        }
        gst::debug!(CAT, imp = self, "source set up: {}", source.name());
    }

    /// Any element appearing inside `uridecodebin`: the decoder gets our
    /// decoder properties, parsers repeat SPS/PPS (as NVIDIA's bin does).
    fn element_added(&self, element: &gst::Element) {
        let Some(factory) = element.factory() else {
            return;
        };
        match factory.name().as_str() {
            "h264parse" | "h265parse" => {
                set_if_present(element, "config-interval", &(-1i32).to_value());
            }
            "nvv4l2decoder" => {
                for (ours, theirs) in DECODER_PROPS {
                    if let Some(v) = self.value(ours) {
                        set_if_present(element, theirs, &v);
                    }
                }
                if let Some(v) = self.value("dec-skip-frames") {
                    if crate::accepted::enum_int(&v).unwrap_or(0) != 0 {
                        set_if_present(element, "skip-frames", &v);
                    }
                }
                if let Some(v) = self
                    .value("sei-uuid")
                    .filter(|v| v.get::<Option<String>>().ok().flatten().is_some())
                {
                    set_if_present(element, "sei-uuid", &v);
                }
            }
            _ => {}
        }
    }

    /// `pad-added` of `uridecodebin`: the first video pad becomes
    /// `vsrc_0`, the first audio pad `asrc_0` unless `disable-audio`.
    fn pad_added(&self, pad: &gst::Pad) {
        let caps = pad.current_caps().unwrap_or_else(|| pad.query_caps(None));
        let media = caps
            .structure(0)
            .map(|s| s.name().to_string())
            .unwrap_or_default();
        let mut state = lock(&self.state);
        let from_current = pad
            .parent_element()
            .is_some_and(|p| state.decodebin.as_ref() == Some(&p));
        if !from_current {
            return; // a source torn down meanwhile
        }
        let video = media.starts_with("video/");
        let audio = media.starts_with("audio/") && !self.bool_prop("disable-audio");
        // A rebuilt source (reconnection): its streams join the chains
        // that are there.
        let rejoin = match (video, audio) {
            (true, _) if state.video => Some(state.video_sink.clone()),
            (_, true) if state.audio => Some(state.audio_sink.clone()),
            _ => None,
        };
        if let Some(sink) = rejoin {
            drop(state);
            if video {
                self.add_watch_probe(pad);
            }
            match sink.filter(|s| !s.is_linked()) {
                Some(sink) => match pad.link(&sink) {
                    Ok(_) => gst::debug!(CAT, imp = self, "rebuilt source linked ({media})"),
                    Err(e) => gst::warning!(CAT, imp = self, "cannot relink {media}: {e:?}"),
                },
                None => gst::debug!(CAT, imp = self, "pad {} left unlinked", pad.name()),
            }
            return;
        }
        let result = if video {
            state.video = true;
            drop(state);
            self.add_watch_probe(pad);
            self.link_video(pad)
        } else if audio {
            state.audio = true;
            drop(state);
            self.link_audio(pad)
        } else {
            gst::debug!(
                CAT,
                imp = self,
                "pad {} ({media}) left unlinked",
                pad.name()
            );
            return;
        };
        if let Err(e) = result {
            gst::element_imp_error!(
                self,
                gst::StreamError::Failed,
                (
                    "nvurisrcbin: cannot link the decoded {} stream: {}",
                    media,
                    e
                )
            );
        }
    }

    /// Adds `elements` in a chain, synced to our state, and exposes the
    /// last one's src pad as `pad_name`; links `pad` to the first.
    fn expose(
        &self,
        pad: &gst::Pad,
        elements: &[gst::Element],
        template: &str,
        pad_name: &str,
    ) -> Result<gst::Pad, String> {
        let obj = self.obj();
        obj.add_many(elements).map_err(|e| e.to_string())?;
        gst::Element::link_many(elements).map_err(|e| e.to_string())?;
        for e in elements {
            e.sync_state_with_parent().map_err(|e| e.to_string())?;
        }
        let (first, last) = match (elements.first(), elements.last()) {
            (Some(f), Some(l)) => (f, l),
            _ => return Err("no elements".into()),
        };
        let templ = obj
            .pad_template(template)
            .ok_or_else(|| format!("no pad template {template}"))?;
        let ghost = gst::GhostPad::builder_from_template(&templ)
            .name(pad_name)
            .build();
        ghost
            .set_target(last.static_pad("src").as_ref())
            .map_err(|e| e.to_string())?;
        ghost.set_active(true).map_err(|e| e.to_string())?;
        obj.add_pad(&ghost).map_err(|e| e.to_string())?;
        let sink = first.static_pad("sink").ok_or("no sink pad")?;
        pad.link(&sink).map_err(|e| format!("{e:?}"))?;
        Ok(sink)
    }

    /// decoded video -> queue -> nvvideoconvert -> NVMM caps -> `vsrc_0`.
    fn link_video(&self, pad: &gst::Pad) -> Result<(), String> {
        let queue = Self::make("queue", "nvurisrc_bin_queue")?;
        let convert = Self::make("nvvideoconvert", "nvurisrc_bin_nvvidconv_elem")?;
        for name in ["disable-passthrough", "gpu-id"] {
            if let Some(v) = self.value(name) {
                set_if_present(&convert, name, &v);
            }
        }
        let filter = Self::make("capsfilter", "nvurisrc_bin_src_cap_filter_nvvidconv")?;
        filter.set_property(
            "caps",
            gst::Caps::builder("video/x-raw")
                .features([crate::caps::NVMM])
                .build(),
        );
        let uri = self.uri().unwrap_or_default();
        if self.bool_prop("file-loop") && uri.starts_with("file:/") {
            self.add_loop_probes(pad);
        }
        let sink = self.expose(pad, &[queue, convert, filter], "vsrc_%u", "vsrc_0")?;
        lock(&self.state).video_sink = Some(sink);
        Ok(())
    }

    /// decoded audio -> audioconvert -> audioresample -> `asrc_0`.
    fn link_audio(&self, pad: &gst::Pad) -> Result<(), String> {
        let convert = Self::make("audioconvert", "nvurisrc_bin_audioconvert")?;
        let resample = Self::make("audioresample", "nvurisrc_bin_audioresample")?;
        let sink = self.expose(pad, &[convert, resample], "asrc_%u", "asrc_0")?;
        lock(&self.state).audio_sink = Some(sink);
        Ok(())
    }

    /// RTSP reconnection: every buffer of the decoded video pad feeds the
    /// watchdog (the first one after a rebuild is a recovery, posted as
    /// the element message `nvurisrcbin-reconnected`); the source's own
    /// end-of-stream (a server that closed the stream) is dropped, as
    /// NVIDIA's bin drops it, unless the application asked for it.
    fn add_watch_probe(&self, pad: &gst::Pad) {
        if !self.reconnect.load(Ordering::SeqCst) {
            return;
        }
        let watch = Arc::clone(&self.watch);
        let eos_requested = Arc::clone(&self.eos_requested);
        let weak = self.obj().downgrade();
        pad.add_probe(
            gst::PadProbeType::BUFFER | gst::PadProbeType::EVENT_DOWNSTREAM,
            move |_, info| match &info.data {
                Some(gst::PadProbeData::Buffer(_)) => {
                    let recovered = lock(&watch).as_mut().and_then(|w| w.data(Instant::now()));
                    if let (Some(attempts), Some(obj)) = (recovered, weak.upgrade()) {
                        obj.imp().post_reconnect_message(
                            "nvurisrcbin-reconnected",
                            &[("attempts", attempts.to_send_value())],
                        );
                    }
                    gst::PadProbeReturn::Ok
                }
                Some(gst::PadProbeData::Event(e))
                    if e.type_() == gst::EventType::Eos
                        && !eos_requested.load(Ordering::SeqCst) =>
                {
                    gst::debug!(CAT, "source end-of-stream dropped (reconnection on)");
                    gst::PadProbeReturn::Handled
                }
                _ => gst::PadProbeReturn::Ok,
            },
        );
    }

    /// Posts the element message `name` with `source-id`, `uri` and
    /// `fields`.
    fn post_reconnect_message(&self, name: &str, fields: &[(&str, glib::SendValue)]) {
        let source_id = self
            .value("source-id")
            .and_then(|v| v.get::<i32>().ok())
            .unwrap_or(-1);
        let mut s = gst::Structure::builder(name)
            .field("source-id", source_id)
            .field("uri", self.uri().unwrap_or_default())
            .build();
        for (k, v) in fields {
            s.set_value(*k, v.clone());
        }
        let obj = self.obj();
        let _ = obj.post_message(gst::message::Element::builder(s).src(&*obj).build());
    }

    /// READY -> PAUSED with reconnection on: the watchdog thread.
    fn start_watchdog(&self) {
        if !self.reconnect.load(Ordering::SeqCst) {
            return;
        }
        let interval = self
            .value("rtsp-reconnect-interval")
            .and_then(|v| v.get::<u32>().ok())
            .unwrap_or(0);
        let attempts = self
            .value("rtsp-reconnect-attempts")
            .and_then(|v| v.get::<i32>().ok())
            .unwrap_or(-1);
        *lock(&self.watch) = Some(Watchdog::new(interval, attempts, Instant::now()));
        self.stopping.store(false, Ordering::SeqCst);
        let stop: Arc<(Mutex<bool>, Condvar)> = Arc::default();
        let stop2 = Arc::clone(&stop);
        let weak = self.obj().downgrade();
        let thread = std::thread::Builder::new()
            .name("nvurisrcbin-watch".into())
            .spawn(move || loop {
                {
                    let (flag, cvar) = &*stop2;
                    let guard = lock(flag);
                    let (guard, _) = cvar
                        .wait_timeout_while(guard, WATCH_PERIOD, |stopped| !*stopped)
                        .unwrap_or_else(|e| e.into_inner());
                    if *guard {
                        return;
                    }
                }
                let Some(obj) = weak.upgrade() else { return };
                obj.imp().watch_tick();
            });
        match thread {
            Ok(thread) => *lock(&self.watcher) = Some(Watcher { stop, thread }),
            Err(e) => gst::element_imp_warning!(
                self,
                gst::CoreError::Thread,
                (
                    "nvurisrcbin: cannot start the RTSP reconnection watchdog: {}",
                    e
                )
            ),
        }
    }

    /// PAUSED -> READY: stops the watchdog (waits for a rebuild under way).
    fn stop_watchdog(&self) {
        self.stopping.store(true, Ordering::SeqCst);
        let watcher = lock(&self.watcher).take();
        if let Some(w) = watcher {
            *lock(&w.stop.0) = true;
            w.stop.1.notify_all();
            if w.thread.thread().id() != std::thread::current().id() {
                let _ = w.thread.join();
            }
        }
        *lock(&self.watch) = None;
    }

    /// One look of the watchdog at the source.
    fn watch_tick(&self) {
        let now = Instant::now();
        // Silence counts while the pipeline plays. A rebuilt source that
        // could not connect can leave this bin behind (PAUSED, waiting
        // for it): it is taken back to PLAYING, as NVIDIA's bin does
        // (from GStreamer's thread pool: never our state lock here).
        let obj = self.obj();
        let mut top: gst::Element = obj.clone().upcast();
        while let Some(p) = top.parent().and_then(|p| p.downcast::<gst::Element>().ok()) {
            top = p;
        }
        let playing_state = |e: &gst::Element| {
            e.current_state() == gst::State::Playing || e.pending_state() == gst::State::Playing
        };
        let playing = playing_state(&top) && !self.eos_requested.load(Ordering::SeqCst);
        if playing && !playing_state(obj.upcast_ref()) {
            gst::debug!(CAT, imp = self, "back to PLAYING");
            obj.call_async(|o| {
                let _ = o.set_state(gst::State::Playing);
            });
        }
        // Frames waiting in our queue: downstream is slow (backpressure),
        // the source is not silent.
        let queued = lock(&self.state)
            .video_sink
            .as_ref()
            .and_then(|p| p.parent_element())
            .filter(|q| q.find_property("current-level-buffers").is_some())
            .is_some_and(|q| q.property::<u32>("current-level-buffers") > 0);
        let (action, max) = {
            let mut watch = lock(&self.watch);
            let Some(w) = watch.as_mut() else { return };
            if !playing || queued {
                w.hold(now);
                return;
            }
            (w.tick(now), w.max_attempts())
        };
        match action {
            Action::Wait => {}
            Action::Reconnect { attempt, idle } => {
                let max_text = max.map_or("no limit".to_string(), |m| m.to_string());
                gst::element_imp_warning!(
                    self,
                    gst::StreamError::Failed,
                    (
                        "No data from source since last {} sec. Trying reconnection",
                        idle.as_secs()
                    ),
                    [
                        "nvurisrcbin: reconnection attempt {} (of {}) to {}",
                        attempt,
                        max_text,
                        self.uri().unwrap_or_default()
                    ]
                );
                self.post_reconnect_message(
                    "nvurisrcbin-reconnect",
                    &[
                        ("attempt", attempt.to_send_value()),
                        ("max-attempts", max.map_or(-1, |m| m as i32).to_send_value()),
                        ("idle-seconds", idle.as_secs().to_send_value()),
                    ],
                );
                self.rebuild_source();
            }
            Action::GiveUp { attempts } => self.give_up(attempts),
        }
    }

    /// Removes the current `uridecodebin` (unlinked, then stopped outside
    /// the bin, so its last errors go nowhere). Returns whether there was
    /// one.
    ///
    /// The stop runs on a thread of its own: an `rtspsrc` whose server
    /// went away over UDP can take a long time to stop (its own thread,
    /// shutting down `rtpbin`, waits for the jitter buffer's streaming
    /// lock; seen for over a minute in test3's reconnect test), and the
    /// watchdog must go on counting and rebuilding meanwhile. The thread
    /// ends when the old source has stopped.
    fn retire_source(&self) -> bool {
        let old = lock(&self.state).decodebin.take();
        let Some(old) = old else { return false };
        let _ = self.obj().remove(&old);
        let retiring = old.clone();
        let spawned = std::thread::Builder::new()
            .name("nvurisrcbin-retire".into())
            .spawn(move || {
                let _ = retiring.set_state(gst::State::Null);
            });
        if spawned.is_err() {
            // No thread to spare: stop it here.
            let _ = old.set_state(gst::State::Null);
        }
        true
    }

    /// Tears the source down and builds it again, linked to the same
    /// chains; the pipeline keeps playing.
    fn rebuild_source(&self) {
        let _guard = lock(&self.rebuild);
        if self.stopping.load(Ordering::SeqCst) {
            return;
        }
        self.retire_source();
        let Some(uri) = self.uri() else { return };
        let dec = match self.make_decodebin(&uri) {
            Ok(d) => d,
            Err(e) => {
                gst::element_imp_error!(self, gst::CoreError::Failed, ("nvurisrcbin: {}", e));
                return;
            }
        };
        let obj = self.obj();
        if let Err(e) = obj.add(&dec) {
            gst::warning!(CAT, imp = self, "cannot add the rebuilt source: {e}");
            return;
        }
        lock(&self.state).decodebin = Some(dec.clone());
        if let Err(e) = dec.sync_state_with_parent() {
            // Its error message (a warning, reconnection being on) says
            // why; the watchdog tries again after the interval.
            gst::debug!(CAT, imp = self, "rebuilt source did not start: {e}");
        }
    }

    /// `rtsp-reconnect-attempts` attempts brought no data: the source is
    /// removed and its streams end (end-of-stream on `vsrc_0` / `asrc_0`,
    /// so `nvstreammux` ends that stream and goes on with the others). A
    /// source that never produced a stream fails with an element error.
    fn give_up(&self, attempts: u32) {
        let _guard = lock(&self.rebuild);
        if self.stopping.load(Ordering::SeqCst) {
            return;
        }
        let source_id = self
            .value("source-id")
            .and_then(|v| v.get::<i32>().ok())
            .unwrap_or(-1);
        let uri = self.uri().unwrap_or_default();
        self.retire_source();
        let (video, audio) = {
            let state = lock(&self.state);
            (state.video_sink.clone(), state.audio_sink.clone())
        };
        if video.is_none() && audio.is_none() {
            gst::element_imp_error!(
                self,
                gst::ResourceError::OpenRead,
                (
                    "nvurisrcbin: no data from {} after {} reconnection attempts",
                    uri,
                    attempts
                )
            );
            return;
        }
        gst::element_imp_warning!(
            self,
            gst::StreamError::Failed,
            (
                "Number of RTSP reconnect attempts exceeded, stopping source: {}",
                source_id
            ),
            [
                "nvurisrcbin: {} attempts brought no data from {}: end of stream",
                attempts,
                uri
            ]
        );
        self.post_reconnect_message(
            "nvurisrcbin-reconnect-exceeded",
            &[("attempts", attempts.to_send_value())],
        );
        for sink in [video, audio].into_iter().flatten() {
            sink.send_event(gst::event::Eos::new());
        }
    }

    /// With reconnection on, an error from the source (`uridecodebin` and
    /// what it holds, `rtspsrc`) becomes a warning, as in NVIDIA's bin:
    /// the watchdog deals with the source.
    fn source_error_to_warning(&self, msg: &gst::Message) -> Option<gst::Message> {
        if !self.reconnect.load(Ordering::SeqCst) {
            return None;
        }
        let gst::MessageView::Error(e) = msg.view() else {
            return None;
        };
        let mut cur = msg.src().cloned();
        let mut from_source = false;
        while let Some(o) = cur {
            if o.name() == SRC_ELEM {
                from_source = true;
                break;
            }
            cur = o.parent();
        }
        if !from_source {
            return None;
        }
        let mut b = gst::message::Warning::builder_from_error(e.error());
        let debug = e.debug();
        if let Some(d) = debug.as_deref() {
            b = b.debug(d);
        }
        if let Some(src) = msg.src() {
            b = b.src(src);
        }
        Some(b.build())
    }

    /// `file-loop`: on the decoded video pad, end-of-stream is dropped and
    /// the source is seeked back to 0 (from another thread, never the
    /// streaming thread); the seek's flushes are dropped so downstream
    /// keeps its queued frames; segments and timestamps are rewritten by
    /// [`Looper`]. QoS events going upstream are dropped: their running
    /// times are those of the looped timeline, which the decoder (back at
    /// 0 after each seek) would take for lateness.
    ///
    /// Events are dropped with `Handled`, not `Drop`: gstreamer-rs
    /// releases the event it took from the probe info, so GStreamer must
    /// not release it again.
    fn add_loop_probes(&self, pad: &gst::Pad) {
        let looper = Arc::new(Mutex::new(Looper::default()));
        let eos_requested = Arc::clone(&self.eos_requested);
        let weak_obj = self.obj().downgrade();
        pad.add_probe(
            gst::PadProbeType::BUFFER
                | gst::PadProbeType::EVENT_DOWNSTREAM
                | gst::PadProbeType::EVENT_FLUSH,
            move |pad, info| {
                let mut l = lock(&looper);
                match &mut info.data {
                    Some(gst::PadProbeData::Buffer(buffer)) => {
                        let (pts, dts) = l.buffer(buffer.pts(), buffer.dts(), buffer.duration());
                        let b = buffer.make_mut();
                        b.set_pts(pts);
                        b.set_dts(dts);
                        gst::PadProbeReturn::Ok
                    }
                    Some(gst::PadProbeData::Event(event)) => match event.view() {
                        gst::EventView::Eos(_) if !eos_requested.load(Ordering::SeqCst) => {
                            l.looping = true;
                            gst::debug!(CAT, "end of file: looping (pass {})", l.loops + 2);
                            let pad = pad.downgrade();
                            let obj = weak_obj.clone();
                            std::thread::spawn(move || {
                                if let (Some(pad), Some(obj)) = (pad.upgrade(), obj.upgrade()) {
                                    seek_to_start(&obj, &pad);
                                }
                            });
                            gst::PadProbeReturn::Handled
                        }
                        gst::EventView::FlushStart(_) | gst::EventView::FlushStop(_)
                            if l.looping =>
                        {
                            gst::PadProbeReturn::Handled
                        }
                        gst::EventView::FlushStop(_) => {
                            l.reset();
                            gst::PadProbeReturn::Ok
                        }
                        gst::EventView::Segment(s) => {
                            if let Ok(seg) = s.segment().clone().downcast::<gst::ClockTime>() {
                                let out = l.segment(&seg);
                                let seqnum = event.seqnum();
                                *event = gst::event::Segment::builder(&out).seqnum(seqnum).build();
                            }
                            gst::PadProbeReturn::Ok
                        }
                        _ => gst::PadProbeReturn::Ok,
                    },
                    _ => gst::PadProbeReturn::Ok,
                }
            },
        );
        pad.add_probe(gst::PadProbeType::EVENT_UPSTREAM, |_, info| {
            match info.event().map(|e| e.type_()) {
                Some(gst::EventType::Qos) => gst::PadProbeReturn::Handled,
                _ => gst::PadProbeReturn::Ok,
            }
        });
    }
}

/// Flushing seek of the source behind `pad` back to its start; a source
/// that cannot seek ends after all (a warning on the bus, then
/// end-of-stream downstream).
fn seek_to_start(obj: &super::NvUriSrcBin, pad: &gst::Pad) {
    let seek = gst::event::Seek::new(
        1.0,
        gst::SeekFlags::FLUSH | gst::SeekFlags::KEY_UNIT,
        gst::SeekType::Set,
        gst::ClockTime::ZERO,
        gst::SeekType::None,
        gst::ClockTime::NONE,
    );
    if pad.send_event(seek) {
        if obj.imp().eos_requested.load(Ordering::SeqCst) {
            // The application ended the stream while this seek ran: its
            // end-of-stream went into the source before the seek's flush,
            // which discarded it. Send it on from here (a second one, if
            // the first got through, is ignored downstream).
            pad.push_event(gst::event::Eos::new());
        }
        return;
    }
    if obj.current_state() < gst::State::Paused {
        return; // shutting down
    }
    gst::element_warning!(
        obj,
        gst::StreamError::Failed,
        ("nvurisrcbin: the source cannot seek, file-loop stops: the stream ends")
    );
    obj.imp().eos_requested.store(true, Ordering::SeqCst);
    if let Some(peer) = pad.peer() {
        peer.send_event(gst::event::Eos::new());
    }
}

impl ObjectImpl for NvUriSrcBin {
    fn properties() -> &'static [glib::ParamSpec] {
        static PROPS: LazyLock<Vec<glib::ParamSpec>> = LazyLock::new(|| {
            let contract = ds_contract::element(FACTORY);
            let mut v: Vec<glib::ParamSpec> = IMPLEMENTED
                .iter()
                .filter_map(|(name, blurb)| {
                    let p = contract.and_then(|e| e.property(name))?;
                    crate::accepted::spec(FACTORY, p, blurb)
                })
                .collect();
            let extra = crate::accepted::extra_specs(&[FACTORY], &v);
            v.extend(extra);
            v
        });
        PROPS.as_ref()
    }

    fn set_property(&self, _id: usize, value: &glib::Value, pspec: &glib::ParamSpec) {
        self.props.set(pspec, value);
    }

    fn property(&self, _id: usize, pspec: &glib::ParamSpec) -> glib::Value {
        self.props.get(pspec)
    }
}

impl GstObjectImpl for NvUriSrcBin {}

impl ElementImpl for NvUriSrcBin {
    fn metadata() -> Option<&'static gst::subclass::ElementMetadata> {
        static META: LazyLock<gst::subclass::ElementMetadata> = LazyLock::new(|| {
            gst::subclass::ElementMetadata::new(
                "NvUriSrc Bin (open)",
                "NvUriSrc Bin",
                "Nvidia DeepStreamSDK NvUriSrc Bin",
                "deepstream-rs",
            )
        });
        Some(&*META)
    }

    fn pad_templates() -> &'static [gst::PadTemplate] {
        static TEMPLATES: LazyLock<Vec<gst::PadTemplate>> = LazyLock::new(|| {
            let mut video = crate::caps::nvmm_caps(crate::caps::FORMATS);
            video.merge(crate::caps::raw_caps(crate::caps::FORMATS));
            let audio = gst::Caps::builder("audio/x-raw").build();
            vec![
                gst::PadTemplate::new(
                    "vsrc_%u",
                    gst::PadDirection::Src,
                    gst::PadPresence::Sometimes,
                    &video,
                )
                .expect("static pad template is valid"),
                gst::PadTemplate::new(
                    "asrc_%u",
                    gst::PadDirection::Src,
                    gst::PadPresence::Sometimes,
                    &audio,
                )
                .expect("static pad template is valid"),
            ]
        });
        TEMPLATES.as_ref()
    }

    fn change_state(
        &self,
        transition: gst::StateChange,
    ) -> Result<gst::StateChangeSuccess, gst::StateChangeError> {
        match transition {
            gst::StateChange::NullToReady => {
                self.eos_requested.store(false, Ordering::SeqCst);
                if let Err(e) = self.build() {
                    gst::element_imp_error!(
                        self,
                        gst::ResourceError::Settings,
                        ("nvurisrcbin: {}", e)
                    );
                    self.teardown();
                    return Err(gst::StateChangeError);
                }
            }
            gst::StateChange::ReadyToPaused => {
                self.eos_requested.store(false, Ordering::SeqCst);
                self.start_watchdog();
            }
            gst::StateChange::PausedToReady => self.stop_watchdog(),
            _ => {}
        }
        let ret = self.parent_change_state(transition);
        if transition == gst::StateChange::ReadyToNull {
            self.teardown();
        }
        // An RTSP source is live: the bin answers NO_PREROLL, as NVIDIA's
        // does (its rtspsrc is a direct child there). Our rtspsrc sits in
        // uridecodebin, which turns that answer into an asynchronous
        // change that async-handling then hides: without this the
        // pipeline would wait in PAUSED for a preroll that needs the
        // clock (udpsrc timestamps RTP packets only with a clock; the
        // jitter buffer drops untimestamped ones), so no frame ever came.
        if self.live.load(Ordering::SeqCst)
            && matches!(
                transition,
                gst::StateChange::ReadyToPaused | gst::StateChange::PlayingToPaused
            )
            && ret.is_ok()
        {
            return Ok(gst::StateChangeSuccess::NoPreroll);
        }
        ret
    }

    fn send_event(&self, event: gst::Event) -> bool {
        if event.type_() == gst::EventType::Eos {
            // The application ends the stream: no more looping.
            self.eos_requested.store(true, Ordering::SeqCst);
        }
        self.parent_send_event(event)
    }
}

impl BinImpl for NvUriSrcBin {
    fn handle_message(&self, message: gst::Message) {
        match self.source_error_to_warning(&message) {
            Some(warning) => self.parent_handle_message(warning),
            None => self.parent_handle_message(message),
        }
    }
}
