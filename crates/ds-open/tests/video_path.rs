//! The open video path end to end on the real sample clip:
//! `filesrc ! h264parse ! nvv4l2decoder ! nvstreammux ! nvvideoconvert !
//! nvdsosd ! nvvideoconvert ! nvv4l2h264enc ! h264parse ! mp4mux ! filesink`,
//! with a probe adding a box and a text; the MP4 is decoded again and the
//! box and text are looked for in its pixels.
use ds_core::osd::Color;
use ds_core::BatchMeta;
use gstreamer as gst;
use gstreamer::prelude::*;
use gstreamer_app as gst_app;
use std::path::PathBuf;

fn sample() -> PathBuf {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../samples/sample_720p.h264");
    assert!(
        p.is_file(),
        "{} is missing: run ci/samples.sh (ci/test.sh does) to make the sample streams",
        p.display()
    );
    p
}

fn add_marks(buffer: &mut gst::BufferRef) {
    let batch = BatchMeta::from_buffer_mut(buffer).expect("nvstreammux attaches batch meta");
    let mut batch = batch.lock();
    for mut frame in batch.frames_mut() {
        let obj = frame.new_object().unwrap();
        let r = obj.rect_params_mut();
        r.left = 100.0;
        r.top = 100.0;
        r.width = 200.0;
        r.height = 150.0;
        r.border_width = 8;
        r.border_color = Color::from_rgba8(255, 0, 0, 255).to_params();
        let display = frame.new_display_meta().unwrap();
        let text = display.add_text("OPEN BACKEND OSD").unwrap();
        text.set_offsets(600, 40);
        text.set_font_name("Serif");
        text.set_font_size(24);
        text.set_font_color(Color::from_rgba8(255, 255, 255, 255));
        text.set_bg_color(Color::from_rgba8(0, 0, 0, 255));
    }
}

/// Decodes an MP4 into RGBA frames.
fn decode_mp4(path: &std::path::Path) -> Vec<(u32, u32, Vec<u8>)> {
    let desc = format!(
        "filesrc location=\"{}\" ! qtdemux ! h264parse ! avdec_h264 ! videoconvert ! \
         video/x-raw,format=RGBA ! appsink name=out sync=false",
        path.display()
    );
    let pipeline = gst::parse::launch(&desc)
        .unwrap()
        .downcast::<gst::Pipeline>()
        .unwrap();
    let sink = pipeline
        .by_name("out")
        .unwrap()
        .downcast::<gst_app::AppSink>()
        .unwrap();
    pipeline.set_state(gst::State::Playing).unwrap();
    let mut frames = Vec::new();
    while let Ok(sample) = sink.pull_sample() {
        let caps = sample.caps().unwrap();
        let s = caps.structure(0).unwrap();
        let (w, h) = (
            s.get::<i32>("width").unwrap() as u32,
            s.get::<i32>("height").unwrap() as u32,
        );
        let map = sample.buffer().unwrap().map_readable().unwrap();
        frames.push((w, h, map.to_vec()));
    }
    pipeline.set_state(gst::State::Null).unwrap();
    frames
}

#[test]
fn h264_file_to_mp4_with_box_and_text() {
    ds_open::init().unwrap();
    let out = std::env::temp_dir().join(format!("ds-open-video-path-{}.mp4", std::process::id()));
    let desc = format!(
        "filesrc location=\"{}\" ! h264parse ! nvv4l2decoder ! identity eos-after=30 ! m.sink_0 \
         nvstreammux name=m batch-size=1 width=1280 height=720 ! nvvideoconvert ! \
         video/x-raw(memory:NVMM),format=RGBA ! nvdsosd name=osd ! nvvideoconvert ! \
         nvv4l2h264enc ! h264parse ! mp4mux ! filesink location=\"{}\"",
        sample().display(),
        out.display()
    );
    let pipeline = gst::parse::launch(&desc)
        .unwrap()
        .downcast::<gst::Pipeline>()
        .unwrap();
    let osd = pipeline.by_name("osd").unwrap();
    let drawn = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = drawn.clone();
    osd.static_pad("sink")
        .unwrap()
        .add_probe(gst::PadProbeType::BUFFER, move |_, info| {
            if let Some(gst::PadProbeData::Buffer(buffer)) = info.data.as_mut() {
                add_marks(buffer.make_mut());
                counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            }
            gst::PadProbeReturn::Ok
        });
    ds_core::app::run(&pipeline).expect("pipeline runs to end-of-stream");
    pipeline.set_state(gst::State::Null).unwrap();

    let frames = decode_mp4(&out);
    std::fs::remove_file(&out).ok();
    let drawn = drawn.load(std::sync::atomic::Ordering::SeqCst);
    assert!(
        (30..=40).contains(&drawn),
        "about 30 frames reach the OSD, not {drawn}"
    );
    assert_eq!(
        frames.len(),
        drawn,
        "the MP4 holds every frame the OSD drew"
    );
    for (i, (w, h, px)) in frames.iter().enumerate() {
        assert_eq!((*w, *h), (1280, 720));
        let at = |x: u32, y: u32| {
            let o = ((y * w + x) * 4) as usize;
            [px[o], px[o + 1], px[o + 2]]
        };
        // The left border of the box (x 100..108) is red along its height.
        for y in (110..240).step_by(10) {
            let [r, g, b] = at(103, y);
            assert!(
                r > 180 && g < 80 && b < 80,
                "frame {i}: box border at (103,{y}) is {r},{g},{b}"
            );
        }
        // The text: a black background with white glyph pixels to the right of (600, 40).
        let (mut white, mut black) = (0, 0);
        for y in 40..70 {
            for x in 600..800 {
                let [r, g, b] = at(x, y);
                if r > 200 && g > 200 && b > 200 {
                    white += 1;
                } else if r < 40 && g < 40 && b < 40 {
                    black += 1;
                }
            }
        }
        assert!(
            white > 200 && black > 1000,
            "frame {i}: text not visible ({white} white, {black} black)"
        );
    }
}
