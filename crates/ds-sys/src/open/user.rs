//! User metas on batches, frames, objects and rois.
//!
//! The producer sets `base_meta.meta_type`, `user_meta_data`,
//! `base_meta.copy_func` (called as `copy_func(user_meta, NULL)`, returns the
//! new `user_meta_data`) and `base_meta.release_func` (called once as
//! `release_func(user_meta, NULL)` when the meta is removed or its batch is
//! destroyed).
use super::batch::acquire;
use super::lock::Guard;
use super::util::batch_of;
use super::{list, release, roi};
use crate::meta::*;
use glib_sys::GList;
use std::os::raw::c_void;

/// Acquires a zeroed user meta (no copy/release functions, type
/// `NVDS_USER_META` until the producer sets its own).
#[no_mangle]
pub unsafe extern "C" fn nvds_acquire_user_meta_from_pool(
    batch_meta: *mut NvDsBatchMeta,
) -> *mut NvDsUserMeta {
    // SAFETY: forwarded contract.
    unsafe { acquire(batch_meta, NVDS_USER_META) as *mut NvDsUserMeta }
}

/// Appends `u` to `*l` under the lock of `u`'s batch.
///
/// # Safety
/// `l` points to a well-formed list field of a live meta.
unsafe fn add(l: *mut *mut GList, u: *mut NvDsUserMeta) {
    // SAFETY: u is a live user meta.
    let _g = unsafe { Guard::new(batch_of(u)) };
    // SAFETY: per contract; locked.
    unsafe { *l = list::append(*l, u as *mut c_void) };
}

/// Unlinks `u` from `*l` and releases it when it was there.
///
/// # Safety
/// `l` points to a well-formed list field of a live meta.
unsafe fn remove(l: *mut *mut GList, u: *mut NvDsUserMeta) {
    // SAFETY: u is a live user meta.
    let _g = unsafe { Guard::new(batch_of(u)) };
    // SAFETY: per contract; locked.
    unsafe {
        if list::remove(&mut *l, u as *mut c_void) {
            release::release_user(u as *mut c_void);
        }
    }
}

/// Appends a user meta to the batch's `batch_user_meta_list`.
#[no_mangle]
pub unsafe extern "C" fn nvds_add_user_meta_to_batch(
    batch_meta: *mut NvDsBatchMeta,
    user_meta: *mut NvDsUserMeta,
) {
    if batch_meta.is_null() || user_meta.is_null() {
        return;
    }
    // SAFETY: live batch; field pointer of it.
    unsafe {
        add(
            std::ptr::addr_of_mut!((*batch_meta).batch_user_meta_list),
            user_meta,
        )
    };
}

/// Appends a user meta to the frame's `frame_user_meta_list`.
#[no_mangle]
pub unsafe extern "C" fn nvds_add_user_meta_to_frame(
    frame_meta: *mut NvDsFrameMeta,
    user_meta: *mut NvDsUserMeta,
) {
    if frame_meta.is_null() || user_meta.is_null() {
        return;
    }
    // SAFETY: live frame.
    unsafe {
        add(
            std::ptr::addr_of_mut!((*frame_meta).frame_user_meta_list),
            user_meta,
        )
    };
}

/// Appends a user meta to the object's `obj_user_meta_list`.
#[no_mangle]
pub unsafe extern "C" fn nvds_add_user_meta_to_obj(
    obj_meta: *mut NvDsObjectMeta,
    user_meta: *mut NvDsUserMeta,
) {
    if obj_meta.is_null() || user_meta.is_null() {
        return;
    }
    // SAFETY: live object.
    unsafe {
        add(
            std::ptr::addr_of_mut!((*obj_meta).obj_user_meta_list),
            user_meta,
        )
    };
}

/// Appends a user meta to the roi's `roi_user_meta_list`.
#[no_mangle]
pub unsafe extern "C" fn nvds_add_user_meta_to_roi(
    roi_meta: *mut NvDsRoiMeta,
    user_meta: *mut NvDsUserMeta,
) {
    if roi_meta.is_null() || user_meta.is_null() {
        return;
    }
    let r = roi::fields(roi_meta);
    // SAFETY: live roi meta.
    unsafe { add(std::ptr::addr_of_mut!((*r).roi_user_meta_list), user_meta) };
}

/// Unlinks a user meta from the batch and releases it.
#[no_mangle]
pub unsafe extern "C" fn nvds_remove_user_meta_from_batch(
    batch_meta: *mut NvDsBatchMeta,
    user_meta: *mut NvDsUserMeta,
) {
    if batch_meta.is_null() || user_meta.is_null() {
        return;
    }
    // SAFETY: live batch.
    unsafe {
        remove(
            std::ptr::addr_of_mut!((*batch_meta).batch_user_meta_list),
            user_meta,
        )
    };
}

/// Unlinks a user meta from the frame and releases it.
#[no_mangle]
pub unsafe extern "C" fn nvds_remove_user_meta_from_frame(
    frame_meta: *mut NvDsFrameMeta,
    user_meta: *mut NvDsUserMeta,
) {
    if frame_meta.is_null() || user_meta.is_null() {
        return;
    }
    // SAFETY: live frame.
    unsafe {
        remove(
            std::ptr::addr_of_mut!((*frame_meta).frame_user_meta_list),
            user_meta,
        )
    };
}

/// Unlinks a user meta from the object and releases it.
#[no_mangle]
pub unsafe extern "C" fn nvds_remove_user_meta_from_object(
    obj_meta: *mut NvDsObjectMeta,
    user_meta: *mut NvDsUserMeta,
) {
    if obj_meta.is_null() || user_meta.is_null() {
        return;
    }
    // SAFETY: live object.
    unsafe {
        remove(
            std::ptr::addr_of_mut!((*obj_meta).obj_user_meta_list),
            user_meta,
        )
    };
}

/// Unlinks a user meta from the roi and releases it.
#[no_mangle]
pub unsafe extern "C" fn nvds_remove_user_meta_from_roi(
    roi_meta: *mut NvDsRoiMeta,
    user_meta: *mut NvDsUserMeta,
) {
    if roi_meta.is_null() || user_meta.is_null() {
        return;
    }
    let r = roi::fields(roi_meta);
    // SAFETY: live roi.
    unsafe { remove(std::ptr::addr_of_mut!((*r).roi_user_meta_list), user_meta) };
}
