//! ds-sys' open implementation of DeepStream 7.1's C functions (`nvdsmeta.h`,
//! `gstnvdsmeta.h`, `nvbufsurface.h`) as one shared library.
//!
//! It adds no code: the `#[no_mangle] extern "C"` functions live in
//! `ds-sys/src/open` and are exported from this cdylib under their C names.
//! `ci/link-path.sh` builds it on the open backend and installs it as
//! `libnvds_meta.so`, `libnvdsgst_meta.so` and `libnvbufsurface.so` in a
//! scratch `DEEPSTREAM_DIR`, then builds the workspace with
//! `DS_BACKEND=nvidia` against it, which exercises the nvidia backend's link
//! path (linking and loading the three libraries by name) without NVIDIA's SDK.
//!
//! On the nvidia backend (ds-sys built without its `open` module) the library
//! is empty, so `cargo build --workspace` works on both backends.
#![forbid(unsafe_code)]

/// The implementation this library exports (ds-sys' `open` module).
#[cfg(ds_backend = "open")]
pub use ds_sys::open;
