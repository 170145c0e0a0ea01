//! NVIDIA's element contract: every property this app sets goes through
//! `ds_core::app::props`, exists on NVIDIA's 7.1 element with a compatible
//! type (the `ds-contract` tables), and was set on this backend.
use std::time::Duration;

#[test]
fn every_property_test1_sets_is_in_nvidias_contract() {
    let bin = env!("CARGO_BIN_EXE_deepstream-test1");
    let s = ds_testkit::sample("sample_720p_60.h264");
    let limit = Duration::from_secs(300);
    let expected = [
        ("nvstreammux", "width"),
        ("nvstreammux", "height"),
        ("nvstreammux", "batch-size"),
        ("nvstreammux", "batched-push-timeout"),
        ("nvinfer", "config-file-path"),
    ];
    ds_testkit::contract::check_app(bin, &["--no-display", &s], limit, true, &expected);
    // The MP4 branch sets the encoder's and muxer's properties too.
    let mp4 = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("contract-test1.mp4");
    let args = ["--output", mp4.to_str().unwrap(), &s];
    ds_testkit::contract::check_app(bin, &args, limit, true, &expected);
}
