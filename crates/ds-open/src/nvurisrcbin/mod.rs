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
//! - `rtsp-reconnect-interval` (uint s, 0 = off) and
//!   `rtsp-reconnect-attempts` (int, -1): for an `rtsp://` URI with an
//!   interval > 0, a watchdog thread (looking every 100 ms) notes every
//!   decoded video buffer (time with frames waiting in the bin's queue,
//!   a slow downstream, does not count as silence); when none came for
//!   the interval, the source
//!   (`uridecodebin` with its `rtspsrc`) is removed, stopped and built
//!   again, its new decoded pads linked to the same `queue` /
//!   `audioconvert`, while the rest of the bin and the pipeline keep
//!   playing (so `nvstreammux` goes on batching the other sources: with a
//!   live source it pushes partial batches after `batched-push-timeout`).
//!   Each attempt posts the warning `No data from source since last <n>
//!   sec. Trying reconnection` and the element message
//!   `nvurisrcbin-reconnect` (`source-id`, `uri`, `attempt`,
//!   `max-attempts`, `idle-seconds`); the first buffer after attempts
//!   posts `nvurisrcbin-reconnected` (`attempts`). Data resets the count;
//!   an attempt that brings no data within the interval is followed by
//!   another. When `rtsp-reconnect-attempts` attempts in a row brought
//!   nothing (-1, and 0 as NVIDIA's setter maps it: no limit), the next
//!   stall gives up: the warning `Number of RTSP reconnect attempts
//!   exceeded, stopping source: <source-id>`, the element message
//!   `nvurisrcbin-reconnect-exceeded` (`attempts`), the source removed and
//!   end-of-stream out of `vsrc_0` (and `asrc_0`): `nvstreammux` ends that
//!   stream (`stream-eos`) and the others go on. A source that never
//!   produced a stream fails with an element error instead. While
//!   reconnection is on, errors from the source (`Could not read from
//!   resource`, `Could not open resource ...`) are posted as warnings and
//!   the source's own end-of-stream (a server that ended the stream) is
//!   dropped (as NVIDIA's bin does); end-of-stream sent by the application
//!   still ends the stream. The bin's `async-handling` is set, so a
//!   rebuilt source starting never takes the pipeline out of PLAYING.
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
//! reads false).
//!
//! # Differences from NVIDIA's element
//! - Decoding and conversion run on the CPU (see `nvv4l2decoder`).
//! - No smart record, IPC source or NTP sync.
//! - RTSP reconnection: silence is measured with a 100 ms watchdog, not
//!   NVIDIA's 1 s timer (so a stall is acted on at `interval` + at most
//!   0.1 s, not up to `interval` + 1 s), and without NVIDIA's 3 s minimum
//!   between two resets of any sources of the process. NVIDIA's bin also
//!   prints `Resetting source <id>, attempts: <n>` on stdout; ours only
//!   posts the warning and element messages (the apps print). Its
//!   attempts-exceeded message is NVIDIA's custom
//!   `gst_nvmessage_reconnect_attempt_exceeded` (a structure not
//!   documented); ours is `nvurisrcbin-reconnect-exceeded`, and we also
//!   end the stream with end-of-stream, as deepstream-app's source bin
//!   does (NVIDIA's `nvurisrcbin` leaves that to its parent).
//!   `rtsp-reconnect-attempts` below -1 counts as no limit (NVIDIA's
//!   gives up at the first stall then).
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
pub(crate) fn register(plugin: Option<&gst::Plugin>) -> Result<(), glib::BoolError> {
    gst::Element::register(
        plugin,
        "nvurisrcbin",
        gst::Rank::PRIMARY,
        NvUriSrcBin::static_type(),
    )
}
