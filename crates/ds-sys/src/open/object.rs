//! Object metas: acquire, add to a frame, remove from a frame.
use super::batch::acquire;
use super::lock::Guard;
use super::util::batch_of;
use super::{list, release};
use crate::meta::*;
use std::os::raw::c_void;
use std::ptr;

/// Acquires a zeroed object meta with `object_id = UNTRACKED_OBJECT_ID`.
#[no_mangle]
pub unsafe extern "C" fn nvds_acquire_obj_meta_from_pool(
    batch_meta: *mut NvDsBatchMeta,
) -> *mut NvDsObjectMeta {
    // SAFETY: forwarded contract.
    let o = unsafe { acquire(batch_meta, NVDS_OBJ_META) } as *mut NvDsObjectMeta;
    if !o.is_null() {
        // SAFETY: o is a fresh element.
        unsafe { (*o).object_id = UNTRACKED_OBJECT_ID };
    }
    o
}

/// Appends an object meta to a frame, sets `obj_meta->parent = obj_parent`
/// and increments `num_obj_meta`.
#[no_mangle]
pub unsafe extern "C" fn nvds_add_obj_meta_to_frame(
    frame_meta: *mut NvDsFrameMeta,
    obj_meta: *mut NvDsObjectMeta,
    obj_parent: *mut NvDsObjectMeta,
) {
    if frame_meta.is_null() || obj_meta.is_null() {
        return;
    }
    // SAFETY: live frame meta (C API contract).
    let _g = unsafe { Guard::new(batch_of(frame_meta)) };
    // SAFETY: live frame and object, batch locked.
    unsafe {
        (*obj_meta).parent = obj_parent;
        (*frame_meta).obj_meta_list =
            list::append((*frame_meta).obj_meta_list, obj_meta as *mut c_void);
        (*frame_meta).num_obj_meta += 1;
    }
}

/// Unlinks an object meta from a frame and releases it (with its
/// classifiers and user metas). Other objects of the frame whose `parent` was
/// this object get a NULL parent. An object not in the frame is ignored.
#[no_mangle]
pub unsafe extern "C" fn nvds_remove_obj_meta_from_frame(
    frame_meta: *mut NvDsFrameMeta,
    obj_meta: *mut NvDsObjectMeta,
) {
    if frame_meta.is_null() || obj_meta.is_null() {
        return;
    }
    // SAFETY: live frame meta.
    let _g = unsafe { Guard::new(batch_of(frame_meta)) };
    // SAFETY: live frame, locked; list elements are live objects.
    unsafe {
        if !list::remove(&mut (*frame_meta).obj_meta_list, obj_meta as *mut c_void) {
            return;
        }
        (*frame_meta).num_obj_meta = (*frame_meta).num_obj_meta.saturating_sub(1);
        for o in list::iter((*frame_meta).obj_meta_list) {
            let o = o as *mut NvDsObjectMeta;
            if (*o).parent == obj_meta {
                (*o).parent = ptr::null_mut();
            }
        }
        release::release_obj(obj_meta as *mut c_void);
    }
}
