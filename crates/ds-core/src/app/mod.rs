//! App utilities shared by the sample apps: start-up ([`init_and_report`]),
//! bus handling ([`bus`]), per-stream FPS ([`perf`]) and platform detection
//! ([`platform`]).
//!
//! They mirror the `apps/common/` helpers of NVIDIA's DeepStream Python
//! samples (`bus_call.py`, `FPS.py`, `platform_info.py`), so the Rust ports
//! print the same lines as the Python originals.
//!
//! ```
//! use ds_core::app;
//! use gstreamer::prelude::*;
//!
//! fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     app::init_and_report()?; // stdout: "DeepStream backend: ..."
//!     let pipeline = gstreamer::parse::launch("videotestsrc num-buffers=5 ! fakesink")?
//!         .downcast::<gstreamer::Pipeline>()
//!         .map_err(|_| "not a pipeline")?;
//!     let stopper = app::Interrupter::new(&pipeline);
//!     // In an app: ctrlc::set_handler(move || { stopper.interrupt(); })?;
//!     # drop(stopper);
//!     app::run(&pipeline)?; // stdout: "End-of-stream"
//!     Ok(())
//! }
//! ```

use std::fmt;
use std::path::{Path, PathBuf};

pub mod bus;
pub mod cuda;
pub mod ntp;
pub mod perf;
pub mod platform;
pub mod props;

pub use bus::{format_gerror, handle_message, run, BusAction, Interrupter, PipelineError};
pub use perf::{Clock, GetFps, ManualClock, PerfData, SystemClock};
pub use platform::{PlatformInfo, PlatformProbe};
pub use props::{set_property, set_property_from_str};

/// Where DeepStream is looked for when `DEEPSTREAM_DIR` is not set (the same
/// default as `ds-sys`' build script).
pub const DEFAULT_DEEPSTREAM_DIR: &str = "/opt/nvidia/deepstream/deepstream";

/// The backend ds-sys was built for (`"open"` or `"nvidia"`).
///
/// ```
/// let b = ds_core::app::backend();
/// assert!(b == "open" || b == "nvidia");
/// ```
pub fn backend() -> &'static str {
    ds_sys::BACKEND
}

/// Initialises GStreamer (idempotent; safe to call more than once).
///
/// ```
/// ds_core::app::init().unwrap();
/// ds_core::app::init().unwrap();
/// ```
pub fn init() -> Result<(), gstreamer::glib::Error> {
    gstreamer::init()
}

/// Initialises GStreamer and prints the one start-up line every app prints,
/// [`BackendInfo::current`]'s [`Display`](fmt::Display), to stdout:
///
/// * `DeepStream backend: open (Rust implementation, CPU)`
/// * `DeepStream backend: nvidia (DeepStream 7.1 at /opt/nvidia/deepstream/deepstream)`
///
/// Returns the information it printed.
///
/// ```
/// let info = ds_core::app::init_and_report().unwrap();
/// assert_eq!(info.backend, ds_core::app::backend());
/// ```
pub fn init_and_report() -> Result<BackendInfo, gstreamer::glib::Error> {
    init()?;
    let info = BackendInfo::current();
    println!("{info}");
    Ok(info)
}

/// What the start-up line reports: the backend and, on the `nvidia` backend,
/// where DeepStream is installed and its version.
///
/// ```
/// use ds_core::app::BackendInfo;
///
/// let open = BackendInfo { backend: "open", deepstream_dir: None, deepstream_version: None };
/// assert_eq!(open.to_string(), "DeepStream backend: open (Rust implementation, CPU)");
///
/// let nv = BackendInfo {
///     backend: "nvidia",
///     deepstream_dir: Some("/opt/nvidia/deepstream/deepstream".into()),
///     deepstream_version: Some("7.1".into()),
/// };
/// assert_eq!(
///     nv.to_string(),
///     "DeepStream backend: nvidia (DeepStream 7.1 at /opt/nvidia/deepstream/deepstream)"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackendInfo {
    /// `"open"` or `"nvidia"` (see [`backend`]).
    pub backend: &'static str,
    /// DeepStream's install directory (nvidia backend only).
    pub deepstream_dir: Option<PathBuf>,
    /// DeepStream's version, e.g. `7.1`, from `<dir>/version` (nvidia backend
    /// only; `None` when that file is missing or unreadable).
    pub deepstream_version: Option<String>,
}

impl BackendInfo {
    /// The running process' backend. On the `nvidia` backend the install
    /// directory is `$DEEPSTREAM_DIR` (default [`DEFAULT_DEEPSTREAM_DIR`]) and
    /// the version is read from its `version` file.
    ///
    /// ```
    /// let info = ds_core::app::BackendInfo::current();
    /// assert_eq!(info.backend, ds_core::app::backend());
    /// if info.backend == "open" {
    ///     assert!(info.deepstream_dir.is_none());
    /// }
    /// ```
    pub fn current() -> Self {
        if backend() == "nvidia" {
            let dir = std::env::var_os("DEEPSTREAM_DIR")
                .filter(|d| !d.is_empty())
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from(DEFAULT_DEEPSTREAM_DIR));
            let version = read_deepstream_version(&dir);
            BackendInfo {
                backend: "nvidia",
                deepstream_dir: Some(dir),
                deepstream_version: version,
            }
        } else {
            BackendInfo {
                backend: backend(),
                deepstream_dir: None,
                deepstream_version: None,
            }
        }
    }
}

impl fmt::Display for BackendInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DeepStream backend: {}", self.backend)?;
        if self.backend == "open" {
            return f.write_str(" (Rust implementation, CPU)");
        }
        match (&self.deepstream_version, &self.deepstream_dir) {
            (Some(v), Some(d)) => write!(f, " (DeepStream {v} at {})", d.display()),
            (None, Some(d)) => write!(f, " (DeepStream, unknown version, at {})", d.display()),
            (Some(v), None) => write!(f, " (DeepStream {v})"),
            (None, None) => Ok(()),
        }
    }
}

/// Reads DeepStream's version from `<dir>/version`, a file whose first line
/// looks like `Version: 7.1`. Returns `None` when the file is missing or has
/// no such line.
///
/// ```
/// let dir = std::env::temp_dir().join(format!("ds-core-doc-ver-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// std::fs::write(dir.join("version"), "Version: 7.1\n").unwrap();
/// assert_eq!(ds_core::app::read_deepstream_version(&dir).as_deref(), Some("7.1"));
/// assert_eq!(ds_core::app::read_deepstream_version(&dir.join("nope")), None);
/// std::fs::remove_dir_all(&dir).unwrap();
/// ```
pub fn read_deepstream_version(dir: &Path) -> Option<String> {
    let text = std::fs::read_to_string(dir.join("version")).ok()?;
    text.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        let value = value.trim();
        (key.trim().eq_ignore_ascii_case("version") && !value.is_empty()).then(|| value.to_string())
    })
}

/// Finds a file shipped with the repository (a config, a sample, a model)
/// for an app: `relative` under `$DS_RS_ROOT` if set, else under the
/// current directory or one of its ancestors, else under `workspace_root`
/// (pass `concat!(env!("CARGO_MANIFEST_DIR"), "/../..")` from an app, so
/// `cargo run` works from anywhere in a checkout). Returns the first path
/// that exists, or `None`.
///
/// ```
/// let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
/// let readme = ds_core::app::resource_path("README.md", root).unwrap();
/// assert!(readme.ends_with("README.md"));
/// assert!(ds_core::app::resource_path("no/such/file", root).is_none());
/// ```
pub fn resource_path(relative: &str, workspace_root: &str) -> Option<PathBuf> {
    let mut roots: Vec<PathBuf> = Vec::new();
    if let Some(r) = std::env::var_os("DS_RS_ROOT") {
        roots.push(PathBuf::from(r));
    }
    if let Ok(cwd) = std::env::current_dir() {
        roots.extend(cwd.ancestors().map(Path::to_path_buf));
    }
    roots.push(PathBuf::from(workspace_root));
    roots
        .into_iter()
        .map(|r| r.join(relative))
        .find(|p| p.exists())
}
