//! User metadata (`NvDsUserMeta`) and the contract for typed user data.
use ds_sys::{NvDsMetaCopyFunc, NvDsMetaReleaseFunc, NvDsMetaType, NvDsUserMeta};
use std::os::raw::c_void;

/// A user meta attached to a batch, frame or object (transparent over
/// `NvDsUserMeta`). Obtain it as `&UserMeta` from an iterator.
#[repr(transparent)]
pub struct UserMeta(pub(crate) NvDsUserMeta);

impl UserMeta {
    /// The meta type (`base_meta.meta_type`).
    pub fn meta_type(&self) -> NvDsMetaType {
        self.0.base_meta.meta_type
    }

    /// Raw pointer to the C struct.
    pub fn as_ptr(&self) -> *const NvDsUserMeta {
        &self.0
    }

    /// The typed data of this user meta, if it holds a `T`.
    pub fn downcast<T: UserMetaData>(&self) -> Option<&T::Ref> {
        if self.0.user_meta_data.is_null() || !T::accepts(&self.0) {
            return None;
        }
        // SAFETY: `T::accepts` guarantees (trait contract) that
        // user_meta_data points to a valid `T::Ref`, which lives as long as
        // this user meta.
        Some(unsafe { &*(self.0.user_meta_data as *const T::Ref) })
    }

    /// Mutable typed data of this user meta, if it holds a `T`.
    pub fn downcast_mut<T: UserMetaData>(&mut self) -> Option<&mut T::Ref> {
        if self.0.user_meta_data.is_null() || !T::accepts(&self.0) {
            return None;
        }
        // SAFETY: as in `downcast`; `&mut self` gives exclusive access.
        Some(unsafe { &mut *(self.0.user_meta_data as *mut T::Ref) })
    }
}

/// An owned value whose ownership can move into a user meta.
///
/// ds-core provides the copy and release functions, so a buffer copy
/// deep-copies the value and dropping the buffer releases it exactly once.
///
/// # Safety
/// * `into_raw` returns a pointer that `release_func` frees and
///   `copy_func` deep-copies (both receive the `NvDsUserMeta*`, per
///   DeepStream's user meta contract).
/// * `accepts(m)` is true only when `m.user_meta_data` points to a valid
///   `Self::Ref` (a `#[repr(transparent)]` view of the C struct).
pub unsafe trait UserMetaData: Sized {
    /// Borrowed view of the stored C struct.
    type Ref;
    /// The `meta_type` to tag the user meta with.
    fn meta_type(&self) -> NvDsMetaType;
    /// Whether a user meta holds this type (checked before downcasting).
    fn accepts(meta: &NvDsUserMeta) -> bool;
    /// Gives up ownership; the pointer becomes `user_meta_data`.
    fn into_raw(self) -> *mut c_void;
    /// Copy function stored in `base_meta.copy_func`.
    fn copy_func() -> NvDsMetaCopyFunc;
    /// Release function stored in `base_meta.release_func`.
    fn release_func() -> NvDsMetaReleaseFunc;
}

/// Fills a freshly acquired user meta with `data`, moving ownership in.
///
/// # Safety
/// `um` must point to a user meta acquired from a pool and not yet holding
/// data.
pub(crate) unsafe fn fill_user_meta<T: UserMetaData>(um: *mut NvDsUserMeta, data: T) {
    let meta_type = data.meta_type();
    let raw = data.into_raw();
    // SAFETY: caller guarantees `um` is valid and exclusively ours.
    unsafe {
        (*um).user_meta_data = raw;
        (*um).base_meta.meta_type = meta_type;
        (*um).base_meta.copy_func = T::copy_func();
        (*um).base_meta.release_func = T::release_func();
    }
}
