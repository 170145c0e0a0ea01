//! `nvvideoconvert` (open implementation): pixel-format conversion,
//! scaling and cropping of DeepStream buffers on the CPU.
//!
//! Pads: `video/x-raw(memory:NVMM)` and plain `video/x-raw` on both sides,
//! formats NV12, I420, RGBA, BGRA, RGBx, BGRx, RGB, BGR, GRAY8
//! ([`crate::caps::FORMATS`]).
//!
//! - NVMM in, NVMM out: every filled frame of the batch is converted to the
//!   output format and size; batch size and `numFilled` are kept.
//! - plain in, NVMM out: a batch of one frame (how decoder output enters a
//!   DeepStream pipeline).
//! - NVMM in, plain out: frame 0 of a one-frame batch (a batch with more
//!   than one filled frame is an error, as NVIDIA's element refuses it).
//! - plain in, plain out also works.
//!
//! Caps: format, size and the NVMM feature may change; when downstream
//! leaves them open the input's format, size and frame rate are kept (so
//! `nvvideoconvert ! video/x-raw(memory:NVMM),format=RGBA` keeps the size).
//! Equal caps without crops pass buffers through untouched unless
//! `disable-passthrough` is set.
//!
//! Metadata: timestamps, flags and the `NvDsBatchMeta` (`NvDsMeta`) are
//! copied to the output buffer (GstBaseTransform skips tagged metas by
//! default; this element keeps `NvDsMeta`). Memory/video-layout metas are
//! not copied, since the output has its own layout.
//!
//! Properties:
//! - `gpu-id` (uint): accepted, ignored (CPU).
//! - `nvbuf-memory-type` (int 0..4, NVIDIA's `NvBufSurfaceMemType` values):
//!   accepted, ignored: output surfaces are system memory. NVIDIA's is an
//!   enum; set it with `set_property_from_str("nvbuf-memory-type", "3")`
//!   to work with both.
//! - `src-crop`, `dest-crop` (string `left:top:width:height`, default
//!   `0:0:0:0` = whole frame): the source rectangle read and the destination
//!   rectangle written (the rest of the destination is black). A malformed
//!   string or a rectangle outside the frame is an element error.
//! - `interpolation-method` (int 0..6): 0 = nearest, every other value
//!   bilinear (NVIDIA's GPU/VIC filters 2..6 are not reproduced).
//! - `compute-hw` (int 0..2): accepted, ignored.
//! - `disable-passthrough` (bool): convert even when caps are equal.
//!
//! Differences from NVIDIA's element: CPU only; YUV is BT.601 limited
//! range; 4:2:0 chroma is replicated at equal size and sampled bilinearly
//! when scaling.
use crate::caps::{self, VideoDesc};
use crate::convert::{self, Image, ImageMut, Interpolation, Rect};
use gst::glib;
use gst::prelude::*;
use gst::subclass::prelude::*;
use gst_base::prelude::*;
use gst_base::subclass::prelude::*;
use gstreamer as gst;
use gstreamer_base as gst_base;
use gstreamer_video as gst_video;

glib::wrapper! {
    /// The open `nvvideoconvert` element.
    pub(crate) struct NvVideoConvert(ObjectSubclass<imp::NvVideoConvert>)
        @extends gst_base::BaseTransform, gst::Element, gst::Object;
}

/// Registers `nvvideoconvert`.
pub(crate) fn register(plugin: Option<&gst::Plugin>) -> Result<(), glib::BoolError> {
    gst::Element::register(
        plugin,
        "nvvideoconvert",
        gst::Rank::NONE,
        NvVideoConvert::static_type(),
    )
}

/// Parses `left:top:width:height`; `Ok(None)` for an empty rectangle
/// (`0:0:0:0`, the default: the whole frame).
fn parse_crop(s: &str) -> Result<Option<Rect>, String> {
    let parts: Vec<&str> = s.trim().split(':').collect();
    let bad = || format!("'{s}' is not left:top:width:height (four unsigned integers)");
    if parts.len() != 4 {
        return Err(bad());
    }
    let mut v = [0u32; 4];
    for (o, p) in v.iter_mut().zip(&parts) {
        *o = p.trim().parse().map_err(|_| bad())?;
    }
    if v[2] == 0 || v[3] == 0 {
        return Ok(None);
    }
    Ok(Some(Rect::new(v[0], v[1], v[2], v[3])))
}

/// Checks that `r` lies inside a `w` x `h` frame.
fn crop_inside(name: &str, r: Option<Rect>, w: u32, h: u32) -> Result<(), String> {
    match r {
        Some(r)
            if u64::from(r.x) + u64::from(r.w) > u64::from(w)
                || u64::from(r.y) + u64::from(r.h) > u64::from(h) =>
        {
            Err(format!(
                "{name} {}:{}:{}:{} lies outside the {w}x{h} frame",
                r.x, r.y, r.w, r.h
            ))
        }
        _ => Ok(()),
    }
}

mod imp {
    use super::*;
    use crate::surface_pool::SurfacePool;
    use ds_core::planes::{SurfaceMut, SurfaceRef};
    use std::sync::{LazyLock, Mutex, MutexGuard};

    static CAT: LazyLock<gst::DebugCategory> = LazyLock::new(|| {
        gst::DebugCategory::new(
            "nvvideoconvert",
            gst::DebugColorFlags::empty(),
            Some("open nvvideoconvert"),
        )
    });

    #[derive(Debug, Clone)]
    struct Settings {
        gpu_id: u32,
        src_crop: String,
        dest_crop: String,
        interpolation: i32,
        disable_passthrough: bool,
    }

    impl Default for Settings {
        fn default() -> Self {
            Settings {
                gpu_id: 0,
                src_crop: "0:0:0:0".into(),
                dest_crop: "0:0:0:0".into(),
                interpolation: 1,
                disable_passthrough: false,
            }
        }
    }

    /// What one buffer needs from the settings.
    #[derive(Debug, Clone, Copy)]
    struct Job {
        src_crop: Option<Rect>,
        dest_crop: Option<Rect>,
        interp: Interpolation,
    }

    impl Settings {
        fn job(&self) -> Result<Job, String> {
            Ok(Job {
                src_crop: parse_crop(&self.src_crop).map_err(|e| format!("src-crop: {e}"))?,
                dest_crop: parse_crop(&self.dest_crop).map_err(|e| format!("dest-crop: {e}"))?,
                interp: if self.interpolation == 0 {
                    Interpolation::Nearest
                } else {
                    Interpolation::Bilinear
                },
            })
        }
    }

    #[derive(Debug, Clone)]
    struct State {
        in_nvmm: bool,
        in_info: Option<gst_video::VideoInfo>,
        output: VideoDesc,
        out_nvmm: bool,
        out_info: Option<gst_video::VideoInfo>,
    }

    #[derive(Default)]
    pub(crate) struct NvVideoConvert {
        /// NVIDIA properties accepted and kept (see `crate::accepted`).
        accepted: crate::accepted::Store,
        settings: Mutex<Settings>,
        state: Mutex<Option<State>>,
        /// NVMM output batches, reused once downstream frees them.
        pool: SurfacePool,
    }

    fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
        m.lock().unwrap_or_else(|e| e.into_inner())
    }

    #[glib::object_subclass]
    impl ObjectSubclass for NvVideoConvert {
        const NAME: &'static str = "DsOpenNvVideoConvert";
        type Type = super::NvVideoConvert;
        type ParentType = gst_base::BaseTransform;
    }

    impl ObjectImpl for NvVideoConvert {
        fn properties() -> &'static [glib::ParamSpec] {
            static PROPS: LazyLock<Vec<glib::ParamSpec>> = LazyLock::new(|| {
                let mut v = vec![
                    glib::ParamSpecUInt::builder("gpu-id")
                        .nick("GPU id")
                        .blurb("GPU device id (ignored: the open backend converts on the CPU)")
                        .build(),
                    glib::ParamSpecString::builder("src-crop")
                        .nick("Source crop")
                        .blurb("Source rectangle left:top:width:height (0:0:0:0 = whole frame)")
                        .default_value(Some("0:0:0:0"))
                        .build(),
                    glib::ParamSpecString::builder("dest-crop")
                        .nick("Destination crop")
                        .blurb(
                            "Destination rectangle left:top:width:height the picture is scaled \
                             into, the rest black (0:0:0:0 = whole frame)",
                        )
                        .default_value(Some("0:0:0:0"))
                        .build(),
                    crate::accepted::enum_spec(
                        "nvvideoconvert",
                        "interpolation-method",
                        "0 nearest; 1..6 (bilinear, NVIDIA's algorithms, default) bilinear",
                    ),
                    glib::ParamSpecBoolean::builder("disable-passthrough")
                        .nick("Disable passthrough")
                        .blurb("Convert (copy) buffers even when input and output caps are equal")
                        .default_value(false)
                        .build(),
                ];
                let extra = crate::accepted::extra_specs(&["nvvideoconvert"], &v);
                v.extend(extra);
                v
            });
            PROPS.as_ref()
        }

        fn set_property(&self, _id: usize, value: &glib::Value, pspec: &glib::ParamSpec) {
            let mut s = lock(&self.settings);
            match pspec.name() {
                "gpu-id" => s.gpu_id = value.get().unwrap_or(0),
                "src-crop" | "dest-crop" => {
                    let v: String = value
                        .get::<Option<String>>()
                        .ok()
                        .flatten()
                        .unwrap_or_else(|| "0:0:0:0".into());
                    if let Err(e) = parse_crop(&v) {
                        gst::warning!(CAT, imp = self, "{}: {e}", pspec.name());
                    }
                    if pspec.name() == "src-crop" {
                        s.src_crop = v;
                    } else {
                        s.dest_crop = v;
                    }
                    drop(s);
                    // Crops disable passthrough; caps are re-checked.
                    self.obj().set_passthrough(false);
                    self.obj().reconfigure_src();
                }
                "interpolation-method" => {
                    s.interpolation = crate::accepted::enum_int(value).unwrap_or(1)
                }
                "disable-passthrough" => {
                    s.disable_passthrough = value.get().unwrap_or(false);
                    drop(s);
                    self.obj().reconfigure_src();
                }
                _ => self.accepted.set(pspec, value),
            }
        }

        fn property(&self, _id: usize, pspec: &glib::ParamSpec) -> glib::Value {
            let s = lock(&self.settings);
            match pspec.name() {
                "gpu-id" => s.gpu_id.to_value(),
                "src-crop" => s.src_crop.to_value(),
                "dest-crop" => s.dest_crop.to_value(),
                "interpolation-method" => crate::accepted::enum_value(pspec, s.interpolation),
                "disable-passthrough" => s.disable_passthrough.to_value(),
                _ => self.accepted.get(pspec),
            }
        }
    }

    impl GstObjectImpl for NvVideoConvert {}

    impl ElementImpl for NvVideoConvert {
        fn metadata() -> Option<&'static gst::subclass::ElementMetadata> {
            static META: LazyLock<gst::subclass::ElementMetadata> = LazyLock::new(|| {
                gst::subclass::ElementMetadata::new(
                    "NvVidConv Plugin (open)",
                    "Filter/Converter/Video/Scaler",
                    "Converts video from one colorspace to another & Resizes",
                    "deepstream-rs",
                )
            });
            Some(&*META)
        }

        fn pad_templates() -> &'static [gst::PadTemplate] {
            static TEMPLATES: LazyLock<Vec<gst::PadTemplate>> = LazyLock::new(|| {
                let mut c = caps::nvmm_caps(caps::FORMATS);
                c.get_mut()
                    .expect("new caps are writable")
                    .append(caps::raw_caps(caps::FORMATS));
                let mk = |name, dir| {
                    gst::PadTemplate::new(name, dir, gst::PadPresence::Always, &c)
                        .expect("valid pad template")
                };
                vec![
                    mk("sink", gst::PadDirection::Sink),
                    mk("src", gst::PadDirection::Src),
                ]
            });
            TEMPLATES.as_ref()
        }
    }

    impl BaseTransformImpl for NvVideoConvert {
        const MODE: gst_base::subclass::BaseTransformMode =
            gst_base::subclass::BaseTransformMode::NeverInPlace;
        const PASSTHROUGH_ON_SAME_CAPS: bool = false;
        const TRANSFORM_IP_ON_PASSTHROUGH: bool = false;

        fn start(&self) -> Result<(), gst::ErrorMessage> {
            lock(&self.settings).job().map_err(|e| {
                gst::error_msg!(gst::LibraryError::Settings, ("nvvideoconvert: {e}"))
            })?;
            Ok(())
        }

        fn stop(&self) -> Result<(), gst::ErrorMessage> {
            *lock(&self.state) = None;
            self.pool.clear();
            Ok(())
        }

        fn transform_caps(
            &self,
            direction: gst::PadDirection,
            caps: &gst::Caps,
            filter: Option<&gst::Caps>,
        ) -> Option<gst::Caps> {
            let mut same = gst::Caps::new_empty();
            let mut other = gst::Caps::new_empty();
            {
                for (s, f) in caps.iter_with_features() {
                    let mut s = s.to_owned();
                    s.remove_fields(["format", "colorimetry", "chroma-site"]);
                    s.set("format", gst::List::new(caps::FORMATS.iter().copied()));
                    s.set("width", gst::IntRange::new(1, i32::MAX));
                    s.set("height", gst::IntRange::new(1, i32::MAX));
                    if s.has_field("pixel-aspect-ratio") {
                        s.set(
                            "pixel-aspect-ratio",
                            gst::FractionRange::new(
                                gst::Fraction::new(1, i32::MAX),
                                gst::Fraction::new(i32::MAX, 1),
                            ),
                        );
                    }
                    let nvmm = caps::is_nvmm(f);
                    let feat = |n: bool| {
                        if n {
                            gst::CapsFeatures::new([caps::NVMM])
                        } else {
                            gst::CapsFeatures::new_empty()
                        }
                    };
                    // The same memory first: preferred when both fit.
                    same.merge_structure_full(s.clone(), Some(feat(nvmm)));
                    other.merge_structure_full(s, Some(feat(!nvmm)));
                }
            }
            same.merge(other);
            gst::debug!(CAT, imp = self, "{direction:?}: {caps} -> {same}");
            Some(match filter {
                Some(f) => f.intersect_with_mode(&same, gst::CapsIntersectMode::First),
                None => same,
            })
        }

        fn fixate_caps(
            &self,
            direction: gst::PadDirection,
            caps: &gst::Caps,
            othercaps: gst::Caps,
        ) -> gst::Caps {
            let mut othercaps = othercaps;
            othercaps.truncate();
            let ins = caps.structure(0);
            if let Some(s) = othercaps.make_mut().structure_mut(0) {
                let Some(ins) = ins else {
                    othercaps.fixate();
                    return othercaps;
                };
                if let Ok(fmt) = ins.get::<&str>("format") {
                    s.fixate_field_str("format", fmt);
                }
                let in_w = ins.get::<i32>("width").ok();
                let in_h = ins.get::<i32>("height").ok();
                if let (Some(w), Some(h)) = (in_w, in_h) {
                    let w_fixed = s.get::<i32>("width").ok();
                    let h_fixed = s.get::<i32>("height").ok();
                    match (w_fixed, h_fixed) {
                        // One side imposed downstream: keep the aspect ratio.
                        (Some(ow), None) => {
                            let th = (i64::from(h) * i64::from(ow) / i64::from(w.max(1))).max(1);
                            s.fixate_field_nearest_int(
                                "height",
                                th.min(i64::from(i32::MAX)) as i32,
                            );
                        }
                        (None, Some(oh)) => {
                            let tw = (i64::from(w) * i64::from(oh) / i64::from(h.max(1))).max(1);
                            s.fixate_field_nearest_int("width", tw.min(i64::from(i32::MAX)) as i32);
                        }
                        _ => {
                            s.fixate_field_nearest_int("width", w);
                            s.fixate_field_nearest_int("height", h);
                        }
                    }
                }
                if let Ok(fps) = ins.get::<gst::Fraction>("framerate") {
                    if s.has_field("framerate") {
                        s.fixate_field_nearest_fraction("framerate", fps);
                    } else {
                        s.set("framerate", fps);
                    }
                }
                if s.has_field("pixel-aspect-ratio") {
                    let par = ins
                        .get::<gst::Fraction>("pixel-aspect-ratio")
                        .unwrap_or(gst::Fraction::new(1, 1));
                    s.fixate_field_nearest_fraction("pixel-aspect-ratio", par);
                }
            }
            othercaps.fixate();
            gst::debug!(
                CAT,
                imp = self,
                "fixated {direction:?} {caps} -> {othercaps}"
            );
            othercaps
        }

        fn set_caps(
            &self,
            incaps: &gst::Caps,
            outcaps: &gst::Caps,
        ) -> Result<(), gst::LoggableError> {
            let desc = |c: &gst::Caps| {
                VideoDesc::from_caps(c)
                    .ok_or_else(|| gst::loggable_error!(CAT, "unsupported caps {c}"))
            };
            let (input, output) = (desc(incaps)?, desc(outcaps)?);
            let (in_nvmm, out_nvmm) = (caps::caps_are_nvmm(incaps), caps::caps_are_nvmm(outcaps));
            let info = |nvmm: bool, c: &gst::Caps| -> Result<_, gst::LoggableError> {
                if nvmm {
                    return Ok(None);
                }
                gst_video::VideoInfo::from_caps(c)
                    .map(Some)
                    .map_err(|_| gst::loggable_error!(CAT, "bad video caps {c}"))
            };
            let in_info = info(in_nvmm, incaps)?;
            let out_info = info(out_nvmm, outcaps)?;
            let settings = lock(&self.settings).clone();
            let checked = settings.job().and_then(|j| {
                crop_inside("src-crop", j.src_crop, input.width, input.height)?;
                crop_inside("dest-crop", j.dest_crop, output.width, output.height)?;
                Ok(j)
            });
            let job = match checked {
                Ok(j) => j,
                Err(e) => {
                    gst::element_imp_error!(
                        self,
                        gst::LibraryError::Settings,
                        ("nvvideoconvert: {}", e)
                    );
                    return Err(gst::loggable_error!(CAT, "invalid crop: {e}"));
                }
            };
            let passthrough = incaps.is_strictly_equal(outcaps)
                && job.src_crop.is_none()
                && job.dest_crop.is_none()
                && !settings.disable_passthrough;
            self.obj().set_passthrough(passthrough);
            gst::info!(
                CAT,
                imp = self,
                "{incaps} -> {outcaps}{}",
                if passthrough { " (passthrough)" } else { "" }
            );
            *lock(&self.state) = Some(State {
                in_nvmm,
                in_info,
                output,
                out_nvmm,
                out_info,
            });
            Ok(())
        }

        fn propose_allocation(
            &self,
            decide_query: Option<&gst::query::Allocation>,
            query: &mut gst::query::Allocation,
        ) -> Result<(), gst::LoggableError> {
            // Upstream may then hand us strided plain frames (video meta).
            let _ = self.parent_propose_allocation(decide_query, query);
            let (caps, _) = query.get();
            if caps.is_some_and(|c| !caps::caps_are_nvmm(c)) {
                query.add_allocation_meta::<gst_video::VideoMeta>(None);
            }
            Ok(())
        }

        fn transform_meta<'a>(
            &self,
            outbuf: &mut gst::BufferRef,
            meta: gst::MetaRef<'a, gst::Meta>,
            inbuf: &'a gst::BufferRef,
        ) -> bool {
            // NvDsMeta is tagged ("nvdsmeta"), which the default refuses.
            meta.api().name() == "NvDsMetaAPI" || self.parent_transform_meta(outbuf, meta, inbuf)
        }

        fn prepare_output_buffer(
            &self,
            inbuf: gst_base::subclass::base_transform::InputBuffer,
        ) -> Result<gst_base::subclass::base_transform::PrepareOutputBufferSuccess, gst::FlowError>
        {
            use gst_base::subclass::base_transform::{InputBuffer, PrepareOutputBufferSuccess};
            if self.obj().is_passthrough() {
                return Ok(PrepareOutputBufferSuccess::InputBuffer);
            }
            let inbuf: &gst::BufferRef = match inbuf {
                InputBuffer::Readable(b) => b,
                InputBuffer::Writable(b) => b,
            };
            let Some(state) = lock(&self.state).clone() else {
                gst::element_imp_error!(
                    self,
                    gst::CoreError::Negotiation,
                    ("nvvideoconvert: buffer before caps")
                );
                return Err(gst::FlowError::NotNegotiated);
            };
            let (batch_size, filled) = if state.in_nvmm {
                let s = SurfaceRef::from_buffer(inbuf).map_err(|e| {
                    gst::element_imp_error!(
                        self,
                        gst::StreamError::Format,
                        ("nvvideoconvert: input is not an NvBufSurface buffer: {}", e)
                    );
                    gst::FlowError::Error
                })?;
                (s.batch_size().max(1), s.num_filled())
            } else {
                (1, 1)
            };
            if state.in_nvmm && !state.out_nvmm && filled > 1 {
                gst::element_imp_error!(
                    self,
                    gst::StreamError::Format,
                    (
                        "nvvideoconvert: NVMM to system memory converts one frame; the input \
                         batch has {} filled frames (put nvmultistreamtiler or \
                         nvstreamdemux before it)",
                        filled
                    )
                );
                return Err(gst::FlowError::Error);
            }
            let mut out = if state.out_nvmm {
                let o = state.output;
                let batch = self
                    .pool
                    .acquire(batch_size, o.width, o.height, o.format.nvbuf())
                    .and_then(|mut b| b.set_num_filled(filled.min(batch_size)).map(|_| b))
                    .map_err(|e| {
                        gst::element_imp_error!(
                            self,
                            gst::ResourceError::NoSpaceLeft,
                            ("nvvideoconvert: cannot allocate the output surface: {}", e)
                        );
                        gst::FlowError::Error
                    })?;
                batch.into_buffer()
            } else {
                let size = state.out_info.as_ref().map_or(0, |i| i.size());
                gst::Buffer::with_size(size).map_err(|_| gst::FlowError::Error)?
            };
            {
                let outref = out.get_mut().ok_or(gst::FlowError::Error)?;
                self.copy_metadata(inbuf, outref).map_err(|e| {
                    e.log_with_imp(self);
                    gst::FlowError::Error
                })?;
            }
            Ok(PrepareOutputBufferSuccess::Buffer(out))
        }

        fn transform(
            &self,
            inbuf: &gst::Buffer,
            outbuf: &mut gst::BufferRef,
        ) -> Result<gst::FlowSuccess, gst::FlowError> {
            ds_core::latency::record_input(outbuf, &*self.obj());
            let state = lock(&self.state)
                .clone()
                .ok_or(gst::FlowError::NotNegotiated)?;
            let job = lock(&self.settings).job().map_err(|e| {
                gst::element_imp_error!(
                    self,
                    gst::LibraryError::Settings,
                    ("nvvideoconvert: {}", e)
                );
                gst::FlowError::Error
            })?;
            let fail = |what: String| {
                gst::element_imp_error!(
                    self,
                    gst::StreamError::Format,
                    ("nvvideoconvert: {}", what)
                );
                gst::FlowError::Error
            };
            if state.in_nvmm {
                let surf =
                    SurfaceRef::from_buffer(inbuf).map_err(|e| fail(format!("input: {e}")))?;
                let n = if state.out_nvmm {
                    surf.num_filled()
                } else {
                    surf.num_filled().min(1)
                };
                if state.out_nvmm {
                    let mut out = SurfaceMut::from_buffer(outbuf)
                        .map_err(|e| fail(format!("output: {e}")))?;
                    for i in 0..n {
                        let frame = surf
                            .frame(i)
                            .map_err(|e| fail(format!("input frame {i}: {e}")))?;
                        let src = Image::from_planes(&frame)
                            .ok_or_else(|| fail(format!("input frame {i}: unsupported format")))?;
                        let mut of = out
                            .frame_mut(i)
                            .map_err(|e| fail(format!("output frame {i}: {e}")))?;
                        let mut dst = ImageMut::from_planes(&mut of)
                            .ok_or_else(|| fail(format!("output frame {i}: unsupported format")))?;
                        self.convert_one(&src, &mut dst, job).map_err(fail)?;
                    }
                } else if n == 1 {
                    let frame = surf
                        .frame(0)
                        .map_err(|e| fail(format!("input frame 0: {e}")))?;
                    let src = Image::from_planes(&frame)
                        .ok_or_else(|| fail("input frame 0: unsupported format".into()))?;
                    self.convert_to_plain(&src, outbuf, &state, job, &fail)?;
                }
            } else {
                let info = state
                    .in_info
                    .as_ref()
                    .ok_or(gst::FlowError::NotNegotiated)?;
                let vf = gst_video::VideoFrameRef::from_buffer_ref_readable(inbuf.as_ref(), info)
                    .map_err(|_| fail("cannot map the input frame".into()))?;
                let src = Image::from_video_frame(&vf)
                    .ok_or_else(|| fail("unsupported input format".into()))?;
                if state.out_nvmm {
                    let mut out = SurfaceMut::from_buffer(outbuf)
                        .map_err(|e| fail(format!("output: {e}")))?;
                    let mut of = out
                        .frame_mut(0)
                        .map_err(|e| fail(format!("output frame: {e}")))?;
                    let mut dst = ImageMut::from_planes(&mut of)
                        .ok_or_else(|| fail("unsupported output format".into()))?;
                    self.convert_one(&src, &mut dst, job).map_err(fail)?;
                } else {
                    self.convert_to_plain(&src, outbuf, &state, job, &fail)?;
                }
            }
            ds_core::latency::record_output(outbuf, &*self.obj());
            Ok(gst::FlowSuccess::Ok)
        }
    }

    impl NvVideoConvert {
        fn convert_to_plain(
            &self,
            src: &Image<'_>,
            outbuf: &mut gst::BufferRef,
            state: &State,
            job: Job,
            fail: &dyn Fn(String) -> gst::FlowError,
        ) -> Result<(), gst::FlowError> {
            let info = state
                .out_info
                .as_ref()
                .ok_or(gst::FlowError::NotNegotiated)?;
            let mut vf = gst_video::VideoFrameRef::from_buffer_ref_writable(outbuf, info)
                .map_err(|_| fail("cannot map the output frame".into()))?;
            let mut dst = ImageMut::from_video_frame(&mut vf)
                .ok_or_else(|| fail("unsupported output format".into()))?;
            self.convert_one(src, &mut dst, job).map_err(fail)
        }

        /// Converts one frame, applying the crops.
        fn convert_one(
            &self,
            src: &Image<'_>,
            dst: &mut ImageMut<'_>,
            job: Job,
        ) -> Result<(), String> {
            let full_src = Rect::new(0, 0, src.width, src.height);
            let full_dst = Rect::new(0, 0, dst.width, dst.height);
            let sr = job.src_crop.unwrap_or(full_src);
            let dr = job.dest_crop.unwrap_or(full_dst);
            crop_inside("src-crop", job.src_crop, src.width, src.height)?;
            crop_inside("dest-crop", job.dest_crop, dst.width, dst.height)?;
            if dr != full_dst {
                convert::fill_rect(dst, full_dst, [0, 0, 0]);
            }
            convert::try_convert_rect_with(src, sr, dst, dr, job.interp).map_err(|e| e.to_string())
        }
    }
}
