//! Tests of the owned allocators (event message, objects, event, payload,
//! user buffer): building, reading back, deep copies, ownership moving into
//! user meta and being released once. No GStreamer buffer is needed, so they
//! also run under Miri: `cargo +nightly miri test -p ds-core --test alloc`.
use ds_core::alloc::{
    AllocError, Event, EventMsgMeta, EventMsgMetaRef, ExtObject, ExtObjectRef, FaceObject, Joint,
    Payload, PersonObject, Rect, UserBuffer, UserBufferRef, VehicleObject,
};
use ds_core::OwnedBatchMeta;
use std::time::{Duration, UNIX_EPOCH};

/// deepstream-test4's `generate_vehicle_meta` + `generate_event_msg_meta`.
fn test4_vehicle_event(frame_number: i32) -> EventMsgMeta {
    let mut msg = EventMsgMeta::new();
    msg.set_bbox(Rect {
        top: 10.0,
        left: 20.0,
        width: 100.0,
        height: 50.0,
    });
    msg.set_frame_id(frame_number);
    msg.set_tracking_id(u64::MAX);
    msg.set_confidence(0.9);
    msg.set_sensor_id(0);
    msg.set_place_id(0);
    msg.set_module_id(0);
    msg.set_sensor_str("sensor-0");
    msg.set_ts_time(UNIX_EPOCH + Duration::from_millis(1_700_000_000_123))
        .unwrap();
    msg.set_event_type(ds_sys::NVDS_EVENT_MOVING);
    msg.set_obj_class_id(0);
    msg.set_vehicle(
        VehicleObject::new()
            .with_type("sedan")
            .with_color("blue")
            .with_make("Bugatti")
            .with_model("M")
            .with_license("XX1234")
            .with_region("CA"),
    );
    msg
}

fn check_test4_vehicle_event(m: &EventMsgMetaRef, frame_number: i32) {
    assert_eq!(m.frame_id(), frame_number);
    assert_eq!(m.tracking_id(), u64::MAX);
    assert_eq!(m.confidence(), 0.9);
    assert_eq!(m.bbox().width, 100.0);
    assert_eq!(m.sensor_str(), Some("sensor-0"));
    assert_eq!(m.ts(), Some("2023-11-14T22:13:20.123Z"));
    assert_eq!(m.event_type(), ds_sys::NVDS_EVENT_MOVING);
    assert_eq!(m.obj_type(), ds_sys::NVDS_OBJECT_TYPE_VEHICLE);
    assert_eq!(
        m.ext_msg_size() as usize,
        std::mem::size_of::<ds_sys::NvDsVehicleObject>()
    );
    let v = m.vehicle().expect("vehicle attached");
    assert_eq!(v.type_(), Some("sedan"));
    assert_eq!(v.color(), Some("blue"));
    assert_eq!(v.make(), Some("Bugatti"));
    assert_eq!(v.model(), Some("M"));
    assert_eq!(v.license(), Some("XX1234"));
    assert_eq!(v.region(), Some("CA"));
    assert!(m.person().is_none() && m.face().is_none());
}

#[test]
fn event_msg_fields_round_trip() {
    let msg = test4_vehicle_event(30);
    check_test4_vehicle_event(&msg, 30);
    assert_eq!(msg.object_id(), None);
    assert_eq!(msg.other_attrs(), None);
    assert_eq!(msg.video_path(), None);
}

#[test]
fn setters_replace_and_clear_strings() {
    let mut msg = EventMsgMeta::new();
    for i in 0..5 {
        msg.set_object_id(&format!("obj-{i}"));
    }
    assert_eq!(msg.object_id(), Some("obj-4"));
    msg.set_other_attrs("a=1\0ignored");
    assert_eq!(msg.other_attrs(), Some("a=1"));
    msg.set_video_path("/tmp/v.mp4");
    msg.clear_video_path();
    assert_eq!(msg.video_path(), None);
    assert_eq!(msg.video_path_c(), None);
    msg.set_sensor_str("");
    assert_eq!(msg.sensor_str(), Some(""));
}

#[test]
fn ext_object_replace_take_and_type_lock() {
    let mut msg = EventMsgMeta::new();
    assert!(msg.set_person(PersonObject::new().with_age(45)).is_none());
    assert_eq!(msg.obj_type(), ds_sys::NVDS_OBJECT_TYPE_PERSON);
    assert_eq!(
        msg.set_obj_type(ds_sys::NVDS_OBJECT_TYPE_VEHICLE),
        Err(AllocError::ObjTypeLocked {
            current: ds_sys::NVDS_OBJECT_TYPE_PERSON,
            requested: ds_sys::NVDS_OBJECT_TYPE_VEHICLE
        })
    );
    // Same type is fine.
    msg.set_obj_type(ds_sys::NVDS_OBJECT_TYPE_PERSON).unwrap();
    let old = msg.set_face(FaceObject::new().with_name("Ada").with_age(36));
    match old {
        Some(ExtObject::Person(p)) => assert_eq!(p.age(), 45),
        other => panic!("expected the person back, got {other:?}"),
    }
    assert_eq!(msg.obj_type(), ds_sys::NVDS_OBJECT_TYPE_FACE);
    match msg.ext() {
        Some(ExtObjectRef::Face(f)) => {
            assert_eq!(f.name(), Some("Ada"));
            assert_eq!(f.age(), 36);
        }
        other => panic!("{other:?}"),
    }
    msg.face_mut().unwrap().set_glasses("round");
    assert_eq!(msg.face().unwrap().glasses(), Some("round"));
    let taken = msg.take_ext();
    assert!(matches!(taken, Some(ExtObject::Face(ref f)) if f.glasses() == Some("round")));
    assert!(msg.ext().is_none());
    // Unlocked again.
    msg.set_obj_type(ds_sys::NVDS_OBJECT_TYPE_BICYCLE).unwrap();
    assert_eq!(msg.obj_type(), ds_sys::NVDS_OBJECT_TYPE_BICYCLE);
    assert!(AllocError::ObjTypeLocked {
        current: 1,
        requested: 2
    }
    .to_string()
    .contains("objType"));
}

#[test]
fn arrays_copy_and_replace() {
    let mut msg = EventMsgMeta::new();
    msg.set_signature(&[1.0, 2.0, 3.0]).unwrap();
    msg.set_signature(&[4.0]).unwrap();
    assert_eq!(msg.signature(), &[4.0]);
    msg.set_embedding(&[0.5; 128]).unwrap();
    assert_eq!(msg.embedding().len(), 128);
    let joints: Vec<Joint> = (0..17)
        .map(|i| Joint {
            x: i as f32,
            y: 2.0 * i as f32,
            z: 0.0,
            confidence: 0.5,
        })
        .collect();
    msg.set_pose(&joints, 0).unwrap();
    assert_eq!(msg.pose_joints(), &joints[..]);
    assert_eq!(msg.pose_type(), 0);
    let copy = msg.clone();
    msg.set_embedding(&[]).unwrap();
    assert!(msg.embedding().is_empty());
    assert_eq!(copy.embedding().len(), 128);
    assert_eq!(copy.signature(), &[4.0]);
    assert_eq!(copy.pose_joints()[16].y, 32.0);
    assert_ne!(
        copy.as_raw().pose.joints,
        msg.as_raw().pose.joints,
        "deep copy"
    );
}

#[test]
fn clone_is_deep_and_independent() {
    let mut a = test4_vehicle_event(7);
    let b = a.clone();
    a.set_sensor_str("changed");
    a.vehicle_mut().unwrap().set_make("Other");
    check_test4_vehicle_event(&b, 7);
    assert_ne!(a.as_raw().sensorStr, b.as_raw().sensorStr);
    assert_ne!(a.as_raw().extMsg, b.as_raw().extMsg);
    drop(a);
    check_test4_vehicle_event(&b, 7);
}

#[test]
fn objects_build_clone_and_drop() {
    let v = VehicleObject::new().with_make("A").with_model("B");
    let mut v2 = v.clone();
    v2.set_make("C");
    v2.clear_model();
    assert_eq!((v.make(), v.model()), (Some("A"), Some("B")));
    assert_eq!((v2.make(), v2.model()), (Some("C"), None));
    let p = PersonObject::new()
        .with_gender("male")
        .with_hair("black")
        .with_cap("none")
        .with_apparel("formal")
        .with_age(45);
    assert_eq!(
        (p.gender(), p.hair(), p.cap(), p.apparel(), p.age()),
        (
            Some("male"),
            Some("black"),
            Some("none"),
            Some("formal"),
            45
        )
    );
    let f = FaceObject::default()
        .with_facialhair("beard")
        .with_eyecolor("brown");
    assert_eq!(f.clone().facialhair(), Some("beard"));
    assert!(format!("{f:?}").contains("beard"));
}

#[test]
fn event_owns_metadata() {
    let events = vec![
        Event::new(ds_sys::NVDS_EVENT_MOVING, test4_vehicle_event(1)),
        Event::new(ds_sys::NVDS_EVENT_ENTRY, EventMsgMeta::new()),
    ];
    let raw = Event::as_raw_slice(&events);
    assert_eq!(raw.len(), 2);
    assert_eq!(raw[0].eventType, ds_sys::NVDS_EVENT_MOVING);
    assert_eq!(raw[1].eventType, ds_sys::NVDS_EVENT_ENTRY);
    check_test4_vehicle_event(events[0].metadata(), 1);
    let copies = events.clone();
    drop(events);
    check_test4_vehicle_event(copies[0].metadata(), 1);
    let mut copies = copies;
    copies[1].metadata_mut().set_sensor_str("s");
    let meta = copies.pop().unwrap().into_metadata();
    assert_eq!(meta.sensor_str(), Some("s"));
}

#[test]
fn payload_and_buffer() {
    let p = Payload::new(br#"{"k":"v"}"#, 2).unwrap();
    assert_eq!(p.as_str(), Some(r#"{"k":"v"}"#));
    assert_eq!(p.component_id(), 2);
    assert_eq!(p.clone().bytes(), p.bytes());

    let t = ds_sys::NVDS_START_USER_META + 3;
    let mut b = UserBuffer::new(t, &[1, 2, 3, 4]).unwrap();
    b.bytes_mut()[0] = 9;
    assert_eq!(b.bytes(), &[9, 2, 3, 4]);
    assert_eq!(b.clone().bytes(), &[9, 2, 3, 4]);
    assert_eq!(UserBuffer::zeroed(t, 0).unwrap().bytes(), &[] as &[u8]);
    assert_eq!(
        UserBuffer::new(ds_sys::NVDS_PAYLOAD_META, b"").unwrap_err(),
        AllocError::ReservedMetaType(ds_sys::NVDS_PAYLOAD_META)
    );
    assert!(UserBuffer::zeroed(ds_sys::NVDS_USER_META, 1).is_ok());
}

#[test]
fn ownership_moves_into_frame_user_meta_and_copies_deeply() {
    let mut batch = OwnedBatchMeta::new(1).unwrap();
    let my_type = ds_sys::NVDS_START_USER_META + 1;
    {
        let frame = batch.new_frame().unwrap();
        frame.add_user_meta(test4_vehicle_event(30)).unwrap();
        let mut msg = EventMsgMeta::new();
        msg.set_person(PersonObject::new().with_age(45).with_gender("male"));
        msg.set_event_type(ds_sys::NVDS_EVENT_ENTRY);
        frame.add_user_meta(msg).unwrap();
        frame
            .add_user_meta(Payload::new(b"payload", 5).unwrap())
            .unwrap();
        frame
            .add_user_meta(UserBuffer::new(my_type, b"raw").unwrap())
            .unwrap();
    }

    let check = |batch: &ds_core::BatchMeta| {
        let frame = batch.frames().next().unwrap();
        let metas: Vec<_> = frame.user_metas().collect();
        assert_eq!(metas.len(), 4);
        check_test4_vehicle_event(metas[0].downcast::<EventMsgMeta>().unwrap(), 30);
        let person = metas[1].downcast::<EventMsgMeta>().unwrap();
        assert_eq!(person.person().unwrap().gender(), Some("male"));
        assert_eq!(person.event_type(), ds_sys::NVDS_EVENT_ENTRY);
        // Type checks: a payload is not an event message, and back.
        assert!(metas[2].downcast::<EventMsgMeta>().is_none());
        assert_eq!(metas[2].downcast::<Payload>().unwrap().bytes(), b"payload");
        assert!(metas[0].downcast::<Payload>().is_none());
        assert!(metas[0].downcast::<UserBuffer>().is_none());
        assert_eq!(metas[3].meta_type(), my_type);
        assert_eq!(
            UserBufferRef::from_user_meta(metas[3], my_type)
                .unwrap()
                .bytes(),
            b"raw"
        );
        assert!(UserBufferRef::from_user_meta(metas[3], my_type + 1).is_none());
    };
    check(&batch);

    // A batch copy deep-copies through ds-core's copy functions.
    let copy = batch.try_copy().unwrap();
    {
        let mut frame = batch.frames_mut().next().unwrap();
        let mut metas = frame.user_metas_mut();
        let first = metas.next().unwrap();
        let m = first.downcast_mut::<EventMsgMeta>().unwrap();
        m.set_sensor_str("mutated");
        m.vehicle_mut().unwrap().set_make("Other");
    }
    let frame = batch.frames().next().unwrap();
    let first = frame.user_metas().next().unwrap();
    assert_eq!(
        first.downcast::<EventMsgMeta>().unwrap().sensor_str(),
        Some("mutated")
    );
    check(&copy);
    drop(batch);
    check(&copy);
    // Dropping `copy` releases every user meta exactly once (Miri checks
    // leaks and double frees).
}
