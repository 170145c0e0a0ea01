//! Sinks and encoders in a changed environment (own test binary, since it
//! changes process-wide state): with `DISPLAY` set, `nveglglessink` builds
//! its display chain; without `x264enc`, `nvv4l2h264enc` fails with a clear
//! error when it starts.
use gst::prelude::*;
use gstreamer as gst;

#[test]
fn display_chain_and_missing_encoder() {
    // Before any element exists and with no other test in this binary.
    std::env::set_var("DISPLAY", ":4242");
    ds_open::init().unwrap();

    // 1. A display is announced: download ! video/x-raw ! videoconvert !
    //    autovideosink (not started: no X server runs here).
    let sink = gst::ElementFactory::make("nveglglessink")
        .build()
        .unwrap()
        .downcast::<gst::Bin>()
        .unwrap();
    let mut names: Vec<String> = sink
        .iterate_elements()
        .into_iter()
        .map(|e| e.unwrap().name().to_string())
        .collect();
    names.sort();
    assert_eq!(names, ["download", "sysmem", "videoconvert", "videosink"]);
    let videosink = sink.by_name("videosink").unwrap();
    assert_eq!(videosink.factory().unwrap().name(), "autovideosink");
    sink.set_property("sync", false);
    assert!(!videosink.property::<bool>("sync"));

    // 2. x264enc is not installed (removed from the registry): the element
    //    is created and links, but READY fails with a message naming it.
    let registry = gst::Registry::get();
    let feature = registry
        .lookup_feature("x264enc")
        .expect("x264enc installed");
    registry.remove_feature(&feature);
    assert!(gst::ElementFactory::find("x264enc").is_none());

    let pipeline = gst::parse::launch("videotestsrc num-buffers=1 ! nvv4l2h264enc ! fakesink")
        .unwrap()
        .downcast::<gst::Pipeline>()
        .unwrap();
    assert!(pipeline.set_state(gst::State::Playing).is_err());
    let msg = pipeline
        .bus()
        .unwrap()
        .timed_pop_filtered(gst::ClockTime::from_seconds(5), &[gst::MessageType::Error])
        .expect("an error message");
    let gst::MessageView::Error(err) = msg.view() else {
        unreachable!()
    };
    let text = err.error().to_string();
    assert!(
        text.contains("nvv4l2h264enc")
            && text.contains("'x264enc'")
            && text.contains("plugins-ugly"),
        "{text}"
    );
    assert!(err.error().matches(gst::CoreError::MissingPlugin));
    pipeline.set_state(gst::State::Null).unwrap();
}
