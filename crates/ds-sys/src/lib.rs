//! Raw C ABI of NVIDIA DeepStream 7.1 (metadata, OSD parameters, surfaces,
//! event-message schema, tracker and inference meta).
//!
//! Every `#[repr(C)]` type here has the size, alignment and field offsets of
//! the DeepStream 7.1 headers; `tests/layout.rs` checks each one against a
//! table of the header values. C enums are plain integer type aliases with
//! `const` values, so an unknown value coming from C is never undefined
//! behaviour.
//!
//! The functions are declared in [`functions`]. On the `open` backend (the
//! default where DeepStream is not installed) they are implemented in Rust in
//! this crate and exported under the same C symbol names; on the `nvidia`
//! backend they come from NVIDIA's libraries. See [`BACKEND`].
#![allow(non_camel_case_types, non_snake_case, non_upper_case_globals)]
#![allow(clippy::missing_safety_doc)]

pub mod abi;
pub mod functions;
pub mod gst_meta;
pub mod infer;
pub mod latency;
pub mod mem;
pub mod meta;
pub mod obj_encode;
pub mod osd;
pub mod parser;
pub mod schema;
pub mod surface;
pub mod tracker;

#[cfg(ds_backend = "open")]
pub mod open;

pub use functions::*;
pub use gst_meta::*;
pub use infer::*;
pub use latency::*;
pub use meta::*;
pub use obj_encode::*;
pub use osd::*;
pub use schema::*;
pub use surface::*;
pub use tracker::*;

/// The backend this crate was built for: `"open"` or `"nvidia"`.
pub const BACKEND: &str = env!("DS_SYS_BACKEND");
