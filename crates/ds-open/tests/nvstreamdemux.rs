//! `nvstreamdemux` in real pipelines: two sources of different lengths and
//! colours through `nvstreammux` and back out on `src_0` / `src_1`; each
//! output gets exactly its source's frames (numbers, pixels, objects) as
//! one-frame batches, and EOS per stream or at the end as
//! `per-stream-eos` says.
use ds_core::planes::SurfaceRef;
use ds_core::BatchMeta;
use ds_open::convert::{convert, Image, ImageMut, PixelFormat};
use gst::prelude::*;
use gstreamer as gst;
use std::sync::{Arc, Mutex};

/// One buffer seen on an output.
#[derive(Debug, Clone)]
struct Out {
    frames: Vec<(u32, u32, i32)>, // (source_id, batch_id, frame_num)
    objects: Vec<(i32, String)>,  // (class_id, label)
    batch_size: u32,
    rgb: [u8; 3],
    pts: Option<gst::ClockTime>,
}

#[derive(Debug, Default)]
struct Sink {
    buffers: Vec<Out>,
    eos: bool,
    /// Buffers the other output had when this one got EOS.
    other_at_eos: Option<usize>,
    caps: Option<gst::Caps>,
}

fn centre_rgb(buffer: &gst::BufferRef) -> [u8; 3] {
    let surface = SurfaceRef::from_buffer(buffer).unwrap();
    let planes = surface.frame(0).unwrap();
    let src = Image::from_planes(&planes).unwrap();
    let (w, h) = (src.width, src.height);
    let mut rgba = vec![0u8; (w * h * 4) as usize];
    let mut dst = ImageMut::packed(PixelFormat::Rgba, w, h, &mut rgba, w as usize * 4);
    convert(&src, &mut dst);
    let o = (((h / 2) * w + w / 2) * 4) as usize;
    [rgba[o], rgba[o + 1], rgba[o + 2]]
}

fn read(buffer: &gst::BufferRef) -> Out {
    let meta = BatchMeta::from_buffer(buffer).expect("batch meta on every output buffer");
    let surface = SurfaceRef::from_buffer(buffer).unwrap();
    let batch_size = surface.batch_size();
    drop(surface);
    Out {
        frames: meta
            .frames()
            .map(|f| (f.source_id(), f.batch_id(), f.frame_num()))
            .collect(),
        objects: meta
            .frames()
            .flat_map(|f| f.objects())
            .map(|o| (o.class_id(), o.obj_label().to_string()))
            .collect(),
        batch_size,
        rgb: centre_rgb(buffer),
        pts: buffer.pts(),
    }
}

/// Runs two sources (red: `n0` frames, blue: `n1`) through mux and demux;
/// a probe on the mux output adds to each frame one object of class =
/// source id labelled `src<id>`.
fn run(n0: u32, n1: u32, per_stream_eos: bool) -> (Sink, Sink) {
    ds_open::init().unwrap();
    assert_eq!(
        ds_core::backend(),
        "open",
        "these tests need the open backend"
    );
    let desc = format!(
        "videotestsrc pattern=red num-buffers={n0} ! \
           video/x-raw,format=I420,width=64,height=48,framerate=30/1 ! mux.sink_0 \
         videotestsrc pattern=blue num-buffers={n1} ! \
           video/x-raw,format=RGBA,width=32,height=32,framerate=30/1 ! mux.sink_1 \
         nvstreammux name=mux width=40 height=40 batch-size=2 ! \
         nvstreamdemux name=demux per-stream-eos={per_stream_eos} \
         demux.src_0 ! queue name=q0 ! fakesink sync=false \
         demux.src_1 ! queue name=q1 ! fakesink sync=false"
    );
    let pipeline = gst::parse::launch(&desc)
        .unwrap()
        .downcast::<gst::Pipeline>()
        .unwrap();
    pipeline
        .by_name("mux")
        .unwrap()
        .static_pad("src")
        .unwrap()
        .add_probe(gst::PadProbeType::BUFFER, |_, info| {
            if let Some(gst::PadProbeData::Buffer(buffer)) = info.data.as_mut() {
                let meta = BatchMeta::from_buffer_mut(buffer.make_mut()).unwrap();
                for mut f in meta.frames_mut() {
                    let id = f.source_id();
                    let o = f.new_object().unwrap();
                    o.set_class_id(id as i32);
                    o.set_obj_label(&format!("src{id}"));
                }
            }
            gst::PadProbeReturn::Ok
        });
    let sinks = [
        Arc::new(Mutex::new(Sink::default())),
        Arc::new(Mutex::new(Sink::default())),
    ];
    // The probes sit where the demuxer pushes (the queues' sink pads), so
    // they see its own order of buffers and events; after the queues the two
    // streaming threads would race.
    for i in 0..2 {
        let me = Arc::clone(&sinks[i]);
        let other = Arc::clone(&sinks[1 - i]);
        pipeline
            .by_name(&format!("q{i}"))
            .unwrap()
            .static_pad("sink")
            .unwrap()
            .add_probe(
                gst::PadProbeType::BUFFER | gst::PadProbeType::EVENT_DOWNSTREAM,
                move |pad, info| {
                    match &info.data {
                        Some(gst::PadProbeData::Buffer(b)) => {
                            me.lock().unwrap().buffers.push(read(b));
                        }
                        Some(gst::PadProbeData::Event(e)) if e.type_() == gst::EventType::Eos => {
                            let n = other.lock().unwrap().buffers.len();
                            let mut me = me.lock().unwrap();
                            me.eos = true;
                            me.other_at_eos = Some(n);
                            me.caps = pad.current_caps();
                        }
                        _ => {}
                    }
                    gst::PadProbeReturn::Ok
                },
            );
    }
    pipeline.set_state(gst::State::Playing).unwrap();
    let bus = pipeline.bus().unwrap();
    let msg = bus
        .timed_pop_filtered(
            gst::ClockTime::from_seconds(60),
            &[gst::MessageType::Eos, gst::MessageType::Error],
        )
        .expect("the pipeline ends");
    if let gst::MessageView::Error(e) = msg.view() {
        panic!("pipeline error: {}", e.error());
    }
    pipeline.set_state(gst::State::Null).unwrap();
    let take = |s: &Arc<Mutex<Sink>>| std::mem::take(&mut *s.lock().unwrap());
    (take(&sinks[0]), take(&sinks[1]))
}

fn assert_only_source(sink: &Sink, source: u32, n: i32, rgb: [u8; 3]) {
    assert_eq!(sink.buffers.len(), n as usize, "source {source}: {sink:?}");
    for (i, b) in sink.buffers.iter().enumerate() {
        assert_eq!(
            b.frames,
            vec![(source, 0, i as i32)],
            "one frame per buffer"
        );
        assert_eq!(b.objects, vec![(source as i32, format!("src{source}"))]);
        assert_eq!(b.batch_size, 1);
        let close = b.rgb.iter().zip(rgb).all(|(a, b)| a.abs_diff(b) < 40);
        assert!(close, "source {source} frame {i}: colour {:?}", b.rgb);
        assert!(b.pts.is_some());
    }
    assert!(sink.eos, "source {source} got EOS");
    let caps = sink.caps.as_ref().expect("caps on the output");
    let s = caps.structure(0).unwrap();
    assert_eq!(
        (s.get::<i32>("width"), s.get::<i32>("height")),
        (Ok(40), Ok(40))
    );
    assert!(caps.features(0).unwrap().contains("memory:NVMM"));
}

#[test]
fn each_output_gets_exactly_its_sources_frames_and_objects() {
    let (s0, s1) = run(10, 6, false);
    assert_only_source(&s0, 0, 10, [255, 0, 0]);
    assert_only_source(&s1, 1, 6, [0, 0, 255]);
    // PTS are the sources' own: 30 fps from 0.
    let pts: Vec<u64> = s0
        .buffers
        .iter()
        .map(|b| b.pts.unwrap().mseconds())
        .collect();
    assert_eq!(pts[..3], [0, 33, 66]);
}

#[test]
fn without_per_stream_eos_every_output_ends_together() {
    let (s0, s1) = run(10, 4, false);
    // src_1 got its EOS only after all of src_0's frames.
    assert_eq!(s1.other_at_eos, Some(10));
    assert_eq!(s1.buffers.len(), 4);
    assert_eq!(s0.buffers.len(), 10);
}

#[test]
fn per_stream_eos_ends_a_stream_when_its_source_ends() {
    let (s0, s1) = run(30, 4, true);
    assert_only_source(&s0, 0, 30, [255, 0, 0]);
    assert_only_source(&s1, 1, 4, [0, 0, 255]);
    let other = s1.other_at_eos.unwrap();
    assert!(
        other < 30,
        "src_1 ended before src_0's last frame ({other} of 30)"
    );
}

#[test]
fn request_pads_by_source_number() {
    ds_open::init().unwrap();
    let demux = gst::ElementFactory::make("nvstreamdemux").build().unwrap();
    assert!(demux.name().starts_with("nvstreamdemux"));
    assert!(!demux.property::<bool>("per-stream-eos"));
    let p3 = demux.request_pad_simple("src_3").unwrap();
    assert_eq!(p3.name(), "src_3");
    assert!(
        demux.request_pad_simple("src_3").is_none(),
        "already requested"
    );
    assert!(
        demux.request_pad_simple("src_%u").is_none(),
        "a number is needed"
    );
    assert!(demux.request_pad_simple("video_1").is_none());
    let p0 = demux.request_pad_simple("src_0").unwrap();
    demux.release_request_pad(&p3);
    assert!(demux.static_pad("src_3").is_none());
    // Released pads can be requested again.
    let again = demux.request_pad_simple("src_3").unwrap();
    demux.release_request_pad(&again);
    demux.release_request_pad(&p0);
    assert_eq!(demux.src_pads().len(), 0);
}

#[test]
fn input_without_batch_meta_is_one_clear_error() {
    ds_open::init().unwrap();
    let pipeline = gst::parse::launch(
        "videotestsrc num-buffers=3 ! video/x-raw,format=RGBA,width=16,height=16 ! \
         capssetter caps=video/x-raw(memory:NVMM) join=true ! nvstreamdemux name=demux \
         demux.src_0 ! fakesink",
    );
    let Ok(pipeline) = pipeline else {
        return; // capssetter (gst-plugins-good) missing
    };
    pipeline.set_state(gst::State::Playing).unwrap();
    let msg = pipeline
        .bus()
        .unwrap()
        .timed_pop_filtered(
            gst::ClockTime::from_seconds(20),
            &[gst::MessageType::Eos, gst::MessageType::Error],
        )
        .unwrap();
    pipeline.set_state(gst::State::Null).unwrap();
    match msg.view() {
        gst::MessageView::Error(e) => {
            assert!(
                e.error().to_string().contains("NvDsBatchMeta"),
                "{}",
                e.error()
            )
        }
        _ => panic!("expected an error"),
    }
}
