//! The sample's OSD sink-pad probe: counts objects per class and adds the
//! frame's summary text (printed to stdout too).
//!
//! After the frames it prints the tracker's past-frame meta
//! (`NVDS_TRACKER_PAST_FRAME_META`, a batch user meta) whenever nvtracker
//! attached one, as release 1.2.0 of the sample does, with the sample's labels
//! in its order: per stream `streamId=` and `surfaceStreamID=`, per target
//! `numobj=`, `uniqueId=`, `classId=`, `objLabel=`, per past frame
//! `frameNum:`, `tBbox.left:`, `tBbox.width:`, `tBbox.top:`, `tBbox.right:`
//! (the box's height, as the sample prints it), `confidence:` and `age:`.
//! Values are printed as Python prints them (`print("a=", x)` puts a space
//! between; floats as Python's `repr`, see [`py_float`]). The open nvtracker
//! reports the probation frames of a target when it is confirmed.
use ds_core::osd::Color;
use ds_core::tracker::{MiscDataKind, TargetMiscDataRef};
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

/// A float as Python's `print` shows it (`repr` of the `float`, i.e. of the
/// f64 value of `x`): the shortest decimal that reads back, with `.0` on
/// integral values and exponent notation below 1e-4 and from 1e16 on.
pub fn py_float(x: f32) -> String {
    let v = f64::from(x);
    if v.is_nan() {
        return "nan".into();
    }
    if v.is_infinite() {
        return if v > 0.0 { "inf".into() } else { "-inf".into() };
    }
    let a = v.abs();
    if a != 0.0 && !(1e-4..1e16).contains(&a) {
        // Rust: "1.5e-5" / "1e16"; Python: "1.5e-05" / "1e+16".
        let s = format!("{v:e}");
        let (mantissa, exp) = s.split_once('e').unwrap_or((&s, "0"));
        let (sign, digits) = match exp.strip_prefix('-') {
            Some(d) => ('-', d),
            None => ('+', exp),
        };
        return format!("{mantissa}e{sign}{digits:0>2}");
    }
    let s = format!("{v}");
    if s.contains('.') {
        s
    } else {
        format!("{s}.0")
    }
}

/// The sample's past-frame printout for the past-frame metas of `batch`.
pub fn past_frame_lines(batch: &BatchMeta) -> Vec<String> {
    let mut out = Vec::new();
    for um in batch.user_metas() {
        let Some(data) = TargetMiscDataRef::from_user_meta(um, MiscDataKind::PastFrame) else {
            continue;
        };
        for stream in data.streams() {
            out.push(format!("streamId= {}", stream.stream_id()));
            out.push(format!("surfaceStreamID= {}", stream.surface_stream_id()));
            for target in stream.targets() {
                out.push(format!("numobj= {}", target.num_frames()));
                out.push(format!("uniqueId= {}", target.unique_id()));
                out.push(format!("classId= {}", target.class_id()));
                out.push(format!("objLabel= {}", target.label()));
                for f in target.frames() {
                    out.push(format!("frameNum: {}", f.frame_num));
                    out.push(format!("tBbox.left: {}", py_float(f.bbox.left)));
                    out.push(format!("tBbox.width: {}", py_float(f.bbox.width)));
                    out.push(format!("tBbox.top: {}", py_float(f.bbox.top)));
                    out.push(format!("tBbox.right: {}", py_float(f.bbox.height)));
                    out.push(format!("confidence: {}", py_float(f.confidence)));
                    out.push(format!("age: {}", f.age));
                }
            }
        }
    }
    out
}

/// `osd_sink_pad_buffer_probe`: for each frame, counts the objects by
/// class, adds a display meta with the summary text and prints it (the
/// boxes keep the colours nvinfer gave them).
/// With `verbose`, also prints one `Object <id> <class> <gender> <emotion>` line per object
/// (the labels of the classifiers with `gie-unique-id` 2 and 3, `-` when absent).
/// Then prints the batch's past-frame meta ([`past_frame_lines`]).
pub fn osd_sink_pad_buffer_probe(buffer: &mut gst::BufferRef, verbose: bool) {
    let Some(batch) = BatchMeta::from_buffer_mut(buffer) else {
        return;
    };
    let mut batch = batch.lock();
    for mut frame in batch.frames_mut() {
        let mut obj_counter = ObjCounter::default();
        for obj in frame.objects() {
            obj_counter.count(obj.class_id());
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
    // Past tracking meta data.
    for line in past_frame_lines(&batch) {
        println!("{line}");
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
    fn floats_print_as_python_does() {
        for (x, py) in [
            (412.0, "412.0"),
            (0.87109375, "0.87109375"),
            (0.1, "0.10000000149011612"),
            (-0.0, "-0.0"),
            (0.0, "0.0"),
            (1e-5, "9.999999747378752e-06"),
            (0.0001, "9.999999747378752e-05"),
            (0.00015, "0.0001500000071246177"),
            (1e16, "1.0000000272564224e+16"),
            (123456789.0, "123456792.0"),
            (f32::INFINITY, "inf"),
            (f32::NAN, "nan"),
        ] {
            assert_eq!(py_float(x), py, "{x}");
        }
    }
}
