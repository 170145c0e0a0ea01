//! The sample's `pgie_src_pad_buffer_probe`: measures the batch's latency
//! when asked, counts the objects of each frame by class, prints the
//! frame's line and feeds the per-stream FPS counters.
use crate::latency;
use ds_core::app::PerfData;
use ds_core::BatchMeta;
use gstreamer as gst;

/// Class ids of the sample's 4-class detector.
pub const PGIE_CLASS_ID_VEHICLE: i32 = 0;
/// Two-wheelers.
pub const PGIE_CLASS_ID_BICYCLE: i32 = 1;
/// Persons.
pub const PGIE_CLASS_ID_PERSON: i32 = 2;
/// Road signs.
pub const PGIE_CLASS_ID_ROADSIGN: i32 = 3;

/// Objects per class in one frame (the sample's `obj_counter`).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ObjCounter {
    /// Vehicles.
    pub vehicle: u32,
    /// Two-wheelers.
    pub bicycle: u32,
    /// Persons.
    pub person: u32,
    /// Road signs.
    pub roadsign: u32,
}

impl ObjCounter {
    /// Counts one object of `class_id` (other classes are ignored; the
    /// Python sample would raise a `KeyError` on them).
    pub fn count(&mut self, class_id: i32) {
        match class_id {
            PGIE_CLASS_ID_VEHICLE => self.vehicle += 1,
            PGIE_CLASS_ID_BICYCLE => self.bicycle += 1,
            PGIE_CLASS_ID_PERSON => self.person += 1,
            PGIE_CLASS_ID_ROADSIGN => self.roadsign += 1,
            _ => {}
        }
    }
}

/// The line the sample prints for a frame. Python's
/// `print("Frame Number=", n, "Number of Objects=", ...)` separates its
/// arguments with a space, hence `Frame Number= 0`.
pub fn frame_line(frame_number: i32, num_rects: u32, vehicles: u32, persons: u32) -> String {
    format!(
        "Frame Number= {frame_number} Number of Objects= {num_rects} \
         Vehicle_count= {vehicles} Person_count= {persons}"
    )
}

/// What the probe does besides counting (the sample's globals).
#[derive(Debug, Clone, Copy, Default)]
pub struct ProbeOptions {
    /// `-s`: no frame lines.
    pub silent: bool,
    /// `NVDS_ENABLE_LATENCY_MEASUREMENT=1`: measure every batch's latency.
    pub measure_latency: bool,
}

/// Processes one batch: measure its latency (when asked); for each frame,
/// count its objects by class, print the frame's line (unless silent) and
/// record one frame of stream `pad_index` in `perf`. Returns the number of
/// frames in the batch.
pub fn pgie_src_pad_buffer_probe(
    buffer: &gst::BufferRef,
    options: ProbeOptions,
    perf: &PerfData,
) -> u64 {
    // Latency of the batch from the decoders to here (with
    // NVDS_ENABLE_COMPONENT_LATENCY_MEASUREMENT=1 as well, each
    // component's share).
    if options.measure_latency {
        let num_sources_in_batch = latency::nvds_measure_buffer_latency(buffer);
        if num_sources_in_batch == 0 {
            println!("Unable to get number of sources in GstBuffer for latency measurement");
        }
    }
    let Some(batch) = BatchMeta::from_buffer(buffer) else {
        println!("Unable to get GstBuffer ");
        return 0;
    };
    let mut frames = 0;
    for frame in batch.frames() {
        let mut counts = ObjCounter::default();
        for obj in frame.objects() {
            counts.count(obj.class_id());
        }
        if !options.silent {
            println!(
                "{}",
                frame_line(
                    frame.frame_num(),
                    frame.num_obj_meta(),
                    counts.vehicle,
                    counts.person
                )
            );
        }
        // Update the frame rate through this probe.
        perf.update_fps(frame.pad_index() as usize);
        frames += 1;
    }
    frames
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counter_counts_by_class() {
        let mut c = ObjCounter::default();
        for id in [0, 2, 2, 1, 3, 9, -1] {
            c.count(id);
        }
        assert_eq!(
            c,
            ObjCounter {
                vehicle: 1,
                bicycle: 1,
                person: 2,
                roadsign: 1
            }
        );
    }

    #[test]
    fn frame_line_matches_pythons_print() {
        assert_eq!(
            frame_line(7, 5, 1, 4),
            "Frame Number= 7 Number of Objects= 5 Vehicle_count= 1 Person_count= 4"
        );
    }
}
