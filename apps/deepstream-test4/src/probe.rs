//! deepstream-test4's lesson: a probe on the OSD's sink pad that labels
//! and counts the objects and, on every 30th frame, attaches an event
//! message (`NvDsEventMsgMeta`) for the frame's first object, of any class,
//! filled as the sample fills it. The meta is built with ds-core's
//! allocators; ds-core installs the deep copy / release functions that the
//! Python bindings provide as `event_msg_meta_copy_func` /
//! `event_msg_meta_release_func`.
use ds_core::alloc::{EventMsgMeta, PersonObject, Rect, VehicleObject};
use ds_core::osd::Color;
use ds_core::BatchMeta;
use gstreamer as gst;

/// Class ids of the sample's 4-class detector (1 = two-wheeler, 3 = road
/// sign are only labelled, and get events without an attached object).
pub const PGIE_CLASS_ID_VEHICLE: i32 = 0;
/// Persons.
pub const PGIE_CLASS_ID_PERSON: i32 = 2;
/// The sample's display names of the classes.
pub const PGIE_CLASSES_STR: [&str; 4] = ["Vehicle", "TwoWheeler", "Person", "Roadsign"];
/// An event message (for the first object) every this many frames.
pub const EVENT_INTERVAL: i32 = 30;

/// The sample's `generate_vehicle_meta`.
pub fn generate_vehicle_meta() -> VehicleObject {
    VehicleObject::new()
        .with_type("sedan")
        .with_color("blue")
        .with_make("Bugatti")
        .with_model("M")
        .with_license("XX1234")
        .with_region("CA")
}

/// The sample's `generate_person_meta`.
pub fn generate_person_meta() -> PersonObject {
    PersonObject::new()
        .with_age(45)
        .with_cap("none")
        .with_hair("black")
        .with_gender("male")
        .with_apparel("formal")
}

/// The sample's `generate_event_msg_meta`: ids, sensor string, timestamp,
/// and for vehicles / persons the event type, object type, class and the
/// attached object (other classes keep the defaults, as in the sample).
pub fn generate_event_msg_meta(meta: &mut EventMsgMeta, class_id: i32) {
    meta.set_sensor_id(0);
    meta.set_place_id(0);
    meta.set_module_id(0);
    meta.set_sensor_str("sensor-0");
    if let Err(e) = meta.set_ts_now() {
        eprintln!("deepstream-test4: cannot generate the timestamp: {e}");
    }
    // Any custom object can be attached this way; the payload generator
    // (nvmsgconv) must then know how to read it. set_vehicle / set_person
    // set objType, extMsg and extMsgSize together.
    match class_id {
        PGIE_CLASS_ID_VEHICLE => {
            meta.set_event_type(ds_sys::NVDS_EVENT_MOVING);
            meta.set_obj_class_id(PGIE_CLASS_ID_VEHICLE);
            meta.set_vehicle(generate_vehicle_meta());
        }
        PGIE_CLASS_ID_PERSON => {
            meta.set_event_type(ds_sys::NVDS_EVENT_ENTRY);
            meta.set_obj_class_id(PGIE_CLASS_ID_PERSON);
            meta.set_person(generate_person_meta());
        }
        _ => {}
    }
}

/// The line the sample prints per buffer.
pub fn summary(frame_number: i32, vehicles: u32, persons: u32) -> String {
    format!("Frame Number = {frame_number} Vehicle Count = {vehicles} Person Count = {persons}")
}

/// `osd_sink_pad_buffer_probe`: processes one buffer; returns the number
/// of event messages attached.
pub fn osd_sink_pad_buffer_probe(buffer: &mut gst::BufferRef) -> usize {
    let Some(batch) = BatchMeta::from_buffer_mut(buffer) else {
        return 0;
    };
    let mut events = 0;
    let mut frame_number = 0;
    // The sample's obj_counter: one for the whole batch.
    let (mut vehicles, mut persons) = (0u32, 0u32);
    let mut batch = batch.lock();
    for mut frame in batch.frames_mut() {
        let mut is_first_object = true;
        frame_number = frame.frame_num();
        let mut message = None;
        for obj in frame.objects_mut() {
            let class_id = obj.class_id();
            let txt_params = obj.text_params_mut();
            let label = usize::try_from(class_id)
                .ok()
                .and_then(|i| PGIE_CLASSES_STR.get(i));
            if let Some(label) = label {
                txt_params.set_display_text(label);
            }
            match class_id {
                PGIE_CLASS_ID_VEHICLE => vehicles += 1,
                PGIE_CLASS_ID_PERSON => persons += 1,
                _ => {}
            }
            txt_params.set_font_name("Serif");
            txt_params.set_font_size(10);
            // White text on a black background (set_bg_clr = 1).
            txt_params.set_font_color(Color::clamped(1.0, 1.0, 1.0, 1.0));
            txt_params.set_bg_color(Color::clamped(0.0, 0.0, 0.0, 1.0));

            // Here the probe attaches the event meta; ideally the element
            // that detects or recognises the object would.
            if is_first_object && frame_number % EVENT_INTERVAL == 0 {
                let r = obj.rect_params();
                let mut msg_meta = EventMsgMeta::new();
                msg_meta.set_bbox(Rect {
                    top: r.top,
                    left: r.left,
                    width: r.width,
                    height: r.height,
                });
                msg_meta.set_frame_id(frame_number);
                msg_meta.set_tracking_id(obj.object_id());
                msg_meta.set_confidence(f64::from(obj.confidence()));
                generate_event_msg_meta(&mut msg_meta, class_id);
                message = Some(msg_meta);
                is_first_object = false;
            }
        }
        // The user meta comes from the batch's pool and is added to the
        // frame (after the object loop, which borrows the frame).
        if let Some(msg_meta) = message {
            match frame.add_user_meta(msg_meta) {
                Ok(_) => events += 1,
                Err(e) => {
                    println!("Error in attaching event meta to buffer\n");
                    eprintln!("deepstream-test4: {e}");
                }
            }
        }
    }
    println!("{}", summary(frame_number, vehicles, persons));
    events
}

#[cfg(test)]
mod tests {
    use super::*;
    use ds_core::alloc::ExtObjectRef;

    #[test]
    fn summary_matches_the_python_sample() {
        assert_eq!(
            summary(30, 2, 5),
            "Frame Number = 30 Vehicle Count = 2 Person Count = 5"
        );
    }

    #[test]
    fn event_meta_as_the_sample_fills_it() {
        let mut m = EventMsgMeta::new();
        generate_event_msg_meta(&mut m, PGIE_CLASS_ID_PERSON);
        assert_eq!(m.sensor_str(), Some("sensor-0"));
        assert_eq!(m.event_type(), ds_sys::NVDS_EVENT_ENTRY);
        assert_eq!(m.obj_type(), ds_sys::NVDS_OBJECT_TYPE_PERSON);
        assert_eq!(m.ts().unwrap().len(), 24);
        match m.ext() {
            Some(ExtObjectRef::Person(p)) => {
                assert_eq!((p.age(), p.apparel()), (45, Some("formal")))
            }
            other => panic!("{other:?}"),
        }
        let mut v = EventMsgMeta::new();
        generate_event_msg_meta(&mut v, PGIE_CLASS_ID_VEHICLE);
        assert_eq!(v.event_type(), ds_sys::NVDS_EVENT_MOVING);
        assert_eq!(v.vehicle().unwrap().license(), Some("XX1234"));
        let mut r = EventMsgMeta::new();
        generate_event_msg_meta(&mut r, 3);
        assert!(r.ext().is_none());
    }
}
