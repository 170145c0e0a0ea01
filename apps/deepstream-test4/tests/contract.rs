//! NVIDIA's element contract: every property this app sets goes through
//! `ds_core::app::props`, exists on NVIDIA's 7.1 element with a compatible
//! type (the `ds-contract` tables), and was set on this backend.
use std::path::PathBuf;
use std::time::Duration;

fn root() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

#[test]
fn every_property_test4_sets_is_in_nvidias_contract() {
    let sample = root().join("samples/sample_720p_60.h264");
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    // No broker listens on port 1: the run ends in an error after the
    // pipeline was built, which is all the property check needs.
    let (_run, settings) = ds_testkit::contract::run_logged(
        env!("CARGO_BIN_EXE_deepstream-test4"),
        &[
            "--no-display",
            "-i",
            sample.to_str().unwrap(),
            "-p",
            "libnvds_mqtt_proto.so",
            "--conn-str",
            "127.0.0.1;1",
        ],
        Duration::from_secs(300),
        &dir.join("test4-props.log"),
    );
    ds_testkit::contract::assert_settings_hold(
        &settings,
        &[
            ("nvmsgconv", "config"),
            ("nvmsgconv", "payload-type"),
            ("nvmsgbroker", "proto-lib"),
            ("nvmsgbroker", "conn-str"),
        ],
    );
}
