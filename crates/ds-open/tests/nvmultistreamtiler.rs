//! `nvmultistreamtiler`: NVMM batches from appsrc are tiled into one frame;
//! pixels of each tile, the output surface and the rewritten metadata are
//! checked at an appsink.
use ds_core::planes::SurfaceRef;
use ds_core::surface::SurfaceBatch;
use ds_core::{BatchMeta, OwnedBatchMeta};
use ds_open::convert::{convert, fill_rect, Image, ImageMut, PixelFormat, Rect};
use gst::prelude::*;
use gstreamer as gst;

const W: u32 = 160;
const H: u32 = 120;
const COLOURS: [[u8; 3]; 4] = [[255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 255, 255]];

/// A batch of `sources.len()` frames; frame `i` shows source `sources[i]`
/// in `COLOURS[sources[i]]`, with one object at (10, 10, 20, 20) and a
/// display meta (line across the frame, label at (4, 6), circle).
fn input(format: PixelFormat, sources: &[u32]) -> gst::Buffer {
    ds_open::init().unwrap();
    let n = sources.len() as u32;
    let mut batch = SurfaceBatch::new(n, W, H, format.nvbuf()).unwrap();
    batch.set_num_filled(n).unwrap();
    for (i, &s) in sources.iter().enumerate() {
        let mut planes = batch.planes_mut(i as u32).unwrap();
        let mut img = ImageMut::from_planes(&mut planes).unwrap();
        fill_rect(&mut img, Rect::new(0, 0, W, H), COLOURS[s as usize]);
    }
    let mut buffer = batch.into_buffer();
    {
        let b = buffer.get_mut().unwrap();
        b.set_pts(gst::ClockTime::from_mseconds(40));
        b.set_duration(gst::ClockTime::from_mseconds(33));
        let mut meta = OwnedBatchMeta::new(n).unwrap();
        for (i, &s) in sources.iter().enumerate() {
            let f = meta.new_frame().unwrap();
            f.set_batch_id(i as u32);
            f.set_source_id(s);
            f.set_pad_index(s);
            f.set_frame_num(7);
            let obj = f.new_object().unwrap();
            obj.set_class_id(s as i32);
            let r = obj.rect_params_mut();
            (r.left, r.top, r.width, r.height) = (10.0, 10.0, 20.0, 20.0);
            obj.text_params_mut().set_offsets(10, 2);
            let d = f.new_display_meta().unwrap();
            d.add_line(ds_sys::NvOSD_LineParams {
                x1: 0,
                y1: 0,
                x2: W,
                y2: H,
                line_width: 2,
                ..Default::default()
            })
            .unwrap();
            d.add_text("hello").unwrap().set_offsets(4, 6);
            d.add_circle(ds_sys::NvOSD_CircleParams {
                xc: 80,
                yc: 60,
                radius: 10,
                ..Default::default()
            })
            .unwrap();
        }
        meta.attach(b).unwrap();
    }
    buffer
}

/// Runs appsrc ! nvmultistreamtiler (with `props`) ! appsink; returns the
/// output buffers and their caps.
fn run(
    format: PixelFormat,
    props: &[(&str, glib::Value)],
    buffers: Vec<gst::Buffer>,
) -> (Vec<gst::Buffer>, gst::Caps) {
    ds_open::init().unwrap();
    let pipeline = gst::Pipeline::new();
    let src = gst::ElementFactory::make("appsrc")
        .property("format", gst::Format::Time)
        .property(
            "caps",
            gst::Caps::builder("video/x-raw")
                .features([ds_open::caps::NVMM])
                .field("format", format.caps_name())
                .field("width", W as i32)
                .field("height", H as i32)
                .field("framerate", gst::Fraction::new(30, 1))
                .build(),
        )
        .build()
        .unwrap();
    let tiler = gst::ElementFactory::make("nvmultistreamtiler")
        .build()
        .unwrap();
    for (name, value) in props {
        tiler.set_property_from_value(name, value);
    }
    let sink = gst::ElementFactory::make("appsink")
        .property("sync", false)
        .property("wait-on-eos", false)
        .build()
        .unwrap();
    pipeline.add_many([&src, &tiler, &sink]).unwrap();
    gst::Element::link_many([&src, &tiler, &sink]).unwrap();
    pipeline.set_state(gst::State::Playing).unwrap();
    for b in buffers {
        let r = src.emit_by_name::<gst::FlowReturn>("push-buffer", &[&b]);
        assert_eq!(r, gst::FlowReturn::Ok);
    }
    let _ = src.emit_by_name::<gst::FlowReturn>("end-of-stream", &[]);
    let bus = pipeline.bus().unwrap();
    let msg = bus
        .timed_pop_filtered(
            gst::ClockTime::from_seconds(10),
            &[gst::MessageType::Eos, gst::MessageType::Error],
        )
        .expect("pipeline finished");
    if let gst::MessageView::Error(e) = msg.view() {
        panic!("pipeline error: {} ({:?})", e.error(), e.debug());
    }
    let mut out = Vec::new();
    let mut caps = None;
    while let Some(sample) = sink.emit_by_name::<Option<gst::Sample>>("try-pull-sample", &[&0u64]) {
        caps = sample.caps_owned();
        out.push(sample.buffer_owned().unwrap());
    }
    pipeline.set_state(gst::State::Null).unwrap();
    (out, caps.expect("a sample"))
}

/// The output frame as packed RGB triples (w, h, pixels).
fn rgb_of(buffer: &gst::Buffer) -> (u32, u32, Vec<u8>) {
    let surf = SurfaceRef::from_buffer(buffer).unwrap();
    assert_eq!((surf.batch_size(), surf.num_filled()), (1, 1));
    let frame = surf.frame(0).unwrap();
    let src = Image::from_planes(&frame).unwrap();
    let (w, h) = (src.width, src.height);
    let mut px = vec![0u8; (w * h * 4) as usize];
    let mut dst = ImageMut::packed(PixelFormat::Rgba, w, h, &mut px, (w * 4) as usize);
    convert(&src, &mut dst);
    (w, h, px)
}

fn pixel(img: &(u32, u32, Vec<u8>), x: u32, y: u32) -> [u8; 3] {
    let i = ((y * img.0 + x) * 4) as usize;
    [img.2[i], img.2[i + 1], img.2[i + 2]]
}

fn close(a: [u8; 3], b: [u8; 3]) -> bool {
    a.iter()
        .zip(b)
        .all(|(x, y)| (i32::from(*x) - i32::from(y)).abs() <= 6)
}

fn props_2x2() -> Vec<(&'static str, glib::Value)> {
    vec![
        ("rows", 2u32.to_value()),
        ("columns", 2u32.to_value()),
        ("width", 320u32.to_value()),
        ("height", 240u32.to_value()),
    ]
}

#[test]
fn tiles_four_sources_rgba_and_maps_meta() {
    // Batch order differs from source order: placement follows source_id.
    let sources = [2, 0, 3, 1];
    let (out, caps) = run(
        PixelFormat::Rgba,
        &props_2x2(),
        vec![input(PixelFormat::Rgba, &sources)],
    );
    assert_eq!(out.len(), 1);
    let s = caps.structure(0).unwrap();
    assert!(ds_open::caps::caps_are_nvmm(&caps));
    assert_eq!(s.get::<&str>("format").unwrap(), "RGBA");
    assert_eq!(
        (
            s.get::<i32>("width").unwrap(),
            s.get::<i32>("height").unwrap()
        ),
        (320, 240)
    );
    let buf = &out[0];
    assert_eq!(buf.pts(), Some(gst::ClockTime::from_mseconds(40)));
    let img = rgb_of(buf);
    assert_eq!((img.0, img.1), (320, 240));
    for (t, colour) in COLOURS.iter().enumerate() {
        let (x0, y0) = ((t as u32 % 2) * 160, (t as u32 / 2) * 120);
        for (dx, dy) in [(0, 0), (159, 119), (80, 60), (159, 0), (0, 119)] {
            assert_eq!(
                pixel(&img, x0 + dx, y0 + dy),
                *colour,
                "tile {t} at {dx},{dy}"
            );
        }
    }

    let batch = BatchMeta::from_buffer(buf).unwrap();
    assert_eq!(batch.num_frames_in_batch(), 4);
    for f in batch.frames() {
        assert_eq!(f.batch_id(), 0);
        let s = f.source_id();
        let (ox, oy) = ((s % 2) as f32 * 160.0, (s / 2) as f32 * 120.0);
        let objs: Vec<_> = f.objects().collect();
        assert_eq!(objs.len(), 1);
        assert_eq!(objs[0].class_id(), s as i32);
        let r = objs[0].rect_params();
        assert_eq!(
            (r.left, r.top, r.width, r.height),
            (ox + 10.0, oy + 10.0, 20.0, 20.0),
            "source {s}"
        );
        assert_eq!(
            objs[0].text_params().offsets(),
            (ox as u32 + 10, oy as u32 + 2)
        );
        let d = f.display_metas().next().unwrap();
        let l = d.lines()[0];
        assert_eq!(
            (l.x1, l.y1, l.x2, l.y2),
            (ox as u32, oy as u32, ox as u32 + 160, oy as u32 + 120)
        );
        assert_eq!(d.labels()[0].offsets(), (ox as u32 + 4, oy as u32 + 6));
        let c = d.circles()[0];
        assert_eq!((c.xc, c.yc, c.radius), (ox as u32 + 80, oy as u32 + 60, 10));
    }
    // Source 3 at (10,10,20,20) lands at (170,130,20,20).
    let f3 = batch.frames().find(|f| f.source_id() == 3).unwrap();
    let r = f3.objects().next().unwrap().rect_params();
    assert_eq!(
        (r.left, r.top, r.width, r.height),
        (170.0, 130.0, 20.0, 20.0)
    );
}

#[test]
fn three_sources_nv12_leave_fourth_tile_black_and_scale() {
    // 2x2 grid on a 640x480 output: tiles are 320x240 (scale 2).
    let props = vec![
        ("rows", 2u32.to_value()),
        ("columns", 2u32.to_value()),
        ("width", 640u32.to_value()),
        ("height", 480u32.to_value()),
    ];
    let (out, caps) = run(
        PixelFormat::Nv12,
        &props,
        vec![
            input(PixelFormat::Nv12, &[0, 1, 2]),
            input(PixelFormat::Nv12, &[2, 1, 0]),
        ],
    );
    assert_eq!(out.len(), 2);
    assert_eq!(
        caps.structure(0).unwrap().get::<&str>("format").unwrap(),
        "NV12"
    );
    for buf in &out {
        let img = rgb_of(buf);
        assert_eq!((img.0, img.1), (640, 480));
        for (t, colour) in COLOURS.iter().enumerate().take(3) {
            let (x0, y0) = ((t as u32 % 2) * 320, (t as u32 / 2) * 240);
            for (dx, dy) in [(0, 0), (319, 239), (160, 120)] {
                let p = pixel(&img, x0 + dx, y0 + dy);
                assert!(close(p, *colour), "tile {t}: {p:?} vs {colour:?}");
            }
        }
        for (x, y) in [(320, 240), (639, 479), (480, 360)] {
            let p = pixel(&img, x, y);
            assert!(close(p, [0, 0, 0]), "empty tile not black: {p:?}");
        }
        // NV12 black is Y=16, U=V=128.
        let surf = SurfaceRef::from_buffer(buf).unwrap();
        let frame = surf.frame(0).unwrap();
        let y = frame.plane(0).unwrap();
        assert_eq!(y.row(479).unwrap()[639], 16);
        let batch = BatchMeta::from_buffer(buf).unwrap();
        assert_eq!(batch.num_frames_in_batch(), 3);
        for f in batch.frames() {
            assert_eq!(f.batch_id(), 0);
            let s = f.source_id();
            let (ox, oy) = ((s % 2) as f32 * 320.0, (s / 2) as f32 * 240.0);
            let r = f.objects().next().unwrap().rect_params();
            assert_eq!(
                (r.left, r.top, r.width, r.height),
                (ox + 20.0, oy + 20.0, 40.0, 40.0)
            );
            let c = f.display_metas().next().unwrap().circles()[0];
            assert_eq!(
                (c.xc, c.yc, c.radius),
                (ox as u32 + 160, oy as u32 + 120, 20)
            );
        }
    }
}

#[test]
fn sources_beyond_grid_are_dropped() {
    // 1x2 grid: sources 2 and 3 have no tile; their frame metas are removed.
    let props = vec![
        ("rows", 1u32.to_value()),
        ("columns", 2u32.to_value()),
        ("width", 320u32.to_value()),
        ("height", 120u32.to_value()),
    ];
    let (out, _) = run(
        PixelFormat::Rgba,
        &props,
        vec![input(PixelFormat::Rgba, &[3, 2, 1, 0])],
    );
    let img = rgb_of(&out[0]);
    assert_eq!(pixel(&img, 10, 10), COLOURS[0]);
    assert_eq!(pixel(&img, 170, 10), COLOURS[1]);
    let batch = BatchMeta::from_buffer(&out[0]).unwrap();
    let mut ids: Vec<u32> = batch.frames().map(|f| f.source_id()).collect();
    ids.sort();
    assert_eq!(ids, [0, 1]);
}

#[test]
fn show_source_draws_one_source_full_size() {
    let mut props = props_2x2();
    props.push(("show-source", 2i32.to_value()));
    let (out, _) = run(
        PixelFormat::Rgba,
        &props,
        vec![input(PixelFormat::Rgba, &[0, 1, 2, 3])],
    );
    let img = rgb_of(&out[0]);
    for (x, y) in [(0, 0), (319, 239), (160, 120), (10, 200)] {
        assert_eq!(pixel(&img, x, y), COLOURS[2]);
    }
    let batch = BatchMeta::from_buffer(&out[0]).unwrap();
    assert_eq!(batch.num_frames_in_batch(), 1);
    let f = batch.frames().next().unwrap();
    assert_eq!((f.source_id(), f.batch_id()), (2, 0));
    let r = f.objects().next().unwrap().rect_params();
    assert_eq!((r.left, r.top, r.width, r.height), (20.0, 20.0, 40.0, 40.0));
}

#[test]
fn buffer_without_batch_meta_tiles_by_batch_index() {
    ds_open::init().unwrap();
    let mut batch = SurfaceBatch::new(2, W, H, PixelFormat::Rgba.nvbuf()).unwrap();
    batch.set_num_filled(2).unwrap();
    for i in 0..2 {
        let mut planes = batch.planes_mut(i).unwrap();
        let mut img = ImageMut::from_planes(&mut planes).unwrap();
        fill_rect(&mut img, Rect::new(0, 0, W, H), COLOURS[i as usize + 1]);
    }
    let (out, _) = run(PixelFormat::Rgba, &props_2x2(), vec![batch.into_buffer()]);
    let img = rgb_of(&out[0]);
    assert_eq!(pixel(&img, 10, 10), COLOURS[1]);
    assert_eq!(pixel(&img, 170, 10), COLOURS[2]);
    assert_eq!(pixel(&img, 10, 130), [0, 0, 0]);
    assert!(BatchMeta::from_buffer(&out[0]).is_none());
}

/// NVIDIA's range (16 to u32::MAX) is accepted; an output side the open
/// tiler does not draw (above 16384) fails the start with one error naming
/// the size, instead of allocating the frame.
#[test]
fn output_side_above_the_open_limit_is_one_error() {
    ds_open::init().unwrap();
    let tiler = gst::ElementFactory::make("nvmultistreamtiler")
        .build()
        .unwrap();
    let spec = tiler.find_property("width").unwrap();
    let spec = spec.downcast_ref::<glib::ParamSpecUInt>().unwrap();
    assert_eq!((spec.minimum(), spec.maximum()), (16, u32::MAX));
    tiler.set_property("width", u32::MAX);
    assert_eq!(tiler.property::<u32>("width"), u32::MAX);

    let pipeline = gst::Pipeline::new();
    pipeline.add(&tiler).unwrap();
    assert!(pipeline.set_state(gst::State::Paused).is_err());
    let msg = pipeline
        .bus()
        .unwrap()
        .timed_pop_filtered(
            gst::ClockTime::from_seconds(10),
            &[gst::MessageType::Eos, gst::MessageType::Error],
        )
        .expect("the pipeline ends");
    let gst::MessageView::Error(e) = msg.view() else {
        panic!("no error for a {}-pixel-wide output", u32::MAX);
    };
    assert!(
        e.error().to_string().contains("4294967295x1080"),
        "{}",
        e.error()
    );
    pipeline.set_state(gst::State::Null).unwrap();
}
