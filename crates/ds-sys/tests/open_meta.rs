//! Metadata logic of the open backend (no GStreamer).
//!
//! Runs natively (`cargo test -p ds-sys --test open_meta`) and under Miri
//! (`cargo +nightly miri test -p ds-sys --test open_meta`), where leaks,
//! double frees and use-after-free are reported.
#![cfg(ds_backend = "open")]

use ds_sys::mem;
use ds_sys::*;
use glib_sys::{gpointer, GList, GFALSE, GTRUE};
use std::ffi::CStr;
use std::mem::size_of;
use std::os::raw::{c_char, c_void};
use std::ptr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// Data pointers of a GList.
///
/// # Safety
/// `l` is NULL or a well-formed list.
unsafe fn items<T>(mut l: *mut GList) -> Vec<*mut T> {
    let mut v = Vec::new();
    while !l.is_null() {
        // SAFETY: l is a live node (contract).
        unsafe {
            v.push((*l).data as *mut T);
            l = (*l).next;
        }
    }
    v
}

/// # Safety
/// `s` is a valid C string.
unsafe fn text<'a>(s: *const c_char) -> &'a str {
    // SAFETY: contract.
    unsafe { CStr::from_ptr(s) }.to_str().unwrap()
}

/// Payload of the test user metas: a counter shared with the test and a
/// value. Allocated with `mem` so Miri checks that it is freed.
#[repr(C)]
struct Payload {
    released: *const AtomicUsize,
    copied: *const AtomicUsize,
    value: u32,
}

struct Counters {
    released: AtomicUsize,
    copied: AtomicUsize,
}

fn counters() -> Arc<Counters> {
    Arc::new(Counters {
        released: AtomicUsize::new(0),
        copied: AtomicUsize::new(0),
    })
}

unsafe extern "C" fn payload_copy(data: gpointer, _user: gpointer) -> gpointer {
    // SAFETY: data is the NvDsUserMeta whose user_meta_data is a Payload.
    unsafe {
        let um = data as *mut NvDsUserMeta;
        let src = (*um).user_meta_data as *const Payload;
        let dst = mem::new0::<Payload>();
        dst.write(Payload {
            released: (*src).released,
            copied: (*src).copied,
            value: (*src).value,
        });
        (*(*src).copied).fetch_add(1, Ordering::SeqCst);
        dst as gpointer
    }
}

unsafe extern "C" fn payload_release(data: gpointer, _user: gpointer) {
    // SAFETY: data is the NvDsUserMeta whose user_meta_data is a Payload.
    unsafe {
        let um = data as *mut NvDsUserMeta;
        let p = (*um).user_meta_data as *mut Payload;
        (*(*p).released).fetch_add(1, Ordering::SeqCst);
        mem::free(p as *mut c_void);
        (*um).user_meta_data = ptr::null_mut();
    }
}

/// Acquires a user meta carrying a Payload with `value`.
///
/// # Safety
/// `batch` is live; `c` outlives the meta.
unsafe fn user_meta(batch: *mut NvDsBatchMeta, c: &Counters, value: u32) -> *mut NvDsUserMeta {
    // SAFETY: contract.
    unsafe {
        let um = nvds_acquire_user_meta_from_pool(batch);
        let p = mem::new0::<Payload>();
        p.write(Payload {
            released: &c.released,
            copied: &c.copied,
            value,
        });
        (*um).user_meta_data = p as *mut c_void;
        (*um).base_meta.meta_type = NVDS_START_USER_META + 7;
        (*um).base_meta.copy_func = Some(payload_copy);
        (*um).base_meta.release_func = Some(payload_release);
        um
    }
}

/// # Safety
/// `um` is a live user meta made by [`user_meta`].
unsafe fn payload_value(um: *mut NvDsUserMeta) -> u32 {
    // SAFETY: contract.
    unsafe { (*((*um).user_meta_data as *const Payload)).value }
}

#[test]
fn create_and_destroy() {
    // SAFETY: every pointer comes from the meta API and is used while live.
    unsafe {
        let b = nvds_create_batch_meta(4);
        assert!(!b.is_null());
        assert_eq!((*b).base_meta.meta_type, NVDS_BATCH_META);
        assert_eq!((*b).base_meta.batch_meta, b);
        assert_eq!((*b).max_frames_in_batch, 4);
        assert_eq!((*b).num_frames_in_batch, 0);
        assert!((*b).frame_meta_list.is_null());
        let pools = [
            (
                (*b).frame_meta_pool,
                NVDS_FRAME_META,
                size_of::<NvDsFrameMeta>(),
                4,
            ),
            (
                (*b).obj_meta_pool,
                NVDS_OBJ_META,
                size_of::<NvDsObjectMeta>(),
                64,
            ),
            (
                (*b).classifier_meta_pool,
                NVDS_CLASSIFIER_META,
                size_of::<NvDsClassifierMeta>(),
                64,
            ),
            (
                (*b).display_meta_pool,
                NVDS_DISPLAY_META,
                size_of::<NvDsDisplayMeta>(),
                16,
            ),
            (
                (*b).user_meta_pool,
                NVDS_USER_META,
                size_of::<NvDsUserMeta>(),
                64,
            ),
            (
                (*b).label_info_meta_pool,
                NVDS_LABEL_INFO_META,
                size_of::<NvDsLabelInfo>(),
                64,
            ),
        ];
        for (p, ty, size, n) in pools {
            assert!(!p.is_null());
            assert_eq!((*p).meta_type, ty);
            assert_eq!((*p).element_size as usize, size);
            assert_eq!((*p).max_elements_in_pool, n);
            assert_eq!((*p).num_empty_elements, n);
            assert_eq!((*p).num_full_elements, 0);
            assert_eq!(items::<c_void>((*p).empty_list).len(), n as usize);
            assert!((*p).full_list.is_null());
        }
        assert_eq!(nvds_get_current_metadata_info(b), GTRUE);
        assert_eq!(nvds_destroy_batch_meta(b), GTRUE);
        assert_eq!(nvds_destroy_batch_meta(ptr::null_mut()), GFALSE);
        assert_eq!(nvds_get_current_metadata_info(ptr::null_mut()), GFALSE);
        assert!(nvds_acquire_frame_meta_from_pool(ptr::null_mut()).is_null());
    }
}

#[test]
fn frames_add_remove_nth() {
    // SAFETY: pointers from the meta API, used while live.
    unsafe {
        let b = nvds_create_batch_meta(4);
        let frames: Vec<_> = (0..3)
            .map(|i| {
                let f = nvds_acquire_frame_meta_from_pool(b);
                assert_eq!((*f).base_meta.meta_type, NVDS_FRAME_META);
                assert_eq!((*f).base_meta.batch_meta, b);
                assert_eq!((*f).num_obj_meta, 0);
                (*f).source_id = i;
                (*f).frame_num = 10 + i as i32;
                nvds_add_frame_meta_to_batch(b, f);
                f
            })
            .collect();
        assert_eq!((*b).num_frames_in_batch, 3);
        assert_eq!(items::<NvDsFrameMeta>((*b).frame_meta_list), frames);
        assert_eq!((*(*b).frame_meta_pool).num_full_elements, 3);
        assert_eq!((*(*b).frame_meta_pool).num_empty_elements, 1);
        assert_eq!(nvds_get_nth_frame_meta((*b).frame_meta_list, 1), frames[1]);
        assert!(nvds_get_nth_frame_meta((*b).frame_meta_list, 3).is_null());
        assert!(nvds_get_nth_frame_meta(ptr::null_mut(), 0).is_null());

        nvds_remove_frame_meta_from_batch(b, frames[1]);
        assert_eq!((*b).num_frames_in_batch, 2);
        assert_eq!(
            items::<NvDsFrameMeta>((*b).frame_meta_list),
            vec![frames[0], frames[2]]
        );
        assert_eq!((*(*b).frame_meta_pool).num_full_elements, 2);
        // Removing it again changes nothing (no double release).
        nvds_remove_frame_meta_from_batch(b, frames[1]);
        assert_eq!((*b).num_frames_in_batch, 2);
        assert_eq!((*(*b).frame_meta_pool).num_full_elements, 2);
        assert_eq!((*(*b).frame_meta_pool).num_empty_elements, 2);

        // A reacquired element is clean.
        let f = nvds_acquire_frame_meta_from_pool(b);
        assert_eq!((*f).source_id, 0);
        assert_eq!((*f).frame_num, 0);
        nvds_add_frame_meta_to_batch(b, f);
        assert_eq!(nvds_destroy_batch_meta(b), GTRUE);
    }
}

#[test]
fn objects_parent_and_owned_buffers() {
    // SAFETY: pointers from the meta API, used while live.
    unsafe {
        let b = nvds_create_batch_meta(1);
        let f = nvds_acquire_frame_meta_from_pool(b);
        nvds_add_frame_meta_to_batch(b, f);
        let car = nvds_acquire_obj_meta_from_pool(b);
        assert_eq!((*car).object_id, UNTRACKED_OBJECT_ID);
        assert_eq!((*car).base_meta.meta_type, NVDS_OBJ_META);
        assert_eq!((*car).base_meta.batch_meta, b);
        assert!((*car).parent.is_null());
        (*car).class_id = 0;
        (*car).text_params.display_text = mem::strdup_str("car");
        (*car).mask_params.data = mem::malloc0(16) as *mut f32;
        (*car).mask_params.size = 16;
        nvds_add_obj_meta_to_frame(f, car, ptr::null_mut());
        let plate = nvds_acquire_obj_meta_from_pool(b);
        (*plate).class_id = 3;
        nvds_add_obj_meta_to_frame(f, plate, car);
        assert_eq!((*plate).parent, car);
        assert_eq!((*f).num_obj_meta, 2);
        assert_eq!(
            items::<NvDsObjectMeta>((*f).obj_meta_list),
            vec![car, plate]
        );

        nvds_remove_obj_meta_from_frame(f, car);
        assert_eq!((*f).num_obj_meta, 1);
        assert_eq!(items::<NvDsObjectMeta>((*f).obj_meta_list), vec![plate]);
        assert!((*plate).parent.is_null(), "dangling parent cleared");
        assert_eq!((*(*b).obj_meta_pool).num_full_elements, 1);
        nvds_remove_obj_meta_from_frame(f, car);
        assert_eq!((*f).num_obj_meta, 1);

        // An object left attached is released with the batch (Miri checks
        // that its text is freed).
        (*plate).text_params.display_text = mem::strdup_str("plate");
        nvds_destroy_batch_meta(b);
    }
}

#[test]
fn classifiers_and_labels() {
    // SAFETY: pointers from the meta API, used while live.
    unsafe {
        let b = nvds_create_batch_meta(1);
        let o = nvds_acquire_obj_meta_from_pool(b);
        let c = nvds_acquire_classifier_meta_from_pool(b);
        assert_eq!((*c).base_meta.meta_type, NVDS_CLASSIFIER_META);
        (*c).unique_component_id = 2;
        nvds_add_classifier_meta_to_object(o, c);
        let labels: Vec<_> = ["red", "blue"]
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let l = nvds_acquire_label_info_meta_from_pool(b);
                assert_eq!((*l).base_meta.meta_type, NVDS_LABEL_INFO_META);
                (*l).result_class_id = i as u32;
                (*l).pResult_label = mem::strdup_str(name);
                nvds_add_label_info_meta_to_classifier(c, l);
                l
            })
            .collect();
        assert_eq!((*c).num_labels, 2);
        assert_eq!(items::<NvDsLabelInfo>((*c).label_info_list), labels);
        assert_eq!(
            items::<NvDsClassifierMeta>((*o).classifier_meta_list),
            vec![c]
        );

        nvds_remove_label_info_meta_from_classifier(c, labels[0]);
        assert_eq!((*c).num_labels, 1);
        assert_eq!((*(*b).label_info_meta_pool).num_full_elements, 1);

        nvds_remove_classifier_meta_from_obj(o, c);
        assert!((*o).classifier_meta_list.is_null());
        assert_eq!((*(*b).classifier_meta_pool).num_full_elements, 0);
        assert_eq!((*(*b).label_info_meta_pool).num_full_elements, 0);
        // `o` was never added to a frame: destroy releases it too.
        nvds_destroy_batch_meta(b);
    }
}

#[test]
fn display_meta() {
    // SAFETY: pointers from the meta API, used while live.
    unsafe {
        let b = nvds_create_batch_meta(1);
        let f = nvds_acquire_frame_meta_from_pool(b);
        nvds_add_frame_meta_to_batch(b, f);
        let d = nvds_acquire_display_meta_from_pool(b);
        assert_eq!((*d).base_meta.meta_type, NVDS_DISPLAY_META);
        (*d).num_labels = 2;
        (*d).text_params[0].display_text = mem::strdup_str("Person = 1");
        (*d).text_params[1].display_text = mem::strdup_str("Vehicle = 2");
        nvds_add_display_meta_to_frame(f, d);
        let d2 = nvds_acquire_display_meta_from_pool(b);
        (*d2).text_params[5].display_text = mem::strdup_str("x");
        nvds_add_display_meta_to_frame(f, d2);
        assert_eq!(
            items::<NvDsDisplayMeta>((*f).display_meta_list),
            vec![d, d2]
        );
        nvds_remove_display_meta_from_frame(f, d);
        assert_eq!(items::<NvDsDisplayMeta>((*f).display_meta_list), vec![d2]);
        let again = nvds_acquire_display_meta_from_pool(b);
        assert_eq!(again, d, "the released element is reused first");
        assert!((*again).text_params[0].display_text.is_null());
        assert_eq!((*again).num_labels, 0);
        nvds_destroy_batch_meta(b);
    }
}

#[test]
fn user_meta_released_once() {
    let c = counters();
    // SAFETY: pointers from the meta API, used while live; c outlives them.
    unsafe {
        let b = nvds_create_batch_meta(2);
        let f = nvds_acquire_frame_meta_from_pool(b);
        nvds_add_frame_meta_to_batch(b, f);
        let o = nvds_acquire_obj_meta_from_pool(b);
        nvds_add_obj_meta_to_frame(f, o, ptr::null_mut());

        let ub = user_meta(b, &c, 1);
        let uf = user_meta(b, &c, 2);
        let uo = user_meta(b, &c, 3);
        nvds_add_user_meta_to_batch(b, ub);
        nvds_add_user_meta_to_frame(f, uf);
        nvds_add_user_meta_to_obj(o, uo);
        assert_eq!(items::<NvDsUserMeta>((*b).batch_user_meta_list), vec![ub]);
        assert_eq!(items::<NvDsUserMeta>((*f).frame_user_meta_list), vec![uf]);
        assert_eq!(items::<NvDsUserMeta>((*o).obj_user_meta_list), vec![uo]);

        nvds_remove_user_meta_from_frame(f, uf);
        assert_eq!(c.released.load(Ordering::SeqCst), 1);
        assert!((*f).frame_user_meta_list.is_null());
        nvds_remove_user_meta_from_frame(f, uf);
        assert_eq!(c.released.load(Ordering::SeqCst), 1, "no second release");

        nvds_remove_user_meta_from_object(o, uo);
        assert_eq!(c.released.load(Ordering::SeqCst), 2);
        nvds_remove_user_meta_from_batch(b, ub);
        assert_eq!(c.released.load(Ordering::SeqCst), 3);

        // On destroy: attached at every level, plus one acquired orphan.
        nvds_add_user_meta_to_batch(b, user_meta(b, &c, 4));
        nvds_add_user_meta_to_frame(f, user_meta(b, &c, 5));
        nvds_add_user_meta_to_obj(o, user_meta(b, &c, 6));
        let _orphan = user_meta(b, &c, 7);
        nvds_destroy_batch_meta(b);
        assert_eq!(c.released.load(Ordering::SeqCst), 7);
        assert_eq!(c.copied.load(Ordering::SeqCst), 0);
    }
}

#[test]
fn pools_grow_beyond_preallocation() {
    // SAFETY: pointers from the meta API, used while live.
    unsafe {
        let b = nvds_create_batch_meta(1);
        let pool = (*b).obj_meta_pool;
        let initial = (*pool).max_elements_in_pool;
        assert_eq!(initial, 16);
        let f = nvds_acquire_frame_meta_from_pool(b);
        nvds_add_frame_meta_to_batch(b, f);
        // A second frame beyond max_batch_size also works.
        let f2 = nvds_acquire_frame_meta_from_pool(b);
        nvds_add_frame_meta_to_batch(b, f2);
        assert_eq!((*b).num_frames_in_batch, 2);
        assert_eq!((*(*b).frame_meta_pool).max_elements_in_pool, 2);
        let n = initial as usize * 2 + 5;
        let mut objs = Vec::new();
        for i in 0..n {
            let o = nvds_acquire_obj_meta_from_pool(b);
            (*o).object_id = i as u64;
            nvds_add_obj_meta_to_frame(f, o, ptr::null_mut());
            objs.push(o);
        }
        let mut sorted = objs.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), n, "distinct elements");
        assert_eq!((*f).num_obj_meta as usize, n);
        assert_eq!((*pool).num_full_elements as usize, n);
        assert_eq!((*pool).num_empty_elements, 0);
        assert_eq!((*pool).max_elements_in_pool as usize, n);
        for (i, o) in items::<NvDsObjectMeta>((*f).obj_meta_list)
            .into_iter()
            .enumerate()
        {
            assert_eq!((*o).object_id, i as u64);
        }
        nvds_clear_obj_meta_list(f, (*f).obj_meta_list);
        assert_eq!((*pool).num_empty_elements as usize, n);
        nvds_destroy_batch_meta(b);
    }
}

/// Builds a batch with two frames, each with a parent/child object pair,
/// a classifier with labels on the child, a display meta, and user metas at
/// all levels.
///
/// # Safety
/// `c` outlives the batch.
unsafe fn sample_batch(c: &Counters) -> *mut NvDsBatchMeta {
    // SAFETY: pointers from the meta API, used while live.
    unsafe {
        let b = nvds_create_batch_meta(2);
        (*b).misc_batch_info[0] = 42;
        nvds_add_user_meta_to_batch(b, user_meta(b, c, 100));
        for fi in 0..2u32 {
            let f = nvds_acquire_frame_meta_from_pool(b);
            (*f).source_id = fi;
            (*f).frame_num = 7;
            (*f).buf_pts = 1000 + fi as u64;
            (*f).bInferDone = 1;
            nvds_add_frame_meta_to_batch(b, f);
            let car = nvds_acquire_obj_meta_from_pool(b);
            (*car).class_id = 0;
            (*car).confidence = 0.9;
            (*car).rect_params.left = 10.0 + fi as f32;
            (*car).text_params.display_text = mem::strdup_str("Car");
            (*car).mask_params.data = mem::malloc0(8) as *mut f32;
            *(*car).mask_params.data = 0.5;
            (*car).mask_params.size = 8;
            nvds_add_obj_meta_to_frame(f, car, ptr::null_mut());
            let plate = nvds_acquire_obj_meta_from_pool(b);
            (*plate).class_id = 1;
            nvds_add_obj_meta_to_frame(f, plate, car);
            let cls = nvds_acquire_classifier_meta_from_pool(b);
            (*cls).unique_component_id = 5;
            nvds_add_classifier_meta_to_object(plate, cls);
            let lab = nvds_acquire_label_info_meta_from_pool(b);
            (*lab).result_prob = 0.75;
            (*lab).result_label[0] = b'A' as c_char;
            (*lab).pResult_label = mem::strdup_str("a long label");
            nvds_add_label_info_meta_to_classifier(cls, lab);
            nvds_add_user_meta_to_obj(plate, user_meta(b, c, 300 + fi));
            let d = nvds_acquire_display_meta_from_pool(b);
            (*d).num_labels = 1;
            (*d).text_params[0].display_text = mem::strdup_str("Frame");
            (*d).num_lines = 1;
            (*d).line_params[0].x2 = 99;
            nvds_add_display_meta_to_frame(f, d);
            nvds_add_user_meta_to_frame(f, user_meta(b, c, 200 + fi));
        }
        b
    }
}

#[test]
fn batch_deep_copy() {
    let c = counters();
    // SAFETY: pointers from the meta API, used while live; c outlives them.
    unsafe {
        let src = sample_batch(&c);
        let dst = nvds_batch_meta_copy_func(src as gpointer, ptr::null_mut()) as *mut NvDsBatchMeta;
        assert!(!dst.is_null() && dst != src);
        assert_eq!((*dst).base_meta.batch_meta, dst);
        assert_eq!((*dst).base_meta.meta_type, NVDS_BATCH_META);
        assert_eq!((*dst).max_frames_in_batch, 2);
        assert_eq!((*dst).num_frames_in_batch, 2);
        assert_eq!((*dst).misc_batch_info[0], 42);
        assert_eq!(c.copied.load(Ordering::SeqCst), 5);

        let bu = items::<NvDsUserMeta>((*dst).batch_user_meta_list);
        assert_eq!(bu.len(), 1);
        assert_eq!(payload_value(bu[0]), 100);
        assert_eq!((*bu[0]).base_meta.meta_type, NVDS_START_USER_META + 7);
        assert_eq!((*bu[0]).base_meta.batch_meta, dst);
        assert!((*bu[0]).base_meta.release_func.is_some());
        assert_ne!(
            (*bu[0]).user_meta_data,
            (*items::<NvDsUserMeta>((*src).batch_user_meta_list)[0]).user_meta_data
        );

        let sf = items::<NvDsFrameMeta>((*src).frame_meta_list);
        let df = items::<NvDsFrameMeta>((*dst).frame_meta_list);
        assert_eq!(df.len(), 2);
        for (fi, (&s, &d)) in sf.iter().zip(df.iter()).enumerate() {
            assert_ne!(s, d);
            assert_eq!((*d).base_meta.batch_meta, dst);
            assert_eq!((*d).source_id, fi as u32);
            assert_eq!((*d).buf_pts, 1000 + fi as u64);
            assert_eq!((*d).bInferDone, 1);
            assert_eq!((*d).num_obj_meta, 2);
            let objs = items::<NvDsObjectMeta>((*d).obj_meta_list);
            assert_eq!(objs.len(), 2);
            let (car, plate) = (objs[0], objs[1]);
            assert_eq!((*car).base_meta.batch_meta, dst);
            assert_eq!((*car).rect_params.left, 10.0 + fi as f32);
            assert_eq!(text((*car).text_params.display_text), "Car");
            let scar = items::<NvDsObjectMeta>((*s).obj_meta_list)[0];
            assert_ne!(
                (*car).text_params.display_text,
                (*scar).text_params.display_text
            );
            assert_ne!((*car).mask_params.data, (*scar).mask_params.data);
            assert_eq!(*(*car).mask_params.data, 0.5);
            assert_eq!((*plate).parent, car, "parent remapped to the copy");
            let cls = items::<NvDsClassifierMeta>((*plate).classifier_meta_list);
            assert_eq!(cls.len(), 1);
            assert_eq!((*cls[0]).unique_component_id, 5);
            assert_eq!((*cls[0]).num_labels, 1);
            let labs = items::<NvDsLabelInfo>((*cls[0]).label_info_list);
            assert_eq!((*labs[0]).result_prob, 0.75);
            assert_eq!((*labs[0]).result_label[0], b'A' as c_char);
            assert_eq!(text((*labs[0]).pResult_label), "a long label");
            let ou = items::<NvDsUserMeta>((*plate).obj_user_meta_list);
            assert_eq!(payload_value(ou[0]), 300 + fi as u32);
            let ds = items::<NvDsDisplayMeta>((*d).display_meta_list);
            assert_eq!((*ds[0]).num_labels, 1);
            assert_eq!(text((*ds[0]).text_params[0].display_text), "Frame");
            assert_eq!((*ds[0]).line_params[0].x2, 99);
            let fu = items::<NvDsUserMeta>((*d).frame_user_meta_list);
            assert_eq!(payload_value(fu[0]), 200 + fi as u32);
        }

        // Mutate the copy; the original must not change.
        let d0 = df[0];
        let dcar = items::<NvDsObjectMeta>((*d0).obj_meta_list)[0];
        (*dcar).class_id = 9;
        mem::free((*dcar).text_params.display_text as *mut c_void);
        (*dcar).text_params.display_text = mem::strdup_str("Truck");
        nvds_remove_obj_meta_from_frame(d0, items::<NvDsObjectMeta>((*d0).obj_meta_list)[1]);
        nvds_remove_frame_meta_from_batch(dst, df[1]);
        let released_by_copy_edits = c.released.load(Ordering::SeqCst);
        assert_eq!(
            released_by_copy_edits, 3,
            "plate user meta, frame 1 user metas"
        );

        assert_eq!((*src).num_frames_in_batch, 2);
        let s0 = sf[0];
        assert_eq!((*s0).num_obj_meta, 2);
        let scar = items::<NvDsObjectMeta>((*s0).obj_meta_list)[0];
        assert_eq!((*scar).class_id, 0);
        assert_eq!(text((*scar).text_params.display_text), "Car");

        nvds_batch_meta_release_func(dst as gpointer, ptr::null_mut());
        assert_eq!(c.released.load(Ordering::SeqCst), 5);
        nvds_destroy_batch_meta(src);
        assert_eq!(c.released.load(Ordering::SeqCst), 10);
    }
}

#[test]
fn single_element_copies() {
    // SAFETY: pointers from the meta API, used while live.
    unsafe {
        let b = nvds_create_batch_meta(1);
        let s = nvds_acquire_obj_meta_from_pool(b);
        (*s).class_id = 4;
        (*s).object_id = 12;
        (*s).text_params.display_text = mem::strdup_str("bike");
        (*s).text_params.font_params.font_size = 11;
        let d = nvds_acquire_obj_meta_from_pool(b);
        (*d).text_params.display_text = mem::strdup_str("old");
        nvds_copy_obj_meta(s, d);
        assert_eq!((*d).class_id, 4);
        assert_eq!((*d).object_id, 12);
        assert_eq!((*d).text_params.font_params.font_size, 11);
        assert_eq!(text((*d).text_params.display_text), "bike");
        assert_ne!((*d).text_params.display_text, (*s).text_params.display_text);
        assert_eq!((*d).base_meta.meta_type, NVDS_OBJ_META);

        let ls = nvds_acquire_label_info_meta_from_pool(b);
        (*ls).label_id = 3;
        (*ls).pResult_label = mem::strdup_str("x");
        let ld = nvds_acquire_label_info_meta_from_pool(b);
        nvds_copy_label_info_meta(ls, ld);
        assert_eq!((*ld).label_id, 3);
        assert_eq!(text((*ld).pResult_label), "x");

        let fs = nvds_acquire_frame_meta_from_pool(b);
        (*fs).pad_index = 3;
        (*fs).pipeline_width = 640;
        let fd = nvds_acquire_frame_meta_from_pool(b);
        nvds_copy_frame_meta(fs, fd);
        assert_eq!((*fd).pad_index, 3);
        assert_eq!((*fd).pipeline_width, 640);

        // Built-in copy callback: an unattached deep copy with children.
        let cls = nvds_acquire_classifier_meta_from_pool(b);
        nvds_add_label_info_meta_to_classifier(cls, ls);
        nvds_add_classifier_meta_to_object(s, cls);
        let cp = (*s).base_meta.copy_func.unwrap()(s as gpointer, ptr::null_mut())
            as *mut NvDsObjectMeta;
        assert_eq!((*cp).class_id, 4);
        assert_eq!(items::<c_void>((*cp).classifier_meta_list).len(), 1);
        (*cp).base_meta.release_func.unwrap()(cp as gpointer, ptr::null_mut());
        // Everything unattached is released by destroy.
        nvds_destroy_batch_meta(b);
    }
}

#[test]
fn clear_lists() {
    let c = counters();
    // SAFETY: pointers from the meta API, used while live; c outlives them.
    unsafe {
        let b = sample_batch(&c);
        let f0 = nvds_get_nth_frame_meta((*b).frame_meta_list, 0);
        let f1 = nvds_get_nth_frame_meta((*b).frame_meta_list, 1);
        let plate0 = items::<NvDsObjectMeta>((*f0).obj_meta_list)[1];
        let cls0 = items::<NvDsClassifierMeta>((*plate0).classifier_meta_list)[0];

        nvds_clear_label_info_meta_list(cls0, (*cls0).label_info_list);
        assert_eq!((*cls0).num_labels, 0);
        assert!((*cls0).label_info_list.is_null());
        nvds_clear_classifier_meta_list(plate0, (*plate0).classifier_meta_list);
        assert!((*plate0).classifier_meta_list.is_null());
        nvds_clear_obj_user_meta_list(plate0, (*plate0).obj_user_meta_list);
        assert_eq!(c.released.load(Ordering::SeqCst), 1);
        nvds_clear_frame_user_meta_list(f0, (*f0).frame_user_meta_list);
        assert_eq!(c.released.load(Ordering::SeqCst), 2);
        nvds_clear_display_meta_list(f0, (*f0).display_meta_list);
        assert!((*f0).display_meta_list.is_null());
        nvds_clear_obj_meta_list(f0, (*f0).obj_meta_list);
        assert_eq!((*f0).num_obj_meta, 0);
        assert!((*f0).obj_meta_list.is_null());
        nvds_clear_batch_user_meta_list(b, (*b).batch_user_meta_list);
        assert_eq!(c.released.load(Ordering::SeqCst), 3);
        assert!((*b).batch_user_meta_list.is_null());

        // Generic clear: caller assigns the returned list.
        (*f1).display_meta_list =
            nvds_clear_meta_list(b, (*f1).display_meta_list, (*b).display_meta_pool);
        assert!((*f1).display_meta_list.is_null());
        assert_eq!((*(*b).display_meta_pool).num_full_elements, 0);

        // Clearing only the tail of the frame list.
        let tail = (*(*b).frame_meta_list).next;
        nvds_clear_frame_meta_list(b, tail);
        assert_eq!((*b).num_frames_in_batch, 1);
        assert_eq!(items::<NvDsFrameMeta>((*b).frame_meta_list), vec![f0]);
        assert_eq!(c.released.load(Ordering::SeqCst), 5);
        nvds_clear_frame_meta_list(b, (*b).frame_meta_list);
        assert_eq!((*b).num_frames_in_batch, 0);
        assert!((*b).frame_meta_list.is_null());
        for p in [
            (*b).frame_meta_pool,
            (*b).obj_meta_pool,
            (*b).classifier_meta_pool,
            (*b).label_info_meta_pool,
            (*b).user_meta_pool,
        ] {
            assert_eq!((*p).num_full_elements, 0);
        }
        nvds_destroy_batch_meta(b);
        assert_eq!(c.released.load(Ordering::SeqCst), 5);
    }
}

#[test]
fn user_meta_types() {
    // SAFETY: valid NUL-terminated descriptors.
    unsafe {
        let a = nvds_get_user_meta_type(c"TEST.OPEN.A".as_ptr() as *mut c_char);
        let b = nvds_get_user_meta_type(c"TEST.OPEN.B".as_ptr() as *mut c_char);
        let a2 = nvds_get_user_meta_type(c"TEST.OPEN.A".as_ptr() as *mut c_char);
        assert!(a >= NVDS_START_USER_META);
        assert!(b >= NVDS_START_USER_META);
        assert_eq!(a, a2);
        assert_ne!(a, b);
        assert_eq!(nvds_get_user_meta_type(ptr::null_mut()), NVDS_INVALID_META);
    }
    let handles: Vec<_> = (0..4)
        .map(|_| {
            std::thread::spawn(|| {
                // SAFETY: valid descriptor.
                unsafe { nvds_get_user_meta_type(c"TEST.OPEN.THREADED".as_ptr() as *mut c_char) }
            })
        })
        .collect();
    let values: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert!(values
        .iter()
        .all(|&v| v == values[0] && v >= NVDS_START_USER_META));
}

struct SendPtr(*mut NvDsBatchMeta);
// SAFETY: the batch meta is shared only under its own lock in this test.
unsafe impl Send for SendPtr {}

#[test]
fn meta_lock_is_recursive_and_exclusive() {
    // SAFETY: fresh batch; lock calls are balanced below.
    let b = unsafe {
        let b = nvds_create_batch_meta(1);
        nvds_acquire_meta_lock(b);
        nvds_acquire_meta_lock(b);
        // API calls lock internally too (recursion through the lock).
        let f = nvds_acquire_frame_meta_from_pool(b);
        nvds_add_frame_meta_to_batch(b, f);
        nvds_release_meta_lock(b);
        b
    };
    let entered = Arc::new(AtomicUsize::new(0));
    let e2 = entered.clone();
    let p = SendPtr(b);
    let h = std::thread::spawn(move || {
        let p = p;
        // SAFETY: live batch; balanced lock.
        unsafe {
            nvds_acquire_meta_lock(p.0);
            e2.store(1, Ordering::SeqCst);
            nvds_release_meta_lock(p.0);
        }
    });
    std::thread::sleep(std::time::Duration::from_millis(50));
    assert_eq!(entered.load(Ordering::SeqCst), 0, "still held once");
    // SAFETY: this thread holds the lock once.
    unsafe { nvds_release_meta_lock(b) };
    h.join().unwrap();
    assert_eq!(entered.load(Ordering::SeqCst), 1);
    // SAFETY: no other user left.
    unsafe { nvds_destroy_batch_meta(b) };
}
