//! DeepStream metadata access (batch, frame, object, classifier, label,
//! display, user meta).
//!
//! The types here are `#[repr(transparent)]` views of the C structures of
//! [`ds_sys`], borrowed as `&T` / `&mut T` with lifetimes tied to the buffer
//! (or to an [`OwnedBatchMeta`]), in the style of gstreamer-rs's
//! `BufferRef`. Lists are walked with typed iterators, so no `GList` or cast
//! shows up in app code:
//!
//! | C (`NvDs…`)            | Rust                                     |
//! |------------------------|------------------------------------------|
//! | `NvDsBatchMeta`        | [`BatchMeta`], [`OwnedBatchMeta`]        |
//! | `NvDsFrameMeta`        | [`FrameMeta`], [`FrameMut`]              |
//! | `NvDsObjectMeta`       | [`ObjectMeta`]                           |
//! | `NvDsClassifierMeta`   | [`ClassifierMeta`]                       |
//! | `NvDsLabelInfo`        | [`LabelInfo`]                            |
//! | `NvDsDisplayMeta`      | [`DisplayMeta`]                          |
//! | `NvDsUserMeta`         | [`UserMeta`] (typed by [`UserMetaData`]) |
//! | `NvOSD_TextParams`     | [`TextParams`]                           |
//!
//! Meta is acquired from the batch's pools and added to its parent under the
//! batch lock (see [`BatchMeta::lock`]); meta that is acquired but never
//! added goes back to its pool when dropped ([`Acquired`]). Strings stored in
//! the C structs are owned by the C side, as in DeepStream: setting one frees
//! what was there, and safe code can neither leak nor double-free them.
//!
//! # A pad probe
//!
//! The usual DeepStream probe, reading what an upstream element attached
//! (here an upstream probe plays `nvstreammux` + `nvinfer`):
//!
//! ```
//! use ds_core::{BatchMeta, OwnedBatchMeta};
//! use gstreamer as gst;
//! use gst::prelude::*;
//! use std::sync::{Arc, Mutex};
//!
//! ds_core::init().unwrap();
//! let pipeline = gst::parse::launch(
//!     "videotestsrc num-buffers=3 ! identity name=mux ! fakesink name=sink",
//! )
//! .unwrap()
//! .downcast::<gst::Pipeline>()
//! .unwrap();
//!
//! // Upstream: attach a batch with one frame holding one "car".
//! let mux = pipeline.by_name("mux").unwrap();
//! mux.static_pad("src").unwrap().add_probe(gst::PadProbeType::BUFFER, |_, info| {
//!     if let Some(buffer) = info.buffer_mut() {
//!         let mut batch = OwnedBatchMeta::new(1).unwrap();
//!         let frame = batch.new_frame().unwrap();
//!         let car = frame.new_object().unwrap();
//!         car.set_class_id(0);
//!         car.set_obj_label("car");
//!         car.rect_params_mut().width = 64.0;
//!         batch.attach(buffer.make_mut()).unwrap();
//!     }
//!     gst::PadProbeReturn::Ok
//! });
//!
//! // Downstream: the probe of a DeepStream app.
//! let seen = Arc::new(Mutex::new(Vec::new()));
//! let seen2 = seen.clone();
//! let sink = pipeline.by_name("sink").unwrap();
//! sink.static_pad("sink").unwrap().add_probe(gst::PadProbeType::BUFFER, move |_, info| {
//!     let Some(buffer) = info.buffer() else { return gst::PadProbeReturn::Ok };
//!     let Some(batch) = BatchMeta::from_buffer(buffer) else { return gst::PadProbeReturn::Ok };
//!     for frame in batch.frames() {
//!         for obj in frame.objects() {
//!             seen2.lock().unwrap().push((frame.frame_num(), obj.obj_label().to_owned()));
//!         }
//!     }
//!     gst::PadProbeReturn::Ok
//! });
//!
//! pipeline.set_state(gst::State::Playing).unwrap();
//! let bus = pipeline.bus().unwrap();
//! bus.timed_pop_filtered(gst::ClockTime::NONE, &[gst::MessageType::Eos, gst::MessageType::Error]);
//! pipeline.set_state(gst::State::Null).unwrap();
//! assert_eq!(seen.lock().unwrap().len(), 3);
//! assert_eq!(seen.lock().unwrap()[0].1, "car");
//! ```

mod batch;
mod classifier;
mod display;
mod frame;
mod list;
mod object;
mod text;
mod user;

pub use batch::{BatchMeta, FramesMut, MetaLock, OwnedBatchMeta};
pub use classifier::{ClassifierMeta, LabelInfo};
pub use display::DisplayMeta;
pub use ds_sys::{
    NvBbox_Coords as BboxCoords, NvDsMetaType, NvOSD_ArrowParams as ArrowParams,
    NvOSD_CircleParams as CircleParams, NvOSD_ColorParams as ColorParams,
    NvOSD_LineParams as LineParams, NvOSD_RectParams as RectParams, MAX_ELEMENTS_IN_DISPLAY_META,
    MAX_LABEL_SIZE, UNTRACKED_OBJECT_ID,
};
pub use frame::{Acquired, FrameChild, FrameMeta, FrameMut};
pub use list::{Iter, IterMut, MetaKey};
pub use object::ObjectMeta;
pub use text::TextParams;
pub(crate) use text::{read_label, write_label};
#[allow(unused_imports)]
pub(crate) use user::fill_user_meta;
pub use user::{meta_type, UserData, UserDataRef, UserMeta, UserMetaData};

use std::cell::UnsafeCell;
use std::fmt;
use std::marker::PhantomPinned;

/// Storage of a C struct that C code may read and write behind Rust's back
/// (through the pointers it keeps in lists and `base_meta`).
///
/// `UnsafeCell` makes `&Opaque<T>` assert no immutability and
/// `PhantomPinned` makes `&mut Opaque<T>` assert no uniqueness (neither to
/// the optimiser nor to Miri), which is what memory shared with C needs.
/// All access goes through raw pointers from [`Opaque::get`].
#[repr(transparent)]
pub(crate) struct Opaque<T> {
    value: UnsafeCell<T>,
    _pin: PhantomPinned,
}

impl<T> Opaque<T> {
    /// Raw pointer to the C struct.
    pub(crate) fn get(&self) -> *mut T {
        self.value.get()
    }
}

/// Error of a metadata operation. Nothing here is a panic: every failure of
/// the metadata API is returned as one of these.
///
/// ```
/// use ds_core::{MetaError, OwnedBatchMeta};
/// let mut batch = OwnedBatchMeta::new(1).unwrap();
/// let display = batch.new_frame().unwrap().new_display_meta().unwrap();
/// for _ in 0..ds_core::MAX_ELEMENTS_IN_DISPLAY_META {
///     display.add_rect(Default::default()).unwrap();
/// }
/// let err = display.add_rect(Default::default()).unwrap_err();
/// assert_eq!(err, MetaError::Full { what: "rect", capacity: 16 });
/// assert_eq!(err.to_string(), "display meta holds at most 16 rect elements");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum MetaError {
    /// The pool could not hand out an element (`what` names the kind).
    PoolExhausted {
        /// `"frame"`, `"object"`, `"classifier"`, `"label"`, `"display"` or
        /// `"user"`.
        what: &'static str,
    },
    /// A fixed-size array of a display meta is full.
    Full {
        /// `"rect"`, `"label"`, `"line"`, `"arrow"` or `"circle"`.
        what: &'static str,
        /// Its capacity ([`MAX_ELEMENTS_IN_DISPLAY_META`]).
        capacity: usize,
    },
    /// The meta has no batch (`base_meta.batch_meta` is NULL), so there are
    /// no pools to take from.
    NoBatch,
    /// Meta acquired from one batch was offered to another batch.
    ForeignBatch,
    /// The [`MetaKey`] names nothing in this list.
    NotFound,
    /// `nvds_create_batch_meta` failed.
    CreateFailed,
}

impl fmt::Display for MetaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MetaError::PoolExhausted { what } => write!(f, "the {what} meta pool is exhausted"),
            MetaError::Full { what, capacity } => {
                write!(f, "display meta holds at most {capacity} {what} elements")
            }
            MetaError::NoBatch => write!(f, "the meta belongs to no batch meta"),
            MetaError::ForeignBatch => write!(f, "the meta was acquired from another batch meta"),
            MetaError::NotFound => write!(f, "no such meta in this list"),
            MetaError::CreateFailed => write!(f, "could not create a batch meta"),
        }
    }
}

impl std::error::Error for MetaError {}

/// Holds the recursive lock of a batch for the duration of an operation.
pub(crate) struct RawLock(*mut ds_sys::NvDsBatchMeta);

impl RawLock {
    /// Locks `batch` (`nvds_acquire_meta_lock`).
    ///
    /// # Safety
    /// `batch` is a live batch meta that outlives the guard.
    pub(crate) unsafe fn new(batch: *mut ds_sys::NvDsBatchMeta) -> RawLock {
        // SAFETY: per contract, batch is live.
        unsafe { ds_sys::nvds_acquire_meta_lock(batch) };
        RawLock(batch)
    }
}

impl Drop for RawLock {
    fn drop(&mut self) {
        // SAFETY: locked in `new` on this thread (RawLock is !Send through
        // its raw pointer); the batch outlives the guard.
        unsafe { ds_sys::nvds_release_meta_lock(self.0) };
    }
}

/// Implements the pointer plumbing shared by the wrapper types.
macro_rules! opaque_wrapper {
    ($ty:ident, $raw:ty, $example:literal) => {
        impl $ty {
            /// Borrows the C struct at `ptr` as this type.
            ///
            /// # Safety
            /// `ptr` is non-NULL, points to a live, initialised struct that
            /// stays alive and is not moved or freed for `'a`.
            pub unsafe fn from_ptr<'a>(ptr: *const $raw) -> &'a $ty {
                // SAFETY: per contract; the type is transparent over the C
                // struct.
                unsafe { &*(ptr as *const $ty) }
            }

            /// Mutably borrows the C struct at `ptr` as this type.
            ///
            /// # Safety
            /// As [`Self::from_ptr`], and no other Rust reference to it is
            /// used during `'a`.
            pub unsafe fn from_mut_ptr<'a>(ptr: *mut $raw) -> &'a mut $ty {
                // SAFETY: per contract.
                unsafe { &mut *(ptr as *mut $ty) }
            }

            /// Raw pointer to the C struct (for calls into C).
            ///
            /// ```
            #[doc = $example]
            /// assert!(!meta.as_ptr().is_null());
            /// ```
            pub fn as_ptr(&self) -> *const $raw {
                self.0.get()
            }

            /// Raw mutable pointer to the C struct (for calls into C).
            ///
            /// ```
            #[doc = $example]
            /// assert_eq!(meta.as_mut_ptr() as *const _, meta.as_ptr());
            /// ```
            pub fn as_mut_ptr(&mut self) -> *mut $raw {
                self.0.get()
            }

            /// Read-only view of the C struct, for fields without an
            /// accessor.
            ///
            /// ```
            #[doc = $example]
            /// let _raw = meta.raw();
            /// ```
            pub fn raw(&self) -> &$raw {
                // SAFETY: the struct is live for the borrow of self; C code
                // does not write it while Rust holds a reference (DeepStream
                // processes a buffer's meta on one thread at a time).
                unsafe { &*self.0.get() }
            }

            /// Mutable access to the C struct.
            ///
            /// # Safety
            /// The caller must keep the list pointers, counters and owned
            /// strings consistent (prefer the safe accessors).
            pub unsafe fn raw_mut(&mut self) -> &mut $raw {
                // SAFETY: `&mut self` is exclusive on the Rust side.
                unsafe { &mut *self.0.get() }
            }

            /// This meta's key, for removing it from its list later.
            ///
            /// ```
            #[doc = $example]
            /// assert_eq!(meta.key(), meta.key());
            /// ```
            pub fn key(&self) -> $crate::meta::MetaKey<$ty> {
                $crate::meta::MetaKey::new(self.0.get() as *mut std::os::raw::c_void)
            }

            /// The batch this meta belongs to (`base_meta.batch_meta`)
            /// as a raw pointer (NULL when it has none).
            pub(crate) fn batch_ptr(&self) -> *mut ds_sys::NvDsBatchMeta {
                self.raw().base_meta.batch_meta
            }

            /// The batch pointer, or `MetaError::NoBatch`.
            #[allow(dead_code)]
            pub(crate) fn batch_or_err(
                &self,
            ) -> Result<*mut ds_sys::NvDsBatchMeta, $crate::meta::MetaError> {
                let b = self.batch_ptr();
                if b.is_null() {
                    Err($crate::meta::MetaError::NoBatch)
                } else {
                    Ok(b)
                }
            }
        }

        impl std::fmt::Debug for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(stringify!($ty))
                    .field("ptr", &self.as_ptr())
                    .finish_non_exhaustive()
            }
        }
    };
}
pub(crate) use opaque_wrapper;

/// Generates a copy getter and a setter for a scalar field.
macro_rules! scalar_field {
    ($(#[$doc:meta])* $get:ident, $set:ident, $field:ident: $t:ty, $example:literal) => {
        $(#[$doc])*
        ///
        /// ```
        #[doc = $example]
        #[doc = concat!("let v = meta.", stringify!($get), "();")]
        #[doc = concat!("meta.", stringify!($set), "(v);")]
        #[doc = concat!("assert_eq!(meta.", stringify!($get), "(), v);")]
        /// ```
        pub fn $get(&self) -> $t {
            self.raw().$field as $t
        }

        #[doc = concat!("Sets the value read by [`Self::", stringify!($get), "`].")]
        ///
        /// ```
        #[doc = $example]
        #[doc = concat!("meta.", stringify!($set), "(Default::default());")]
        /// ```
        pub fn $set(&mut self, value: $t) {
            // SAFETY: a plain scalar field; `&mut self` is exclusive.
            unsafe { (*self.0.get()).$field = value as _ };
        }
    };
}
pub(crate) use scalar_field;
