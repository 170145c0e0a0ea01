//! `nvv4l2decoder`: H.264 / H.265 into NVMM NV12 buffers, picked by
//! `uridecodebin`, `drop-frame-interval`, errors.
use ds_core::planes::SurfaceRef;
use gstreamer as gst;
use gstreamer::prelude::*;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

fn sample(name: &str) -> PathBuf {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../samples")
        .join(name);
    assert!(
        p.is_file(),
        "{} is missing: run ci/samples.sh (ci/test.sh does) to make the sample streams",
        p.display()
    );
    p
}

/// What reached the sink: caps and (format, width, height, batch size) of
/// each buffer's surface.
#[derive(Default)]
struct Seen {
    caps: Option<gst::Caps>,
    frames: Vec<(ds_sys::NvBufSurfaceColorFormat, u32, u32, u32)>,
}

/// Runs `desc` (its last element named `sink`, a fakesink) to the end;
/// returns what the sink got, or the error message.
fn run(desc: &str) -> Result<Seen, String> {
    ds_open::init().unwrap();
    let pipeline = gst::parse::launch(desc)
        .unwrap()
        .downcast::<gst::Pipeline>()
        .unwrap();
    let seen = Arc::new(Mutex::new(Seen::default()));
    let s = seen.clone();
    let sink = pipeline.by_name("sink").unwrap();
    sink.static_pad("sink")
        .unwrap()
        .add_probe(gst::PadProbeType::BUFFER, move |pad, info| {
            if let Some(gst::PadProbeData::Buffer(buffer)) = info.data.as_ref() {
                let mut s = s.lock().unwrap();
                if s.caps.is_none() {
                    s.caps = pad.current_caps();
                }
                let surface = SurfaceRef::from_buffer(buffer).expect("an NvBufSurface buffer");
                let frame = surface.frame(0).unwrap();
                s.frames.push((
                    frame.format(),
                    frame.width(),
                    frame.height(),
                    surface.batch_size(),
                ));
            }
            gst::PadProbeReturn::Ok
        });
    let result = ds_core::app::run(&pipeline).map_err(|e| e.to_string());
    pipeline.set_state(gst::State::Null).unwrap();
    result?;
    let seen = std::mem::take(&mut *seen.lock().unwrap());
    Ok(seen)
}

#[test]
fn h264_decodes_into_nvmm_nv12() {
    let seen = run(&format!(
        "filesrc location=\"{}\" ! h264parse ! nvv4l2decoder ! identity eos-after=10 ! \
         fakesink name=sink sync=false",
        sample("sample_720p.h264").display()
    ))
    .unwrap();
    let caps = seen.caps.unwrap();
    assert!(ds_open::caps::caps_are_nvmm(&caps), "{caps}");
    let s = caps.structure(0).unwrap();
    assert_eq!(s.get::<&str>("format").unwrap(), "NV12");
    assert!(seen.frames.len() >= 10, "{} frames", seen.frames.len());
    for f in &seen.frames {
        assert_eq!(*f, (ds_sys::NVBUF_COLOR_FORMAT_NV12, 1280, 720, 1));
    }
}

#[test]
fn h265_decodes_too() {
    ds_open::init().unwrap();
    if gst::ElementFactory::find("x265enc").is_none() {
        eprintln!("x265enc missing: H.265 input is made with x265enc (gstreamer1.0-plugins-bad)");
        return;
    }
    let seen = run(
        "videotestsrc num-buffers=12 ! video/x-raw,width=320,height=240,format=I420 ! x265enc ! \
         h265parse ! video/x-h265,stream-format=byte-stream,alignment=au ! nvv4l2decoder ! \
         fakesink name=sink sync=false",
    )
    .unwrap();
    assert_eq!(seen.frames.len(), 12);
    assert!(seen
        .frames
        .iter()
        .all(|f| *f == (ds_sys::NVBUF_COLOR_FORMAT_NV12, 320, 240, 1)));
}

#[test]
fn uridecodebin_picks_it_and_outputs_nvmm() {
    ds_open::init().unwrap();
    let uri = gst::glib::filename_to_uri(sample("sample_720p.mp4"), None).unwrap();
    let pipeline = gst::Pipeline::new();
    let src = gst::ElementFactory::make("uridecodebin")
        .property("uri", uri.as_str())
        .build()
        .unwrap();
    let sink = gst::ElementFactory::make("fakesink")
        .property("sync", false)
        .build()
        .unwrap();
    pipeline.add_many([&src, &sink]).unwrap();
    let nvmm = Arc::new(Mutex::new(None));
    let n = nvmm.clone();
    let sink_weak = sink.downgrade();
    src.connect_pad_added(move |_, pad| {
        let caps = pad.current_caps().unwrap_or_else(|| pad.query_caps(None));
        *n.lock().unwrap() = Some(ds_open::caps::caps_are_nvmm(&caps));
        let sink = sink_weak.upgrade().unwrap();
        pad.link(&sink.static_pad("sink").unwrap()).unwrap();
    });
    let counted = Arc::new(Mutex::new(0u32));
    let c = counted.clone();
    let pl = pipeline.downgrade();
    sink.static_pad("sink")
        .unwrap()
        .add_probe(gst::PadProbeType::BUFFER, move |_, _| {
            let mut c = c.lock().unwrap();
            *c += 1;
            if *c == 5 {
                if let Some(p) = pl.upgrade() {
                    p.send_event(gst::event::Eos::new());
                }
            }
            gst::PadProbeReturn::Ok
        });
    ds_core::app::run(&pipeline).unwrap();
    pipeline.set_state(gst::State::Null).unwrap();
    assert_eq!(
        *nvmm.lock().unwrap(),
        Some(true),
        "decodebin picked nvv4l2decoder"
    );
    assert!(*counted.lock().unwrap() >= 5);
}

#[test]
fn drop_frame_interval_keeps_every_nth_frame() {
    let seen = run(
        "videotestsrc num-buffers=20 ! video/x-raw,width=160,height=120,format=I420 ! \
         x264enc key-int-max=5 ! h264parse ! video/x-h264,stream-format=byte-stream,alignment=au ! \
         nvv4l2decoder drop-frame-interval=5 ! fakesink name=sink sync=false",
    )
    .unwrap();
    assert_eq!(seen.frames.len(), 4);
}

#[test]
fn corrupt_stream_is_an_error_not_a_hang() {
    let junk = std::env::temp_dir().join(format!("ds-open-junk-{}.h264", std::process::id()));
    std::fs::write(&junk, b"this is not an H.264 stream at all".repeat(1000)).unwrap();
    let r = run(&format!(
        "filesrc location=\"{}\" ! h264parse ! nvv4l2decoder ! fakesink name=sink sync=false",
        junk.display()
    ));
    std::fs::remove_file(&junk).ok();
    // h264parse finds no NAL units: the stream ends without frames, or
    // with an error; either way the pipeline ends and nothing is decoded.
    match r {
        Ok(seen) => assert!(seen.frames.is_empty()),
        Err(e) => assert!(!e.is_empty()),
    }
}
