//! Sinks and encoders: `nveglglessink` runs headless without a display;
//! `nvv4l2h264enc` / `nvv4l2h265enc` turn NVMM batches into streams that
//! decode back to the same frames.
use ds_core::surface::SurfaceBatch;
use ds_core::OwnedBatchMeta;
use ds_open::convert::{fill_rect, ImageMut, PixelFormat, Rect};
use gst::prelude::*;
use gstreamer as gst;
use std::path::{Path, PathBuf};
use std::sync::Once;

const W: u32 = 320;
const H: u32 = 240;

/// Removes the display variables (before any element is created, once,
/// while every other test waits on the `Once`) and initialises.
fn setup() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        std::env::remove_var("DISPLAY");
        std::env::remove_var("WAYLAND_DISPLAY");
        ds_open::init().unwrap();
    });
}

fn colour(i: u32) -> [u8; 3] {
    [(i * 8) as u8, 255 - (i * 8) as u8, 128]
}

/// NVMM batch of one `format` frame in `colour(i)`, PTS i/30 s, with a
/// batch meta.
fn frame(format: PixelFormat, i: u32) -> gst::Buffer {
    let mut batch = SurfaceBatch::new(1, W, H, format.nvbuf()).unwrap();
    batch.set_num_filled(1).unwrap();
    {
        let mut planes = batch.planes_mut(0).unwrap();
        let mut img = ImageMut::from_planes(&mut planes).unwrap();
        fill_rect(&mut img, Rect::new(0, 0, W, H), colour(i));
    }
    let mut buffer = batch.into_buffer();
    let b = buffer.get_mut().unwrap();
    let dur = gst::ClockTime::SECOND / 30;
    b.set_pts(dur * u64::from(i));
    b.set_duration(dur);
    let mut meta = OwnedBatchMeta::new(1).unwrap();
    meta.new_frame().unwrap().set_frame_num(i as i32);
    meta.attach(b).unwrap();
    buffer
}

fn nvmm_caps(format: PixelFormat) -> gst::Caps {
    gst::Caps::builder("video/x-raw")
        .features([ds_open::caps::NVMM])
        .field("format", format.caps_name())
        .field("width", W as i32)
        .field("height", H as i32)
        .field("framerate", gst::Fraction::new(30, 1))
        .build()
}

/// Builds `appsrc name=src ! <rest>`, pushes `n` frames and EOS, and waits
/// for EOS (panics on an error message).
fn run_appsrc(rest: &str, format: PixelFormat, n: u32) -> gst::Pipeline {
    let pipeline = gst::parse::launch(&format!("appsrc name=src format=time ! {rest}"))
        .unwrap()
        .downcast::<gst::Pipeline>()
        .unwrap();
    let src = pipeline.by_name("src").unwrap();
    src.set_property("caps", nvmm_caps(format));
    pipeline.set_state(gst::State::Playing).unwrap();
    for i in 0..n {
        let r = src.emit_by_name::<gst::FlowReturn>("push-buffer", &[&frame(format, i)]);
        assert_eq!(r, gst::FlowReturn::Ok, "push {i}");
    }
    let _ = src.emit_by_name::<gst::FlowReturn>("end-of-stream", &[]);
    wait_eos(&pipeline);
    pipeline
}

fn wait_eos(pipeline: &gst::Pipeline) {
    let msg = pipeline
        .bus()
        .unwrap()
        .timed_pop_filtered(
            gst::ClockTime::from_seconds(30),
            &[gst::MessageType::Eos, gst::MessageType::Error],
        )
        .expect("EOS or error within 30 s");
    if let gst::MessageView::Error(e) = msg.view() {
        panic!("pipeline error: {} ({:?})", e.error(), e.debug());
    }
}

fn temp_path(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("ds-open-sinks-{}-{name}", std::process::id()))
}

/// Decodes `path` with `demux ! parse ! dec ! videoconvert ! RGBA ! appsink`
/// and returns (width, height, RGB of the centre pixel) per frame.
fn decode(path: &Path, demux: &str, parse: &str, dec: &str) -> Vec<(i32, i32, [u8; 3])> {
    let pipeline = gst::parse::launch(&format!(
        "filesrc location={} ! {demux} ! {parse} ! {dec} ! videoconvert ! \
         video/x-raw,format=RGBA ! appsink name=sink sync=false wait-on-eos=false",
        path.display()
    ))
    .unwrap()
    .downcast::<gst::Pipeline>()
    .unwrap();
    let sink = pipeline.by_name("sink").unwrap();
    pipeline.set_state(gst::State::Playing).unwrap();
    wait_eos(&pipeline);
    let mut frames = Vec::new();
    while let Some(sample) = sink.emit_by_name::<Option<gst::Sample>>("try-pull-sample", &[&0u64]) {
        let caps = sample.caps().unwrap();
        let s = caps.structure(0).unwrap();
        let (w, h) = (
            s.get::<i32>("width").unwrap(),
            s.get::<i32>("height").unwrap(),
        );
        let map = sample.buffer().unwrap().map_readable().unwrap();
        let i = (((h / 2) * w + w / 2) * 4) as usize;
        frames.push((w, h, [map[i], map[i + 1], map[i + 2]]));
    }
    pipeline.set_state(gst::State::Null).unwrap();
    frames
}

fn close(a: [u8; 3], b: [u8; 3], tol: i32) -> bool {
    a.iter()
        .zip(b)
        .all(|(x, y)| (i32::from(*x) - i32::from(y)).abs() <= tol)
}

#[test]
fn eglglessink_runs_headless_to_eos() {
    setup();
    for factory in ["nveglglessink", "nv3dsink"] {
        let pipeline = run_appsrc(
            &format!("nvegltransform ! {factory} name=sink sync=false qos=false"),
            PixelFormat::Rgba,
            5,
        );
        let sink = pipeline
            .by_name("sink")
            .unwrap()
            .downcast::<gst::Bin>()
            .unwrap();
        let inner: Vec<String> = sink
            .iterate_elements()
            .into_iter()
            .map(|e| e.unwrap().factory().unwrap().name().to_string())
            .collect();
        assert_eq!(inner, ["fakesink"]);
        let fake = sink.by_name("headless").unwrap();
        assert!(!fake.property::<bool>("sync"));
        assert!(!fake.property::<bool>("qos"));
        // Properties apps set are accepted.
        sink.set_property("window-width", 1280u32);
        assert_eq!(sink.property::<u32>("window-width"), 1280);
        pipeline.set_state(gst::State::Null).unwrap();
    }
    // Plain video too, with the default clock sync.
    let pipeline = gst::parse::launch(
        "videotestsrc num-buffers=3 ! video/x-raw,width=64,height=48 ! nveglglessink",
    )
    .unwrap()
    .downcast::<gst::Pipeline>()
    .unwrap();
    pipeline.set_state(gst::State::Playing).unwrap();
    wait_eos(&pipeline);
    pipeline.set_state(gst::State::Null).unwrap();
}

#[test]
fn h264_encoder_writes_mp4_that_decodes_back() {
    setup();
    let path = temp_path("out.mp4");
    let pipeline = run_appsrc(
        &format!(
            "nvv4l2h264enc name=enc bitrate=2000000 iframeinterval=10 insert-sps-pps=true ! \
             h264parse ! mp4mux ! filesink location={}",
            path.display()
        ),
        PixelFormat::Rgba,
        30,
    );
    let enc = pipeline
        .by_name("enc")
        .unwrap()
        .downcast::<gst::Bin>()
        .unwrap();
    let x264 = enc.by_name("encoder").unwrap();
    assert_eq!(x264.factory().unwrap().name(), "x264enc");
    assert_eq!(x264.property::<u32>("bitrate"), 2000);
    assert_eq!(x264.property::<u32>("key-int-max"), 10);
    let preset = x264.property_value("speed-preset").serialize().unwrap();
    assert_eq!(preset.as_str(), "ultrafast");
    let tune = x264.property_value("tune").serialize().unwrap();
    // Flags serialise by name ("Zero latency") or nick.
    assert_eq!(tune.to_lowercase().replace(' ', ""), "zerolatency");
    assert!(enc.property::<bool>("insert-sps-pps"));
    pipeline.set_state(gst::State::Null).unwrap();

    let frames = decode(&path, "qtdemux", "h264parse", "avdec_h264");
    let _ = std::fs::remove_file(&path);
    assert_eq!(frames.len(), 30);
    assert!(frames.iter().all(|f| (f.0, f.1) == (320, 240)));
    assert!(
        close(frames[0].2, colour(0), 12),
        "frame 0: {:?} vs {:?}",
        frames[0].2,
        colour(0)
    );
    assert!(
        close(frames[29].2, colour(29), 12),
        "frame 29: {:?} vs {:?}",
        frames[29].2,
        colour(29)
    );
}

#[test]
fn h265_encoder_from_nv12_decodes_back() {
    setup();
    let path = temp_path("out.mkv");
    let pipeline = run_appsrc(
        &format!(
            "nvv4l2h265enc ! h265parse ! matroskamux ! filesink location={}",
            path.display()
        ),
        PixelFormat::Nv12,
        8,
    );
    pipeline.set_state(gst::State::Null).unwrap();
    let frames = decode(&path, "matroskademux", "h265parse", "avdec_h265");
    let _ = std::fs::remove_file(&path);
    assert_eq!(frames.len(), 8);
    assert!(frames.iter().all(|f| (f.0, f.1) == (320, 240)));
    assert!(close(frames[0].2, colour(0), 12), "{:?}", frames[0].2);
}

/// Also at bitrate 0, the bottom of NVIDIA's range (the software encoder
/// gets its lowest rate, 1 kbit/s).
#[test]
fn encoder_accepts_plain_video() {
    setup();
    let pipeline = gst::parse::launch(
        "videotestsrc num-buffers=5 ! video/x-raw,format=NV12,width=64,height=48 ! \
         nvv4l2h264enc name=enc bitrate=0 ! video/x-h264,stream-format=byte-stream ! h264parse ! \
         appsink name=sink sync=false wait-on-eos=false",
    )
    .unwrap()
    .downcast::<gst::Pipeline>()
    .unwrap();
    pipeline.set_state(gst::State::Playing).unwrap();
    wait_eos(&pipeline);
    let sink = pipeline.by_name("sink").unwrap();
    let mut n = 0;
    while sink
        .emit_by_name::<Option<gst::Sample>>("try-pull-sample", &[&0u64])
        .is_some()
    {
        n += 1;
    }
    assert_eq!(n, 5);
    let enc = pipeline
        .by_name("enc")
        .unwrap()
        .downcast::<gst::Bin>()
        .unwrap();
    assert_eq!(enc.property::<u32>("bitrate"), 0);
    let x264 = enc.by_name("encoder").unwrap();
    assert_eq!(x264.property::<u32>("bitrate"), 1);
    pipeline.set_state(gst::State::Null).unwrap();
}
