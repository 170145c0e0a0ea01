//! NVIDIA's element contract: every property this app sets goes through
//! `ds_core::app::props`, exists on NVIDIA's 7.1 element with a compatible
//! type (the `ds-contract` tables), and was set on this backend.
use std::path::PathBuf;
use std::time::Duration;

fn root() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

#[test]
fn every_property_test1_sets_is_in_nvidias_contract() {
    let sample = root().join("samples/sample_720p_60.h264");
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let mp4 = dir.join("contract-test1.mp4");
    let bin = env!("CARGO_BIN_EXE_deepstream-test1");
    let s = sample.to_str().unwrap();
    let (run, mut settings) = ds_testkit::contract::run_logged(
        bin,
        &["--no-display", s],
        Duration::from_secs(300),
        &dir.join("test1-props.log"),
    );
    assert!(run.status.success(), "{}", run.stderr);
    let (run, more) = ds_testkit::contract::run_logged(
        bin,
        &["--output", mp4.to_str().unwrap(), s],
        Duration::from_secs(300),
        &dir.join("test1-props-mp4.log"),
    );
    assert!(run.status.success(), "{}", run.stderr);
    settings.extend(more);
    ds_testkit::contract::assert_settings_hold(
        &settings,
        &[
            ("nvstreammux", "width"),
            ("nvstreammux", "height"),
            ("nvstreammux", "batch-size"),
            ("nvstreammux", "batched-push-timeout"),
            ("nvinfer", "config-file-path"),
        ],
    );
}
