//! The PyGObject example (`python/deepstream_test_1.py`) builds test1's
//! pipeline from the plugin's elements and counts every frame in its probe.
mod common;

use common::PluginDir;
use std::path::Path;
use std::time::Duration;

/// Debian's interpreter, where python3-gi lives (a `python3` earlier on
/// `PATH`, e.g. pyenv's, may lack it).
fn python() -> &'static str {
    if Path::new("/usr/bin/python3").exists() {
        "/usr/bin/python3"
    } else {
        "python3"
    }
}

#[test]
fn the_python_example_counts_every_frame() {
    let dir = PluginDir::new("python");
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("python/deepstream_test_1.py");
    let sample = ds_testkit::sample("sample_720p_60.h264");
    let mp4 = dir.scratch().join("test1-py.mp4");
    let run = ds_testkit::finish(
        dir.command(
            python(),
            &[
                &example.display().to_string(),
                &sample,
                &mp4.display().to_string(),
            ],
        )
        .spawn()
        .expect("python3"),
        Duration::from_secs(600),
        "the Python example",
    );
    assert!(run.status.success(), "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("End-of-stream"), "{}", run.stdout);
    assert!(run.stdout.contains("\nFrames: 60\n"), "{}", run.stdout);
    assert_eq!(common::Frames::open(&mp4, None).count(), 60);
}

#[test]
fn the_python_example_names_a_missing_file() {
    let dir = PluginDir::new("python-missing");
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("python/deepstream_test_1.py");
    let run = ds_testkit::finish(
        dir.command(python(), &[&example.display().to_string(), "no/such.h264"])
            .spawn()
            .expect("python3"),
        Duration::from_secs(120),
        "the Python example",
    );
    assert_eq!(run.status.code(), Some(1));
    assert_eq!(run.stderr.trim(), "Error: no/such.h264: no such file");
}
