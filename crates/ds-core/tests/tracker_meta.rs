//! Tests of the tracker misc data (`ds_core::tracker`): building, reading
//! back, attaching as batch user meta, deep copies and release. All but the
//! GStreamer buffer test run under Miri too:
//! `cargo +nightly miri test -p ds-core --test tracker_meta`.
use ds_core::tracker::{
    MiscDataKind, TargetBox, TargetFrame, TargetMiscData, TargetMiscDataRef, TrackerState,
};
use ds_core::{OwnedBatchMeta, UserData, UserMetaData};
use ds_sys::NvDsUserMeta;
use std::os::raw::c_void;

fn frame(n: u32) -> TargetFrame {
    TargetFrame {
        frame_num: n,
        bbox: TargetBox {
            left: 10.0 + n as f32,
            top: 20.0,
            width: 30.5,
            height: 40.25,
        },
        confidence: 0.5 + n as f32 / 100.0,
        age: n,
        state: TrackerState::Tentative,
        visibility: 1.0,
    }
}

/// Two streams; stream 0 has 6 targets (more than the first allocation)
/// of 9 frames each, stream 1 one target with no frame.
fn sample(kind: MiscDataKind) -> TargetMiscData {
    let mut data = TargetMiscData::new(kind);
    {
        let mut s = data.push_stream(0, 0);
        for id in 0..6u64 {
            let mut t = s.push_target(id, (id % 4) as u16, &format!("Label{id}"));
            for n in 0..9 {
                t.push_frame(frame(n));
            }
        }
    }
    data.push_stream(3, 3 << 32).push_target(99, 1, "Bicycle");
    data
}

fn check(d: &TargetMiscDataRef) {
    let streams = d.streams();
    assert_eq!(streams.len(), 2);
    assert_eq!(
        (streams[0].stream_id(), streams[0].surface_stream_id()),
        (0, 0)
    );
    assert_eq!(
        (streams[1].stream_id(), streams[1].surface_stream_id()),
        (3, 3 << 32)
    );
    let targets = streams[0].targets();
    assert_eq!(targets.len(), 6);
    for (id, t) in targets.iter().enumerate() {
        assert_eq!(t.unique_id(), id as u64);
        assert_eq!(t.class_id(), (id % 4) as u16);
        assert_eq!(t.label(), format!("Label{id}"));
        assert_eq!(t.num_frames(), 9);
        let frames: Vec<TargetFrame> = t.frames().collect();
        assert_eq!(frames, (0..9).map(frame).collect::<Vec<_>>());
    }
    let lone = &streams[1].targets()[0];
    assert_eq!((lone.unique_id(), lone.label()), (99, "Bicycle"));
    assert_eq!(lone.frames().len(), 0);
    assert_eq!(d.as_raw().numFilled, 2);
}

#[test]
fn build_and_read_back() {
    let data = sample(MiscDataKind::PastFrame);
    assert_eq!(data.kind(), MiscDataKind::PastFrame);
    check(&data);
    // Raw fields are what C readers see.
    let t = &data.streams()[0].targets()[0];
    assert!(t.as_raw().numAllocated >= 9);
    assert!(!t.as_raw().list.is_null());
    let f = first_frame(t.as_raw());
    assert_eq!(f.trackerState, ds_sys::TENTATIVE);
    assert_eq!(f.tBbox.height, 40.25);
}

/// The first frame of a target, read through the raw pointer as C does.
fn first_frame(t: &ds_sys::NvDsTargetMiscDataObject) -> ds_sys::NvDsTargetMiscDataFrame {
    assert!(t.numObj > 0);
    // SAFETY: list holds numObj > 0 frames, alive as long as `t`.
    unsafe { *t.list }
}

#[test]
fn labels_are_truncated_and_states_round_trip() {
    let mut data = TargetMiscData::new(MiscDataKind::ShadowTracks);
    let long = "é".repeat(100); // 200 bytes
    {
        let mut s = data.push_stream(0, 0);
        let mut t = s.push_target(1, 0, &long);
        for (n, state) in [
            TrackerState::Empty,
            TrackerState::Active,
            TrackerState::Inactive,
            TrackerState::Tentative,
            TrackerState::Projected,
            TrackerState::Other(17),
        ]
        .into_iter()
        .enumerate()
        {
            t.push_frame(TargetFrame {
                frame_num: n as u32,
                state,
                ..TargetFrame::default()
            });
        }
    }
    // More targets through stream_mut.
    data.stream_mut(0).unwrap().push_target(2, 0, "a\0b");
    assert!(data.stream_mut(1).is_none());
    let t = &data.streams()[0].targets()[0];
    assert_eq!(t.label(), "é".repeat(63)); // 126 bytes: a character boundary
    let states: Vec<TrackerState> = t.frames().map(|f| f.state).collect();
    assert_eq!(states[5], TrackerState::Other(17));
    assert_eq!(states[3], TrackerState::Tentative);
    assert!(t.frames().all(|f| f.visibility == 1.0));
    assert_eq!(data.streams()[0].targets()[1].label(), "a");
}

#[test]
fn clone_is_deep() {
    let data = sample(MiscDataKind::TerminatedTracks);
    let copy = data.clone();
    assert_ne!(
        data.streams()[0].targets()[0].as_raw().list,
        copy.streams()[0].targets()[0].as_raw().list
    );
    drop(data);
    check(&copy);
    assert_eq!(copy.kind(), MiscDataKind::TerminatedTracks);
}

#[test]
fn attached_as_batch_user_meta_copied_and_released() {
    let mut batch = OwnedBatchMeta::new(1).unwrap();
    batch.new_frame().unwrap();
    batch.add_user_meta(UserData::new(5u32)).unwrap();
    let um = batch
        .add_user_meta(sample(MiscDataKind::PastFrame))
        .unwrap();
    assert_eq!(um.meta_type(), ds_sys::NVDS_TRACKER_PAST_FRAME_META);
    batch
        .add_user_meta(sample(MiscDataKind::ShadowTracks))
        .unwrap();

    let find = |b: &ds_core::BatchMeta, kind| {
        b.user_metas()
            .filter_map(|um| TargetMiscDataRef::from_user_meta(um, kind))
            .count()
    };
    assert_eq!(find(&batch, MiscDataKind::PastFrame), 1);
    assert_eq!(find(&batch, MiscDataKind::ShadowTracks), 1);
    assert_eq!(find(&batch, MiscDataKind::TerminatedTracks), 0);
    // The UserData meta is not tracker data, and back.
    let metas: Vec<_> = batch.user_metas().collect();
    assert!(metas[0].downcast::<TargetMiscData>().is_none());
    assert!(metas[1].downcast::<UserData<u32>>().is_none());
    check(metas[1].downcast::<TargetMiscData>().unwrap());

    // A batch copy (what a buffer copy does) deep-copies.
    let copy = batch.try_copy().unwrap();
    let original = metas[1].downcast::<TargetMiscData>().unwrap() as *const TargetMiscDataRef;
    drop(metas);
    drop(batch);
    let past: Vec<&TargetMiscDataRef> = copy
        .user_metas()
        .filter_map(|um| TargetMiscDataRef::from_user_meta(um, MiscDataKind::PastFrame))
        .collect();
    assert_eq!(past.len(), 1);
    assert_ne!(past[0] as *const TargetMiscDataRef, original);
    check(past[0]);
    // Dropping `copy` releases everything once (Miri checks leaks and
    // double frees).
}

#[test]
fn copy_and_release_functions() {
    // SAFETY: all-zero NvDsUserMeta is valid.
    let mut um: NvDsUserMeta = unsafe { std::mem::zeroed() };
    um.user_meta_data = UserMetaData::into_raw(sample(MiscDataKind::PastFrame));
    let copy = TargetMiscData::copy_func().unwrap();
    let release = TargetMiscData::release_func().unwrap();
    // Every access below goes through this pointer, as C code's would.
    let p: *mut NvDsUserMeta = &mut um;
    // SAFETY: p is valid; its data is a TargetMiscData-built batch; the
    // original is released once (the pointer is cleared), the copy once,
    // then NULL data and a NULL meta are no-ops.
    unsafe {
        let dup = copy(p as *mut c_void, std::ptr::null_mut());
        assert!(!dup.is_null());
        release(p as *mut c_void, std::ptr::null_mut());
        assert!((*p).user_meta_data.is_null());
        check(&*(dup as *const TargetMiscDataRef));
        (*p).user_meta_data = dup;
        release(p as *mut c_void, std::ptr::null_mut());
        assert!((*p).user_meta_data.is_null());
        release(p as *mut c_void, std::ptr::null_mut());
        release(std::ptr::null_mut(), std::ptr::null_mut());
        assert!(copy(p as *mut c_void, std::ptr::null_mut()).is_null());
    }
}

#[test]
#[cfg_attr(miri, ignore = "GStreamer is C code")]
fn buffer_copy_deep_copies_and_each_copy_reads_back() {
    use gstreamer as gst;
    ds_core::init().unwrap();
    let mut buffer = gst::Buffer::new();
    {
        let batch = OwnedBatchMeta::new(1)
            .unwrap()
            .attach(buffer.make_mut())
            .unwrap();
        batch.new_frame().unwrap().set_pad_index(0);
        batch
            .add_user_meta(sample(MiscDataKind::PastFrame))
            .unwrap();
    }
    let copy = buffer.copy();
    let data_of = |b: &gst::BufferRef| {
        let batch = ds_core::BatchMeta::from_buffer(b).unwrap();
        let um = batch.user_metas().next().unwrap();
        let d = TargetMiscDataRef::from_user_meta(um, MiscDataKind::PastFrame).unwrap();
        check(d);
        d.streams()[0].targets()[0].as_raw().list as usize
    };
    assert_ne!(data_of(&buffer), data_of(&copy));
    drop(buffer);
    data_of(&copy);
}
