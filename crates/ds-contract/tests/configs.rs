//! NVIDIA's config contract: every key of every config file in `configs/`
//! that one of NVIDIA's components reads is a documented DeepStream 7.1 key
//! of that component (`data/config/*.toml`), or — in the open backend's
//! configs only — a key listed as open-only. The nvidia backend's configs
//! (`configs/nvidia/`) carry documented keys alone.
use ds_contract::{config, keyfile_keys, yaml_keys, KeyStatus};
use std::path::{Path, PathBuf};

fn configs_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../configs"))
}

/// Which component reads a config file (by name); `None`: not a file a
/// NVIDIA component reads (labels, READMEs).
fn component(name: &str) -> Option<&'static str> {
    Some(match name {
        n if n.ends_with("_pgie_config.txt")
            || n.contains("_sgie")
            || n == "dstest_imagedata_config.txt"
            || n == "dstest_ssd_nopostprocess.txt" =>
        {
            "nvinfer"
        }
        n if n.ends_with("tracker_config.txt") => "nvtracker",
        n if n.starts_with("config_tracker_") && n.ends_with(".yml") => "nvmultiobjecttracker",
        n if n.ends_with("msgconv_config.txt") => "nvmsgconv",
        "cfg_mqtt.txt" => "msgbroker-mqtt",
        "cfg_redis.txt" => "msgbroker-redis",
        "cfg_amqp.txt" => "msgbroker-amqp",
        "cfg_kafka.txt" => "msgbroker-kafka",
        n if n.starts_with("labels") || n.ends_with(".md") => return None,
        other => panic!("configs: no component known for {other}: add it to this test"),
    })
}

type Key = (String, String, String, usize, KeyStatus);

/// `(file, group, key, line, status)` of every key in `dir`'s config files.
fn keys_in(dir: &Path) -> Vec<Key> {
    let mut out = Vec::new();
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    names.sort();
    for path in names {
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        let Some(comp) = component(&name) else {
            continue;
        };
        let contract = config(comp).unwrap_or_else(|| panic!("no contract for {comp}"));
        let text = std::fs::read_to_string(&path).unwrap();
        let keys = if contract.format == "yaml" {
            yaml_keys(&text)
        } else {
            keyfile_keys(&text)
        };
        assert!(
            !keys.is_empty() || name == "cfg_redis.txt",
            "{name}: no keys read"
        );
        for k in keys {
            assert!(
                contract.knows_group(&k.group),
                "{name}:{}: group [{}] is not one {comp} reads",
                k.line,
                k.group
            );
            let status = contract.status(&k.group, &k.key);
            out.push((name.clone(), k.group, k.key, k.line, status));
        }
    }
    out
}

#[test]
fn nvidia_backend_configs_use_only_documented_7_1_keys() {
    let keys = keys_in(&configs_dir().join("nvidia"));
    assert!(keys.len() > 50, "only {} keys found", keys.len());
    let bad: Vec<String> = keys
        .iter()
        .filter(|k| k.4 != KeyStatus::Documented)
        .map(|(f, g, k, l, s)| format!("configs/nvidia/{f}:{l}: [{g}] {k} is {s:?}"))
        .collect();
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn open_backend_configs_use_documented_or_listed_open_only_keys() {
    let keys = keys_in(&configs_dir());
    assert!(keys.len() > 40, "only {} keys found", keys.len());
    let bad: Vec<String> = keys
        .iter()
        .filter(|k| k.4 == KeyStatus::Unknown)
        .map(|(f, g, k, l, _)| {
            format!("configs/{f}:{l}: [{g}] {k} is neither a 7.1 key nor open-only")
        })
        .collect();
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// The open backend's detector configs need no open-only key either: the
/// parser library (custom-lib-path) maps COCO onto the samples' classes.
#[test]
fn open_backend_detector_configs_use_only_documented_7_1_keys() {
    let keys = keys_in(&configs_dir());
    let detector = |f: &str| {
        f.ends_with("_pgie_config.txt")
            || f == "dstest_imagedata_config.txt"
            || f == "dstest_ssd_nopostprocess.txt"
    };
    assert!(keys.iter().filter(|k| detector(&k.0)).count() > 5 * 15);
    let bad: Vec<String> = keys
        .iter()
        .filter(|k| detector(&k.0) && k.4 != KeyStatus::Documented)
        .map(|(f, g, k, l, s)| format!("configs/{f}:{l}: [{g}] {k} is {s:?}"))
        .collect();
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn an_undocumented_key_is_caught() {
    let nvinfer = config("nvinfer").unwrap();
    assert_eq!(
        nvinfer.status("property", "onnx-file"),
        KeyStatus::Documented
    );
    assert_eq!(nvinfer.status("property", "class-map"), KeyStatus::OpenOnly);
    assert_eq!(
        nvinfer.status("property", "no-such-key"),
        KeyStatus::Unknown
    );
    assert_eq!(
        nvinfer.status("class-attrs-3", "pre-cluster-threshold"),
        KeyStatus::Documented
    );
    let tracker = config("nvtracker").unwrap();
    assert_eq!(
        tracker.status("tracker", "enable-past-frame"),
        KeyStatus::Unknown
    );
}

/// The stock config of every sample config the apps read exists.
#[test]
fn every_sample_config_has_an_nvidia_twin() {
    let nvidia = configs_dir().join("nvidia");
    for name in [
        "dstest1_pgie_config.txt",
        "dstest2_pgie_config.txt",
        "dstest2_sgie1_config.txt",
        "dstest2_sgie2_config.txt",
        "dstest2_tracker_config.txt",
        "config_tracker_NvDCF_perf.yml",
        "dstest3_pgie_config.txt",
        "dstest4_pgie_config.txt",
        "dstest4_msgconv_config.txt",
        "cfg_kafka.txt",
        "cfg_mqtt.txt",
        "cfg_redis.txt",
        "cfg_amqp.txt",
        "dstest_imagedata_config.txt",
        "dstest_ssd_nopostprocess.txt",
        "ds_demux_pgie_config.txt",
        "dstest_pgie_config.txt",
        "dstest_sgie1_config.txt",
        "dstest_sgie2_config.txt",
        "dstest_tracker_config.txt",
    ] {
        assert!(
            nvidia.join(name).is_file(),
            "configs/nvidia/{name} is missing"
        );
    }
}
