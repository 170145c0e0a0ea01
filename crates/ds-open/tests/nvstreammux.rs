//! `nvstreammux` in real pipelines: batching of 1, 2 and 4 sources of
//! different sizes and lengths, frame metadata, pixels in each slot,
//! padding, NVMM (appsrc) inputs, live sources with partial batches,
//! request/release of pads, sources added while playing, and the errors.
use ds_core::planes::SurfaceRef;
use ds_core::surface::SurfaceBatch;
use ds_core::BatchMeta;
use ds_open::convert::{convert, Image, ImageMut, PixelFormat};
use gst::prelude::*;
use gstreamer as gst;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One frame of an output batch.
#[derive(Debug, Clone)]
struct Frame {
    source_id: u32,
    pad_index: u32,
    batch_id: u32,
    frame_num: i32,
    buf_pts: u64,
    ntp: u64,
    src_size: (u32, u32),
    /// The slot's pixels as packed RGBA.
    rgba: Vec<u8>,
}

impl Frame {
    fn rgb(&self, x: u32, y: u32, width: u32) -> [u8; 3] {
        let o = ((y * width + x) * 4) as usize;
        [self.rgba[o], self.rgba[o + 1], self.rgba[o + 2]]
    }
}

/// One output buffer.
#[derive(Debug, Clone)]
struct Batch {
    num_frames: u32,
    max_frames: u32,
    batch_size: u32,
    num_filled: u32,
    size: (u32, u32),
    pts: Option<gst::ClockTime>,
    frames: Vec<Frame>,
}

/// What a pipeline run produced.
#[derive(Debug, Default)]
struct Output {
    batches: Vec<Batch>,
    caps: Option<gst::Caps>,
    stream_eos: Vec<u32>,
    nv_stream_eos: Vec<u32>,
}

impl Output {
    fn frames(&self) -> impl Iterator<Item = &Frame> {
        self.batches.iter().flat_map(|b| b.frames.iter())
    }

    fn per_source(&self) -> BTreeMap<u32, Vec<i32>> {
        let mut m: BTreeMap<u32, Vec<i32>> = BTreeMap::new();
        for f in self.frames() {
            m.entry(f.source_id).or_default().push(f.frame_num);
        }
        m
    }

    /// Every source's frame numbers are 0..n-1 and the counts match.
    fn assert_counts(&self, expected: &[(u32, i32)]) {
        let per = self.per_source();
        let want: BTreeMap<u32, Vec<i32>> = expected
            .iter()
            .map(|(s, n)| (*s, (0..*n).collect()))
            .collect();
        assert_eq!(per, want);
    }
}

fn read_batch(buffer: &gst::BufferRef) -> Batch {
    let meta = BatchMeta::from_buffer(buffer).expect("batch meta on the output");
    let surface = SurfaceRef::from_buffer(buffer).expect("NvBufSurface output");
    let mut size = (0, 0);
    let mut frames = Vec::new();
    for fm in meta.frames() {
        let planes = surface.frame(fm.batch_id()).unwrap();
        let src = Image::from_planes(&planes).unwrap();
        size = (src.width, src.height);
        let mut rgba = vec![0u8; (src.width * src.height * 4) as usize];
        let mut dst = ImageMut::packed(
            PixelFormat::Rgba,
            src.width,
            src.height,
            &mut rgba,
            src.width as usize * 4,
        );
        convert(&src, &mut dst);
        frames.push(Frame {
            source_id: fm.source_id(),
            pad_index: fm.pad_index(),
            batch_id: fm.batch_id(),
            frame_num: fm.frame_num(),
            buf_pts: fm.buf_pts(),
            ntp: fm.ntp_timestamp(),
            src_size: (fm.source_frame_width(), fm.source_frame_height()),
            rgba,
        });
    }
    if frames.is_empty() {
        let planes = surface.frame(0).unwrap();
        size = (planes.width(), planes.height());
    }
    Batch {
        num_frames: meta.num_frames_in_batch(),
        max_frames: meta.max_frames_in_batch(),
        batch_size: surface.batch_size(),
        num_filled: surface.num_filled(),
        size,
        pts: buffer.pts(),
        frames,
    }
}

/// Collects batches and custom events at the sink's pad.
fn collect(sink: &gst::Element) -> Arc<Mutex<Output>> {
    let out = Arc::new(Mutex::new(Output::default()));
    let o = out.clone();
    sink.static_pad("sink").unwrap().add_probe(
        gst::PadProbeType::BUFFER | gst::PadProbeType::EVENT_DOWNSTREAM,
        move |pad, info| {
            let mut o = o.lock().unwrap();
            if let Some(buffer) = info.buffer() {
                o.batches.push(read_batch(buffer));
                if o.caps.is_none() {
                    o.caps = pad.current_caps();
                }
            } else if let Some(ev) = info.event() {
                if let Some(s) = ev.structure().filter(|s| s.name() == "nv-stream-eos") {
                    o.nv_stream_eos.push(s.get::<u32>("source-id").unwrap());
                }
            }
            gst::PadProbeReturn::Ok
        },
    );
    out
}

/// Runs `pipeline` to EOS (or error) and returns what reached the sink.
fn run_pipeline(pipeline: &gst::Pipeline, out: Arc<Mutex<Output>>) -> Result<Output, String> {
    let bus = pipeline.bus().unwrap();
    let mut stream_eos = Vec::new();
    let res = pipeline.set_state(gst::State::Playing);
    let mut result = Ok(());
    if res.is_err() {
        result = Err("state change failed".to_string());
    }
    while result.is_ok() {
        let Some(msg) = bus.timed_pop(gst::ClockTime::from_seconds(20)) else {
            result = Err("pipeline hangs (no EOS after 20 s)".into());
            break;
        };
        match msg.view() {
            gst::MessageView::Eos(_) => break,
            gst::MessageView::Error(e) => {
                result = Err(format!("{} ({:?})", e.error(), e.debug()));
            }
            gst::MessageView::Element(e) => {
                if let Some(s) = e.structure().filter(|s| s.name() == "stream-eos") {
                    stream_eos.push(s.get::<u32>("stream-id").unwrap());
                }
            }
            _ => {}
        }
    }
    // The first error, if the state change itself failed.
    if let Err(e) = &mut result {
        while let Some(msg) = bus.pop_filtered(&[gst::MessageType::Error]) {
            if let gst::MessageView::Error(err) = msg.view() {
                *e = format!("{} ({:?})", err.error(), err.debug());
                break;
            }
        }
    }
    pipeline.set_state(gst::State::Null).unwrap();
    result?;
    let mut o = std::mem::take(&mut *out.lock().unwrap());
    o.stream_eos = stream_eos;
    Ok(o)
}

fn launch(desc: &str) -> (gst::Pipeline, Arc<Mutex<Output>>) {
    ds_open::init().unwrap();
    assert_eq!(
        ds_core::backend(),
        "open",
        "these tests need the open backend"
    );
    let pipeline = gst::parse::launch(desc)
        .unwrap()
        .downcast::<gst::Pipeline>()
        .unwrap();
    let out = collect(&pipeline.by_name("sink").unwrap());
    (pipeline, out)
}

/// `videotestsrc` branch into `mux.sink_<pad>`.
fn source(pad: u32, pattern: &str, format: &str, w: u32, h: u32, n: u32) -> String {
    format!(
        "videotestsrc pattern={pattern} num-buffers={n} ! \
         video/x-raw,format={format},width={w},height={h},framerate=30/1 ! mux.sink_{pad} "
    )
}

fn close(a: [u8; 3], b: [u8; 3]) -> bool {
    a.iter().zip(b).all(|(x, y)| x.abs_diff(y) <= 24)
}

#[test]
fn one_source() {
    let (p, out) = launch(&format!(
        "{} nvstreammux name=mux width=64 height=48 batch-size=2 ! fakesink name=sink sync=false",
        source(0, "red", "I420", 320, 240, 5)
    ));
    let o = run_pipeline(&p, out).unwrap();
    o.assert_counts(&[(0, 5)]);
    let caps = o.caps.as_ref().unwrap();
    assert!(ds_open::caps::caps_are_nvmm(caps));
    let s = caps.structure(0).unwrap();
    assert_eq!(s.get::<&str>("format").unwrap(), "NV12");
    assert_eq!(
        (
            s.get::<i32>("width").unwrap(),
            s.get::<i32>("height").unwrap()
        ),
        (64, 48)
    );
    assert_eq!(
        s.get::<gst::Fraction>("framerate").unwrap(),
        gst::Fraction::new(30, 1)
    );
    for (i, b) in o.batches.iter().enumerate() {
        // batch-size 2 with one source: one filled slot of two.
        assert_eq!(
            (b.num_frames, b.max_frames, b.batch_size, b.num_filled),
            (1, 2, 2, 1)
        );
        assert_eq!(b.size, (64, 48));
        let f = &b.frames[0];
        assert_eq!((f.source_id, f.pad_index, f.batch_id), (0, 0, 0));
        assert_eq!(f.src_size, (320, 240));
        let pts = gst::ClockTime::from_nseconds(i as u64 * 1_000_000_000 / 30);
        assert_eq!(f.buf_pts, pts.nseconds());
        assert_eq!(b.pts, Some(pts));
        assert!(
            f.ntp > 1_600_000_000_000_000_000,
            "ntp_timestamp is system time"
        );
        assert!(
            close(f.rgb(32, 24, 64), [255, 0, 0]),
            "{:?}",
            f.rgb(32, 24, 64)
        );
    }
    assert_eq!(o.stream_eos, vec![0]);
}

#[test]
fn two_sources_end_at_different_times() {
    // batch-size 0 = number of sink pads; attach-sys-ts off.
    let (p, out) = launch(&format!(
        "{} {} nvstreammux name=mux width=80 height=60 attach-sys-ts=false ! \
         fakesink name=sink sync=false",
        source(0, "green", "NV12", 320, 240, 8),
        source(1, "blue", "RGBA", 640, 360, 3),
    ));
    let o = run_pipeline(&p, out).unwrap();
    o.assert_counts(&[(0, 8), (1, 3)]);
    for b in &o.batches {
        assert!(b.num_frames >= 1 && b.num_frames <= 2);
        assert_eq!((b.max_frames, b.batch_size), (2, 2));
        assert_eq!(b.num_filled, b.num_frames);
        assert_eq!(b.size, (80, 60));
        for (slot, f) in b.frames.iter().enumerate() {
            assert_eq!(f.batch_id, slot as u32);
            assert_eq!(f.ntp, 0);
            let want = if f.source_id == 0 {
                [0, 255, 0]
            } else {
                [0, 0, 255]
            };
            assert!(close(f.rgb(40, 30, 80), want), "{:?}", f.rgb(40, 30, 80));
            let size = if f.source_id == 0 {
                (320, 240)
            } else {
                (640, 360)
            };
            assert_eq!(f.src_size, size);
        }
    }
    // Both sources in the first three batches (pad order), then source 0
    // alone: source 1's EOS does not stop source 0.
    for b in &o.batches[..3] {
        let ids: Vec<u32> = b.frames.iter().map(|f| f.source_id).collect();
        assert_eq!(ids, vec![0, 1]);
    }
    assert_eq!(o.batches.len(), 8);
    let mut eos = o.stream_eos.clone();
    eos.sort_unstable();
    assert_eq!(eos, vec![0, 1]);
    assert_eq!(o.stream_eos[0], 1, "the short source ends first");
    assert_eq!(o.nv_stream_eos.first(), Some(&1));
}

#[test]
fn four_sources_round_robin_and_pixels() {
    let (p, out) = launch(&format!(
        "{} {} {} {} nvstreammux name=mux width=64 height=64 batch-size=2 ! \
         fakesink name=sink sync=false",
        source(0, "red", "I420", 320, 240, 6),
        source(1, "green", "NV12", 640, 360, 4),
        source(2, "blue", "RGBA", 160, 120, 5),
        source(3, "white", "BGRx", 200, 100, 3),
    ));
    let o = run_pipeline(&p, out).unwrap();
    o.assert_counts(&[(0, 6), (1, 4), (2, 5), (3, 3)]);
    let colours = [[255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 255, 255]];
    let sizes = [(320, 240), (640, 360), (160, 120), (200, 100)];
    for b in &o.batches {
        assert!(b.num_frames <= 2 && b.num_frames >= 1);
        assert_eq!((b.batch_size, b.num_filled), (2, b.num_frames));
        let ids: Vec<u32> = b.frames.iter().map(|f| f.source_id).collect();
        assert!(
            ids.windows(2).all(|w| w[0] < w[1]),
            "pad order in a batch: {ids:?}"
        );
        for (slot, f) in b.frames.iter().enumerate() {
            assert_eq!(f.batch_id, slot as u32);
            assert_eq!(f.pad_index, f.source_id);
            assert_eq!(f.src_size, sizes[f.source_id as usize]);
            let want = colours[f.source_id as usize];
            for (x, y) in [(0, 0), (32, 32), (63, 63), (5, 60)] {
                assert!(
                    close(f.rgb(x, y, 64), want),
                    "source {} ({x},{y})",
                    f.source_id
                );
            }
        }
    }
    // Round-robin: while all four run, sources 0+1 and 2+3 alternate.
    let first: Vec<Vec<u32>> = o.batches[..4]
        .iter()
        .map(|b| b.frames.iter().map(|f| f.source_id).collect())
        .collect();
    assert_eq!(first, vec![vec![0, 1], vec![2, 3], vec![0, 1], vec![2, 3]]);
}

#[test]
fn enable_padding_keeps_aspect_with_black_bars() {
    let (p, out) = launch(&format!(
        "{} {} nvstreammux name=mux width=64 height=64 enable-padding=true ! \
         fakesink name=sink sync=false",
        source(0, "red", "I420", 320, 120, 2),
        source(1, "white", "RGBA", 120, 320, 2),
    ));
    let o = run_pipeline(&p, out).unwrap();
    o.assert_counts(&[(0, 2), (1, 2)]);
    for f in o.frames() {
        if f.source_id == 0 {
            // 320x120 -> 64x24 at the top, black below.
            assert!(close(f.rgb(10, 10, 64), [255, 0, 0]));
            assert!(close(f.rgb(63, 23, 64), [255, 0, 0]));
            assert_eq!(f.rgb(10, 24, 64), [0, 0, 0]);
            assert_eq!(f.rgb(63, 63, 64), [0, 0, 0]);
        } else {
            // 120x320 -> 24x64 on the left, black to the right.
            assert!(close(f.rgb(10, 10, 64), [255, 255, 255]));
            assert!(close(f.rgb(23, 63, 64), [255, 255, 255]));
            assert_eq!(f.rgb(24, 10, 64), [0, 0, 0]);
            assert_eq!(f.rgb(63, 0, 64), [0, 0, 0]);
        }
    }
}

/// An appsrc pushing batch-1 RGBA NvBufSurface buffers of one colour.
fn push_nvmm(appsrc: &gst::Element, w: u32, h: u32, n: u64, rgba: [u8; 4]) {
    for i in 0..n {
        let mut batch = SurfaceBatch::new(1, w, h, ds_sys::NVBUF_COLOR_FORMAT_RGBA).unwrap();
        batch.set_num_filled(1).unwrap();
        batch.frame_mut(0).unwrap().fill(rgba);
        let mut buffer = batch.into_buffer();
        {
            let b = buffer.get_mut().unwrap();
            b.set_pts(gst::ClockTime::from_mseconds(40 * i));
            b.set_duration(gst::ClockTime::from_mseconds(40));
        }
        let ret = appsrc.emit_by_name::<gst::FlowReturn>("push-buffer", &[&buffer]);
        assert_eq!(ret, gst::FlowReturn::Ok);
    }
    let _ = appsrc.emit_by_name::<gst::FlowReturn>("end-of-stream", &[]);
}

fn nvmm_appsrc(name: &str, pad: u32, w: u32, h: u32) -> String {
    format!(
        "appsrc name={name} format=time caps=\"video/x-raw(memory:NVMM),format=RGBA,\
         width={w},height={h},framerate=25/1\" ! mux.sink_{pad} "
    )
}

#[test]
fn nvmm_inputs_rgba_output() {
    let (p, out) = launch(&format!(
        "{} {} nvstreammux name=mux width=32 height=32 batch-size=2 ! \
         fakesink name=sink sync=false",
        nvmm_appsrc("a", 0, 48, 16),
        nvmm_appsrc("b", 1, 8, 8),
    ));
    p.set_state(gst::State::Playing).unwrap();
    push_nvmm(&p.by_name("a").unwrap(), 48, 16, 4, [200, 10, 20, 255]);
    push_nvmm(&p.by_name("b").unwrap(), 8, 8, 2, [1, 2, 250, 255]);
    let o = run_pipeline(&p, out).unwrap();
    o.assert_counts(&[(0, 4), (1, 2)]);
    let s = o.caps.as_ref().unwrap().structure(0).unwrap().to_owned();
    assert_eq!(
        s.get::<&str>("format").unwrap(),
        "RGBA",
        "all inputs RGBA -> RGBA"
    );
    assert_eq!(
        s.get::<gst::Fraction>("framerate").unwrap(),
        gst::Fraction::new(25, 1)
    );
    for f in o.frames() {
        let want = if f.source_id == 0 {
            [200, 10, 20]
        } else {
            [1, 2, 250]
        };
        assert!(
            f.rgba.chunks(4).all(|px| px[..3] == want),
            "exact RGBA copy"
        );
        assert_eq!(f.src_size, if f.source_id == 0 { (48, 16) } else { (8, 8) });
        assert_eq!(f.buf_pts, 40_000_000 * f.frame_num as u64);
    }
}

#[test]
fn nvmm_and_plain_inputs_mix() {
    let (p, out) = launch(&format!(
        "{} {} nvstreammux name=mux width=32 height=32 ! fakesink name=sink sync=false",
        nvmm_appsrc("a", 0, 16, 16),
        source(1, "green", "NV12", 64, 48, 3),
    ));
    p.set_state(gst::State::Playing).unwrap();
    push_nvmm(&p.by_name("a").unwrap(), 16, 16, 3, [255, 0, 0, 255]);
    let o = run_pipeline(&p, out).unwrap();
    o.assert_counts(&[(0, 3), (1, 3)]);
    let s = o.caps.as_ref().unwrap().structure(0).unwrap().to_owned();
    assert_eq!(s.get::<&str>("format").unwrap(), "NV12");
    for f in o.frames() {
        let want = if f.source_id == 0 {
            [255, 0, 0]
        } else {
            [0, 255, 0]
        };
        assert!(close(f.rgb(16, 16, 32), want));
    }
}

#[test]
fn live_sources_push_partial_batches() {
    let (p, out) = launch(
        "videotestsrc is-live=true num-buffers=15 ! \
           video/x-raw,format=I420,width=64,height=48,framerate=30/1 ! mux.sink_0 \
         videotestsrc is-live=true num-buffers=3 pattern=blue ! \
           video/x-raw,format=NV12,width=32,height=32,framerate=5/1 ! mux.sink_1 \
         nvstreammux name=mux width=32 height=32 batch-size=2 live-source=true \
           batched-push-timeout=40000 ! fakesink name=sink sync=false",
    );
    let o = run_pipeline(&p, out).unwrap();
    o.assert_counts(&[(0, 15), (1, 3)]);
    for b in &o.batches {
        assert!(b.num_frames >= 1 && b.num_frames <= 2);
    }
    // With the timeout, source 0 does not wait for the slow source: some
    // batches with source 0 alone come before source 1's last frame.
    let last_b = o
        .batches
        .iter()
        .rposition(|b| b.frames.iter().any(|f| f.source_id == 1))
        .unwrap();
    let partial = o.batches[..last_b]
        .iter()
        .filter(|b| b.frames.iter().all(|f| f.source_id == 0))
        .count();
    assert!(partial > 0, "no partial batch before the slow source ended");
}

#[test]
fn request_and_release_pads() {
    ds_open::init().unwrap();
    let mux = gst::ElementFactory::make("nvstreammux").build().unwrap();
    // Defaults.
    assert_eq!(mux.property::<u32>("batch-size"), 0);
    assert_eq!(mux.property::<i32>("batched-push-timeout"), -1);
    assert!(mux.property::<bool>("attach-sys-ts"));
    assert!(!mux.property::<bool>("live-source"));
    assert_eq!(mux.property::<u32>("num-surfaces-per-frame"), 1);
    // nvbuf-memory-type is an enum as on NVIDIA's element.
    mux.set_property_from_str("nvbuf-memory-type", "3");
    assert_eq!(
        mux.property_value("nvbuf-memory-type")
            .serialize()
            .unwrap()
            .as_str(),
        "nvbuf-mem-cuda-unified"
    );
    mux.set_property_from_str("nvbuf-memory-type", "nvbuf-mem-default");
    for (name, value) in [("gpu-id", 0u32), ("buffer-pool-size", 8)] {
        mux.set_property(name, value);
    }
    for name in ["sync-inputs", "frame-num-reset-on-eos", "enable-padding"] {
        mux.set_property(name, true);
    }

    let p0 = mux.request_pad_simple("sink_0").unwrap();
    assert_eq!(p0.name(), "sink_0");
    let p1 = mux.request_pad_simple("sink_%u").unwrap();
    assert_eq!(p1.name(), "sink_1");
    let p5 = mux.request_pad_simple("sink_5").unwrap();
    assert_eq!(p5.name(), "sink_5");
    mux.release_request_pad(&p1);
    assert!(mux.static_pad("sink_1").is_none());
    assert_eq!(mux.sink_pads().len(), 2);
    let p6 = mux.request_pad_simple("sink_%u").unwrap();
    assert_eq!(p6.name(), "sink_6");
    mux.release_request_pad(&p0);
    mux.release_request_pad(&p5);
    mux.release_request_pad(&p6);
    assert!(mux.sink_pads().is_empty());
}

#[test]
fn released_pad_in_a_pipeline() {
    // A pad requested but never linked is released before playing; the
    // remaining source still flows.
    let (p, out) = launch(&format!(
        "{} nvstreammux name=mux width=32 height=32 ! fakesink name=sink sync=false",
        source(0, "red", "RGBA", 32, 32, 4),
    ));
    let mux = p.by_name("mux").unwrap();
    let extra = mux.request_pad_simple("sink_1").unwrap();
    mux.release_request_pad(&extra);
    let o = run_pipeline(&p, out).unwrap();
    o.assert_counts(&[(0, 4)]);
}

#[test]
fn source_added_while_playing() {
    let (p, out) = launch(
        "videotestsrc is-live=true num-buffers=20 ! \
           video/x-raw,format=I420,width=32,height=32,framerate=30/1 ! mux.sink_0 \
         nvstreammux name=mux width=32 height=32 batch-size=2 batched-push-timeout=40000 ! \
         fakesink name=sink sync=false",
    );
    let mux = p.by_name("mux").unwrap();
    // Add the second source once the first batch went out.
    let (tx, rx) = std::sync::mpsc::channel();
    let tx = Mutex::new(Some(tx));
    p.by_name("sink")
        .unwrap()
        .static_pad("sink")
        .unwrap()
        .add_probe(gst::PadProbeType::BUFFER, move |_, _| {
            if let Some(tx) = tx.lock().unwrap().take() {
                let _ = tx.send(());
            }
            gst::PadProbeReturn::Ok
        });
    let p2 = p.clone();
    let adder = std::thread::spawn(move || {
        rx.recv_timeout(Duration::from_secs(10)).unwrap();
        let bin = gst::parse::bin_from_description(
            "videotestsrc is-live=true num-buffers=5 pattern=green ! capsfilter \
             caps=video/x-raw,format=NV12,width=48,height=16,framerate=30/1",
            true,
        )
        .unwrap();
        p2.add(&bin).unwrap();
        let pad = mux.request_pad_simple("sink_%u").unwrap();
        bin.static_pad("src").unwrap().link(&pad).unwrap();
        bin.sync_state_with_parent().unwrap();
    });
    let o = run_pipeline(&p, out).unwrap();
    adder.join().unwrap();
    o.assert_counts(&[(0, 20), (1, 5)]);
    for f in o.frames().filter(|f| f.source_id == 1) {
        assert!(close(f.rgb(16, 16, 32), [0, 255, 0]));
        assert_eq!(f.src_size, (48, 16));
    }
}

#[test]
fn source_released_while_playing() {
    let (p, out) = launch(
        "videotestsrc is-live=true num-buffers=30 ! \
           video/x-raw,format=I420,width=32,height=32,framerate=30/1 ! mux.sink_0 \
         videotestsrc name=long is-live=true num-buffers=100000 pattern=blue ! \
           video/x-raw,format=I420,width=32,height=32,framerate=30/1 ! mux.sink_1 \
         nvstreammux name=mux width=32 height=32 batch-size=2 batched-push-timeout=40000 ! \
         fakesink name=sink sync=false",
    );
    let mux = p.by_name("mux").unwrap();
    let long = p.by_name("long").unwrap();
    // Release sink_1 once five of its frames went out.
    let (tx, rx) = std::sync::mpsc::channel();
    let seen = Mutex::new(0);
    p.by_name("sink")
        .unwrap()
        .static_pad("sink")
        .unwrap()
        .add_probe(gst::PadProbeType::BUFFER, move |_, info| {
            let Some(buffer) = info.buffer() else {
                return gst::PadProbeReturn::Ok;
            };
            let meta = BatchMeta::from_buffer(buffer).unwrap();
            let mut n = seen.lock().unwrap();
            *n += meta.frames().filter(|f| f.source_id() == 1).count();
            if *n >= 5 {
                let _ = tx.send(());
            }
            gst::PadProbeReturn::Ok
        });
    let remover = std::thread::spawn(move || {
        rx.recv_timeout(Duration::from_secs(10)).unwrap();
        let pad = mux.static_pad("sink_1").unwrap();
        mux.release_request_pad(&pad);
        long.set_state(gst::State::Null).unwrap();
    });
    let o = run_pipeline(&p, out).unwrap();
    remover.join().unwrap();
    let per = o.per_source();
    assert_eq!(per[&0], (0..30).collect::<Vec<i32>>());
    let n1 = per[&1].len() as i32;
    assert!(
        (5..1000).contains(&n1),
        "{n1} frames from the released source"
    );
    assert_eq!(per[&1], (0..n1).collect::<Vec<i32>>());
}

#[test]
fn width_and_height_must_be_set() {
    let (p, out) = launch(&format!(
        "{} nvstreammux name=mux batch-size=1 ! fakesink name=sink sync=false",
        source(0, "red", "I420", 32, 32, 2),
    ));
    let err = run_pipeline(&p, out).unwrap_err();
    assert!(err.contains("width and height must be set"), "{err}");
}

#[test]
fn unsupported_input_format_is_a_negotiation_error() {
    let (p, out) = launch(
        "appsrc name=a format=time caps=\"video/x-raw,format=YUY2,width=16,height=16,\
         framerate=25/1\" ! mux.sink_0 \
         nvstreammux name=mux width=32 height=32 ! fakesink name=sink sync=false",
    );
    p.set_state(gst::State::Playing).unwrap();
    let a = p.by_name("a").unwrap();
    let mut buffer = gst::Buffer::with_size(16 * 16 * 2).unwrap();
    buffer.get_mut().unwrap().set_pts(gst::ClockTime::ZERO);
    let _ = a.emit_by_name::<gst::FlowReturn>("push-buffer", &[&buffer]);
    let err = run_pipeline(&p, out).unwrap_err();
    assert!(err.contains("unsupported input caps"), "{err}");
    assert!(err.contains("YUY2"), "{err}");
}

/// The runtime_source_add_delete sample's removal, on non-live sources as
/// its files are: the source to NULL, a flush-stop sent into its muxer
/// pad, the pad released, the source removed; then a new source on the
/// same pad name. The other source keeps every frame, nothing flushes
/// downstream, and the re-added source counts its frames from 0.
#[test]
fn sample_style_release_and_readd_while_playing() {
    let (p, out) = launch(&format!(
        "{} nvstreammux name=mux width=32 height=32 batch-size=30 batched-push-timeout=25000 \
         live-source=true ! fakesink name=sink sync=false",
        source(0, "red", "I420", 32, 32, 300),
    ));
    let mux = p.by_name("mux").unwrap();
    let make_source = |n: u32, pattern: &str| {
        let bin = gst::parse::bin_from_description(
            &format!(
                "videotestsrc num-buffers={n} pattern={pattern} ! capsfilter \
                 caps=video/x-raw,format=I420,width=32,height=32,framerate=30/1"
            ),
            true,
        )
        .unwrap();
        bin.upcast::<gst::Element>()
    };
    let long = make_source(100_000, "blue");
    p.add(&long).unwrap();
    long.static_pad("src")
        .unwrap()
        .link(&mux.request_pad_simple("sink_1").unwrap())
        .unwrap();
    let flushes = Arc::new(Mutex::new(0));
    let f = flushes.clone();
    let (tx, rx) = std::sync::mpsc::channel();
    let seen = Mutex::new(0);
    p.by_name("sink")
        .unwrap()
        .static_pad("sink")
        .unwrap()
        .add_probe(
            gst::PadProbeType::BUFFER | gst::PadProbeType::EVENT_FLUSH,
            move |_, info| {
                if let Some(ev) = info.event() {
                    if matches!(
                        ev.type_(),
                        gst::EventType::FlushStart | gst::EventType::FlushStop
                    ) {
                        *f.lock().unwrap() += 1;
                    }
                } else if let Some(buffer) = info.buffer() {
                    let meta = BatchMeta::from_buffer(buffer).unwrap();
                    let mut n = seen.lock().unwrap();
                    *n += meta.frames().filter(|f| f.source_id() == 1).count();
                    if *n == 10 {
                        let _ = tx.send(());
                    }
                }
                gst::PadProbeReturn::Ok
            },
        );
    let p2 = p.clone();
    let worker = std::thread::spawn(move || {
        rx.recv_timeout(Duration::from_secs(30)).unwrap();
        // stop_release_source.
        long.set_state(gst::State::Null).unwrap();
        let pad = mux.static_pad("sink_1").unwrap();
        pad.send_event(gst::event::FlushStop::new(false));
        mux.release_request_pad(&pad);
        p2.remove(&long).unwrap();
        assert!(mux.static_pad("sink_1").is_none());
        // add_sources with the same id.
        let again = make_source(5, "green");
        p2.add(&again).unwrap();
        let pad = mux.request_pad_simple("sink_1").unwrap();
        again.static_pad("src").unwrap().link(&pad).unwrap();
        again.sync_state_with_parent().unwrap();
    });
    let o = run_pipeline(&p, out).unwrap();
    worker.join().unwrap();
    let per = o.per_source();
    assert_eq!(
        per[&0],
        (0..300).collect::<Vec<i32>>(),
        "source 0 lost frames"
    );
    let ones = &per[&1];
    let restart = ones.iter().rposition(|&n| n == 0).unwrap();
    assert!(restart >= 10, "the removed source had its frames first");
    assert_eq!(
        ones[restart..],
        [0, 1, 2, 3, 4],
        "the re-added source, from 0"
    );
    assert_eq!(*flushes.lock().unwrap(), 0, "no flush downstream");
    assert!(o.stream_eos.contains(&1) && o.stream_eos.contains(&0));
}
