//! `nvv4l2decoder` (open implementation): every codec NVIDIA's decoder
//! takes, decoded on the CPU into DeepStream buffers.
//!
//! Inputs: NVIDIA's sink pad template (the contract row in `ds-contract`,
//! `data/elements/nvv4l2decoder.toml`): H.264 and H.265 (byte-stream,
//! access units), VP8, VP9, AV1, MPEG-1/2 and MPEG-4 part 2 (parsed),
//! DivX 4/5, and JPEG / MJPEG (`image/jpeg`: one image, or a camera's or a
//! file's motion JPEG).
//!
//! A bin: `decodebin` (GStreamer's software decoders from Debian's
//! plugin packages: `avdec_h264` / `avdec_h265` / `avdec_mpeg4` from
//! gstreamer1.0-libav, `vp8dec` / `vp9dec` and `jpegdec` from -good,
//! `av1dec` from -bad, `mpeg2dec` from -ugly; this element itself is
//! skipped so it never nests) → `videoconvert` (passes 8-bit 4:2:0 through;
//! converts other decoded formats, such as a camera's 4:2:2 MJPEG, to
//! 8-bit 4:2:0) → `nvvideoconvert` → `video/x-raw(memory:NVMM),
//! format=NV12`. Each output buffer holds a batch-of-one `NvBufSurface`,
//! as NVIDIA's decoder produces.
//!
//! Its rank is above the software decoders', so `decodebin` /
//! `uridecodebin` pick it, as they pick NVIDIA's decoder on a DeepStream
//! machine (deepstream-test3 checks that the decoded pad is NVMM).
//!
//! Streams NVIDIA's decoder does not take (the 7.1 page: H.264 in 8-bit
//! 4:2:0 only, H.265 4:2:2) are refused when their caps arrive, with one
//! error line naming the codec, profile, chroma format and bit depth
//! found ([`stream::Stream::refusal`]), e.g. `nvv4l2decoder: cannot decode
//! this H.264 stream (profile high-4:4:4, chroma format 4:4:4, bit depth
//! 8): NVIDIA's decoder takes H.264 in 8-bit 4:2:0 only`.
//!
//! Properties: `drop-frame-interval` (output every n-th frame; 0 or 1 =
//! all) is implemented; `gpu-id`, `num-extra-surfaces`, `cudadec-memtype`,
//! `enable-max-performance`, `skip-frames`, `mjpeg` (Jetson: open the
//! MJPEG block) and NVIDIA's other properties are accepted for
//! compatibility and have no effect on the CPU (JPEG is decoded with or
//! without `mjpeg`).
//!
//! Latency measurement (`NVDS_ENABLE_LATENCY_MEASUREMENT`): each decoded
//! frame carries DeepStream's reference stamp (named after this element),
//! from which `nvstreammux` and `nvds_measure_buffer_latency` measure.
//!
//! Differences from NVIDIA's decoder: the output is always 8-bit NV12 —
//! NVIDIA outputs 10/12-bit H.265 as P010 / 12-bit NV12 and 4:4:4 H.265 as
//! YUV444, which the open backend's surfaces do not carry; the open
//! backend decodes what a Debian software decoder decodes, so codec
//! features NVDEC lacks in one of the template's codecs (VP9 4:4:4, for
//! instance) are decoded here rather than refused.
use gstreamer as gst;
use gstreamer::glib;
use gstreamer::prelude::*;

mod imp;
pub mod stream;

glib::wrapper! {
    /// The open `nvv4l2decoder` bin.
    pub struct NvV4l2Decoder(ObjectSubclass<imp::NvV4l2Decoder>) @extends gst::Bin, gst::Element, gst::Object;
}

/// Registers `nvv4l2decoder`.
pub(crate) fn register(plugin: Option<&gst::Plugin>) -> Result<(), glib::BoolError> {
    gst::Element::register(
        plugin,
        "nvv4l2decoder",
        gst::Rank::PRIMARY + 10,
        NvV4l2Decoder::static_type(),
    )
}
