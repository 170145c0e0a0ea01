//! NVIDIA's element contract: every property this app sets goes through
//! `ds_core::app::props`, exists on NVIDIA's 7.1 element with a compatible
//! type (the `ds-contract` tables), and was set on this backend.
use std::path::PathBuf;
use std::time::Duration;

fn root() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

#[test]
fn every_property_test2_sets_is_in_nvidias_contract() {
    let sample = root().join("samples/sample_720p_60.h264");
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let (run, settings) = ds_testkit::contract::run_logged(
        env!("CARGO_BIN_EXE_deepstream-test2"),
        &["--no-display", sample.to_str().unwrap()],
        Duration::from_secs(300),
        &dir.join("test2-props.log"),
    );
    assert!(run.status.success(), "{}", run.stderr);
    ds_testkit::contract::assert_settings_hold(
        &settings,
        &[
            ("nvtracker", "tracker-width"),
            ("nvtracker", "tracker-height"),
            ("nvtracker", "ll-lib-file"),
            ("nvtracker", "ll-config-file"),
            ("nvinfer", "config-file-path"),
        ],
    );
    // The sample sets no removed tracker property (gone since 6.3).
    assert!(
        !settings.iter().any(|s| s.property.starts_with("enable-")),
        "{settings:#?}"
    );
}
