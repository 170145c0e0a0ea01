//! Vehicle, person and face objects (`extMsg` of an event message).
use super::{replace_str, scalar_accessors, str_accessors};
use ds_sys::{NvDsFaceObject, NvDsPersonObject, NvDsVehicleObject};
use std::fmt;
use std::os::raw::c_void;
use std::ptr::NonNull;

/// Defines an owned handle and its borrowed view for a schema struct made
/// of C strings (plus plain fields copied bitwise).
macro_rules! schema_object {
    (
        $(#[$odoc:meta])* owned $owned:ident,
        $(#[$rdoc:meta])* view $view:ident,
        raw $raw:ty,
        make $make:literal,
        strings [$(($field:ident, $get:ident, $get_c:ident, $set:ident, $clear:ident, $with:ident, $what:literal)),* $(,)?]
    ) => {
        $(#[$rdoc])*
        #[repr(transparent)]
        pub struct $view(pub(crate) $raw);

        impl $view {
            #[doc = concat!("The raw `", stringify!($raw), "`.")]
            ///
            /// ```
            #[doc = concat!("let v = ", $make, ";")]
            #[doc = "assert!(std::mem::size_of_val(v.as_raw()) > 0);"]
            /// ```
            pub fn as_raw(&self) -> &$raw {
                &self.0
            }

            $( str_accessors!($field, $get, $get_c, $set, $clear, $what, $make); )*
        }

        impl fmt::Debug for $view {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($owned))
                    $( .field(stringify!($get), &self.$get_c()) )*
                    .finish()
            }
        }

        $(#[$odoc])*
        pub struct $owned {
            raw: NonNull<$raw>,
        }

        // SAFETY: the handle exclusively owns its allocations (plain memory,
        // no thread affinity).
        unsafe impl Send for $owned {}
        // SAFETY: shared access only reads.
        unsafe impl Sync for $owned {}

        impl $owned {
            #[doc = concat!("A new, all-empty `", stringify!($raw), "` (strings NULL, numbers 0).")]
            ///
            /// ```
            #[doc = concat!("let v = ", $make, ";")]
            #[doc = concat!("assert!(format!(\"{v:?}\").contains(\"", stringify!($owned), "\"));")]
            /// ```
            pub fn new() -> Self {
                // SAFETY: the struct is valid all-zero (NULL strings, zero
                // numbers); freed by free_raw.
                let p = unsafe { ds_sys::mem::new0::<$raw>() };
                Self { raw: super::non_null(p) }
            }

            $(
                #[doc = concat!("Builder form of `", stringify!($set), "`.")]
                ///
                /// ```
                #[doc = concat!("let v = ", $make, ".", stringify!($with), "(\"x\");")]
                #[doc = concat!("assert_eq!(v.", stringify!($get), "(), Some(\"x\"));")]
                /// ```
                pub fn $with(mut self, value: &str) -> Self {
                    self.$set(value);
                    self
                }
            )*

            /// Gives up ownership of the C struct.
            pub(crate) fn into_raw(self) -> *mut $raw {
                let p = self.raw.as_ptr();
                std::mem::forget(self);
                p
            }

            /// Takes ownership of a C struct.
            ///
            /// # Safety
            /// `p` is a valid struct whose strings and the struct itself
            /// come from `ds_sys::mem` and are owned by nobody else.
            pub(crate) unsafe fn from_raw(p: *mut $raw) -> Self {
                Self { raw: super::non_null(p) }
            }

            /// Frees the strings and the struct.
            ///
            /// # Safety
            /// As for `from_raw`; `p` is not used afterwards. NULL is a no-op.
            pub(crate) unsafe fn free_raw(p: *mut $raw) {
                if p.is_null() {
                    return;
                }
                // SAFETY: per contract; each string is freed once.
                unsafe {
                    $( replace_str(&mut (*p).$field, None); )*
                    ds_sys::mem::free(p as *mut c_void);
                }
            }

            /// A deep copy (strings duplicated, other fields bitwise).
            ///
            /// # Safety
            /// `src` is a valid struct whose strings are NULL or
            /// NUL-terminated.
            pub(crate) unsafe fn copy_raw(src: *const $raw) -> *mut $raw {
                // SAFETY: freshly allocated; src valid per contract.
                unsafe {
                    let dst = ds_sys::mem::new0::<$raw>();
                    std::ptr::copy_nonoverlapping(src, dst, 1);
                    $( (*dst).$field = ds_sys::mem::strdup((*src).$field); )*
                    dst
                }
            }
        }

        impl Default for $owned {
            fn default() -> Self {
                Self::new()
            }
        }

        impl Clone for $owned {
            fn clone(&self) -> Self {
                // SAFETY: self.raw is a valid struct we own.
                let p = unsafe { Self::copy_raw(self.raw.as_ptr()) };
                Self { raw: super::non_null(p) }
            }
        }

        impl Drop for $owned {
            fn drop(&mut self) {
                // SAFETY: we own the struct and its strings.
                unsafe { Self::free_raw(self.raw.as_ptr()) }
            }
        }

        impl std::ops::Deref for $owned {
            type Target = $view;
            fn deref(&self) -> &$view {
                // SAFETY: the view is repr(transparent) over the struct we
                // own; the borrow is tied to `self`.
                unsafe { &*(self.raw.as_ptr() as *const $view) }
            }
        }

        impl std::ops::DerefMut for $owned {
            fn deref_mut(&mut self) -> &mut $view {
                // SAFETY: as in deref; `&mut self` gives exclusive access.
                unsafe { &mut *(self.raw.as_ptr() as *mut $view) }
            }
        }

        impl fmt::Debug for $owned {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(&**self, f)
            }
        }
    };
}

schema_object! {
    /// An owned `NvDsVehicleObject` (type, make, model, color, region,
    /// license). Attach it to an event message with
    /// [`EventMsgMeta::set_vehicle`](super::EventMsgMeta::set_vehicle);
    /// dropped unattached, it frees its strings.
    ///
    /// ```
    /// use ds_core::alloc::VehicleObject;
    /// let v = VehicleObject::new().with_type("sedan").with_color("blue");
    /// assert_eq!((v.type_(), v.color()), (Some("sedan"), Some("blue")));
    /// let copy = v.clone();
    /// drop(v);
    /// assert_eq!(copy.type_(), Some("sedan"));
    /// ```
    owned VehicleObject,
    /// Borrowed view of an `NvDsVehicleObject` (from
    /// [`EventMsgMetaRef::vehicle`](super::EventMsgMetaRef::vehicle) or a
    /// [`VehicleObject`]).
    ///
    /// ```
    /// use ds_core::alloc::{VehicleObject, VehicleObjectRef};
    /// let v = VehicleObject::new().with_license("XX1234");
    /// let r: &VehicleObjectRef = &v;
    /// assert_eq!(r.license(), Some("XX1234"));
    /// ```
    view VehicleObjectRef,
    raw NvDsVehicleObject,
    make "ds_core::alloc::VehicleObject::new()",
    strings [
        (type_, type_, type_c, set_type, clear_type, with_type, "vehicle type"),
        (make, make, make_c, set_make, clear_make, with_make, "make"),
        (model, model, model_c, set_model, clear_model, with_model, "model"),
        (color, color, color_c, set_color, clear_color, with_color, "colour"),
        (region, region, region_c, set_region, clear_region, with_region, "region"),
        (license, license, license_c, set_license, clear_license, with_license, "licence plate"),
    ]
}

schema_object! {
    /// An owned `NvDsPersonObject` (gender, hair, cap, apparel, age).
    /// Attach it to an event message with
    /// [`EventMsgMeta::set_person`](super::EventMsgMeta::set_person).
    ///
    /// ```
    /// use ds_core::alloc::PersonObject;
    /// let p = PersonObject::new().with_age(45).with_gender("male").with_hair("black");
    /// assert_eq!((p.age(), p.gender()), (45, Some("male")));
    /// ```
    owned PersonObject,
    /// Borrowed view of an `NvDsPersonObject`.
    ///
    /// ```
    /// use ds_core::alloc::{PersonObject, PersonObjectRef};
    /// let p = PersonObject::new().with_cap("none");
    /// let r: &PersonObjectRef = &p;
    /// assert_eq!(r.cap(), Some("none"));
    /// ```
    view PersonObjectRef,
    raw NvDsPersonObject,
    make "ds_core::alloc::PersonObject::new()",
    strings [
        (gender, gender, gender_c, set_gender, clear_gender, with_gender, "gender"),
        (hair, hair, hair_c, set_hair, clear_hair, with_hair, "hair colour"),
        (cap, cap, cap_c, set_cap, clear_cap, with_cap, "cap"),
        (apparel, apparel, apparel_c, set_apparel, clear_apparel, with_apparel, "apparel"),
    ]
}

impl PersonObjectRef {
    scalar_accessors!(
        age,
        u32,
        age,
        set_age,
        "age",
        "ds_core::alloc::PersonObject::new()",
        "45"
    );
}

impl PersonObject {
    /// Builder form of `set_age`.
    ///
    /// ```
    /// assert_eq!(ds_core::alloc::PersonObject::new().with_age(30).age(), 30);
    /// ```
    pub fn with_age(mut self, age: u32) -> Self {
        self.set_age(age);
        self
    }
}

schema_object! {
    /// An owned `NvDsFaceObject` (gender, hair, cap, glasses, facial hair,
    /// name, eye colour, age). Attach it to an event message with
    /// [`EventMsgMeta::set_face`](super::EventMsgMeta::set_face).
    ///
    /// ```
    /// use ds_core::alloc::FaceObject;
    /// let f = FaceObject::new().with_name("Ada").with_glasses("none").with_age(36);
    /// assert_eq!((f.name(), f.age()), (Some("Ada"), 36));
    /// ```
    owned FaceObject,
    /// Borrowed view of an `NvDsFaceObject`.
    ///
    /// ```
    /// use ds_core::alloc::{FaceObject, FaceObjectRef};
    /// let f = FaceObject::new().with_eyecolor("green");
    /// let r: &FaceObjectRef = &f;
    /// assert_eq!(r.eyecolor(), Some("green"));
    /// ```
    view FaceObjectRef,
    raw NvDsFaceObject,
    make "ds_core::alloc::FaceObject::new()",
    strings [
        (gender, gender, gender_c, set_gender, clear_gender, with_gender, "gender"),
        (hair, hair, hair_c, set_hair, clear_hair, with_hair, "hair colour"),
        (cap, cap, cap_c, set_cap, clear_cap, with_cap, "cap"),
        (glasses, glasses, glasses_c, set_glasses, clear_glasses, with_glasses, "glasses"),
        (facialhair, facialhair, facialhair_c, set_facialhair, clear_facialhair, with_facialhair, "facial hair"),
        (name, name, name_c, set_name, clear_name, with_name, "name"),
        (eyecolor, eyecolor, eyecolor_c, set_eyecolor, clear_eyecolor, with_eyecolor, "eye colour"),
    ]
}

impl FaceObjectRef {
    scalar_accessors!(
        age,
        u32,
        age,
        set_age,
        "age",
        "ds_core::alloc::FaceObject::new()",
        "36"
    );
}

impl FaceObject {
    /// Builder form of `set_age`.
    ///
    /// ```
    /// assert_eq!(ds_core::alloc::FaceObject::new().with_age(30).age(), 30);
    /// ```
    pub fn with_age(mut self, age: u32) -> Self {
        self.set_age(age);
        self
    }
}
