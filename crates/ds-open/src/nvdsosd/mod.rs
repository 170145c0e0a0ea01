//! `nvdsosd` (open implementation): draws DeepStream's on-screen display
//! onto RGBA frames, in place, on the CPU.
//!
//! For every frame meta of the buffer's `NvDsBatchMeta` it draws, onto the
//! frame `batch_id` of the buffer's `NvBufSurface`, in DeepStream's order:
//! 1. rectangles: every object's `rect_params`, then every display meta's
//!    `rect_params[num_rects]` (border `border_width` wide centred on the
//!    box edges, optional `bg_color` fill when `has_bg_color`);
//! 2. text: every object's `text_params` with a `display_text`, then every
//!    display meta's `text_params[num_labels]`, then the clock;
//!    top-left corner at (`x_offset`, `y_offset`), optional background box
//!    fitting the text (`set_bg_clr` / `text_bg_clr`);
//! 3. `line_params[num_lines]`, 4. `arrow_params[num_arrows]`,
//! 5. `circle_params[num_circles]` of every display meta.
//!
//! Colours are `NvOSD_ColorParams` (0..1 doubles) and blend with their
//! alpha. Everything is clipped to the frame.
//!
//! Text uses the bundled DejaVu fonts (`font_name` "Serif…" → DejaVu Serif,
//! anything else → DejaVu Sans); `font_size` is in points at 96 DPI, as
//! Pango renders it in DeepStream: the em is `font_size * 4 / 3` pixels and
//! a line is ≈ 1.16 em high (Serif 12 → 16 px em, 19 px line).
//!
//! Caps: `video/x-raw(memory:NVMM), format=RGBA` (batched surfaces), and
//! plain `video/x-raw, format=RGBA` for convenience (there only frame
//! metas with `batch_id` 0 are drawn). Buffers without batch meta pass
//! through untouched (unless the clock is shown).
//!
//! Properties:
//! - `display-text` (bool, default true): draw labels (and the clock).
//! - `display-bbox` (bool, default true): draw rectangles (objects' and
//!   display metas', as DeepStream does).
//! - `display-clock` (bool, default false): draw the local time `hh:mm:ss`
//!   at `x-clock-offset` / `y-clock-offset` (uint, default 0) with
//!   `clock-font` (string, default "Serif"), `clock-font-size` (uint,
//!   default 12) and `clock-color` (uint `0xRRGGBBAA`, default red
//!   `0xff0000ff`).
//! - `display-mask` (bool, default false), `process-mode` (int 0 CPU,
//!   1 GPU, 2 VIC/auto; default 1), `gpu-id` (uint): accepted for
//!   compatibility.
//!
//! Differences from NVIDIA's element: drawing is always on the CPU
//! whatever `process-mode` says; instance masks (`display-mask`) are not
//! drawn; `process-mode` is an int rather than an enum; circle outlines are
//! 2 px wide (DeepStream 7.1's `NvOSD_CircleParams` has no width); arrow
//! heads are `max(4 * arrow_width, 10)` px long; only the two bundled
//! families exist (no fontconfig); a frame whose memory is shared with
//! another buffer (e.g. after a `tee`) cannot be written and is passed on
//! undrawn with a warning (NVIDIA's draws into the shared surface).
mod draw;
mod font;

use gstreamer as gst;
use gstreamer_base as gst_base;
use gstreamer_video as gst_video;

use glib::prelude::*;
use glib::subclass::prelude::*;
use gst::subclass::prelude::*;
use gst_base::subclass::prelude::*;
use gst_video::prelude::*;

glib::wrapper! {
    /// The open `nvdsosd` element.
    pub(crate) struct NvDsOsd(ObjectSubclass<imp::NvDsOsd>)
        @extends gst_base::BaseTransform, gst::Element, gst::Object;
}

/// Registers `nvdsosd` (rank primary).
pub(crate) fn register(plugin: Option<&gst::Plugin>) -> Result<(), glib::BoolError> {
    gst::Element::register(
        plugin,
        "nvdsosd",
        gst::Rank::PRIMARY,
        NvDsOsd::static_type(),
    )
}

mod imp {
    use super::draw::{Canvas, Rgba};
    use super::font::{Family, Layout, TextRenderer};
    use super::*;
    use crate::caps;
    use std::ops::Range;
    use std::sync::{LazyLock, Mutex, MutexGuard};

    static CAT: LazyLock<gst::DebugCategory> = LazyLock::new(|| {
        gst::DebugCategory::new(
            "nvdsosd",
            gst::DebugColorFlags::empty(),
            Some("open nvdsosd"),
        )
    });

    /// Circle outline width in pixels (7.1's `NvOSD_CircleParams` has none).
    const CIRCLE_WIDTH: f32 = 2.0;

    #[derive(Debug, Clone)]
    struct Settings {
        display_text: bool,
        display_bbox: bool,
        display_clock: bool,
        display_mask: bool,
        gpu_id: u32,
        clock_font: String,
        clock_font_size: u32,
        x_clock_offset: u32,
        y_clock_offset: u32,
        clock_color: u32,
    }

    impl Default for Settings {
        fn default() -> Self {
            Settings {
                display_text: true,
                display_bbox: true,
                display_clock: false,
                display_mask: false,
                gpu_id: 0,
                clock_font: "Serif".to_owned(),
                clock_font_size: 12,
                x_clock_offset: 0,
                y_clock_offset: 0,
                clock_color: 0xff00_00ff,
            }
        }
    }

    /// One thing to draw (text is a range of `State::text`).
    #[derive(Debug, Clone)]
    enum Op {
        Rect(ds_sys::NvOSD_RectParams),
        Text {
            text: Range<usize>,
            x: u32,
            y: u32,
            family: Family,
            size: u32,
            color: Rgba,
            bg: Option<Rgba>,
        },
        Line {
            x1: u32,
            y1: u32,
            x2: u32,
            y2: u32,
            width: u32,
            color: Rgba,
        },
        Arrow {
            x1: u32,
            y1: u32,
            x2: u32,
            y2: u32,
            width: u32,
            head: i32,
            color: Rgba,
        },
        Circle {
            xc: u32,
            yc: u32,
            radius: u32,
            color: Rgba,
            bg: Option<Rgba>,
        },
    }

    /// The ops of one frame (`ops[range]`).
    #[derive(Debug, Clone)]
    struct Plan {
        batch_id: u32,
        ops: Range<usize>,
    }

    #[derive(Debug, Default)]
    struct State {
        /// `None` until caps are set; `Some(None)` for NVMM, `Some(info)`
        /// for system-memory RGBA.
        video: Option<Option<gst_video::VideoInfo>>,
        renderer: TextRenderer,
        layout: Layout,
        plans: Vec<Plan>,
        ops: Vec<Op>,
        text: String,
        warned_shared: bool,
    }

    #[derive(Default)]
    pub(crate) struct NvDsOsd {
        /// NVIDIA properties accepted and kept (see `crate::accepted`).
        accepted: crate::accepted::Store,
        settings: Mutex<Settings>,
        state: Mutex<State>,
    }

    impl NvDsOsd {
        fn settings(&self) -> MutexGuard<'_, Settings> {
            self.settings.lock().unwrap_or_else(|e| e.into_inner())
        }

        fn state(&self) -> MutexGuard<'_, State> {
            self.state.lock().unwrap_or_else(|e| e.into_inner())
        }
    }

    #[glib::object_subclass]
    impl ObjectSubclass for NvDsOsd {
        const NAME: &'static str = "GstNvDsOsd";
        type Type = super::NvDsOsd;
        type ParentType = gst_base::BaseTransform;
    }

    impl ObjectImpl for NvDsOsd {
        fn properties() -> &'static [glib::ParamSpec] {
            static PROPS: LazyLock<Vec<glib::ParamSpec>> = LazyLock::new(|| {
                let mut v = vec![
                    glib::ParamSpecBoolean::builder("display-text")
                        .nick("text")
                        .blurb("Whether to display text")
                        .default_value(true)
                        .build(),
                    glib::ParamSpecBoolean::builder("display-bbox")
                        .nick("bbox")
                        .blurb("Whether to display bounding boxes")
                        .default_value(true)
                        .build(),
                    glib::ParamSpecBoolean::builder("display-clock")
                        .nick("clock")
                        .blurb("Whether to display clock")
                        .default_value(false)
                        .build(),
                    glib::ParamSpecBoolean::builder("display-mask")
                        .nick("mask")
                        .blurb("Whether to display instance mask (accepted, not drawn)")
                        .default_value(false)
                        .build(),
                    glib::ParamSpecUInt::builder("gpu-id")
                        .nick("Set GPU Device ID")
                        .blurb("Set GPU Device ID (accepted, unused)")
                        .default_value(0)
                        .build(),
                    glib::ParamSpecString::builder("clock-font")
                        .nick("clock-font")
                        .blurb("Clock Font to be set")
                        .default_value(Some("Serif"))
                        .build(),
                    glib::ParamSpecUInt::builder("clock-font-size")
                        .nick("clock-font-size")
                        .blurb("font size of the clock")
                        .maximum(60)
                        .default_value(12)
                        .build(),
                    glib::ParamSpecUInt::builder("x-clock-offset")
                        .nick("x-clock-offset")
                        .blurb("x-clock-offset")
                        .build(),
                    glib::ParamSpecUInt::builder("y-clock-offset")
                        .nick("y-clock-offset")
                        .blurb("y-clock-offset")
                        .build(),
                    glib::ParamSpecUInt::builder("clock-color")
                        .nick("clock-color")
                        .blurb("clock-color as 0xRRGGBBAA")
                        .default_value(0xff00_00ff)
                        .build(),
                ];
                let extra = crate::accepted::extra_specs(&["nvdsosd"], &v);
                v.extend(extra);
                v
            });
            PROPS.as_ref()
        }

        fn set_property(&self, _id: usize, value: &glib::Value, pspec: &glib::ParamSpec) {
            let mut s = self.settings();
            match pspec.name() {
                "display-text" => s.display_text = value.get().unwrap_or(true),
                "display-bbox" => s.display_bbox = value.get().unwrap_or(true),
                "display-clock" => s.display_clock = value.get().unwrap_or(false),
                "display-mask" => s.display_mask = value.get().unwrap_or(false),
                "gpu-id" => s.gpu_id = value.get().unwrap_or(0),
                "clock-font" => {
                    s.clock_font = value
                        .get::<Option<String>>()
                        .ok()
                        .flatten()
                        .unwrap_or_else(|| "Serif".to_owned())
                }
                "clock-font-size" => s.clock_font_size = value.get().unwrap_or(12),
                "x-clock-offset" => s.x_clock_offset = value.get().unwrap_or(0),
                "y-clock-offset" => s.y_clock_offset = value.get().unwrap_or(0),
                "clock-color" => s.clock_color = value.get().unwrap_or(0xff00_00ff),
                _ => self.accepted.set(pspec, value),
            }
        }

        fn property(&self, _id: usize, pspec: &glib::ParamSpec) -> glib::Value {
            let s = self.settings();
            match pspec.name() {
                "display-text" => s.display_text.to_value(),
                "display-bbox" => s.display_bbox.to_value(),
                "display-clock" => s.display_clock.to_value(),
                "display-mask" => s.display_mask.to_value(),
                "gpu-id" => s.gpu_id.to_value(),
                "clock-font" => s.clock_font.to_value(),
                "clock-font-size" => s.clock_font_size.to_value(),
                "x-clock-offset" => s.x_clock_offset.to_value(),
                "y-clock-offset" => s.y_clock_offset.to_value(),
                "clock-color" => s.clock_color.to_value(),
                // Only the properties above are installed.
                _ => self.accepted.get(pspec),
            }
        }
    }

    impl GstObjectImpl for NvDsOsd {}

    impl ElementImpl for NvDsOsd {
        fn metadata() -> Option<&'static gst::subclass::ElementMetadata> {
            static META: LazyLock<gst::subclass::ElementMetadata> = LazyLock::new(|| {
                gst::subclass::ElementMetadata::new(
                    "NvDsOsd plugin (open)",
                    "NvDsOsd functionality",
                    "Gstreamer bounding box draw element",
                    "deepstream-rs",
                )
            });
            Some(&*META)
        }

        fn pad_templates() -> &'static [gst::PadTemplate] {
            static TEMPLATES: LazyLock<Vec<gst::PadTemplate>> = LazyLock::new(|| {
                let mut caps = caps::nvmm_caps(&["RGBA"]);
                caps.merge(caps::raw_caps(&["RGBA"]));
                [gst::PadDirection::Src, gst::PadDirection::Sink]
                    .into_iter()
                    .filter_map(|dir| {
                        let name = if dir == gst::PadDirection::Src {
                            "src"
                        } else {
                            "sink"
                        };
                        gst::PadTemplate::new(name, dir, gst::PadPresence::Always, &caps).ok()
                    })
                    .collect()
            });
            TEMPLATES.as_ref()
        }
    }

    impl BaseTransformImpl for NvDsOsd {
        const MODE: gst_base::subclass::BaseTransformMode =
            gst_base::subclass::BaseTransformMode::AlwaysInPlace;
        const PASSTHROUGH_ON_SAME_CAPS: bool = false;
        const TRANSFORM_IP_ON_PASSTHROUGH: bool = false;

        fn set_caps(
            &self,
            incaps: &gst::Caps,
            _outcaps: &gst::Caps,
        ) -> Result<(), gst::LoggableError> {
            let desc = caps::VideoDesc::from_caps(incaps)
                .ok_or_else(|| gst::loggable_error!(CAT, "unsupported caps {incaps}"))?;
            if desc.format != crate::convert::PixelFormat::Rgba {
                return Err(gst::loggable_error!(
                    CAT,
                    "nvdsosd draws on RGBA only, got {incaps}"
                ));
            }
            let video = if caps::caps_are_nvmm(incaps) {
                None
            } else {
                Some(
                    gst_video::VideoInfo::from_caps(incaps)
                        .map_err(|e| gst::loggable_error!(CAT, "bad caps {incaps}: {e}"))?,
                )
            };
            self.state().video = Some(video);
            Ok(())
        }

        fn stop(&self) -> Result<(), gst::ErrorMessage> {
            let mut st = self.state();
            st.video = None;
            st.warned_shared = false;
            Ok(())
        }

        fn transform_ip(
            &self,
            buf: &mut gst::BufferRef,
        ) -> Result<gst::FlowSuccess, gst::FlowError> {
            ds_core::latency::record_input(buf, &*self.obj());
            let result = self.draw_batch(buf);
            ds_core::latency::record_output(buf, &*self.obj());
            result
        }
    }

    impl NvDsOsd {
        fn draw_nvmm(
            &self,
            buf: &mut gst::BufferRef,
            st: &mut State,
        ) -> Result<gst::FlowSuccess, gst::FlowError> {
            let mut surface = match ds_core::planes::SurfaceMut::from_buffer(buf) {
                Ok(s) => s,
                Err(ds_core::surface::SurfaceError::SharedMemory) => {
                    if !st.warned_shared {
                        st.warned_shared = true;
                        gst::element_imp_warning!(
                            self,
                            gst::StreamError::Failed,
                            ("buffer memory is shared with another buffer (tee before \
                              nvdsosd?): frames are passed on without OSD")
                        );
                    }
                    return Ok(gst::FlowSuccess::Ok);
                }
                Err(e) => {
                    gst::element_imp_error!(
                        self,
                        gst::StreamError::Format,
                        ("input is not a DeepStream RGBA surface: {}", e)
                    );
                    return Err(gst::FlowError::Error);
                }
            };
            let State {
                renderer,
                layout,
                plans,
                ops,
                text,
                ..
            } = st;
            let filled = surface.num_filled().max(1).min(surface.batch_size());
            for plan in plans.iter() {
                if plan.ops.is_empty() {
                    continue;
                }
                if plan.batch_id >= filled {
                    gst::warning!(
                        CAT,
                        imp = self,
                        "frame meta batch_id {} outside the surface ({} frames): skipped",
                        plan.batch_id,
                        filled
                    );
                    continue;
                }
                let mut frame = match surface.frame_mut(plan.batch_id) {
                    Ok(f) => f,
                    Err(e) => {
                        gst::element_imp_error!(
                            self,
                            gst::ResourceError::Failed,
                            ("cannot map frame {}: {}", plan.batch_id, e)
                        );
                        return Err(gst::FlowError::Error);
                    }
                };
                if frame.format() != ds_sys::NVBUF_COLOR_FORMAT_RGBA {
                    gst::element_imp_error!(
                        self,
                        gst::StreamError::Format,
                        (
                            "nvdsosd draws on RGBA surfaces only (frame {} has colour format {})",
                            plan.batch_id,
                            frame.format()
                        )
                    );
                    return Err(gst::FlowError::NotNegotiated);
                }
                let Some(plane) = frame.plane_mut(0) else {
                    continue;
                };
                let (w, h, pitch, _) = plane.geometry();
                let Some(mut canvas) = Canvas::new(plane.data_mut(), w, h, pitch as usize) else {
                    gst::element_imp_error!(
                        self,
                        gst::StreamError::Format,
                        ("frame {} has an inconsistent geometry", plan.batch_id)
                    );
                    return Err(gst::FlowError::Error);
                };
                render(&mut canvas, &ops[plan.ops.clone()], text, renderer, layout);
            }
            Ok(gst::FlowSuccess::Ok)
        }

        fn draw_raw(
            &self,
            buf: &mut gst::BufferRef,
            info: &gst_video::VideoInfo,
            st: &mut State,
        ) -> Result<gst::FlowSuccess, gst::FlowError> {
            let mut frame = match gst_video::VideoFrameRef::from_buffer_ref_writable(buf, info) {
                Ok(f) => f,
                Err(e) => {
                    gst::element_imp_error!(
                        self,
                        gst::ResourceError::Failed,
                        ("cannot map the RGBA frame: {}", e)
                    );
                    return Err(gst::FlowError::Error);
                }
            };
            let (w, h) = (frame.width(), frame.height());
            let stride = frame.plane_stride()[0].max(0) as usize;
            let Ok(data) = frame.plane_data_mut(0) else {
                gst::element_imp_error!(self, gst::ResourceError::Failed, ("no RGBA plane"));
                return Err(gst::FlowError::Error);
            };
            let Some(mut canvas) = Canvas::new(data, w, h, stride) else {
                gst::element_imp_error!(
                    self,
                    gst::StreamError::Format,
                    ("the RGBA frame is smaller than its caps say")
                );
                return Err(gst::FlowError::Error);
            };
            let State {
                renderer,
                layout,
                plans,
                ops,
                text,
                ..
            } = st;
            for plan in plans.iter().filter(|p| p.batch_id == 0) {
                render(&mut canvas, &ops[plan.ops.clone()], text, renderer, layout);
            }
            Ok(gst::FlowSuccess::Ok)
        }
    }

    impl NvDsOsd {
        /// The element's work on one batch (between the latency records).
        fn draw_batch(&self, buf: &mut gst::BufferRef) -> Result<gst::FlowSuccess, gst::FlowError> {
            let settings = self.settings().clone();
            let mut guard = self.state();
            let st = &mut *guard;
            let Some(video) = st.video.clone() else {
                gst::element_imp_error!(self, gst::CoreError::Negotiation, ("no caps set"));
                return Err(gst::FlowError::NotNegotiated);
            };
            collect(buf, &settings, st);
            if st.plans.iter().all(|p| p.ops.is_empty()) {
                return Ok(gst::FlowSuccess::Ok);
            }
            match video {
                None => self.draw_nvmm(buf, st),
                Some(info) => self.draw_raw(buf, &info, st),
            }
        }
    }

    fn bg_of(has: bool, c: &ds_sys::NvOSD_ColorParams) -> Option<Rgba> {
        has.then(|| Rgba::from_params(c))
    }

    /// Appends a text op (text copied into `arena`).
    #[allow(clippy::too_many_arguments)]
    fn push_text(
        ops: &mut Vec<Op>,
        arena: &mut String,
        s: &str,
        x: u32,
        y: u32,
        font_name: Option<&str>,
        size: u32,
        color: Rgba,
        bg: Option<Rgba>,
    ) {
        if s.is_empty() {
            return;
        }
        let start = arena.len();
        arena.push_str(s);
        ops.push(Op::Text {
            text: start..arena.len(),
            x,
            y,
            family: Family::from_name(font_name),
            size,
            color,
            bg,
        });
    }

    fn push_label(ops: &mut Vec<Op>, arena: &mut String, t: &ds_core::TextParams) {
        let Some(s) = t.display_text() else {
            return;
        };
        let raw = t.raw();
        push_text(
            ops,
            arena,
            s,
            raw.x_offset,
            raw.y_offset,
            t.font_name(),
            raw.font_params.font_size,
            Rgba::from_params(&raw.font_params.font_color),
            bg_of(raw.set_bg_clr != 0, &raw.text_bg_clr),
        );
    }

    fn push_rect(ops: &mut Vec<Op>, r: &ds_sys::NvOSD_RectParams) {
        ops.push(Op::Rect(*r));
    }

    /// Reads the batch meta into per-frame draw plans (st.plans / ops /
    /// text), in DeepStream's drawing order.
    fn collect(buf: &gst::BufferRef, settings: &Settings, st: &mut State) {
        st.plans.clear();
        st.ops.clear();
        st.text.clear();
        let clock = (settings.display_clock && settings.display_text).then(|| {
            glib::DateTime::now_local()
                .and_then(|t| t.format("%H:%M:%S"))
                .map(|s| s.to_string())
                .unwrap_or_default()
        });
        let push_clock = |ops: &mut Vec<Op>, arena: &mut String| {
            if let Some(c) = &clock {
                push_text(
                    ops,
                    arena,
                    c,
                    settings.x_clock_offset,
                    settings.y_clock_offset,
                    Some(&settings.clock_font),
                    settings.clock_font_size,
                    Rgba::from_u32(settings.clock_color),
                    None,
                );
            }
        };
        let Some(batch) = ds_core::BatchMeta::from_buffer(buf) else {
            let start = st.ops.len();
            push_clock(&mut st.ops, &mut st.text);
            st.plans.push(Plan {
                batch_id: 0,
                ops: start..st.ops.len(),
            });
            return;
        };
        for frame in batch.frames() {
            let (ops, arena) = (&mut st.ops, &mut st.text);
            let start = ops.len();
            if settings.display_bbox {
                for obj in frame.objects() {
                    push_rect(ops, obj.rect_params());
                }
                for d in frame.display_metas() {
                    for r in d.rects() {
                        push_rect(ops, r);
                    }
                }
            }
            if settings.display_text {
                for obj in frame.objects() {
                    push_label(ops, arena, obj.text_params());
                }
                for d in frame.display_metas() {
                    for t in d.labels() {
                        push_label(ops, arena, t);
                    }
                }
                push_clock(ops, arena);
            }
            for d in frame.display_metas() {
                for l in d.lines() {
                    ops.push(Op::Line {
                        x1: l.x1,
                        y1: l.y1,
                        x2: l.x2,
                        y2: l.y2,
                        width: l.line_width,
                        color: Rgba::from_params(&l.line_color),
                    });
                }
            }
            for d in frame.display_metas() {
                for a in d.arrows() {
                    ops.push(Op::Arrow {
                        x1: a.x1,
                        y1: a.y1,
                        x2: a.x2,
                        y2: a.y2,
                        width: a.arrow_width,
                        head: a.arrow_head,
                        color: Rgba::from_params(&a.arrow_color),
                    });
                }
            }
            for d in frame.display_metas() {
                for c in d.circles() {
                    ops.push(Op::Circle {
                        xc: c.xc,
                        yc: c.yc,
                        radius: c.radius,
                        color: Rgba::from_params(&c.circle_color),
                        bg: bg_of(c.has_bg_color != 0, &c.bg_color),
                    });
                }
            }
            st.plans.push(Plan {
                batch_id: frame.batch_id(),
                ops: start..st.ops.len(),
            });
        }
    }

    /// Where an integer line coordinate sits in continuous coordinates:
    /// odd widths on the pixel centre, even widths on the pixel edge, so
    /// axis-aligned lines are crisp (a 4 px line at y = 225 covers rows
    /// 223..=226, a 3 px one rows 224..=226).
    fn snap(width: u32) -> f32 {
        if width <= 1 || width % 2 == 1 {
            0.5
        } else {
            0.0
        }
    }

    /// Draws `ops` onto one frame.
    fn render(
        canvas: &mut Canvas<'_>,
        ops: &[Op],
        arena: &str,
        renderer: &mut TextRenderer,
        layout: &mut Layout,
    ) {
        for op in ops {
            match op {
                Op::Rect(r) => canvas.draw_rect(r),
                Op::Text {
                    text,
                    x,
                    y,
                    family,
                    size,
                    color,
                    bg,
                } => {
                    let Some(s) = arena.get(text.clone()) else {
                        continue;
                    };
                    renderer.layout(s, *family, *size, layout);
                    canvas.draw_text(renderer, layout, *x as i64, *y as i64, *color, *bg);
                }
                Op::Line {
                    x1,
                    y1,
                    x2,
                    y2,
                    width,
                    color,
                } => {
                    let o = snap(*width);
                    canvas.draw_line(
                        *x1 as f32 + o,
                        *y1 as f32 + o,
                        *x2 as f32 + o,
                        *y2 as f32 + o,
                        *width as f32,
                        *color,
                    )
                }
                Op::Arrow {
                    x1,
                    y1,
                    x2,
                    y2,
                    width,
                    head,
                    color,
                } => {
                    let o = snap(*width);
                    canvas.draw_arrow(
                        *x1 as f32 + o,
                        *y1 as f32 + o,
                        *x2 as f32 + o,
                        *y2 as f32 + o,
                        *width as f32,
                        *head,
                        *color,
                    )
                }
                Op::Circle {
                    xc,
                    yc,
                    radius,
                    color,
                    bg,
                } => canvas.draw_circle(
                    *xc as f32 + 0.5,
                    *yc as f32 + 0.5,
                    *radius as f32,
                    CIRCLE_WIDTH,
                    *color,
                    *bg,
                ),
            }
        }
    }
}
