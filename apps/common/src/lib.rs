//! The plumbing the sample ports share, as NVIDIA's Python samples share
//! `apps/common/`: the platform questions and their `Is it Integrated GPU?`
//! line ([`platform`], `platform_info.py`), element creation ([`make`]), the
//! sink the sample picks for the platform ([`sink`]), running the pipeline
//! with Ctrl-C ([`pipeline`], `bus_call.py`), the samples' `usage:` line
//! and inputs as URIs ([`cli`]), argparse's exits for the samples that use
//! argparse ([`argparse`]) and the default configs.
//!
//! What each sample teaches — its pipeline and its probes — stays in that
//! app's own files, even where two apps look alike.
#![forbid(unsafe_code)]
use std::path::PathBuf;

pub mod argparse;
pub mod cli;
pub mod elements;
pub mod h264;
pub mod pipeline;
pub mod platform;
pub mod sink;

pub use argparse::Argparse;
pub use cli::{parse_args, to_uri};
pub use elements::make;
pub use h264::check_h264;
pub use pipeline::{exit_on_error, run};
pub use platform::PlatformInfo;
pub use sink::{mp4_tail, render_sink, Output};

/// Root of this repository at build time (for the default configs).
const WORKSPACE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

/// The folder of the default configs for the elements this process runs:
/// `configs/nvidia` (NVIDIA's release 1.2.0 sample configs: TrafficCamNet,
/// VehicleMake / VehicleTypes, NvDCF) when NVIDIA's elements run, i.e. on
/// the nvidia backend; `configs` (the open backend's detector and
/// classifiers) when the open elements run.
pub fn config_dir() -> &'static str {
    if ds_open::registers_open_elements() {
        "configs"
    } else {
        "configs/nvidia"
    }
}

/// The default config `name` (the sample's file name, e.g.
/// `dstest1_pgie_config.txt`) from [`config_dir`], found as
/// `ds_core::app::resource_path` finds files; `Err` names the missing path.
pub fn default_config(name: &str) -> Result<PathBuf, String> {
    let relative = format!("{}/{name}", config_dir());
    match ds_core::app::resource_path(&relative, WORKSPACE) {
        Some(p) if p.is_file() => Ok(p),
        _ => Err(format!("{relative}: no such config file")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_configs_follow_the_elements_that_run() {
        // This test runs on the open backend (or with the open elements).
        assert_eq!(config_dir(), "configs");
        let p = default_config("dstest1_pgie_config.txt").unwrap();
        assert!(
            p.ends_with("configs/dstest1_pgie_config.txt"),
            "{}",
            p.display()
        );
        let e = default_config("no_such_config.txt").unwrap_err();
        assert!(e.contains("configs/no_such_config.txt"), "{e}");
    }
}
