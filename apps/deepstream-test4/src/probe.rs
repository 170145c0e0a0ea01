//! The sample's OSD sink-pad probe: labels and counts the objects, and on
//! every 30th frame attaches event messages (`NvDsEventMsgMeta`): one for
//! the frame's first vehicle and one for its first person (each when the
//! frame has one), filled as the sample fills them, built with ds-core's
//! allocators (ds-core installs the deep copy / release functions the
//! Python sample writes by hand).
//!
//! Why first vehicle *and* first person: our issue asks for "every 30th
//! frame, for the first vehicle and person objects, an NvDsEventMsgMeta
//! filled as the sample fills it", as NVIDIA's earlier C / Python
//! deepstream-test4 did. The newest Python sample attaches a single event
//! per 30th frame, for the frame's first object of any class; the issue
//! wins, so a 30th frame with both classes yields two events (two payloads).
use ds_core::alloc::{EventMsgMeta, PersonObject, Rect, VehicleObject};
use ds_core::osd::Color;
use ds_core::BatchMeta;
use gstreamer as gst;

/// Class ids of the sample's 4-class detector (1 = two-wheeler, 3 = road
/// sign are only labelled).
pub const PGIE_CLASS_ID_VEHICLE: i32 = 0;
/// Persons.
pub const PGIE_CLASS_ID_PERSON: i32 = 2;
/// The sample's display names of the classes.
pub const PGIE_CLASSES_STR: [&str; 4] = ["Vehicle", "TwoWheeler", "Person", "Roadsign"];
/// An event message every this many frames.
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

/// Processes one buffer; returns the number of event messages attached.
pub fn osd_sink_pad_buffer_probe(buffer: &mut gst::BufferRef) -> usize {
    let Some(batch) = BatchMeta::from_buffer_mut(buffer) else {
        return 0;
    };
    let mut events = 0;
    let mut frame_number = 0;
    let (mut vehicles, mut persons) = (0u32, 0u32);
    let mut batch = batch.lock();
    for mut frame in batch.frames_mut() {
        frame_number = frame.frame_num();
        let event_frame = frame_number % EVENT_INTERVAL == 0;
        // The first vehicle and the first person of every 30th frame each
        // get an event message (in object order).
        let mut messages = Vec::new();
        let (mut vehicle_done, mut person_done) = (false, false);
        for obj in frame.objects_mut() {
            let class_id = obj.class_id();
            let text = obj.text_params_mut();
            let label = usize::try_from(class_id)
                .ok()
                .and_then(|i| PGIE_CLASSES_STR.get(i));
            if let Some(label) = label {
                text.set_display_text(label);
            }
            text.set_font_name("Serif");
            text.set_font_size(10);
            text.set_font_color(Color::clamped(1.0, 1.0, 1.0, 1.0));
            text.set_bg_color(Color::clamped(0.0, 0.0, 0.0, 1.0));
            let first = match class_id {
                PGIE_CLASS_ID_VEHICLE => {
                    vehicles += 1;
                    !std::mem::replace(&mut vehicle_done, true)
                }
                PGIE_CLASS_ID_PERSON => {
                    persons += 1;
                    !std::mem::replace(&mut person_done, true)
                }
                _ => false,
            };
            if event_frame && first {
                let r = obj.rect_params();
                let mut msg = EventMsgMeta::new();
                msg.set_bbox(Rect {
                    top: r.top,
                    left: r.left,
                    width: r.width,
                    height: r.height,
                });
                msg.set_frame_id(frame_number);
                msg.set_tracking_id(obj.object_id());
                msg.set_confidence(f64::from(obj.confidence()));
                generate_event_msg_meta(&mut msg, class_id);
                messages.push(msg);
            }
        }
        for msg in messages {
            match frame.add_user_meta(msg) {
                Ok(_) => events += 1,
                Err(e) => println!("Error in attaching event meta to buffer: {e}\n"),
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
