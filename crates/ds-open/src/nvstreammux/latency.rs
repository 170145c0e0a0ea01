//! Latency measurement in the muxer (`NVDS_ENABLE_LATENCY_MEASUREMENT`), as
//! DeepStream's muxer records it: for each frame of a batch, the decoder's
//! reference stamp becomes a component meta named after the decoder (its
//! in/out times, the frame's source, pad and number), followed by the
//! muxer's own meta `nvstreammux-<name>` (in = the frame's arrival at the
//! sink pad, out = the batch is complete). `nvds_measure_buffer_latency`
//! pairs the two to find each frame's start.
use ds_core::latency::{now_ms, NewComponentLatency, ReferenceTimestamp};
use ds_core::BatchMeta;
use gstreamer as gst;

/// The muxer's component name.
pub(super) fn component_name(mux: &str) -> String {
    format!("nvstreammux-{mux}")
}

/// Marks `buffer`'s arrival at the muxer (a reference stamp named after the
/// muxer, read back by [`record_frame`]).
pub(super) fn stamp_arrival(mut buffer: gst::Buffer, mux: &str) -> gst::Buffer {
    let now = now_ms();
    ReferenceTimestamp {
        component_name: component_name(mux),
        frame_num: 0,
        in_timestamp: now,
        out_timestamp: now,
    }
    .attach(buffer.make_mut());
    buffer
}

/// Adds the decoder's and the muxer's metas of one frame to `batch`.
pub(super) fn record_frame(
    batch: &mut BatchMeta,
    mux: &str,
    input: &gst::BufferRef,
    source_id: u32,
    frame_num: u32,
) -> Result<(), ds_core::MetaError> {
    let name = component_name(mux);
    let stamps = ReferenceTimestamp::all(input);
    let frame = |mut c: NewComponentLatency| {
        c.source_id = source_id;
        c.pad_index = source_id;
        c.frame_num = frame_num;
        c
    };
    if let Some(dec) = stamps.iter().rev().find(|s| s.component_name != name) {
        let c = NewComponentLatency::new(&dec.component_name, dec.in_timestamp, dec.out_timestamp);
        batch.add_user_meta(frame(c))?;
    }
    let now = now_ms();
    let arrival = stamps
        .iter()
        .rev()
        .find(|s| s.component_name == name)
        .map_or(now, |s| s.in_timestamp);
    batch.add_user_meta(frame(NewComponentLatency::new(&name, arrival, now)))?;
    Ok(())
}
