//! The other order: an application registered the open elements (static
//! registration, `ds_open::init()`), then GStreamer loads the plugin: it
//! adds no feature, so each factory is the application's, once.
mod common;

use gstreamer as gst;
use gstreamer::prelude::*;

#[test]
fn the_plugin_loaded_after_the_application_adds_nothing() {
    ds_open::init().unwrap();
    let plugin = gst::Plugin::load_file(common::plugin()).expect("load libgstdsopen.so");
    assert_eq!(plugin.plugin_name(), "dsopen");
    let features = gst::Registry::get().features_by_plugin("dsopen");
    assert!(
        features.is_empty(),
        "the plugin registered {:?}",
        features.iter().map(|f| f.name()).collect::<Vec<_>>()
    );
    for (name, _) in ds_open::ELEMENTS
        .iter()
        .filter(|(n, _)| n.starts_with("nv"))
    {
        let factory = gst::ElementFactory::find(name).expect("registered");
        assert!(factory.plugin().is_none(), "{name} is the plugin's");
        factory.create().build().expect("it makes an element");
    }
}
