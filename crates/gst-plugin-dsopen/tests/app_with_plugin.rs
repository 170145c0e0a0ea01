//! An application that links ds-open runs unchanged with the plugin on
//! `GST_PLUGIN_PATH`: deepstream-test1 prints the Python sample's lines
//! (its golden file) and nothing is registered twice, whether GStreamer
//! scans the plugin in a helper process (the default: the plugin is then
//! never loaded into the app) or inside the app (`GST_REGISTRY_FORK=no`:
//! the plugin registers the elements first and the app's
//! `ds_open::register()` defers to them, its probe reading their metadata
//! through its own copy of the implementation).
mod common;

use common::PluginDir;
use ds_testkit::golden::Golden;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The deepstream-test1 binary of this build (`target/<profile>/`), built
/// first when `cargo test` was not run for the workspace.
fn test1_binary() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let profile_dir = exe.parent().unwrap().parent().unwrap();
    let bin = profile_dir.join("deepstream-test1");
    if !bin.exists() {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let mut cmd = std::process::Command::new(cargo);
        cmd.args([
            "build",
            "-p",
            "deepstream-test1",
            "--bin",
            "deepstream-test1",
        ])
        .arg("--target-dir")
        .arg(profile_dir.parent().unwrap());
        if profile_dir.file_name().is_some_and(|p| p == "release") {
            cmd.arg("--release");
        }
        let status = cmd.status().expect("cargo build -p deepstream-test1");
        assert!(status.success(), "cargo build -p deepstream-test1 failed");
    }
    bin
}

fn golden() -> Golden {
    Golden::load(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../apps/deepstream-test1/tests/golden/stdout.txt"),
    )
}

/// A run of deepstream-test1 and the process id it ran as.
fn run_test1(in_process_scan: bool) -> (ds_testkit::Run, u32) {
    let dir = PluginDir::new(if in_process_scan { "app-noscan" } else { "app" });
    let sample = ds_testkit::sample("sample_720p_60.h264");
    let mut cmd = dir.command(test1_binary(), &[&sample]);
    // Plugin loading and type registration problems go to stderr.
    cmd.env("GST_DEBUG", "GST_PLUGIN_LOADING:4,GLib-GObject:2")
        .env("GST_DEBUG_NO_COLOR", "1");
    if in_process_scan {
        cmd.env("GST_REGISTRY_FORK", "no");
    }
    let child = cmd.spawn().expect("deepstream-test1");
    let pid = child.id();
    (
        ds_testkit::finish(child, Duration::from_secs(600), "deepstream-test1"),
        pid,
    )
}

/// Whether process `pid` (not the registry's scanner helper) logged
/// loading the plugin.
fn loaded_plugin_in(run: &ds_testkit::Run, pid: u32) -> bool {
    run.stderr.lines().any(|l| {
        l.split_whitespace().nth(1) == Some(&pid.to_string())
            && l.contains("libgstdsopen.so\" loaded")
    })
}

fn assert_runs_unchanged(run: &ds_testkit::Run) {
    assert!(run.status.success(), "{}", run.stderr);
    golden()
        .check(&run.stdout)
        .unwrap_or_else(|e| panic!("{e}\nstderr:\n{}", run.stderr));
    for bad in [
        "already been registered",
        "cannot register existing type",
        "CRITICAL",
    ] {
        assert!(
            !run.stderr.contains(bad),
            "'{bad}' in stderr:\n{}",
            run.stderr
        );
    }
    // Objects found on every frame: the probe reads the detector's meta.
    let frames = run
        .stdout
        .lines()
        .filter(|l| l.starts_with("Frame Number="))
        .count();
    assert_eq!(frames, 60, "{}", run.stdout);
}

#[test]
fn test1_runs_unchanged_with_the_plugin_on_the_path() {
    let (run, pid) = run_test1(false);
    assert_runs_unchanged(&run);
    // The app's own elements serve every factory: GStreamer never loads
    // the plugin into the app (only its scanner helper does).
    assert!(
        !loaded_plugin_in(&run, pid),
        "the plugin was loaded into the app:\n{}",
        run.stderr
    );
}

#[test]
fn test1_runs_unchanged_when_the_plugin_is_loaded_first() {
    let (run, pid) = run_test1(true);
    assert_runs_unchanged(&run);
    assert!(
        loaded_plugin_in(&run, pid),
        "the plugin was not loaded in-process:\n{}",
        run.stderr
    );
}
