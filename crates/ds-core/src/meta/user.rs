//! User metadata (`NvDsUserMeta`).

/// A user meta attached to a batch, frame or object (transparent over
/// `NvDsUserMeta`). Obtain it as `&UserMeta` from an iterator.
#[repr(transparent)]
pub struct UserMeta(pub(crate) ds_sys::NvDsUserMeta);

impl UserMeta {
    /// The meta type (`base_meta.meta_type`).
    pub fn meta_type(&self) -> ds_sys::NvDsMetaType {
        self.0.base_meta.meta_type
    }

    /// Raw pointer to the C struct.
    pub fn as_ptr(&self) -> *const ds_sys::NvDsUserMeta {
        &self.0
    }
}
