//! The sample's `pgie_src_pad_buffer_probe`: counts the objects of each
//! frame by class, prints the frame's line and feeds the per-stream FPS.
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

/// For each frame of the batch: count its objects by class, print
/// `Frame Number= … Number of Objects= … Vehicle_count= … Person_count= …`
/// (Python's print separates its arguments with a space) and record one
/// frame of stream `pad_index` in `perf`.
pub fn pgie_src_pad_buffer_probe(buffer: &gst::BufferRef, perf: &PerfData) {
    let Some(batch) = BatchMeta::from_buffer(buffer) else {
        println!("Unable to get GstBuffer ");
        return;
    };
    for frame in batch.frames() {
        let mut obj_counter = ObjCounter::default();
        for obj in frame.objects() {
            obj_counter.count(obj.class_id());
        }
        println!(
            "Frame Number= {} Number of Objects= {} Vehicle_count= {} Person_count= {}",
            frame.frame_num(),
            frame.num_obj_meta(),
            obj_counter.vehicle,
            obj_counter.person
        );
        // Update the frame rate through this probe.
        perf.update_fps(frame.pad_index() as usize);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counter_counts_by_class() {
        let mut c = ObjCounter::default();
        for id in [0, 2, 2, 1, 3, 9] {
            c.count(id);
        }
        assert_eq!((c.vehicle, c.bicycle, c.person, c.roadsign), (1, 1, 2, 1));
    }
}
