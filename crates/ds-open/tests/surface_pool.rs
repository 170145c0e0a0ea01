//! The output surface pools of the open nvstreammux and nvvideoconvert in
//! real pipelines: a batch still held downstream is never written again,
//! and the pooled output follows resolution changes.
//!
//! `cargo test -p ds-open --test surface_pool`
use ds_core::planes::SurfaceRef;
use gst::prelude::*;
use gstreamer as gst;
use gstreamer_app as gst_app;
use std::collections::HashSet;

fn init() {
    ds_open::init().expect("init");
}

fn launch(desc: &str) -> (gst::Pipeline, gst_app::AppSink) {
    let p = gst::parse::launch(desc)
        .expect("pipeline")
        .downcast::<gst::Pipeline>()
        .expect("a pipeline");
    let sink = p
        .by_name("sink")
        .expect("sink")
        .downcast::<gst_app::AppSink>()
        .expect("appsink");
    (p, sink)
}

/// (address of frame 0's first plane, its bytes, its size).
fn frame0(buffer: &gst::BufferRef) -> (usize, Vec<u8>, (u32, u32)) {
    let s = SurfaceRef::from_buffer(buffer).expect("NvBufSurface");
    let f = s.frame(0).expect("frame 0");
    let data = f.plane(0).expect("plane 0").data();
    (
        data.as_ptr() as usize,
        data.to_vec(),
        (f.width(), f.height()),
    )
}

fn pull(sink: &gst_app::AppSink) -> Option<gst::Buffer> {
    let sample = sink.try_pull_sample(gst::ClockTime::from_seconds(20))?;
    sample.buffer_owned()
}

#[test]
fn muxer_never_reuses_a_held_batch() {
    init();
    // A moving ball: every frame differs from the one before.
    let (p, sink) = launch(
        "videotestsrc num-buffers=40 pattern=ball ! \
         video/x-raw,format=NV12,width=320,height=240,framerate=30/1 ! \
         m.sink_0 nvstreammux name=m batch-size=1 width=640 height=480 ! \
         appsink name=sink sync=false max-buffers=2",
    );
    p.set_state(gst::State::Playing).expect("playing");
    // Hold every 10th buffer until the end; let the others go at once.
    let mut held: Vec<(gst::Buffer, usize, Vec<u8>)> = Vec::new();
    let mut seen = 0;
    let mut others = HashSet::new();
    while let Some(buffer) = pull(&sink) {
        let (addr, bytes, size) = frame0(&buffer);
        assert_eq!(size, (640, 480));
        assert!(
            held.iter().all(|(_, a, _)| *a != addr),
            "frame {seen}: a batch still held downstream was handed out again"
        );
        if seen % 10 == 0 {
            held.push((buffer, addr, bytes));
        } else {
            others.insert(addr);
        }
        seen += 1;
    }
    p.set_state(gst::State::Null).expect("null");
    assert_eq!(seen, 40);
    for (i, (buffer, addr, bytes)) in held.iter().enumerate() {
        let (a, now, _) = frame0(buffer);
        assert_eq!(a, *addr);
        assert!(&now == bytes, "held frame {i} was overwritten");
    }
    // The frames let go are served from a few pooled batches.
    assert!(others.len() <= 8, "{} distinct batches", others.len());
}

/// An appsrc pushing plain NV12 frames of one grey level.
fn push_nv12(src: &gst_app::AppSrc, w: u32, h: u32, n: u64, luma: u8, t0: u64) {
    let info = gstreamer_video::VideoInfo::builder(gstreamer_video::VideoFormat::Nv12, w, h)
        .fps(gst::Fraction::new(25, 1))
        .build()
        .expect("info");
    src.set_caps(Some(&info.to_caps().expect("caps")));
    for i in 0..n {
        let mut data = vec![128u8; info.size()];
        let y_size = info.offset()[1];
        data[..y_size].fill(luma);
        let mut buffer = gst::Buffer::from_mut_slice(data);
        {
            let b = buffer.get_mut().expect("writable");
            b.set_pts(gst::ClockTime::from_mseconds(40 * (t0 + i)));
            b.set_duration(gst::ClockTime::from_mseconds(40));
        }
        src.push_buffer(buffer).expect("push");
    }
}

#[test]
fn converter_follows_resolution_changes() {
    init();
    let (p, sink) = launch(
        "appsrc name=src format=time ! nvvideoconvert ! \
         video/x-raw(memory:NVMM),format=RGBA ! appsink name=sink sync=false",
    );
    let src = p
        .by_name("src")
        .expect("src")
        .downcast::<gst_app::AppSrc>()
        .expect("appsrc");
    p.set_state(gst::State::Playing).expect("playing");
    let steps = [(64u32, 48u32, 60u8), (96, 32, 150), (64, 48, 230)];
    let mut t0 = 0;
    let mut held = Vec::new();
    for &(w, h, luma) in &steps {
        push_nv12(&src, w, h, 5, luma, t0);
        t0 += 5;
        for k in 0..5 {
            let buffer = pull(&sink).expect("a frame");
            let (_, rgba, size) = frame0(&buffer);
            assert_eq!(size, (w, h), "output size follows the input");
            let s = SurfaceRef::from_buffer(&buffer).expect("surface");
            assert_eq!(s.num_filled(), 1);
            let f = s.frame(0).expect("frame");
            let plane = f.plane(0).expect("plane");
            // Every visible pixel is this step's grey (no stale pixels of
            // an earlier, larger or differently shaped frame).
            let grey = rgba[0];
            assert!(grey.abs_diff(luma) <= 40, "grey {grey} for luma {luma}");
            for y in 0..h {
                let row = plane.row(y).expect("row");
                assert!(
                    row[..(w * 4) as usize]
                        .chunks(4)
                        .all(|px| px[..3] == [grey; 3] && px[3] == 255),
                    "{w}x{h}: row {y} not uniform"
                );
            }
            drop(f);
            drop(s);
            if k == 0 {
                held.push((buffer, rgba));
            }
        }
    }
    src.end_of_stream().expect("eos");
    p.set_state(gst::State::Null).expect("null");
    for (buffer, rgba) in &held {
        assert!(&frame0(buffer).1 == rgba, "held frame overwritten");
    }
}
