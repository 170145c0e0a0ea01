//! `nvstreamdemux` (open implementation): splits the batches of
//! `nvstreammux` back into one stream per source, as DeepStream's
//! Gst-nvstreamdemux does.
//!
//! # Pads
//! - `sink` (always): `video/x-raw(memory:NVMM)` batches in NV12, RGBA or
//!   I420 carrying `NvDsBatchMeta` (what `nvstreammux`, `nvinfer`,
//!   `nvtracker` output).
//! - `src_%u` (request): request `src_N` for the source whose frames carry
//!   `pad_index` N (the muxer's `sink_N`), as the samples do:
//!   `demux.request_pad_simple("src_0")`. A name that is not `src_<number>`
//!   (e.g. the template `src_%u`) or a pad that exists already gives `None`.
//!   Pads can be requested and released while playing.
//!
//! Template caps are NVIDIA's (DeepStream 8.0 source `gstnvstreamdemux.cpp`,
//! recorded in `ds-contract`'s `nvstreamdemux` row); the audio caps of
//! NVIDIA's template are not offered (no audio batches here).
//!
//! # Output
//! For each frame of a batch, one buffer on the pad of its source (a frame
//! whose source has no pad, or an unlinked pad, is dropped, as NVIDIA's
//! element does):
//! - an `NvBufSurface` of one frame (`batchSize` = `numFilled` = 1) at the
//!   batch's resolution and format (the muxer's output: the frame is not
//!   scaled back to the source's size);
//! - `NvDsBatchMeta` with that frame's meta only (objects, classifiers,
//!   display and user metas, `batch_id` = 0)
//!   and, of the batch's user metas, the latency metas of that frame
//!   (same source and frame number), as NVIDIA's element keeps them;
//! - PTS = the frame's `buf_pts` (the source's own timestamp, as NVIDIA's
//!   documentation says), else the batch's; the batch's duration.
//!
//! Each `src_N` gets its own `stream-start`, then the batch caps and the
//! batch segment, before its first buffer.
//!
//! # End of stream
//! `nvstreammux` announces the end of each source with its `nv-stream-eos`
//! event. With `per-stream-eos` (default false, as NVIDIA documents) the
//! pad of that source gets EOS at once; otherwise every pad gets EOS when
//! the batch stream ends (all sources done). A pad that already got EOS is
//! not sent a second one; a flush clears the flags.
//!
//! # Properties
//! | name | type, default | notes |
//! |---|---|---|
//! | `per-stream-eos` | bool, false | EOS on a source's pad as soon as that source ends |
//!
//! # Differences from NVIDIA's element
//! - The frame is copied into its own one-frame surface (NVIDIA's buffers
//!   point into the batch's surface and hold the batch until released);
//!   drawing downstream (nvdsosd) does not touch the batch.
//! - No audio batches; no `GST_NVEVENT_UPDATE_CAPS` / new-muxer events
//!   (the open muxer is the legacy one): every pad has the batch's caps.
//! - Releasing a pad before its stream ended is allowed (NVIDIA's logs an
//!   error and releases it anyway).
//!
//! ```no_run
//! use gstreamer as gst;
//! use gstreamer::prelude::*;
//! ds_open::init().unwrap();
//! let demux = gst::ElementFactory::make("nvstreamdemux").build().unwrap();
//! let src0 = demux.request_pad_simple("src_0").unwrap();
//! assert_eq!(src0.name(), "src_0");
//! ```
mod imp;
mod split;

use gst::glib;
use gst::prelude::*;
use gstreamer as gst;

glib::wrapper! {
    /// The open `nvstreamdemux` element.
    pub(crate) struct NvStreamDemux(ObjectSubclass<imp::NvStreamDemux>)
        @extends gst::Element, gst::Object;
}

/// Registers the element(s) of this module.
pub(crate) fn register(plugin: Option<&gst::Plugin>) -> Result<(), glib::BoolError> {
    gst::Element::register(
        plugin,
        "nvstreamdemux",
        gst::Rank::PRIMARY,
        NvStreamDemux::static_type(),
    )
}
