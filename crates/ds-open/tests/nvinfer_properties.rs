//! nvinfer's properties read before the element starts: as NVIDIA's nvinfer
//! parses its config file when `config-file-path` is set, reading
//! `batch-size` (which deepstream-test3 and -imagedata-multistream compare
//! with their number of sources) gives the config's value; a property set
//! by the app wins over the config.
use gstreamer as gst;
use gstreamer::prelude::*;

fn config(dir: &std::path::Path, batch_size: u32) -> std::path::PathBuf {
    let path = dir.join(format!("pgie-{batch_size}.txt"));
    std::fs::write(
        &path,
        format!(
            "[property]\nonnx-file=model.onnx\nbatch-size={batch_size}\ninterval=2\n\
             gie-unique-id=7\nnetwork-type=0\nnum-detected-classes=4\n"
        ),
    )
    .unwrap();
    path
}

#[test]
fn batch_size_comes_from_the_config_before_start() {
    ds_open::init().unwrap();
    let dir = std::env::temp_dir().join(format!("ds-open-nvinfer-props-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let pgie = gst::ElementFactory::make("nvinfer").build().unwrap();
    assert_eq!(pgie.property::<u32>("batch-size"), 1, "no config: default");
    pgie.set_property("config-file-path", config(&dir, 3).to_str().unwrap());
    assert_eq!(pgie.property::<u32>("batch-size"), 3);
    assert_eq!(pgie.property::<u32>("interval"), 2);
    assert_eq!(pgie.property::<u32>("unique-id"), 7);
    // Another config file: its values.
    pgie.set_property("config-file-path", config(&dir, 5).to_str().unwrap());
    assert_eq!(pgie.property::<u32>("batch-size"), 5);
    // The app's value wins, as the samples' override relies on.
    pgie.set_property("batch-size", 2u32);
    assert_eq!(pgie.property::<u32>("batch-size"), 2);
    // An unreadable config: defaults (the error is reported at start).
    let other = gst::ElementFactory::make("nvinfer").build().unwrap();
    other.set_property(
        "config-file-path",
        dir.join("missing.txt").to_str().unwrap(),
    );
    assert_eq!(other.property::<u32>("batch-size"), 1);
    std::fs::remove_dir_all(&dir).unwrap();
}
