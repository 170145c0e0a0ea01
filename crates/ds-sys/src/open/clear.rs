//! The `nvds_clear_*` functions: release every meta of a list.
//!
//! `meta_list` is normally the parent's own list field (e.g.
//! `frame->obj_meta_list`): then every element from that node on is unlinked
//! from the parent, the parent's counter (`num_frames_in_batch`,
//! `num_obj_meta`, `num_labels`) is lowered, and the elements are released
//! to their pools. A `meta_list` that is not part of the parent's list is
//! treated as a caller-built list: its elements are released (and unlinked
//! from the parent when they are in it) and its nodes are freed.
use super::list;
use super::lock::Guard;
use super::release::{self, release_fn};
use super::util::batch_of;
use crate::meta::*;
use glib_sys::GList;
use std::os::raw::{c_uint, c_void};
use std::ptr;

/// # Safety
/// `parent_list` points to a live meta's list field; `meta_list` is NULL or a
/// well-formed list of elements `f` accepts; `counter` is NULL or the
/// parent's counter field.
unsafe fn clear(
    parent_list: *mut *mut GList,
    meta_list: *mut GList,
    f: unsafe fn(*mut c_void),
    counter: *mut c_uint,
) {
    if meta_list.is_null() {
        return;
    }
    // SAFETY: per contract.
    unsafe {
        let separate = !list::contains_node(*parent_list, meta_list);
        let elems = list::snapshot(meta_list);
        if separate {
            list::free(meta_list);
        }
        for e in elems {
            if list::remove(&mut *parent_list, e) && !counter.is_null() {
                *counter = (*counter).saturating_sub(1);
            }
            f(e);
        }
    }
}

/// Releases the frames of `meta_list` (normally `batch->frame_meta_list`).
#[no_mangle]
pub unsafe extern "C" fn nvds_clear_frame_meta_list(
    batch_meta: *mut NvDsBatchMeta,
    meta_list: *mut NvDsFrameMetaList,
) {
    if batch_meta.is_null() {
        return;
    }
    // SAFETY: live batch.
    let _g = unsafe { Guard::new(batch_meta) };
    // SAFETY: live batch fields, locked.
    unsafe {
        clear(
            ptr::addr_of_mut!((*batch_meta).frame_meta_list),
            meta_list,
            release::release_frame,
            ptr::addr_of_mut!((*batch_meta).num_frames_in_batch),
        )
    };
}

/// Releases the objects of `meta_list` (normally `frame->obj_meta_list`).
#[no_mangle]
pub unsafe extern "C" fn nvds_clear_obj_meta_list(
    frame_meta: *mut NvDsFrameMeta,
    meta_list: *mut NvDsObjectMetaList,
) {
    if frame_meta.is_null() {
        return;
    }
    // SAFETY: live frame.
    let _g = unsafe { Guard::new(batch_of(frame_meta)) };
    // SAFETY: live frame fields, locked.
    unsafe {
        clear(
            ptr::addr_of_mut!((*frame_meta).obj_meta_list),
            meta_list,
            release::release_obj,
            ptr::addr_of_mut!((*frame_meta).num_obj_meta),
        )
    };
}

/// Releases the classifiers of `meta_list` (normally
/// `obj->classifier_meta_list`).
#[no_mangle]
pub unsafe extern "C" fn nvds_clear_classifier_meta_list(
    obj_meta: *mut NvDsObjectMeta,
    meta_list: *mut NvDsClassifierMetaList,
) {
    if obj_meta.is_null() {
        return;
    }
    // SAFETY: live object.
    let _g = unsafe { Guard::new(batch_of(obj_meta)) };
    // SAFETY: live object fields, locked.
    unsafe {
        clear(
            ptr::addr_of_mut!((*obj_meta).classifier_meta_list),
            meta_list,
            release::release_classifier,
            ptr::null_mut(),
        )
    };
}

/// Releases the label infos of `meta_list` (normally
/// `classifier->label_info_list`).
#[no_mangle]
pub unsafe extern "C" fn nvds_clear_label_info_meta_list(
    classifier_meta: *mut NvDsClassifierMeta,
    meta_list: *mut NvDsLabelInfoList,
) {
    if classifier_meta.is_null() {
        return;
    }
    // SAFETY: live classifier.
    let _g = unsafe { Guard::new(batch_of(classifier_meta)) };
    // SAFETY: live classifier fields, locked.
    unsafe {
        clear(
            ptr::addr_of_mut!((*classifier_meta).label_info_list),
            meta_list,
            release::release_label,
            ptr::addr_of_mut!((*classifier_meta).num_labels),
        )
    };
}

/// Releases the display metas of `meta_list` (normally
/// `frame->display_meta_list`).
#[no_mangle]
pub unsafe extern "C" fn nvds_clear_display_meta_list(
    frame_meta: *mut NvDsFrameMeta,
    meta_list: *mut NvDisplayMetaList,
) {
    if frame_meta.is_null() {
        return;
    }
    // SAFETY: live frame.
    let _g = unsafe { Guard::new(batch_of(frame_meta)) };
    // SAFETY: live frame fields, locked.
    unsafe {
        clear(
            ptr::addr_of_mut!((*frame_meta).display_meta_list),
            meta_list,
            release::release_display,
            ptr::null_mut(),
        )
    };
}

/// Releases the user metas of `meta_list` (normally
/// `batch->batch_user_meta_list`).
#[no_mangle]
pub unsafe extern "C" fn nvds_clear_batch_user_meta_list(
    batch_meta: *mut NvDsBatchMeta,
    meta_list: *mut NvDsUserMetaList,
) {
    if batch_meta.is_null() {
        return;
    }
    // SAFETY: live batch.
    let _g = unsafe { Guard::new(batch_meta) };
    // SAFETY: live batch fields, locked.
    unsafe {
        clear(
            ptr::addr_of_mut!((*batch_meta).batch_user_meta_list),
            meta_list,
            release::release_user,
            ptr::null_mut(),
        )
    };
}

/// Releases the user metas of `meta_list` (normally
/// `frame->frame_user_meta_list`).
#[no_mangle]
pub unsafe extern "C" fn nvds_clear_frame_user_meta_list(
    frame_meta: *mut NvDsFrameMeta,
    meta_list: *mut NvDsUserMetaList,
) {
    if frame_meta.is_null() {
        return;
    }
    // SAFETY: live frame.
    let _g = unsafe { Guard::new(batch_of(frame_meta)) };
    // SAFETY: live frame fields, locked.
    unsafe {
        clear(
            ptr::addr_of_mut!((*frame_meta).frame_user_meta_list),
            meta_list,
            release::release_user,
            ptr::null_mut(),
        )
    };
}

/// Releases the user metas of `meta_list` (normally
/// `obj->obj_user_meta_list`).
#[no_mangle]
pub unsafe extern "C" fn nvds_clear_obj_user_meta_list(
    object_meta: *mut NvDsObjectMeta,
    meta_list: *mut NvDsUserMetaList,
) {
    if object_meta.is_null() {
        return;
    }
    // SAFETY: live object.
    let _g = unsafe { Guard::new(batch_of(object_meta)) };
    // SAFETY: live object fields, locked.
    unsafe {
        clear(
            ptr::addr_of_mut!((*object_meta).obj_user_meta_list),
            meta_list,
            release::release_user,
            ptr::null_mut(),
        )
    };
}

/// Releases every element of `meta_list` according to `meta_pool`'s meta
/// type, frees the list nodes and returns the updated list (always NULL).
/// No parent is known here, so no counter is changed: assign the result to
/// the list field you passed.
#[no_mangle]
pub unsafe extern "C" fn nvds_clear_meta_list(
    batch_meta: *mut NvDsBatchMeta,
    meta_list: *mut NvDsMetaList,
    meta_pool: *mut NvDsMetaPool,
) -> *mut NvDsMetaList {
    if meta_list.is_null() || meta_pool.is_null() {
        return meta_list;
    }
    // SAFETY: live batch (or NULL: no lock).
    let _g = unsafe { Guard::new(batch_meta) };
    // SAFETY: live pool and a well-formed list of its elements.
    unsafe { release::release_list(meta_list, release_fn((*meta_pool).meta_type)) };
    ptr::null_mut()
}
