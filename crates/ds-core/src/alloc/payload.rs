//! `NvDsPayload`: a converted message (nvmsgconv → nvmsgbroker).
use super::{non_null, slice_field, AllocError};
use crate::meta::UserMetaData;
use ds_sys::{
    NvDsMetaCopyFunc, NvDsMetaReleaseFunc, NvDsMetaType, NvDsPayload, NvDsUserMeta,
    NVDS_PAYLOAD_META,
};
use std::fmt;
use std::os::raw::c_void;
use std::ptr::NonNull;

/// Borrowed view of an `NvDsPayload` (what
/// `user_meta.downcast::<Payload>()` returns).
///
/// ```
/// use ds_core::alloc::{Payload, PayloadRef};
/// let p = Payload::new(b"{\"a\":1}", 3).unwrap();
/// let view: &PayloadRef = &p;
/// assert_eq!(view.as_str(), Some("{\"a\":1}"));
/// ```
#[repr(transparent)]
pub struct PayloadRef(NvDsPayload);

impl PayloadRef {
    /// The payload bytes (`payload`, `payloadSize` bytes).
    ///
    /// ```
    /// let p = ds_core::alloc::Payload::new(&[1, 2, 3], 0).unwrap();
    /// assert_eq!(p.bytes(), &[1, 2, 3]);
    /// ```
    pub fn bytes(&self) -> &[u8] {
        // SAFETY: a non-NULL payload holds payloadSize bytes owned by the
        // struct (DeepStream contract; upheld by Payload::new).
        unsafe { slice_field(self.0.payload as *const u8, self.0.payloadSize as usize) }
    }

    /// The payload as UTF-8 text (JSON payloads), `None` if it is not.
    ///
    /// ```
    /// let p = ds_core::alloc::Payload::new(&[0xff], 0).unwrap();
    /// assert_eq!(p.as_str(), None);
    /// ```
    pub fn as_str(&self) -> Option<&str> {
        std::str::from_utf8(self.bytes()).ok()
    }

    /// Id of the component that attached the payload (`componentId`).
    ///
    /// ```
    /// assert_eq!(ds_core::alloc::Payload::new(b"x", 7).unwrap().component_id(), 7);
    /// ```
    pub fn component_id(&self) -> u32 {
        self.0.componentId
    }

    /// The raw C struct.
    ///
    /// ```
    /// assert_eq!(ds_core::alloc::Payload::new(b"xy", 0).unwrap().as_raw().payloadSize, 2);
    /// ```
    pub fn as_raw(&self) -> &NvDsPayload {
        &self.0
    }
}

impl fmt::Debug for PayloadRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Payload")
            .field("size", &self.bytes().len())
            .field("component_id", &self.component_id())
            .finish()
    }
}

/// An owned `NvDsPayload` with a copy of its bytes; attached as user meta
/// it has type `NVDS_PAYLOAD_META` and ds-core's copy / release functions.
///
/// ```
/// use ds_core::alloc::Payload;
/// let p = Payload::new(br#"{"sensor":"sensor-0"}"#, 1).unwrap();
/// assert_eq!(p.bytes().len(), 21);
/// let q = p.clone();
/// drop(p);
/// assert_eq!(q.as_str(), Some(r#"{"sensor":"sensor-0"}"#));
/// ```
pub struct Payload {
    raw: NonNull<NvDsPayload>,
}

// SAFETY: exclusively owned plain memory.
unsafe impl Send for Payload {}
// SAFETY: shared access only reads.
unsafe impl Sync for Payload {}

impl Payload {
    /// A payload holding a copy of `bytes`, tagged with `component_id`.
    /// Fails for more than `u32::MAX` bytes.
    ///
    /// ```
    /// let p = ds_core::alloc::Payload::new(b"", 0).unwrap();
    /// assert!(p.bytes().is_empty());
    /// ```
    pub fn new(bytes: &[u8], component_id: u32) -> Result<Payload, AllocError> {
        let size = u32::try_from(bytes.len()).map_err(|_| AllocError::TooLarge(bytes.len()))?;
        // SAFETY: NvDsPayload is valid all-zero; freed by free_raw.
        let p = unsafe { ds_sys::mem::new0::<NvDsPayload>() };
        let data = super::dup_slice(bytes);
        // SAFETY: p is freshly allocated and exclusively ours.
        unsafe {
            (*p).payload = data as *mut c_void;
            (*p).payloadSize = size;
            (*p).componentId = component_id;
        }
        Ok(Payload { raw: non_null(p) })
    }

    fn into_raw(self) -> *mut NvDsPayload {
        let p = self.raw.as_ptr();
        std::mem::forget(self);
        p
    }

    /// # Safety
    /// `p` is NULL or was built by `Payload::new` / `copy_raw`.
    unsafe fn free_raw(p: *mut NvDsPayload) {
        if p.is_null() {
            return;
        }
        // SAFETY: per contract both allocations are ours, freed once.
        unsafe {
            ds_sys::mem::free((*p).payload);
            ds_sys::mem::free(p as *mut c_void);
        }
    }

    /// # Safety
    /// `src` was built by `Payload::new` / `copy_raw`.
    unsafe fn copy_raw(src: *const NvDsPayload) -> *mut NvDsPayload {
        // SAFETY: per contract.
        let view = unsafe { &*(src as *const PayloadRef) };
        match Payload::new(view.bytes(), view.component_id()) {
            Ok(p) => p.into_raw(),
            Err(_) => std::ptr::null_mut(),
        }
    }
}

impl Clone for Payload {
    fn clone(&self) -> Self {
        // SAFETY: self.raw was built by Payload::new.
        let p = unsafe { Self::copy_raw(self.raw.as_ptr()) };
        Payload { raw: non_null(p) }
    }
}

impl Drop for Payload {
    fn drop(&mut self) {
        // SAFETY: we own it.
        unsafe { Self::free_raw(self.raw.as_ptr()) }
    }
}

impl std::ops::Deref for Payload {
    type Target = PayloadRef;
    fn deref(&self) -> &PayloadRef {
        // SAFETY: PayloadRef is repr(transparent) over the struct we own.
        unsafe { &*(self.raw.as_ptr() as *const PayloadRef) }
    }
}

impl fmt::Debug for Payload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

unsafe extern "C" fn payload_copy(data: *mut c_void, _user_data: *mut c_void) -> *mut c_void {
    let um = data as *const NvDsUserMeta;
    if um.is_null() {
        return std::ptr::null_mut();
    }
    // SAFETY: installed only with a Payload-built struct as data.
    unsafe {
        let src = (*um).user_meta_data as *const NvDsPayload;
        if src.is_null() {
            return std::ptr::null_mut();
        }
        Payload::copy_raw(src) as *mut c_void
    }
}

unsafe extern "C" fn payload_release(data: *mut c_void, _user_data: *mut c_void) {
    let um = data as *mut NvDsUserMeta;
    if um.is_null() {
        return;
    }
    // SAFETY: as in payload_copy; cleared so it is freed once.
    unsafe {
        let p = std::mem::replace(&mut (*um).user_meta_data, std::ptr::null_mut());
        Payload::free_raw(p as *mut NvDsPayload);
    }
}

// SAFETY: into_raw gives a Payload-built struct that payload_release frees
// and payload_copy deep-copies; accepts checks NVDS_PAYLOAD_META, whose
// DeepStream contract is that user_meta_data is an NvDsPayload.
unsafe impl UserMetaData for Payload {
    type Ref = PayloadRef;

    fn meta_type(&self) -> NvDsMetaType {
        NVDS_PAYLOAD_META
    }

    fn accepts(meta: &NvDsUserMeta) -> bool {
        meta.base_meta.meta_type == NVDS_PAYLOAD_META
    }

    fn into_raw(self) -> *mut c_void {
        Payload::into_raw(self) as *mut c_void
    }

    fn copy_func() -> NvDsMetaCopyFunc {
        Some(payload_copy)
    }

    fn release_func() -> NvDsMetaReleaseFunc {
        Some(payload_release)
    }
}
