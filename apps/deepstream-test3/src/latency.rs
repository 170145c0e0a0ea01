//! The sample's latency measurement: `NVDS_ENABLE_LATENCY_MEASUREMENT=1`
//! switches it on (the sample tests for exactly `"1"`), and the probe then
//! measures every batch as `pyds.nvds_measure_buffer_latency` does.
use gstreamer as gst;

/// The environment variable the sample reads.
pub const ENABLE_ENV: &str = "NVDS_ENABLE_LATENCY_MEASUREMENT";

/// Whether the sample would measure latency:
/// `environ.get('NVDS_ENABLE_LATENCY_MEASUREMENT') == '1'`.
pub fn requested() -> bool {
    std::env::var_os(ENABLE_ENV).is_some_and(|v| v == "1")
}

/// `pyds.nvds_measure_buffer_latency(hash(buffer))`: measures the latency
/// of every frame of the batch in `buffer`, prints the
/// `************BATCH-NUM = N**************` line and one
/// `Source id = .. Frame_num = .. Frame latency = .. (ms) ` line per frame,
/// and returns the number of frames measured; 0 when nothing could be
/// measured (the probe then prints the sample's `Unable to get number of
/// sources in GstBuffer for latency measurement`).
///
/// The measurement is ds-core's ([`ds_core::latency::print_buffer_latency`]):
/// from the decoder's arrival stamp of each frame to now, with the
/// `Comp name = ...` lines of every element first when
/// `NVDS_ENABLE_COMPONENT_LATENCY_MEASUREMENT` is set, as DeepStream's
/// library prints them.
pub fn nvds_measure_buffer_latency(buffer: &gst::BufferRef) -> u32 {
    ds_core::latency::print_buffer_latency(buffer)
}
