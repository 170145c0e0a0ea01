//! deepstream-ssd-parser's lesson: two buffer probes.
//!
//! * [`pgie_src_pad_buffer_probe`], on nvinfer's source pad: nvinfer ran
//!   with `network-type=100` and `output-tensor-meta=1`, so it parsed
//!   nothing and attached each frame's raw output layers as frame user meta
//!   of type `NVDSINFER_TENSOR_OUTPUT_META`. The probe parses them in Rust
//!   ([`crate::nanodet_parser`]) and adds each detection to the frame as an
//!   object meta from the batch's pool ([`add_obj_meta_to_frame`]).
//! * [`osd_sink_pad_buffer_probe`], on the OSD's sink pad: counts the
//!   objects per class and adds the frame's summary text, as deepstream-test1.
use crate::nanodet_parser::{
    nvds_infer_parse_custom_nanodet, BoxSizeParam, DetectionParam, NmsParam, ObjectDetectionInfo,
};
use ds_core::meta::FrameMut;
use ds_core::osd::Color;
use ds_core::tensor::TensorMeta;
use ds_core::{BatchMeta, UNTRACKED_OBJECT_ID};
use gstreamer as gst;

/// Number of classes of the detector (the sample's SSD: 91; NanoDet: 80).
pub const CLASS_NB: usize = 80;
/// Detection threshold of every class.
pub const ACCURACY_ALL_CLASS: f32 = 0.5;
/// Frame size (the muxer's output).
pub const IMAGE_HEIGHT: u32 = 1080;
/// Frame size (the muxer's output).
pub const IMAGE_WIDTH: u32 = 1920;
/// Boxes up to this size in pixels are dropped.
pub const MIN_BOX_WIDTH: u32 = 32;
/// Boxes up to this size in pixels are dropped.
pub const MIN_BOX_HEIGHT: u32 = 32;
/// At most this many boxes per frame.
pub const TOP_K: usize = 20;
/// NMS overlap threshold.
pub const IOU_THRESHOLD: f32 = 0.3;

/// The label names (`get_label_names_from_file("labels.txt")`), read once
/// at start; the class ids the OSD probe counts are looked up by name.
#[derive(Debug, Clone)]
pub struct Labels {
    names: Vec<String>,
    car: i32,
    person: i32,
}

impl Labels {
    /// Parses a label file, one name per line; it must name `car` and
    /// `person` (the sample's `id_dict["car"]`, `id_dict["person"]`).
    pub fn parse(text: &str) -> Result<Labels, String> {
        let names: Vec<String> = text.lines().map(|l| l.trim_end().to_string()).collect();
        let id = |name: &str| {
            names
                .iter()
                .position(|n| n == name)
                .map(|i| i as i32)
                .ok_or_else(|| format!("no '{name}' label"))
        };
        let (car, person) = (id("car")?, id("person")?);
        Ok(Labels { names, car, person })
    }
}

/// `pgie_src_pad_buffer_probe`: parses the tensor meta of every frame and
/// adds the objects found; marks every frame as inferred.
pub fn pgie_src_pad_buffer_probe(buffer: &mut gst::BufferRef, label_names: &Labels) {
    let Some(batch) = BatchMeta::from_buffer_mut(buffer) else {
        return;
    };
    let detection_params = DetectionParam::new(CLASS_NB, ACCURACY_ALL_CLASS);
    let box_size_param = BoxSizeParam {
        screen_height: IMAGE_HEIGHT,
        screen_width: IMAGE_WIDTH,
        min_box_height: MIN_BOX_HEIGHT,
        min_box_width: MIN_BOX_WIDTH,
    };
    let nms_param = NmsParam {
        top_k: TOP_K,
        iou_threshold: IOU_THRESHOLD,
    };
    let mut batch = batch.lock();
    for mut frame_meta in batch.frames_mut() {
        // The frame's user metas of type NVDSINFER_TENSOR_OUTPUT_META
        // (`from_user_meta` checks the type). Boxes come in network
        // resolution (tensor_meta.network_info()); the parser turns them
        // into fractions of the frame.
        let mut frame_object_list = Vec::new();
        for tensor_meta in frame_meta
            .user_metas()
            .filter_map(TensorMeta::from_user_meta)
        {
            match nvds_infer_parse_custom_nanodet(
                tensor_meta,
                &detection_params,
                &box_size_param,
                &nms_param,
            ) {
                Ok(objects) => frame_object_list.extend(objects),
                Err(e) => eprintln!("ERROR: {e}"),
            }
        }
        for frame_object in &frame_object_list {
            if let Err(e) = add_obj_meta_to_frame(frame_object, &mut frame_meta, label_names) {
                eprintln!("deepstream-ssd-parser: cannot add an object: {e}");
            }
        }
        // Indicate inference is performed on the frame.
        frame_meta.set_infer_done(true);
    }
}

/// `add_obj_meta_to_frame`: an object meta from the batch's pool, with the
/// sample's box, colours, label and text, added to the frame (no parent).
pub fn add_obj_meta_to_frame(
    frame_object: &ObjectDetectionInfo,
    frame_meta: &mut FrameMut<'_>,
    label_names: &Labels,
) -> Result<(), ds_core::MetaError> {
    let mut obj_meta = frame_meta.acquire_object()?;
    // Box in input resolution, whole pixels as the sample's int().
    let rect_params = obj_meta.rect_params_mut();
    rect_params.left = (IMAGE_WIDTH as f32 * frame_object.left).trunc();
    rect_params.top = (IMAGE_HEIGHT as f32 * frame_object.top).trunc();
    rect_params.width = (IMAGE_WIDTH as f32 * frame_object.width).trunc();
    rect_params.height = (IMAGE_HEIGHT as f32 * frame_object.height).trunc();
    // Semi-transparent yellow background (not drawn: has_bg_color = 0).
    rect_params.has_bg_color = 0;
    rect_params.bg_color = Color::clamped(1.0, 1.0, 0.0, 0.4).to_params();
    // Red border of width 3.
    rect_params.border_width = 3;
    rect_params.border_color = Color::clamped(1.0, 0.0, 0.0, 1.0).to_params();
    let (left, top) = (rect_params.left, rect_params.top);

    obj_meta.set_confidence(frame_object.detection_confidence);
    obj_meta.set_class_id(frame_object.class_id as i32);
    // No tracking id upon detection: the tracker would assign one.
    obj_meta.set_object_id(UNTRACKED_OBJECT_ID);

    let lbl_id = match frame_object.class_id as usize {
        id if id < label_names.names.len() => id,
        _ => 0,
    };
    let label = label_names.names.get(lbl_id).map_or("", String::as_str);
    obj_meta.set_obj_label(label);

    // The object's text (the setter frees the previous one).
    let txt_params = obj_meta.text_params_mut();
    txt_params.set_offsets(left as u32, (top as i32 - 10).max(0) as u32);
    txt_params.set_display_text(&format!(
        "{label} {:04.3}",
        frame_object.detection_confidence
    ));
    txt_params.set_font_name("Serif");
    txt_params.set_font_size(10);
    // White text on a black background.
    txt_params.set_font_color(Color::clamped(1.0, 1.0, 1.0, 1.0));
    txt_params.set_bg_color(Color::clamped(0.0, 0.0, 0.0, 1.0));

    frame_meta.add_object(obj_meta, None)?;
    Ok(())
}

/// The text the sample draws and prints for a frame.
pub fn summary(frame_number: i32, num_rects: u32, vehicles: u32, persons: u32) -> String {
    format!(
        "Frame Number={frame_number} Number of Objects={num_rects} \
         Vehicle_count={vehicles} Person_count={persons}"
    )
}

/// `osd_sink_pad_buffer_probe`: counts cars and persons per frame, adds and
/// prints the summary text.
pub fn osd_sink_pad_buffer_probe(buffer: &mut gst::BufferRef, labels: &Labels) {
    let Some(batch) = BatchMeta::from_buffer_mut(buffer) else {
        return;
    };
    let mut batch = batch.lock();
    for mut frame_meta in batch.frames_mut() {
        let frame_number = frame_meta.frame_num();
        let num_rects = frame_meta.num_obj_meta();
        let mut obj_counter = vec![0u32; CLASS_NB];
        for obj_meta in frame_meta.objects() {
            if let Some(c) = usize::try_from(obj_meta.class_id())
                .ok()
                .and_then(|id| obj_counter.get_mut(id))
            {
                *c += 1;
            }
        }
        let count = |id: i32| obj_counter.get(id as usize).copied().unwrap_or(0);
        let text = summary(
            frame_number,
            num_rects,
            count(labels.car),
            count(labels.person),
        );
        match frame_meta.new_display_meta() {
            Ok(display_meta) => match display_meta.add_text(&text) {
                Ok(params) => {
                    params.set_offsets(10, 12);
                    params.set_font_name("Serif");
                    params.set_font_size(10);
                    params.set_font_color(Color::clamped(1.0, 1.0, 1.0, 1.0));
                    params.set_bg_color(Color::clamped(0.0, 0.0, 0.0, 1.0));
                }
                Err(e) => eprintln!("deepstream-ssd-parser: cannot add the text: {e}"),
            },
            Err(e) => eprintln!("deepstream-ssd-parser: cannot acquire display meta: {e}"),
        }
        println!("{text}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_give_the_ids_the_osd_probe_counts() {
        let l = Labels::parse(include_str!("../labels.txt")).unwrap();
        assert_eq!((l.car, l.person, l.names.len()), (2, 0, CLASS_NB));
        assert!(Labels::parse("a\nb\n").is_err());
    }

    #[test]
    fn an_object_gets_the_samples_box_text_and_colours() {
        let labels = Labels::parse(include_str!("../labels.txt")).unwrap();
        let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
        batch.new_frame().unwrap();
        let mut frame = batch.frame_mut(0).unwrap();
        let det = ObjectDetectionInfo {
            class_id: 2,
            left: 0.5,
            top: 0.001,
            width: 0.25,
            height: 0.5,
            detection_confidence: 0.87654,
        };
        add_obj_meta_to_frame(&det, &mut frame, &labels).unwrap();
        let obj = frame.objects().next().unwrap();
        let r = obj.rect_params();
        assert_eq!(
            (r.left, r.top, r.width, r.height),
            (960.0, 1.0, 480.0, 540.0)
        );
        assert_eq!(r.border_width, 3);
        assert_eq!(obj.obj_label(), "car");
        assert_eq!(obj.object_id(), UNTRACKED_OBJECT_ID);
        assert_eq!(obj.text_params().display_text(), Some("car 0.877"));
        assert_eq!(obj.text_params().raw().y_offset, 0);
    }
}
