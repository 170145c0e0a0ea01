//! Open (Rust) implementation of the DeepStream 7.1 C functions, exported
//! under NVIDIA's symbol names. Compiled only on the `open` backend.
//!
//! Metadata (`nvdsmeta.h`): `batch`, `object`, `classifier`, `display`,
//! `user`, `clear`, `copy`, `user_type`, built on the private `pool`, `list`
//! and `lock` modules. GstMeta (`gstnvdsmeta.h`): `gst_meta`;
//! latency measurement (`nvds_latency_meta.h`): `latency` (both not
//! compiled under Miri, which cannot call GStreamer).

pub mod surface;

pub mod batch;
pub mod classifier;
pub mod clear;
pub mod copy;
pub mod display;
#[cfg(not(miri))]
pub mod gst_meta;
#[cfg(not(miri))]
pub mod latency;
mod list;
mod lock;
pub mod object;
mod pool;
mod release;
mod roi;
pub mod user;
pub mod user_type;
mod util;
