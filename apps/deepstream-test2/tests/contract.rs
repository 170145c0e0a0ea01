//! NVIDIA's element contract: every property this app sets goes through
//! `ds_core::app::props`, exists on NVIDIA's 7.1 element with a compatible
//! type (the `ds-contract` tables), and was set on this backend; the muxer
//! gets the sample's values whatever `USE_NEW_NVSTREAMMUX` says.
use ds_testkit::contract;
use std::time::Duration;

#[test]
fn every_property_test2_sets_is_in_nvidias_contract() {
    let sample = ds_testkit::sample("sample_720p_60.h264");
    let log =
        std::env::temp_dir().join(format!("deepstream-test2-{}-props.log", std::process::id()));
    let _ = std::fs::remove_file(&log);
    // Release 1.2.0 of the sample (unlike test1's) sets the muxer's
    // properties without looking at USE_NEW_NVSTREAMMUX: set, it changes
    // nothing.
    let mut cmd = ds_testkit::command(
        env!("CARGO_BIN_EXE_deepstream-test2"),
        &["--no-display", &sample],
    );
    cmd.env(ds_core::app::props::PROPERTY_LOG_ENV, &log)
        .env("USE_NEW_NVSTREAMMUX", "yes");
    let child = cmd.spawn().expect("deepstream-test2 starts");
    let run = ds_testkit::finish(child, Duration::from_secs(600), "deepstream-test2");
    let settings = contract::read_log(&log);
    let _ = std::fs::remove_file(&log);
    assert!(run.status.success(), "{}", run.stderr);
    contract::assert_settings_hold(
        &settings,
        &[
            ("nvtracker", "tracker-width"),
            ("nvtracker", "tracker-height"),
            ("nvtracker", "gpu-id"),
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
    // The sample's muxer values (MUXER_BATCH_TIMEOUT_USEC = 33000).
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
    // The pgie runs test2's own config, the sgies theirs.
    let configs = value("nvinfer", "config-file-path");
    assert_eq!(configs.len(), 3, "{configs:?}");
    for (config, name) in configs.iter().zip([
        "dstest2_pgie_config.txt",
        "dstest2_sgie1_config.txt",
        "dstest2_sgie2_config.txt",
    ]) {
        assert!(config.ends_with(&format!("configs/{name}")), "{config}");
    }
}
