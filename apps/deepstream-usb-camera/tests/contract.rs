//! NVIDIA's element contract: every property this app sets goes through
//! `ds_core::app::props`, exists on NVIDIA's 7.1 element with a compatible
//! type (the `ds-contract` tables), and was set on this backend; and the
//! properties are the sample's, with its values.
use std::time::Duration;

#[test]
fn every_property_usb_camera_sets_is_in_nvidias_contract() {
    let settings = ds_testkit::contract::check_app(
        env!("CARGO_BIN_EXE_deepstream-usb-camera"),
        &["--source", "test", "--num-buffers", "30"],
        Duration::from_secs(300),
        true,
        &[
            ("nvstreammux", "batch-size"),
            ("nvinfer", "config-file-path"),
        ],
    );
    let value = |factory: &str, property: &str| {
        settings
            .iter()
            .filter(|s| s.factory == factory && s.property == property && s.outcome == "set")
            .map(|s| s.value.as_str())
            .collect::<Vec<_>>()
    };
    assert_eq!(value("nvstreammux", "width"), ["1920"]);
    assert_eq!(value("nvstreammux", "height"), ["1080"]);
    assert_eq!(value("nvstreammux", "batch-size"), ["1"]);
    assert_eq!(value("nvstreammux", "batched-push-timeout"), ["33000"]);
    // The sample leaves live-source alone.
    assert!(
        value("nvstreammux", "live-source").is_empty(),
        "{settings:#?}"
    );
    // The sample's caps (after the stand-in source's own 640x480 caps),
    // and sync=False on its sink.
    let caps = value("capsfilter", "caps");
    assert!(
        caps.ends_with(&[
            "video/x-raw, framerate=(fraction)30/1",
            "video/x-raw(memory:NVMM)"
        ]),
        "{caps:?}"
    );
    assert_eq!(value("nveglglessink", "sync"), ["FALSE"], "{settings:#?}");
    let configs = value("nvinfer", "config-file-path");
    assert_eq!(configs.len(), 1);
    assert!(
        configs[0].ends_with("configs/dstest1_pgie_config.txt"),
        "{configs:?}"
    );
}
