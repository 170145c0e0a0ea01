//! One metadata implementation per process, in-process: GStreamer loads
//! the plugin (its own copy of ds-open and ds-sys) into a process that
//! links ds-core too; the plugin registers the elements, the process's
//! `ds_open::register()` then defers, every factory exists once, and this
//! process reads the batch, frame and object meta that the plugin's
//! elements attach through its own ds-core (one NvDsMeta GstMeta type).
//! One test: the order of the registrations is the point.
mod common;

use gstreamer as gst;
use gstreamer::prelude::*;
use std::sync::{Arc, Mutex};

#[test]
fn the_plugin_loaded_first_serves_the_process_with_one_meta_type() {
    gst::init().unwrap();
    let plugin = gst::Plugin::load_file(common::plugin()).expect("load libgstdsopen.so");
    assert_eq!(plugin.plugin_name(), "dsopen");
    // Ours defers: the elements exist already.
    ds_open::register().unwrap();
    assert!(ds_open::elements_registered_in_process());
    for (name, _) in ds_open::ELEMENTS
        .iter()
        .filter(|(n, _)| n.starts_with("nv"))
    {
        let found: Vec<_> = gst::Registry::get()
            .features(gst::ElementFactory::static_type())
            .into_iter()
            .filter(|f| f.name() == *name)
            .collect();
        assert_eq!(found.len(), 1, "{name} registered {} times", found.len());
        assert_eq!(
            found[0].plugin().map(|p| p.plugin_name().to_string()),
            Some("dsopen".to_string()),
            "{name} is not the plugin's"
        );
    }
    // The plugin's copy of the implementation registered NvDsMeta; ours
    // finds that type rather than registering a second one.
    let api = gst::glib::Type::from_name("NvDsMetaAPI");

    let sample = ds_testkit::sample("sample_720p_60.h264");
    let config = common::repo().join("configs/dstest1_pgie_config.txt");
    let pipeline = gst::parse::launch(&format!(
        "filesrc location={sample} ! h264parse ! nvv4l2decoder ! m.sink_0 \
         nvstreammux name=m batch-size=1 width=1280 height=720 ! \
         nvinfer name=pgie config-file-path={} ! fakesink name=sink",
        config.display()
    ))
    .unwrap()
    .downcast::<gst::Pipeline>()
    .unwrap();
    let seen = Arc::new(Mutex::new((0usize, 0usize)));
    let s = seen.clone();
    pipeline
        .by_name("sink")
        .unwrap()
        .static_pad("sink")
        .unwrap()
        .add_probe(gst::PadProbeType::BUFFER, move |_, info| {
            if let Some(buf) = info.buffer() {
                let batch = ds_core::meta::BatchMeta::from_buffer(buf)
                    .expect("this process's ds-core finds the plugin's batch meta");
                let mut s = s.lock().unwrap();
                for frame in batch.frames() {
                    s.0 += 1;
                    s.1 += frame.objects().count();
                }
            }
            gst::PadProbeReturn::Ok
        });
    pipeline.set_state(gst::State::Playing).unwrap();
    let bus = pipeline.bus().unwrap();
    let msg = bus
        .timed_pop_filtered(
            gst::ClockTime::from_seconds(300),
            &[gst::MessageType::Eos, gst::MessageType::Error],
        )
        .expect("the pipeline ends");
    pipeline.set_state(gst::State::Null).unwrap();
    assert_eq!(msg.type_(), gst::MessageType::Eos, "{msg:?}");
    let (frames, objects) = *seen.lock().unwrap();
    assert_eq!(frames, 60);
    assert!(objects > 60, "only {objects} objects in 60 frames");
    assert_eq!(
        gst::glib::Type::from_name("NvDsMetaAPI"),
        api.or(gst::glib::Type::from_name("NvDsMetaAPI")),
        "one NvDsMetaAPI type"
    );
}
