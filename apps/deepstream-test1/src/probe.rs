//! deepstream-test1's lesson: a buffer probe on the OSD's sink pad, where
//! the metadata of every element upstream is complete. For each frame of
//! the batch it counts the objects per class, colours their boxes, adds a
//! display meta with the frame's summary text and prints that text.
use ds_core::osd::Color;
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
    /// Counts one object of `class_id` (other classes are ignored).
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

/// The text the sample draws and prints for a frame.
pub fn summary(frame_number: i32, num_rects: u32, vehicles: u32, persons: u32) -> String {
    format!(
        "Frame Number={frame_number} Number of Objects={num_rects} \
         Vehicle_count={vehicles} Person_count={persons}"
    )
}

/// `osd_sink_pad_buffer_probe`: processes one buffer.
pub fn osd_sink_pad_buffer_probe(buffer: &mut gst::BufferRef) {
    let Some(batch) = BatchMeta::from_buffer_mut(buffer) else {
        return;
    };
    let mut batch = batch.lock();
    for mut frame in batch.frames_mut() {
        let mut obj_counter = ObjCounter::default();
        for obj in frame.objects_mut() {
            obj_counter.count(obj.class_id());
            // Blue with 0.8 alpha (opacity), as the sample sets it.
            obj.rect_params_mut().border_color = Color::clamped(0.0, 0.0, 1.0, 0.8).to_params();
        }
        let text = summary(
            frame.frame_num(),
            frame.num_obj_meta(),
            obj_counter.vehicle,
            obj_counter.person,
        );
        // A display meta from the batch's pool: its memory stays with the
        // batch, so the OSD downstream can draw it.
        match frame.new_display_meta() {
            Ok(display) => match display.add_text(&text) {
                Ok(params) => {
                    params.set_offsets(10, 12);
                    params.set_font_name("Serif");
                    params.set_font_size(10);
                    // White text on a black background.
                    params.set_font_color(Color::clamped(1.0, 1.0, 1.0, 1.0));
                    params.set_bg_color(Color::clamped(0.0, 0.0, 0.0, 1.0));
                }
                Err(e) => eprintln!("deepstream-test1: cannot add the text: {e}"),
            },
            Err(e) => eprintln!("deepstream-test1: cannot acquire display meta: {e}"),
        }
        println!("{text}");
    }
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
        let want = ObjCounter {
            vehicle: 1,
            bicycle: 1,
            person: 2,
            roadsign: 1,
        };
        assert_eq!(c, want);
    }

    #[test]
    fn summary_matches_the_python_sample() {
        assert_eq!(
            summary(7, 5, 1, 4),
            "Frame Number=7 Number of Objects=5 Vehicle_count=1 Person_count=4"
        );
    }
}
