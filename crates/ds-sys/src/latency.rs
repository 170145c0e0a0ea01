//! Latency measurement (`nvds_latency_meta.h`, DeepStream 7.1).
//!
//! Components attach one `NvDsMetaCompLatency` per pass of a batch as batch
//! user meta of type `NVDS_LATENCY_MEASUREMENT_META`; the decoder marks each
//! frame's arrival with a `GstReferenceTimestampMeta` that the muxer turns
//! into the first component meta of that frame. Timestamps are milliseconds
//! since the Unix epoch (`gettimeofday`), as doubles.
//!
//! Layouts: the 6.3 header (hiennguyen9874/deepstream-sources, branch 6.3,
//! `sources/includes/nvds_latency_meta.h`) and the 8.0 header
//! (levipereira/deepstream_8.0_plugins, `includes/nvds_latency_meta.h`)
//! declare the same three structures field for field; the 6.1, 6.2 and 8.0
//! API reference pages list the same fields in the same order. No 7.1 page
//! was found, so the table marks them unconfirmed. The functions are
//! declared in [`crate::functions`].
use std::os::raw::{c_char, c_uint};

/// Length of a component name, NUL included (`MAX_COMPONENT_LEN`).
pub const MAX_COMPONENT_LEN: usize = 64;

/// Number of sub-component slots of [`NvDsMetaCompLatency`] (the array
/// length the headers write as a literal).
pub const MAX_SUB_COMPONENTS: usize = 16;

/// Latency of one sub-component (C: `struct _NvDsMetaSubCompLatency`).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct NvDsMetaSubCompLatency {
    pub sub_comp_name: [c_char; MAX_COMPONENT_LEN],
    /// Milliseconds since the epoch when the buffer entered.
    pub in_system_timestamp: f64,
    /// Milliseconds since the epoch when the buffer left.
    pub out_system_timestamp: f64,
}

/// Latency of one component for one batch (C: `struct _NvDsMetaCompLatency`).
///
/// `source_id`, `frame_num` and `pad_index` are set for the per-frame metas
/// of the decoder and the muxer; the other components leave them 0.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct NvDsMetaCompLatency {
    pub component_name: [c_char; MAX_COMPONENT_LEN],
    pub in_system_timestamp: f64,
    pub out_system_timestamp: f64,
    pub source_id: c_uint,
    pub frame_num: c_uint,
    pub pad_index: c_uint,
    pub sub_comp_latencies: [NvDsMetaSubCompLatency; MAX_SUB_COMPONENTS],
    pub num_sub_comps: c_uint,
}

/// Latency of one frame, filled by `nvds_measure_buffer_latency`
/// (C: anonymous struct typedef'd `NvDsFrameLatencyInfo`).
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct NvDsFrameLatencyInfo {
    pub source_id: c_uint,
    pub frame_num: c_uint,
    /// When the frame entered the first component (the decoder), in
    /// milliseconds since the epoch; 0 when no decoder stamped it.
    pub comp_in_timestamp: f64,
    /// Milliseconds from `comp_in_timestamp` to the measurement.
    pub latency: f64,
}
