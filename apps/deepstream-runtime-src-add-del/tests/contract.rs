//! NVIDIA's element contract: every property this app sets goes through
//! `ds_core::app::props`, exists on NVIDIA's 7.1 element with a compatible
//! type (the `ds-contract` tables), and was set on this backend.
use std::time::Duration;

#[test]
fn every_property_the_app_sets_is_in_nvidias_contract() {
    let uri = format!("file://{}", ds_testkit::sample("sample_720p.mp4"));
    ds_testkit::contract::check_app(
        env!("CARGO_BIN_EXE_deepstream-rt-src-add-del"),
        &[&uri, "--interval-ms", "300", "--seed", "5"],
        Duration::from_secs(600),
        true,
        &[
            ("nvstreammux", "batch-size"),
            ("nvstreammux", "live-source"),
            ("nvinfer", "batch-size"),
            ("nvtracker", "tracker-width"),
            ("nvmultistreamtiler", "rows"),
        ],
    );
}
