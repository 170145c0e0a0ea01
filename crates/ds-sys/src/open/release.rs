//! Releasing meta elements back to their pools.
//!
//! Each `release_*` function frees what the element owns and returns it to
//! the pool of the batch it was acquired from (`base_meta.batch_meta`):
//!
//! * object: `text_params.display_text`, `mask_params.data`, its classifier
//!   metas (with their labels) and its user metas;
//! * classifier: its label infos; label info: `pResult_label`;
//! * display: every non-NULL `text_params[i].display_text`;
//! * frame: its objects, display metas and user metas;
//! * user meta: `base_meta.release_func(user_meta, NULL)` is called first.
//!
//! Font names (`font_params.font_name`) and `classifier_type` are never
//! freed: DeepStream components point them at static strings.
//!
//! An element that is not currently acquired from its pool (already
//! released, or never acquired) is left alone, so a double remove does not
//! double free.
use super::{list, pool};
use crate::mem;
use crate::meta::*;
use std::os::raw::c_void;
use std::ptr;

/// The pool an element of `meta_type` belongs to in `batch`.
///
/// # Safety
/// `batch` is a live batch meta.
pub(crate) unsafe fn pool_for(
    batch: *mut NvDsBatchMeta,
    meta_type: NvDsMetaType,
) -> *mut NvDsMetaPool {
    // SAFETY: batch is live.
    let b = unsafe { &*batch };
    match meta_type {
        NVDS_FRAME_META => b.frame_meta_pool,
        NVDS_OBJ_META => b.obj_meta_pool,
        NVDS_CLASSIFIER_META => b.classifier_meta_pool,
        NVDS_DISPLAY_META => b.display_meta_pool,
        NVDS_LABEL_INFO_META => b.label_info_meta_pool,
        _ => b.user_meta_pool,
    }
}

/// Whether `e` (whose header is `base`) is acquired from the pool of `kind`
/// in its own batch; returns that pool.
///
/// # Safety
/// `base` is NULL or points to a readable meta header.
unsafe fn owning_pool(base: *const NvDsBaseMeta, kind: NvDsMetaType) -> *mut NvDsMetaPool {
    if base.is_null() {
        return ptr::null_mut();
    }
    // SAFETY: base is readable per contract.
    let batch = unsafe { (*base).batch_meta };
    if batch.is_null() {
        return ptr::null_mut();
    }
    // SAFETY: an element's batch_meta is the live batch it came from.
    let pool = unsafe { pool_for(batch, kind) };
    // SAFETY: pool is live.
    if pool.is_null() || !unsafe { pool::is_acquired(pool, base as *mut c_void) } {
        return ptr::null_mut();
    }
    pool
}

/// Releases every element of `list` with `f`, then frees the list nodes.
///
/// # Safety
/// `list` is NULL or a well-formed list of elements `f` accepts.
pub(crate) unsafe fn release_list(list: *mut glib_sys::GList, f: unsafe fn(*mut c_void)) {
    // SAFETY: snapshot first: releasing never touches this list's nodes.
    for e in unsafe { list::snapshot(list) } {
        // SAFETY: forwarded contract.
        unsafe { f(e) };
    }
    // SAFETY: forwarded contract.
    unsafe { list::free(list) };
}

/// Releases a label info.
///
/// # Safety
/// `e` is NULL or points to an `NvDsLabelInfo` header.
pub(crate) unsafe fn release_label(e: *mut c_void) {
    let l = e as *mut NvDsLabelInfo;
    // SAFETY: e is an element header or NULL.
    let pool = unsafe { owning_pool(l as *const NvDsBaseMeta, NVDS_LABEL_INFO_META) };
    if pool.is_null() {
        return;
    }
    // SAFETY: l is an acquired label info; pResult_label came from mem.
    unsafe {
        mem::free((*l).pResult_label as *mut c_void);
        (*l).pResult_label = ptr::null_mut();
        pool::give_back(pool, e);
    }
}

/// Releases a classifier meta and its labels.
///
/// # Safety
/// `e` is NULL or points to an `NvDsClassifierMeta` header.
pub(crate) unsafe fn release_classifier(e: *mut c_void) {
    let c = e as *mut NvDsClassifierMeta;
    // SAFETY: e is an element header or NULL.
    let pool = unsafe { owning_pool(c as *const NvDsBaseMeta, NVDS_CLASSIFIER_META) };
    if pool.is_null() {
        return;
    }
    // SAFETY: c is an acquired classifier meta.
    unsafe {
        let labels = std::mem::replace(&mut (*c).label_info_list, ptr::null_mut());
        (*c).num_labels = 0;
        release_list(labels, release_label);
        pool::give_back(pool, e);
    }
}

/// Releases a user meta, calling its `release_func` once.
///
/// # Safety
/// `e` is NULL or points to an `NvDsUserMeta` header.
pub(crate) unsafe fn release_user(e: *mut c_void) {
    let u = e as *mut NvDsUserMeta;
    // SAFETY: e is an element header or NULL.
    let pool = unsafe { owning_pool(u as *const NvDsBaseMeta, NVDS_USER_META) };
    if pool.is_null() {
        return;
    }
    // SAFETY: u is an acquired user meta; the callback contract is the
    // producer's (it receives the NvDsUserMeta*).
    unsafe {
        if let Some(f) = (*u).base_meta.release_func.take() {
            f(e, ptr::null_mut());
        }
        (*u).user_meta_data = ptr::null_mut();
        pool::give_back(pool, e);
    }
}

/// Releases a display meta.
///
/// # Safety
/// `e` is NULL or points to an `NvDsDisplayMeta` header.
pub(crate) unsafe fn release_display(e: *mut c_void) {
    let d = e as *mut NvDsDisplayMeta;
    // SAFETY: e is an element header or NULL.
    let pool = unsafe { owning_pool(d as *const NvDsBaseMeta, NVDS_DISPLAY_META) };
    if pool.is_null() {
        return;
    }
    // SAFETY: d is an acquired display meta; texts came from mem.
    unsafe {
        for t in (*d).text_params.iter_mut() {
            mem::free(t.display_text as *mut c_void);
            t.display_text = ptr::null_mut();
        }
        pool::give_back(pool, e);
    }
}

/// Releases an object meta with its classifiers and user metas.
///
/// # Safety
/// `e` is NULL or points to an `NvDsObjectMeta` header.
pub(crate) unsafe fn release_obj(e: *mut c_void) {
    let o = e as *mut NvDsObjectMeta;
    // SAFETY: e is an element header or NULL.
    let pool = unsafe { owning_pool(o as *const NvDsBaseMeta, NVDS_OBJ_META) };
    if pool.is_null() {
        return;
    }
    // SAFETY: o is an acquired object meta; owned buffers came from mem.
    unsafe {
        mem::free((*o).text_params.display_text as *mut c_void);
        (*o).text_params.display_text = ptr::null_mut();
        mem::free((*o).mask_params.data as *mut c_void);
        (*o).mask_params.data = ptr::null_mut();
        let cls = std::mem::replace(&mut (*o).classifier_meta_list, ptr::null_mut());
        release_list(cls, release_classifier);
        let users = std::mem::replace(&mut (*o).obj_user_meta_list, ptr::null_mut());
        release_list(users, release_user);
        pool::give_back(pool, e);
    }
}

/// Releases a frame meta with everything attached to it.
///
/// # Safety
/// `e` is NULL or points to an `NvDsFrameMeta` header.
pub(crate) unsafe fn release_frame(e: *mut c_void) {
    let f = e as *mut NvDsFrameMeta;
    // SAFETY: e is an element header or NULL.
    let pool = unsafe { owning_pool(f as *const NvDsBaseMeta, NVDS_FRAME_META) };
    if pool.is_null() {
        return;
    }
    // SAFETY: f is an acquired frame meta.
    unsafe {
        let objs = std::mem::replace(&mut (*f).obj_meta_list, ptr::null_mut());
        (*f).num_obj_meta = 0;
        release_list(objs, release_obj);
        let disp = std::mem::replace(&mut (*f).display_meta_list, ptr::null_mut());
        release_list(disp, release_display);
        let users = std::mem::replace(&mut (*f).frame_user_meta_list, ptr::null_mut());
        release_list(users, release_user);
        pool::give_back(pool, e);
    }
}

/// The release function for elements of `meta_type` (user meta for any type
/// that is not built in).
pub(crate) fn release_fn(meta_type: NvDsMetaType) -> unsafe fn(*mut c_void) {
    match meta_type {
        NVDS_FRAME_META => release_frame,
        NVDS_OBJ_META => release_obj,
        NVDS_CLASSIFIER_META => release_classifier,
        NVDS_DISPLAY_META => release_display,
        NVDS_LABEL_INFO_META => release_label,
        _ => release_user,
    }
}
