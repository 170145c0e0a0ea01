//! Sinks and encoders DeepStream applications create by name (open
//! implementations): `nveglglessink`, `nv3dsink`, `nvegltransform`,
//! `nvv4l2h264enc` and `nvv4l2h265enc`.
//!
//! # `nveglglessink` / `nv3dsink`
//! A bin with one sink pad accepting `video/x-raw(memory:NVMM)` (RGBA, NV12
//! and the other [`crate::caps::FORMATS`]) and plain `video/x-raw`.
//! - When a display exists (`DISPLAY` or `WAYLAND_DISPLAY` is set) it holds
//!   `nvvideoconvert` (or, where that factory is missing, a private
//!   NVMM-download transform) `! video/x-raw ! videoconvert !
//!   autovideosink`: frames appear in a window.
//! - Otherwise (or when `autovideosink` cannot be created) it holds a
//!   `fakesink` and prints one line to stderr, once per process, when it
//!   starts: `nveglglessink: no display found, rendering headless (frames
//!   are discarded)`. The pipeline runs exactly as it would with a window
//!   (clock sync, preroll, EOS).
//!
//! Properties: `sync` (default true), `qos` (default true), `async`
//! (default true), `max-lateness` and `ts-offset` are forwarded to the inner
//! sink where it has them (`autovideosink` only has `sync` and
//! `ts-offset`; headless, `qos` is off and `max-lateness` is -1: late
//! frames are discarded anyway, so none is dropped early and upstream
//! decoders never skip frames to catch up); `window-x`, `window-y`, `window-width`, `window-height`,
//! `force-aspect-ratio` and `gpu-id` are accepted and ignored.
//!
//! `nv3dsink` (Jetson's newer renderer) is the same element under another
//! name.
//!
//! # `nvegltransform`
//! On Jetson, DeepStream needs `nvegltransform` before `nveglglessink` to turn
//! NVMM buffers into EGL images. The open sink needs nothing of the kind,
//! so `nvegltransform` is an identity element (any caps, buffers passed
//! through untouched), registered so that Jetson pipelines run unchanged.
//!
//! # `nvv4l2h264enc` / `nvv4l2h265enc`
//! Bins that encode NVMM (or plain) video on the CPU: `nvvideoconvert` (or
//! the private NVMM download) `! videoconvert ! video/x-raw,format=I420 !
//! x264enc` (resp. `x265enc`), `speed-preset` from `preset-level`,
//! `tune=zerolatency`, with byte-stream output
//! (`video/x-h264,stream-format=byte-stream,alignment=au`, resp. H.265), as
//! NVIDIA's V4L2 encoders produce it. Writing OSD output to MP4 is then
//! written as DeepStream users write it:
//! `… ! nvdsosd ! nvvideoconvert ! nvv4l2h264enc ! h264parse ! mp4mux !
//! filesink location=out.mp4`.
//!
//! Properties: `bitrate` (bits/s, default 4000000; x264enc/x265enc get
//! kbit/s), `iframeinterval` (default 30, the encoder's `key-int-max`),
//! `preset-level` (0..4: 0 and 1 `ultrafast`, 2 `veryfast`, 3 `medium`, 4
//! `slow`; default 1); `insert-sps-pps` (parameter sets are repeated before
//! every key frame anyway), `idrinterval`, `profile`, `control-rate`,
//! `insert-vui`, `insert-aud`, `maxperf-enable`, `bufapi-version`,
//! `preset-id`, `tuning-info-id` and `gpu-id` are accepted and ignored.
//!
//! When `x264enc` (gst-plugins-ugly) or `x265enc` (gst-plugins-bad) is not
//! installed, the element is still created (so pipelines parse), but going
//! to READY fails with an error message naming the missing element and its
//! package.
//!
//! # What differs from NVIDIA's elements
//! Software encoding and display through GStreamer's own sinks; only
//! frame 0 of a batched buffer is shown or encoded (put
//! `nvmultistreamtiler` upstream, as DeepStream's samples do); the window
//! placement properties do nothing.
use crate::caps::{self, VideoDesc};
use crate::convert::{convert, Image, ImageMut};
use ds_core::planes::SurfaceRef;
use glib::prelude::*;
use glib::subclass::prelude::*;
use gst::prelude::*;
use gst::subclass::prelude::*;
use gst_base::prelude::*;
use gst_base::subclass::base_transform::{InputBuffer, PrepareOutputBufferSuccess};
use gst_base::subclass::prelude::*;
use gstreamer as gst;
use gstreamer_base as gst_base;
use gstreamer_video as gst_video;
use std::sync::{LazyLock, Mutex, MutexGuard};

static CAT: LazyLock<gst::DebugCategory> = LazyLock::new(|| {
    gst::DebugCategory::new(
        "dsopensinks",
        gst::DebugColorFlags::empty(),
        Some("open DeepStream sinks and encoders"),
    )
});

/// The line printed once when a display sink runs without a display.
const HEADLESS_NOTICE: &str =
    "nveglglessink: no display found, rendering headless (frames are discarded)";

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Registers the element(s) of this module.
pub(crate) fn register(plugin: Option<&gst::Plugin>) -> Result<(), glib::BoolError> {
    let sink = NvEglGlesSink::static_type();
    gst::Element::register(plugin, "nveglglessink", gst::Rank::PRIMARY, sink)?;
    gst::Element::register(plugin, "nv3dsink", gst::Rank::PRIMARY, sink)?;
    gst::Element::register(
        plugin,
        "nvegltransform",
        gst::Rank::PRIMARY,
        NvEglTransform::static_type(),
    )?;
    gst::Element::register(
        plugin,
        "nvv4l2h264enc",
        gst::Rank::PRIMARY,
        NvV4l2H264Enc::static_type(),
    )?;
    gst::Element::register(
        plugin,
        "nvv4l2h265enc",
        gst::Rank::PRIMARY,
        NvV4l2H265Enc::static_type(),
    )
}

/// Sink caps of the sink and encoder bins: NVMM in every handled format,
/// and plain video.
fn video_sink_caps() -> gst::Caps {
    let mut c = caps::nvmm_caps(caps::FORMATS);
    c.merge(gst::Caps::builder("video/x-raw").build());
    c
}

/// `nvvideoconvert` when that factory exists, else the private NVMM
/// download transform. Either one turns NVMM buffers into plain ones and
/// passes plain video through.
fn make_download(name: &str) -> gst::Element {
    if gst::ElementFactory::find("nvvideoconvert").is_some() {
        if let Ok(e) = gst::ElementFactory::make("nvvideoconvert")
            .name(name)
            .build()
        {
            return e;
        }
    }
    glib::Object::builder::<NvmmDownload>()
        .property("name", name)
        .build()
        .upcast()
}

fn make(factory: &str, name: &str) -> Result<gst::Element, String> {
    gst::ElementFactory::make(factory)
        .name(name)
        .build()
        .map_err(|_| factory.to_string())
}

/// A capsfilter for system-memory `caps`.
fn capsfilter(name: &str, caps: &gst::Caps) -> Result<gst::Element, String> {
    gst::ElementFactory::make("capsfilter")
        .name(name)
        .property("caps", caps)
        .build()
        .map_err(|_| "capsfilter".to_string())
}

/// Sets `name` on `element` when it has such a property of the value's
/// type; returns whether it did.
fn forward(element: &gst::Element, name: &str, value: &glib::Value) -> bool {
    match element.find_property(name) {
        Some(p) if value.type_().is_a(p.value_type()) => {
            element.set_property_from_value(name, value);
            true
        }
        _ => false,
    }
}

/// Sets `name` on `element` from a string (enum nick, flags) when the
/// element has the property and the string parses; returns whether it did.
fn set_from_str(element: &gst::Element, name: &str, value: &str) -> bool {
    let parsed = element
        .find_property(name)
        .and_then(|p| glib::Value::deserialize_with_pspec(value, &p).ok());
    match parsed {
        Some(v) => {
            element.set_property_from_value(name, &v);
            true
        }
        None => {
            gst::warning!(CAT, obj = element, "cannot set {name}={value}");
            false
        }
    }
}

// ---------------------------------------------------------------------------
// Private NVMM download: frame 0 of an NVMM buffer -> plain video frame.

glib::wrapper! {
    /// Copies frame 0 of an NVMM buffer into a plain video buffer
    /// (converting the format if downstream asks for another); plain video
    /// passes through. Not registered as a factory.
    pub(crate) struct NvmmDownload(ObjectSubclass<download_imp::NvmmDownload>)
        @extends gst_base::BaseTransform, gst::Element, gst::Object;
}

mod download_imp {
    use super::*;

    #[derive(Debug, Clone)]
    struct State {
        nvmm: bool,
        out: gst_video::VideoInfo,
    }

    #[derive(Default)]
    pub(crate) struct NvmmDownload {
        state: Mutex<Option<State>>,
    }

    #[glib::object_subclass]
    impl ObjectSubclass for NvmmDownload {
        const NAME: &'static str = "DsOpenNvmmDownload";
        type Type = super::NvmmDownload;
        type ParentType = gst_base::BaseTransform;
    }

    impl ObjectImpl for NvmmDownload {}
    impl GstObjectImpl for NvmmDownload {}

    impl ElementImpl for NvmmDownload {
        fn metadata() -> Option<&'static gst::subclass::ElementMetadata> {
            static META: LazyLock<gst::subclass::ElementMetadata> = LazyLock::new(|| {
                gst::subclass::ElementMetadata::new(
                    "NVMM download (open)",
                    "Filter/Converter/Video",
                    "Copies frame 0 of an NVMM batch into system memory",
                    "deepstream-rs",
                )
            });
            Some(&*META)
        }

        fn pad_templates() -> &'static [gst::PadTemplate] {
            static TEMPLATES: LazyLock<Vec<gst::PadTemplate>> = LazyLock::new(|| {
                let sink = gst::PadTemplate::new(
                    "sink",
                    gst::PadDirection::Sink,
                    gst::PadPresence::Always,
                    &video_sink_caps(),
                )
                .expect("static pad template is valid");
                let src = gst::PadTemplate::new(
                    "src",
                    gst::PadDirection::Src,
                    gst::PadPresence::Always,
                    &gst::Caps::builder("video/x-raw").build(),
                )
                .expect("static pad template is valid");
                vec![sink, src]
            });
            TEMPLATES.as_ref()
        }
    }

    impl BaseTransformImpl for NvmmDownload {
        const MODE: gst_base::subclass::BaseTransformMode =
            gst_base::subclass::BaseTransformMode::NeverInPlace;
        const PASSTHROUGH_ON_SAME_CAPS: bool = true;
        const TRANSFORM_IP_ON_PASSTHROUGH: bool = false;

        fn stop(&self) -> Result<(), gst::ErrorMessage> {
            *lock(&self.state) = None;
            Ok(())
        }

        fn transform_caps(
            &self,
            direction: gst::PadDirection,
            caps: &gst::Caps,
            filter: Option<&gst::Caps>,
        ) -> Option<gst::Caps> {
            let formats = gst::List::new(caps::FORMATS.iter().copied());
            let out = if caps.is_any() {
                let other = if direction == gst::PadDirection::Sink {
                    "src"
                } else {
                    "sink"
                };
                self.obj().pad_template(other)?.caps().clone()
            } else {
                let mut out = gst::Caps::new_empty();
                {
                    let out = out.get_mut()?;
                    for (s, f) in caps.iter_with_features() {
                        let nvmm = caps::is_nvmm(f);
                        match direction {
                            gst::PadDirection::Sink if nvmm => {
                                // Same format first, then any handled one.
                                out.append_structure(s.to_owned());
                                let mut any = s.to_owned();
                                any.set("format", formats.clone());
                                out.append_structure(any);
                            }
                            gst::PadDirection::Sink => {
                                out.append_structure_full(s.to_owned(), Some(f.to_owned()))
                            }
                            _ => {
                                out.append_structure_full(s.to_owned(), Some(f.to_owned()));
                                let mut any = s.to_owned();
                                any.set("format", formats.clone());
                                out.append_structure_full(
                                    any,
                                    Some(gst::CapsFeatures::new([caps::NVMM])),
                                );
                            }
                        }
                    }
                }
                out
            };
            gst::debug!(CAT, imp = self, "{direction:?}: {caps} -> {out}");
            Some(match filter {
                Some(f) => f.intersect_with_mode(&out, gst::CapsIntersectMode::First),
                None => out,
            })
        }

        fn set_caps(
            &self,
            incaps: &gst::Caps,
            outcaps: &gst::Caps,
        ) -> Result<(), gst::LoggableError> {
            let nvmm = caps::caps_are_nvmm(incaps);
            let out = gst_video::VideoInfo::from_caps(outcaps)
                .map_err(|_| gst::loggable_error!(CAT, "unsupported output caps {outcaps}"))?;
            if nvmm {
                if VideoDesc::from_caps(incaps).is_none() {
                    return Err(gst::loggable_error!(CAT, "unsupported NVMM caps {incaps}"));
                }
                if VideoDesc::from_caps(outcaps).is_none() {
                    return Err(gst::loggable_error!(
                        CAT,
                        "unsupported output caps {outcaps}"
                    ));
                }
            }
            *lock(&self.state) = Some(State { nvmm, out });
            Ok(())
        }

        fn prepare_output_buffer(
            &self,
            inbuf: InputBuffer,
        ) -> Result<PrepareOutputBufferSuccess, gst::FlowError> {
            if self.obj().is_passthrough() {
                return Ok(PrepareOutputBufferSuccess::InputBuffer);
            }
            let inbuf: &gst::BufferRef = match inbuf {
                InputBuffer::Readable(b) => b,
                InputBuffer::Writable(b) => b,
            };
            let Some(state) = lock(&self.state).clone() else {
                return Err(gst::FlowError::NotNegotiated);
            };
            if !state.nvmm {
                return Err(gst::FlowError::NotNegotiated);
            }
            let mut out = gst::Buffer::with_size(state.out.size()).map_err(|_| {
                gst::element_imp_error!(
                    self,
                    gst::ResourceError::NoSpaceLeft,
                    ("NVMM download: cannot allocate an output buffer")
                );
                gst::FlowError::Error
            })?;
            if let Some(o) = out.get_mut() {
                let _ = inbuf.copy_into(
                    o,
                    gst::BufferCopyFlags::FLAGS | gst::BufferCopyFlags::TIMESTAMPS,
                    ..,
                );
            }
            Ok(PrepareOutputBufferSuccess::Buffer(out))
        }

        fn transform(
            &self,
            inbuf: &gst::Buffer,
            outbuf: &mut gst::BufferRef,
        ) -> Result<gst::FlowSuccess, gst::FlowError> {
            let Some(state) = lock(&self.state).clone() else {
                return Err(gst::FlowError::NotNegotiated);
            };
            let fail = |what: String| {
                gst::element_imp_error!(self, gst::StreamError::Failed, ("NVMM download: {what}"));
                gst::FlowError::Error
            };
            let surf = SurfaceRef::from_buffer(inbuf).map_err(|e| fail(e.to_string()))?;
            let frame = surf.frame(0).map_err(|e| fail(e.to_string()))?;
            let src = Image::from_planes(&frame)
                .ok_or_else(|| fail("unsupported surface colour format".into()))?;
            let mut vf = gst_video::VideoFrameRef::from_buffer_ref_writable(outbuf, &state.out)
                .map_err(|_| fail("cannot map the output buffer".into()))?;
            let mut dst = ImageMut::from_video_frame(&mut vf)
                .ok_or_else(|| fail("unsupported output format".into()))?;
            convert(&src, &mut dst);
            Ok(gst::FlowSuccess::Ok)
        }
    }
}

// ---------------------------------------------------------------------------
// nveglglessink / nv3dsink

glib::wrapper! {
    /// `nveglglessink` / `nv3dsink`: a window when a display exists, else
    /// headless.
    pub(crate) struct NvEglGlesSink(ObjectSubclass<egl_imp::NvEglGlesSink>)
        @extends gst::Bin, gst::Element, gst::Object;
}

/// Whether a display server is announced in the environment.
fn display_available() -> bool {
    ["DISPLAY", "WAYLAND_DISPLAY"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|s| !s.is_empty()))
}

mod egl_imp {
    use super::*;
    use std::sync::{Once, OnceLock};

    /// Property values; the forwarded ones are also applied to the inner
    /// sink when set.
    #[derive(Debug)]
    struct Settings {
        sync: bool,
        qos: bool,
        async_: bool,
        max_lateness: i64,
        ts_offset: i64,
        window: [u32; 4],
        force_aspect_ratio: bool,
        gpu_id: u32,
    }

    impl Default for Settings {
        fn default() -> Self {
            Settings {
                sync: true,
                qos: true,
                async_: true,
                max_lateness: 20_000_000,
                ts_offset: 0,
                window: [0; 4],
                force_aspect_ratio: true,
                gpu_id: 0,
            }
        }
    }

    #[derive(Default)]
    pub(crate) struct NvEglGlesSink {
        /// NVIDIA properties accepted and kept (see `crate::accepted`).
        accepted: crate::accepted::Store,
        settings: Mutex<Settings>,
        /// The inner sink and whether it is headless.
        inner: OnceLock<(gst::Element, bool)>,
    }

    #[glib::object_subclass]
    impl ObjectSubclass for NvEglGlesSink {
        const NAME: &'static str = "GstEglGlesSink";
        type Type = super::NvEglGlesSink;
        type ParentType = gst::Bin;
    }

    impl NvEglGlesSink {
        /// Builds `download ! video/x-raw ! videoconvert ! autovideosink`;
        /// the first element and the sink.
        fn display_chain(&self) -> Result<(gst::Element, gst::Element), String> {
            let sink = make("autovideosink", "videosink")?;
            let down = make_download("download");
            let filter = capsfilter("sysmem", &gst::Caps::builder("video/x-raw").build())?;
            let conv = make("videoconvert", "videoconvert")?;
            let chain = [&down, &filter, &conv, &sink];
            let obj = self.obj();
            obj.add_many(chain).map_err(|e| e.to_string())?;
            if let Err(e) = gst::Element::link_many(chain) {
                let _ = obj.remove_many(chain);
                return Err(e.to_string());
            }
            Ok((down, sink))
        }

        fn apply(&self, sink: &gst::Element) {
            let s = lock(&self.settings);
            forward(sink, "sync", &s.sync.to_value());
            forward(sink, "async", &s.async_.to_value());
            forward(sink, "ts-offset", &s.ts_offset.to_value());
            if sink.factory().is_some_and(|f| f.name() == "fakesink") {
                // Headless: frames are discarded, so a late frame costs
                // nothing. No QoS (upstream decoders would skip frames to
                // catch up) and no dropping: every frame reaches the
                // probes, paced by the clock when `sync` is on.
                forward(sink, "qos", &false.to_value());
                forward(sink, "max-lateness", &(-1i64).to_value());
            } else {
                forward(sink, "qos", &s.qos.to_value());
                forward(sink, "max-lateness", &s.max_lateness.to_value());
            }
        }
    }

    impl ObjectImpl for NvEglGlesSink {
        fn properties() -> &'static [glib::ParamSpec] {
            static PROPS: LazyLock<Vec<glib::ParamSpec>> = LazyLock::new(|| {
                let mut v = vec![
                    glib::ParamSpecBoolean::builder("sync")
                        .nick("Sync")
                        .blurb("Sync on the clock")
                        .default_value(true)
                        .build(),
                    glib::ParamSpecBoolean::builder("qos")
                        .nick("QoS")
                        .blurb("Generate Quality-of-Service events upstream")
                        .default_value(true)
                        .build(),
                    glib::ParamSpecBoolean::builder("async")
                        .nick("Async")
                        .blurb("Go asynchronously to PAUSED")
                        .default_value(true)
                        .build(),
                    glib::ParamSpecInt64::builder("max-lateness")
                        .nick("Max lateness")
                        .blurb("Maximum nanoseconds a buffer can be late (-1 unlimited)")
                        .minimum(-1)
                        .default_value(20_000_000)
                        .build(),
                    glib::ParamSpecInt64::builder("ts-offset")
                        .nick("TS offset")
                        .blurb("Timestamp offset in nanoseconds")
                        .build(),
                    glib::ParamSpecBoolean::builder("force-aspect-ratio")
                        .nick("Force aspect ratio")
                        .blurb("Keep the aspect ratio (accepted, ignored)")
                        .default_value(true)
                        .build(),
                    glib::ParamSpecUInt::builder("gpu-id")
                        .nick("GPU id")
                        .blurb("GPU to use (accepted, ignored)")
                        .build(),
                ];
                for name in ["window-x", "window-y", "window-width", "window-height"] {
                    v.push(
                        glib::ParamSpecUInt::builder(name)
                            .blurb("Window geometry (accepted, ignored)")
                            .build(),
                    );
                }
                let extra = crate::accepted::extra_specs(&["nveglglessink", "nv3dsink"], &v);
                v.extend(extra);
                v
            });
            PROPS.as_ref()
        }

        fn set_property(&self, _id: usize, value: &glib::Value, pspec: &glib::ParamSpec) {
            {
                let mut s = lock(&self.settings);
                match pspec.name() {
                    "sync" => s.sync = value.get().unwrap_or(true),
                    "qos" => s.qos = value.get().unwrap_or(true),
                    "async" => s.async_ = value.get().unwrap_or(true),
                    "max-lateness" => s.max_lateness = value.get().unwrap_or(-1),
                    "ts-offset" => s.ts_offset = value.get().unwrap_or(0),
                    "force-aspect-ratio" => s.force_aspect_ratio = value.get().unwrap_or(true),
                    "gpu-id" => s.gpu_id = value.get().unwrap_or(0),
                    "window-x" => s.window[0] = value.get().unwrap_or(0),
                    "window-y" => s.window[1] = value.get().unwrap_or(0),
                    "window-width" => s.window[2] = value.get().unwrap_or(0),
                    "window-height" => s.window[3] = value.get().unwrap_or(0),
                    _ => self.accepted.set(pspec, value),
                }
            }
            if let Some((sink, _)) = self.inner.get() {
                forward(sink, pspec.name(), value);
            }
        }

        fn property(&self, _id: usize, pspec: &glib::ParamSpec) -> glib::Value {
            let s = lock(&self.settings);
            match pspec.name() {
                "sync" => s.sync.to_value(),
                "qos" => s.qos.to_value(),
                "async" => s.async_.to_value(),
                "max-lateness" => s.max_lateness.to_value(),
                "ts-offset" => s.ts_offset.to_value(),
                "force-aspect-ratio" => s.force_aspect_ratio.to_value(),
                "gpu-id" => s.gpu_id.to_value(),
                "window-x" => s.window[0].to_value(),
                "window-y" => s.window[1].to_value(),
                "window-width" => s.window[2].to_value(),
                "window-height" => s.window[3].to_value(),
                _ => self.accepted.get(pspec),
            }
        }

        fn constructed(&self) {
            self.parent_constructed();
            let obj = self.obj();
            let display = if display_available() {
                match self.display_chain() {
                    Ok(chain) => Some(chain),
                    Err(e) => {
                        gst::warning!(CAT, imp = self, "no display sink ({e}): headless");
                        None
                    }
                }
            } else {
                None
            };
            let headless = display.is_none();
            let chain = match display {
                Some(chain) => Some(chain),
                None => match make("fakesink", "headless") {
                    Ok(sink) => {
                        let _ = obj.add(&sink);
                        Some((sink.clone(), sink))
                    }
                    Err(e) => {
                        gst::error!(CAT, imp = self, "cannot create {e}");
                        None
                    }
                },
            };
            let templ = obj.pad_template("sink").expect("sink template exists");
            let ghost = gst::GhostPad::builder_from_template(&templ)
                .name("sink")
                .build();
            if let Some((first, sink)) = chain {
                self.apply(&sink);
                let _ = self.inner.set((sink, headless));
                if let Some(target) = first.static_pad("sink") {
                    if let Err(e) = ghost.set_target(Some(&target)) {
                        gst::error!(CAT, imp = self, "cannot set ghost pad target: {e}");
                    }
                }
            }
            let _ = obj.add_pad(&ghost);
        }
    }

    impl GstObjectImpl for NvEglGlesSink {}

    impl ElementImpl for NvEglGlesSink {
        fn metadata() -> Option<&'static gst::subclass::ElementMetadata> {
            static META: LazyLock<gst::subclass::ElementMetadata> = LazyLock::new(|| {
                gst::subclass::ElementMetadata::new(
                    "Video sink (open nveglglessink)",
                    "Sink/Video",
                    "Shows NVMM or plain video in a window, or runs headless without a display",
                    "deepstream-rs",
                )
            });
            Some(&*META)
        }

        fn pad_templates() -> &'static [gst::PadTemplate] {
            static TEMPLATES: LazyLock<Vec<gst::PadTemplate>> = LazyLock::new(|| {
                vec![gst::PadTemplate::new(
                    "sink",
                    gst::PadDirection::Sink,
                    gst::PadPresence::Always,
                    &video_sink_caps(),
                )
                .expect("static pad template is valid")]
            });
            TEMPLATES.as_ref()
        }

        fn change_state(
            &self,
            transition: gst::StateChange,
        ) -> Result<gst::StateChangeSuccess, gst::StateChangeError> {
            if transition == gst::StateChange::NullToReady
                && self.inner.get().is_some_and(|(_, headless)| *headless)
            {
                static NOTICE: Once = Once::new();
                NOTICE.call_once(|| eprintln!("{HEADLESS_NOTICE}"));
                gst::info!(CAT, imp = self, "{HEADLESS_NOTICE}");
            }
            self.parent_change_state(transition)
        }
    }

    impl BinImpl for NvEglGlesSink {}
}

// ---------------------------------------------------------------------------
// nvegltransform: identity.

glib::wrapper! {
    /// `nvegltransform`: passes buffers through untouched.
    pub(crate) struct NvEglTransform(ObjectSubclass<egl_transform_imp::NvEglTransform>)
        @extends gst_base::BaseTransform, gst::Element, gst::Object;
}

mod egl_transform_imp {
    use super::*;

    #[derive(Default)]
    pub(crate) struct NvEglTransform;

    #[glib::object_subclass]
    impl ObjectSubclass for NvEglTransform {
        const NAME: &'static str = "DsOpenNvEglTransform";
        type Type = super::NvEglTransform;
        type ParentType = gst_base::BaseTransform;
    }

    impl ObjectImpl for NvEglTransform {
        fn constructed(&self) {
            self.parent_constructed();
            self.obj().set_passthrough(true);
        }
    }

    impl GstObjectImpl for NvEglTransform {}

    impl ElementImpl for NvEglTransform {
        fn metadata() -> Option<&'static gst::subclass::ElementMetadata> {
            static META: LazyLock<gst::subclass::ElementMetadata> = LazyLock::new(|| {
                gst::subclass::ElementMetadata::new(
                    "EGL transform (open, identity)",
                    "Filter/Video",
                    "Jetson's NVMM-to-EGLImage step; an identity element in the open backend",
                    "deepstream-rs",
                )
            });
            Some(&*META)
        }

        fn pad_templates() -> &'static [gst::PadTemplate] {
            static TEMPLATES: LazyLock<Vec<gst::PadTemplate>> = LazyLock::new(|| {
                [
                    ("sink", gst::PadDirection::Sink),
                    ("src", gst::PadDirection::Src),
                ]
                .into_iter()
                .map(|(name, dir)| {
                    gst::PadTemplate::new(
                        name,
                        dir,
                        gst::PadPresence::Always,
                        &gst::Caps::new_any(),
                    )
                    .expect("static pad template is valid")
                })
                .collect()
            });
            TEMPLATES.as_ref()
        }
    }

    impl BaseTransformImpl for NvEglTransform {
        const MODE: gst_base::subclass::BaseTransformMode =
            gst_base::subclass::BaseTransformMode::AlwaysInPlace;
        const PASSTHROUGH_ON_SAME_CAPS: bool = true;
        const TRANSFORM_IP_ON_PASSTHROUGH: bool = false;

        fn transform_ip(
            &self,
            _buf: &mut gst::BufferRef,
        ) -> Result<gst::FlowSuccess, gst::FlowError> {
            Ok(gst::FlowSuccess::Ok)
        }
    }
}

// ---------------------------------------------------------------------------
// nvv4l2h264enc / nvv4l2h265enc

/// Which codec an encoder bin produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Codec {
    H264,
    H265,
}

impl Codec {
    fn factory(self) -> &'static str {
        match self {
            Codec::H264 => "nvv4l2h264enc",
            Codec::H265 => "nvv4l2h265enc",
        }
    }
    /// The software encoder and the package that ships it.
    fn encoder(self) -> (&'static str, &'static str) {
        match self {
            Codec::H264 => (
                "x264enc",
                "gst-plugins-ugly (Debian/Ubuntu: gstreamer1.0-plugins-ugly)",
            ),
            Codec::H265 => (
                "x265enc",
                "gst-plugins-bad (Debian/Ubuntu: gstreamer1.0-plugins-bad)",
            ),
        }
    }
    fn src_caps(self) -> gst::Caps {
        let name = match self {
            Codec::H264 => "video/x-h264",
            Codec::H265 => "video/x-h265",
        };
        gst::Caps::builder(name)
            .field("stream-format", "byte-stream")
            .field("alignment", "au")
            .build()
    }
    fn templates(self) -> Vec<gst::PadTemplate> {
        vec![
            gst::PadTemplate::new(
                "sink",
                gst::PadDirection::Sink,
                gst::PadPresence::Always,
                &video_sink_caps(),
            )
            .expect("static pad template is valid"),
            gst::PadTemplate::new(
                "src",
                gst::PadDirection::Src,
                gst::PadPresence::Always,
                &self.src_caps(),
            )
            .expect("static pad template is valid"),
        ]
    }
}

/// Encoder properties.
#[derive(Debug, Clone)]
struct EncSettings {
    bitrate: u32,
    iframeinterval: u32,
    preset_level: u32,
}

/// The encoder's own properties, then NVIDIA's others for `factory` as
/// accepted ones (`crate::accepted`).
fn enc_properties(factory: &str) -> Vec<glib::ParamSpec> {
    let mut v = vec![
        glib::ParamSpecUInt::builder("bitrate")
            .nick("Bitrate")
            .blurb("Target bitrate in bits/s")
            .default_value(4_000_000)
            .mutable_playing()
            .build(),
        glib::ParamSpecUInt::builder("iframeinterval")
            .nick("I-frame interval")
            .blurb("Frames between key frames")
            .default_value(30)
            .build(),
        crate::accepted::enum_spec(
            factory,
            "preset-level",
            "0 disabled, 1 ultra fast, 2 fast, 3 medium, 4 slow (x264's speed preset)",
        ),
    ];
    let extra = crate::accepted::extra_specs(&[factory], &v);
    v.extend(extra);
    v
}

impl Default for EncSettings {
    fn default() -> Self {
        EncSettings {
            bitrate: 4_000_000,
            iframeinterval: 30,
            preset_level: 1,
        }
    }
}

/// State shared by both encoder bins.
#[derive(Debug)]
struct EncCore {
    codec: Codec,
    settings: Mutex<EncSettings>,
    /// NVIDIA properties accepted and kept (see `crate::accepted`).
    accepted: crate::accepted::Store,
    /// The software encoder, or the name of the missing element.
    encoder: std::sync::OnceLock<Result<gst::Element, String>>,
}

impl EncCore {
    fn new(codec: Codec) -> EncCore {
        EncCore {
            codec,
            settings: Mutex::new(EncSettings::default()),
            accepted: Default::default(),
            encoder: std::sync::OnceLock::new(),
        }
    }

    fn speed_preset(level: u32) -> &'static str {
        match level {
            0 | 1 => "ultrafast",
            2 => "veryfast",
            3 => "medium",
            _ => "slow",
        }
    }

    /// Applies the settings to the software encoder.
    fn apply(&self, enc: &gst::Element) {
        let s = lock(&self.settings).clone();
        let kbps = (s.bitrate / 1000).max(1);
        if let Some(p) = enc.find_property("bitrate") {
            let kbps = p
                .downcast_ref::<glib::ParamSpecUInt>()
                .map_or(kbps, |p| kbps.clamp(p.minimum(), p.maximum()));
            forward(enc, "bitrate", &kbps.to_value());
        }
        // x264enc: uint; x265enc: int.
        if !forward(enc, "key-int-max", &s.iframeinterval.to_value()) {
            let v = i32::try_from(s.iframeinterval).unwrap_or(i32::MAX);
            forward(enc, "key-int-max", &v.to_value());
        }
        set_from_str(enc, "speed-preset", Self::speed_preset(s.preset_level));
    }

    /// Builds `download ! videoconvert ! I420 ! encoder ! byte-stream` in
    /// `bin` and ghosts its ends (the ghost pads exist even when the
    /// encoder is missing, so that the element links).
    fn construct(&self, bin: &gst::Bin) {
        let sink_t = bin.pad_template("sink").expect("sink template exists");
        let src_t = bin.pad_template("src").expect("src template exists");
        let sink = gst::GhostPad::builder_from_template(&sink_t)
            .name("sink")
            .build();
        let src = gst::GhostPad::builder_from_template(&src_t)
            .name("src")
            .build();
        let built = self.build_chain(bin, &sink, &src);
        if let Err(missing) = &built {
            gst::warning!(
                CAT,
                obj = bin,
                "cannot build the encoder: {missing} missing"
            );
        }
        let _ = self.encoder.set(built);
        let _ = bin.add_pad(&sink);
        let _ = bin.add_pad(&src);
    }

    fn build_chain(
        &self,
        bin: &gst::Bin,
        sink: &gst::GhostPad,
        src: &gst::GhostPad,
    ) -> Result<gst::Element, String> {
        let (factory, _) = self.codec.encoder();
        let enc = make(factory, "encoder")?;
        set_from_str(&enc, "tune", "zerolatency");
        self.apply(&enc);
        let down = make_download("download");
        let conv = make("videoconvert", "videoconvert")?;
        let i420 = capsfilter(
            "i420",
            &gst::Caps::builder("video/x-raw")
                .field("format", "I420")
                .build(),
        )?;
        let out = capsfilter("bytestream", &self.codec.src_caps())?;
        let chain = [&down, &conv, &i420, &enc, &out];
        bin.add_many(chain).map_err(|e| e.to_string())?;
        gst::Element::link_many(chain).map_err(|e| e.to_string())?;
        if let (Some(d), Some(o)) = (down.static_pad("sink"), out.static_pad("src")) {
            sink.set_target(Some(&d)).map_err(|e| e.to_string())?;
            src.set_target(Some(&o)).map_err(|e| e.to_string())?;
        }
        Ok(enc)
    }

    fn set_property(&self, value: &glib::Value, pspec: &glib::ParamSpec) {
        {
            let mut s = lock(&self.settings);
            match pspec.name() {
                "bitrate" => s.bitrate = value.get().unwrap_or(4_000_000),
                "iframeinterval" => s.iframeinterval = value.get().unwrap_or(30),
                "preset-level" => {
                    s.preset_level = crate::accepted::enum_int(value).unwrap_or(1) as u32
                }
                _ => {
                    self.accepted.set(pspec, value);
                    return;
                }
            }
        }
        if let Some(Ok(enc)) = self.encoder.get() {
            self.apply(enc);
        }
    }

    fn property(&self, pspec: &glib::ParamSpec) -> glib::Value {
        let s = lock(&self.settings);
        match pspec.name() {
            "bitrate" => s.bitrate.to_value(),
            "iframeinterval" => s.iframeinterval.to_value(),
            "preset-level" => crate::accepted::enum_value(pspec, s.preset_level as i32),
            _ => self.accepted.get(pspec),
        }
    }

    /// The error message for a missing software encoder, if any.
    fn missing(&self) -> Option<String> {
        match self.encoder.get() {
            Some(Ok(_)) => None,
            Some(Err(missing)) => {
                let (factory, package) = self.codec.encoder();
                Some(if missing == factory {
                    format!(
                        "{}: the open encoder needs the GStreamer element '{factory}' from \
                         {package}, which is not installed",
                        self.codec.factory()
                    )
                } else {
                    format!(
                        "{}: cannot build the encoder: '{missing}' is not available",
                        self.codec.factory()
                    )
                })
            }
            None => Some(format!("{}: not constructed", self.codec.factory())),
        }
    }
}

/// Defines one encoder bin type.
macro_rules! encoder_bin {
    ($imp_mod:ident, $wrapper:ident, $type_name:literal, $codec:expr, $long:literal, $doc:literal) => {
        glib::wrapper! {
            #[doc = $doc]
            pub(crate) struct $wrapper(ObjectSubclass<$imp_mod::Imp>)
                @extends gst::Bin, gst::Element, gst::Object;
        }

        mod $imp_mod {
            use super::*;

            pub(crate) struct Imp {
                core: EncCore,
            }

            impl Default for Imp {
                fn default() -> Self {
                    Imp {
                        core: EncCore::new($codec),
                    }
                }
            }

            #[glib::object_subclass]
            impl ObjectSubclass for Imp {
                const NAME: &'static str = $type_name;
                type Type = super::$wrapper;
                type ParentType = gst::Bin;
            }

            impl ObjectImpl for Imp {
                fn properties() -> &'static [glib::ParamSpec] {
                    static PROPS: LazyLock<Vec<glib::ParamSpec>> =
                        LazyLock::new(|| enc_properties($codec.factory()));
                    PROPS.as_ref()
                }
                fn set_property(&self, _id: usize, value: &glib::Value, pspec: &glib::ParamSpec) {
                    self.core.set_property(value, pspec);
                }
                fn property(&self, _id: usize, pspec: &glib::ParamSpec) -> glib::Value {
                    self.core.property(pspec)
                }
                fn constructed(&self) {
                    self.parent_constructed();
                    self.core.construct(self.obj().upcast_ref());
                }
            }

            impl GstObjectImpl for Imp {}

            impl ElementImpl for Imp {
                fn metadata() -> Option<&'static gst::subclass::ElementMetadata> {
                    static META: LazyLock<gst::subclass::ElementMetadata> = LazyLock::new(|| {
                        gst::subclass::ElementMetadata::new(
                            $long,
                            "Codec/Encoder/Video",
                            "Encodes NVMM or plain video on the CPU (x264enc/x265enc)",
                            "deepstream-rs",
                        )
                    });
                    Some(&*META)
                }

                fn pad_templates() -> &'static [gst::PadTemplate] {
                    static TEMPLATES: LazyLock<Vec<gst::PadTemplate>> =
                        LazyLock::new(|| $codec.templates());
                    TEMPLATES.as_ref()
                }

                fn change_state(
                    &self,
                    transition: gst::StateChange,
                ) -> Result<gst::StateChangeSuccess, gst::StateChangeError> {
                    if transition == gst::StateChange::NullToReady {
                        if let Some(msg) = self.core.missing() {
                            gst::element_imp_error!(self, gst::CoreError::MissingPlugin, ("{msg}"));
                            return Err(gst::StateChangeError);
                        }
                    }
                    self.parent_change_state(transition)
                }
            }

            impl BinImpl for Imp {}
        }
    };
}

encoder_bin!(
    h264_imp,
    NvV4l2H264Enc,
    "DsOpenNvV4l2H264Enc",
    Codec::H264,
    "H.264 encoder (open nvv4l2h264enc)",
    "`nvv4l2h264enc`: NVMM video to H.264 byte-stream through x264enc."
);

encoder_bin!(
    h265_imp,
    NvV4l2H265Enc,
    "DsOpenNvV4l2H265Enc",
    Codec::H265,
    "H.265 encoder (open nvv4l2h265enc)",
    "`nvv4l2h265enc`: NVMM video to H.265 byte-stream through x265enc."
);
