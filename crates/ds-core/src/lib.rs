//! Safe Rust API for NVIDIA DeepStream: metadata access, allocators, helpers,
//! image (surface) and tensor access, and the app utilities the sample apps
//! share.
//!
//! Works on both backends of [`ds_sys`]: NVIDIA's DeepStream 7.1 libraries or
//! the open Rust implementation. See [`backend`].
//!
//! Coming from NVIDIA's Python bindings (pyds)? [`pyds_guide`] maps every
//! pyds call of the sample apps to its counterpart here.
//!
//! ```
//! ds_core::init().unwrap();
//! println!("running on the {} backend", ds_core::backend());
//! ```

pub mod alloc;
pub mod app;
pub mod cfmt;
pub mod gtype;
pub mod latency;
pub mod meta;
pub mod osd;
pub mod parser;
pub mod planes;
#[doc = include_str!("../../../docs/pyds-to-ds-core.md")]
pub mod pyds_guide {}
pub mod surface;
pub mod tensor;
pub mod time;
pub mod tracker;

pub use app::{backend, init};
pub use meta::*;
