//! Open (CPU) implementations of DeepStream's GStreamer elements, registered
//! statically under NVIDIA's factory names (`nvv4l2decoder`, `nvstreammux`,
//! `nvvideoconvert`, `nvmultistreamtiler`, `nvdsosd`, `nvinfer`, `nvtracker`,
//! `nvmsgconv`, `nvmsgbroker`, `nvurisrcbin`, `nvdslogger`, `nvstreamdemux`, `nveglglessink`,
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
//! The same elements are also a GStreamer plugin library,
//! `libgstdsopen.so` (`crates/gst-plugin-dsopen`, for `gst-inspect-1.0`,
//! `gst-launch-1.0` and PyGObject): both walk the one list [`ELEMENTS`]
//! ([`register`] here, [`register_plugin`] there), and whichever registers
//! first in a process serves it; the other registers nothing, so there is
//! one set of elements and one metadata implementation per process.
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
pub mod nvstreamdemux;
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

/// One element module's registration: registers its element(s) with
/// `plugin`, or statically (`None`).
pub type RegisterFn = fn(Option<&gst::Plugin>) -> Result<(), glib::BoolError>;

/// Every open element module, in registration order: the one list that both
/// [`register`] (static registration inside an application) and the plugin
/// library (`crates/gst-plugin-dsopen`, [`register_plugin`]) walk, so an
/// element added here is in both.
pub const ELEMENTS: &[(&str, RegisterFn)] = &[
    ("nvv4l2decoder", nvv4l2decoder::register),
    ("nvstreammux", nvstreammux::register),
    ("nvstreamdemux", nvstreamdemux::register),
    ("nvvideoconvert", nvvideoconvert::register),
    ("nvmultistreamtiler", nvmultistreamtiler::register),
    ("nvdsosd", nvdsosd::register),
    ("nvinfer", nvinfer::register),
    ("nvtracker", nvtracker::register),
    ("nvmsgconv", nvmsgconv::register),
    ("nvmsgbroker", nvmsgbroker::register),
    ("nvurisrcbin", nvurisrcbin::register),
    ("nvdslogger", nvdslogger::register),
    ("sinks", sinks::register),
];

/// GType name of the open `nvstreammux`, the marker of "the open elements'
/// types exist in this process": GType names are process-wide, so it tells
/// whether another copy of this crate (an application's static
/// registration, or the plugin library) registered them already.
const MARKER_TYPE: &str = "GstNvStreamMux";

/// Whether the open elements' types are registered in this process, by this
/// copy of the crate or by another one (see [`register_plugin`]).
///
/// ```
/// ds_open::init().unwrap();
/// if ds_core::backend() == "open" {
///     assert!(ds_open::elements_registered_in_process());
/// }
/// ```
pub fn elements_registered_in_process() -> bool {
    glib::Type::from_name(MARKER_TYPE).is_some()
}

/// Registers the open elements (once; later calls return the first
/// result). Does nothing on the `nvidia` backend, unless the test switch
/// [`OPEN_ELEMENTS_ENV`] is set (see [`registers_open_elements`]), and
/// nothing when the plugin library already registered them in this process
/// (the elements are then the plugin's; see [`register_plugin`]).
///
/// ```
/// ds_open::init().unwrap();
/// ds_open::register().unwrap();
/// ```
pub fn register() -> Result<(), glib::BoolError> {
    static DONE: OnceLock<Result<(), glib::BoolError>> = OnceLock::new();
    DONE.get_or_init(|| {
        if !registers_open_elements() || elements_registered_in_process() {
            return Ok(());
        }
        ELEMENTS.iter().try_for_each(|(_, register)| register(None))
    })
    .clone()
}

/// What [`register_plugin`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PluginRegistration {
    /// The elements were registered as the plugin's features.
    Registered,
    /// The process had registered the open elements already (an
    /// application linking ds-open called [`register`] before GStreamer
    /// loaded the plugin): the plugin adds nothing, so each factory name
    /// and each GType exists once and the application's metadata
    /// implementation stays the only one in use.
    Deferred,
    /// Built for the `nvidia` backend without the [`OPEN_ELEMENTS_ENV`]
    /// switch: NVIDIA's plugins provide these names, so the plugin is empty.
    Disabled,
}

/// The plugin library's `plugin_init`: registers every element of
/// [`ELEMENTS`] as a feature of `plugin`, unless this process has them
/// already ([`PluginRegistration::Deferred`]).
///
/// ```
/// // Inside `gst::plugin_define!`'s init function:
/// fn plugin_init(plugin: &gstreamer::Plugin) -> Result<(), gstreamer::glib::BoolError> {
///     ds_open::register_plugin(plugin).map(|_| ())
/// }
/// ```
pub fn register_plugin(plugin: &gst::Plugin) -> Result<PluginRegistration, glib::BoolError> {
    static DONE: OnceLock<Result<PluginRegistration, glib::BoolError>> = OnceLock::new();
    DONE.get_or_init(|| {
        if !registers_open_elements() {
            return Ok(PluginRegistration::Disabled);
        }
        if elements_registered_in_process() {
            return Ok(PluginRegistration::Deferred);
        }
        ELEMENTS
            .iter()
            .try_for_each(|(_, register)| register(Some(plugin)))?;
        Ok(PluginRegistration::Registered)
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
