//! The batch meta's recursive lock (`meta_mutex`).
//!
//! Normal builds use GLib's `GRecMutex` in place. Under Miri (no FFI) the
//! same 16 bytes of storage hold a small recursive spin lock: the pointer
//! field is the owning thread's token (0 = free), the first integer field is
//! the recursion depth, written only by the owner.
use glib_sys::GRecMutex;

/// Prepares `m` for use (`g_rec_mutex_init`).
///
/// # Safety
/// `m` points to zeroed, writable `GRecMutex` storage not in use.
pub(crate) unsafe fn init(m: *mut GRecMutex) {
    #[cfg(not(miri))]
    // SAFETY: per contract, m is valid storage for a GRecMutex.
    unsafe {
        glib_sys::g_rec_mutex_init(m)
    };
    #[cfg(miri)]
    // SAFETY: per contract, m is writable; "free" is all-zero.
    unsafe {
        m.write(std::mem::zeroed())
    };
}

/// Releases the resources of `m` (`g_rec_mutex_clear`).
///
/// # Safety
/// `m` was set up by [`init`] and is not locked.
pub(crate) unsafe fn clear(m: *mut GRecMutex) {
    #[cfg(not(miri))]
    // SAFETY: per contract, m was initialised and is unlocked.
    unsafe {
        glib_sys::g_rec_mutex_clear(m)
    };
    #[cfg(miri)]
    let _ = m;
}

#[cfg(miri)]
fn thread_token() -> usize {
    thread_local!(static TOKEN: u8 = const { 0 });
    TOKEN.with(|t| t as *const u8 as usize)
}

#[cfg(miri)]
/// # Safety
/// `m` was set up by [`init`].
unsafe fn owner<'a>(m: *mut GRecMutex) -> &'a std::sync::atomic::AtomicUsize {
    // SAFETY: the `p` field is pointer sized and aligned; every access to it
    // while the lock is in use is atomic.
    unsafe {
        std::sync::atomic::AtomicUsize::from_ptr(std::ptr::addr_of_mut!((*m).p) as *mut usize)
    }
}

/// Locks `m`; the same thread may lock it again (`g_rec_mutex_lock`).
///
/// # Safety
/// `m` was set up by [`init`].
pub(crate) unsafe fn lock(m: *mut GRecMutex) {
    #[cfg(not(miri))]
    // SAFETY: per contract, m is an initialised GRecMutex.
    unsafe {
        glib_sys::g_rec_mutex_lock(m)
    };
    #[cfg(miri)]
    {
        use std::sync::atomic::Ordering;
        let me = thread_token();
        // SAFETY: per contract.
        let owner = unsafe { owner(m) };
        if owner.load(Ordering::Relaxed) != me {
            while owner
                .compare_exchange_weak(0, me, Ordering::Acquire, Ordering::Relaxed)
                .is_err()
            {
                std::thread::yield_now();
            }
        }
        // SAFETY: this thread owns the lock, so it alone touches the depth.
        unsafe { (*m).i[0] += 1 };
    }
}

/// Unlocks `m` once (`g_rec_mutex_unlock`).
///
/// # Safety
/// `m` was set up by [`init`] and is locked by the calling thread.
pub(crate) unsafe fn unlock(m: *mut GRecMutex) {
    #[cfg(not(miri))]
    // SAFETY: per contract, the calling thread holds m.
    unsafe {
        glib_sys::g_rec_mutex_unlock(m)
    };
    #[cfg(miri)]
    {
        use std::sync::atomic::Ordering;
        // SAFETY: per contract.
        let owner = unsafe { owner(m) };
        if owner.load(Ordering::Relaxed) != thread_token() {
            return;
        }
        // SAFETY: this thread owns the lock, so it alone touches the depth.
        unsafe {
            (*m).i[0] -= 1;
            if (*m).i[0] == 0 {
                owner.store(0, Ordering::Release);
            }
        }
    }
}

/// Holds a batch meta's lock until dropped.
pub(crate) struct Guard(*mut GRecMutex);

impl Guard {
    /// Locks the meta mutex of `batch` (no-op guard for NULL).
    ///
    /// # Safety
    /// `batch` is NULL or a live batch meta from `nvds_create_batch_meta`.
    pub(crate) unsafe fn new(batch: *mut crate::meta::NvDsBatchMeta) -> Guard {
        if batch.is_null() {
            return Guard(std::ptr::null_mut());
        }
        // SAFETY: batch is live; its mutex was initialised at creation.
        let m = unsafe { std::ptr::addr_of_mut!((*batch).meta_mutex) };
        // SAFETY: as above.
        unsafe { lock(m) };
        Guard(m)
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        if !self.0.is_null() {
            // SAFETY: locked by this thread in Guard::new; the batch outlives
            // the guard (guards are scoped inside the functions that use it).
            unsafe { unlock(self.0) };
        }
    }
}
