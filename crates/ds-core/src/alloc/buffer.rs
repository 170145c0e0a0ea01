//! A generic byte buffer carried as user meta of an app-chosen type.
use super::{non_null, slice_field, AllocError};
use crate::meta::{UserMeta, UserMetaData};
use ds_sys::{
    NvDsMetaCopyFunc, NvDsMetaReleaseFunc, NvDsMetaType, NvDsUserMeta, NVDS_START_USER_META,
    NVDS_USER_META,
};
use std::fmt;
use std::os::raw::c_void;
use std::ptr::NonNull;

/// Size of the header in front of the bytes (keeps the data 16-aligned).
const HEADER: usize = 16;

/// The stored form of a [`UserBuffer`]: `user_meta_data` points to this
/// header, laid out for C readers as `struct { guint8 *data; gsize size; }`,
/// with the bytes following it in the same allocation.
///
/// ```
/// use ds_core::alloc::{UserBuffer, UserBufferRef};
/// let b = UserBuffer::new(ds_sys::NVDS_USER_META, &[1, 2, 3]).unwrap();
/// let view: &UserBufferRef = &b;
/// assert_eq!(view.bytes(), &[1, 2, 3]);
/// ```
#[repr(C)]
pub struct UserBufferRef {
    data: *mut u8,
    size: usize,
}

impl UserBufferRef {
    /// The buffer of `user_meta` if it is a [`UserBuffer`] tagged
    /// `meta_type`.
    ///
    /// ```no_run
    /// # fn probe(frame: &ds_core::FrameMeta, my_type: ds_sys::NvDsMetaType) {
    /// use ds_core::alloc::UserBufferRef;
    /// for um in frame.user_metas() {
    ///     if let Some(buf) = UserBufferRef::from_user_meta(um, my_type) {
    ///         println!("{} bytes", buf.len());
    ///     }
    /// }
    /// # }
    /// ```
    pub fn from_user_meta(user_meta: &UserMeta, meta_type: NvDsMetaType) -> Option<&UserBufferRef> {
        if user_meta.meta_type() != meta_type {
            return None;
        }
        user_meta.downcast::<UserBuffer>()
    }

    /// The bytes.
    ///
    /// ```
    /// let b = ds_core::alloc::UserBuffer::new(ds_sys::NVDS_USER_META, b"abc").unwrap();
    /// assert_eq!(b.bytes(), b"abc");
    /// ```
    pub fn bytes(&self) -> &[u8] {
        // SAFETY: data holds `size` bytes in the allocation this header
        // heads (built by UserBuffer), alive as long as `self`.
        unsafe { slice_field(self.data, self.size) }
    }

    /// The bytes, mutably.
    ///
    /// ```
    /// let mut b = ds_core::alloc::UserBuffer::zeroed(ds_sys::NVDS_USER_META, 2).unwrap();
    /// b.bytes_mut()[1] = 9;
    /// assert_eq!(b.bytes(), &[0, 9]);
    /// ```
    pub fn bytes_mut(&mut self) -> &mut [u8] {
        if self.data.is_null() || self.size == 0 {
            return &mut [];
        }
        // SAFETY: as in `bytes`; `&mut self` gives exclusive access and the
        // bytes do not overlap the header.
        unsafe { std::slice::from_raw_parts_mut(self.data, self.size) }
    }

    /// Number of bytes.
    ///
    /// ```
    /// assert_eq!(ds_core::alloc::UserBuffer::zeroed(ds_sys::NVDS_USER_META, 5).unwrap().len(), 5);
    /// ```
    pub fn len(&self) -> usize {
        self.size
    }

    /// Whether the buffer is empty.
    ///
    /// ```
    /// assert!(ds_core::alloc::UserBuffer::zeroed(ds_sys::NVDS_USER_META, 0).unwrap().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.size == 0
    }
}

impl fmt::Debug for UserBufferRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserBuffer")
            .field("len", &self.size)
            .finish()
    }
}

/// A byte buffer owned by a user meta of an app-chosen type (e.g. from
/// `nvds_get_user_meta_type("MY.META")`), with ds-core's copy and release
/// functions. Memory comes from [`ds_sys::mem`].
///
/// The meta type must be `NVDS_USER_META` or `>= NVDS_START_USER_META`:
/// DeepStream's own types are refused, since their readers expect their own
/// structs.
///
/// ```
/// use ds_core::alloc::{AllocError, UserBuffer};
/// let my_type = ds_sys::NVDS_START_USER_META + 5;
/// let mut b = UserBuffer::new(my_type, &[0u8; 8]).unwrap();
/// b.bytes_mut()[..4].copy_from_slice(&42u32.to_le_bytes());
/// assert_eq!(b.meta_type(), my_type);
/// assert_eq!(
///     UserBuffer::new(ds_sys::NVDS_EVENT_MSG_META, b"x").unwrap_err(),
///     AllocError::ReservedMetaType(ds_sys::NVDS_EVENT_MSG_META)
/// );
/// ```
pub struct UserBuffer {
    raw: NonNull<UserBufferRef>,
    meta_type: NvDsMetaType,
}

// SAFETY: exclusively owned plain memory.
unsafe impl Send for UserBuffer {}
// SAFETY: shared access only reads.
unsafe impl Sync for UserBuffer {}

impl UserBuffer {
    /// A buffer holding a copy of `bytes`, tagged `meta_type`.
    ///
    /// ```
    /// let b = ds_core::alloc::UserBuffer::new(ds_sys::NVDS_USER_META, &[7; 3]).unwrap();
    /// assert_eq!(b.bytes(), &[7, 7, 7]);
    /// ```
    pub fn new(meta_type: NvDsMetaType, bytes: &[u8]) -> Result<UserBuffer, AllocError> {
        let mut b = Self::zeroed(meta_type, bytes.len())?;
        b.bytes_mut().copy_from_slice(bytes);
        Ok(b)
    }

    /// A buffer of `len` zero bytes, tagged `meta_type`.
    ///
    /// ```
    /// let b = ds_core::alloc::UserBuffer::zeroed(ds_sys::NVDS_START_USER_META, 4).unwrap();
    /// assert_eq!(b.bytes(), &[0; 4]);
    /// ```
    pub fn zeroed(meta_type: NvDsMetaType, len: usize) -> Result<UserBuffer, AllocError> {
        if meta_type != NVDS_USER_META && meta_type < NVDS_START_USER_META {
            return Err(AllocError::ReservedMetaType(meta_type));
        }
        let total = len
            .checked_add(HEADER)
            .filter(|&t| t <= isize::MAX as usize)
            .ok_or(AllocError::TooLarge(len))?;
        // SAFETY: total >= HEADER > 0; zeroed, 16-aligned; freed by free_raw.
        let base = unsafe { ds_sys::mem::malloc0(total) } as *mut u8;
        let header = non_null(base as *mut UserBufferRef);
        // SAFETY: base holds HEADER + len bytes; the header fits in the
        // first HEADER bytes and the data starts right after them.
        unsafe {
            header.as_ptr().write(UserBufferRef {
                data: base.add(HEADER),
                size: len,
            });
        }
        Ok(UserBuffer {
            raw: header,
            meta_type,
        })
    }

    /// The meta type the user meta will be tagged with.
    ///
    /// ```
    /// let b = ds_core::alloc::UserBuffer::zeroed(ds_sys::NVDS_USER_META, 1).unwrap();
    /// assert_eq!(b.meta_type(), ds_sys::NVDS_USER_META);
    /// ```
    pub fn meta_type(&self) -> NvDsMetaType {
        self.meta_type
    }

    /// # Safety
    /// `p` is NULL or a header built by `zeroed`; not used afterwards.
    unsafe fn free_raw(p: *mut UserBufferRef) {
        // SAFETY: the header is the start of the single allocation.
        unsafe { ds_sys::mem::free(p as *mut c_void) }
    }
}

impl Clone for UserBuffer {
    fn clone(&self) -> Self {
        match UserBuffer::new(self.meta_type, self.bytes()) {
            Ok(b) => b,
            // Same type and size as an existing buffer: cannot fail.
            Err(_) => unreachable!("cloning a valid UserBuffer"),
        }
    }
}

impl Drop for UserBuffer {
    fn drop(&mut self) {
        // SAFETY: we own the allocation.
        unsafe { Self::free_raw(self.raw.as_ptr()) }
    }
}

impl std::ops::Deref for UserBuffer {
    type Target = UserBufferRef;
    fn deref(&self) -> &UserBufferRef {
        // SAFETY: the header we own, valid as long as `self`.
        unsafe { self.raw.as_ref() }
    }
}

impl std::ops::DerefMut for UserBuffer {
    fn deref_mut(&mut self) -> &mut UserBufferRef {
        // SAFETY: as in deref; `&mut self` gives exclusive access.
        unsafe { self.raw.as_mut() }
    }
}

impl fmt::Debug for UserBuffer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserBuffer")
            .field("meta_type", &self.meta_type)
            .field("len", &self.len())
            .finish()
    }
}

unsafe extern "C" fn user_buffer_copy(data: *mut c_void, _user_data: *mut c_void) -> *mut c_void {
    let um = data as *const NvDsUserMeta;
    if um.is_null() {
        return std::ptr::null_mut();
    }
    // SAFETY: installed only with a UserBuffer header as data.
    unsafe {
        let src = (*um).user_meta_data as *const UserBufferRef;
        if src.is_null() {
            return std::ptr::null_mut();
        }
        match UserBuffer::new(NVDS_USER_META, (*src).bytes()) {
            Ok(b) => {
                let p = b.raw.as_ptr();
                std::mem::forget(b);
                p as *mut c_void
            }
            Err(_) => std::ptr::null_mut(),
        }
    }
}

unsafe extern "C" fn user_buffer_release(data: *mut c_void, _user_data: *mut c_void) {
    let um = data as *mut NvDsUserMeta;
    if um.is_null() {
        return;
    }
    // SAFETY: as in user_buffer_copy; cleared so it is freed once.
    unsafe {
        let p = std::mem::replace(&mut (*um).user_meta_data, std::ptr::null_mut());
        UserBuffer::free_raw(p as *mut UserBufferRef);
    }
}

/// The one pointer value of `user_buffer_release` that is stored in user
/// metas and compared against.
static RELEASE: unsafe extern "C" fn(*mut c_void, *mut c_void) = user_buffer_release;

// SAFETY: into_raw gives a header built by UserBuffer::zeroed that
// user_buffer_release frees and user_buffer_copy deep-copies; accepts checks
// that the user meta's release function is user_buffer_release, which is
// installed only together with such a header.
unsafe impl UserMetaData for UserBuffer {
    type Ref = UserBufferRef;

    fn meta_type(&self) -> NvDsMetaType {
        self.meta_type
    }

    fn accepts(meta: &NvDsUserMeta) -> bool {
        // Compared through one stored pointer value: reifying the function
        // twice may give two addresses (Miri does this on purpose).
        meta.base_meta.release_func.map(|f| f as usize) == Some(RELEASE as usize)
    }

    fn into_raw(self) -> *mut c_void {
        let p = self.raw.as_ptr();
        std::mem::forget(self);
        p as *mut c_void
    }

    fn copy_func() -> NvDsMetaCopyFunc {
        Some(user_buffer_copy)
    }

    fn release_func() -> NvDsMetaReleaseFunc {
        Some(RELEASE)
    }
}
