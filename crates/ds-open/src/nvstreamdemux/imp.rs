//! The `nvstreamdemux` element: one `sink` pad, `src_%u` request pads.
use super::split;
use crate::caps::FORMATS;
use ds_core::BatchMeta;
use gst::glib;
use gst::prelude::*;
use gst::subclass::prelude::*;
use gstreamer as gst;
use std::collections::BTreeMap;
use std::sync::{LazyLock, Mutex, MutexGuard};

static CAT: LazyLock<gst::DebugCategory> = LazyLock::new(|| {
    gst::DebugCategory::new(
        "nvstreamdemux",
        gst::DebugColorFlags::empty(),
        Some("open nvstreamdemux"),
    )
});

/// Formats of NVIDIA's pad templates (DeepStream 8.0 `gstnvstreamdemux.cpp`).
const TEMPLATE_FORMATS: [&str; 3] = ["NV12", "RGBA", "I420"];

#[derive(Debug, Default, Clone)]
struct Settings {
    per_stream_eos: bool,
}

/// One `src_N` pad.
#[derive(Debug)]
struct OutPad {
    pad: gst::Pad,
    /// stream-start, caps and segment sent since the last change.
    started: bool,
    caps_sent: bool,
    segment_sent: bool,
    eos: bool,
}

#[derive(Debug, Default)]
struct State {
    pads: BTreeMap<u32, OutPad>,
    caps: Option<gst::Caps>,
    segment: Option<gst::Segment>,
}

pub(crate) struct NvStreamDemux {
    sinkpad: gst::Pad,
    settings: Mutex<Settings>,
    state: Mutex<State>,
}

/// `src_N` -> N.
fn pad_index(name: &str) -> Option<u32> {
    name.strip_prefix("src_")?.parse().ok()
}

fn template_caps() -> gst::Caps {
    let caps = gst::Caps::builder("video/x-raw")
        .features(["memory:NVMM"])
        .field("format", gst::List::new(TEMPLATE_FORMATS))
        .field("width", gst::IntRange::new(1, i32::MAX))
        .field("height", gst::IntRange::new(1, i32::MAX))
        .field(
            "framerate",
            gst::FractionRange::new(gst::Fraction::new(0, 1), gst::Fraction::new(i32::MAX, 1)),
        )
        .build();
    debug_assert!(TEMPLATE_FORMATS.iter().all(|f| FORMATS.contains(f)));
    caps
}

impl NvStreamDemux {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn per_stream_eos(&self) -> bool {
        self.settings
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .per_stream_eos
    }

    /// The sticky events `pad` still needs before a buffer, marking them
    /// sent.
    fn pending_events(state: &mut State, index: u32) -> Vec<gst::Event> {
        let (caps, segment) = (state.caps.clone(), state.segment.clone());
        let Some(out) = state.pads.get_mut(&index) else {
            return Vec::new();
        };
        let mut events = Vec::new();
        if !out.started {
            events.push(
                gst::event::StreamStart::builder(&format!("nvstreamdemux/src_{index}"))
                    .group_id(gst::GroupId::next())
                    .build(),
            );
            out.started = true;
        }
        if let (false, Some(caps)) = (out.caps_sent, caps) {
            events.push(gst::event::Caps::new(&caps));
            out.caps_sent = true;
        }
        if let (false, Some(segment)) = (out.segment_sent, segment) {
            events.push(gst::event::Segment::new(&segment));
            out.segment_sent = true;
        }
        events
    }

    /// Sends EOS on the pad of source `index` (once).
    fn eos_on(&self, index: u32) {
        let pad = {
            let mut state = self.state();
            let events = Self::pending_events(&mut state, index);
            match state.pads.get_mut(&index) {
                Some(out) if !out.eos => {
                    out.eos = true;
                    Some((out.pad.clone(), events))
                }
                _ => None,
            }
        };
        if let Some((pad, events)) = pad {
            gst::debug!(CAT, imp = self, "EOS on src_{index}");
            for e in events {
                pad.push_event(e);
            }
            pad.push_event(gst::event::Eos::new());
        }
    }

    fn sink_chain(&self, buffer: gst::Buffer) -> Result<gst::FlowSuccess, gst::FlowError> {
        let Some(batch) = BatchMeta::from_buffer(&buffer) else {
            gst::element_imp_error!(
                self,
                gst::StreamError::Format,
                ("nvstreamdemux: input buffer without NvDsBatchMeta (put nvstreammux upstream)")
            );
            return Err(gst::FlowError::Error);
        };
        let frames = split::frames(batch);
        let mut result = Ok(gst::FlowSuccess::Ok);
        for frame in frames {
            let target = {
                let mut state = self.state();
                let events = Self::pending_events(&mut state, frame.pad_index);
                state
                    .pads
                    .get(&frame.pad_index)
                    .filter(|o| !o.eos)
                    .map(|o| (o.pad.clone(), events))
            };
            let Some((pad, events)) = target else {
                gst::trace!(CAT, imp = self, "no pad for source {}", frame.pad_index);
                continue;
            };
            for e in events {
                pad.push_event(e);
            }
            if !pad.is_linked() {
                continue;
            }
            let out = match split::frame_buffer(&buffer, frame) {
                Ok(b) => b,
                Err(msg) => {
                    gst::element_imp_error!(
                        self,
                        gst::StreamError::Failed,
                        ("nvstreamdemux: src_{}: {msg}", frame.pad_index)
                    );
                    return Err(gst::FlowError::Error);
                }
            };
            match pad.push(out) {
                Ok(_) | Err(gst::FlowError::NotLinked) | Err(gst::FlowError::Eos) => {}
                Err(e @ gst::FlowError::Flushing) => {
                    // A released or flushing pad: the others go on.
                    if pad.parent().is_none() {
                        continue;
                    }
                    result = Err(e);
                }
                Err(e) => {
                    gst::debug!(CAT, imp = self, "src_{}: {e:?}", frame.pad_index);
                    return Err(e);
                }
            }
        }
        result
    }

    fn sink_event(&self, pad: &gst::Pad, event: gst::Event) -> bool {
        match event.view() {
            gst::EventView::Caps(c) => {
                let caps = c.caps_owned();
                gst::debug!(CAT, imp = self, "batch caps {caps}");
                let mut state = self.state();
                state.caps = Some(caps);
                for out in state.pads.values_mut() {
                    out.caps_sent = false;
                }
                true
            }
            gst::EventView::Segment(s) => {
                let mut state = self.state();
                state.segment = Some(s.segment().clone());
                for out in state.pads.values_mut() {
                    out.segment_sent = false;
                }
                true
            }
            // Each src pad gets its own stream-start.
            gst::EventView::StreamStart(_) => true,
            gst::EventView::CustomDownstream(c) => {
                let source = c
                    .structure()
                    .filter(|s| s.name() == "nv-stream-eos")
                    .and_then(|s| s.get::<u32>("source-id").ok());
                match source {
                    Some(index) => {
                        if self.per_stream_eos() {
                            self.eos_on(index);
                        }
                        true
                    }
                    None => gst::Pad::event_default(pad, Some(&*self.obj()), event),
                }
            }
            gst::EventView::Eos(_) => {
                let indexes: Vec<u32> = self.state().pads.keys().copied().collect();
                for index in indexes {
                    self.eos_on(index);
                }
                true
            }
            gst::EventView::FlushStop(_) => {
                for out in self.state().pads.values_mut() {
                    out.eos = false;
                }
                gst::Pad::event_default(pad, Some(&*self.obj()), event)
            }
            _ => gst::Pad::event_default(pad, Some(&*self.obj()), event),
        }
    }

    fn sink_query(&self, pad: &gst::Pad, query: &mut gst::QueryRef) -> bool {
        match query.view_mut() {
            gst::QueryViewMut::Caps(q) => {
                let templ = pad.pad_template_caps();
                let caps = match q.filter() {
                    Some(f) => f.intersect_with_mode(&templ, gst::CapsIntersectMode::First),
                    None => templ,
                };
                q.set_result(&caps);
                true
            }
            gst::QueryViewMut::AcceptCaps(q) => {
                let ok = q.caps().can_intersect(&pad.pad_template_caps());
                q.set_result(ok);
                true
            }
            // Every output gets its own (new) buffers.
            gst::QueryViewMut::Allocation(_) => false,
            _ => gst::Pad::query_default(pad, Some(&*self.obj()), query),
        }
    }

    fn src_query(&self, pad: &gst::Pad, query: &mut gst::QueryRef) -> bool {
        match query.view_mut() {
            gst::QueryViewMut::Caps(q) => {
                let caps = self
                    .state()
                    .caps
                    .clone()
                    .unwrap_or_else(|| pad.pad_template_caps());
                let caps = match q.filter() {
                    Some(f) => f.intersect_with_mode(&caps, gst::CapsIntersectMode::First),
                    None => caps,
                };
                q.set_result(&caps);
                true
            }
            _ => gst::Pad::query_default(pad, Some(&*self.obj()), query),
        }
    }
}

#[glib::object_subclass]
impl ObjectSubclass for NvStreamDemux {
    const NAME: &'static str = "GstNvStreamDemux";
    type Type = super::NvStreamDemux;
    type ParentType = gst::Element;

    fn with_class(klass: &Self::Class) -> Self {
        let templ = klass.pad_template("sink").expect("sink template");
        let sinkpad = gst::Pad::builder_from_template(&templ)
            .chain_function(|_pad, parent, buffer| {
                NvStreamDemux::catch_panic_pad_function(
                    parent,
                    || Err(gst::FlowError::Error),
                    |demux| demux.sink_chain(buffer),
                )
            })
            .event_function(|pad, parent, event| {
                NvStreamDemux::catch_panic_pad_function(
                    parent,
                    || false,
                    |demux| demux.sink_event(pad, event),
                )
            })
            .query_function(|pad, parent, query| {
                NvStreamDemux::catch_panic_pad_function(
                    parent,
                    || false,
                    |demux| demux.sink_query(pad, query),
                )
            })
            .build();
        NvStreamDemux {
            sinkpad,
            settings: Mutex::default(),
            state: Mutex::default(),
        }
    }
}

impl ObjectImpl for NvStreamDemux {
    fn properties() -> &'static [glib::ParamSpec] {
        static PROPS: LazyLock<Vec<glib::ParamSpec>> = LazyLock::new(|| {
            vec![glib::ParamSpecBoolean::builder("per-stream-eos")
                .nick("per-stream-eos")
                .blurb(
                    "Send EOS on a source's pad as soon as that source ends (default: EOS \
                     on every pad when all sources ended)",
                )
                .default_value(false)
                .build()]
        });
        PROPS.as_ref()
    }

    fn set_property(&self, _id: usize, value: &glib::Value, pspec: &glib::ParamSpec) {
        if pspec.name() == "per-stream-eos" {
            self.settings
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .per_stream_eos = value.get().unwrap_or(false);
        }
    }

    fn property(&self, _id: usize, pspec: &glib::ParamSpec) -> glib::Value {
        match pspec.name() {
            "per-stream-eos" => self.per_stream_eos().to_value(),
            _ => glib::Value::from_type(pspec.value_type()),
        }
    }

    fn constructed(&self) {
        self.parent_constructed();
        let _ = self.obj().add_pad(&self.sinkpad);
    }
}

impl GstObjectImpl for NvStreamDemux {}

impl ElementImpl for NvStreamDemux {
    fn metadata() -> Option<&'static gst::subclass::ElementMetadata> {
        static META: LazyLock<gst::subclass::ElementMetadata> = LazyLock::new(|| {
            gst::subclass::ElementMetadata::new(
                "Stream demultiplexer",
                "Generic",
                "Splits nvstreammux batches into one stream per source (open implementation)",
                "deepstream-rs",
            )
        });
        Some(&*META)
    }

    fn pad_templates() -> &'static [gst::PadTemplate] {
        static TEMPLATES: LazyLock<Vec<gst::PadTemplate>> = LazyLock::new(|| {
            let caps = template_caps();
            [
                gst::PadTemplate::new(
                    "sink",
                    gst::PadDirection::Sink,
                    gst::PadPresence::Always,
                    &caps,
                ),
                gst::PadTemplate::new(
                    "src_%u",
                    gst::PadDirection::Src,
                    gst::PadPresence::Request,
                    &caps,
                ),
            ]
            .into_iter()
            .collect::<Result<Vec<_>, _>>()
            .unwrap_or_default()
        });
        TEMPLATES.as_ref()
    }

    fn request_new_pad(
        &self,
        templ: &gst::PadTemplate,
        name: Option<&str>,
        _caps: Option<&gst::Caps>,
    ) -> Option<gst::Pad> {
        let Some(index) = name.and_then(pad_index) else {
            gst::error!(
                CAT,
                imp = self,
                "pad should be named 'src_<n>' (source n) when requesting it, not {name:?}"
            );
            return None;
        };
        let name = format!("src_{index}");
        let pad = {
            let mut state = self.state();
            if state.pads.contains_key(&index) {
                gst::error!(CAT, imp = self, "pad {name} already requested");
                return None;
            }
            let pad = gst::Pad::builder_from_template(templ)
                .name(name.as_str())
                .query_function(|pad, parent, query| {
                    NvStreamDemux::catch_panic_pad_function(
                        parent,
                        || false,
                        |demux| demux.src_query(pad, query),
                    )
                })
                .build();
            state.pads.insert(
                index,
                OutPad {
                    pad: pad.clone(),
                    started: false,
                    caps_sent: false,
                    segment_sent: false,
                    eos: false,
                },
            );
            pad
        };
        if self.obj().current_state() > gst::State::Ready {
            let _ = pad.set_active(true);
        }
        if self.obj().add_pad(&pad).is_err() {
            self.state().pads.remove(&index);
            return None;
        }
        gst::debug!(CAT, imp = self, "added {name}");
        Some(pad)
    }

    fn release_pad(&self, pad: &gst::Pad) {
        if let Some(index) = pad_index(&pad.name()) {
            self.state().pads.remove(&index);
        }
        let _ = pad.set_active(false);
        let _ = self.obj().remove_pad(pad);
    }

    fn change_state(
        &self,
        transition: gst::StateChange,
    ) -> Result<gst::StateChangeSuccess, gst::StateChangeError> {
        if transition == gst::StateChange::ReadyToPaused {
            let mut state = self.state();
            state.caps = None;
            state.segment = None;
            for out in state.pads.values_mut() {
                out.started = false;
                out.caps_sent = false;
                out.segment_sent = false;
                out.eos = false;
            }
        }
        self.parent_change_state(transition)
    }
}
