//! The samples' `common/platform_info.py`: one `PlatformInfo` per app run,
//! whose first `is_integrated_gpu()` prints `Is it Integrated GPU? : N` (as
//! the Python class prints CUDA's `integrated` field, 0 or 1), and whose
//! answers drive the sink and memory-type choices.
//!
//! The facts come from [`ds_core::app::PlatformInfo`]: CUDA's answer where
//! a driver is installed, the Jetson files otherwise (the open backend).
use ds_core::app::PlatformInfo as Facts;
use std::sync::OnceLock;

/// The platform questions the samples ask, answered once per process.
#[derive(Debug, Default)]
pub struct PlatformInfo {
    facts: OnceLock<Facts>,
    integrated_verified: OnceLock<bool>,
}

impl PlatformInfo {
    /// A fresh instance: nothing probed or printed yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// An instance answering from `facts` (tests).
    pub fn with_facts(facts: Facts) -> Self {
        let p = Self::default();
        let _ = p.facts.set(facts);
        p
    }

    fn facts(&self) -> &Facts {
        self.facts.get_or_init(|| *Facts::current())
    }

    /// Whether the GPU is integrated (Jetson). The first call prints the
    /// sample's `Is it Integrated GPU? : N` line.
    pub fn is_integrated_gpu(&self) -> bool {
        *self.integrated_verified.get_or_init(|| {
            let integrated = self.facts().is_integrated_gpu();
            println!("Is it Integrated GPU? : {}", integrated as i32);
            integrated
        })
    }

    /// Whether this is an aarch64 machine (`platform.uname()[4]`).
    pub fn is_platform_aarch64(&self) -> bool {
        self.facts().is_platform_aarch64()
    }

    /// Whether this is Windows Subsystem for Linux (`/proc/version`).
    pub fn is_wsl(&self) -> bool {
        self.facts().is_wsl()
    }
}
