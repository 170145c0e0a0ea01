//! What the sample ports share (the Python samples' `apps/common`): the
//! class ids of the samples' 4-class detector, the per-frame object counter
//! and summary line, and the OSD sink-pad probe of deepstream-test1 and
//! deepstream-usb-camera (count objects per class, colour their boxes, add
//! the frame's summary text and print it).
#![forbid(unsafe_code)]
use ds_core::osd::Color;
use ds_core::BatchMeta;
use gstreamer as gst;
use std::path::PathBuf;

/// Root of this repository at build time (for the default configs).
const WORKSPACE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

/// The folder of the default configs for the elements this process runs:
/// `configs/nvidia` (NVIDIA's release 1.2.0 sample configs: TrafficCamNet,
/// VehicleMake / VehicleTypes, NvDCF) when NVIDIA's elements run, i.e. on
/// the nvidia backend; `configs` (the open backend's detector and
/// classifiers) when the open elements run.
pub fn config_dir() -> &'static str {
    if ds_open::registers_open_elements() {
        "configs"
    } else {
        "configs/nvidia"
    }
}

/// The default config `name` (the sample's file name, e.g.
/// `dstest1_pgie_config.txt`) from [`config_dir`], found as
/// `ds_core::app::resource_path` finds files; `Err` names the missing path.
pub fn default_config(name: &str) -> Result<PathBuf, String> {
    let relative = format!("{}/{name}", config_dir());
    match ds_core::app::resource_path(&relative, WORKSPACE) {
        Some(p) if p.is_file() => Ok(p),
        _ => Err(format!("{relative}: no such config file")),
    }
}

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
/// `app` names the app in the (unexpected) metadata error lines.
pub fn osd_sink_pad_buffer_probe(buffer: &mut gst::BufferRef, app: &str) {
    let Some(batch) = BatchMeta::from_buffer_mut(buffer) else {
        return;
    };
    let mut batch = batch.lock();
    for mut frame in batch.frames_mut() {
        let mut counts = ObjCounter::default();
        for obj in frame.objects_mut() {
            counts.count(obj.class_id());
            // Blue with 0.8 alpha, as the sample sets it.
            obj.rect_params_mut().border_color = Color::clamped(0.0, 0.0, 1.0, 0.8).to_params();
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
                Err(e) => eprintln!("{app}: cannot add the text: {e}"),
            },
            Err(e) => eprintln!("{app}: cannot acquire display meta: {e}"),
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
    fn default_configs_follow_the_elements_that_run() {
        // This test runs on the open backend (or with the open elements).
        assert_eq!(config_dir(), "configs");
        let p = default_config("dstest1_pgie_config.txt").unwrap();
        assert!(
            p.ends_with("configs/dstest1_pgie_config.txt"),
            "{}",
            p.display()
        );
        let e = default_config("no_such_config.txt").unwrap_err();
        assert!(e.contains("configs/no_such_config.txt"), "{e}");
    }

    #[test]
    fn summary_matches_the_python_sample() {
        assert_eq!(
            summary(7, 5, 1, 4),
            "Frame Number=7 Number of Objects=5 Vehicle_count=1 Person_count=4"
        );
    }
}
