//! `nvds_get_user_meta_type`: a process-wide registry of user meta types.
//!
//! Each distinct descriptor string gets the next value from
//! `NVDS_START_USER_META` on, in order of first request; the same string
//! always gets the same value. The registry is a mutex-protected vector
//! (thread-safe; a handful of entries in practice). NULL or an exhausted
//! range gives `NVDS_INVALID_META`.
use crate::meta::{NvDsMetaType, NVDS_FORCE32_META, NVDS_INVALID_META, NVDS_START_USER_META};
use std::ffi::CStr;
use std::os::raw::c_char;
use std::sync::Mutex;

static REGISTRY: Mutex<Vec<Box<[u8]>>> = Mutex::new(Vec::new());

/// Returns the user meta type registered for `meta_descriptor`
/// (e.g. `"NVIDIA.NVINFER.TENSOR_METADATA"`), registering it when new.
#[no_mangle]
pub unsafe extern "C" fn nvds_get_user_meta_type(meta_descriptor: *mut c_char) -> NvDsMetaType {
    if meta_descriptor.is_null() {
        return NVDS_INVALID_META;
    }
    // SAFETY: a non-NULL descriptor is a NUL-terminated string (C API contract).
    let key = unsafe { CStr::from_ptr(meta_descriptor) }.to_bytes();
    let mut reg = match REGISTRY.lock() {
        Ok(g) => g,
        Err(poisoned) => poisoned.into_inner(),
    };
    let idx = match reg.iter().position(|k| &k[..] == key) {
        Some(i) => i,
        None => {
            reg.push(key.into());
            reg.len() - 1
        }
    };
    match i32::try_from(idx) {
        Ok(i) if i < NVDS_FORCE32_META - NVDS_START_USER_META => NVDS_START_USER_META + i,
        _ => NVDS_INVALID_META,
    }
}
