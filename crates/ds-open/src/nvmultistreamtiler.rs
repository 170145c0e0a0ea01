//! `nvmultistreamtiler` (open implementation): composites the frames of a
//! batched NVMM buffer into one 2D grid ("tiled display").
//!
//! Input: a `video/x-raw(memory:NVMM)` buffer holding a batch of any size
//! (as `nvstreammux` produces it) with its `NvDsBatchMeta`. Output: an NVMM
//! buffer holding a batch of one frame of `width` x `height`, in the input's
//! pixel format (NV12, RGBA and the other [`crate::caps::FORMATS`]), black
//! where no source is shown.
//!
//! # Placement
//! The frame whose `source_id` is `s` goes into tile `s`: row
//! `s / columns`, column `s % columns`, scaled (without keeping the aspect
//! ratio, as DeepStream does) to the tile size `width / columns` x
//! `height / rows` (rounded down to even sizes for 4:2:0 formats). A buffer
//! without batch meta places frame `i` of the surface into tile `i`. With
//! `show-source` >= 0 only the frame of that source is drawn, scaled to the
//! whole output.
//!
//! # Metadata
//! The batch meta is kept (deep-copied onto the output buffer) and
//! rewritten for the single output surface:
//! - every object's `rect_params` and `text_params` offsets, and every
//!   display meta's rects, label offsets, lines, arrows and circles are
//!   mapped from frame coordinates to output coordinates (circle radii are
//!   scaled by the smaller of the two scale factors; border and line widths
//!   and font sizes are kept). `detector_bbox_info` / `tracker_bbox_info`
//!   stay in source-frame coordinates;
//! - every frame meta's `batch_id` is set to 0: all frames now draw on the
//!   one surface of the output batch (what `nvdsosd` downstream needs);
//! - frame metas of sources that are not shown (source id beyond
//!   `rows * columns`, or not `show-source`) are **removed** from the batch,
//!   so that their objects are not drawn at wrong places.
//!
//! # Properties
//! `rows` (uint, 1), `columns` (uint, 1), `width` (uint, 1920), `height`
//! (uint, 1080), `show-source` (int, -1 = all tiles), and `gpu-id`,
//! `nvbuf-memory-type`, `compute-hw`, which are accepted and ignored (the
//! work is done on the CPU).
//!
//! # Differences from NVIDIA's element
//! The tiler runs on the CPU with nearest-neighbour scaling; it does not
//! handle navigation events (clicking a tile to show one source), and the
//! output keeps the input's format instead of allowing a conversion.
//! `width` and `height` take NVIDIA's range, but an output side above
//! 16384 pixels fails the start with one error.
use crate::caps::{self, VideoDesc};
use crate::convert::{convert_rect, fill_rect, Image, ImageMut, Rect};
use crate::surface_pool::SurfacePool;
use ds_core::planes::{SurfaceMut, SurfaceRef};
use ds_core::BatchMeta;
use glib::prelude::*;
use glib::subclass::prelude::*;
use gst::prelude::*;
use gst::subclass::prelude::*;
use gst_base::subclass::base_transform::{InputBuffer, PrepareOutputBufferSuccess};

/// The largest output side the open tiler draws. `width` and `height`
/// accept NVIDIA's range (16 to `u32::MAX`); a larger value fails the
/// READY to PAUSED change with one error instead of allocating the frame.
const MAX_SIDE: u32 = 16384;
use gst_base::subclass::prelude::*;
use gstreamer as gst;
use gstreamer_base as gst_base;

glib::wrapper! {
    /// The `nvmultistreamtiler` element.
    pub(crate) struct NvMultiStreamTiler(ObjectSubclass<imp::NvMultiStreamTiler>)
        @extends gst_base::BaseTransform, gst::Element, gst::Object;
}

/// Registers the element(s) of this module.
pub(crate) fn register(plugin: Option<&gst::Plugin>) -> Result<(), glib::BoolError> {
    gst::Element::register(
        plugin,
        "nvmultistreamtiler",
        gst::Rank::PRIMARY,
        NvMultiStreamTiler::static_type(),
    )
}

/// Grid geometry of the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Layout {
    width: u32,
    height: u32,
    rows: u32,
    columns: u32,
    show_source: i32,
    tile_w: u32,
    tile_h: u32,
}

impl Layout {
    fn new(s: &imp::Settings, desc: &VideoDesc) -> Layout {
        let (width, height) = (desc.width, desc.height);
        let rows = s.rows.max(1);
        let columns = s.columns.max(1);
        let mut tile_w = width / columns;
        let mut tile_h = height / rows;
        if matches!(
            desc.format,
            crate::convert::PixelFormat::Nv12 | crate::convert::PixelFormat::I420
        ) {
            // 4:2:0 chroma needs even tile edges.
            tile_w &= !1;
            tile_h &= !1;
        }
        Layout {
            width,
            height,
            rows,
            columns,
            show_source: s.show_source,
            tile_w,
            tile_h,
        }
    }

    /// Where the frame of `source_id` goes, if it is shown.
    fn dst_rect(&self, source_id: u32) -> Option<Rect> {
        if self.show_source >= 0 {
            return (source_id == self.show_source as u32).then_some(Rect::new(
                0,
                0,
                self.width,
                self.height,
            ));
        }
        let tiles = u64::from(self.rows) * u64::from(self.columns);
        if u64::from(source_id) >= tiles {
            return None;
        }
        let row = source_id / self.columns;
        let col = source_id % self.columns;
        Some(Rect::new(
            col * self.tile_w,
            row * self.tile_h,
            self.tile_w,
            self.tile_h,
        ))
    }
}

/// Maps frame coordinates of a `src_w` x `src_h` frame into `dst`.
#[derive(Debug, Clone, Copy)]
struct Mapping {
    ox: f32,
    oy: f32,
    sx: f32,
    sy: f32,
}

impl Mapping {
    fn new(src_w: u32, src_h: u32, dst: Rect) -> Mapping {
        Mapping {
            ox: dst.x as f32,
            oy: dst.y as f32,
            sx: dst.w as f32 / src_w.max(1) as f32,
            sy: dst.h as f32 / src_h.max(1) as f32,
        }
    }
    fn x(&self, x: f32) -> f32 {
        self.ox + x * self.sx
    }
    fn y(&self, y: f32) -> f32 {
        self.oy + y * self.sy
    }
    fn xu(&self, x: u32) -> u32 {
        self.x(x as f32).round().max(0.0) as u32
    }
    fn yu(&self, y: u32) -> u32 {
        self.y(y as f32).round().max(0.0) as u32
    }
    fn rect(&self, r: &mut ds_sys::NvOSD_RectParams) {
        r.left = self.x(r.left);
        r.top = self.y(r.top);
        r.width *= self.sx;
        r.height *= self.sy;
    }
}

/// Rewrites the metadata of one frame for the tiled output.
fn map_frame_meta(frame: &mut ds_core::FrameMeta, m: &Mapping) {
    for obj in frame.objects_mut() {
        m.rect(obj.rect_params_mut());
        let t = obj.text_params_mut();
        let (x, y) = t.offsets();
        t.set_offsets(m.xu(x), m.yu(y));
    }
    for d in frame.display_metas_mut() {
        for r in d.rects_mut() {
            m.rect(r);
        }
        for t in d.labels_mut() {
            let (x, y) = t.offsets();
            t.set_offsets(m.xu(x), m.yu(y));
        }
        for l in d.lines_mut() {
            (l.x1, l.y1, l.x2, l.y2) = (m.xu(l.x1), m.yu(l.y1), m.xu(l.x2), m.yu(l.y2));
        }
        for a in d.arrows_mut() {
            (a.x1, a.y1, a.x2, a.y2) = (m.xu(a.x1), m.yu(a.y1), m.xu(a.x2), m.yu(a.y2));
        }
        for c in d.circles_mut() {
            c.xc = m.xu(c.xc);
            c.yc = m.yu(c.yc);
            c.radius = (c.radius as f32 * m.sx.min(m.sy)).round() as u32;
        }
    }
    frame.set_batch_id(0);
}

/// `(surface index, destination)` of every frame drawn from `inbuf`.
fn placements(inbuf: &gst::BufferRef, num_filled: u32, layout: &Layout) -> Vec<(u32, Rect)> {
    match BatchMeta::from_buffer(inbuf) {
        Some(batch) => batch
            .frames()
            .filter(|f| f.batch_id() < num_filled)
            .filter_map(|f| Some((f.batch_id(), layout.dst_rect(f.source_id())?)))
            .collect(),
        None => (0..num_filled)
            .filter_map(|i| Some((i, layout.dst_rect(i)?)))
            .collect(),
    }
}

mod imp {
    use super::*;
    use std::sync::{LazyLock, Mutex, MutexGuard};

    pub(super) static CAT: LazyLock<gst::DebugCategory> = LazyLock::new(|| {
        gst::DebugCategory::new(
            "nvmultistreamtiler",
            gst::DebugColorFlags::empty(),
            Some("open nvmultistreamtiler"),
        )
    });

    fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
        m.lock().unwrap_or_else(|e| e.into_inner())
    }

    #[derive(Debug, Clone)]
    pub(crate) struct Settings {
        pub(crate) rows: u32,
        pub(crate) columns: u32,
        pub(crate) width: u32,
        pub(crate) height: u32,
        pub(crate) gpu_id: u32,
        pub(crate) show_source: i32,
    }

    impl Default for Settings {
        fn default() -> Self {
            Settings {
                rows: 1,
                columns: 1,
                width: 1920,
                height: 1080,
                gpu_id: 0,
                show_source: -1,
            }
        }
    }

    #[derive(Debug, Clone, Copy)]
    struct State {
        layout: Layout,
        out: VideoDesc,
    }

    #[derive(Default)]
    pub(crate) struct NvMultiStreamTiler {
        /// NVIDIA properties accepted and kept (see `crate::accepted`).
        accepted: crate::accepted::Store,
        settings: Mutex<Settings>,
        state: Mutex<Option<State>>,
        /// Output surfaces, reused once downstream frees them.
        pool: SurfacePool,
    }

    #[glib::object_subclass]
    impl ObjectSubclass for NvMultiStreamTiler {
        const NAME: &'static str = "DsOpenNvMultiStreamTiler";
        type Type = super::NvMultiStreamTiler;
        type ParentType = gst_base::BaseTransform;
    }

    impl ObjectImpl for NvMultiStreamTiler {
        fn properties() -> &'static [glib::ParamSpec] {
            static PROPS: LazyLock<Vec<glib::ParamSpec>> = LazyLock::new(|| {
                let mut v = vec![
                    glib::ParamSpecUInt::builder("rows")
                        .nick("Rows")
                        .blurb("Number of rows of the grid")
                        .minimum(1)
                        .default_value(1)
                        .mutable_ready()
                        .build(),
                    glib::ParamSpecUInt::builder("columns")
                        .nick("Columns")
                        .blurb("Number of columns of the grid")
                        .minimum(1)
                        .default_value(1)
                        .mutable_ready()
                        .build(),
                    glib::ParamSpecUInt::builder("width")
                        .nick("Width")
                        .blurb("Width of the tiled output in pixels")
                        .minimum(16)
                        .default_value(1920)
                        .mutable_ready()
                        .build(),
                    glib::ParamSpecUInt::builder("height")
                        .nick("Height")
                        .blurb("Height of the tiled output in pixels")
                        .minimum(16)
                        .default_value(1080)
                        .mutable_ready()
                        .build(),
                    glib::ParamSpecUInt::builder("gpu-id")
                        .nick("GPU id")
                        .blurb("GPU to use (accepted, ignored: the open tiler runs on the CPU)")
                        .build(),
                    glib::ParamSpecInt::builder("show-source")
                        .nick("Show source")
                        .blurb("Source id shown alone full-size; -1 shows all tiles")
                        .minimum(-1)
                        .default_value(-1)
                        .mutable_playing()
                        .build(),
                ];
                let extra = crate::accepted::extra_specs(&["nvmultistreamtiler"], &v);
                v.extend(extra);
                v
            });
            PROPS.as_ref()
        }

        fn set_property(&self, _id: usize, value: &glib::Value, pspec: &glib::ParamSpec) {
            let mut s = lock(&self.settings);
            match pspec.name() {
                "rows" => s.rows = value.get().unwrap_or(1),
                "columns" => s.columns = value.get().unwrap_or(1),
                "width" => s.width = value.get().unwrap_or(1920),
                "height" => s.height = value.get().unwrap_or(1080),
                "gpu-id" => s.gpu_id = value.get().unwrap_or(0),
                "show-source" => {
                    s.show_source = value.get().unwrap_or(-1);
                    let show = s.show_source;
                    drop(s);
                    if let Some(st) = lock(&self.state).as_mut() {
                        st.layout.show_source = show;
                    }
                }
                _ => self.accepted.set(pspec, value),
            }
        }

        fn property(&self, _id: usize, pspec: &glib::ParamSpec) -> glib::Value {
            let s = lock(&self.settings);
            match pspec.name() {
                "rows" => s.rows.to_value(),
                "columns" => s.columns.to_value(),
                "width" => s.width.to_value(),
                "height" => s.height.to_value(),
                "gpu-id" => s.gpu_id.to_value(),
                "show-source" => s.show_source.to_value(),
                _ => self.accepted.get(pspec),
            }
        }
    }

    impl GstObjectImpl for NvMultiStreamTiler {}

    impl ElementImpl for NvMultiStreamTiler {
        fn metadata() -> Option<&'static gst::subclass::ElementMetadata> {
            static META: LazyLock<gst::subclass::ElementMetadata> = LazyLock::new(|| {
                gst::subclass::ElementMetadata::new(
                    "Stream Tiler DS (open)",
                    "Generic",
                    "Tile input multistream buffer into a 2D array",
                    "deepstream-rs",
                )
            });
            Some(&*META)
        }

        fn pad_templates() -> &'static [gst::PadTemplate] {
            static TEMPLATES: LazyLock<Vec<gst::PadTemplate>> = LazyLock::new(|| {
                let caps = caps::nvmm_caps(caps::FORMATS);
                [gst::PadDirection::Src, gst::PadDirection::Sink]
                    .into_iter()
                    .map(|dir| {
                        let name = if dir == gst::PadDirection::Src {
                            "src"
                        } else {
                            "sink"
                        };
                        gst::PadTemplate::new(name, dir, gst::PadPresence::Always, &caps)
                            .expect("static pad template is valid")
                    })
                    .collect()
            });
            TEMPLATES.as_ref()
        }
    }

    impl BaseTransformImpl for NvMultiStreamTiler {
        const MODE: gst_base::subclass::BaseTransformMode =
            gst_base::subclass::BaseTransformMode::NeverInPlace;
        const PASSTHROUGH_ON_SAME_CAPS: bool = false;
        const TRANSFORM_IP_ON_PASSTHROUGH: bool = false;

        fn start(&self) -> Result<(), gst::ErrorMessage> {
            let (w, h) = {
                let s = lock(&self.settings);
                (s.width, s.height)
            };
            if w > MAX_SIDE || h > MAX_SIDE {
                return Err(gst::error_msg!(
                    gst::LibraryError::Settings,
                    ("nvmultistreamtiler: output {w}x{h} is larger than the {MAX_SIDE} pixels a side the open tiler draws")
                ));
            }
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
            let (w, h) = {
                let s = lock(&self.settings);
                (s.width, s.height)
            };
            // ANY (a peer without restrictions) stands for every NVMM format.
            let any;
            let caps = if caps.is_any() {
                any = caps::nvmm_caps(caps::FORMATS);
                &any
            } else {
                caps
            };
            let mut out = gst::Caps::new_empty();
            {
                let out = out.get_mut()?;
                for (s, f) in caps.iter_with_features() {
                    let mut s = s.to_owned();
                    if direction == gst::PadDirection::Sink {
                        s.set("width", w.min(MAX_SIDE) as i32);
                        s.set("height", h.min(MAX_SIDE) as i32);
                    } else {
                        s.set("width", gst::IntRange::new(1, i32::MAX));
                        s.set("height", gst::IntRange::new(1, i32::MAX));
                    }
                    s.remove_field("pixel-aspect-ratio");
                    out.append_structure_full(s, Some(f.to_owned()));
                }
            }
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
            let inp = VideoDesc::from_caps(incaps)
                .ok_or_else(|| gst::loggable_error!(CAT, "unsupported input caps {incaps}"))?;
            let out = VideoDesc::from_caps(outcaps)
                .ok_or_else(|| gst::loggable_error!(CAT, "unsupported output caps {outcaps}"))?;
            if !caps::caps_are_nvmm(incaps) || !caps::caps_are_nvmm(outcaps) {
                return Err(gst::loggable_error!(
                    CAT,
                    "nvmultistreamtiler needs NVMM caps"
                ));
            }
            if inp.format != out.format {
                return Err(gst::loggable_error!(
                    CAT,
                    "output format {} differs from input {}",
                    out.format.caps_name(),
                    inp.format.caps_name()
                ));
            }
            let layout = Layout::new(&lock(&self.settings), &out);
            *lock(&self.state) = Some(State { layout, out });
            Ok(())
        }

        fn prepare_output_buffer(
            &self,
            inbuf: InputBuffer,
        ) -> Result<PrepareOutputBufferSuccess, gst::FlowError> {
            let inbuf: &gst::BufferRef = match inbuf {
                InputBuffer::Readable(b) => b,
                InputBuffer::Writable(b) => b,
            };
            let Some(state) = *lock(&self.state) else {
                gst::element_imp_error!(
                    self,
                    gst::CoreError::Negotiation,
                    ("nvmultistreamtiler: buffer before caps were negotiated")
                );
                return Err(gst::FlowError::NotNegotiated);
            };
            let out = state.out;
            let mut batch = self
                .pool
                .acquire(1, out.width, out.height, out.format.nvbuf())
                .map_err(|e| self.surface_error("allocating the output surface", e))?;
            batch
                .set_num_filled(1)
                .map_err(|e| self.surface_error("allocating the output surface", e))?;
            {
                let mut planes = batch
                    .planes_mut(0)
                    .map_err(|e| self.surface_error("mapping the output surface", e))?;
                if let Some(mut img) = ImageMut::from_planes(&mut planes) {
                    fill_rect(&mut img, Rect::new(0, 0, out.width, out.height), [0, 0, 0]);
                }
            }
            let mut outbuf = batch.into_buffer();
            let outref = outbuf.get_mut().ok_or(gst::FlowError::Error)?;
            let _ = inbuf.copy_into(
                outref,
                gst::BufferCopyFlags::FLAGS | gst::BufferCopyFlags::TIMESTAMPS,
                ..,
            );

            if let Some(batch) = BatchMeta::from_buffer(inbuf) {
                // Frame sizes, by surface index, for the coordinate mapping.
                let surf = SurfaceRef::from_buffer(inbuf)
                    .map_err(|e| self.surface_error("reading the input surface", e))?;
                let sizes: Vec<(u32, u32)> = (0..surf.num_filled())
                    .map(|i| {
                        surf.frame(i)
                            .map(|f| (f.width(), f.height()))
                            .unwrap_or((1, 1))
                    })
                    .collect();
                drop(surf);
                let copy = batch.try_copy().map_err(|e| {
                    gst::element_imp_error!(
                        self,
                        gst::StreamError::Failed,
                        ("nvmultistreamtiler: copying the batch meta failed: {e}")
                    );
                    gst::FlowError::Error
                })?;
                let Ok(meta) = copy.attach(outref) else {
                    gst::element_imp_error!(
                        self,
                        gst::StreamError::Failed,
                        ("nvmultistreamtiler: attaching the batch meta failed")
                    );
                    return Err(gst::FlowError::Error);
                };
                let layout = state.layout;
                let shown = |f: &ds_core::FrameMeta| {
                    (f.batch_id() as usize) < sizes.len()
                        && layout.dst_rect(f.source_id()).is_some()
                };
                let removed = meta.retain_frames(shown);
                if removed > 0 {
                    gst::trace!(CAT, imp = self, "dropped {removed} frame metas not shown");
                }
                for mut frame in meta.frames_mut() {
                    let size = sizes.get(frame.batch_id() as usize);
                    if let (Some(&(sw, sh)), Some(dst)) = (size, layout.dst_rect(frame.source_id()))
                    {
                        map_frame_meta(&mut frame, &Mapping::new(sw, sh, dst));
                    }
                }
            }
            ds_core::latency::record_input(outref, &*self.obj());
            Ok(PrepareOutputBufferSuccess::Buffer(outbuf))
        }

        fn transform(
            &self,
            inbuf: &gst::Buffer,
            outbuf: &mut gst::BufferRef,
        ) -> Result<gst::FlowSuccess, gst::FlowError> {
            let Some(state) = *lock(&self.state) else {
                return Err(gst::FlowError::NotNegotiated);
            };
            let src = SurfaceRef::from_buffer(inbuf)
                .map_err(|e| self.surface_error("reading the input surface", e))?;
            let places = placements(inbuf, src.num_filled(), &state.layout);
            let mut dst_surf = SurfaceMut::from_buffer(outbuf)
                .map_err(|e| self.surface_error("writing the output surface", e))?;
            let mut dst_frame = dst_surf
                .frame_mut(0)
                .map_err(|e| self.surface_error("mapping the output surface", e))?;
            let Some(mut dst) = ImageMut::from_planes(&mut dst_frame) else {
                return Err(self.format_error());
            };
            for (index, rect) in places {
                let frame = src
                    .frame(index)
                    .map_err(|e| self.surface_error("mapping an input frame", e))?;
                let Some(img) = Image::from_planes(&frame) else {
                    return Err(self.format_error());
                };
                let full = Rect::new(0, 0, img.width, img.height);
                convert_rect(&img, full, &mut dst, rect);
            }
            drop(dst_frame);
            drop(dst_surf);
            ds_core::latency::record_output(outbuf, &*self.obj());
            Ok(gst::FlowSuccess::Ok)
        }
    }

    impl NvMultiStreamTiler {
        fn surface_error(&self, what: &str, e: ds_core::surface::SurfaceError) -> gst::FlowError {
            gst::element_imp_error!(
                self,
                gst::StreamError::Failed,
                ("nvmultistreamtiler: {what}: {e}")
            );
            gst::FlowError::Error
        }

        fn format_error(&self) -> gst::FlowError {
            gst::element_imp_error!(
                self,
                gst::StreamError::Format,
                ("nvmultistreamtiler: unsupported surface colour format")
            );
            gst::FlowError::Error
        }
    }
}
