//! The `nvstreammux` element: a `GstAggregator` with `sink_%u` request pads.
use super::frame::{compose, InputFormat};
use super::timing;
use super::MemoryType;
use crate::caps::{nvmm_caps, raw_caps, VideoDesc, FORMATS};
use crate::convert::PixelFormat;
use crate::surface_pool::SurfacePool;
use ds_core::OwnedBatchMeta;
use gst::glib;
use gst::prelude::*;
use gst::subclass::prelude::*;
use gst_base::prelude::*;
use gst_base::subclass::prelude::*;
use gstreamer as gst;
use gstreamer_base as gst_base;
use std::collections::BTreeMap;
use std::sync::{LazyLock, Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};

static CAT: LazyLock<gst::DebugCategory> = LazyLock::new(|| {
    gst::DebugCategory::new(
        "nvstreammux",
        gst::DebugColorFlags::empty(),
        Some("open nvstreammux"),
    )
});

/// Output formats, preferred first.
const OUT_FORMATS: [PixelFormat; 2] = [PixelFormat::Nv12, PixelFormat::Rgba];

#[derive(Debug, Clone)]
struct Settings {
    batch_size: u32,
    width: u32,
    height: u32,
    batched_push_timeout: i32,
    live_source: bool,
    enable_padding: bool,
    gpu_id: u32,
    nvbuf_memory_type: MemoryType,
    num_surfaces_per_frame: u32,
    buffer_pool_size: u32,
    attach_sys_ts: bool,
    sync_inputs: bool,
    frame_num_reset_on_eos: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            batch_size: 0,
            width: 0,
            height: 0,
            batched_push_timeout: -1,
            live_source: false,
            enable_padding: false,
            gpu_id: 0,
            nvbuf_memory_type: MemoryType::Default,
            num_surfaces_per_frame: 1,
            buffer_pool_size: 4,
            attach_sys_ts: true,
            sync_inputs: false,
            frame_num_reset_on_eos: false,
        }
    }
}

/// What the muxer knows about one sink pad.
#[derive(Debug, Default)]
struct PadState {
    input: Option<InputFormat>,
    frame_num: i32,
    /// The pad this state belongs to: a pad released and requested again
    /// under the same name (the runtime add/delete sample) is a new pad,
    /// and frames taken from the old one are not the new one's.
    pad: Option<gst::Pad>,
    /// The latency of this pad's upstream (0 when it was never live), from
    /// the latency queries; `None` until the first (see `timing`).
    latency: Option<gst::ClockTime>,
    /// Its upstream answered "live" at least once.
    live: bool,
}

#[derive(Debug, Default)]
struct State {
    /// Keyed by pad index (`sink_N` -> N).
    pads: BTreeMap<u32, PadState>,
    /// Pad index the next round-robin pass starts from.
    next_rr: u32,
    /// Negotiated output.
    out: Option<VideoDesc>,
    /// The base class's latency, read before each batch: upstream is
    /// live, and the upstream part of the latency it adds, with ours, to
    /// the next time.
    live: bool,
    upstream_latency: gst::ClockTime,
    /// The pad latencies were queried and hold; false: to query again (as
    /// the base class queries again: a new or released pad, a flush, a new
    /// stream, a latency query from downstream). Not periodically: a query
    /// into a source being rebuilt can wait for it.
    pad_latencies_known: bool,
}

#[derive(Default)]
pub(crate) struct NvStreamMux {
    /// NVIDIA properties accepted and kept (see `crate::accepted`).
    accepted: crate::accepted::Store,
    settings: Mutex<Settings>,
    state: Mutex<State>,
    /// The element's name, taken in `start` for the latency metas: `clip`
    /// runs with an aggregator pad's lock held, and reading the name there
    /// (the object lock) deadlocks against a streaming thread that holds
    /// the object lock and waits for that pad.
    name: Mutex<String>,
    /// Output batches, reused once downstream frees them.
    pool: SurfacePool,
}

/// `sink_N` -> N.
fn pad_index(pad: &gst::Pad) -> Option<u32> {
    pad.name().strip_prefix("sink_")?.parse().ok()
}

/// One frame taken for a batch.
struct Taken {
    index: u32,
    pad: gst::Pad,
    buffer: gst::Buffer,
    running_time: Option<gst::ClockTime>,
}

impl NvStreamMux {
    fn settings(&self) -> Settings {
        self.settings
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Sink pads with their index, in index order.
    fn sink_pads(&self) -> Vec<(u32, gst_base::AggregatorPad)> {
        let mut pads: Vec<_> = self
            .obj()
            .sink_pads()
            .into_iter()
            .filter_map(|p| {
                let index = pad_index(&p)?;
                Some((index, p.downcast::<gst_base::AggregatorPad>().ok()?))
            })
            .collect();
        pads.sort_by_key(|(i, _)| *i);
        pads
    }

    /// Running time of `buffer`'s PTS in `pad`'s segment.
    fn running_time(
        pad: &gst_base::AggregatorPad,
        buffer: &gst::BufferRef,
    ) -> Option<gst::ClockTime> {
        let pts = buffer.pts()?;
        let segment = pad.segment();
        match segment.downcast_ref::<gst::ClockTime>() {
            Some(s) => s.to_running_time(pts),
            None => Some(pts),
        }
    }

    /// The clock's running time now, when there is a clock.
    fn running_time_now(&self) -> Option<gst::ClockTime> {
        let obj = self.obj();
        let now = obj.clock()?.time();
        now.checked_sub(obj.base_time()?)
    }

    /// Queries each sink pad's upstream latency and keeps it (see
    /// `timing`). Never called with the base class's locks held: the
    /// queries go upstream.
    fn refresh_pad_latencies(&self) {
        gst::trace!(CAT, imp = self, "querying pad latencies");
        let per_pad: Vec<(u32, gst::Pad, bool, gst::ClockTime)> = self
            .sink_pads()
            .into_iter()
            .filter_map(|(index, pad)| {
                let mut q = gst::query::Latency::new();
                if !pad.peer_query(&mut q) {
                    return None;
                }
                let (live, min, _) = q.result();
                Some((index, pad.upcast(), live, min))
            })
            .collect();
        let mut state = self.state();
        state.pad_latencies_known = true;
        for (index, pad, live, min) in per_pad {
            if let Some(p) = state
                .pads
                .get_mut(&index)
                .filter(|p| p.pad.as_ref().is_none_or(|p| *p == pad))
            {
                p.latency = Some(timing::pad_latency(p.latency, live, min));
                p.live |= live;
            }
        }
        gst::debug!(
            CAT,
            imp = self,
            "pad latencies {:?}",
            state
                .pads
                .iter()
                .map(|(i, p)| (*i, p.latency))
                .collect::<Vec<_>>()
        );
    }

    /// The base class's latency (it takes its lock: never called under
    /// it): whether it is live and the upstream part that it adds, with
    /// our own, to the next time.
    fn note_base_latency(&self) {
        let total = self.obj().latency();
        let ours = u64::try_from(self.settings().batched_push_timeout)
            .map(gst::ClockTime::from_useconds)
            .unwrap_or(gst::ClockTime::ZERO);
        let mut state = self.state();
        state.live = total.is_some();
        state.upstream_latency = total.map_or(gst::ClockTime::ZERO, |t| t.saturating_sub(ours));
    }

    /// The base class queries upstream latency again (a new pad, a
    /// flush, a new stream): so do we, before the next batch.
    fn latency_changed(&self) {
        self.state().pad_latencies_known = false;
    }

    /// The output frame rate: that of the lowest-numbered pad with caps.
    fn output_fps(state: &State) -> gst::Fraction {
        state
            .pads
            .values()
            .find_map(|p| p.input.as_ref().map(|i| i.desc.fps))
            .unwrap_or_else(|| gst::Fraction::new(0, 1))
    }

    /// A source reached EOS: tell the application and downstream.
    fn source_eos(&self, index: u32) {
        let reset = self.settings().frame_num_reset_on_eos;
        if reset {
            if let Some(p) = self.state().pads.get_mut(&index) {
                p.frame_num = 0;
            }
        }
        gst::debug!(CAT, imp = self, "source {index} reached EOS");
        let obj = self.obj();
        let msg = gst::message::Element::builder(
            gst::Structure::builder("stream-eos")
                .field("stream-id", index)
                .build(),
        )
        .src(&*obj)
        .build();
        let _ = obj.post_message(msg);
        // Downstream, after that source's last batch (NVIDIA's
        // GST_NVEVENT_STREAM_EOS). Only once the stream is set up.
        let src = obj.src_pad();
        if src.sticky_event::<gst::event::Segment>(0).is_some() {
            let ev = gst::event::CustomDownstream::new(
                gst::Structure::builder("nv-stream-eos")
                    .field("source-id", index)
                    .build(),
            );
            let _ = src.push_event(ev);
        }
    }

    /// Live: the pads of `ready` whose frame may join the batch now
    /// (`timing::due`: a file beside a camera does not run ahead of the
    /// clock). When none may: one frame if the base class timed out or
    /// every pad has a frame (a jitter buffer emptied at end-of-stream:
    /// the oldest of a live source; only files left: the oldest, they run
    /// as without live sources), else none (a pad holds only events: the
    /// base class handles them and waits).
    fn due_pads<'a>(
        &self,
        ready: Vec<&'a (u32, gst_base::AggregatorPad)>,
        timeout: bool,
    ) -> Vec<&'a (u32, gst_base::AggregatorPad)> {
        let now = self.running_time_now();
        type PadTiming = (Option<gst::ClockTime>, bool);
        let (upstream, latencies): (gst::ClockTime, BTreeMap<u32, PadTiming>) = {
            let state = self.state();
            let latencies = state
                .pads
                .iter()
                .map(|(i, p)| (*i, (p.latency, p.live)))
                .collect();
            (state.upstream_latency, latencies)
        };
        let head_rt = |pad: &gst_base::AggregatorPad| {
            pad.peek_buffer().and_then(|b| Self::running_time(pad, &b))
        };
        let due: Vec<_> = ready
            .iter()
            .copied()
            .filter(|(index, pad)| {
                let latency = latencies
                    .get(index)
                    .and_then(|(l, _)| *l)
                    .unwrap_or(upstream);
                timing::due(head_rt(pad), now, latency)
            })
            .collect();
        if !due.is_empty() {
            return due;
        }
        let all_have_frames = self
            .sink_pads()
            .iter()
            .all(|(_, p)| p.has_buffer() || p.is_eos());
        if !(timeout || all_have_frames) {
            return Vec::new();
        }
        // A live source's frame first (a jitter buffer emptied at
        // end-of-stream, with frames reordered beyond its latency): a
        // file's frame would go before its time.
        let live = |index: &u32| latencies.get(index).is_some_and(|(_, live)| *live);
        ready
            .iter()
            .copied()
            .min_by_key(|(index, pad)| (!live(index), head_rt(pad)))
            .into_iter()
            .collect()
    }

    /// Takes the frames of the next batch from the pads (at most one each,
    /// round-robin, up to `batch_size`), in pad order.
    fn take_frames(&self, batch_size: u32, timeout: bool) -> Vec<Taken> {
        let pads = self.sink_pads();
        let mut ready: Vec<&(u32, gst_base::AggregatorPad)> =
            pads.iter().filter(|(_, p)| p.has_buffer()).collect();
        if ready.is_empty() {
            return Vec::new();
        }
        if self.state().live {
            ready = self.due_pads(ready, timeout);
        }
        let start = self.state().next_rr;
        let first = ready.iter().position(|(i, _)| *i >= start).unwrap_or(0);
        let mut chosen: Vec<&(u32, gst_base::AggregatorPad)> = ready
            .iter()
            .cycle()
            .skip(first)
            .take(ready.len().min(batch_size as usize))
            .copied()
            .collect();
        if let Some((last, _)) = chosen.last() {
            self.state().next_rr = last.wrapping_add(1);
        }
        chosen.sort_by_key(|(i, _)| *i);
        chosen
            .into_iter()
            .filter_map(|(index, pad)| {
                let buffer = pad.pop_buffer()?;
                let running_time = Self::running_time(pad, &buffer);
                gst::trace!(CAT, imp = self, "took sink_{index} rt {running_time:?}");
                Some(Taken {
                    index: *index,
                    pad: pad.clone().upcast(),
                    buffer,
                    running_time,
                })
            })
            .collect()
    }

    /// Builds the batched buffer of `frames`; `None` when every frame
    /// came from a pad released meanwhile.
    fn build_batch(
        &self,
        frames: &[Taken],
        batch_size: u32,
        out: &VideoDesc,
        settings: &Settings,
    ) -> Result<Option<gst::Buffer>, String> {
        // Formats and frame numbers under the lock (not held while
        // scaling); frames of pads released meanwhile are dropped.
        let jobs = {
            let mut state = self.state();
            let mut jobs = Vec::with_capacity(frames.len());
            for f in frames {
                let Some(pad) = state
                    .pads
                    .get_mut(&f.index)
                    .filter(|p| p.pad.as_ref().is_none_or(|p| *p == f.pad))
                else {
                    gst::debug!(CAT, imp = self, "sink_{} released: frame dropped", f.index);
                    continue;
                };
                let input = pad
                    .input
                    .clone()
                    .ok_or_else(|| format!("sink_{}: buffer before caps", f.index))?;
                jobs.push((f, input, pad.frame_num));
                pad.frame_num = pad.frame_num.wrapping_add(1);
            }
            jobs
        };
        let Some((first, _, _)) = jobs.first() else {
            return Ok(None);
        };
        let mut batch = self
            .pool
            .acquire(batch_size, out.width, out.height, out.format.nvbuf())
            .map_err(|e| format!("cannot allocate the output batch: {e}"))?;
        batch
            .set_num_filled(jobs.len() as u32)
            .map_err(|e| e.to_string())?;
        let mut meta = OwnedBatchMeta::new(batch_size)
            .map_err(|e| format!("cannot create the batch meta: {e}"))?;
        let ntp = if settings.attach_sys_ts {
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(0)
        } else {
            0
        };
        for (slot, (f, input, frame_num)) in jobs.iter().enumerate() {
            let slot = slot as u32;
            let (sw, sh) = compose(&f.buffer, input, &mut batch, slot, settings.enable_padding)
                .map_err(|e| format!("sink_{}: {e}", f.index))?;
            let fm = meta
                .new_frame()
                .map_err(|e| format!("cannot add a frame meta: {e}"))?;
            fm.set_source_id(f.index);
            fm.set_pad_index(f.index);
            fm.set_batch_id(slot);
            fm.set_frame_num(*frame_num);
            fm.set_buf_pts(f.buffer.pts().map_or(0, |t| t.nseconds()));
            // Without attach-sys-ts: the sender's NTP time, where the
            // source attached it (ds_core::app::ntp), else 0.
            let frame_ntp = if settings.attach_sys_ts {
                ntp
            } else {
                ds_core::app::ntp::unix_ntp_ns(&f.buffer).unwrap_or(0)
            };
            fm.set_ntp_timestamp(frame_ntp);
            fm.set_source_frame_width(sw);
            fm.set_source_frame_height(sh);
            fm.set_pipeline_width(out.width);
            fm.set_pipeline_height(out.height);
            fm.set_num_surfaces_per_frame(1);
        }
        if ds_core::latency::enabled() {
            let mux = self.name.lock().unwrap_or_else(|e| e.into_inner()).clone();
            for (f, _, frame_num) in &jobs {
                super::latency::record_frame(
                    &mut meta,
                    &mux,
                    &f.buffer,
                    f.index,
                    *frame_num as u32,
                )
                .map_err(|e| format!("cannot add a latency meta: {e}"))?;
            }
        }
        let mut buffer = batch.into_buffer();
        {
            let b = buffer.make_mut();
            b.set_pts(first.running_time.or(first.buffer.pts()));
            b.set_duration(first.buffer.duration());
            if meta.attach(b).is_err() {
                return Err("cannot attach the batch meta".into());
            }
        }
        Ok(Some(buffer))
    }
}

#[glib::object_subclass]
impl ObjectSubclass for NvStreamMux {
    const NAME: &'static str = "GstNvStreamMux";
    type Type = super::NvStreamMux;
    type ParentType = gst_base::Aggregator;
}

impl ObjectImpl for NvStreamMux {
    fn properties() -> &'static [glib::ParamSpec] {
        static PROPS: LazyLock<Vec<glib::ParamSpec>> = LazyLock::new(|| {
            let mut v = vec![
                glib::ParamSpecUInt::builder("batch-size")
                    .nick("Batch Size")
                    .blurb("Maximum number of frames in a batch (0 = number of sink pads)")
                    .maximum(1024)
                    .default_value(0)
                    .build(),
                glib::ParamSpecUInt::builder("width")
                    .nick("Width")
                    .blurb("Width of each frame in the output batch (must be set)")
                    .default_value(0)
                    .build(),
                glib::ParamSpecUInt::builder("height")
                    .nick("Height")
                    .blurb("Height of each frame in the output batch (must be set)")
                    .default_value(0)
                    .build(),
                glib::ParamSpecInt::builder("batched-push-timeout")
                    .nick("Batched Push Timeout")
                    .blurb(
                        "Microseconds to wait for a full batch before pushing a partial one \
                         (live sources); -1 = wait for all sources",
                    )
                    .minimum(-1)
                    .default_value(-1)
                    .build(),
                glib::ParamSpecBoolean::builder("live-source")
                    .nick("Live Source")
                    .blurb("Whether the sources are live (informational)")
                    .default_value(false)
                    .build(),
                glib::ParamSpecBoolean::builder("enable-padding")
                    .nick("Enable Padding")
                    .blurb("Keep the aspect ratio, padding with black")
                    .default_value(false)
                    .build(),
                glib::ParamSpecUInt::builder("gpu-id")
                    .nick("GPU Id")
                    .blurb("GPU to use (ignored by the open backend)")
                    .default_value(0)
                    .build(),
                glib::ParamSpecEnum::builder_with_default("nvbuf-memory-type", MemoryType::Default)
                    .nick("Memory Type")
                    .blurb("Type of NvBufSurface memory (ignored: always system memory)")
                    .build(),
                glib::ParamSpecUInt::builder("num-surfaces-per-frame")
                    .nick("Surfaces per frame")
                    .blurb("Number of surfaces per frame (ignored: always 1)")
                    .minimum(1)
                    .maximum(4)
                    .default_value(1)
                    .build(),
                glib::ParamSpecUInt::builder("buffer-pool-size")
                    .nick("Buffer Pool Size")
                    .blurb("Output buffer pool size (ignored)")
                    .minimum(4)
                    .maximum(1024)
                    .default_value(4)
                    .build(),
                glib::ParamSpecBoolean::builder("attach-sys-ts")
                    .nick("Attach system timestamp")
                    .blurb("Set ntp_timestamp of each frame to the system time")
                    .default_value(true)
                    .build(),
                glib::ParamSpecBoolean::builder("sync-inputs")
                    .nick("Synchronize Inputs")
                    .blurb("Synchronise inputs by timestamp (ignored)")
                    .default_value(false)
                    .build(),
                glib::ParamSpecBoolean::builder("frame-num-reset-on-eos")
                    .nick("Frame number reset on EOS")
                    .blurb("Restart a source's frame_num at 0 after its EOS")
                    .default_value(false)
                    .build(),
            ];
            let extra = crate::accepted::extra_specs(&["nvstreammux"], &v);
            v.extend(extra);
            v
        });
        PROPS.as_ref()
    }

    fn set_property(&self, _id: usize, value: &glib::Value, pspec: &glib::ParamSpec) {
        let mut s = self.settings.lock().unwrap_or_else(|e| e.into_inner());
        match pspec.name() {
            "batch-size" => s.batch_size = value.get().unwrap_or(0),
            "width" => s.width = value.get().unwrap_or(0),
            "height" => s.height = value.get().unwrap_or(0),
            "batched-push-timeout" => {
                s.batched_push_timeout = value.get().unwrap_or(-1);
                // The aggregator's own latency is the timeout: it is added to
                // the upstream latency both for waiting and for reporting.
                let us = u64::try_from(s.batched_push_timeout).unwrap_or(0);
                drop(s);
                self.obj()
                    .set_property("latency", gst::ClockTime::from_useconds(us));
            }
            "live-source" => s.live_source = value.get().unwrap_or(false),
            "enable-padding" => s.enable_padding = value.get().unwrap_or(false),
            "gpu-id" => s.gpu_id = value.get().unwrap_or(0),
            "nvbuf-memory-type" => s.nvbuf_memory_type = value.get().unwrap_or_default(),
            "num-surfaces-per-frame" => s.num_surfaces_per_frame = value.get().unwrap_or(1),
            "buffer-pool-size" => s.buffer_pool_size = value.get().unwrap_or(4),
            "attach-sys-ts" => s.attach_sys_ts = value.get().unwrap_or(true),
            "sync-inputs" => s.sync_inputs = value.get().unwrap_or(false),
            "frame-num-reset-on-eos" => s.frame_num_reset_on_eos = value.get().unwrap_or(false),
            _ => self.accepted.set(pspec, value),
        }
    }

    fn property(&self, _id: usize, pspec: &glib::ParamSpec) -> glib::Value {
        let s = self.settings();
        match pspec.name() {
            "batch-size" => s.batch_size.to_value(),
            "width" => s.width.to_value(),
            "height" => s.height.to_value(),
            "batched-push-timeout" => s.batched_push_timeout.to_value(),
            "live-source" => s.live_source.to_value(),
            "enable-padding" => s.enable_padding.to_value(),
            "gpu-id" => s.gpu_id.to_value(),
            "nvbuf-memory-type" => s.nvbuf_memory_type.to_value(),
            "num-surfaces-per-frame" => s.num_surfaces_per_frame.to_value(),
            "buffer-pool-size" => s.buffer_pool_size.to_value(),
            "attach-sys-ts" => s.attach_sys_ts.to_value(),
            "sync-inputs" => s.sync_inputs.to_value(),
            "frame-num-reset-on-eos" => s.frame_num_reset_on_eos.to_value(),
            _ => self.accepted.get(pspec),
        }
    }
}

impl GstObjectImpl for NvStreamMux {}

impl ElementImpl for NvStreamMux {
    fn metadata() -> Option<&'static gst::subclass::ElementMetadata> {
        static META: LazyLock<gst::subclass::ElementMetadata> = LazyLock::new(|| {
            gst::subclass::ElementMetadata::new(
                "Stream multiplexer (open)",
                "Generic",
                "N-to-1 pipe stream multiplexing",
                "deepstream-rs",
            )
        });
        Some(&*META)
    }

    fn pad_templates() -> &'static [gst::PadTemplate] {
        static TEMPLATES: LazyLock<Vec<gst::PadTemplate>> = LazyLock::new(|| {
            let mut sink = nvmm_caps(FORMATS);
            sink.merge(raw_caps(FORMATS));
            let src_formats: Vec<&str> = OUT_FORMATS.iter().map(|f| f.caps_name()).collect();
            let src = nvmm_caps(&src_formats);
            let mk = |name, dir, presence, caps: &gst::Caps| {
                gst::PadTemplate::with_gtype(
                    name,
                    dir,
                    presence,
                    caps,
                    gst_base::AggregatorPad::static_type(),
                )
            };
            [
                mk(
                    "src",
                    gst::PadDirection::Src,
                    gst::PadPresence::Always,
                    &src,
                ),
                mk(
                    "sink_%u",
                    gst::PadDirection::Sink,
                    gst::PadPresence::Request,
                    &sink,
                ),
            ]
            .into_iter()
            .collect::<Result<Vec<_>, _>>()
            .unwrap_or_default()
        });
        TEMPLATES.as_ref()
    }

    fn release_pad(&self, pad: &gst::Pad) {
        if let Some(index) = pad_index(pad) {
            let mut state = self.state();
            if state
                .pads
                .get(&index)
                .is_some_and(|p| p.pad.as_ref().is_none_or(|p| p == pad))
            {
                state.pads.remove(&index);
            }
        }
        self.parent_release_pad(pad);
        self.latency_changed();
    }
}

impl AggregatorImpl for NvStreamMux {
    fn clip(&self, _pad: &gst_base::AggregatorPad, buffer: gst::Buffer) -> Option<gst::Buffer> {
        if !ds_core::latency::enabled() {
            return Some(buffer);
        }
        let name = self.name.lock().unwrap_or_else(|e| e.into_inner()).clone();
        Some(super::latency::stamp_arrival(buffer, &name))
    }

    fn start(&self) -> Result<(), gst::ErrorMessage> {
        *self.name.lock().unwrap_or_else(|e| e.into_inner()) = self.obj().name().to_string();
        let s = self.settings();
        if s.width == 0 || s.height == 0 {
            return Err(gst::error_msg!(
                gst::LibraryError::Settings,
                ("nvstreammux: width and height must be set")
            ));
        }
        {
            let mut state = self.state();
            state.next_rr = 0;
            state.out = None;
            state.live = false;
            state.pad_latencies_known = false;
            for p in state.pads.values_mut() {
                p.frame_num = 0;
            }
        }
        self.parent_start()
    }

    fn create_new_pad(
        &self,
        templ: &gst::PadTemplate,
        req_name: Option<&str>,
        caps: Option<&gst::Caps>,
    ) -> Option<gst_base::AggregatorPad> {
        if let Some(name) = req_name.filter(|n| !n.contains('%')) {
            if self.obj().static_pad(name).is_some() {
                gst::warning!(CAT, imp = self, "pad {name} exists already");
                return None;
            }
        }
        let pad = self.parent_create_new_pad(templ, req_name, caps)?;
        if let Some(index) = pad_index(pad.upcast_ref()) {
            self.state().pads.insert(
                index,
                PadState {
                    pad: Some(pad.clone().upcast()),
                    ..PadState::default()
                },
            );
        }
        self.latency_changed();
        Some(pad)
    }

    fn sink_event(&self, pad: &gst_base::AggregatorPad, event: gst::Event) -> bool {
        let index = pad_index(pad.upcast_ref());
        match event.view() {
            gst::EventView::Caps(c) => {
                let caps = c.caps();
                let input = match InputFormat::from_caps(caps) {
                    Ok(i) => i,
                    Err(msg) => {
                        gst::element_imp_error!(
                            self,
                            gst::CoreError::Negotiation,
                            ("nvstreammux: {}: {msg}", pad.name())
                        );
                        return false;
                    }
                };
                gst::debug!(CAT, obj = pad, "input {:?}", input.desc);
                let mut state = self.state();
                if let Some(i) = index {
                    state.pads.entry(i).or_default().input = Some(input);
                }
                let fps = Self::output_fps(&state);
                if state.out.is_some_and(|o| o.fps != fps) {
                    self.obj().src_pad().mark_reconfigure();
                }
            }
            gst::EventView::Eos(_) => {
                if let Some(i) = index {
                    self.source_eos(i);
                }
            }
            gst::EventView::FlushStop(_) | gst::EventView::StreamStart(_) => {
                self.latency_changed();
            }
            _ => {}
        }
        self.parent_sink_event(pad, event)
    }

    fn sink_query(&self, pad: &gst_base::AggregatorPad, query: &mut gst::QueryRef) -> bool {
        let accept = match query.view() {
            gst::QueryView::AcceptCaps(q) => Some(q.caps_owned()),
            _ => None,
        };
        let res = self.parent_sink_query(pad, query);
        if let (Some(caps), gst::QueryView::AcceptCaps(q)) = (accept, query.view()) {
            let raw_video =
                caps.is_fixed() && caps.structure(0).is_some_and(|s| s.name() == "video/x-raw");
            if !q.result() && raw_video {
                gst::element_imp_error!(
                    self,
                    gst::CoreError::Negotiation,
                    (
                        "nvstreammux: {}: unsupported input caps {caps}; accepted: video/x-raw \
                         or video/x-raw(memory:NVMM) in {}",
                        pad.name(),
                        FORMATS.join(", ")
                    )
                );
            }
        }
        res
    }

    fn next_time(&self) -> Option<gst::ClockTime> {
        if self.settings().batched_push_timeout < 0 {
            return None;
        }
        // The first queued frame due: the base class waits until the
        // returned time plus its latency (the largest upstream latency +
        // batched-push-timeout), which `timing::wait_base` turns into the
        // frame's running time + its own pad's latency + the timeout.
        let (upstream, latencies): (gst::ClockTime, BTreeMap<u32, Option<gst::ClockTime>>) = {
            let state = self.state();
            let latencies = state.pads.iter().map(|(i, p)| (*i, p.latency)).collect();
            (state.upstream_latency, latencies)
        };
        self.sink_pads()
            .iter()
            .filter_map(|(index, pad)| {
                let buffer = pad.peek_buffer()?;
                let rt = Self::running_time(pad, &buffer)?;
                let latency = latencies.get(index).copied().flatten();
                Some(timing::wait_base(rt, latency, upstream))
            })
            .min()
    }

    fn src_query(&self, query: &mut gst::QueryRef) -> bool {
        let res = self.parent_src_query(query);
        if res && query.type_() == gst::QueryType::Latency {
            self.latency_changed();
        }
        res
    }

    fn update_src_caps(&self, downstream: &gst::Caps) -> Result<gst::Caps, gst::FlowError> {
        let s = self.settings();
        let (preferred, fps) = {
            let state = self.state();
            let preferred = state.out.map(|o| o.format).unwrap_or_else(|| {
                let mut inputs = state.pads.values().filter_map(|p| p.input.as_ref());
                let first = inputs.next();
                let all_rgba = first.is_some_and(|f| f.desc.format == PixelFormat::Rgba)
                    && inputs.all(|i| i.desc.format == PixelFormat::Rgba);
                if all_rgba {
                    PixelFormat::Rgba
                } else {
                    PixelFormat::Nv12
                }
            });
            (preferred, Self::output_fps(&state))
        };
        let order = std::iter::once(preferred).chain(OUT_FORMATS);
        for format in order {
            let caps = VideoDesc {
                format,
                width: s.width,
                height: s.height,
                fps,
            }
            .to_caps(true);
            if downstream.can_intersect(&caps) {
                return Ok(caps);
            }
        }
        gst::element_imp_error!(
            self,
            gst::CoreError::Negotiation,
            (
                "nvstreammux: downstream accepts neither NV12 nor RGBA video/x-raw(memory:NVMM) \
                 at {}x{} (downstream caps: {downstream})",
                s.width,
                s.height
            )
        );
        Err(gst::FlowError::NotNegotiated)
    }

    fn negotiated_src_caps(&self, caps: &gst::Caps) -> Result<(), gst::LoggableError> {
        let desc = VideoDesc::from_caps(caps)
            .ok_or_else(|| gst::loggable_error!(CAT, "unexpected output caps {caps}"))?;
        gst::debug!(CAT, imp = self, "output {desc:?}");
        self.state().out = Some(desc);
        self.parent_negotiated_src_caps(caps)
    }

    fn aggregate(&self, timeout: bool) -> Result<gst::FlowSuccess, gst::FlowError> {
        let settings = self.settings();
        let known = self.state().pad_latencies_known;
        if !known {
            self.refresh_pad_latencies();
        }
        self.note_base_latency();
        let num_pads = self.sink_pads().len() as u32;
        let batch_size = if settings.batch_size == 0 {
            num_pads.max(1)
        } else {
            settings.batch_size
        };
        let frames = self.take_frames(batch_size, timeout);
        if frames.is_empty() {
            let pads = self.sink_pads();
            if !pads.is_empty() && pads.iter().all(|(_, p)| p.is_eos()) {
                gst::debug!(CAT, imp = self, "all sources at EOS");
                return Err(gst::FlowError::Eos);
            }
            gst::trace!(CAT, imp = self, "nothing to batch (timeout {timeout})");
            return Err(gst_base::AGGREGATOR_FLOW_NEED_DATA);
        }
        let Some(out) = self.state().out else {
            gst::element_imp_error!(
                self,
                gst::CoreError::Negotiation,
                ("nvstreammux: output caps not negotiated")
            );
            return Err(gst::FlowError::NotNegotiated);
        };
        let buffer = match self.build_batch(&frames, batch_size, &out, &settings) {
            Ok(Some(b)) => b,
            Ok(None) => return Err(gst_base::AGGREGATOR_FLOW_NEED_DATA),
            Err(msg) => {
                gst::element_imp_error!(self, gst::StreamError::Failed, ("nvstreammux: {msg}"));
                return Err(gst::FlowError::Error);
            }
        };
        gst::trace!(
            CAT,
            imp = self,
            "batch of {} (timeout {timeout}) pts {:?}",
            frames.len(),
            buffer.pts()
        );
        if let Some(pts) = buffer.pts() {
            self.obj()
                .set_position(pts + buffer.duration().unwrap_or(gst::ClockTime::ZERO));
        }
        self.obj().finish_buffer(buffer)
    }
}
