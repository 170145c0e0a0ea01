//! The sample's OSD sink-pad probe: counts objects per class and adds the
//! frame's summary text (printed to stdout too).
//!
//! The sample also prints the tracker's past-frame meta
//! (`NVDS_TRACKER_PAST_FRAME_META`) when its second argument is 1; the open
//! nvtracker attaches none, so there is nothing to print on that backend and
//! this port skips it.
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

/// Processes one buffer: for each frame, count the objects by class, set
/// their border colour, add a display meta with the summary text, print it.
/// With `verbose`, also prints one `Object <id> <class> <gender> <emotion>` line per object
/// (the labels of the classifiers with `gie-unique-id` 2 and 3, `-` when absent).
pub fn osd_sink_pad_buffer_probe(buffer: &mut gst::BufferRef, verbose: bool) {
    let Some(batch) = BatchMeta::from_buffer_mut(buffer) else {
        return;
    };
    let mut batch = batch.lock();
    for mut frame in batch.frames_mut() {
        let mut counts = ObjCounter::default();
        for obj in frame.objects_mut() {
            counts.count(obj.class_id());
        }
        let text = summary(
            frame.frame_num(),
            frame.num_obj_meta(),
            counts.vehicle,
            counts.person,
        );
        match frame.new_display_meta() {
            Ok(display) => match display.add_text(&text) {
                Ok(params) => {
                    params.set_offsets(10, 12);
                    params.set_font_name("Serif");
                    params.set_font_size(10);
                    params.set_font_color(Color::clamped(1.0, 1.0, 1.0, 1.0));
                    params.set_bg_color(Color::clamped(0.0, 0.0, 0.0, 1.0));
                }
                Err(e) => eprintln!("deepstream-test2: cannot add the text: {e}"),
            },
            Err(e) => eprintln!("deepstream-test2: cannot acquire display meta: {e}"),
        }
        println!("{text}");
        if verbose {
            for obj in frame.objects() {
                let label = |gie: i32| {
                    obj.classifiers()
                        .filter(|c| c.unique_component_id() == gie)
                        .flat_map(|c| c.labels().map(|l| l.result_label().to_owned()))
                        .next()
                        .filter(|l| !l.is_empty())
                        .unwrap_or_else(|| "-".into())
                };
                println!(
                    "Object {} {} {} {}",
                    obj.object_id(),
                    obj.class_id(),
                    label(SGIE1_UNIQUE_ID),
                    label(SGIE2_UNIQUE_ID)
                );
            }
        }
    }
}

/// `gie-unique-id` of the first secondary classifier (configs/dstest2_sgie1_config.txt).
pub const SGIE1_UNIQUE_ID: i32 = 2;
/// `gie-unique-id` of the second secondary classifier (configs/dstest2_sgie2_config.txt).
pub const SGIE2_UNIQUE_ID: i32 = 3;

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
    fn summary_matches_the_python_sample() {
        assert_eq!(
            summary(7, 5, 1, 4),
            "Frame Number=7 Number of Objects=5 Vehicle_count=1 Person_count=4"
        );
    }
}
