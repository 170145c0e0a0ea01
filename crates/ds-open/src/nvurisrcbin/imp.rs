//! GObject implementation of the open `nvurisrcbin` (see the module doc).
use super::looping::Looper;
use glib::subclass::prelude::*;
use gst::prelude::*;
use gst::subclass::prelude::*;
use gstreamer as gst;
use gstreamer::glib;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, LazyLock, Mutex, MutexGuard};

pub(super) static CAT: LazyLock<gst::DebugCategory> = LazyLock::new(|| {
    gst::DebugCategory::new(
        "nvurisrcbin",
        gst::DebugColorFlags::empty(),
        Some("open nvurisrcbin"),
    )
});

const FACTORY: &str = "nvurisrcbin";

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
        let obj = self.obj();
        let dec = Self::make("uridecodebin", "nvurisrc_bin_src_elem")?;
        dec.set_property("uri", &uri);

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
        obj.add(&dec).map_err(|e| e.to_string())?;
        lock(&self.state).decodebin = Some(dec);
        Ok(())
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
        let result = if media.starts_with("video/") && !state.video {
            state.video = true;
            drop(state);
            self.link_video(pad)
        } else if media.starts_with("audio/") && !state.audio && !self.bool_prop("disable-audio") {
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
    ) -> Result<(), String> {
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
        Ok(())
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
        self.expose(pad, &[queue, convert, filter], "vsrc_%u", "vsrc_0")
    }

    /// decoded audio -> audioconvert -> audioresample -> `asrc_0`.
    fn link_audio(&self, pad: &gst::Pad) -> Result<(), String> {
        let convert = Self::make("audioconvert", "nvurisrc_bin_audioconvert")?;
        let resample = Self::make("audioresample", "nvurisrc_bin_audioresample")?;
        self.expose(pad, &[convert, resample], "asrc_%u", "asrc_0")
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
                "Source/Bin/Video",
                "Decodes any URI into NVMM video (uridecodebin), with file looping (CPU)",
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
            }
            _ => {}
        }
        let ret = self.parent_change_state(transition);
        if transition == gst::StateChange::ReadyToNull {
            self.teardown();
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

impl BinImpl for NvUriSrcBin {}
