//! NVIDIA's element contract: every property this app sets goes through
//! `ds_core::app::props`, exists on NVIDIA's 7.1 element with a compatible
//! type (the `ds-contract` tables), and was set on this backend.
use std::time::Duration;

#[test]
fn every_property_test2_sets_is_in_nvidias_contract() {
    let settings = ds_testkit::contract::check_app(
        env!("CARGO_BIN_EXE_deepstream-test2"),
        &["--no-display", &ds_testkit::sample("sample_720p_60.h264")],
        Duration::from_secs(300),
        true,
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
