//! Tests of the safe metadata API. No GStreamer call is made, so they also
//! run under Miri (which checks for undefined behaviour and leaks):
//! `cargo +nightly miri test -p ds-core --test meta`.
use ds_core::{
    meta_type, ArrowParams, BatchMeta, CircleParams, DisplayMeta, LineParams, MetaError,
    ObjectMeta, OwnedBatchMeta, RectParams, TextParams, UserData, UserMeta, UserMetaData,
    MAX_ELEMENTS_IN_DISPLAY_META, UNTRACKED_OBJECT_ID,
};
use ds_sys::{NvDsMetaCopyFunc, NvDsMetaReleaseFunc, NvDsMetaType, NvDsUserMeta};
use std::os::raw::c_void;
use std::sync::atomic::{AtomicUsize, Ordering};

// ---------------------------------------------------------------------------
// A user meta type that counts its copies and releases. Each test uses its
// own counter slot (`slot`), so tests running in parallel do not interfere.

const SLOTS: usize = 8;
static COPIES: [AtomicUsize; SLOTS] = [const { AtomicUsize::new(0) }; SLOTS];
static RELEASES: [AtomicUsize; SLOTS] = [const { AtomicUsize::new(0) }; SLOTS];
const COUNTED_TYPE: NvDsMetaType = meta_type::START_USER + 77;

/// The stored C struct.
#[repr(C)]
struct CountedC {
    slot: usize,
    value: u32,
}

struct Counted {
    slot: usize,
    value: u32,
}

unsafe extern "C" fn counted_copy(data: *mut c_void, _: *mut c_void) -> *mut c_void {
    // SAFETY: DeepStream passes the source NvDsUserMeta holding a CountedC.
    let src = unsafe { &*((*(data as *mut NvDsUserMeta)).user_meta_data as *const CountedC) };
    COPIES[src.slot].fetch_add(1, Ordering::SeqCst);
    Box::into_raw(Box::new(CountedC {
        slot: src.slot,
        value: src.value,
    })) as *mut c_void
}

unsafe extern "C" fn counted_release(data: *mut c_void, _: *mut c_void) {
    let um = data as *mut NvDsUserMeta;
    // SAFETY: the NvDsUserMeta holds a CountedC from Box::into_raw.
    let b = unsafe { Box::from_raw((*um).user_meta_data as *mut CountedC) };
    // SAFETY: as above; cleared so nobody frees it twice.
    unsafe { (*um).user_meta_data = std::ptr::null_mut() };
    RELEASES[b.slot].fetch_add(1, Ordering::SeqCst);
}

// SAFETY: into_raw gives a Box<CountedC> that counted_release frees and
// counted_copy deep-copies; accepts checks the type and release function.
unsafe impl UserMetaData for Counted {
    type Ref = CountedC;
    fn meta_type(&self) -> NvDsMetaType {
        COUNTED_TYPE
    }
    fn accepts(meta: &NvDsUserMeta) -> bool {
        meta.base_meta.meta_type == COUNTED_TYPE && meta.base_meta.release_func.is_some()
    }
    fn into_raw(self) -> *mut c_void {
        Box::into_raw(Box::new(CountedC {
            slot: self.slot,
            value: self.value,
        })) as *mut c_void
    }
    fn copy_func() -> NvDsMetaCopyFunc {
        Some(counted_copy)
    }
    fn release_func() -> NvDsMetaReleaseFunc {
        Some(counted_release)
    }
}

fn counts(slot: usize) -> (usize, usize) {
    (
        COPIES[slot].load(Ordering::SeqCst),
        RELEASES[slot].load(Ordering::SeqCst),
    )
}

// ---------------------------------------------------------------------------

#[test]
fn batch_frames_add_iterate_remove() {
    let mut batch = OwnedBatchMeta::new(4).unwrap();
    assert_eq!(batch.max_frames_in_batch(), 4);
    assert_eq!(batch.num_frames_in_batch(), 0);
    assert!(batch.frames().next().is_none());
    for i in 0..3u32 {
        let f = batch.new_frame().unwrap();
        f.set_batch_id(i);
        f.set_source_id(10 + i);
        f.set_frame_num(100 + i as i32);
        f.set_buf_pts(1_000 * i as u64);
        f.set_ntp_timestamp(7 + i as u64);
        f.set_pad_index(i);
        f.set_source_frame_width(1920);
        f.set_source_frame_height(1080);
        f.set_surface_index(i);
        f.set_infer_done(i == 1);
        f.misc_frame_info_mut()[0] = i as i64;
    }
    assert_eq!(batch.num_frames_in_batch(), 3);
    let got: Vec<_> = batch
        .frames()
        .map(|f| {
            (
                f.batch_id(),
                f.source_id(),
                f.frame_num(),
                f.buf_pts(),
                f.ntp_timestamp(),
                f.pad_index(),
                f.surface_index(),
                f.infer_done(),
                f.misc_frame_info()[0],
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (0, 10, 100, 0, 7, 0, 0, false, 0),
            (1, 11, 101, 1000, 8, 1, 1, true, 1),
            (2, 12, 102, 2000, 9, 2, 2, false, 2)
        ]
    );
    assert!(batch
        .frames()
        .all(|f| f.source_frame_width() == 1920 && f.source_frame_height() == 1080));
    assert_eq!(batch.frame(1).unwrap().source_id(), 11);
    assert!(batch.frame(3).is_none());

    let key = batch.frame(1).unwrap().key();
    batch.remove_frame(key).unwrap();
    assert_eq!(batch.num_frames_in_batch(), 2);
    assert_eq!(batch.remove_frame(key), Err(MetaError::NotFound));
    let ids: Vec<u32> = batch.frames().map(|f| f.source_id()).collect();
    assert_eq!(ids, [10, 12]);

    assert_eq!(batch.retain_frames(|f| f.source_id() == 12), 1);
    assert_eq!(batch.num_frames_in_batch(), 1);
    assert_eq!(batch.frames().next().unwrap().source_id(), 12);
    batch.misc_batch_info_mut()[2] = 42;
    assert_eq!(batch.misc_batch_info(), &[0, 0, 42, 0]);
}

#[test]
fn objects_fields_counters_and_removal() {
    let mut batch = OwnedBatchMeta::new(1).unwrap();
    let frame = batch.new_frame().unwrap();
    for i in 0..4 {
        let o = frame.new_object().unwrap();
        assert_eq!(o.object_id(), UNTRACKED_OBJECT_ID);
        o.set_class_id(i);
        o.set_object_id(i as u64 + 100);
        o.set_confidence(0.25 * i as f32);
        o.set_tracker_confidence(0.5);
        o.set_unique_component_id(1);
        let r = o.rect_params_mut();
        r.left = 10.0 * i as f32;
        r.top = 5.0;
        r.width = 20.0;
        r.height = 30.0;
        r.border_width = 3;
        o.detector_bbox_mut().width = 21.0;
        o.tracker_bbox_mut().height = 31.0;
        o.misc_obj_info_mut()[3] = -(i as i64);
        o.set_obj_label(["car", "bicycle", "person", "roadsign"][i as usize]);
        o.text_params_mut().set_display_text(&format!("obj {i}"));
    }
    assert_eq!(frame.num_obj_meta(), 4);
    assert_eq!(frame.objects().count(), 4);
    let o2: &ObjectMeta = frame.objects().nth(2).unwrap();
    assert_eq!(o2.class_id(), 2);
    assert_eq!(o2.object_id(), 102);
    assert_eq!(o2.confidence(), 0.5);
    assert_eq!(o2.tracker_confidence(), 0.5);
    assert_eq!(o2.unique_component_id(), 1);
    assert_eq!(o2.rect_params().left, 20.0);
    assert_eq!(o2.rect_params().border_width, 3);
    assert_eq!(o2.detector_bbox().width, 21.0);
    assert_eq!(o2.tracker_bbox().height, 31.0);
    assert_eq!(o2.misc_obj_info()[3], -2);
    assert_eq!(o2.obj_label(), "person");
    assert_eq!(o2.text_params().display_text(), Some("obj 2"));
    assert!(o2.parent().is_none());

    for o in frame.objects_mut() {
        o.set_confidence(o.confidence() + 1.0);
    }
    let confs: Vec<f32> = frame.objects().map(|o| o.confidence()).collect();
    assert_eq!(confs, [1.0, 1.25, 1.5, 1.75]);

    let key = frame.objects().next().unwrap().key();
    frame.remove_object(key).unwrap();
    assert_eq!(frame.num_obj_meta(), 3);
    assert_eq!(frame.remove_object(key), Err(MetaError::NotFound));
    assert_eq!(frame.retain_objects(|o| o.class_id() != 2), 1);
    assert_eq!(frame.num_obj_meta(), 2);
    let labels: Vec<&str> = frame.objects().map(|o| o.obj_label()).collect();
    assert_eq!(labels, ["bicycle", "roadsign"]);
}

#[test]
fn two_phase_acquire_add_and_drop_returns_to_pool() {
    let mut batch = OwnedBatchMeta::new(1).unwrap();
    batch.new_frame().unwrap();
    for mut frame in batch.frames_mut() {
        // Acquired and dropped: not in the frame, its text freed (Miri
        // checks the leak).
        let mut dropped = frame.acquire_object().unwrap();
        dropped.text_params_mut().set_display_text("never added");
        dropped
            .add_user_meta(Counted { slot: 0, value: 1 })
            .unwrap();
        drop(dropped);
        assert_eq!(frame.num_obj_meta(), 0);
        assert_eq!(counts(0), (0, 1));

        let mut car = frame.acquire_object().unwrap();
        car.set_class_id(0);
        car.set_obj_label("car");
        let car_key = frame.add_object(car, None).unwrap().key();
        let plate = frame.acquire_object().unwrap();
        let plate = frame.add_object(plate, Some(car_key)).unwrap();
        plate.set_class_id(9);
        assert_eq!(plate.parent().unwrap().obj_label(), "car");

        let mut d = frame.acquire_display_meta().unwrap();
        d.add_text("dropped text").unwrap();
        drop(d);
        let mut d = frame.acquire_display_meta().unwrap();
        d.add_text("kept").unwrap();
        frame.add_display_meta(d).unwrap();
    }
    let frame = batch.frames().next().unwrap();
    assert_eq!(frame.num_obj_meta(), 2);
    assert_eq!(frame.display_metas().count(), 1);
    assert_eq!(
        frame.display_metas().next().unwrap().labels()[0].display_text(),
        Some("kept")
    );
}

#[test]
fn acquired_meta_refused_by_another_batch() {
    let mut a = OwnedBatchMeta::new(1).unwrap();
    let mut b = OwnedBatchMeta::new(1).unwrap();
    a.new_frame().unwrap();
    b.new_frame().unwrap();
    let fa = a.frame_mut(0).unwrap();
    let mut fb = b.frame_mut(0).unwrap();
    let obj = fa.acquire_object().unwrap();
    assert_eq!(
        fb.add_object(obj, None).unwrap_err(),
        MetaError::ForeignBatch
    );
    // A parent key from another frame is refused too.
    let mut fa = fa;
    let key = fa.new_object().unwrap().key();
    let obj = fb.acquire_object().unwrap();
    assert_eq!(
        fb.add_object(obj, Some(key)).unwrap_err(),
        MetaError::NotFound
    );
    assert_eq!(fb.num_obj_meta(), 0);
    assert_eq!(fa.num_obj_meta(), 1);
}

#[test]
fn classifiers_and_labels() {
    let mut batch = OwnedBatchMeta::new(1).unwrap();
    let obj = batch.new_frame().unwrap().new_object().unwrap();
    for c in 0..2 {
        let cls = obj.new_classifier().unwrap();
        cls.set_unique_component_id(2 + c);
        cls.set_classifier_type(c"vehicletype");
        for l in 0..3u32 {
            let label = cls.new_label().unwrap();
            label.set_result_class_id(l);
            label.set_label_id(l + 10);
            label.set_num_classes(3);
            label.set_result_prob(0.1 * l as f32);
            label.set_result_label(&format!("c{c}l{l}"));
        }
    }
    assert_eq!(obj.classifiers().count(), 2);
    let cls = obj.classifiers().nth(1).unwrap();
    assert_eq!(cls.unique_component_id(), 3);
    assert_eq!(cls.classifier_type(), Some(c"vehicletype"));
    assert_eq!(cls.labels().count(), 3);
    let l = cls.labels().nth(2).unwrap();
    assert_eq!(
        (
            l.result_label(),
            l.result_class_id(),
            l.label_id(),
            l.num_classes()
        ),
        ("c1l2", 2, 12, 3)
    );
    assert!((l.result_prob() - 0.2).abs() < 1e-6);
    assert!(l.p_result_label().is_none());

    // Removal of labels and classifiers.
    let cls = obj.classifiers_mut().next().unwrap();
    let key = cls.labels().next().unwrap().key();
    cls.remove_label(key).unwrap();
    assert_eq!(cls.remove_label(key), Err(MetaError::NotFound));
    assert_eq!(cls.retain_labels(|l| l.result_class_id() == 2), 1);
    let names: Vec<&str> = cls.labels().map(|l| l.result_label()).collect();
    assert_eq!(names, ["c0l2"]);
    let key = obj.classifiers().next().unwrap().key();
    obj.remove_classifier(key).unwrap();
    assert_eq!(obj.classifiers().count(), 1);
    assert_eq!(obj.retain_classifiers(|_| false), 1);
    assert_eq!(obj.classifiers().count(), 0);
}

#[test]
fn label_truncation() {
    let mut batch = OwnedBatchMeta::new(1).unwrap();
    let obj = batch.new_frame().unwrap().new_object().unwrap();
    assert!(!obj.set_obj_label(&"a".repeat(127)));
    assert_eq!(obj.obj_label().len(), 127);
    assert!(obj.set_obj_label(&"b".repeat(128)));
    assert_eq!(obj.obj_label(), "b".repeat(127));
    // 126 bytes + a 2-byte character: the character does not fit.
    let s = format!("{}é", "x".repeat(126));
    assert!(obj.set_obj_label(&s));
    assert_eq!(obj.obj_label(), "x".repeat(126));
    // A shorter label clears the old tail; an interior NUL ends it.
    assert!(!obj.set_obj_label("dog\0cat"));
    assert_eq!(obj.obj_label(), "dog");
    assert_eq!(obj.raw().obj_label[4], 0);
    let cls = obj.new_classifier().unwrap();
    let l = cls.new_label().unwrap();
    assert!(l.set_result_label(&"€".repeat(50))); // 150 bytes
    assert_eq!(l.result_label(), "€".repeat(42)); // 126 bytes
}

#[test]
fn display_meta_elements_and_capacity() {
    let mut batch = OwnedBatchMeta::new(1).unwrap();
    let frame = batch.new_frame().unwrap();
    let d: &mut DisplayMeta = frame.new_display_meta().unwrap();
    for i in 0..MAX_ELEMENTS_IN_DISPLAY_META {
        let r = d
            .add_rect(RectParams {
                left: i as f32,
                width: 5.0,
                ..Default::default()
            })
            .unwrap();
        r.border_width = 1;
        d.add_line(LineParams {
            x1: i as u32,
            ..Default::default()
        })
        .unwrap();
        d.add_arrow(ArrowParams {
            y2: i as u32,
            ..Default::default()
        })
        .unwrap();
        d.add_circle(CircleParams {
            radius: i as u32,
            ..Default::default()
        })
        .unwrap();
        d.add_text(&format!("label {i}")).unwrap();
    }
    assert_eq!(
        (
            d.num_rects(),
            d.num_lines(),
            d.num_arrows(),
            d.num_circles(),
            d.num_labels()
        ),
        (16, 16, 16, 16, 16)
    );
    let full = |what| MetaError::Full {
        what,
        capacity: MAX_ELEMENTS_IN_DISPLAY_META,
    };
    assert_eq!(d.add_rect(Default::default()).unwrap_err(), full("rect"));
    assert_eq!(d.add_line(Default::default()).unwrap_err(), full("line"));
    assert_eq!(d.add_arrow(Default::default()).unwrap_err(), full("arrow"));
    assert_eq!(
        d.add_circle(Default::default()).unwrap_err(),
        full("circle")
    );
    assert_eq!(d.add_text("x").unwrap_err(), full("label"));
    // The refused TextParams is dropped (its text freed, checked by Miri).
    assert_eq!(
        d.add_label(TextParams::with_text("refused")).unwrap_err(),
        full("label")
    );
    assert_eq!(d.num_labels(), 16);

    assert_eq!(d.rects()[7].left, 7.0);
    assert_eq!(d.rects()[7].border_width, 1);
    assert_eq!(d.lines()[3].x1, 3);
    assert_eq!(d.arrows()[4].y2, 4);
    assert_eq!(d.circles()[5].radius, 5);
    assert_eq!(d.labels()[15].display_text(), Some("label 15"));
    d.rects_mut()[0].height = 9.0;
    assert_eq!(d.rects()[0].height, 9.0);

    // Texts: replace (frees the old), truncate (frees the dropped ones).
    d.labels_mut()[0].set_display_text("first");
    d.labels_mut()[0].set_display_text("second");
    assert_eq!(d.labels()[0].display_text(), Some("second"));
    d.truncate_labels(2);
    assert_eq!(d.num_labels(), 2);
    assert!(d.raw().text_params[2].display_text.is_null());
    d.add_text("third").unwrap();
    assert_eq!(d.labels()[2].display_text(), Some("third"));
    d.clear_rects();
    d.clear_lines();
    d.clear_arrows();
    d.clear_circles();
    d.clear_labels();
    assert_eq!(d.num_rects() + d.num_labels() + d.num_lines(), 0);
    assert_eq!(d.add_rect(Default::default()).map(|r| r.left), Ok(0.0));
    d.add_text("left for the pool to free").unwrap();
    d.misc_osd_data_mut()[0] = 1;

    let key = frame.display_metas().next().unwrap().key();
    frame.new_display_meta().unwrap();
    frame.remove_display_meta(key).unwrap();
    assert_eq!(frame.display_metas().count(), 1);
    assert_eq!(frame.retain_display_metas(|_| false), 1);
}

#[test]
fn text_params_strings() {
    let mut t = TextParams::new();
    assert_eq!(t.display_text(), None);
    t.set_display_text("one");
    t.set_display_text("two");
    assert_eq!(t.display_text(), Some("two"));
    t.set_display_text("nul\0tail");
    assert_eq!(t.display_text(), Some("nul"));
    let c = t.clone();
    t.set_display_text("changed");
    assert_eq!(c.display_text(), Some("nul"));
    assert_ne!(c.raw().display_text, t.raw().display_text);
    t.clear_display_text();
    assert_eq!(t.display_text(), None);
    t.clear_display_text();

    t.set_font_name("Serif");
    let first = t.raw().font_params.font_name;
    t.set_font_name("Serif");
    assert_eq!(t.raw().font_params.font_name, first);
    assert_eq!(t.font_name(), Some("Serif"));
    t.set_font_name_static(c"Mono");
    assert_eq!(t.font_name_cstr(), Some(c"Mono"));
    t.set_font_size(11);
    t.set_offsets(1, 2);
    t.set_bg_color(ds_core::osd::Color::BLACK);
    t.set_font_color(ds_core::osd::Color::WHITE);
    assert_eq!(t.font_size(), 11);
    assert_eq!(t.offsets(), (1, 2));
    assert_eq!(t.bg_color().unwrap().alpha, 1.0);
    assert_eq!(t.font_color().red, 1.0);
    t.clear_bg_color();
    assert!(t.bg_color().is_none());

    // Object text: set twice, the pool frees the last one.
    let mut batch = OwnedBatchMeta::new(1).unwrap();
    let obj = batch.new_frame().unwrap().new_object().unwrap();
    obj.text_params_mut().set_display_text("a");
    obj.text_params_mut().set_display_text("b");
    *obj.text_params_mut() = TextParams::with_text("c"); // drops "b"
    let old = std::mem::take(obj.text_params_mut());
    assert_eq!(old.display_text(), Some("c"));
    assert_eq!(obj.text_params().display_text(), None);
    obj.text_params_mut().set_display_text("d");
}

#[test]
fn user_meta_attach_downcast_release_once() {
    let slot = 1;
    {
        let mut batch = OwnedBatchMeta::new(1).unwrap();
        batch.add_user_meta(Counted { slot, value: 1 }).unwrap();
        let frame = batch.new_frame().unwrap();
        let um = frame.add_user_meta(Counted { slot, value: 2 }).unwrap();
        assert_eq!(um.meta_type(), COUNTED_TYPE);
        um.downcast_mut::<Counted>().unwrap().value = 20;
        let obj = frame.new_object().unwrap();
        obj.add_user_meta(Counted { slot, value: 3 }).unwrap();
        obj.add_user_meta(UserData::new(String::from("obj data")))
            .unwrap();

        let b: Vec<u32> = batch
            .user_metas()
            .filter_map(|m| m.downcast::<Counted>())
            .map(|c| c.value)
            .collect();
        assert_eq!(b, [1]);
        let frame = batch.frames().next().unwrap();
        let um: &UserMeta = frame.user_metas().next().unwrap();
        assert_eq!(um.downcast::<Counted>().unwrap().value, 20);
        assert!(um.downcast::<UserData<String>>().is_none());
        let obj = frame.objects().next().unwrap();
        let vals: Vec<String> = obj
            .user_metas()
            .map(
                |m| match (m.downcast::<Counted>(), m.downcast::<UserData<String>>()) {
                    (Some(c), None) => c.value.to_string(),
                    (None, Some(s)) => (**s).clone(),
                    _ => panic!("ambiguous user meta"),
                },
            )
            .collect();
        assert_eq!(vals, ["3", "obj data"]);
        assert!(obj
            .user_metas()
            .all(|m| m.downcast::<UserData<&str>>().is_none()));

        // Remove one: released once, right away.
        let mut batch = batch;
        let key = batch.user_metas().next().unwrap().key();
        batch.remove_user_meta(key).unwrap();
        assert_eq!(counts(slot), (0, 1));
        assert_eq!(batch.remove_user_meta(key), Err(MetaError::NotFound));
        let frame = batch.frame_mut(0).unwrap();
        let mut frame = frame;
        assert_eq!(frame.retain_user_metas(|_| false), 1);
        assert_eq!(counts(slot), (0, 2));
        let obj = frame.objects_mut().next().unwrap();
        assert_eq!(
            obj.retain_user_metas(|m| m.downcast::<Counted>().is_some()),
            1
        );
        let key = obj.user_metas().next().unwrap().key();
        obj.remove_user_meta(key).unwrap();
        assert_eq!(counts(slot), (0, 3));
        obj.add_user_meta(Counted { slot, value: 4 }).unwrap();
    } // batch dropped: the last one released
    assert_eq!(counts(slot), (0, 4));
}

#[test]
fn batch_copy_deep_copies_user_meta() {
    let slot = 2;
    {
        let mut batch = OwnedBatchMeta::new(2).unwrap();
        batch.add_user_meta(Counted { slot, value: 5 }).unwrap();
        let frame = batch.new_frame().unwrap();
        frame.set_frame_num(3);
        let obj = frame.new_object().unwrap();
        obj.set_obj_label("bus");
        obj.text_params_mut().set_display_text("bus 1");
        obj.add_user_meta(Counted { slot, value: 6 }).unwrap();
        obj.add_user_meta(UserData::new(vec![1u8, 2, 3])).unwrap();
        frame.new_display_meta().unwrap().add_text("hello").unwrap();

        let mut copy = batch.try_copy().unwrap();
        assert_eq!(counts(slot), (2, 0));
        let cf = copy.frames().next().unwrap();
        assert_eq!(cf.frame_num(), 3);
        let co = cf.objects().next().unwrap();
        assert_eq!(co.obj_label(), "bus");
        assert_eq!(co.text_params().display_text(), Some("bus 1"));
        assert_ne!(
            co.text_params().raw().display_text,
            batch
                .frames()
                .next()
                .unwrap()
                .objects()
                .next()
                .unwrap()
                .text_params()
                .raw()
                .display_text
        );
        let v: Vec<u32> = co
            .user_metas()
            .filter_map(|m| m.downcast::<Counted>())
            .map(|c| c.value)
            .collect();
        assert_eq!(v, [6]);
        let bytes = co
            .user_metas()
            .find_map(|m| m.downcast::<UserData<Vec<u8>>>())
            .unwrap();
        assert_eq!(**bytes, [1, 2, 3]);
        assert_eq!(
            cf.display_metas().next().unwrap().labels()[0].display_text(),
            Some("hello")
        );
        // Changing the copy leaves the original alone.
        copy.frame_mut(0)
            .unwrap()
            .objects_mut()
            .next()
            .unwrap()
            .set_obj_label("car");
        assert_eq!(
            batch
                .frames()
                .next()
                .unwrap()
                .objects()
                .next()
                .unwrap()
                .obj_label(),
            "bus"
        );
        drop(copy);
        assert_eq!(counts(slot), (2, 2));
    }
    assert_eq!(counts(slot), (2, 4));
}

#[test]
fn lock_guard_recursion() {
    let mut batch = OwnedBatchMeta::new(2).unwrap();
    {
        let mut outer = batch.lock();
        {
            let mut inner = outer.lock();
            // Both the guard and the add functions lock again.
            let frame = inner.new_frame().unwrap();
            frame.new_object().unwrap();
            frame.new_display_meta().unwrap();
        }
        outer.new_frame().unwrap();
        assert_eq!(outer.num_frames_in_batch(), 2);
    }
    // Fully released: another thread can take the lock.
    struct SendPtr(*mut ds_sys::NvDsBatchMeta);
    // SAFETY: the pointer is only used while the batch lives (joined below).
    unsafe impl Send for SendPtr {}
    let ptr = SendPtr(batch.as_mut_ptr());
    std::thread::spawn(move || {
        let ptr = ptr;
        let p = ptr.0;
        // SAFETY: the batch outlives the thread (joined below); the lock is
        // taken and released in pairs.
        unsafe {
            ds_sys::nvds_acquire_meta_lock(p);
            ds_sys::nvds_release_meta_lock(p);
        }
    })
    .join()
    .unwrap();
    // And this thread still can.
    batch.new_frame().unwrap();
    assert_eq!(batch.num_frames_in_batch(), 3);
}

#[test]
fn nested_iteration_counts() {
    let mut batch = OwnedBatchMeta::new(3).unwrap();
    for f in 0..3 {
        let frame = batch.new_frame().unwrap();
        for o in 0..=f {
            let obj = frame.new_object().unwrap();
            obj.set_class_id(o);
            for _ in 0..o {
                obj.new_classifier().unwrap().new_label().unwrap();
            }
        }
        frame
            .new_display_meta()
            .unwrap()
            .add_rect(Default::default())
            .unwrap();
    }
    let objs: usize = batch.frames().map(|f| f.objects().count()).sum();
    assert_eq!(objs, 6);
    let labels: usize = batch
        .frames()
        .flat_map(|f| f.objects())
        .flat_map(|o| o.classifiers())
        .map(|c| c.labels().count())
        .sum();
    assert_eq!(labels, 4); // 0 + (0+1) + (0+1+2)
    let nums: Vec<u32> = batch.frames().map(|f| f.num_obj_meta()).collect();
    assert_eq!(nums, [1, 2, 3]);
    let rects: u32 = batch
        .frames()
        .flat_map(|f| f.display_metas())
        .map(|d| d.num_rects())
        .sum();
    assert_eq!(rects, 3);
}

#[test]
fn errors_display() {
    assert_eq!(
        MetaError::PoolExhausted { what: "object" }.to_string(),
        "the object meta pool is exhausted"
    );
    assert_eq!(MetaError::NotFound.to_string(), "no such meta in this list");
    assert_eq!(
        MetaError::ForeignBatch.to_string(),
        "the meta was acquired from another batch meta"
    );
}

#[test]
fn raw_escape_hatch_round_trip() {
    let mut batch = OwnedBatchMeta::new(1).unwrap();
    let p = batch.as_mut_ptr();
    // SAFETY: p is the live batch owned by `batch`, not otherwise used
    // while `view` is.
    let view: &BatchMeta = unsafe { BatchMeta::from_ptr(p) };
    assert_eq!(view.max_frames_in_batch(), 1);
    let raw = batch.into_raw();
    assert_eq!(raw, p);
    // SAFETY: raw came from into_raw and is destroyed once.
    unsafe { ds_sys::nvds_destroy_batch_meta(raw) };
}
