//! NVIDIA's element contract: every property this app sets goes through
//! `ds_core::app::props`, exists on NVIDIA's 7.1 element with a compatible
//! type (the `ds-contract` tables), and was set on this backend.
use std::time::Duration;

#[test]
fn every_property_usb_camera_sets_is_in_nvidias_contract() {
    ds_testkit::contract::check_app(
        env!("CARGO_BIN_EXE_deepstream-usb-camera"),
        &["--source", "test", "--num-buffers", "30", "--no-display"],
        Duration::from_secs(300),
        true,
        &[
            ("nvstreammux", "batch-size"),
            ("nvinfer", "config-file-path"),
        ],
    );
}
