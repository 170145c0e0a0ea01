//! Open (CPU) implementations of DeepStream's GStreamer elements, registered
//! statically under NVIDIA's factory names (`nvv4l2decoder`, `nvstreammux`,
//! `nvvideoconvert`, `nvmultistreamtiler`, `nvdsosd`, `nvinfer`, `nvtracker`,
//! `nvmsgconv`, `nvmsgbroker`, `nveglglessink`, …).
//!
//! They are registered only on the `open` backend (see [`ds_sys::BACKEND`]):
//! on the `nvidia` backend NVIDIA's plugins provide these names and the two
//! never mix in one process.
//!
//! Buffers between the elements carry an `NvBufSurface` (system-memory
//! planes) in their memory, with caps `video/x-raw(memory:NVMM)`, exactly as
//! DeepStream lays them out, so probes written with `ds-core` work on both
//! backends.
//!
//! ```
//! ds_open::init().unwrap();
//! if ds_core::backend() == "open" {
//!     assert!(gstreamer::ElementFactory::find("nvstreammux").is_some());
//! }
//! ```
#![forbid(unsafe_code)]

pub mod caps;
pub mod convert;
pub mod nvdsosd;
pub mod nvinfer;
pub mod nvmsgbroker;
pub mod nvmsgconv;
pub mod nvmultistreamtiler;
pub mod nvstreammux;
pub mod nvtracker;
pub mod nvv4l2decoder;
pub mod nvvideoconvert;
pub mod sinks;

use gstreamer as gst;
use std::sync::OnceLock;

/// Registers the open elements (once; later calls return the first
/// result). Does nothing on the `nvidia` backend.
///
/// ```
/// ds_open::init().unwrap();
/// ds_open::register().unwrap();
/// ```
pub fn register() -> Result<(), glib::BoolError> {
    static DONE: OnceLock<Result<(), glib::BoolError>> = OnceLock::new();
    DONE.get_or_init(|| {
        if ds_sys::BACKEND != "open" {
            return Ok(());
        }
        nvv4l2decoder::register()?;
        nvstreammux::register()?;
        nvvideoconvert::register()?;
        nvmultistreamtiler::register()?;
        nvdsosd::register()?;
        nvinfer::register()?;
        nvtracker::register()?;
        nvmsgconv::register()?;
        nvmsgbroker::register()?;
        sinks::register()?;
        Ok(())
    })
    .clone()
}

/// Why [`init`] failed.
#[derive(Debug)]
pub enum InitError {
    /// `gst::init` failed.
    Gst(glib::Error),
    /// An element could not be registered.
    Register(glib::BoolError),
}

impl std::fmt::Display for InitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            InitError::Gst(e) => write!(f, "GStreamer initialisation failed: {e}"),
            InitError::Register(e) => {
                write!(f, "registering the open DeepStream elements failed: {e}")
            }
        }
    }
}

impl std::error::Error for InitError {}

/// Initialises GStreamer and registers the open elements.
///
/// ```
/// ds_open::init().unwrap();
/// ```
pub fn init() -> Result<(), InitError> {
    gst::init().map_err(InitError::Gst)?;
    register().map_err(InitError::Register)
}

/// [`init`], then prints the backend line every app starts with
/// (`ds_core::app::init_and_report`).
///
/// ```no_run
/// let info = ds_open::init_and_report().unwrap();
/// println!("{}", info.backend);
/// ```
pub fn init_and_report() -> Result<ds_core::app::BackendInfo, InitError> {
    init()?;
    ds_core::app::init_and_report().map_err(InitError::Gst)
}
