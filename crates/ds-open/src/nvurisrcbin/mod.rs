//! `nvurisrcbin` (open implementation): DeepStream's URI source bin, which
//! turns any URI into decoded NVMM video for `nvstreammux`.
//!
//! # Inside
//! `uridecodebin uri=<uri>` (which picks the open `nvv4l2decoder` for
//! H.264 / H.265, as it picks NVIDIA's decoder on DeepStream) → `queue` →
//! `nvvideoconvert` → `video/x-raw(memory:NVMM)`, the chain NVIDIA's bin
//! builds (DeepStream 8.0 `gst-nvurisrcbin` sources). The element names
//! inside follow NVIDIA's (`nvurisrc_bin_src_elem`, `nvurisrc_bin_queue`,
//! ...).
//!
//! # Pads
//! Sometimes pads, named as NVIDIA's element names them:
//! - `vsrc_%u`: the first video stream of the URI appears as `vsrc_0`
//!   (`video/x-raw(memory:NVMM)`, a batch-of-one `NvBufSurface`) when
//!   `uridecodebin` exposes its decoded pad; link it to
//!   `nvstreammux`'s `sink_%u` in a `pad-added` handler, or let
//!   `gst-launch-1.0 nvurisrcbin uri=... ! mux.sink_0` do it.
//! - `asrc_%u`: the first audio stream as `asrc_0` (`audio/x-raw`, after
//!   `audioconvert ! audioresample`), only with `disable-audio=false`
//!   (default true: audio is left unlinked inside the bin).
//!
//! `no-more-pads` is emitted when `uridecodebin` emits it. Later video
//! or audio streams of the same URI are not exposed (as NVIDIA's).
//!
//! # Properties
//! Every property of NVIDIA's 7.1 element, with NVIDIA's name, type,
//! range, default and enum values (the `ds-contract` table). Implemented:
//! - `uri` (string): the source. Unset at NULL → READY is an element error
//!   ("no URI set"); a URI that cannot be opened is the error
//!   `uridecodebin` posts (for example "Resource not found.") on the bus.
//! - `file-loop` (bool, false): for a `file:/` URI, the end of the file
//!   does not end the stream: the end-of-stream is dropped before it
//!   leaves the bin and the source is seeked back to 0 (a flushing seek,
//!   from another thread; its flushes do not leave the bin either). The
//!   passes form one stream: one segment (the first one, without a stop)
//!   and PTS/DTS that go on increasing from where the previous pass
//!   ended, so `nvstreammux` keeps batching and its `frame_num` keeps
//!   counting. QoS events coming back upstream are dropped. The stream
//!   ends when the application sends end-of-stream to the pipeline (or
//!   to this element); a source that cannot seek ends with a warning.
//! - `disable-audio` (bool, true): see Pads.
//! - `disable-passthrough` (bool, true), `gpu-id`: passed to the internal
//!   `nvvideoconvert`.
//! - `latency` (uint ms, 100), `drop-on-latency` (bool, true),
//!   `udp-buffer-size` (uint, 524288), `select-rtp-protocol`
//!   (`rtp-multi` / `rtp-tcp`): set on the source `uridecodebin` creates
//!   when it has these properties (`rtspsrc` for `rtsp://`), in its
//!   `source-setup` signal, as NVIDIA's bin does.
//! - `drop-frame-interval` (uint 0..30): passed to the decoder, which
//!   outputs every n-th frame.
//! - `gpu-id`, `cudadec-memtype`, `num-extra-surfaces`,
//!   `low-latency-mode`, `extract-sei-type5-data`, `sei-uuid` and
//!   `dec-skip-frames` (as `skip-frames`) are passed to the decoder when
//!   it has them; the open decoder accepts them and they have no effect
//!   on the CPU.
//!
//! Accepted and kept only (read back what was set, no effect on the open
//! backend): `type`, `source-id`, `num-extra-surfaces`, the IPC properties
//! (`ipc-socket-path`, `ipc-connection-attempts`,
//! `ipc-connection-interval`, `ipc-buffer-timestamp-copy`), the smart
//! record properties (`smart-record`, `smart-rec-*`; `smart-rec-status`
//! reads false), and **`rtsp-reconnect-interval` /
//! `rtsp-reconnect-attempts`: RTSP reconnection is not implemented yet**
//! (issue 19): a source that stops sending is not rebuilt.
//!
//! # Differences from NVIDIA's element
//! - Decoding and conversion run on the CPU (see `nvv4l2decoder`).
//! - No RTSP reconnection, smart record, IPC source or NTP sync.
//! - RTSP goes through `uridecodebin`'s `rtspsrc`, not a separate
//!   `rtspsrc` pipeline inside the bin as in NVIDIA's 8.0 sources.
//!
//! ```no_run
//! use gstreamer as gst;
//! use gstreamer::prelude::*;
//! ds_open::init().unwrap();
//! let pipeline = gst::parse::launch(
//!     "nvurisrcbin uri=file:///path/sample_720p.mp4 file-loop=true ! mux.sink_0 \
//!      nvstreammux name=mux batch-size=1 width=1280 height=720 ! fakesink",
//! )
//! .unwrap();
//! pipeline.set_state(gst::State::Playing).unwrap();
//! ```

mod imp;
mod looping;
mod reconnect;

use gstreamer as gst;
use gstreamer::glib;
use gstreamer::prelude::*;

glib::wrapper! {
    /// The open `nvurisrcbin` bin.
    pub struct NvUriSrcBin(ObjectSubclass<imp::NvUriSrcBin>) @extends gst::Bin, gst::Element, gst::Object;
}

/// Registers `nvurisrcbin`.
pub(crate) fn register() -> Result<(), glib::BoolError> {
    gst::Element::register(
        None,
        "nvurisrcbin",
        gst::Rank::PRIMARY,
        NvUriSrcBin::static_type(),
    )
}
