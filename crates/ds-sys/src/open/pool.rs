//! Meta pools (`NvDsMetaPool`): preallocated elements of one meta type.
//!
//! Every element is a `malloc0` block of `element_size` bytes. Unused
//! elements sit on `empty_list`; acquired ones on `full_list` until they are
//! released. When `empty_list` runs dry the pool grows by one element per
//! acquire and `max_elements_in_pool` is raised to the new total, so an
//! acquire never fails.
use super::list;
use crate::mem;
use crate::meta::{NvDsMetaCopyFunc, NvDsMetaPool, NvDsMetaReleaseFunc, NvDsMetaType};
use std::os::raw::c_void;
use std::ptr;

/// Creates a pool of `count` zeroed elements of `size` bytes.
pub(crate) fn create(
    meta_type: NvDsMetaType,
    size: usize,
    count: u32,
    copy_func: NvDsMetaCopyFunc,
    release_func: NvDsMetaReleaseFunc,
) -> *mut NvDsMetaPool {
    // SAFETY: NvDsMetaPool is valid when zeroed; freed by `destroy`.
    let pool = unsafe { mem::new0::<NvDsMetaPool>() };
    // SAFETY: pool is a fresh allocation we own; list ops act on its lists.
    unsafe {
        (*pool).meta_type = meta_type;
        (*pool).element_size = size as u32;
        (*pool).copy_func = copy_func;
        (*pool).release_func = release_func;
        for _ in 0..count {
            let e = mem::malloc0(size);
            (*pool).empty_list = list::prepend((*pool).empty_list, e);
        }
        (*pool).num_empty_elements = count;
        (*pool).max_elements_in_pool = count;
    }
    pool
}

/// Takes an element (growing the pool when it is empty), moves it to the
/// full list and returns it zeroed.
///
/// # Safety
/// `pool` is a live pool from [`create`]; the caller holds the batch lock.
pub(crate) unsafe fn take(pool: *mut NvDsMetaPool) -> *mut c_void {
    // SAFETY: pool is live; its lists are well formed.
    unsafe {
        let p = &mut *pool;
        let size = p.element_size as usize;
        let mut e = list::pop_front(&mut p.empty_list);
        if e.is_null() {
            e = mem::malloc0(size);
            p.max_elements_in_pool += 1;
        } else {
            p.num_empty_elements -= 1;
            ptr::write_bytes(e as *mut u8, 0, size);
        }
        p.full_list = list::prepend(p.full_list, e);
        p.num_full_elements += 1;
        e
    }
}

/// Whether `e` is currently acquired from `pool`.
///
/// # Safety
/// `pool` is a live pool.
pub(crate) unsafe fn is_acquired(pool: *mut NvDsMetaPool, e: *mut c_void) -> bool {
    // SAFETY: pool is live.
    unsafe { !list::find((*pool).full_list, e).is_null() }
}

/// Moves `e` from the full list back to the empty list. Returns false (and
/// does nothing) when `e` is not acquired from this pool.
///
/// # Safety
/// `pool` is a live pool; the element's owned resources are already released.
pub(crate) unsafe fn give_back(pool: *mut NvDsMetaPool, e: *mut c_void) -> bool {
    // SAFETY: pool is live; its lists are well formed.
    unsafe {
        let p = &mut *pool;
        if !list::remove(&mut p.full_list, e) {
            return false;
        }
        p.num_full_elements -= 1;
        p.empty_list = list::prepend(p.empty_list, e);
        p.num_empty_elements += 1;
    }
    true
}

/// Frees the pool, its list nodes and every element it holds.
///
/// # Safety
/// `pool` is NULL or a live pool whose full elements no longer own anything.
pub(crate) unsafe fn destroy(pool: *mut NvDsMetaPool) {
    if pool.is_null() {
        return;
    }
    // SAFETY: pool is live and unused from now on; every element came from
    // mem::malloc0.
    unsafe {
        for l in [(*pool).empty_list, (*pool).full_list] {
            for e in list::iter(l) {
                mem::free(e);
            }
            list::free(l);
        }
        mem::free(pool as *mut c_void);
    }
}
