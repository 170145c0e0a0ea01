//! Batch meta: creation, destruction, locking, frames, and the batch
//! copy/release functions used by the GstMeta.
//!
//! Pool sizes at creation (they grow on demand, see the `pool` module), per
//! frame of `max_batch_size` (capped at 1024 frames for preallocation):
//! frames 1, objects 16, classifiers 16, label infos 16, display metas 4,
//! user metas 16.
use super::lock::{self, Guard};
use super::release::{self, release_list};
use super::{copy, list, pool};
use crate::mem;
use crate::meta::*;
use glib_sys::{gboolean, gpointer, GFALSE, GTRUE};
use std::mem::size_of;
use std::os::raw::{c_uint, c_void};
use std::ptr;

const PREALLOC_FRAMES_CAP: u32 = 1024;
const OBJS_PER_FRAME: u32 = 16;
const CLASSIFIERS_PER_FRAME: u32 = 16;
const LABELS_PER_FRAME: u32 = 16;
const DISPLAYS_PER_FRAME: u32 = 4;
const USERS_PER_FRAME: u32 = 16;

/// Takes an element of `kind` from `batch`'s pool and gives it a clean
/// header: `batch_meta`, `meta_type`, and (for built-in kinds) the built-in
/// copy/release callbacks. Returns NULL for a NULL batch.
///
/// # Safety
/// `batch` is NULL or a live batch meta.
pub(crate) unsafe fn acquire(batch: *mut NvDsBatchMeta, kind: NvDsMetaType) -> *mut c_void {
    if batch.is_null() {
        return ptr::null_mut();
    }
    // SAFETY: batch is live.
    let _g = unsafe { Guard::new(batch) };
    // SAFETY: batch is live and locked; its pools are live.
    unsafe {
        let pool = release::pool_for(batch, kind);
        let e = pool::take(pool);
        let base = e as *mut NvDsBaseMeta;
        (*base).batch_meta = batch;
        (*base).meta_type = kind;
        if kind != NVDS_USER_META {
            (*base).copy_func = Some(copy::builtin_copy_func);
            (*base).release_func = Some(copy::builtin_release_func);
        }
        e
    }
}

/// Creates a batch meta for up to `max_batch_size` frames.
#[no_mangle]
pub unsafe extern "C" fn nvds_create_batch_meta(max_batch_size: c_uint) -> *mut NvDsBatchMeta {
    let frames = max_batch_size.clamp(1, PREALLOC_FRAMES_CAP);
    // SAFETY: NvDsBatchMeta is valid when zeroed; freed by destroy.
    let b = unsafe { mem::new0::<NvDsBatchMeta>() };
    let cp = Some(copy::builtin_copy_func as unsafe extern "C" fn(gpointer, gpointer) -> gpointer);
    let rl = Some(copy::builtin_release_func as unsafe extern "C" fn(gpointer, gpointer));
    // SAFETY: b is a fresh allocation we own.
    unsafe {
        (*b).base_meta.batch_meta = b;
        (*b).base_meta.meta_type = NVDS_BATCH_META;
        (*b).base_meta.copy_func = Some(nvds_batch_meta_copy_func);
        (*b).base_meta.release_func = Some(nvds_batch_meta_release_func);
        (*b).max_frames_in_batch = max_batch_size;
        (*b).frame_meta_pool =
            pool::create(NVDS_FRAME_META, size_of::<NvDsFrameMeta>(), frames, cp, rl);
        (*b).obj_meta_pool = pool::create(
            NVDS_OBJ_META,
            size_of::<NvDsObjectMeta>(),
            frames * OBJS_PER_FRAME,
            cp,
            rl,
        );
        (*b).classifier_meta_pool = pool::create(
            NVDS_CLASSIFIER_META,
            size_of::<NvDsClassifierMeta>(),
            frames * CLASSIFIERS_PER_FRAME,
            cp,
            rl,
        );
        (*b).display_meta_pool = pool::create(
            NVDS_DISPLAY_META,
            size_of::<NvDsDisplayMeta>(),
            frames * DISPLAYS_PER_FRAME,
            cp,
            rl,
        );
        (*b).user_meta_pool = pool::create(
            NVDS_USER_META,
            size_of::<NvDsUserMeta>(),
            frames * USERS_PER_FRAME,
            None,
            None,
        );
        (*b).label_info_meta_pool = pool::create(
            NVDS_LABEL_INFO_META,
            size_of::<NvDsLabelInfo>(),
            frames * LABELS_PER_FRAME,
            cp,
            rl,
        );
        lock::init(ptr::addr_of_mut!((*b).meta_mutex));
    }
    b
}

/// Destroys a batch meta: every attached meta is released (user metas
/// through their `release_func`), then elements acquired but never attached
/// are released too, then the pools and the batch are freed.
#[no_mangle]
pub unsafe extern "C" fn nvds_destroy_batch_meta(batch_meta: *mut NvDsBatchMeta) -> gboolean {
    if batch_meta.is_null() {
        return GFALSE;
    }
    {
        // SAFETY: batch_meta is live (contract of the C API).
        let _g = unsafe { Guard::new(batch_meta) };
        // SAFETY: batch is live and locked.
        unsafe {
            let b = batch_meta;
            let frames = std::mem::replace(&mut (*b).frame_meta_list, ptr::null_mut());
            (*b).num_frames_in_batch = 0;
            release_list(frames, release::release_frame);
            let users = std::mem::replace(&mut (*b).batch_user_meta_list, ptr::null_mut());
            release_list(users, release::release_user);
            // Orphans: acquired but not attached anywhere. Parents first so
            // that their children leave the full lists with them.
            for kind in [
                NVDS_FRAME_META,
                NVDS_OBJ_META,
                NVDS_DISPLAY_META,
                NVDS_CLASSIFIER_META,
                NVDS_LABEL_INFO_META,
                NVDS_USER_META,
            ] {
                let pool = release::pool_for(b, kind);
                let f = release::release_fn(kind);
                loop {
                    let head = (*pool).full_list;
                    if head.is_null() {
                        break;
                    }
                    let e = (*head).data;
                    // The orphan's header may have been overwritten by the
                    // user; make sure it releases into this pool.
                    (*(e as *mut NvDsBaseMeta)).batch_meta = b;
                    f(e);
                    if pool::is_acquired(pool, e) {
                        // Not released (should not happen): drop it anyway.
                        pool::give_back(pool, e);
                    }
                }
            }
        }
    }
    // SAFETY: the lock is released and nobody else may use the batch now.
    unsafe {
        let b = batch_meta;
        for p in [
            (*b).frame_meta_pool,
            (*b).obj_meta_pool,
            (*b).classifier_meta_pool,
            (*b).display_meta_pool,
            (*b).user_meta_pool,
            (*b).label_info_meta_pool,
        ] {
            pool::destroy(p);
        }
        lock::clear(ptr::addr_of_mut!((*b).meta_mutex));
        mem::free(b as *mut c_void);
    }
    GTRUE
}

/// Locks the batch meta (recursive).
#[no_mangle]
pub unsafe extern "C" fn nvds_acquire_meta_lock(batch_meta: *mut NvDsBatchMeta) {
    if batch_meta.is_null() {
        return;
    }
    // SAFETY: live batch; mutex initialised at creation.
    unsafe { lock::lock(ptr::addr_of_mut!((*batch_meta).meta_mutex)) };
}

/// Unlocks the batch meta once.
#[no_mangle]
pub unsafe extern "C" fn nvds_release_meta_lock(batch_meta: *mut NvDsBatchMeta) {
    if batch_meta.is_null() {
        return;
    }
    // SAFETY: live batch locked by this thread (C API contract).
    unsafe { lock::unlock(ptr::addr_of_mut!((*batch_meta).meta_mutex)) };
}

/// Acquires a frame meta (zeroed).
#[no_mangle]
pub unsafe extern "C" fn nvds_acquire_frame_meta_from_pool(
    batch_meta: *mut NvDsBatchMeta,
) -> *mut NvDsFrameMeta {
    // SAFETY: forwarded contract.
    unsafe { acquire(batch_meta, NVDS_FRAME_META) as *mut NvDsFrameMeta }
}

/// Appends a frame meta to the batch and counts it in `num_frames_in_batch`.
#[no_mangle]
pub unsafe extern "C" fn nvds_add_frame_meta_to_batch(
    batch_meta: *mut NvDsBatchMeta,
    frame_meta: *mut NvDsFrameMeta,
) {
    if batch_meta.is_null() || frame_meta.is_null() {
        return;
    }
    // SAFETY: live batch.
    let _g = unsafe { Guard::new(batch_meta) };
    // SAFETY: live batch and frame, locked.
    unsafe {
        (*batch_meta).frame_meta_list =
            list::append((*batch_meta).frame_meta_list, frame_meta as *mut c_void);
        (*batch_meta).num_frames_in_batch += 1;
    }
}

/// Unlinks a frame meta from the batch and releases it (with its objects,
/// display and user metas) to the pool. A frame not in the batch is ignored.
#[no_mangle]
pub unsafe extern "C" fn nvds_remove_frame_meta_from_batch(
    batch_meta: *mut NvDsBatchMeta,
    frame_meta: *mut NvDsFrameMeta,
) {
    if batch_meta.is_null() || frame_meta.is_null() {
        return;
    }
    // SAFETY: live batch.
    let _g = unsafe { Guard::new(batch_meta) };
    // SAFETY: live batch, locked.
    unsafe {
        if list::remove(
            &mut (*batch_meta).frame_meta_list,
            frame_meta as *mut c_void,
        ) {
            (*batch_meta).num_frames_in_batch = (*batch_meta).num_frames_in_batch.saturating_sub(1);
            release::release_frame(frame_meta as *mut c_void);
        }
    }
}

/// The `index`th frame meta of a frame list, or NULL.
#[no_mangle]
pub unsafe extern "C" fn nvds_get_nth_frame_meta(
    frame_meta_list: *mut NvDsFrameMetaList,
    index: c_uint,
) -> *mut NvDsFrameMeta {
    // SAFETY: the list is a well-formed frame list (C API contract).
    unsafe { list::nth_data(frame_meta_list, index as usize) as *mut NvDsFrameMeta }
}

/// Prints a summary of the batch's pools and lists to stdout. Returns FALSE
/// for NULL.
#[no_mangle]
pub unsafe extern "C" fn nvds_get_current_metadata_info(
    batch_meta: *mut NvDsBatchMeta,
) -> gboolean {
    if batch_meta.is_null() {
        return GFALSE;
    }
    // SAFETY: live batch.
    let _g = unsafe { Guard::new(batch_meta) };
    // SAFETY: live batch, locked; pools live.
    unsafe {
        let b = &*batch_meta;
        println!(
            "batch meta: {} of {} frames",
            b.num_frames_in_batch, b.max_frames_in_batch
        );
        for (name, p) in [
            ("frame", b.frame_meta_pool),
            ("object", b.obj_meta_pool),
            ("classifier", b.classifier_meta_pool),
            ("display", b.display_meta_pool),
            ("user", b.user_meta_pool),
            ("label info", b.label_info_meta_pool),
        ] {
            let p = &*p;
            println!(
                "  {name} pool: {} in use, {} free, capacity {}",
                p.num_full_elements, p.num_empty_elements, p.max_elements_in_pool
            );
        }
    }
    GTRUE
}

/// Deep copy of a whole batch meta (`NvDsMeta` copy function): a new batch
/// with the same capacity, fields, frames (with objects, classifiers,
/// labels, display and user metas) and batch user metas.
#[no_mangle]
pub unsafe extern "C" fn nvds_batch_meta_copy_func(
    data: gpointer,
    _user_data: gpointer,
) -> gpointer {
    let src = data as *mut NvDsBatchMeta;
    if src.is_null() {
        return ptr::null_mut();
    }
    // SAFETY: src is a live batch (C API contract).
    let _g = unsafe { Guard::new(src) };
    // SAFETY: src live and locked; dst fresh.
    unsafe {
        let dst = nvds_create_batch_meta((*src).max_frames_in_batch);
        (*dst).base_meta.uContext = (*src).base_meta.uContext;
        (*dst).base_meta.copy_func = (*src).base_meta.copy_func;
        (*dst).base_meta.release_func = (*src).base_meta.release_func;
        (*dst).misc_batch_info = (*src).misc_batch_info;
        (*dst).reserved = (*src).reserved;
        copy::nvds_copy_frame_meta_list((*src).frame_meta_list, dst);
        copy::nvds_copy_batch_user_meta_list((*src).batch_user_meta_list, dst);
        dst as gpointer
    }
}

/// Destroys a batch meta (`NvDsMeta` release function).
#[no_mangle]
pub unsafe extern "C" fn nvds_batch_meta_release_func(data: gpointer, _user_data: gpointer) {
    // SAFETY: data is NULL or a live batch meta (C API contract).
    unsafe { nvds_destroy_batch_meta(data as *mut NvDsBatchMeta) };
}
