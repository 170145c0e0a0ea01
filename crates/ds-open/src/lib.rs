//! Open (CPU) implementations of DeepStream's GStreamer elements, registered
//! statically under NVIDIA's factory names (`nvv4l2decoder`, `nvstreammux`,
//! `nvvideoconvert`, `nvmultistreamtiler`, `nvdsosd`, `nvinfer`, `nvtracker`,
//! `nvmsgconv`, `nvmsgbroker`, `nvurisrcbin`, `nvdslogger`, `nveglglessink`,
//! …).
//!
//! They are registered only on the `open` backend (see [`ds_sys::BACKEND`]):
//! on the `nvidia` backend NVIDIA's plugins provide these names and the two
//! never mix in one process. The one exception is the test / development
//! switch [`OPEN_ELEMENTS_ENV`] (`DS_OPEN_ELEMENTS=1`), which registers them
//! on the `nvidia` backend too; `ci/link-path.sh` uses it to run the apps
//! through the nvidia link path with our implementation of NVIDIA's libraries
//! standing in for the SDK. Never set it where NVIDIA's plugins are installed.
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

pub mod accepted;
pub mod caps;
pub mod convert;
pub mod nvdslogger;
pub mod nvdsosd;
pub mod nvinfer;
pub mod nvmsgbroker;
pub mod nvmsgconv;
pub mod nvmultistreamtiler;
pub mod nvstreammux;
pub mod nvtracker;
pub mod nvurisrcbin;
pub mod nvv4l2decoder;
pub mod nvvideoconvert;
mod output_queue;
pub mod sinks;
pub mod surface_pool;

use gstreamer as gst;
use std::sync::OnceLock;

/// Test / development switch: with `DS_OPEN_ELEMENTS=1` in the environment,
/// [`register`] registers the open elements on the `nvidia` backend as well.
///
/// It exists for the nvidia link-path test (`ci/link-path.sh`), where the
/// nvidia backend is built against ds-sys' open implementation installed
/// under NVIDIA's library names, and no NVIDIA GStreamer plugins exist. On a
/// machine with DeepStream's plugins it would shadow NVIDIA's elements (same
/// factory names, primary rank) and their buffers would not be ours: do not
/// set it there. It has no effect on the `open` backend, where the elements
/// are always registered.
pub const OPEN_ELEMENTS_ENV: &str = "DS_OPEN_ELEMENTS";

/// Whether [`register`] registers the open elements in this process: always
/// on the `open` backend; on the `nvidia` backend only when
/// [`OPEN_ELEMENTS_ENV`] is `1`.
///
/// ```
/// if ds_core::backend() == "open" {
///     assert!(ds_open::registers_open_elements());
/// }
/// ```
pub fn registers_open_elements() -> bool {
    ds_sys::BACKEND == "open" || std::env::var_os(OPEN_ELEMENTS_ENV).is_some_and(|v| v == "1")
}

/// Registers the open elements (once; later calls return the first
/// result). Does nothing on the `nvidia` backend, unless the test switch
/// [`OPEN_ELEMENTS_ENV`] is set (see [`registers_open_elements`]).
///
/// ```
/// ds_open::init().unwrap();
/// ds_open::register().unwrap();
/// ```
pub fn register() -> Result<(), glib::BoolError> {
    static DONE: OnceLock<Result<(), glib::BoolError>> = OnceLock::new();
    DONE.get_or_init(|| {
        if !registers_open_elements() {
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
        nvurisrcbin::register()?;
        nvdslogger::register()?;
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
