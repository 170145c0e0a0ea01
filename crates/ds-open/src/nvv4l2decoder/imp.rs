//! The GObject implementation of the open `nvv4l2decoder` (see the
//! module doc in `mod.rs`).
use gst::subclass::prelude::*;
use gstreamer as gst;
use gstreamer::glib;
use gstreamer::prelude::*;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, Mutex};

/// Factories `decodebin` must not plug inside this bin.
const SKIP: &[&str] = &["nvv4l2decoder"];

#[derive(Default)]
pub struct NvV4l2Decoder {
    /// NVIDIA properties accepted and kept (see `crate::accepted`).
    accepted: crate::accepted::Store,
    drop_interval: Arc<AtomicU32>,
    gpu_id: AtomicU32,
    extra_surfaces: AtomicU32,
    max_perf: std::sync::atomic::AtomicBool,
    /// Why the internal pipeline could not be built (reported at the
    /// first state change).
    broken: Mutex<Option<String>>,
    /// Why the current stream is refused (from its caps; reported at its
    /// first buffer).
    refused: Mutex<Option<String>>,
}

#[glib::object_subclass]
impl ObjectSubclass for NvV4l2Decoder {
    const NAME: &'static str = "nvv4l2decoder";
    type Type = super::NvV4l2Decoder;
    type ParentType = gst::Bin;
}

impl NvV4l2Decoder {
    fn build(&self) -> Result<(), String> {
        let obj = self.obj();
        let make = |factory: &str, name: &str| {
            gst::ElementFactory::make(factory)
                .name(name)
                .build()
                .map_err(|_| {
                    format!(
                        "nvv4l2decoder: element `{factory}` is missing (install the \
                         GStreamer plugins: ci/setup.sh)"
                    )
                })
        };
        let decodebin = make("decodebin", "decodebin")?;
        // Decoded formats nvvideoconvert does not read (4:2:2 / 4:4:4 /
        // high bit depth) become 8-bit 4:2:0; others pass through.
        let to420 = make("videoconvert", "to420")?;
        let convert = make("nvvideoconvert", "convert")?;
        let filter = make("capsfilter", "nvmm-nv12")?;
        filter.set_property(
            "caps",
            gst::Caps::builder("video/x-raw")
                .features([crate::caps::NVMM])
                .field("format", "NV12")
                .build(),
        );
        obj.add_many([&decodebin, &to420, &convert, &filter])
            .map_err(|e| format!("nvv4l2decoder: {e}"))?;
        gst::Element::link_many([&to420, &convert, &filter])
            .map_err(|e| format!("nvv4l2decoder: {e}"))?;

        let sink_templ = obj.pad_template("sink").expect("sink template");
        let src_templ = obj.pad_template("src").expect("src template");
        let sink = gst::GhostPad::builder_from_template(&sink_templ)
            .name("sink")
            .event_function(|pad, parent, event| {
                NvV4l2Decoder::catch_panic_pad_function(
                    parent,
                    || false,
                    |imp| imp.sink_event(pad, event),
                )
            })
            .chain_function(|pad, parent, buffer| {
                NvV4l2Decoder::catch_panic_pad_function(
                    parent,
                    || Err(gst::FlowError::Error),
                    |imp| {
                        imp.check_stream()?;
                        gst::ProxyPad::chain_default(pad, Some(&*imp.obj()), buffer)
                    },
                )
            })
            .chain_list_function(|pad, parent, list| {
                NvV4l2Decoder::catch_panic_pad_function(
                    parent,
                    || Err(gst::FlowError::Error),
                    |imp| {
                        imp.check_stream()?;
                        gst::ProxyPad::chain_list_default(pad, Some(&*imp.obj()), list)
                    },
                )
            })
            .build();
        sink.set_target(decodebin.static_pad("sink").as_ref())
            .map_err(|e| format!("nvv4l2decoder: {e}"))?;
        let src = gst::GhostPad::builder_from_template(&src_templ)
            .name("src")
            .build();
        src.set_target(filter.static_pad("src").as_ref())
            .map_err(|e| format!("nvv4l2decoder: {e}"))?;

        // Output every n-th decoded frame.
        let interval = self.drop_interval.clone();
        let seen = AtomicU64::new(0);
        src.add_probe(gst::PadProbeType::BUFFER, move |_, _| {
            let n = u64::from(interval.load(Ordering::Relaxed));
            let i = seen.fetch_add(1, Ordering::Relaxed);
            if n > 1 && !i.is_multiple_of(n) {
                gst::PadProbeReturn::Drop
            } else {
                gst::PadProbeReturn::Ok
            }
        });
        if ds_core::latency::enabled() {
            stamp_latency(&sink, &src, obj.name().as_str());
        }
        obj.add_pad(&sink)
            .map_err(|e| format!("nvv4l2decoder: {e}"))?;
        obj.add_pad(&src)
            .map_err(|e| format!("nvv4l2decoder: {e}"))?;

        decodebin.connect("autoplug-select", false, |args| {
            let factory = args[3].get::<gst::ElementFactory>().ok()?;
            let class =
                glib::EnumClass::with_type(glib::Type::from_name("GstAutoplugSelectResult")?)?;
            // GST_AUTOPLUG_SELECT_TRY = 0, GST_AUTOPLUG_SELECT_SKIP = 2.
            let skip = SKIP.contains(&factory.name().as_str());
            class.to_value(if skip { 2 } else { 0 })
        });
        let convert_weak = to420.downgrade();
        decodebin.connect_pad_added(move |_, pad| {
            let Some(convert) = convert_weak.upgrade() else {
                return;
            };
            let is_video = pad
                .current_caps()
                .or_else(|| Some(pad.query_caps(None)))
                .and_then(|c| c.structure(0).map(|s| s.name().starts_with("video/")))
                .unwrap_or(false);
            let Some(sink) = convert.static_pad("sink") else {
                return;
            };
            if is_video && !sink.is_linked() {
                if let Err(e) = pad.link(&sink) {
                    gst::warning!(CAT, "nvv4l2decoder: cannot link decoded pad: {e:?}");
                }
            }
        });
        Ok(())
    }

    /// The sink pad's events: the caps of a stream NVIDIA's decoder would
    /// not take are accepted (so that `decodebin` keeps this decoder
    /// rather than fall back to a software one) and the stream is refused
    /// at its first buffer.
    fn sink_event(&self, pad: &gst::GhostPad, event: gst::Event) -> bool {
        if let gst::EventView::Caps(c) = event.view() {
            *self.refused.lock().unwrap_or_else(|p| p.into_inner()) =
                super::stream::Stream::from_caps(c.caps()).and_then(|s| s.refusal());
        }
        gst::Pad::event_default(pad, Some(&*self.obj()), event)
    }

    /// Fails with one error line (naming codec, profile, chroma format and
    /// bit depth) when the stream is one NVIDIA's decoder refuses.
    fn check_stream(&self) -> Result<(), gst::FlowError> {
        let refused = self.refused.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(msg) = refused.as_deref() {
            gst::element_imp_error!(self, gst::StreamError::WrongType, ("{}", msg));
            return Err(gst::FlowError::Error);
        }
        Ok(())
    }
}

/// Latency measurement (on when `NVDS_ENABLE_LATENCY_MEASUREMENT` is
/// set): each decoded frame carries the reference stamp NVIDIA's decoder
/// attaches (`nvds_add_reference_timestamp_meta`, named after this
/// element): in = when its coded frame reached the sink pad, out = when
/// it leaves. Frames are matched by PTS (decoding reorders), else in
/// arrival order.
fn stamp_latency(sink: &gst::GhostPad, src: &gst::GhostPad, name: &str) {
    let arrivals = Arc::new(Mutex::new(VecDeque::<(Option<gst::ClockTime>, f64)>::new()));
    let a = arrivals.clone();
    sink.add_probe(gst::PadProbeType::BUFFER, move |_, info| {
        if let Some(b) = info.buffer() {
            let mut q = a.lock().unwrap_or_else(|p| p.into_inner());
            if q.len() >= 64 {
                q.pop_front();
            }
            q.push_back((b.pts(), ds_core::latency::now_ms()));
        }
        gst::PadProbeReturn::Ok
    });
    let name = name.to_string();
    let frames = AtomicU32::new(0);
    src.add_probe(gst::PadProbeType::BUFFER, move |_, info| {
        if let Some(gst::PadProbeData::Buffer(buffer)) = info.data.as_mut() {
            let out = ds_core::latency::now_ms();
            let in_ms = {
                let mut q = arrivals.lock().unwrap_or_else(|p| p.into_inner());
                let at = q
                    .iter()
                    .position(|(pts, _)| pts.is_some() && *pts == buffer.pts());
                at.and_then(|i| q.remove(i)).or_else(|| q.pop_front())
            };
            ds_core::latency::ReferenceTimestamp {
                component_name: name.clone(),
                frame_num: frames.fetch_add(1, Ordering::Relaxed),
                in_timestamp: in_ms.map_or(out, |(_, t)| t),
                out_timestamp: out,
            }
            .attach(buffer.make_mut());
        }
        gst::PadProbeReturn::Ok
    });
}

static CAT: LazyLock<gst::DebugCategory> = LazyLock::new(|| {
    gst::DebugCategory::new(
        "nvv4l2decoder",
        gst::DebugColorFlags::empty(),
        Some("open nvv4l2decoder"),
    )
});

impl ObjectImpl for NvV4l2Decoder {
    fn constructed(&self) {
        self.parent_constructed();
        if let Err(e) = self.build() {
            *self.broken.lock().unwrap_or_else(|p| p.into_inner()) = Some(e);
        }
    }

    fn properties() -> &'static [glib::ParamSpec] {
        static PROPS: LazyLock<Vec<glib::ParamSpec>> = LazyLock::new(|| {
            let uint = |name: &str, blurb: &str, max: u32| {
                glib::ParamSpecUInt::builder(name)
                    .blurb(blurb)
                    .maximum(max)
                    .build()
            };
            let mut v = vec![
                uint(
                    "drop-frame-interval",
                    "Output every n-th frame (0 or 1: all)",
                    30,
                ),
                uint("gpu-id", "GPU id (no effect on the CPU)", u32::MAX),
                uint(
                    "num-extra-surfaces",
                    "Extra surfaces (no effect on the CPU)",
                    55,
                ),
                glib::ParamSpecBoolean::builder("enable-max-performance")
                    .blurb("Max clocks (no effect on the CPU)")
                    .build(),
            ];
            let extra = crate::accepted::extra_specs(&["nvv4l2decoder"], &v);
            v.extend(extra);
            v
        });
        PROPS.as_ref()
    }

    fn set_property(&self, _id: usize, value: &glib::Value, pspec: &glib::ParamSpec) {
        let o = Ordering::Relaxed;
        match pspec.name() {
            "drop-frame-interval" => self.drop_interval.store(value.get().unwrap_or(0), o),
            "gpu-id" => self.gpu_id.store(value.get().unwrap_or(0), o),
            "num-extra-surfaces" => self.extra_surfaces.store(value.get().unwrap_or(0), o),
            "enable-max-performance" => self.max_perf.store(value.get().unwrap_or(false), o),
            _ => self.accepted.set(pspec, value),
        }
    }

    fn property(&self, _id: usize, pspec: &glib::ParamSpec) -> glib::Value {
        let o = Ordering::Relaxed;
        match pspec.name() {
            "drop-frame-interval" => self.drop_interval.load(o).to_value(),
            "gpu-id" => self.gpu_id.load(o).to_value(),
            "num-extra-surfaces" => self.extra_surfaces.load(o).to_value(),
            "enable-max-performance" => self.max_perf.load(o).to_value(),
            _ => self.accepted.get(pspec),
        }
    }
}

impl GstObjectImpl for NvV4l2Decoder {}

impl ElementImpl for NvV4l2Decoder {
    fn metadata() -> Option<&'static gst::subclass::ElementMetadata> {
        static META: LazyLock<gst::subclass::ElementMetadata> = LazyLock::new(|| {
            gst::subclass::ElementMetadata::new(
                "NVIDIA v4l2 video decoder (open, CPU)",
                "Codec/Decoder/Video",
                "Decode video streams via V4L2 API",
                "deepstream-rs",
            )
        });
        Some(&*META)
    }

    fn pad_templates() -> &'static [gst::PadTemplate] {
        static TEMPLATES: LazyLock<Vec<gst::PadTemplate>> = LazyLock::new(|| {
            let sink_caps = sink_caps();
            let src_caps = gst::Caps::builder("video/x-raw")
                .features([crate::caps::NVMM])
                .field("width", gst::IntRange::new(1, i32::MAX))
                .field("height", gst::IntRange::new(1, i32::MAX))
                .field(
                    "framerate",
                    gst::FractionRange::new(
                        gst::Fraction::new(0, 1),
                        gst::Fraction::new(i32::MAX, 1),
                    ),
                )
                .build();
            vec![
                gst::PadTemplate::new(
                    "sink",
                    gst::PadDirection::Sink,
                    gst::PadPresence::Always,
                    &sink_caps,
                )
                .expect("valid sink template"),
                gst::PadTemplate::new(
                    "src",
                    gst::PadDirection::Src,
                    gst::PadPresence::Always,
                    &src_caps,
                )
                .expect("valid src template"),
            ]
        });
        TEMPLATES.as_ref()
    }

    fn change_state(
        &self,
        transition: gst::StateChange,
    ) -> Result<gst::StateChangeSuccess, gst::StateChangeError> {
        if transition == gst::StateChange::NullToReady {
            let broken = self
                .broken
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .clone();
            if let Some(msg) = broken {
                gst::element_imp_error!(self, gst::CoreError::MissingPlugin, ("{}", msg));
                return Err(gst::StateChangeError);
            }
        }
        self.parent_change_state(transition)
    }
}

impl BinImpl for NvV4l2Decoder {}

/// NVIDIA's sink template (one structure per input; the contract row
/// `nvv4l2decoder` `[[pad]] sink` is the reference).
fn sink_caps() -> gst::Caps {
    let size = |b: gst::caps::Builder<gst::caps::NoFeature>| {
        b.field("width", gst::IntRange::new(1, i32::MAX))
            .field("height", gst::IntRange::new(1, i32::MAX))
    };
    let h26x = |name: &str| {
        gst::Caps::builder(name)
            .field("stream-format", "byte-stream")
            .field("alignment", "au")
            .build()
    };
    let mpeg = |version: gst::glib::SendValue| {
        size(
            gst::Caps::builder("video/mpeg")
                .field("mpegversion", version)
                .field("systemstream", false)
                .field("parsed", true),
        )
        .build()
    };
    let mut caps = gst::Caps::new_empty_simple("image/jpeg");
    {
        let c = caps.get_mut().expect("new caps");
        for more in [
            h26x("video/x-h264"),
            h26x("video/x-h265"),
            mpeg(4i32.to_send_value()),
            mpeg(gst::IntRange::new(1, 2).to_send_value()),
            size(gst::Caps::builder("video/x-divx").field("divxversion", gst::IntRange::new(4, 5)))
                .build(),
            gst::Caps::new_empty_simple("video/x-av1"),
            gst::Caps::new_empty_simple("video/x-vp8"),
            size(gst::Caps::builder("video/x-vp9")).build(),
        ] {
            c.append(more);
        }
    }
    caps
}
