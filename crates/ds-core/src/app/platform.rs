//! Platform detection, as the samples' `platform_info.py` uses it to pick
//! sinks (`nv3dsink` on Jetson, `nveglglessink` on dGPU machines).
//!
//! The Python helper asks CUDA whether the GPU is integrated, and so do we
//! ([`cuda::integrated_gpu`](super::cuda::integrated_gpu)): that is what
//! tells a Jetson (integrated) from an ARM server with a discrete GPU (SBSA:
//! GH200, IGX with a dGPU), which are both aarch64. Without a CUDA driver
//! (the open backend's usual machine) we read the same fact from the files
//! a Jetson has:
//!
//! * aarch64: the target architecture (`cfg!(target_arch = "aarch64")`, which
//!   is what `platform.uname()[4] == 'aarch64'` tells a native process);
//! * integrated GPU (Jetson / Tegra): CUDA's answer for device 0 when the
//!   driver answers; otherwise `/etc/nv_tegra_release` exists, or
//!   `/proc/device-tree/compatible` contains `nvidia,tegra`;
//! * discrete GPU: not integrated, and `/dev/nvidia0` exists or `nvidia-smi`
//!   is on `PATH`;
//! * WSL: `/proc/version` contains `microsoft` (any case), as `is_wsl()`.
//!
//! ```
//! let info = ds_core::app::PlatformInfo::detect();
//! assert_eq!(info.is_platform_aarch64(), cfg!(target_arch = "aarch64"));
//! ```

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// What [`PlatformProbe::detect`] found.
///
/// ```
/// use ds_core::app::PlatformInfo;
/// let p = PlatformInfo { aarch64: true, integrated_gpu: true, discrete_gpu: false, wsl: false };
/// assert!(p.is_integrated_gpu() && p.is_platform_aarch64());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlatformInfo {
    /// Running on aarch64.
    pub aarch64: bool,
    /// An integrated GPU (Jetson).
    pub integrated_gpu: bool,
    /// A discrete NVIDIA GPU is present.
    pub discrete_gpu: bool,
    /// Running under Windows Subsystem for Linux.
    pub wsl: bool,
}

impl PlatformInfo {
    /// Probes this machine ([`PlatformProbe::new`]).
    ///
    /// ```
    /// let info = ds_core::app::PlatformInfo::detect();
    /// assert!(!(info.integrated_gpu && info.discrete_gpu));
    /// ```
    pub fn detect() -> Self {
        PlatformProbe::new().detect()
    }

    /// This machine's platform, probed once per process and cached (as the
    /// Python helper caches its answers).
    ///
    /// ```
    /// let a = ds_core::app::PlatformInfo::current();
    /// assert_eq!(a, ds_core::app::PlatformInfo::current());
    /// ```
    pub fn current() -> &'static PlatformInfo {
        static INFO: OnceLock<PlatformInfo> = OnceLock::new();
        INFO.get_or_init(Self::detect)
    }

    /// `is_platform_aarch64()`.
    ///
    /// ```
    /// let info = ds_core::app::PlatformInfo::detect();
    /// assert_eq!(info.is_platform_aarch64(), info.aarch64);
    /// ```
    pub fn is_platform_aarch64(&self) -> bool {
        self.aarch64
    }

    /// `is_integrated_gpu()`.
    ///
    /// ```
    /// let info = ds_core::app::PlatformInfo::detect();
    /// assert_eq!(info.is_integrated_gpu(), info.integrated_gpu);
    /// ```
    pub fn is_integrated_gpu(&self) -> bool {
        self.integrated_gpu
    }

    /// `is_wsl()`.
    ///
    /// ```
    /// let info = ds_core::app::PlatformInfo::detect();
    /// assert_eq!(info.is_wsl(), info.wsl);
    /// ```
    pub fn is_wsl(&self) -> bool {
        self.wsl
    }

    /// Whether a discrete NVIDIA GPU is present.
    ///
    /// ```
    /// let info = ds_core::app::PlatformInfo::detect();
    /// assert_eq!(info.has_discrete_gpu(), info.discrete_gpu);
    /// ```
    pub fn has_discrete_gpu(&self) -> bool {
        self.discrete_gpu
    }
}

/// Probes a platform: the real one by default; tests point it at a fake
/// root directory, search path and architecture.
///
/// ```
/// use ds_core::app::PlatformProbe;
///
/// let root = std::env::temp_dir().join(format!("ds-core-doc-jetson-{}", std::process::id()));
/// std::fs::create_dir_all(root.join("etc")).unwrap();
/// std::fs::write(root.join("etc/nv_tegra_release"), "# R36 (release), REVISION: 4.0\n").unwrap();
/// let info = PlatformProbe::new().root(&root).aarch64(true).detect();
/// assert!(info.integrated_gpu && info.aarch64 && !info.discrete_gpu && !info.wsl);
/// std::fs::remove_dir_all(&root).unwrap();
/// ```
#[derive(Debug, Clone)]
pub struct PlatformProbe {
    root: PathBuf,
    search_path: Vec<PathBuf>,
    aarch64: bool,
    cuda: bool,
}

impl Default for PlatformProbe {
    fn default() -> Self {
        Self::new()
    }
}

impl PlatformProbe {
    /// Probes the real machine: CUDA's answer first, then root `/`, `$PATH`,
    /// the compile target's architecture.
    ///
    /// ```
    /// let _ = ds_core::app::PlatformProbe::new().detect();
    /// ```
    pub fn new() -> Self {
        PlatformProbe {
            root: PathBuf::from("/"),
            search_path: std::env::var_os("PATH")
                .map(|p| std::env::split_paths(&p).collect())
                .unwrap_or_default(),
            aarch64: cfg!(target_arch = "aarch64"),
            cuda: true,
        }
    }

    /// Reads the platform files (`etc/nv_tegra_release`,
    /// `proc/device-tree/compatible`, `proc/version`, `dev/nvidia0`) under
    /// `root` instead of `/`, and looks for `nvidia-smi` in `root/usr/bin`,
    /// `root/usr/sbin` and `root/bin` (override with
    /// [`search_path`](Self::search_path)). CUDA is not asked (a fake root
    /// describes a machine that is not this one).
    ///
    /// ```
    /// let empty = std::env::temp_dir().join("ds-core-doc-no-such-root");
    /// let info = ds_core::app::PlatformProbe::new().root(&empty).detect();
    /// assert!(!info.integrated_gpu && !info.discrete_gpu && !info.wsl);
    /// ```
    pub fn root(mut self, root: &Path) -> Self {
        self.root = root.to_path_buf();
        self.search_path = ["usr/bin", "usr/sbin", "bin"]
            .iter()
            .map(|d| root.join(d))
            .collect();
        self.cuda = false;
        self
    }

    /// Whether to ask the CUDA driver first (on by default, off after
    /// [`root`](Self::root)).
    ///
    /// ```
    /// let p = ds_core::app::PlatformProbe::new()
    ///     .root(std::path::Path::new("/nonexistent-root"))
    ///     .cuda(false);
    /// assert!(!p.is_integrated_gpu());
    /// ```
    pub fn cuda(mut self, ask: bool) -> Self {
        self.cuda = ask;
        self
    }

    /// Directories searched for `nvidia-smi`.
    ///
    /// ```
    /// let info = ds_core::app::PlatformProbe::new()
    ///     .root(&std::env::temp_dir().join("ds-core-doc-no-such-root"))
    ///     .search_path(vec![])
    ///     .detect();
    /// assert!(!info.discrete_gpu);
    /// ```
    pub fn search_path(mut self, dirs: Vec<PathBuf>) -> Self {
        self.search_path = dirs;
        self
    }

    /// Overrides the architecture answer.
    ///
    /// ```
    /// assert!(ds_core::app::PlatformProbe::new().aarch64(true).detect().aarch64);
    /// ```
    pub fn aarch64(mut self, aarch64: bool) -> Self {
        self.aarch64 = aarch64;
        self
    }

    fn file(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    /// Whether the GPU is integrated (Jetson): CUDA's answer for device 0
    /// when the driver answers (and [`cuda`](Self::cuda) is on); otherwise
    /// `etc/nv_tegra_release` exists or `proc/device-tree/compatible` names
    /// `nvidia,tegra`.
    ///
    /// ```
    /// let p = ds_core::app::PlatformProbe::new().root(std::path::Path::new("/nonexistent-root"));
    /// assert!(!p.is_integrated_gpu());
    /// ```
    pub fn is_integrated_gpu(&self) -> bool {
        if self.cuda {
            if let Ok(integrated) = super::cuda::integrated_gpu() {
                return integrated;
            }
        }
        if self.file("etc/nv_tegra_release").is_file() {
            return true;
        }
        // A list of NUL-separated strings, e.g. "nvidia,p3768-0000\0nvidia,tegra234\0".
        std::fs::read(self.file("proc/device-tree/compatible"))
            .map(|b| {
                b.windows(b"nvidia,tegra".len())
                    .any(|w| w == b"nvidia,tegra")
            })
            .unwrap_or(false)
    }

    /// Whether `proc/version` mentions `microsoft` (WSL).
    ///
    /// ```
    /// let p = ds_core::app::PlatformProbe::new().root(std::path::Path::new("/nonexistent-root"));
    /// assert!(!p.is_wsl());
    /// ```
    pub fn is_wsl(&self) -> bool {
        std::fs::read_to_string(self.file("proc/version"))
            .map(|v| v.to_lowercase().contains("microsoft"))
            .unwrap_or(false)
    }

    /// Whether a discrete NVIDIA GPU is present: CUDA's device 0 is not
    /// integrated; without a CUDA answer, not integrated and `dev/nvidia0`
    /// exists or `nvidia-smi` is in the search path.
    ///
    /// ```
    /// let p = ds_core::app::PlatformProbe::new().root(std::path::Path::new("/nonexistent-root"));
    /// assert!(!p.has_discrete_gpu());
    /// ```
    pub fn has_discrete_gpu(&self) -> bool {
        if self.cuda {
            if let Ok(integrated) = super::cuda::integrated_gpu() {
                return !integrated;
            }
        }
        if self.is_integrated_gpu() {
            return false;
        }
        self.file("dev/nvidia0").exists()
            || self
                .search_path
                .iter()
                .any(|d| is_executable(&d.join("nvidia-smi")))
    }

    /// Runs every check.
    ///
    /// ```
    /// let info = ds_core::app::PlatformProbe::new().aarch64(false).detect();
    /// assert!(!info.aarch64);
    /// ```
    pub fn detect(&self) -> PlatformInfo {
        PlatformInfo {
            aarch64: self.aarch64,
            integrated_gpu: self.is_integrated_gpu(),
            discrete_gpu: self.has_discrete_gpu(),
            wsl: self.is_wsl(),
        }
    }
}

fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p)
        .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}
