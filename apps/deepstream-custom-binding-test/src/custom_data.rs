//! The sample's custom struct, `CustomDataStruct` of its bindings
//! (`bindings/src/custom_binding/include/custom_data.hpp`): an id, a
//! message and an int, with its own copy and release functions.
//!
//! In pyds the struct, `alloc_custom_struct`, `copy_custom_struct` and
//! `release_custom_struct` are C++ compiled into the bindings. In Rust the
//! struct is an ordinary type: its copy function is its `Clone`, its release
//! function its `Drop`, and `ds_core::UserData` installs them as the user
//! meta's `copy_func` / `release_func`, so DeepStream calls them when it
//! copies or frees the buffer's metadata.
use std::sync::atomic::{AtomicUsize, Ordering};

static COPIES: AtomicUsize = AtomicUsize::new(0);
static RELEASES: AtomicUsize = AtomicUsize::new(0);

/// `CustomDataStruct`: `structId`, `message`, `sampleInt`.
#[derive(Debug, PartialEq, Eq)]
pub struct CustomDataStruct {
    /// `structId`.
    pub struct_id: i32,
    /// `message`.
    pub message: String,
    /// `sampleInt`.
    pub sample_int: i32,
}

impl Clone for CustomDataStruct {
    /// `copy_custom_struct`: a deep copy (the message is duplicated), called
    /// when DeepStream copies the metadata, e.g. on a buffer copy.
    fn clone(&self) -> Self {
        COPIES.fetch_add(1, Ordering::Relaxed);
        CustomDataStruct {
            struct_id: self.struct_id,
            message: self.message.clone(),
            sample_int: self.sample_int,
        }
    }
}

impl Drop for CustomDataStruct {
    /// `release_custom_struct`: called once per struct when DeepStream
    /// releases the user meta (the message is freed with the struct).
    fn drop(&mut self) {
        RELEASES.fetch_add(1, Ordering::Relaxed);
    }
}

/// How many structs were copied and released so far in this process.
pub fn copies_and_releases() -> (usize, usize) {
    (
        COPIES.load(Ordering::Relaxed),
        RELEASES.load(Ordering::Relaxed),
    )
}
