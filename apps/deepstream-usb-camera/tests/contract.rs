//! NVIDIA's element contract: every property this app sets goes through
//! `ds_core::app::props`, exists on NVIDIA's 7.1 element with a compatible
//! type (the `ds-contract` tables), and was set on this backend.
use std::path::PathBuf;
use std::time::Duration;

fn root() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

#[test]
fn every_property_usb_camera_sets_is_in_nvidias_contract() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let _ = root();
    let (run, settings) = ds_testkit::contract::run_logged(
        env!("CARGO_BIN_EXE_deepstream-usb-camera"),
        &["--source", "test", "--num-buffers", "30", "--no-display"],
        Duration::from_secs(300),
        &dir.join("usbcam-props.log"),
    );
    assert!(run.status.success(), "{}", run.stderr);
    ds_testkit::contract::assert_settings_hold(
        &settings,
        &[
            ("nvstreammux", "batch-size"),
            ("nvinfer", "config-file-path"),
        ],
    );
}
