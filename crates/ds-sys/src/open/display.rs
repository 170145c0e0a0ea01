//! Display metas: acquire, add to a frame, remove from a frame.
use super::batch::acquire;
use super::lock::Guard;
use super::util::batch_of;
use super::{list, release};
use crate::meta::*;
use std::os::raw::c_void;

/// Acquires a zeroed display meta.
#[no_mangle]
pub unsafe extern "C" fn nvds_acquire_display_meta_from_pool(
    batch_meta: *mut NvDsBatchMeta,
) -> *mut NvDsDisplayMeta {
    // SAFETY: forwarded contract.
    unsafe { acquire(batch_meta, NVDS_DISPLAY_META) as *mut NvDsDisplayMeta }
}

/// Appends a display meta to a frame's `display_meta_list`.
#[no_mangle]
pub unsafe extern "C" fn nvds_add_display_meta_to_frame(
    frame_meta: *mut NvDsFrameMeta,
    display_meta: *mut NvDsDisplayMeta,
) {
    if frame_meta.is_null() || display_meta.is_null() {
        return;
    }
    // SAFETY: live frame meta.
    let _g = unsafe { Guard::new(batch_of(frame_meta)) };
    // SAFETY: live frame, locked.
    unsafe {
        (*frame_meta).display_meta_list =
            list::append((*frame_meta).display_meta_list, display_meta as *mut c_void);
    }
}

/// Unlinks a display meta from a frame and releases it (its texts are freed).
#[no_mangle]
pub unsafe extern "C" fn nvds_remove_display_meta_from_frame(
    frame_meta: *mut NvDsFrameMeta,
    display_meta: *mut NvDsDisplayMeta,
) {
    if frame_meta.is_null() || display_meta.is_null() {
        return;
    }
    // SAFETY: live frame meta.
    let _g = unsafe { Guard::new(batch_of(frame_meta)) };
    // SAFETY: live frame, locked.
    unsafe {
        if list::remove(
            &mut (*frame_meta).display_meta_list,
            display_meta as *mut c_void,
        ) {
            release::release_display(display_meta as *mut c_void);
        }
    }
}
