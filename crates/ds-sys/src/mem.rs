//! The allocator every C-owned DeepStream allocation goes through.
//!
//! Strings and structs stored in DeepStream metadata are owned by the C side
//! and released with `g_free`, so they must come from GLib's allocator. These
//! wrappers do exactly that in normal builds. Under Miri (which cannot call
//! into GLib) they fall back to Rust's global allocator with a small size
//! header, so the metadata logic can be checked for undefined behaviour.
//!
//! Rule: memory from [`malloc0`] / [`strdup`] is released with [`free`] and
//! nothing else.
use std::os::raw::{c_char, c_void};

#[cfg(not(miri))]
mod imp {
    use super::*;

    pub unsafe fn malloc0(size: usize) -> *mut c_void {
        // SAFETY: g_malloc0 has no preconditions; it aborts on OOM and returns
        // NULL only for size 0.
        unsafe { glib_sys::g_malloc0(size) }
    }

    pub unsafe fn free(p: *mut c_void) {
        // SAFETY: caller guarantees `p` is NULL or came from malloc0/strdup.
        unsafe { glib_sys::g_free(p) }
    }
}

#[cfg(miri)]
mod imp {
    use super::*;
    use std::alloc::{alloc_zeroed, dealloc, Layout};

    const HEADER: usize = 16;

    pub unsafe fn malloc0(size: usize) -> *mut c_void {
        if size == 0 {
            return std::ptr::null_mut();
        }
        let layout = Layout::from_size_align(size + HEADER, HEADER).expect("allocation too large");
        // SAFETY: layout has non-zero size.
        let base = unsafe { alloc_zeroed(layout) };
        if base.is_null() {
            std::alloc::handle_alloc_error(layout);
        }
        // SAFETY: base is valid for size + HEADER bytes and 16-aligned.
        unsafe {
            (base as *mut usize).write(size);
            base.add(HEADER) as *mut c_void
        }
    }

    pub unsafe fn free(p: *mut c_void) {
        if p.is_null() {
            return;
        }
        // SAFETY: caller guarantees `p` came from malloc0 above, so the size
        // header sits HEADER bytes before it.
        unsafe {
            let base = (p as *mut u8).sub(HEADER);
            let size = (base as *const usize).read();
            dealloc(
                base,
                Layout::from_size_align_unchecked(size + HEADER, HEADER),
            );
        }
    }
}

/// Allocates `size` zeroed bytes (`g_malloc0`). Returns NULL for size 0.
///
/// # Safety
/// The result must be released with [`free`] exactly once.
pub unsafe fn malloc0(size: usize) -> *mut c_void {
    // SAFETY: forwarded contract.
    unsafe { imp::malloc0(size) }
}

/// Releases memory from [`malloc0`] or [`strdup`] (`g_free`). NULL is a no-op.
///
/// # Safety
/// `p` must be NULL or come from [`malloc0`] / [`strdup`] and not be freed yet.
pub unsafe fn free(p: *mut c_void) {
    // SAFETY: forwarded contract.
    unsafe { imp::free(p) }
}

/// Allocates a zeroed `T` with [`malloc0`].
///
/// # Safety
/// `T` must be valid when all-zero; release with [`free`].
pub unsafe fn new0<T>() -> *mut T {
    // SAFETY: forwarded contract.
    unsafe { malloc0(std::mem::size_of::<T>().max(1)) as *mut T }
}

/// Copies a NUL-terminated string (`g_strdup`). NULL gives NULL.
///
/// # Safety
/// `s` must be NULL or point to a NUL-terminated string.
pub unsafe fn strdup(s: *const c_char) -> *mut c_char {
    if s.is_null() {
        return std::ptr::null_mut();
    }
    // SAFETY: s is a valid C string per the contract.
    let bytes = unsafe { std::ffi::CStr::from_ptr(s) }.to_bytes_with_nul();
    // SAFETY: non-zero size.
    let dst = unsafe { malloc0(bytes.len()) } as *mut c_char;
    // SAFETY: dst has room for bytes.len() bytes; regions do not overlap.
    unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr() as *const c_char, dst, bytes.len()) };
    dst
}

/// Copies a Rust string into a new NUL-terminated C string owned by the C
/// side. Interior NUL bytes end the string early (C semantics).
pub fn strdup_str(s: &str) -> *mut c_char {
    let bytes = s.as_bytes();
    let len = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    // SAFETY: len + 1 > 0; the result is zeroed so the terminator is present.
    let dst = unsafe { malloc0(len + 1) } as *mut u8;
    // SAFETY: dst holds len + 1 bytes; source holds at least len bytes.
    unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), dst, len) };
    dst as *mut c_char
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strdup_roundtrip() {
        let p = strdup_str("car\0ignored");
        // SAFETY: p is a valid C string from strdup_str.
        let q = unsafe { strdup(p) };
        // SAFETY: q is a valid C string.
        let copied = unsafe { std::ffi::CStr::from_ptr(q) };
        assert_eq!(copied.to_str().unwrap(), "car");
        // SAFETY: both came from this module, freed once.
        unsafe {
            free(p as *mut c_void);
            free(q as *mut c_void);
            free(std::ptr::null_mut());
        }
    }
}
