//! Owned allocators for DeepStream's message-schema structs, whose ownership
//! moves into user meta.
//!
//! | C struct             | owned handle       | borrowed view (downcast)   |
//! |----------------------|--------------------|----------------------------|
//! | `NvDsEventMsgMeta`   | [`EventMsgMeta`]   | [`EventMsgMetaRef`]        |
//! | `NvDsVehicleObject`  | [`VehicleObject`]  | [`VehicleObjectRef`]       |
//! | `NvDsPersonObject`   | [`PersonObject`]   | [`PersonObjectRef`]        |
//! | `NvDsFaceObject`     | [`FaceObject`]     | [`FaceObjectRef`]          |
//! | `NvDsEvent`          | [`Event`]          | —                          |
//! | `NvDsPayload`        | [`Payload`]        | [`PayloadRef`]             |
//! | bytes of an app type | [`UserBuffer`]     | [`UserBufferRef`]          |
//!
//! Every allocation (structs and strings) comes from [`ds_sys::mem`], the
//! allocator DeepStream's C side frees with `g_free`. An owned handle frees
//! everything when dropped; attached as user meta (through
//! [`UserMetaData`](crate::UserMetaData)), ownership moves into the meta and
//! ds-core's copy function deep-copies it on buffer copies while its release
//! function frees it — apps write neither (unlike pyds's `meta_copy_func` /
//! `meta_free_func` of deepstream-test4).
//!
//! The event message of deepstream-test4, in Rust:
//!
//! ```
//! use ds_core::alloc::{EventMsgMeta, VehicleObject};
//!
//! let mut msg = EventMsgMeta::new();
//! msg.set_sensor_id(0);
//! msg.set_sensor_str("sensor-0");
//! msg.set_ts_now().unwrap();
//! msg.set_event_type(ds_sys::NVDS_EVENT_MOVING);
//! msg.set_obj_class_id(0);
//! msg.set_vehicle(
//!     VehicleObject::new()
//!         .with_type("sedan")
//!         .with_color("blue")
//!         .with_make("Bugatti")
//!         .with_model("M")
//!         .with_license("XX1234")
//!         .with_region("CA"),
//! );
//! assert_eq!(msg.obj_type(), ds_sys::NVDS_OBJECT_TYPE_VEHICLE);
//! assert_eq!(msg.vehicle().unwrap().make(), Some("Bugatti"));
//! // `frame.add_user_meta(msg)` moves it into a frame's user meta.
//! ```
use std::ffi::CStr;
use std::fmt;
use std::os::raw::{c_char, c_void};

mod buffer;
mod event;
mod event_msg;
mod objects;
mod payload;

pub use buffer::{UserBuffer, UserBufferRef};
pub use ds_sys::{
    NvDsCoordinate as Coordinate, NvDsGeoLocation as GeoLocation, NvDsJoint as Joint,
    NvDsRect as Rect,
};
pub use event::Event;
pub use event_msg::{EventMsgMeta, EventMsgMetaRef, ExtObject, ExtObjectRef};
pub use objects::{
    FaceObject, FaceObjectRef, PersonObject, PersonObjectRef, VehicleObject, VehicleObjectRef,
};
pub use payload::{Payload, PayloadRef};

/// Why an allocator call was refused.
///
/// ```
/// use ds_core::alloc::{AllocError, EventMsgMeta, PersonObject};
/// let mut msg = EventMsgMeta::new();
/// msg.set_person(PersonObject::new());
/// // The object type is pinned to the attached object's kind.
/// assert!(matches!(
///     msg.set_obj_type(ds_sys::NVDS_OBJECT_TYPE_FACE),
///     Err(AllocError::ObjTypeLocked { .. })
/// ));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AllocError {
    /// `objType` cannot change while an object of another kind is attached
    /// (`extMsg`): readers pick the struct type from `objType`.
    ObjTypeLocked {
        /// The current `objType`.
        current: ds_sys::NvDsObjectType,
        /// The refused value.
        requested: ds_sys::NvDsObjectType,
    },
    /// A length does not fit DeepStream's 32-bit size field.
    TooLarge(usize),
    /// The meta type is reserved for DeepStream's own metas; use
    /// `NVDS_USER_META` or a type from `nvds_get_user_meta_type`
    /// (`>= NVDS_START_USER_META`).
    ReservedMetaType(ds_sys::NvDsMetaType),
}

impl fmt::Display for AllocError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AllocError::ObjTypeLocked { current, requested } => write!(
                f,
                "cannot change objType from {current} to {requested} while an object of type \
                 {current} is attached"
            ),
            AllocError::TooLarge(n) => write!(f, "length {n} does not fit a 32-bit size"),
            AllocError::ReservedMetaType(t) => write!(
                f,
                "meta type {t} is reserved; use NVDS_USER_META or a type from \
                 nvds_get_user_meta_type"
            ),
        }
    }
}

impl std::error::Error for AllocError {}

/// Reads a C string field.
///
/// # Safety
/// `p` is NULL or a NUL-terminated string valid for `'a`.
pub(crate) unsafe fn cstr_field<'a>(p: *const c_char) -> Option<&'a CStr> {
    if p.is_null() {
        None
    } else {
        // SAFETY: per contract.
        Some(unsafe { CStr::from_ptr(p) })
    }
}

/// Replaces a C string field: frees the old value, stores a copy of `value`
/// (or NULL).
///
/// # Safety
/// `*field` is NULL or a string from `ds_sys::mem` (DeepStream's
/// `g_malloc` convention) owned by the struct.
pub(crate) unsafe fn replace_str(field: &mut *mut c_char, value: Option<&str>) {
    let new = value.map_or(std::ptr::null_mut(), ds_sys::mem::strdup_str);
    let old = std::mem::replace(field, new);
    // SAFETY: per contract, old is owned and from ds_sys::mem.
    unsafe { ds_sys::mem::free(old as *mut c_void) };
}

/// Allocates a copy of `items` with `ds_sys::mem` (NULL when empty).
pub(crate) fn dup_slice<T: Copy>(items: &[T]) -> *mut T {
    if items.is_empty() {
        return std::ptr::null_mut();
    }
    let bytes = std::mem::size_of_val(items);
    // SAFETY: bytes > 0 (T is not zero-sized for the types used here, and
    // the slice is non-empty); malloc0 aligns to 16, enough for f32/f64 and
    // the schema structs.
    let p = unsafe { ds_sys::mem::malloc0(bytes) } as *mut T;
    // SAFETY: p holds room for items.len() elements; no overlap.
    unsafe { std::ptr::copy_nonoverlapping(items.as_ptr(), p, items.len()) };
    p
}

/// Views `n` elements at `p` (empty for NULL).
///
/// # Safety
/// A non-NULL `p` points to `n` initialised, aligned elements valid for `'a`.
pub(crate) unsafe fn slice_field<'a, T>(p: *const T, n: usize) -> &'a [T] {
    if p.is_null() || n == 0 {
        &[]
    } else {
        // SAFETY: per contract.
        unsafe { std::slice::from_raw_parts(p, n) }
    }
}

/// Generates `get` / `get_c` / `set` / `clear` for a C string field of a
/// `#[repr(transparent)]` view type.
macro_rules! str_accessors {
    ($field:ident, $get:ident, $get_c:ident, $set:ident, $clear:ident, $what:literal, $make:literal) => {
        #[doc = concat!("The ", $what, " (`", stringify!($field), "`), `None` when unset or not UTF-8.")]
        ///
        /// ```
        #[doc = concat!("let mut v = ", $make, ";")]
        #[doc = concat!("assert_eq!(v.", stringify!($get), "(), None);")]
        #[doc = concat!("v.", stringify!($set), "(\"abc\");")]
        #[doc = concat!("assert_eq!(v.", stringify!($get), "(), Some(\"abc\"));")]
        /// ```
        pub fn $get(&self) -> Option<&str> {
            self.$get_c().and_then(|c| c.to_str().ok())
        }

        #[doc = concat!("The ", $what, " (`", stringify!($field), "`) as a C string.")]
        ///
        /// ```
        #[doc = concat!("let mut v = ", $make, ";")]
        #[doc = concat!("v.", stringify!($set), "(\"abc\");")]
        #[doc = concat!("assert_eq!(v.", stringify!($get_c), "(), Some(c\"abc\"));")]
        /// ```
        pub fn $get_c(&self) -> Option<&std::ffi::CStr> {
            // SAFETY: the field is NULL or a NUL-terminated string owned by
            // the struct, alive as long as `self`.
            unsafe { $crate::alloc::cstr_field(self.0.$field) }
        }

        #[doc = concat!("Sets the ", $what, " (`", stringify!($field), "`): stores a copy and frees the old value. An interior NUL ends the string.")]
        ///
        /// ```
        #[doc = concat!("let mut v = ", $make, ";")]
        #[doc = concat!("v.", stringify!($set), "(\"one\");")]
        #[doc = concat!("v.", stringify!($set), "(\"two\");")]
        #[doc = concat!("assert_eq!(v.", stringify!($get), "(), Some(\"two\"));")]
        /// ```
        pub fn $set(&mut self, value: &str) {
            // SAFETY: the field is NULL or owned and from ds_sys::mem
            // (DeepStream convention, upheld by every setter here).
            unsafe { $crate::alloc::replace_str(&mut self.0.$field, Some(value)) }
        }

        #[doc = concat!("Frees the ", $what, " (`", stringify!($field), "`) and sets it to NULL.")]
        ///
        /// ```
        #[doc = concat!("let mut v = ", $make, ";")]
        #[doc = concat!("v.", stringify!($set), "(\"abc\");")]
        #[doc = concat!("v.", stringify!($clear), "();")]
        #[doc = concat!("assert_eq!(v.", stringify!($get), "(), None);")]
        /// ```
        pub fn $clear(&mut self) {
            // SAFETY: as in the setter.
            unsafe { $crate::alloc::replace_str(&mut self.0.$field, None) }
        }
    };
}
pub(crate) use str_accessors;

/// Generates a getter and a setter for a plain (`Copy`) field.
macro_rules! scalar_accessors {
    ($field:ident, $ty:ty, $get:ident, $set:ident, $what:literal, $make:literal, $example:literal) => {
        #[doc = concat!("The ", $what, " (`", stringify!($field), "`).")]
        ///
        /// ```
        #[doc = concat!("let mut v = ", $make, ";")]
        #[doc = concat!("v.", stringify!($set), "(", $example, ");")]
        #[doc = concat!("assert_eq!(v.", stringify!($get), "(), ", $example, ");")]
        /// ```
        pub fn $get(&self) -> $ty {
            self.0.$field
        }

        #[doc = concat!("Sets the ", $what, " (`", stringify!($field), "`).")]
        ///
        /// ```
        #[doc = concat!("let mut v = ", $make, ";")]
        #[doc = concat!("v.", stringify!($set), "(", $example, ");")]
        #[doc = concat!("assert_eq!(v.", stringify!($get), "(), ", $example, ");")]
        /// ```
        pub fn $set(&mut self, value: $ty) {
            self.0.$field = value;
        }
    };
}
pub(crate) use scalar_accessors;

/// A pointer from `ds_sys::mem` as `NonNull` (allocation failure aborts, as
/// `g_malloc` does).
pub(crate) fn non_null<T>(p: *mut T) -> std::ptr::NonNull<T> {
    match std::ptr::NonNull::new(p) {
        Some(p) => p,
        None => std::alloc::handle_alloc_error(std::alloc::Layout::new::<T>()),
    }
}
