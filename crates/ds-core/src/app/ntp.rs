//! NTP timestamps from RTSP sources: pyds' `configure_source_for_ntp_sync`
//! (`nvdsgstutils.h`, DeepStream 7.1 API reference: "Configure the source
//! to generate NTP sync values for RTSP sources ... dependent on the RTSP
//! sending the RTCP Sender Reports ... only works for `rtspsrc` or
//! `uridecodebin` with an RTSP uri").
//!
//! With `nvstreammux`'s `attach-sys-ts` set to false, the muxer then sets
//! each frame's `ntp_timestamp` to the sender's NTP time of that frame
//! (DeepStream guide, "NTP Timestamp in DeepStream").
//!
//! - nvidia backend: NVIDIA's own function from
//!   `$DEEPSTREAM_DIR/lib/libnvdsgst_helper.so`, loaded at run time (no
//!   link-time dependency), when that library and symbol exist.
//! - Otherwise (open backend, or no helper library): GStreamer's own
//!   mechanism: `add-reference-timestamp-meta` on `rtspsrc` (GStreamer
//!   1.22+), which attaches a `GstReferenceTimestampMeta` with caps
//!   `timestamp/x-ntp` (the sender's NTP time, from its RTCP Sender
//!   Reports) to every buffer once a report has arrived. The open
//!   `nvstreammux` reads it when `attach-sys-ts` is false. On GStreamer
//!   1.20 `rtspsrc` lacks the property and the frames keep
//!   `ntp_timestamp` 0.
//!
//! ```
//! use gstreamer as gst;
//! ds_core::app::init().unwrap();
//! let src = gst::ElementFactory::make("rtspsrc").build().unwrap();
//! ds_core::app::ntp::configure_source_for_ntp_sync(&src);
//! ```
use gstreamer as gst;
use gstreamer::prelude::*;
use std::sync::OnceLock;

/// NTP time of the Unix epoch: seconds from 1900-01-01 to 1970-01-01.
pub const NTP_UNIX_OFFSET_SECS: u64 = 2_208_988_800;

/// The caps name of the NTP reference timestamp meta.
pub const NTP_REFERENCE_CAPS: &str = "timestamp/x-ntp";

type ConfigureFn = unsafe extern "C" fn(*mut gst::ffi::GstElement);

/// NVIDIA's `configure_source_for_ntp_sync`, when this is the nvidia
/// backend and `libnvdsgst_helper.so` provides it.
fn nvidia_configure() -> Option<&'static (libloading::Library, ConfigureFn)> {
    static HELPER: OnceLock<Option<(libloading::Library, ConfigureFn)>> = OnceLock::new();
    HELPER
        .get_or_init(|| {
            if super::backend() != "nvidia" {
                return None;
            }
            let dir = super::BackendInfo::current().deepstream_dir?;
            let path = dir.join("lib/libnvdsgst_helper.so");
            // SAFETY: loading NVIDIA's helper library of the installed SDK
            // (the nvidia backend already links that SDK's libraries); its
            // initialisers are the SDK's own.
            let lib = unsafe { libloading::Library::new(&path) }.ok()?;
            // SAFETY: the symbol has the C signature of nvdsgstutils.h,
            // `void configure_source_for_ntp_sync(GstElement *)`, which
            // `ConfigureFn` spells.
            let f = unsafe { lib.get::<ConfigureFn>(b"configure_source_for_ntp_sync\0") }
                .ok()
                .map(|s| *s)?;
            Some((lib, f))
        })
        .as_ref()
}

/// Configures `src_elem` (an `rtspsrc`, or a `uridecodebin` playing an
/// RTSP URI) to give frames the sender's NTP time; see the module
/// documentation for how on each backend. Other elements are left as they
/// are.
pub fn configure_source_for_ntp_sync(src_elem: &gst::Element) {
    if let Some((_lib, f)) = nvidia_configure() {
        // SAFETY: `src_elem` is a valid GstElement for the call (borrowed);
        // the function takes no ownership (nvdsgstutils.h), and `_lib`
        // keeps the library loaded.
        unsafe { f(src_elem.as_ptr()) };
        return;
    }
    if src_elem
        .find_property("add-reference-timestamp-meta")
        .is_some()
    {
        src_elem.set_property("add-reference-timestamp-meta", true);
    }
}

/// The sender's NTP time of `buffer` in nanoseconds since the Unix epoch,
/// from its `timestamp/x-ntp` reference timestamp meta, if it has one.
///
/// ```
/// use gstreamer as gst;
/// ds_core::app::init().unwrap();
/// let mut buffer = gst::Buffer::new();
/// let caps = gst::Caps::new_empty_simple("timestamp/x-ntp");
/// let ntp = (ds_core::app::ntp::NTP_UNIX_OFFSET_SECS + 10) * 1_000_000_000;
/// gst::ReferenceTimestampMeta::add(
///     buffer.get_mut().unwrap(),
///     &caps,
///     gst::ClockTime::from_nseconds(ntp),
///     gst::ClockTime::NONE,
/// );
/// assert_eq!(ds_core::app::ntp::unix_ntp_ns(&buffer), Some(10_000_000_000));
/// ```
pub fn unix_ntp_ns(buffer: &gst::BufferRef) -> Option<u64> {
    buffer
        .iter_meta::<gst::ReferenceTimestampMeta>()
        .find(|m| {
            m.reference()
                .structure(0)
                .is_some_and(|s| s.name() == NTP_REFERENCE_CAPS)
        })
        .and_then(|m| {
            m.timestamp()
                .nseconds()
                .checked_sub(NTP_UNIX_OFFSET_SECS * 1_000_000_000)
        })
}
