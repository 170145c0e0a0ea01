//! Small helpers shared by the meta modules.
use crate::meta::{NvDsBaseMeta, NvDsBatchMeta};
use std::ptr;

/// The batch an element belongs to (`base_meta.batch_meta`), NULL-safe.
///
/// # Safety
/// `e` is NULL or points to a meta structure starting with `NvDsBaseMeta`.
pub(crate) unsafe fn batch_of<T>(e: *const T) -> *mut NvDsBatchMeta {
    if e.is_null() {
        return ptr::null_mut();
    }
    // SAFETY: every DeepStream meta structure starts with NvDsBaseMeta.
    unsafe { (*(e as *const NvDsBaseMeta)).batch_meta }
}
