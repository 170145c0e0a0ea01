//! NVIDIA's element contract: every property this app sets goes through
//! `ds_core::app::props`, exists on NVIDIA's 7.1 element with a compatible
//! type (the `ds-contract` tables), and was set on this backend.
use std::time::Duration;

#[test]
fn every_property_test4_sets_is_in_nvidias_contract() {
    // No broker listens on port 1: the run ends in an error after the
    // pipeline was built, which is all the property check needs.
    let s = ds_testkit::sample("sample_720p_60.h264");
    ds_testkit::contract::check_app(
        env!("CARGO_BIN_EXE_deepstream-test4"),
        &[
            "--no-display",
            "-i",
            &s,
            "-p",
            "libnvds_mqtt_proto.so",
            "--conn-str",
            "127.0.0.1;1",
        ],
        Duration::from_secs(300),
        false,
        &[
            ("nvmsgconv", "config"),
            ("nvmsgconv", "payload-type"),
            ("nvmsgbroker", "proto-lib"),
            ("nvmsgbroker", "conn-str"),
        ],
    );
}
