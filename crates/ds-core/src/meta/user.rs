//! User metadata (`NvDsUserMeta`) and the contract for typed user data.
use super::{opaque_wrapper, Opaque};
use ds_sys::{NvDsMetaCopyFunc, NvDsMetaReleaseFunc, NvDsMetaType, NvDsUserMeta};
use std::any::TypeId;
use std::ops::{Deref, DerefMut};
use std::os::raw::c_void;

/// The `NvDsMetaType` values apps meet, under short names (the type itself
/// is [`NvDsMetaType`](crate::NvDsMetaType), a plain `i32`).
///
/// ```
/// use ds_core::meta_type;
/// assert_eq!(meta_type::EVENT_MSG, ds_sys::NVDS_EVENT_MSG_META);
/// assert!(meta_type::START_USER > meta_type::GST_CUSTOM);
/// ```
pub mod meta_type {
    use ds_sys::NvDsMetaType;
    /// `NVDS_INVALID_META`.
    pub const INVALID: NvDsMetaType = ds_sys::NVDS_INVALID_META;
    /// `NVDS_USER_META`: generic user meta.
    pub const USER: NvDsMetaType = ds_sys::NVDS_USER_META;
    /// `NVDS_PAYLOAD_META`: a message payload (nvmsgconv).
    pub const PAYLOAD: NvDsMetaType = ds_sys::NVDS_PAYLOAD_META;
    /// `NVDS_EVENT_MSG_META`: an `NvDsEventMsgMeta` (test4).
    pub const EVENT_MSG: NvDsMetaType = ds_sys::NVDS_EVENT_MSG_META;
    /// `NVDS_LATENCY_MEASUREMENT_META`.
    pub const LATENCY_MEASUREMENT: NvDsMetaType = ds_sys::NVDS_LATENCY_MEASUREMENT_META;
    /// `NVDSINFER_TENSOR_OUTPUT_META`: nvinfer's raw output tensors.
    pub const TENSOR_OUTPUT: NvDsMetaType = ds_sys::NVDSINFER_TENSOR_OUTPUT_META;
    /// `NVDSINFER_SEGMENTATION_META`.
    pub const SEGMENTATION: NvDsMetaType = ds_sys::NVDSINFER_SEGMENTATION_META;
    /// `NVDS_TRACKER_PAST_FRAME_META`.
    pub const TRACKER_PAST_FRAME: NvDsMetaType = ds_sys::NVDS_TRACKER_PAST_FRAME_META;
    /// `NVDS_GST_CUSTOM_META`: start of the GStreamer-defined range.
    pub const GST_CUSTOM: NvDsMetaType = ds_sys::NVDS_GST_CUSTOM_META;
    /// `NVDS_START_USER_META`: first value free for applications.
    pub const START_USER: NvDsMetaType = ds_sys::NVDS_START_USER_META;

    /// The type of [`UserData`](crate::UserData) metas, registered with
    /// `nvds_get_user_meta_type("DS_CORE.RUST.USER_DATA")` on first use.
    ///
    /// ```
    /// let t = ds_core::meta_type::rust_user_data();
    /// assert!(t >= ds_core::meta_type::START_USER);
    /// assert_eq!(t, ds_core::meta_type::rust_user_data());
    /// ```
    pub fn rust_user_data() -> NvDsMetaType {
        static TYPE: std::sync::OnceLock<NvDsMetaType> = std::sync::OnceLock::new();
        *TYPE.get_or_init(|| {
            // SAFETY: a NUL-terminated descriptor; the function only reads it.
            unsafe {
                ds_sys::nvds_get_user_meta_type(
                    c"DS_CORE.RUST.USER_DATA".as_ptr() as *mut std::os::raw::c_char
                )
            }
        })
    }
}

/// A user meta attached to a batch, frame or object (transparent over
/// `NvDsUserMeta`). Obtain it as `&UserMeta` from an iterator such as
/// [`FrameMeta::user_metas`](crate::FrameMeta::user_metas), or from
/// `add_user_meta`.
///
/// Its data is typed through [`UserMetaData`]: [`downcast`](Self::downcast)
/// returns the data only when it holds that type.
#[repr(transparent)]
pub struct UserMeta(pub(crate) Opaque<NvDsUserMeta>);

opaque_wrapper!(
    UserMeta,
    NvDsUserMeta,
    "let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();\n\
     let meta = batch.new_frame().unwrap().add_user_meta(ds_core::UserData::new(1u8)).unwrap();"
);

impl UserMeta {
    /// The meta type (`base_meta.meta_type`).
    ///
    /// ```
    /// # let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
    /// # let frame = batch.new_frame().unwrap();
    /// let um = frame.add_user_meta(ds_core::UserData::new("hi")).unwrap();
    /// assert_eq!(um.meta_type(), ds_core::meta_type::rust_user_data());
    /// ```
    pub fn meta_type(&self) -> NvDsMetaType {
        self.raw().base_meta.meta_type
    }

    /// The typed data of this user meta, if it holds a `T`.
    ///
    /// ```
    /// use ds_core::UserData;
    /// # let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
    /// # let frame = batch.new_frame().unwrap();
    /// frame.add_user_meta(UserData::new(7u32)).unwrap();
    /// let um = frame.user_metas().next().unwrap();
    /// assert_eq!(um.downcast::<UserData<u32>>().map(|d| **d), Some(7));
    /// assert!(um.downcast::<UserData<i32>>().is_none());
    /// ```
    pub fn downcast<T: UserMetaData>(&self) -> Option<&T::Ref> {
        let raw = self.raw();
        if raw.user_meta_data.is_null() || !T::accepts(raw) {
            return None;
        }
        // SAFETY: `T::accepts` guarantees (trait contract) that
        // user_meta_data points to a valid `T::Ref`, which lives as long as
        // this user meta.
        Some(unsafe { &*(raw.user_meta_data as *const T::Ref) })
    }

    /// Mutable typed data of this user meta, if it holds a `T`.
    ///
    /// ```
    /// use ds_core::UserData;
    /// # let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
    /// # let frame = batch.new_frame().unwrap();
    /// let um = frame.add_user_meta(UserData::new(vec![1, 2])).unwrap();
    /// um.downcast_mut::<UserData<Vec<i32>>>().unwrap().push(3);
    /// assert_eq!(**um.downcast::<UserData<Vec<i32>>>().unwrap(), [1, 2, 3]);
    /// ```
    pub fn downcast_mut<T: UserMetaData>(&mut self) -> Option<&mut T::Ref> {
        let raw = self.raw();
        if raw.user_meta_data.is_null() || !T::accepts(raw) {
            return None;
        }
        let data = raw.user_meta_data;
        // SAFETY: as in `downcast`; `&mut self` gives exclusive access.
        Some(unsafe { &mut *(data as *mut T::Ref) })
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

/// Acquires a user meta from `batch`'s pool and fills it with `data`.
/// The caller adds it to a list (under the lock it holds).
///
/// # Safety
/// `batch` is live and locked by the caller.
pub(crate) unsafe fn acquire_filled<T: UserMetaData>(
    batch: *mut ds_sys::NvDsBatchMeta,
    data: T,
) -> Result<*mut NvDsUserMeta, super::MetaError> {
    // SAFETY: per contract.
    let um = unsafe { ds_sys::nvds_acquire_user_meta_from_pool(batch) };
    if um.is_null() {
        return Err(super::MetaError::PoolExhausted { what: "user" });
    }
    // SAFETY: freshly acquired, holds no data yet.
    unsafe { fill_user_meta(um, data) };
    Ok(um)
}

/// Any Rust value as user meta, with no `unsafe` on the app side.
///
/// The value is boxed together with its type's identity; ds-core's copy and
/// release functions clone and drop it, so a buffer copy deep-copies it and
/// each copy is dropped exactly once. Read it back with
/// `user_meta.downcast::<UserData<T>>()`, which is `Some` only for the same
/// `T` (the check compares [`TypeId`]s). `T::clone` must not panic (the
/// copy runs inside a C callback; a panic there aborts).
///
/// ```
/// use ds_core::{OwnedBatchMeta, UserData};
/// #[derive(Clone, Debug, PartialEq)]
/// struct Track { id: u64, history: Vec<(f32, f32)> }
///
/// let mut batch = OwnedBatchMeta::new(1).unwrap();
/// let frame = batch.new_frame().unwrap();
/// frame.add_user_meta(UserData::new(Track { id: 3, history: vec![(1.0, 2.0)] })).unwrap();
/// let um = frame.user_metas().next().unwrap();
/// assert_eq!(um.downcast::<UserData<Track>>().unwrap().id, 3);
/// ```
pub struct UserData<T: Clone + Send + Sync + 'static> {
    value: T,
}

impl<T: Clone + Send + Sync + 'static> UserData<T> {
    /// Wraps `value`. The user meta is tagged
    /// [`meta_type::rust_user_data()`].
    ///
    /// ```
    /// let d = ds_core::UserData::new(5i64);
    /// assert_eq!(d.into_inner(), 5);
    /// ```
    pub fn new(value: T) -> Self {
        UserData { value }
    }

    /// Unwraps the value.
    ///
    /// ```
    /// assert_eq!(ds_core::UserData::new("x").into_inner(), "x");
    /// ```
    pub fn into_inner(self) -> T {
        self.value
    }
}

const USER_DATA_MAGIC: u64 = 0x5255_5354_5553_4552; // "RUSTUSER"

struct VTable {
    type_id: fn() -> TypeId,
    clone: unsafe fn(*const c_void) -> *mut c_void,
    drop: unsafe fn(*mut c_void),
}

/// The stored form of [`UserData<T>`]: dereferences to the `T`.
///
/// ```
/// use ds_core::{OwnedBatchMeta, UserData, UserDataRef};
/// let mut batch = OwnedBatchMeta::new(1).unwrap();
/// batch.add_user_meta(UserData::new(String::from("hello"))).unwrap();
/// let data: &UserDataRef<String> = batch.user_metas().next().unwrap().downcast::<UserData<String>>().unwrap();
/// assert_eq!(data.len(), 5);
/// ```
#[repr(C)]
pub struct UserDataRef<T> {
    magic: u64,
    vtable: &'static VTable,
    value: T,
}

impl<T> Deref for UserDataRef<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T> DerefMut for UserDataRef<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.value
    }
}

/// The header every [`UserDataRef`] starts with.
#[repr(C)]
struct Header {
    magic: u64,
    vtable: &'static VTable,
}

trait HasVTable {
    const VTABLE: VTable;
}

impl<T: Clone + Send + Sync + 'static> HasVTable for T {
    const VTABLE: VTable = VTable {
        type_id: TypeId::of::<T>,
        clone: clone_holder::<T>,
        drop: drop_holder::<T>,
    };
}

/// # Safety
/// `p` points to a live `UserDataRef<T>`.
unsafe fn clone_holder<T: Clone + Send + Sync + 'static>(p: *const c_void) -> *mut c_void {
    // SAFETY: per contract.
    let src = unsafe { &*(p as *const UserDataRef<T>) };
    Box::into_raw(Box::new(UserDataRef {
        magic: USER_DATA_MAGIC,
        vtable: src.vtable,
        value: src.value.clone(),
    })) as *mut c_void
}

/// # Safety
/// `p` came from `Box::<UserDataRef<T>>::into_raw` and is dropped once.
unsafe fn drop_holder<T>(p: *mut c_void) {
    // SAFETY: per contract.
    drop(unsafe { Box::from_raw(p as *mut UserDataRef<T>) });
}

/// `copy_func` of every [`UserData`]: deep-copies through the vtable.
unsafe extern "C" fn user_data_copy(data: *mut c_void, _user_data: *mut c_void) -> *mut c_void {
    let um = data as *const NvDsUserMeta;
    if um.is_null() {
        return std::ptr::null_mut();
    }
    // SAFETY: DeepStream passes the source NvDsUserMeta, whose data is a
    // UserDataRef (this function is only installed by UserData).
    unsafe {
        let p = (*um).user_meta_data;
        if p.is_null() {
            return std::ptr::null_mut();
        }
        let header = &*(p as *const Header);
        (header.vtable.clone)(p)
    }
}

/// `release_func` of every [`UserData`]: drops through the vtable.
unsafe extern "C" fn user_data_release(data: *mut c_void, _user_data: *mut c_void) {
    let um = data as *mut NvDsUserMeta;
    if um.is_null() {
        return;
    }
    // SAFETY: as in `user_data_copy`; the pointer is cleared so it is
    // dropped once.
    unsafe {
        let p = (*um).user_meta_data;
        if p.is_null() {
            return;
        }
        (*um).user_meta_data = std::ptr::null_mut();
        let header = &*(p as *const Header);
        (header.vtable.drop)(p);
    }
}

// SAFETY: into_raw returns a Box<UserDataRef<T>> that user_data_release
// drops and user_data_copy clones (both receive the NvDsUserMeta*);
// accepts checks ds-core's registered meta type, the magic header, and the
// TypeId of T, so user_meta_data is a UserDataRef<T>.
unsafe impl<T: Clone + Send + Sync + 'static> UserMetaData for UserData<T> {
    type Ref = UserDataRef<T>;

    fn meta_type(&self) -> NvDsMetaType {
        meta_type::rust_user_data()
    }

    fn accepts(meta: &NvDsUserMeta) -> bool {
        // The meta type is registered under ds-core's own descriptor, so only
        // UserData metas carry it (function pointer identity is not usable:
        // addresses of one function may differ).
        let t = meta_type::rust_user_data();
        if t == meta_type::INVALID || meta.base_meta.meta_type != t || meta.user_meta_data.is_null()
        {
            return false;
        }
        // SAFETY: metas of this type are made only by UserData, whose data
        // is a UserDataRef, which starts with a Header.
        let header = unsafe { &*(meta.user_meta_data as *const Header) };
        header.magic == USER_DATA_MAGIC && (header.vtable.type_id)() == TypeId::of::<T>()
    }

    fn into_raw(self) -> *mut c_void {
        Box::into_raw(Box::new(UserDataRef {
            magic: USER_DATA_MAGIC,
            vtable: &<T as HasVTable>::VTABLE,
            value: self.value,
        })) as *mut c_void
    }

    fn copy_func() -> NvDsMetaCopyFunc {
        Some(user_data_copy)
    }

    fn release_func() -> NvDsMetaReleaseFunc {
        Some(user_data_release)
    }
}
