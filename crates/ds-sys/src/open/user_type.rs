//! `nvds_get_user_meta_type`: user meta types, one set per process.
//!
//! A descriptor string's type is `NVDS_START_USER_META` plus the string's
//! GLib quark: the same string always gets the same value, distinct
//! strings distinct values, thread-safe. The quark table is GLib's, so it
//! is process-wide even when the process holds two copies of this
//! implementation (an application linking ds-sys statically that also
//! loads the `dsopen` GStreamer plugin, which holds its own copy): both
//! copies hand out the same value for a descriptor, and a tensor meta
//! attached by the plugin's `nvinfer` is found by the application's probe.
//! NULL or a value past the user range gives `NVDS_INVALID_META`.
//!
//! Under Miri (no GLib) a mutex-protected vector of descriptors stands in
//! for the quark table.
use crate::meta::{NvDsMetaType, NVDS_FORCE32_META, NVDS_INVALID_META, NVDS_START_USER_META};
#[cfg(miri)]
use std::ffi::CStr;
use std::os::raw::c_char;

/// Returns the user meta type registered for `meta_descriptor`
/// (e.g. `"NVIDIA.NVINFER.TENSOR_METADATA"`), registering it when new.
#[no_mangle]
pub unsafe extern "C" fn nvds_get_user_meta_type(meta_descriptor: *mut c_char) -> NvDsMetaType {
    if meta_descriptor.is_null() {
        return NVDS_INVALID_META;
    }
    // SAFETY: a non-NULL descriptor is a NUL-terminated string (C API contract).
    let idx = unsafe { index_of(meta_descriptor) };
    match i32::try_from(idx) {
        Ok(i) if i < NVDS_FORCE32_META - NVDS_START_USER_META => NVDS_START_USER_META + i,
        _ => NVDS_INVALID_META,
    }
}

/// The descriptor's process-wide index: its GLib quark (never 0 for a
/// non-NULL string).
///
/// # Safety
/// `descriptor` is a NUL-terminated string.
#[cfg(not(miri))]
unsafe fn index_of(descriptor: *const c_char) -> u64 {
    // SAFETY: per contract, a NUL-terminated string; GLib copies it.
    u64::from(unsafe { glib_sys::g_quark_from_string(descriptor) })
}

/// Miri stand-in for the quark table.
///
/// # Safety
/// `descriptor` is a NUL-terminated string.
#[cfg(miri)]
unsafe fn index_of(descriptor: *const c_char) -> u64 {
    use std::sync::Mutex;
    static REGISTRY: Mutex<Vec<Box<[u8]>>> = Mutex::new(Vec::new());
    // SAFETY: per contract, a NUL-terminated string.
    let key = unsafe { CStr::from_ptr(descriptor) }.to_bytes();
    let mut reg = REGISTRY.lock().unwrap_or_else(|p| p.into_inner());
    let idx = match reg.iter().position(|k| &k[..] == key) {
        Some(i) => i,
        None => {
            reg.push(key.into());
            reg.len() - 1
        }
    };
    idx as u64 + 1
}
