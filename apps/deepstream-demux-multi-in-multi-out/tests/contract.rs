//! NVIDIA's element contract: every property this app sets goes through
//! `ds_core::app::props`, exists on NVIDIA's 7.1 element with a compatible
//! type (the `ds-contract` tables), and was set on this backend.
use std::time::Duration;

#[test]
fn every_property_the_app_sets_is_in_nvidias_contract() {
    let uri = format!("file://{}", ds_testkit::sample("sample_720p_60.h264"));
    ds_testkit::contract::check_app(
        env!("CARGO_BIN_EXE_deepstream-demux-multi-in-multi-out"),
        &["-i", &uri, &uri],
        Duration::from_secs(600),
        true,
        &[
            ("nvstreammux", "batch-size"),
            ("nvstreammux", "width"),
            ("nvdsosd", "process-mode"),
            ("nvdsosd", "display-text"),
        ],
    );
}
