//! `nvstreammux` (open implementation): batches frames from several sources
//! into one `NvBufSurface` batch with `NvDsBatchMeta`, like DeepStream's
//! "legacy" stream muxer that the Python samples use.
//!
//! # Pads
//! - `sink_%u` (request): `video/x-raw(memory:NVMM)` (batch-size-1
//!   `NvBufSurface` buffers, as from `nvv4l2decoder` / `nvvideoconvert`) or
//!   plain system-memory `video/x-raw` (e.g. `uridecodebin` output), in any
//!   of [`crate::caps::FORMATS`] (NV12, I420, RGBA, BGRA, RGBx, BGRx, RGB,
//!   BGR, GRAY8). Request them as DeepStream apps do:
//!   `mux.request_pad_simple("sink_0")` or `"sink_%u"` (next free index).
//!   Requesting a name that exists already returns `None` (GStreamer
//!   itself also logs a critical for it).
//! - `src` (always): `video/x-raw(memory:NVMM), format=NV12` at
//!   `width` x `height`, or `format=RGBA` when every input known at the
//!   first negotiation is RGBA (or downstream only accepts RGBA). The frame
//!   rate is that of the lowest-numbered source with caps, else `0/1`.
//!
//! # Output
//! One buffer per batch: an `NvBufSurface` with `batchSize` = the batch size
//! and `numFilled` = the frames present, each source frame scaled
//! (nearest neighbour, BT.601 limited range) into its `width` x `height`
//! slot, plus `NvDsBatchMeta` with one `NvDsFrameMeta` per frame:
//! `source_id` = `pad_index` = the sink pad's number, `batch_id` = the slot,
//! `frame_num` = per-source counter from 0, `buf_pts` = the input PTS (ns),
//! `ntp_timestamp` = wall-clock ns when `attach-sys-ts`, else the
//! sender's NTP time (Unix ns) from the input buffer's `timestamp/x-ntp`
//! reference timestamp meta (`ds_core::app::ntp`, what
//! `configure_source_for_ntp_sync` sets up on `rtspsrc`), else 0,
//! `source_frame_width/height` = input size, `pipeline_width/height` = the
//! output size, `num_surfaces_per_frame` = 1. The batch PTS is the running
//! time of its first frame, its duration that of the first frame.
//!
//! # Batching
//! Each batch takes at most one buffer from each source that has one
//! queued, in pad order, up to the batch size; with more sources than the
//! batch size the sources are served round-robin. Without live sources the
//! muxer waits until every pad that is not at EOS has a buffer (the
//! `GstAggregator` rule). With live sources (as reported by the latency
//! query) and `batched-push-timeout` >= 0, a partial batch is pushed when
//! the oldest queued frame has waited `batched-push-timeout` beyond the
//! upstream latency; `-1` waits for all sources. When a source ends, the
//! muxer posts an element message `stream-eos` (field `stream-id`, uint)
//! and sends a custom downstream event `nv-stream-eos` (field `source-id`,
//! uint) after that source's last frame; the other sources go on, and EOS
//! goes downstream when every sink pad is at EOS. Pads can be requested and
//! released while playing, as NVIDIA's runtime add/delete sample does (its
//! source to NULL, a flush-stop into the pad, `release_request_pad`, later
//! the same `sink_N` requested again for a new source): the other sources
//! lose no frame, nothing flushes downstream, frames still queued from the
//! released pad are dropped, and the new pad's `frame_num` starts at 0.
//!
//! # Properties
//! | name | type, default | notes |
//! |---|---|---|
//! | `batch-size` | uint, 0 | 0 = number of sink pads |
//! | `width`, `height` | uint, 0 | output frame size, must be set (error at READY→PAUSED) |
//! | `batched-push-timeout` | int µs, -1 | partial batches in live pipelines; -1 = wait for all |
//! | `live-source` | bool, false | accepted; liveness comes from the latency query |
//! | `enable-padding` | bool, false | keep aspect ratio; frame at top-left, black bars right/bottom |
//! | `attach-sys-ts` | bool, true | `ntp_timestamp` = system time; false: the sender's NTP time (reference timestamp meta) or 0 |
//! | `frame-num-reset-on-eos` | bool, false | restart a pad's `frame_num` at 0 after its EOS |
//! | `gpu-id`, `nvbuf-memory-type`, `num-surfaces-per-frame`, `buffer-pool-size`, `sync-inputs` | | accepted and ignored (CPU, system memory) |
//!
//! `nvbuf-memory-type` is an enum (`nvbuf-mem-default`,
//! `nvbuf-mem-cuda-pinned`, `nvbuf-mem-cuda-device`,
//! `nvbuf-mem-cuda-unified`, `nvbuf-mem-surface-array`) as on NVIDIA's
//! element; `set_property_from_str("nvbuf-memory-type", "3")` works on both
//! backends.
//!
//! # Differences from NVIDIA's element
//! - CPU scaling (nearest neighbour) into system-memory surfaces; no
//!   interpolation choice, GPU or memory type.
//! - The output is NV12 or RGBA (NVIDIA keeps the input format).
//! - `batched-push-timeout` only applies when upstream is live (a
//!   `GstAggregator` rule); non-live pipelines always wait for every
//!   source, which gives the same batches for file sources.
//! - `sync-inputs`, `buffer-pool-size`, `gpu-id` and
//!   `num-surfaces-per-frame` have no effect; the config-file based "new"
//!   muxer is not implemented.
//! - Unsupported input caps are refused at the caps (accept-caps) check
//!   with an element error naming the pad and the caps.
//!
//! ```text
//! let mux = gst::ElementFactory::make("nvstreammux")
//!     .property("width", 1280u32).property("height", 720u32)
//!     .property("batch-size", 2u32).property("batched-push-timeout", 4_000_000i32)
//!     .build()?;
//! decoder_src.link(&mux.request_pad_simple("sink_0").unwrap())?;
//! ```
mod frame;
mod imp;
mod latency;

use gst::glib;
use gst::prelude::*;
use gstreamer as gst;

glib::wrapper! {
    /// The open `nvstreammux` element.
    pub(crate) struct NvStreamMux(ObjectSubclass<imp::NvStreamMux>)
        @extends gstreamer_base::Aggregator, gst::Element, gst::Object;
}

/// `nvbuf-memory-type` values (NVIDIA's `GstNvBufMemoryType` nicks).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, glib::Enum)]
#[repr(i32)]
#[enum_type(name = "GstNvStreamMuxMemoryType")]
pub(crate) enum MemoryType {
    /// Platform default.
    #[default]
    #[enum_value(
        name = "Default memory allocated, specific to particular platform",
        nick = "nvbuf-mem-default"
    )]
    Default = 0,
    /// Pinned host CUDA memory.
    #[enum_value(
        name = "Allocate Pinned/Host cuda memory",
        nick = "nvbuf-mem-cuda-pinned"
    )]
    CudaPinned = 1,
    /// CUDA device memory.
    #[enum_value(name = "Allocate Device cuda memory", nick = "nvbuf-mem-cuda-device")]
    CudaDevice = 2,
    /// CUDA unified memory.
    #[enum_value(name = "Allocate Unified cuda memory", nick = "nvbuf-mem-cuda-unified")]
    CudaUnified = 3,
    /// Jetson surface array.
    #[enum_value(
        name = "Allocate Surface Array memory, applicable for Jetson",
        nick = "nvbuf-mem-surface-array"
    )]
    SurfaceArray = 4,
}

/// Registers the element(s) of this module.
pub(crate) fn register(plugin: Option<&gst::Plugin>) -> Result<(), glib::BoolError> {
    gst::Element::register(
        plugin,
        "nvstreammux",
        gst::Rank::PRIMARY,
        NvStreamMux::static_type(),
    )
}
